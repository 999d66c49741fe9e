"""How often a session watching a run train gets a new frame: ten times a second while the server can afford
it, and evenly less often for everyone when a class's redraws would take more than their share of it.

Each watching session's live frame runs on the server's interpreter: it reads the run's latest snapshot,
encodes what no viewer has had yet (once per run, core/stream) and sends this browser what it lacks. The
budget measures what those frames really cost (the CPU time of each, averaged), and spaces every watcher's
frames so that all of them together stay under `share` of the machine's cores:
    watchers * cost / interval <= share * cores.
"""
import os
import threading

FASTEST = 0.1  # seconds between frames: ten a second
SLOWEST = 2.0  # the run still visibly moves
SHARE = 0.5  # of the machine's cores, for live redraws; the rest trains and answers the controls
WEIGHT = 0.9  # of the running average given to the past: it follows a change of load in about ten frames


class RedrawBudget:
    def __init__(self, cores: int | None = None, share: float = SHARE):
        self.cores = cores or os.cpu_count() or 1
        self.share = share
        self.cost = 0.0  # seconds of CPU a live frame takes, averaged
        self.frames = 0
        self._lock = threading.Lock()

    def spent(self, seconds: float):
        """A live frame took `seconds` of CPU."""
        if not seconds >= 0:  # NaN or negative: a clock that went wrong says nothing
            return
        with self._lock:
            self.cost = seconds if self.frames == 0 else WEIGHT * self.cost + (1 - WEIGHT) * seconds
            self.frames += 1

    def interval(self, watchers: int) -> float:
        """Seconds between one watcher's frames, the same for every watcher."""
        wanted = max(watchers, 1) * self.cost / (self.share * self.cores)
        return min(max(FASTEST, wanted), SLOWEST)
