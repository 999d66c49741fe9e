"""The Activations and Signal propagation pages, and the Lab's theory section, in a real Streamlit runtime
(AppTest) with real TensorFlow; and the pure parts behind them."""
import json

import numpy as np
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from core.config import RunConfig
from core.initializer_table import variance_scaling
from core.engine.run import run_to_end
from core.lessons.links import read_lesson
from core.charts.theory import delta_zeros, rounded_summary
from core.theory.activation_facts import chain, facts
from core.theory.contours import segments
from core.theory.phase import grid, lab_params, lines, selected_point
from apps import APP, run_until_done



def open_page(page, **state):
    app = AppTest.from_file(APP, default_timeout=180)
    app.switch_page(page)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def wait_for_run(app, timeout=120):
    return run_until_done(app, timeout=timeout)


# --- pure parts ---------------------------------------------------------------------------------------------

def test_contour_segments_of_a_cone_lie_on_its_circle():
    xs = ys = np.linspace(-2, 2, 41)
    radius = np.hypot(*np.meshgrid(xs, ys))
    found = segments(xs, ys, radius, 1.0)
    assert len(found) > 20
    ends = np.concatenate([found[:, :2], found[:, 2:]])
    np.testing.assert_allclose(np.hypot(ends[:, 0], ends[:, 1]), 1.0, atol=0.01)


def test_the_tanh_phase_diagram_has_its_critical_point_at_1_0_and_relu_its_line_at_root_2():
    tanh = grid("tanh").set_index(["sigma_w", "sigma_b"])
    assert tanh.loc[(1.0, 0.0), "chi_star"] == pytest.approx(1.0, rel=1e-6)
    assert tanh.loc[(0.5, 0.0), "chi_star"] < 1 < tanh.loc[(2.0, 0.0), "chi_star"]
    relu = grid("relu")
    np.testing.assert_allclose(relu.chi_star, relu.sigma_w ** 2 / 2, rtol=1e-12)


def test_a_click_on_the_phase_diagram_becomes_the_labs_lesson_link():
    event = {"selection": {"pick": [{"sigma_w": 1.4999999, "sigma_b": 0.30000001}]}}
    point = selected_point(event)
    assert point == (1.5, 0.3)
    params = lab_params(RunConfig(depth=30), "tanh", *point)
    lesson, messages = read_lesson(params)
    config = lesson.configs[0]
    assert messages == []
    assert config.activation == "tanh" and config.depth == 30
    assert config.initializer == variance_scaling(1.5)  # scale 2.25, fan_in, normal
    assert config.bias_initializer == {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.3}}
    assert selected_point({"selection": {"pick": []}}) is None
    assert selected_point({"selection": {"pick": [{"sigma_w": "x"}]}}) is None
    assert selected_point(None) is None


def test_activation_facts_sigmoid_relu_and_necro_relu():
    sigmoid = facts("sigmoid", 0.1)
    assert sigmoid.max_slope == 0.25 and sigmoid.max_at == 0.0 and sigmoid.zero_gradient == []
    low, high = sigmoid.saturated[-1]
    assert high == 6.0 and 4.0 < low < 4.5  # sigmoid'(z) < 0.0125 beyond z ~ 4.36
    relu = facts("relu", 0.1)
    assert relu.zero_gradient == [(-6.0, 0.0)] and relu.zero_fraction == 0.5 and relu.zero_slope_fraction == 0.5
    necro = facts("necro_relu", 0.1)
    assert necro.zero_gradient == [] and necro.zero_fraction == 0.5 and necro.zero_slope_fraction == 0.0


def test_the_chain_of_sigmoid_slopes_is_at_best_a_quarter_to_the_n_and_relus_is_one_or_zero():
    sigmoid = chain("sigmoid", 0.1, 1.0, 10)
    np.testing.assert_allclose(sigmoid.best, np.arange(1, 11) * np.log10(0.25))
    assert (sigmoid.typical < sigmoid.best).all() and (sigmoid.zero_paths == 0).all()
    relu = chain("relu", 0.1, 1.0, 10)
    np.testing.assert_allclose(relu[["best", "low", "typical", "high"]].to_numpy(), 0.0)  # nonzero products are 1
    np.testing.assert_allclose(relu.zero_paths, 1 - 0.5 ** np.arange(1, 11))


def test_relus_own_zeros_are_not_counted_as_rounded(pool):
    record = run_to_end(RunConfig(activation="relu", initializer="he_normal", steps=0, depth=6), pool)
    counts = delta_zeros(record)
    assert counts["zeros"][0].sum() > 0  # ReLU's z <= 0
    np.testing.assert_array_equal(counts["rounded"], 0)
    assert "no ∂loss/∂z value was rounded" in rounded_summary(record)


def test_float16_sigmoid_layers_that_underflow_are_named_with_their_counts(pool):
    record = run_to_end(RunConfig(activation="sigmoid", precision="float16", steps=0, depth=12), pool)
    counts = delta_zeros(record)
    assert counts["rounded"][0, 0] == counts["total"][0, 0] == 64 * 32  # layer 1: every value is exactly 0
    assert counts["rounded"][0, -1] == 0
    assert "every value in layers 1–" in rounded_summary(record)


# --- pages --------------------------------------------------------------------------------------------------

