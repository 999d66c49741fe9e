"""Lesson links in the real pages (AppTest): a link restores the Lab's controls exactly, the URL follows the
controls, lock= and hide= apply, and no query string raises out of a page."""
import os
from contextlib import contextmanager

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core.config import RunConfig
from core.lessons.links import FIELDS, Lesson, lesson_params
from core.lessons.presets import BY_NAME
from apps import APP, STARTED




def open_page(params, page="app_pages/lab.py", **state):
    app = AppTest.from_file(APP, default_timeout=120)
    STARTED.append(app)
    app.query_params.update(params)
    for key, value in state.items():
        app.session_state[key] = value
    if page != "app_pages/lab.py":
        app.switch_page(page)
    app.run()
    return app


LESSON = RunConfig(dataset="moons", samples=300, noise=0.2, depth=3, width=16, activation="necro_relu", alpha=0.3,
                   initializer={"class_name": "VarianceScaling", "config": {"scale": 1 / 3, "mode": "fan_in",
                                                                            "distribution": "uniform"}},
                   bias_initializer={"class_name": "Constant", "config": {"value": -1.5}}, optimizer="momentum",
                   learning_rate=0.01, momentum=0.8, weight_decay=0.001, batch_size=32, steps=30, record_every=1,
                   seed=7, precision="float32")


def test_a_lab_link_restores_every_control_exactly_and_the_url_stays_the_link():
    params = lesson_params(Lesson(configs=(LESSON,)))
    app = open_page(params)
    assert not app.exception and not [w.value for w in app.warning]
    assert app.session_state["lab_live"].config == LESSON
    assert app.session_state["lab_init_mode"] == "keras" and app.session_state["lab_bias"] == -1.5
    assert dict(app.query_params) == params


def test_the_url_follows_the_labs_controls():
    app = open_page({"steps": "20", "samples": "300", "width": "16"})
    app.slider(key="lab_depth").set_value(4).run()
    app.selectbox(key="lab_activation").set_value("relu").run()
    assert not app.exception
    assert app.query_params["depth"] == "4" and app.query_params["activation"] == "relu"
    assert RunConfig.from_dict({name: app.session_state["lab_live"].config.to_dict()[name] for name in FIELDS}) \
        == app.session_state["lab_live"].config


def test_a_locked_lesson_disables_its_controls_and_hides_the_hidden_ones():
    app = open_page({"steps": "20", "samples": "300", "width": "16", "depth": "6",
                     "lock": "depth,initializer", "hide": "seed,learning_rate"})
    assert not app.exception
    assert app.slider(key="lab_depth").disabled and app.radio(key="lab_init_mode").disabled
    assert app.selectbox(key="lab_initializer").disabled
    assert not app.selectbox(key="lab_activation").disabled
    assert not [w for w in app.number_input if w.key == "lab_seed"]
    assert not [w for w in app.select_slider if w.key == "lab_learning_rate"]
    assert app.session_state["lab_live"].config.depth == 6
    assert app.query_params["lock"] == "depth,initializer" and app.query_params["hide"] == "learning_rate,seed"


def test_tampered_link_values_are_named_on_the_page_and_fall_back():
    app = open_page({"steps": "20", "samples": "300", "width": "16", "depth": "100000", "activation": "relu6",
                     "initializer": '{"class_name": "Orthogonal", "config": {"gain": "big"}}', "momentum": "{"})
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    # the initializer is checked against the link's own width (16), not the default's
    for named in ("Link parameter depth: depth = 100000", "Link parameter activation", "Link parameter initializer",
                  "cannot make a 2x16 tensor", "Link parameter momentum"):
        assert named in warnings, named
    config = app.session_state["lab_live"].config
    assert (config.depth, config.activation, config.initializer) == (10, "sigmoid", "glorot_normal")


