"""The redraw rate under a class: full rate up to a few watchers, then each watcher slows in proportion."""
import os

import pytest

from core.engine.redraw import MAX_SLOWDOWN, full_rate_viewers, slowdown
from test_live import CONFIG, server


def test_the_slowdown_is_one_up_to_the_full_rate_then_grows_in_proportion_and_is_capped():
    assert [slowdown(n, 8) for n in (0, 1, 8)] == [1.0, 1.0, 1.0]
    assert slowdown(12, 8) == 1.5 and slowdown(30, 8) == 3.75
    for viewers in range(8, 80):  # the server's total redraws stay flat: viewers / interval is constant
        if slowdown(viewers, 8) < MAX_SLOWDOWN:
            assert viewers / slowdown(viewers, 8) == pytest.approx(8)
    assert slowdown(10_000, 8) == MAX_SLOWDOWN


def test_the_full_rate_comes_from_the_environment_and_a_bad_value_names_the_variable():
    assert full_rate_viewers({}) == 4 * (os.cpu_count() or 1)
    assert full_rate_viewers({"GRADFLOW_FULL_RATE_VIEWERS": "3"}) == 3
    for bad in ("0", "-2", "many", "2.5"):
        with pytest.raises(ValueError, match=rf"GRADFLOW_FULL_RATE_VIEWERS = '{bad}'.*at least 1"):
            full_rate_viewers({"GRADFLOW_FULL_RATE_VIEWERS": bad})


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