def test_relus_critical_line_and_depth_scale_contours_lie_where_its_closed_form_puts_them():
    # ReLU: chi* = sigma_w^2 / 2 at every sigma_b, so chi* = 1 is the vertical line sigma_w = sqrt 2 and the
    # depth scale xi is the vertical line sigma_w^2 / 2 = e^(-1/xi) (ordered side) or e^(1/xi) (chaotic side).
    found = lines(grid("relu"))
    critical = found[found.line == "critical: chi* = 1"]
    assert len(critical) > 10
    np.testing.assert_allclose(critical[["x", "x2"]].to_numpy(), 2 ** 0.5, atol=1e-3)
    assert critical[["y", "y2"]].to_numpy().min() == 0.0 and critical[["y", "y2"]].to_numpy().max() == 2.0
    ten = found[found.line == "xi = 10"][["x", "x2"]].to_numpy().ravel()
    expected = np.sqrt(2 * np.exp([-0.1, 0.1]))
    np.testing.assert_allclose(np.sort(np.unique(ten.round(3))), expected, atol=2e-3)


def test_the_activations_page_loads_and_reads_the_chain_at_depth():
    app = open_page("app_pages/activations.py", act_names=["sigmoid", "relu"], act_depth=10)
    assert app.title[0].value == "Activation functions"
    assert len(app.get("vega_lite_chart")) == 4  # two panels, the chain, the zero paths
    reading = [m.value for m in app.markdown if m.value.startswith("After 10 layers")][0]
    assert "**sigmoid**: best 10^-6.0" in reading
    assert "**relu**: best 10^0.0, typical 10^0.0, exactly 0 on 99.9% of paths" in reading
    table = app.dataframe[0].value.set_index("activation")
    assert table.loc["relu", "exact zeros of a at init"] == "50%" and table.loc["sigmoid", "max slope"] == 0.25


def test_the_theory_page_marks_the_labs_configuration_and_a_click_opens_the_lab_there():
    app = open_page("app_pages/theory.py", theory_activation="tanh", lab_activation="tanh", lab_init_mode="sigma_w",
                    lab_sigma_w=1.2)
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert [param["select"]["fields"] for param in spec["params"] if param["name"] == "pick"] == [["sigma_w", "sigma_b"]]
    assert any("The Lab now: tanh, σ_w = 1.2, σ_b = 0" in c.value for c in app.caption)
    assert any("Poole et al. 2016" in m.value and "Schoenholz et al. 2017" in m.value for m in app.markdown)
    datasets = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in app.get("vega_lite_chart")[0].proto.datasets}
    assert datasets["current"][["sigma_w", "sigma_b"]].values.tolist() == [[1.2, 0.0]]  # the marker, on the chart
    assert "critical: chi* = 1" in set(datasets["lines"].line) and len(datasets["cells"]) == 79 * 41
    app.session_state["theory_map"] = {"selection": {"pick": [{"sigma_w": 1.5, "sigma_b": 0.3}]}}
    app.run()
    assert app.title[0].value == "Gradient Flow Lab"
    assert app.query_params["activation"] == "tanh"
    assert json.loads(app.query_params["initializer"])["config"]["scale"] == pytest.approx(2.25)
    assert json.loads(app.query_params["bias_initializer"])["config"]["stddev"] == 0.3
    assert app.session_state["lab_init_mode"] == "sigma_w" and app.session_state["lab_sigma_w"] == 1.5
    assert app.session_state["lab_bias_mode"] == "sigma_b" and app.session_state["lab_sigma_b"] == 0.3


def test_the_lab_draws_the_theory_reading_and_the_rounded_zeros_of_float16():
    app = open_page("app_pages/lab.py", lab_steps=0, lab_samples=300, lab_width=16, lab_precision="float16")
    wait_for_run(app)
    reading = [m.value for m in app.markdown if "theory: chi =" in m.value]
    assert reading and "measured at step 0: exactly 0" in reading[0]
    assert any("rounded to exactly 0: every value in layer" in c.value for c in app.caption)
    assert any("Numerics" in m.value for m in app.markdown)


def test_the_lab_names_the_layers_whose_gradients_bfloat16_rounded_to_exactly_0():
    # bfloat16 has float32's range: a 60-layer sigmoid net's early layers fall below it (about 1e-38)
    app = open_page("app_pages/lab.py", lab_steps=0, lab_samples=300, lab_depth=60, lab_precision="bfloat16")
    wait_for_run(app)
    assert any(m.value == "#### Numerics: gradients rounded to exactly 0 (bfloat16)" for m in app.markdown)
    summary = [c.value for c in app.caption if "rounded to exactly 0:" in c.value]
    assert summary and "every value in layers 1–" in summary[0] and "bfloat16 has float32's range" in summary[0]
    record = app.session_state["lab_live"].snapshot
    counts = delta_zeros(record, -1)
    first_partial = int(np.argmax(counts["rounded"][0] < counts["total"][0]))  # layers before it: all 0
    assert first_partial > 0 and f"every value in layers 1–{first_partial}" in summary[0]


def test_the_lab_says_why_there_is_no_prediction_with_batch_normalization():
    app = open_page("app_pages/lab.py", lab_steps=0, lab_samples=300, lab_width=16, lab_batchnorm=True)
    wait_for_run(app)
    assert any("No mean-field prediction" in c.value and "batch normalization" in c.value for c in app.caption)
