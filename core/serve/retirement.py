"""How long a Dask worker that trains live runs lives: GRADFLOW_WORKER_MAX_ARCHITECTURES and its defaults.

A worker keeps TensorFlow's native memory for every architecture it traced, for its life; so between runs
WorkerEngine.retire_if_due (core/serve/worker_engine.py) restarts a worker (its nanny starts a fresh process)
once it has traced RETIRE_VARIABLE's number of architectures, or holds RETIRE_MEMORY_FRACTION of its nanny's
memory_limit (Dask pauses a worker at 80% of it and the nanny kills it at 95%, mid-run). The bound is read
apart from the engine so LabServer.from_environment can refuse a bad value before the cluster starts.
"""
from core.outside_text import outside

RETIRE_VARIABLE = "GRADFLOW_WORKER_MAX_ARCHITECTURES"
DEFAULT_RETIRE_AFTER = 50
RETIRE_MEMORY_FRACTION = 0.6


def retire_after_of(environ) -> int:
    """GRADFLOW_WORKER_MAX_ARCHITECTURES, else DEFAULT_RETIRE_AFTER; ValueError names the variable, its value and
    what is allowed."""
    raw = (environ.get(RETIRE_VARIABLE) or "").strip()
    if not raw:
        return DEFAULT_RETIRE_AFTER
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        # marked as outside text, as GRADFLOW_TRAIN_ON's: the page shows it literally (ui/text.py)
        raise ValueError(f"{RETIRE_VARIABLE}={outside(raw)} is not allowed: a whole number of traced "
                         "architectures, at least 1, after which an idle worker is restarted")
    return int(raw)
