"""How often a session watching a run train gets a new frame: ten times a second while the server can afford
it, and evenly less often for everyone when a class's redraws would take more than their share of it.

Each watching session's live frame runs on the server's interpreter: it reads the run's latest snapshot,
encodes what no viewer has had yet (once per run, core/stream) and sends this browser what it lacks. Two
measures space every watcher's frames, and the slower one wins:
- the CPU of the frames themselves (averaged), so that all of them together stay under `share` of the cores:
      watchers * cost / interval <= share * cores;
- the interpreter's lag: how late a sleeping thread wakes (`LagMonitor`). Streamlit's own work for a frame
  (starting the script run, clearing and flushing the session's queue, sending each message from the event
  loop) is not in the frame's CPU, and every piece of it waits for the one interpreter lock. At 30 watchers
  that work outgrew the lock: the event loop sent a few messages a second and no page finished loading
  (bench/load.py --sessions 30, 2026-12-05). A late wake-up is that queue for the lock, seen from outside:
  the interval grows while wake-ups are late and shrinks back slowly when they are on time.
"""
import os
import threading
import time

FASTEST = 0.1  # seconds between frames: ten a second
SLOWEST = 2.0  # the run still visibly moves
SHARE = 0.5  # of the machine's cores, for live redraws; the rest trains and answers the controls
WEIGHT = 0.9  # of the running average given to the past: it follows a change of load in about ten frames

LAG_PERIOD = 0.05  # seconds the monitor sleeps between two looks at the clock
LAG_TARGET = 0.02  # seconds late a wake-up may be: four of Python's 5 ms switch intervals
SLOW_DOWN = 1.25  # the interval's growth for each late look (from 0.1 s to 2 s in under a second)
SPEED_UP = 0.97  # and its shrinking for each look on time (back to 0.1 s in about five seconds)


class RedrawBudget:
    def __init__(self, cores: int | None = None, share: float = SHARE):
        self.cores = cores or os.cpu_count() or 1
        self.share = share
        self.cost = 0.0  # seconds of CPU a live frame takes, averaged
        self.frames = 0
        self.lag = 0.0  # seconds late a wake-up is, averaged
        self.lag_interval = FASTEST  # what the interpreter's lag asks for
        self._lock = threading.Lock()

    def spent(self, seconds: float):
        """A live frame took `seconds` of CPU."""
        if not seconds >= 0:  # NaN or negative: a clock that went wrong says nothing
            return
        with self._lock:
            self.cost = seconds if self.frames == 0 else WEIGHT * self.cost + (1 - WEIGHT) * seconds
            self.frames += 1

    def woke_late(self, seconds: float):
        """A thread that slept woke `seconds` later than it asked."""
        if not seconds >= 0:
            return
        with self._lock:
            self.lag = 0.7 * self.lag + 0.3 * seconds
            factor = SLOW_DOWN if self.lag > LAG_TARGET else SPEED_UP if self.lag < LAG_TARGET / 2 else 1.0
            self.lag_interval = min(max(FASTEST, self.lag_interval * factor), SLOWEST)

    def interval(self, watchers: int) -> float:
        """Seconds between one watcher's frames, the same for every watcher."""
        wanted = max(watchers, 1) * self.cost / (self.share * self.cores)
        return min(max(FASTEST, wanted, self.lag_interval), SLOWEST)


class LagMonitor:
    """A daemon thread that sleeps LAG_PERIOD at a time and tells the budget how late it woke."""

    def __init__(self, budget: RedrawBudget, period: float = LAG_PERIOD):
        self.budget, self.period = budget, period
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="gradflow-lag-monitor", daemon=True)
        self._thread.start()

    def _watch(self):
        while True:
            asked = time.perf_counter() + self.period
            if self._stop.wait(self.period):
                return
            self.budget.woke_late(max(0.0, time.perf_counter() - asked))

    def stop(self):
        self._stop.set()
        self._thread.join(5)
