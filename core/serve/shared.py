"""Sessions that ask for identical settings at the same time share one training run.

Thirty students opening the same lesson link at 9:00 would otherwise queue thirty identical runs. The
first request starts a LiveRun (the job); the others join it while it trains, each through its own
SharedRun view: pausing freezes only that student's picture, and leaving detaches only that student.
The job pauses when every viewer has paused, and stops when every viewer has left or gone.
"""
from core.serve.live import LiveRun


class SharedRun:
    """One session's view of a job: the LiveRun interface the pages use."""

    def __init__(self, job: LiveRun, viewers: list, abandoned=None, joined: bool = False):
        self.job, self._viewers, self._abandoned = job, viewers, abandoned
        self.config, self.key, self.server = job.config, job.key, job.server
        self.joined = joined  # True when this view joined a job another session had started
        self._paused = False
        self._frozen = None
        self._stopped = False

    # --- what the job shows -------------------------------------------------------------------------------
    @property
    def snapshot(self):
        return self._frozen[0] if self.paused else self.job.snapshot

    @property
    def published(self):
        """(snapshot, its stream), as one pair: what this viewer's browser is sent."""
        return self._frozen if self.paused else self.job.published

    @property
    def from_cache(self) -> bool:
        return self.job.from_cache

    @property
    def error(self):
        return self.job.error

    @property
    def restarted(self):
        return self.job.restarted

    @property
    def done(self) -> bool:
        return self.job.done

    @property
    def paused(self) -> bool:
        return self._paused and not self.job.done

    @property
    def holds_slot(self) -> bool:
        return self.job.holds_slot

    @property
    def queue_position(self):
        return self.job.queue_position

    @property
    def status(self) -> str:
        if self.paused:
            return "paused"
        return self.job.status

    def wait(self, timeout=None) -> bool:
        return self.job.wait(timeout)

    def wait_for_frame(self, timeout: float, give_up=None):
        self.job.wait_for_frame(timeout, give_up)

    # --- what one viewer controls -------------------------------------------------------------------------
    def pause(self):
        self._frozen = self.job.published
        self._paused = True
        self._pause_job_if_nobody_watches()

    def resume(self):
        self._paused = False
        self._frozen = None
        self.job.resume()

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        with self.server.lock:
            if self in self._viewers:
                self._viewers.remove(self)
            nobody_left = not self._viewers
            if nobody_left and self.server.inflight.get(self.key, (None,))[0] is self.job:
                del self.server.inflight[self.key]
        if nobody_left:
            self.job.stop()
        else:
            self._pause_job_if_nobody_watches()

    def _pause_job_if_nobody_watches(self):
        with self.server.lock:
            everyone_paused = all(viewer._paused for viewer in self._viewers)
        if everyone_paused:
            self.job.pause()  # nobody is watching it train: give the slot to the next in line

    def gone(self) -> bool:
        return self._abandoned is not None and self._abandoned()


def open_run(config, server, abandoned=None) -> SharedRun:
    """This session's run for `config`: a view of the job already training these settings, or a new one."""
    key = config.key()
    with server.lock:
        entry = server.inflight.get(key)
        if entry is not None:
            job, viewers = entry
            if not job.done and not job._stop.is_set():
                view = SharedRun(job, viewers, abandoned, joined=True)
                viewers.append(view)
                return view
            del server.inflight[key]
    viewers = []
    job = LiveRun(config, server, abandoned=lambda: _all_gone(viewers, server.lock))
    view = SharedRun(job, viewers, abandoned)
    viewers.append(view)
    if not job.done:  # a cache hit is finished already: nothing to share while it trains
        with server.lock:
            server.inflight[key] = (job, viewers)
            _forget_finished(server)
    return view


def _all_gone(viewers, lock) -> bool:
    with lock:
        return all(viewer.gone() for viewer in viewers)


def _forget_finished(server):
    """Keep the in-flight table to jobs that still train (the caller holds the server's lock)."""
    for key in [key for key, (job, _) in server.inflight.items() if job.done]:
        del server.inflight[key]


def watching(server) -> int:
    """Sessions watching a run train right now (each redraws its page on a timer); paused or gone ones
    do not count."""
    with server.lock:
        views = [view for job, viewers in server.inflight.values() if not job.done for view in viewers]
    return sum(1 for view in views if not view.paused and not view.gone())
