import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The pages' AppTests train in this process: they test what the pages draw, and the engine under them gives
# the same records either way (tests/test_worker_engine.py). `streamlit run` in the browser tests keeps the
# default, the Dask workers (tests/helpers/browser.py).
os.environ.setdefault("GRADFLOW_TRAIN_ON", "server")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pytest  # noqa: E402

from core.engine.pool import TrainerPool  # noqa: E402


@pytest.fixture(scope="session")
def pool():
    """One pool for the whole session, so tests that share an architecture trace it once."""
    return TrainerPool(max_idle=16)


@pytest.fixture(scope="session")
def preset_records(pool):
    """preset_records(name) -> the records of a lesson preset's runs, trained once per test session."""
    from core.lessons.presets import BY_NAME
    from core.engine.run import run_to_end

    trained = {}

    def records(name):
        if name not in trained:
            trained[name] = [run_to_end(config, pool) for config in BY_NAME[name].configs]
        return trained[name]

    return records


@pytest.fixture(autouse=True)
def stop_runs_left_training():
    """A test that does not wait for its run (a depth-100 trace, say) must not leave it training."""
    yield
    from apps import STARTED, stop_all

    stop_all(STARTED)


@pytest.fixture(scope="session")
def app_server():
    """One `streamlit run app.py` (tests/helpers/browser.py) for every browser test of the session: (its address,
    its process). Runs train on its two Dask workers, the app's default on two cores. Shared, so its cluster
    starts and TensorFlow is imported once; tests that need a run still training choose a config no other
    test trains (the record cache would give a finished one)."""
    from helpers.browser import streamlit_app

    with streamlit_app(GRADFLOW_SWEEP_WORKERS="2") as started:
        yield started


@pytest.fixture(scope="session")
def server(app_server):
    """The shared server's address."""
    return app_server[0]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium for a test module, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    from helpers.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
