"""What one server shares between its sessions (LabServer), and where their runs train (GRADFLOW_TRAIN_ON).

A LabServer holds the parts every session's LiveRun (core/serve/live.py) uses: the record cache, the gate that
bounds how many runs train at once, and either the Trainer pool (runs train here) or the engine (runs train on
Dask workers). With workers, this process never imports TensorFlow: the pool, TensorFlow's thread pools and
the trainer are only loaded when runs train here.
`from_environment` builds the one a server process keeps from its GRADFLOW_* variables; `train_on` is here
with it because it decides which engine that server gets, and a bad value must be refused before anything
starts. LiveRun, one run's thread, is core/serve/live.py; the pages build this once per process (ui/session.py).
"""
import os
import threading
from dataclasses import dataclass, field

from core.outside_text import outside
from core.serve.record_cache import RecordCache
from core.serve.redraw import LagMonitor, RedrawBudget


@dataclass
class LabServer:
    """What one server shares between sessions; every part is bounded."""
    cache: RecordCache
    gate: threading.BoundedSemaphore
    pool: object | None = None  # a TrainerPool (core/engine/pool.py) when runs train in this process
    runs_started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: list = field(default_factory=list)  # runs queued for the gate, first come first served
    slots: int | None = None  # the gate's size; read from a BoundedSemaphore when not given
    inflight: dict = field(default_factory=dict)  # config key -> (job, its viewers): see core/serve/shared.py
    redraws: RedrawBudget = field(default_factory=RedrawBudget)  # live frames' share of the CPU: core/serve/redraw.py
    lag_monitor: LagMonitor | None = None  # tells `redraws` how late the interpreter wakes threads
    engine: object | None = None  # None: runs train in this process; else a WorkerEngine (core/serve/worker_engine.py)

    def __post_init__(self):
        if self.slots is None:
            self.slots = getattr(self.gate, "_initial_value", 1)  # where CPython's BoundedSemaphore keeps it

    def queue_position(self, run) -> int | None:
        """1 for the run next in line, None when the run is not waiting."""
        with self.lock:
            return self.waiting.index(run) + 1 if run in self.waiting else None

    @classmethod
    def from_environment(cls, environ=None):
        environ = os.environ if environ is None else environ
        where = train_on(environ)  # first: a bad value is refused before anything starts
        active = int(environ.get("GRADFLOW_MAX_ACTIVE_RUNS", os.cpu_count() or 2))
        cache_mb = float(environ.get("GRADFLOW_RECORD_CACHE_MB", 256))
        server = cls(cache=RecordCache(int(cache_mb * 2**20)), gate=threading.BoundedSemaphore(active), slots=active)
        if where == "server":
            from core.engine.pool import TrainerPool  # here: they load TensorFlow, which workers keep to themselves
            from core.engine.threads import configure_threads

            configure_threads(active, environ)
            server.pool = TrainerPool(max_idle=int(environ.get("GRADFLOW_MAX_IDLE_TRAINERS", 8)))
        else:
            from core.serve.retirement import retire_after_of
            from core.serve.worker_engine import WorkerEngine
            from core.sweep.cluster import shared_client

            retire_after = retire_after_of(environ)  # refused before the cluster starts
            # the cluster sweeps use, or GRADFLOW_DASK_SCHEDULER's
            server.engine = WorkerEngine(shared_client(), retire_after=retire_after)
            server.engine.warm_up()
        # last: a server that failed to start leaves no thread behind
        server.lag_monitor = LagMonitor(server.redraws)  # the server's own: it lives as long as the process
        return server


TRAIN_ON_VARIABLE = "GRADFLOW_TRAIN_ON"
TRAIN_ON = {"server": "train in the web process", "workers": "train on Dask workers"}


def train_on(environ) -> str:
    """Where the Lab's and Compare's runs train: GRADFLOW_TRAIN_ON, "workers" when unset (a TensorFlow abort
    then ends one worker, not the class's server, and training leaves the web process's interpreter lock to
    the pages); ValueError names the variable, its value and what is allowed."""
    raw = environ.get(TRAIN_ON_VARIABLE, "").strip() or "workers"
    if raw not in TRAIN_ON:
        allowed = " or ".join(f"{name} ({meaning})" for name, meaning in TRAIN_ON.items())
        # the value stays marked as outside text: the page shows it literally (ui/text.py), a terminal plain()
        raise ValueError(f"{TRAIN_ON_VARIABLE}={outside(raw)} is not allowed: it is {allowed}")
    return raw
