"""The worker's side of a live run: a Dask actor, one per worker process, that trains runs in threads.

The web process starts a run with `start`, then asks `frames` for what it lacks; `frames` is a coroutine, so
it waits on the worker's event loop until the run has something new (a long poll: a frame reaches the web
process one round trip after the worker has it, with no polling in between). `go` is the server's gate
letting a traced run train; `pause`, `resume` and `stop` act within one frame. Runs of one architecture on
one worker share its traced trainers (the worker's TrainerPool, the one sweeps use too).
"""
import asyncio
import importlib
import os
import threading
import time
from contextlib import contextmanager

from core.serve.frames import piece

POLL_SECONDS = 0.05  # how often a paused or waiting run looks at its flags
KEEP_FINISHED_SECONDS = 120.0  # a finished run's last piece waits this long for the web process to take it


class RunStopped(Exception):
    """Raised inside a hosted run's thread when it is stopped while it waits for the server's gate."""


class HostedRun:
    """One run training in a thread of this worker; publishes (serial, snapshot) after every frame."""

    def __init__(self, config, pool, notify):
        self.config, self._pool, self._notify = config, pool, notify
        # (serial, snapshot, when): serial 1 is step 0's preview, 2 the compiled run (a new record); `when` is
        # time.time() as the frame was made, so the web process can measure how long it took to reach it
        self.published = (0, None, None)
        self.phase, self.error, self.done, self.finished_at = "starting", None, False, None
        self._go, self._pause, self._stop = threading.Event(), threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._work, name="gradflow-hosted-run", daemon=True)
        self._thread.start()

    def _set_phase(self, phase):
        self.phase = phase
        self._notify()

    @contextmanager
    def _turn(self):
        """The server's gate, held by the web process: training starts when it says `go`."""
        while not self._go.wait(POLL_SECONDS):
            if self._stop.is_set():
                raise RunStopped
        yield

    def _work(self):
        from core.engine.run import train

        try:
            frames = train(self.config, self._pool, turn=self._turn, on_phase=self._set_phase,
                           stopped=self._stop.is_set)
            try:
                source, serial = None, 0
                for record in frames:
                    if record is not source:
                        serial, source = serial + 1, record
                    self.published = (serial, record.snapshot(), time.time())
                    self._notify()
                    while self._pause.is_set() and not self._stop.is_set():
                        time.sleep(POLL_SECONDS)
                    if self._stop.is_set():
                        return
            finally:
                frames.close()
        except RunStopped:
            pass
        except Exception as error:  # a run's failure is its student's message, never the worker's end
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.done, self.finished_at = True, time.monotonic()
            self._notify()

    def go(self):
        self._go.set()

    def pause(self):
        self._pause.set()

    def resume(self):
        self._pause.clear()

    def stop(self):
        self._stop.set()
        self._pause.clear()


