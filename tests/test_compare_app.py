"""The Compare page in a real Streamlit runtime (AppTest), training with real TensorFlow."""
import json

import pytest

from core.lessons.links import Lesson, lesson_params
from core.lessons.presets import PRESETS
from apps import compare_until_done, open_compare

QUICK = {"lab_steps": 40, "lab_samples": 300, "lab_width": 16, "lab_depth": 4}


def chart_text(app):
    return json.dumps([json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")])


def test_compare_starts_two_runs_from_the_labs_configuration_and_draws_every_view():
    app = compare_until_done(open_compare(**QUICK))
    assert not app.exception
    assert app.title[0].value == "Compare runs"
    runs = app.session_state["cmp_live"]
    assert len(runs) == 2 and all(run.config.depth == 4 and run.config.width == 16 for run in runs)
    assert runs[0].config == runs[1].config
    assert len(app.get("vega_lite_chart")) == 14  # 12 views and the two of theory beside the measurement
    specs = chart_text(app)
    for expected in ("grad_norm by layer at step 40", "of layer 1 (solid)", "log10 grad_norm", "exact zeros (%)",
                     "dead units (%)", "saturated (%)", "loss on the minibatch", "accuracy on the minibatch",
                     "preact_ms (mean of z²) at step 0 (dashed: theory)",
                     "delta_ms (mean of (∂loss/∂z)²) ÷ last layer's at step 0 (dashed: theory)"):
        assert json.dumps(expected)[1:-1] in specs, expected  # as JSON writes it (z² as z\u00b2)
    assert any("identical configurations" in caption.value for caption in app.caption)


def test_four_runs_differ_only_where_edited_share_the_data_and_all_draw():
    app = open_compare(**QUICK)
    app.session_state["cmp_count"] = 4
    app.run()
    for number, activation in ((2, "relu"), (3, "tanh"), (4, "selu")):
        app.selectbox(key=f"cmp{number}_activation").set_value(activation)
    app.slider(key="cmp1_samples").set_value(200)
    app = compare_until_done(app.run())
    assert not app.exception
    runs = app.session_state["cmp_live"]
    assert [run.config.activation for run in runs] == ["sigmoid", "relu", "tanh", "selu"]
    assert {run.config.samples for run in runs} == {200}, "every run trains on the same data"
    assert len(app.get("vega_lite_chart")) == 22
    table = app.dataframe[0].value
    assert list(table.index) == ["activation"] and list(table.iloc[0]) == ["sigmoid", "relu", "tanh", "selu"]
    assert app.query_params["run4.activation"] == "selu" and app.query_params["runs"] == "4"


def test_scrubbing_the_step_never_retrains():
    from ui.session import lab_server

    app = compare_until_done(open_compare(**QUICK, lab_seed=5))
    started = lab_server().runs_started
    runs = app.session_state["cmp_live"]
    app.select_slider(key="cmp_step").set_value(10).run()
    assert not app.exception and lab_server().runs_started == started
    assert app.session_state["cmp_live"] == runs
    assert "grad_norm by layer at step 10" in chart_text(app)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_every_preset_renders_in_compare_with_its_note_and_its_runs(preset, preset_records):
    from ui.session import lab_server

    # The records the claim tests checked go into the server's cache: the page then shows those very
    # records, as a second student opening the same lesson would see them.
    for config, record in zip(preset.configs, preset_records(preset.name)):
        lab_server().cache.put(config.key(), record)
    app = open_compare({"preset": preset.name})
    assert not app.exception
    runs = app.session_state["cmp_live"]
    assert [run.config for run in runs] == preset.configs and all(run.from_cache for run in runs)
    assert any(preset.title in info.value and preset.paper in info.value for info in app.info)
    assert len(app.get("vega_lite_chart")) == 6 + 4 * len(preset.runs)
    assert app.query_params["preset"] == preset.name


def test_the_preset_picker_loads_a_comparison_into_the_runs():
    app = open_compare(**QUICK)
    app.selectbox(key="cmp_preset_pick").set_value("zero_init_symmetry").run()
    assert not app.exception
    assert [run.config.initializer for run in app.session_state["cmp_live"]] == ["zeros", "glorot_uniform"]


def test_a_comparison_link_restores_every_run_and_locks_what_it_names():
    from core.lessons.presets import BY_NAME

    configs = [c.replace(steps=20, record_every=1) for c in BY_NAME["necro_leaky_relu"].configs]
    params = lesson_params(Lesson(configs=tuple(configs), lock=frozenset({"activation"}), hide=frozenset({"seed"})))
    app = open_compare(params)
    # no link value was refused (a diagnosis of a run's first frame may warn, which is not about the link)
    assert not app.exception and not [w.value for w in app.warning if "allowed" in w.value or "using" in w.value]
    assert [run.config for run in app.session_state["cmp_live"]] == configs
    assert all(app.selectbox(key=f"cmp{n}_activation").disabled for n in (1, 2, 3))
    assert not [w for w in app.number_input if w.key == "cmp1_seed"]
    assert app.query_params == {**params}
