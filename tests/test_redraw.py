"""The redraw budget: ten live frames a second while the server can afford them, then evenly fewer for every
watcher, so that the class's live frames stay under their share of the machine's cores."""
import math

import pytest

from core.engine.redraw import FASTEST, SLOWEST, RedrawBudget
from test_live import CONFIG, server


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
    from core.engine.shared import open_run, watching

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