def test_the_lab_preset_picker_sets_the_controls_and_shows_what_to_look_for():
    app = open_page({"steps": "20"})
    app.selectbox(key="lab_preset_pick").set_value(("sigmoid_vs_relu", 2)).run()
    assert not app.exception
    preset = BY_NAME["sigmoid_vs_relu"]
    assert app.session_state["lab_live"].config == preset.configs[1]
    assert any(preset.paper in info.value for info in app.info)
    assert app.query_params["preset"] == "sigmoid_vs_relu" and app.query_params["run"] == "2"


def test_copy_lesson_link_builds_the_url_with_the_chosen_locks():
    app = open_page({"steps": "20", "samples": "300", "width": "16"})
    app.multiselect(key="lab_link_lock").set_value(["depth", "activation"]).run()
    link = app.code[0].value
    assert "?" in link and "lock=activation%2Cdepth" in link and "depth=10" in link
    assert not app.slider(key="lab_depth").disabled, "the teacher's own controls stay free"


@contextmanager
def small_host():
    """Small host limits: a fuzzed link may ask for the largest allowed network; keep that quick to trace."""
    saved = {k: os.environ.get(k) for k in ("GRADFLOW_MAX_DEPTH", "GRADFLOW_MAX_WIDTH", "GRADFLOW_MAX_STEPS",
                                            "GRADFLOW_MAX_SAMPLES", "GRADFLOW_MAX_BATCH")}
    os.environ.update(GRADFLOW_MAX_DEPTH="3", GRADFLOW_MAX_WIDTH="8", GRADFLOW_MAX_STEPS="20",
                      GRADFLOW_MAX_SAMPLES="200", GRADFLOW_MAX_BATCH="32")
    try:
        yield
    finally:
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)


keys = st.one_of(st.sampled_from(FIELDS + ("preset", "runs", "run", "lock", "hide", "run2.depth", "run3.activation")),
                 st.text(max_size=8))
values = st.one_of(st.text(max_size=30), st.sampled_from(
    ["1e999", "nan", "-1", "100000", "{", '{"class_name": "Orthogonal", "config": {"gain": "big"}}', "true",
     "sigmoid_vs_relu", "zero_init_symmetry", "depth,initializer", "4", "0"]))


# No shrinking: each example is a page run with training; a failure prints its example as it is.
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(params=st.dictionaries(keys, values, max_size=6), page=st.sampled_from(["app_pages/lab.py", "app_pages/compare.py"]))
def test_no_query_string_raises_out_of_a_page(params, page):
    with small_host():
        app = AppTest.from_file(APP, default_timeout=120)
        app.query_params.update(params)
        if page != "app_pages/lab.py":
            app.switch_page(page)
        app.run()
        try:
            assert not app.exception, [e.value for e in app.exception]
        finally:
            runs = [app.session_state["lab_live"]] if "lab_live" in app.session_state else []
            runs += app.session_state["cmp_live"] if "cmp_live" in app.session_state else []
            for run in runs:
                run.stop()
                run.wait(60)


def test_every_lab_control_tells_the_browser_the_links_value_as_its_default_on_every_run():
    """A browser that draws a later run's element than the one that pushed a value mounts the widget at its
    default (a slow laptop, a busy class server); that default must be the session's value, not the minimum."""
    params = lesson_params(Lesson(configs=(LESSON,)))
    app = open_page(params)
    app.run()  # a second run pushes nothing: only the defaults carry the values
    checked = 0
    for slider in app.slider:
        if slider.key.startswith("lab_") and slider.key != "lab_smoothing":
            assert list(slider.proto.default) == [app.session_state[slider.key]], slider.key
            checked += 1
    for slider in app.select_slider:
        if slider.key.startswith("lab_"):
            assert slider.options[int(slider.proto.default[0])] == slider.format_func(app.session_state[slider.key]), slider.key
            checked += 1
    for box in [*app.selectbox, *app.radio]:
        if box.key.startswith("lab_") and box.key in app.session_state and box.proto.options:
            assert box.options[box.proto.default] == box.format_func(app.session_state[box.key]), box.key
            checked += 1
    assert app.number_input(key="lab_seed").proto.default == LESSON.seed
    assert checked >= 12
