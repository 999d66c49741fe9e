"""Pause, resume and stop for a live run that trains on a Dask worker.

A LiveRun (core/serve/live.py) on a worker would otherwise see its student's pause only when the run's next
frame comes back to the web process; Controls sends each one to the worker's TrainerHost at once, and, for a
press made before the worker has the run, as soon as WorkerEngine (core/serve/worker_engine.py) attaches it.
Sending never raises: a lost worker is noticed, and said, by the run's own loop.
"""
import threading


class Controls:
    """Pause, resume and stop for a run on a worker: LiveRun calls these, and they reach the worker at once,
    not only when the run's next frame comes back."""

    def __init__(self):
        self._lock = threading.Lock()
        self._target = None  # (host, run id) while a worker trains the run
        self.paused = False
        self.stopped = False

    def attach(self, host, run_id):
        with self._lock:
            self._target = (host, run_id)
            paused, stopped = self.paused, self.stopped
        if stopped:
            self._send("stop")
        elif paused:
            self._send("pause")

    def pause(self):
        self.paused = True
        self._send("pause")

    def resume(self):
        self.paused = False
        self._send("resume")

    def stop(self):
        self.stopped = True
        self._send("stop")

    def _send(self, action):
        with self._lock:
            target = self._target
        if target is None:
            return
        host, run_id = target
        try:
            getattr(host, action)(run_id)  # not waited for: the worker acts on it within one frame
        except Exception:  # a lost worker: the run's own loop notices and says so
            pass
