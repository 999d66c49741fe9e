"""Chart builders are pure functions of a record; every chart they make is valid Vega-Lite."""
import altair as alt
import pandas as pd
import pytest

from core import charts
from core.config import RunConfig
from core.run import run_to_end


@pytest.fixture(scope="module")
def record(pool):
    return run_to_end(RunConfig(depth=14, width=8, steps=40, record_every=2, activation="tanh", samples=200), pool)


def every_chart(record):
    points = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.0], "label": ["0", "1"]})
    return {
        "grad_norm lines": charts.metric_lines(record, "grad_norm", "grad_norm"),
        "update ratio": charts.metric_lines(record, "update_ratio", "ratio", guide=1e-3),
        "linear axis": charts.metric_lines(record, "act_std", "std", log=False),
        "heat map": charts.grad_norm_heatmap(record),
        "profile": charts.gradient_profile(record, 20),
        "activation histograms": charts.activation_histograms(record, 20),
        "delta histograms": charts.delta_histograms(record, 20),
        "sparsity": charts.sparsity_lines(record, "sparsity"),
        "loss": charts.training_curve(record, "loss"),
        "boundary": charts.data_and_boundary(record, points, 20),
        "histogram template": charts.histogram_panels(alt.Data(name="rows"), 14, charts.HISTOGRAM_TITLES["delta"]),
    }


def test_every_chart_is_valid_vega_lite(record):
    for name, chart in every_chart(record).items():
        assert chart.to_dict(validate=True), name  # raises on a schema error


def test_histograms_show_at_most_ten_layers_including_first_and_last(record):
    assert charts.shown_layers(14) [0] == 1 and charts.shown_layers(14)[-1] == 14
    assert len(charts.shown_layers(14)) == 10 and charts.shown_layers(4) == [1, 2, 3, 4]
    data = charts.activation_histograms(record, 20).data
    assert set(data.layer_index) == set(charts.shown_layers(14))


def test_histogram_fractions_of_each_layer_add_up_to_one(record):
    data = charts.activation_histograms(record, 20).data
    sums = data[data["mark"] == "bar"].groupby("layer_index")["fraction"].sum()
    assert sums.round(6).eq(1.0).all()
    delta = charts.delta_histograms(record, 20).data
    sums = delta[delta["mark"].isin(["bar", "zeros"])].groupby("layer_index")["fraction"].sum()
    assert sums.round(6).eq(1.0).all()


def test_profile_shows_the_selected_steps_values(record):
    chart = charts.gradient_profile(record, 21)  # between recorded steps: the latest one before it
    assert chart.title == "grad_norm by layer at step 20"
    values = chart.data.grad_norm.to_numpy()  # both layers share one frame, so Altair keeps it at the top
    assert list(values) == list(record.metric("grad_norm")[record.steps.index(20)])


def test_heat_map_keeps_at_most_its_column_budget(pool):
    long = run_to_end(RunConfig(depth=2, width=4, steps=400, record_every=1, samples=100), pool)
    data = charts.grad_norm_heatmap(long).data
    assert data.step.nunique() <= 120 and data.step.min() == 0 and data.step.max() == 400


def test_compare_charts_overlay_every_run_and_name_exact_zeros(record):
    from core.charts import compare

    labels = ["1 · tanh", "2 · copy"]
    chart = compare.profiles_overlaid([record, record], labels, 20)
    assert chart.to_dict(validate=True)
    assert set(chart.data.run) == set(labels) and len(chart.data) == 2 * 14
    for built in (compare.ends_over_time([record, record], labels), compare.training_overlaid([record], labels[:1], "loss")):
        assert built.to_dict(validate=True)
    assert compare.exact_zeros([record], labels[:1], 20) == []
