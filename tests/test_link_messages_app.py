"""What a link gets wrong is said, on every page that reads links, and stays said until the student moves a
control or dismisses it (AppTest, real TensorFlow)."""
import time

from core.outside_text import plain
from apps import open_link, run_until_done

QUICK = {"steps": "20", "depth": "2", "width": "4", "samples": "50"}


def warnings(app) -> list:
    return [plain(w.value.replace("`", "'")) for w in app.warning]


def test_compare_reads_the_other_runs_fields_without_a_run_1_field():
    app = open_link({"runs": "2", "run2.depth": "5"}, "app_pages/compare.py")
    assert app.session_state["cmp2_depth"] == 5 and app.session_state["cmp1_depth"] != 5
    assert [run.config.depth for run in app.session_state["cmp_live"]][1] == 5


def test_compare_reads_runs_alone():
    app = open_link({"runs": "3"}, "app_pages/compare.py")
    assert app.session_state["cmp_count"] == 3 and len(app.session_state["cmp_live"]) == 3


def test_compare_reads_lock_alone():
    app = open_link({"lock": "depth"}, "app_pages/compare.py")
    assert all(slider.disabled for slider in app.slider if slider.key and slider.key.endswith("_depth"))
    assert any(slider.key == "cmp1_depth" for slider in app.slider)


def test_a_run_the_preset_does_not_have_is_named():
    app = open_link({"preset": "sigmoid_vs_relu", "run": "99"})
    assert any("Link parameter run = '99' is not allowed: an integer from 1 to 2; using 1." in w for w in warnings(app))


def test_a_bad_link_brings_no_message_about_record_every_it_did_not_set():
    app = open_link({"depth": "1e309"})
    said = warnings(app)
    assert any("Link parameter depth: depth = '1e309' is not allowed" in w for w in said), said
    assert not any("record_every" in w for w in said), said


def test_link_warnings_stay_after_the_run_finishes_until_a_control_moves():
    app = run_until_done(open_link({**QUICK, "depth": "-5"}))
    time.sleep(0.5)
    app.run()
    assert any("Link parameter depth" in w for w in warnings(app))  # the run finished: still said
    app.slider(key="lab_depth").set_value(3).run()
    assert not any("Link parameter depth" in w for w in warnings(app))


def test_link_warnings_go_when_dismissed():
    app = open_link({**QUICK, "depth": "-5"})
    app.button(key="lab_link_dismiss").click().run()
    assert not any("Link parameter depth" in w for w in warnings(app))
    assert app.session_state["lab_depth"] == 10  # the fallback stays


def test_the_sweep_page_names_a_bad_link_parameter():
    app = open_link({"depth": "abc"}, "app_pages/sweep.py")
    assert any("Link parameter depth: depth = 'abc' is not allowed: an integer" in w for w in warnings(app))


def test_the_theory_page_names_a_bad_link_parameter_and_reads_a_good_one():
    app = open_link({"activation": "relu", "sigma_w": "nan"}, "app_pages/theory.py")
    assert any("Link parameter 'sigma_w' is unknown on this page; ignored." in w for w in warnings(app))
    assert app.selectbox(key="theory_activation").value == "relu"
