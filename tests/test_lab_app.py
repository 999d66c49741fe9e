"""The Lab in a real Streamlit runtime (AppTest), training with real TensorFlow."""
import json
import time

import pytest

from apps import LAB_CHARTS, chart_specs, run_until_done, start_lab


def step_bar(app) -> str:
    bars = [element.proto.body for element in app.get("html") if "gfe-step-bar" in element.proto.body]
    assert len(bars) == 1, "one step bar"
    return bars[0]




def domains(app):
    """Every explicit layer-axis domain in the page's charts."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("field") == "layer_index" and "domain" in node.get("scale", {}):
                found.append(tuple(node["scale"]["domain"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for spec in chart_specs(app):
        walk(spec)
    return set(found)


def test_app_loads_without_exception():
    app = start_lab()
    assert not app.exception
    assert app.title[0].value == "Gradient Flow Lab"
    assert any("CPU" in caption.value or "GPU" in caption.value for caption in app.sidebar.caption)


def test_lab_renders_every_view_for_the_default_config():
    app = run_until_done(start_lab())
    assert not app.exception
    specs = json.dumps(chart_specs(app))
    assert len(chart_specs(app)) == LAB_CHARTS
    for expected in ("grad_norm by layer", "activation a", "log10 grad_norm",
                     "exact zeros (%)", "dead units (%)", "saturated (%)", "loss on the minibatch",
                     "accuracy on the minibatch", "update-to-weight ratio"):
        assert expected in specs, expected
    record = app.session_state["lab_live"].snapshot
    bar = step_bar(app)
    assert "Vanishing" in bar, "the default shows vanishing gradients"
    # the replay goes to the browser once: every recorded step, the step input at the last one
    assert f'max="{len(record.steps) - 1}" value="{len(record.steps) - 1}"' in bar
    assert json.dumps(record.steps) in bar


def test_changing_depth_activation_and_initializer_retrains_and_charts_follow():
    app = run_until_done(start_lab())
    assert domains(app) == {(1, 10)}
    app.slider(key="lab_depth").set_value(4)
    app.selectbox(key="lab_activation").set_value("relu")
    app.selectbox(key="lab_initializer").set_value("he_normal")
    app = run_until_done(app.run())
    assert not app.exception
    record = app.session_state["lab_live"].snapshot
    assert record.layers == ["hidden_1", "hidden_2", "hidden_3", "hidden_4"]
    assert record.config["activation"] == "relu" and record.config["initializer"] == "he_normal"
    assert domains(app) == {(1, 4)}


def test_view_options_never_retrain():
    from ui.session import lab_server

    app = run_until_done(start_lab(lab_seed=11))
    started = lab_server().runs_started
    run = app.session_state["lab_live"]
    app.radio(key="lab_histogram_kind").set_value("delta").run()
    app.toggle(key="lab_log_axis").set_value(False).run()
    app.slider(key="lab_smoothing").set_value(0.9).run()
    app.toggle(key="lab_smooth").set_value(False).run()
    assert not app.exception
    assert lab_server().runs_started == started
    assert app.session_state["lab_live"] is run
    assert "log10 |∂loss/∂z|" in json.dumps(chart_specs(app), ensure_ascii=False)


def test_a_charts_spec_is_identical_between_two_frames_of_the_same_run():
    """Only then does the browser swap the rows in place instead of building the chart again."""
    app = start_lab(lab_steps=5000, lab_seed=51, lab_width=64)
    run = app.session_state["lab_live"]
    deadline = time.time() + 60
    # Frames of the compiled run: a new architecture's eager step-0 preview comes before them, without a
    # decision boundary yet, so the data view is embedded once more when training starts.
    while run.snapshot is None or run.snapshot.steps[-1] == 0 or run.status != "running":
        assert time.time() < deadline, f"the run stayed {run.status!r} with no training frame"
        time.sleep(0.05)
    app.run()
    first_step = app.session_state["lab_live"].snapshot.steps[-1]
    first = [json.dumps(spec, sort_keys=True) for spec in chart_specs(app)]
    while run.snapshot.steps[-1] == first_step:
        assert time.time() < deadline and not run.done, "a second frame came while training"
        time.sleep(0.05)
    app.run()
    assert not run.done, "both frames were drawn while training"
    assert run.snapshot.steps[-1] != first_step, "the second frame shows a later step"
    second = [json.dumps(spec, sort_keys=True) for spec in chart_specs(app)]
    assert len(first) == len(second) == LAB_CHARTS
    assert first == second
    run.stop()
    run.wait(30)


def test_a_page_run_sends_each_live_chart_as_json_bytes_encoded_once_per_shape(monkeypatch):
    """ui/live/wire.py: a chart's view is JSON once (the builders keep it), not twice on every page run. Only the
    data view is encoded again: its points are not a cache key."""
    from core.charts import live_views
    from ui.live.wire import component_data
    from ui.views import PROFILE_HEIGHT

    app = run_until_done(start_lab(lab_seed=52))
    encoded = []

    class CountingJson:  # the module's own json, which counts what it encodes
        @staticmethod
        def dumps(value, **options):
            encoded.append(value["view"]["kind"])
            return json.dumps(value, **options)

    monkeypatch.setattr(live_views, "json", CountingJson)
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    charts = [element.proto for element in app.get("bidi_component") if element.proto.component_name == "gradflow_chart"]
    assert charts and all(chart.WhichOneof("data") == "bytes" for chart in charts)
    assert encoded == ["boundary"], encoded
    kinds = [component_data(chart)["view"]["kind"] for chart in charts]
    assert {"lines", "profile", "histograms", "chain", "factors"} <= set(kinds), kinds
    profile = next(chart for chart in charts if component_data(chart)["view"]["kind"] == "profile")
    depth = app.session_state["lab_live"].snapshot.config["depth"]
    assert component_data(profile) == json.loads(json.dumps(live_views.profile(depth, PROFILE_HEIGHT)))  # the builder's own view


def test_identical_configs_come_from_the_server_cache():
    first = run_until_done(start_lab(lab_seed=21))
    second = start_lab(lab_seed=21)
    assert second.session_state["lab_live"].from_cache
    assert second.session_state["lab_live"].snapshot.to_json() == first.session_state["lab_live"].snapshot.to_json()


@pytest.mark.parametrize("key,value,expected", [
    ("lab_depth", 500, "depth = 500 is outside 1 to 100; using 100"),
    ("lab_activation", "relu6", "activation = `relu6` is not allowed"),
    ("lab_learning_rate", -3.0, "learning_rate = -3.0 is not allowed"),
    ("lab_seed", "abc", "seed = `abc` is outside"),
])
def test_invalid_session_values_get_a_visible_message(key, value, expected):
    app = start_lab(**{key: value, "lab_steps": 0})
    assert not app.exception
    assert any(expected in warning.value for warning in app.warning), [w.value for w in app.warning]


def test_a_diverging_run_is_reported_and_what_it_recorded_stays_visible():
    app = run_until_done(start_lab(lab_learning_rate=1000.0, lab_activation="relu", lab_initializer="he_normal",
                                   lab_width=32))
    assert not app.exception
    record = app.session_state["lab_live"].snapshot
    assert record.status == "diverged" and record.steps
    assert f"Diverged at step {record.diverged_at}" in step_bar(app)
    assert len(chart_specs(app)) == LAB_CHARTS


def test_a_control_changed_mid_run_abandons_the_old_run_cleanly():
    app = start_lab(lab_steps=5000, lab_seed=31, lab_width=128, lab_batch_size=512)
    old = app.session_state["lab_live"]
    assert not old.done, "the long run is still training"
    app.slider(key="lab_depth").set_value(3).run()
    assert not app.exception
    assert old.wait(30) and old.status == "stopped"
    new = app.session_state["lab_live"]
    assert new is not old and new.config.depth == 3 and new.config.steps == 5000
    new.stop()
    new.wait(30)


@pytest.mark.parametrize("state", [
    {"lab_dataset": "digits"},
    {"lab_dataset": "gaussian", "lab_input_dim": 8},
    {"lab_batchnorm": True, "lab_activation": "relu"},
    {"lab_precision": "float16", "lab_activation": "tanh"},
    {"lab_init_mode": "sigma_w", "lab_sigma_w": 2.5, "lab_bias": -1.0, "lab_activation": "necro_relu"},
    {"lab_optimizer": "momentum", "lab_weight_decay": 0.01, "lab_steps": 0},
], ids=["digits", "gaussian", "batchnorm", "float16", "sigma_w and bias", "momentum at step 0"])
def test_every_kind_of_run_draws_without_error(state):
    app = run_until_done(start_lab(**state))
    assert not app.exception
    record = app.session_state["lab_live"].snapshot
    assert record.status in ("finished", "diverged") and len(chart_specs(app)) >= 10
    for key, value in state.items():
        assert app.session_state[key] == value


def test_a_new_seed_reuses_the_traced_trainer_instead_of_tracing_again():
    app = run_until_done(start_lab(lab_seed=41))
    pool = app.session_state["lab_live"].server.pool
    built = pool.built
    for seed in (42, 43):
        app.session_state["lab_seed"] = seed
        app = run_until_done(app.run())
        assert app.session_state["lab_live"].config.seed == seed
    assert pool.built == built, "same architecture: no new trainer, so no new trace"


def test_a_queued_student_sees_their_place_in_line():
    from ui.session import lab_server

    server = lab_server()
    taken = [server.gate.acquire(timeout=30) for _ in range(server.slots)]  # every slot busy
    try:
        app = start_lab(lab_seed=424242)
        run = app.session_state["lab_live"]
        deadline = time.time() + 60
        while run.status != "queued":
            assert time.time() < deadline, f"the run stayed {run.status}"
            time.sleep(0.05)
        app.run()
        text = " ".join(bar.proto.text for bar in app.get("progress"))
        assert "queued" in text and f"1st in line for the server's {server.slots} training slot" in text, text
    finally:
        for took in taken:
            if took:
                server.gate.release()
    assert run.wait(60) and run.status == "finished"
