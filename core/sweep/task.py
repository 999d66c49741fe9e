"""One run of a sweep, as a Dask task: train with the core engine and return a compact summary.

The task runs in a worker process. Each process keeps one TrainerPool (a module global), so a worker that
has traced an architecture for one cell reuses it for the next cells of that architecture. All randomness
comes from the run's config (its seed), so the result does not depend on which worker ran it.
"""
import os
import threading
import time

from core.sweep.outcomes import measure

# a worker's events when it starts and ends a cell (core/sweep/execute.py hears them); one topic, so the page hears
# one worker's start and end in the order they happened
CELL_TOPIC = "gradflow-sweep-cell"
_pool = None
_lock = threading.Lock()
_counts = {"started": 0, "finished": 0}


def worker_pool():
    """This process's TrainerPool (sweep cells and live runs alike), made on first use; TensorFlow's pools are sized before it starts."""
    global _pool
    with _lock:
        if _pool is None:
            from core.engine.pool import TrainerPool
            from core.engine.threads import configure_threads

            configure_threads(active_runs=_threads_of_this_worker())
            _lower_priority(int(os.environ.get("GRADFLOW_WORKER_NICENESS", "0")))  # the local cluster's workers
            _pool = TrainerPool(max_idle=int(os.environ.get("GRADFLOW_MAX_IDLE_TRAINERS", 8)))
        return _pool


def _lower_priority(niceness: int) -> None:
    """Raise every thread's niceness (Dask's, TensorFlow's) by `niceness`, as os.nice does for a process;
    threads they start later inherit it. Linux keeps a niceness per thread, so os.nice() alone would lower
    only the calling one. Called once per worker process (with its pool)."""
    if niceness <= 0:
        return
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:  # not Linux: the niceness is the process's
        os.nice(niceness)
        return
    for tid in threads:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
        except OSError:
            pass  # the thread has ended


def _threads_of_this_worker() -> int:
    """How many cells this process runs at once (a Dask worker's threads), so their ops share the cores."""
    try:
        from distributed import get_worker

        return get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        return 1


def _announce(moment: str) -> None:
    """Tell the scheduler this worker has started ("start") or ended ("end") computing the task: the page draws
    its cell as running in between. Dask's own states do not say whether a task assigned to a worker has started
    there, and a future's end reaches the client by another path than the worker's next start."""
    try:
        from distributed import get_worker

        worker = get_worker()
        worker.log_event(CELL_TOPIC, (moment, worker.get_current_task()))
    except (ImportError, ValueError, AttributeError):
        pass  # not on a Dask worker (a test calling the task directly)


def run_cell(config_values: dict, target_loss: float, keep_record: bool = False, upload=None) -> dict:
    """Train one configuration (a RunConfig's dict) and return its outcomes, status and timings; with
    keep_record, also the whole run record as JSON. `upload` is the uploaded data set the config names, sent
    by the server (this worker's store keeps it for the sweep's next cells)."""
    from core.config import RunConfig
    from core.engine.run import run_to_end
    from core.engine.upload_store import STORE

    if upload is not None and upload.name not in STORE:
        STORE.put(upload)

    _counts["started"] += 1
    _announce("start")
    config = RunConfig.from_dict(config_values)
    start = time.perf_counter()
    try:
        record = run_to_end(config, worker_pool(), unwatched=not keep_record)  # a kept record has every view
    finally:
        _announce("end")
    summary = {
        **measure(record, target_loss),
        "status": record.status,
        "seconds": time.perf_counter() - start,
        "trace_seconds": record.timing["trace_seconds"],
        "pid": os.getpid(),
    }
    if keep_record:
        summary["record"] = record.to_json()
    _counts["finished"] += 1
    return summary


def worker_counts() -> dict:
    """Cells started and finished by this process, and the trainers its pool built (for tests and bench)."""
    return {**_counts, "built": _pool.built if _pool is not None else 0}
