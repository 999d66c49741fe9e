"""Where sweeps run: an embedded Dask cluster of this machine's cores, or an existing cluster named by
GRADFLOW_DASK_SCHEDULER (tcp://host:8786 or any address dask.distributed.Client accepts).

The local cluster has one worker process per core, each with one thread: a process per cell keeps Python's
GIL out of the way, and TensorFlow's pools in each worker get one thread each, so two workers on two
cores do not fight over them. A worker killed mid-cell is restarted by its nanny and the scheduler runs the
cell again elsewhere.
"""
import atexit
import logging
import os
import threading

from core.outside_text import outside

SCHEDULER_VARIABLE = "GRADFLOW_DASK_SCHEDULER"
WORKER_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow's start-up chatter stays out of the progress bar
    "GRADFLOW_TF_INTRA_THREADS": "1",  # one cell per process, one process per core
    "GRADFLOW_TF_INTER_THREADS": "1",
    # Sweeps are background work: the server's interactive runs (the Lab, Compare) take the cores first.
    "GRADFLOW_WORKER_NICENESS": "10",
}


WORKERS_VARIABLE = "GRADFLOW_SWEEP_WORKERS"


def usable_cores() -> int:
    """The cores this process may use (a container's, not the host's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def workers_allowed() -> str:
    """What a number of local workers may be: each is a process with TensorFlow in it, running one cell on one
    core, so more workers than cores only compete for them (and 100000 of them fill the memory)."""
    return f"a positive whole number of worker processes, at most {usable_cores()} (the cores this process may use)"


def workers_problem(count: int) -> str | None:
    """Why this many local workers cannot be started, or None."""
    return None if 1 <= count <= usable_cores() else workers_allowed()


def default_workers(environ=None) -> int:
    """GRADFLOW_SWEEP_WORKERS, else the usable cores; ValueError names the variable, its value and what is
    allowed."""
    environ = os.environ if environ is None else environ
    raw = environ.get(WORKERS_VARIABLE, "").strip()
    if raw:
        if not (raw.isascii() and raw.isdigit()) or workers_problem(int(raw)):
            # marked as outside text: the page shows it literally (ui/text.py), the command line plain()
            raise ValueError(f"{WORKERS_VARIABLE}={outside(raw)} is not allowed: {workers_allowed()}")
        return int(raw)
    return usable_cores()


MEMORY_VARIABLE = "GRADFLOW_WORKER_MEMORY_MB"
LOCAL_HOST = "127.0.0.1"
MIN_WORKER_MB = 1024  # below it a worker is killed while it starts, or retired after every run


def worker_memory_limit(n_workers: int, environ=None) -> int:
    """Each local worker's memory_limit in bytes (its nanny restarts it past 95%): GRADFLOW_WORKER_MEMORY_MB,
    else the machine's memory shared evenly, as LocalCluster's "auto"; ValueError names the variable."""
    from distributed.system import MEMORY_LIMIT

    environ = os.environ if environ is None else environ
    raw = environ.get(MEMORY_VARIABLE, "").strip()
    if not raw:
        return int(MEMORY_LIMIT // n_workers)
    if not (raw.isascii() and raw.isdigit()) or int(raw) < MIN_WORKER_MB:
        # marked as outside text, as above
        raise ValueError(f"{MEMORY_VARIABLE}={outside(raw)} is not allowed: a whole number of megabytes per worker "
                         f"process, at least {MIN_WORKER_MB} (TensorFlow alone takes about 500, a deep run's "
                         "trainer more)")
    return int(raw) * 2**20


def local_cluster(n_workers: int | None = None, environ=None, gpus=None):
    """A local Dask cluster of nanny-watched worker processes, one thread each, no dashboard: one worker per
    GPU, each seeing only its own (core/serve/gpus.py), else `n_workers` (default: default_workers())."""
    from dask.distributed import Nanny, Scheduler, SpecCluster

    from core.serve.gpus import visible_gpus, worker_environments

    environ = os.environ if environ is None else environ
    gpus = visible_gpus(environ) if gpus is None else gpus
    asked = n_workers or (default_workers(environ) if environ.get(WORKERS_VARIABLE, "").strip() else None)
    if asked:
        gpus = gpus[:asked]  # a count asked for: that many GPUs, at most
    n_workers = len(gpus) or asked or default_workers(environ)
    if not gpus and workers_problem(n_workers):
        raise ValueError(f"{n_workers} local workers are not allowed: {workers_allowed()}")
    memory_limit = worker_memory_limit(n_workers, environ)
    # Workers are spawned with this process's sys.path, so they import the project's core/ as it does.
    workers = {
        f"worker-{index}": {"cls": Nanny, "options": {"nthreads": 1, "env": env, "memory_limit": memory_limit,
                                                      "host": LOCAL_HOST, "dashboard": False, "silence_logs": logging.ERROR}}
        for index, env in enumerate(worker_environments(gpus, n_workers, dict(WORKER_ENVIRONMENT)))}
    # this machine only, as LocalCluster does: a scheduler on every interface would take tasks from anyone
    scheduler = {"cls": Scheduler, "options": {"host": LOCAL_HOST, "dashboard_address": None}}
    return SpecCluster(scheduler=scheduler, workers=workers, silence_logs=logging.ERROR)


def scheduler_address(environ=None) -> str:
    """The address GRADFLOW_DASK_SCHEDULER names, or "" for a local cluster."""
    environ = os.environ if environ is None else environ
    return environ.get(SCHEDULER_VARIABLE, "").strip()


def connect(n_workers: int | None = None, environ=None):
    """(client, cluster): a client of the named scheduler (cluster None), or of a new local cluster that the
    caller closes."""
    from dask.distributed import Client

    address = scheduler_address(environ)
    if address:
        return Client(address, set_as_default=False), None
    cluster = local_cluster(n_workers)
    return Client(cluster, set_as_default=False), cluster


_shared = {}
_shared_lock = threading.Lock()


def shared_client():
    """One client for this whole process (the app's server), made on first use and closed at exit."""
    with _shared_lock:
        client = _shared.get("client")
        if client is None or client.status in ("closed", "closing"):
            client, cluster = connect()
            _shared.update(client=client, cluster=cluster)
            atexit.register(close_shared)
        return client


def close_shared():
    with _shared_lock:
        client, cluster = _shared.pop("client", None), _shared.pop("cluster", None)
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()


def describe(client) -> str:
    """"2 workers × 1 thread (local)" or the scheduler's address."""
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    threads = sum(info.get("nthreads", 0) for info in workers.values())
    where = "local" if not scheduler_address() else client.scheduler.address
    return f"{len(workers)} worker{'s' if len(workers) != 1 else ''}, {threads} thread{'s' if threads != 1 else ''} ({where})"
