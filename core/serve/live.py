"""Live runs for a server full of students: each run trains in its own thread, bounded by a gate.

A LiveRun publishes an immutable snapshot of its record after every frame, so a page can draw it at any
moment without seeing half a frame. Finished records go into the server's bounded cache
(core/serve/record_cache.py), shared by every session: identical configs (seed included) train once per
server. What the server shares, and where its runs train, is core/serve/lab_server.py.
"""
import atexit
import threading
import time
import uuid
import weakref
from contextlib import contextmanager

from core.serve.controls import Controls
from core.serve.grace import Grace
from core.serve.lab_server import LabServer
from core.serve.worker_engine import RunFailed  # a worker's message names its error already
from core.stream.chunks import RunStream


# Runs still training when the interpreter exits: TensorFlow aborts the process ("terminate called ...") if
# a daemon thread is inside an op when Python tears threads down, so they are stopped and joined first.
_unfinished = weakref.WeakSet()


@atexit.register
def _stop_unfinished_runs():
    runs = list(_unfinished)
    for run in runs:
        run.stop()
    for run in runs:
        run.wait(10)


class RunStopped(Exception):
    """Raised inside a run's thread when it is stopped while it waits for the gate."""


class LiveRun:
    """One session's run, training in its own thread.

    Phases: "starting" (step 0 measured eagerly, drawn at once), "compiling" (a new architecture's step is
    traced; not under the gate), "queued" (waiting for a slot of the gate), "running". A run stopped before
    it trains (superseded by a newer config) never takes a slot: it leaves the queue at once, and after a
    preview it does not trace at all.
    """

    POLL_SECONDS = 0.05  # how often a queued or paused run looks at its stop flag

    def __init__(self, config, server: LabServer, abandoned=None):
        """`abandoned()` says whether the session that asked for the run has gone (its browser closed)."""
        self.config = config
        self._grace = Grace(abandoned)  # a browser back within the grace (core/serve/grace.py) keeps its run
        self.key = config.key()
        self.server = server
        self.snapshot = server.cache.get(self.key)
        self.error = None
        self.from_cache = self.snapshot is not None
        self.started_at = time.perf_counter()
        self.first_frame_seconds = 0.0 if self.from_cache else None
        self.holds_slot = False
        self.stream = RunStream(uuid.uuid4().hex[:12])  # what its viewers' browsers receive, encoded once
        self.published = (self.snapshot, self.stream)  # read together: a stream never gets another record's steps
        self._pause = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Event()
        self._phase = "starting"
        self.restarted = None  # why the run started again on another worker, if it did
        self._controls = None
        if server.engine is not None:
            self._controls = Controls()  # pause, resume and stop reach the worker at once
        if self.from_cache:
            self._done.set()
            return
        with server.lock:
            server.runs_started += 1
            number = server.runs_started
        _unfinished.add(self)
        self._thread = threading.Thread(target=self._work, name=f"gradflow-run-{number}", daemon=True)
        self._thread.start()

    def _check_abandoned(self):
        """Stop a run whose session has been gone for the grace period, freeing its slot and memory."""
        if self._grace.expired():
            self.stop()

    def _set_phase(self, phase):
        self._phase = phase

    @contextmanager
    def _turn(self):
        """A slot of the server's gate for as long as the run trains; a stopped run gives up waiting."""
        self._take_slot()
        try:
            if self._stop.is_set():
                raise RunStopped
            yield
        finally:
            self._give_slot()

    def _take_slot(self):
        """Wait in line for a slot: only the first `slots` runs in line try the gate, so it is first come,
        first served, and a student's place in the queue only moves forward."""
        server = self.server
        with server.lock:
            server.waiting.append(self)
        try:
            while True:
                if self._stop.is_set():
                    raise RunStopped
                with server.lock:
                    near_front = server.waiting.index(self) < server.slots
                if near_front and server.gate.acquire(timeout=self.POLL_SECONDS):
                    break
                if not near_front:
                    time.sleep(self.POLL_SECONDS)
                self._check_abandoned()
        finally:
            with server.lock:
                server.waiting.remove(self)
        self.holds_slot = True

    def _give_slot(self):
        if self.holds_slot:
            self.holds_slot = False
            self.server.gate.release()

    def _wait_while_paused(self):
        """A paused run gives its slot to the next in line, and queues again to resume."""
        if not self._pause.is_set() or self._stop.is_set():
            return
        had_slot = self.holds_slot
        self._give_slot()
        while self._pause.is_set() and not self._stop.is_set():
            time.sleep(self.POLL_SECONDS)
            self._check_abandoned()
        if had_slot and not self._stop.is_set():
            self._set_phase("queued")
            self._take_slot()
            self._set_phase("running")

    def _work(self):
        try:
            if self._stop.is_set():
                return
            if self.server.engine is None:
                from core.engine.run import train  # here: with workers, the web process never loads TensorFlow

                frames = train(self.config, self.server.pool, turn=self._turn, on_phase=self._set_phase,
                               stopped=self._stop.is_set)
            else:
                frames = self.server.engine.train(self.config, turn=self._turn, on_phase=self._set_phase,
                                                  stopped=self._stop.is_set, on_restart=self._restart,
                                                  controls=self._controls)
            try:
                source = None
                for record in frames:
                    if record is not source and source is not None:
                        # step 0's preview is a record of its own, which the compiled run's record replaces:
                        # its viewers' browsers start again from this record's first chunk
                        self.stream = RunStream(uuid.uuid4().hex[:12])
                    source = record
                    self.snapshot = record.snapshot()
                    self.published = (self.snapshot, self.stream)
                    if self.first_frame_seconds is None:
                        self.first_frame_seconds = time.perf_counter() - self.started_at
                    self._check_abandoned()
                    self._wait_while_paused()
                    if self._stop.is_set():
                        return
            finally:
                frames.close()
            if self.snapshot is not None and self.snapshot.status in ("finished", "diverged"):
                self.server.cache.put(self.key, self.snapshot)
        except RunStopped:
            pass
        except Exception as error:  # a run must never take the server down; the page shows the message
            self.error = str(error) if isinstance(error, RunFailed) else f"{type(error).__name__}: {error}"
        finally:
            self._done.set()
            _unfinished.discard(self)

    # --- control --------------------------------------------------------------------------------------

    def _restart(self, why: str):
        self.restarted = why
        self.snapshot = None
        self.published = (None, self.stream)

    def pause(self):
        self._pause.set()
        if self._controls is not None:
            self._controls.pause()

    def resume(self):
        self._pause.clear()
        if self._controls is not None:
            self._controls.resume()

    def stop(self):
        self._stop.set()
        self._pause.clear()
        if self._controls is not None:
            self._controls.stop()

    def wait(self, timeout=None) -> bool:
        return self._done.wait(timeout)

    def wait_for_frame(self, timeout: float, give_up=None):
        """Wait until the first frame (or the end), at most `timeout` seconds or until give_up() is true."""
        deadline = time.perf_counter() + timeout
        while self.snapshot is None and not self._done.is_set() and time.perf_counter() < deadline:
            if give_up is not None and give_up():
                return
            time.sleep(0.01)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def queue_position(self) -> int | None:
        return self.server.queue_position(self)

    @property
    def paused(self) -> bool:
        return self._pause.is_set() and not self.done

    @property
    def status(self) -> str:
        """starting, compiling, queued, running, paused, finished, diverged, stopped or failed."""
        if self.error:
            return "failed"
        if self._stop.is_set() and self.done:
            return "stopped"
        if self.done and self.snapshot is not None:
            return self.snapshot.status
        return "paused" if self.paused else self._phase