class TrainerHost:
    """A Dask actor: this worker process's live runs, by the id the web process gave them."""

    def __init__(self):
        self.runs = {}
        self._changed = {}  # run id -> asyncio.Event, set from the run's thread through the event loop
        self._loop = None

    def warm(self) -> int:
        """Import TensorFlow and the engine, make this worker's trainer pool and check a config (the first
        TensorFlow op of a process starts its runtime), now, in the actor's thread: `start` runs on the
        worker's event loop, which the first run would otherwise hold for a second or two."""
        # Loaded for its side effect (TensorFlow, Keras and the engine, now rather than at the first run); by
        # name, since no name of it is used here and pyflakes reads `import core.engine.run` as unused.
        importlib.import_module("core.engine.run")
        from core.config import RunConfig
        from core.engine.device import configure_gpus
        from core.sweep.task import worker_pool

        configure_gpus()  # before any TensorFlow op: memory growth can only be set on a GPU not yet in use
        worker_pool()
        RunConfig.from_dict(RunConfig().to_dict())
        return os.getpid()

    async def start(self, run_id: str, config_values: dict, upload=None) -> int:
        """Start training; `upload` is the uploaded data set the config names, when this worker lacks it."""
        from core.config import RunConfig
        from core.engine.upload_store import STORE
        from core.sweep.task import worker_pool

        self._loop = asyncio.get_running_loop()
        self._forget_finished()
        if upload is not None:
            STORE.put(upload)
        changed = self._changed[run_id] = asyncio.Event()
        loop = self._loop

        def notify():
            loop.call_soon_threadsafe(changed.set)

        self.runs[run_id] = HostedRun(RunConfig.from_dict(config_values), worker_pool(), notify)
        return os.getpid()

    def has_upload(self, name: str) -> bool:
        from core.engine.upload_store import STORE

        return name in STORE

    async def frames(self, run_id: str, serial: int, since_steps: int, since_boundary: int, phase: str,
                     wait: float) -> dict:
        """What the web process lacks, once there is something: a new piece, a new phase, or the end (at most
        `wait` seconds)."""
        run = self.runs.get(run_id)
        if run is None:
            return {"gone": True}
        changed = self._changed[run_id]
        deadline = time.monotonic() + wait
        while True:
            changed.clear()
            reply = self._reply(run, serial, since_steps, since_boundary, phase)
            left = deadline - time.monotonic()
            if reply["piece"] is not None or reply["phase"] != phase or reply["done"] or left <= 0:
                return reply
            try:
                await asyncio.wait_for(changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    @staticmethod
    def _reply(run, serial, since_steps, since_boundary, phase) -> dict:
        now_serial, snapshot, made_at = run.published
        sent = None
        if snapshot is not None:
            if now_serial != serial:
                sent = piece(snapshot, 0, 0)
            else:
                boundary = len(snapshot.boundary["steps"]) if snapshot.boundary is not None else 0
                if len(snapshot.steps) > since_steps or boundary > since_boundary or (run.done and snapshot.status != "running"):
                    sent = piece(snapshot, since_steps, since_boundary)
        if sent is not None:
            sent["published_at"] = made_at  # the frame's time, not this reply's: a frame may wait for a poll
        return {"serial": now_serial, "piece": sent, "phase": run.phase, "done": run.done, "error": run.error,
                "gone": False}

    async def go(self, run_id: str) -> None:
        self._act(run_id, "go")

    async def pause(self, run_id: str) -> None:
        self._act(run_id, "pause")

    async def resume(self, run_id: str) -> None:
        self._act(run_id, "resume")

    async def stop(self, run_id: str) -> None:
        self._act(run_id, "stop")

    def _act(self, run_id, action):
        run = self.runs.get(run_id)
        if run is not None:
            getattr(run, action)()

    async def forget(self, run_id: str) -> None:
        """The web process has the run's last piece: its record can go."""
        run = self.runs.pop(run_id, None)
        self._changed.pop(run_id, None)
        if run is not None:
            run.stop()

    def _forget_finished(self):
        now = time.monotonic()
        for run_id in [key for key, run in self.runs.items()
                       if run.done and now - run.finished_at > KEEP_FINISHED_SECONDS]:
            self.runs.pop(run_id)
            self._changed.pop(run_id, None)

    async def about(self) -> dict:
        """This worker: its process, resident memory, traced trainers and runs training now."""
        from core.sweep.task import worker_counts

        return {"pid": os.getpid(), "rss_mb": _rss_mb(), "built": worker_counts()["built"],
                "training": sum(not run.done for run in self.runs.values())}

    def device_names(self) -> list:
        """The GPUs TensorFlow sees in this worker (memory growth turned on first); runs in the actor's thread."""
        from core.engine.device import gpu_names

        return gpu_names()

    # --- what the web process asks of Keras (it never imports it) ------------------------------------------

    def keras_file(self, config_values: dict, weights: list) -> bytes:
        """A trained network as a `.keras` file; runs in the actor's thread, beside the runs' own threads."""
        from core.export.keras_model import keras_bytes
        from core.record import RunRecord

        return keras_bytes(RunRecord(config=config_values, device="", layers=[], weights=weights))

    def keras_code(self, config_values: dict, classes: int, upload=None) -> str:
        """The "Keras code" script of a config; `upload` is the uploaded data set it names, when there is one
        (the script quotes its file name and label column)."""
        from core.config import RunConfig
        from core.engine.upload_store import STORE
        from core.export.keras_code import keras_code

        if upload is not None:
            STORE.put(upload)
        return keras_code(RunConfig.from_dict(config_values), classes)


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return float("nan")
