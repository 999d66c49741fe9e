"""The redraw budget: ten live frames a second while the server can afford them, then evenly fewer for every
watcher, so that the class's live frames stay under their share of the machine's cores."""
import math

import pytest

from core.serve.redraw import FASTEST, LAG_TARGET, SLOWEST, RedrawBudget
from helpers.live import CONFIG, server


def test_one_watcher_of_a_cheap_frame_gets_ten_frames_a_second():
    budget = RedrawBudget(cores=2)
    budget.spent(0.002)
    assert budget.interval(1) == FASTEST == 0.1


@pytest.mark.parametrize("cost", [0.001, 0.002, 0.008, 0.03])
def test_the_class_s_live_frames_stay_under_half_the_cores_whatever_the_watchers(cost):
    budget = RedrawBudget(cores=2, share=0.5)
    budget.spent(cost)
    for watchers in range(1, 400):
        interval = budget.interval(watchers)
        if interval < SLOWEST:
            assert watchers * cost / interval <= 0.5 * 2 + 1e-9  # CPU seconds a second, of 2 cores
        assert FASTEST <= interval <= SLOWEST


def test_the_cost_follows_what_frames_really_take_and_a_broken_clock_is_ignored():
    budget = RedrawBudget(cores=1)
    budget.spent(0.010)
    assert budget.cost == pytest.approx(0.010)
    for _ in range(60):
        budget.spent(0.002)
    assert budget.cost == pytest.approx(0.002, rel=0.05)  # a lighter load is followed within tens of frames
    for broken in (math.nan, -1.0):
        budget.spent(broken)
    assert budget.cost == pytest.approx(0.002, rel=0.05)
    assert budget.interval(100) == pytest.approx(100 * budget.cost / 0.5)  # past ten a second, in proportion


def test_only_sessions_watching_a_run_train_count_not_paused_gone_or_ended_ones():
    from core.serve.shared import open_run, watching

    lab = server(active=1)
    config = CONFIG.replace(seed=43, steps=5000, record_every=50)
    gone = {"flag": False}
    students = [open_run(config, lab) for _ in range(3)]
    leaver = open_run(config, lab, abandoned=lambda: gone["flag"])
    assert watching(lab) == 4
    students[0].pause()
    assert watching(lab) == 3
    gone["flag"] = True  # a browser closed: no redraws to pay for
    assert watching(lab) == 2
    students[1].stop()
    assert watching(lab) == 1
    students[0].resume()
    assert watching(lab) == 2
    for student in [*students, leaver]:
        student.stop()
    assert students[2].wait(30) and watching(lab) == 0


def test_late_wake_ups_stretch_every_watcher_s_interval_and_on_time_ones_bring_it_back():
    budget = RedrawBudget(cores=2)
    budget.spent(0.001)  # the frames' own CPU asks for ten a second
    assert budget.interval(30) == FASTEST
    for _ in range(20):  # a second of 50 ms looks that woke 40 ms late: the interpreter lock is queued for
        budget.woke_late(0.040)
    assert budget.interval(30) == SLOWEST
    assert budget.interval(1) == SLOWEST  # the lag is the server's, so every watcher slows alike
    for broken in (math.nan, -1.0):
        budget.woke_late(broken)
    assert budget.interval(30) == SLOWEST
    looks = 0
    while budget.interval(30) > FASTEST:
        budget.woke_late(0.001)
        looks += 1
    assert 50 < looks < 200  # back to ten a second within a few seconds of looks on time, not in one jump


def test_the_lag_monitor_sees_python_threads_that_hold_the_interpreter_lock():
    """Real threads, as the server's script runs are: pure-Python loops queue for the one lock, and a sleeping
    thread wakes late. Idle, the same monitor reports wake-ups on time. Every look is kept, and the test reads
    their typical lateness: the budget's own average weighs the last few looks, which a busy machine can make
    lucky. Idle looks are typically on time (the median, so one hiccup of a loaded machine is not counted), and busy
    ones late on average (a few wait for many of the lock's turns: the mean, as the queue's cost)."""
    import statistics
    import threading
    import time

    from core.serve.redraw import LagMonitor

    class Watched(RedrawBudget):
        def __init__(self):
            super().__init__(cores=2)
            self.looks = []  # (seconds late, the interval the lag asked for after that look)

        def woke_late(self, seconds):
            super().woke_late(seconds)
            self.looks.append((seconds, self.lag_interval))

    def looks_seen(busy_threads):
        budget = Watched()
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                sum(i * i for i in range(10_000))

        spinners = [threading.Thread(target=spin, daemon=True) for _ in range(busy_threads)]
        for thread in spinners:
            thread.start()
        monitor = LagMonitor(budget, period=0.05)
        time.sleep(1.5)
        monitor.stop()
        stop.set()
        for thread in spinners:
            thread.join()
        assert not monitor._thread.is_alive()
        assert len(budget.looks) >= 5, budget.looks
        late, intervals = zip(*budget.looks)
        return statistics.median(late), statistics.mean(late), statistics.median(intervals), max(intervals)

    idle_late, _, idle_interval, _ = looks_seen(0)
    _, busy_late, _, busy_widest = looks_seen(8)
    assert idle_late < LAG_TARGET / 2 and idle_interval == FASTEST
    # eight spinning threads: a wake-up waits its turn for the lock among nine (tens of ms), and frames space out
    assert busy_late > LAG_TARGET and busy_widest > 2 * FASTEST
