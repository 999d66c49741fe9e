import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pytest  # noqa: E402

from core.pool import TrainerPool  # noqa: E402


@pytest.fixture(scope="session")
def pool():
    """One pool for the whole session, so tests that share an architecture trace it once."""
    return TrainerPool(max_idle=16)
