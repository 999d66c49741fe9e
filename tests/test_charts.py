"""Chart builders are pure functions of a record to a Figure; every figure is valid Vega-Lite, its spec does
not depend on the values, and its rows are the record's numbers."""
import json

import numpy as np
import pandas as pd
import pytest
from altair.utils.schemapi import validate_jsonschema

from core import charts
from core.config import RunConfig
from core.engine.run import run_to_end, train
from helpers.charts import SCHEMA, inline_rows


@pytest.fixture(scope="module")
def record(pool):
    return run_to_end(RunConfig(depth=14, width=8, steps=40, record_every=2, activation="tanh", samples=200), pool)


POINTS = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.0], "label": ["0", "1"]})


def every_figure(record, replay):
    return {
        "grad_norm lines": charts.metric_lines(record, "grad_norm", "grad_norm", smoothing=0.6, replay=replay),
        "update ratio": charts.metric_lines(record, "update_ratio", "ratio", guide=1e-3, replay=replay),
        "linear axis": charts.metric_lines(record, "act_std", "std", log=False, replay=replay),
        "heat map": charts.grad_norm_heatmap(record, replay=replay),
        "profile": charts.gradient_profile(record, replay=replay),
        "activation histograms": charts.activation_histograms(record, replay=replay),
        "delta histograms": charts.delta_histograms(record, replay=replay),
        "sparsity": charts.sparsity_lines(record, "sparsity", smoothing=0.3, replay=replay),
        "loss": charts.training_curve(record, "loss", smoothing=0.6, replay=replay),
        "boundary": charts.data_and_boundary(record, POINTS, replay=replay),
    }


@pytest.mark.parametrize("replay", [False, True], ids=["live", "replay"])
def test_every_figure_is_valid_vega_lite(record, replay):
    for name, figure in every_figure(record, replay).items():
        validate_jsonschema(figure.to_vega_lite(), SCHEMA)  # raises on a schema error
        assert "datasets" not in figure.spec and not inline_rows(figure.spec), name  # rows travel apart


def test_a_figures_spec_is_the_same_at_every_frame_of_a_run(pool):
    """The browser swaps rows in place only when the spec is byte-identical, so a spec must not carry the step."""
    config = RunConfig(depth=5, width=8, steps=60, record_every=1, samples=200)
    specs = []
    # (preview=False: a new architecture's eager step-0 preview has no decision boundary sampled yet, so its
    # data view is drawn once more when the first compiled frame arrives)
    for frame in train(config, pool, preview=False):
        record = frame.snapshot()
        specs.append(json.dumps([figure.spec for figure in every_figure(record, replay=False).values()]))
    assert len(specs) >= 2, "the run drew more than one frame"
    assert len(set(specs)) == 1


def test_replay_figures_select_the_step_in_the_browser_from_the_step_input(record):
    figure = charts.gradient_profile(record, replay=True)
    params = {param["name"]: param for param in figure.spec["params"]}
    assert params[charts.STEP_PARAM]["bind"] == {"element": charts.STEP_INPUT}
    assert params[charts.STEP_PARAM]["value"] == len(record.steps) - 1
    rows = figure.data["rows"]
    for index in (0, 7, len(record.steps) - 1):  # one column per recorded step, one row per layer
        assert list(rows[f"g{index}"]) == list(record.metric("grad_norm")[index])


def test_histograms_show_at_most_ten_layers_including_first_and_last(record):
    assert charts.shown_layers(14)[0] == 1 and charts.shown_layers(14)[-1] == 14
    assert len(charts.shown_layers(14)) == 10 and charts.shown_layers(4) == [1, 2, 3, 4]
    data = charts.activation_histograms(record, 20).data["rows"]
    assert set(data.layer_index) == set(charts.shown_layers(14))


def test_histogram_fractions_match_a_numpy_recomputation(record):
    index = record.steps.index(20)
    counts = np.asarray(record.histograms["activation"]["counts"][index], dtype=float)
    rows = charts.activation_histograms(record, 20).data["rows"]
    bars = rows[rows["mark"] == "bar"]
    for layer in charts.shown_layers(14):
        expected = counts[layer - 1] / counts[layer - 1].sum()
        assert np.allclose(bars[bars.layer_index == layer].fraction.to_numpy(), expected)
    delta = charts.delta_histograms(record, 20).data["rows"]
    sums = delta[delta["mark"].isin(["bar", "zeros"])].groupby("layer_index")["fraction"].sum()
    assert sums.round(6).eq(1.0).all()


def test_replay_histograms_hold_the_same_fractions_as_the_live_ones(record):
    replay = charts.delta_histograms(record, replay=True).data["rows"]
    index = record.steps.index(20)
    live = charts.delta_histograms(record, 20).data["rows"]
    replayed = replay.rename(columns={f"f{index}": "fraction"})
    replayed = replayed[(replayed["mark"] != "bar") | (replayed["fraction"] > 0)]
    assert np.allclose(replayed["fraction"].to_numpy(), live["fraction"].to_numpy())


def test_profile_shows_the_selected_steps_values(record):
    rows = charts.gradient_profile(record, 21).data["rows"]  # between recorded steps: the latest one before it
    assert list(rows.grad_norm) == list(record.metric("grad_norm")[record.steps.index(20)])


def test_heat_map_keeps_its_column_budget_and_ends_at_the_last_step(pool):
    long = run_to_end(RunConfig(depth=2, width=4, steps=300, record_every=1, samples=100), pool)
    data = charts.grad_norm_heatmap(long).data["rows"]
    assert data.step.nunique() <= 120 and data.step.min() == 0 and data.step_end.max() == 300
    spec = charts.grad_norm_heatmap(long).spec
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 300]  # no empty band after the run


def test_smoothing_is_tensorboards_debiased_moving_average():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(50, 3))
    values[10, 1] = np.nan
    weight = 0.8
    expected = np.empty_like(values)
    for column in range(3):  # TensorBoard's loop, written out
        last, seen = 0.0, 0
        for row in range(50):
            value = values[row, column]
            if not np.isfinite(value):
                expected[row, column] = np.nan
                continue
            last = last * weight + (1 - weight) * value
            seen += 1
            expected[row, column] = last / (1 - weight ** seen)
    assert np.allclose(charts.ema(values, weight), expected, equal_nan=True)
    assert np.array_equal(charts.ema(values, 0.0), values, equal_nan=True)
    with pytest.raises(ValueError, match="smoothing = 1.0 is not allowed"):
        charts.ema(values, 1.0)


def test_smoothed_curves_keep_the_raw_values_beside_them(record):
    rows = charts.training_curve(record, "loss", smoothing=0.6).data["rows"]
    assert list(rows.raw) == list(record.loss)
    assert np.allclose(rows.smoothed, charts.ema(np.asarray(record.loss), 0.6))


def test_compare_charts_overlay_every_run_and_name_exact_zeros(record):
    from core.charts import compare

    labels = ["1 · tanh", "2 · copy"]
    figure = compare.profiles_overlaid([record, record], labels, 20)
    rows = figure.data["rows"]
    assert set(rows.run) == set(labels) and len(rows) == 2 * 14
    for built in (figure, compare.ends_over_time([record, record], labels),
                  compare.training_overlaid([record], labels[:1], "loss")):
        validate_jsonschema(built.to_vega_lite(), SCHEMA)  # raises on a schema error
        assert "datasets" not in built.spec and not inline_rows(built.spec)  # rows travel apart
    assert compare.exact_zeros([record], labels[:1], 20) == []


def test_a_deep_runs_live_charts_over_steps_hold_at_most_4000_points_and_its_replay_and_exports_hold_every_step(pool):
    deep = run_to_end(RunConfig(depth=100, width=4, steps=60, record_every=1, samples=100), pool)
    steps = np.asarray(deep.steps)
    live = charts.metric_lines(deep, "grad_norm", "grad_norm", log=False).data["rows"]
    assert len(live) == 4000 and live.step.nunique() == 40
    assert live.step.min() == steps[0] and live.step.max() == steps[-1]  # the curves span the run so far
    kept = np.searchsorted(steps, np.sort(live.step.unique()))
    expected = deep.metric("grad_norm")[kept].reshape(-1)  # row order: step by step, layer 1 to 100
    assert np.array_equal(live.value.to_numpy(), expected)  # float64 kept: no value rounded away
    replay = charts.metric_lines(deep, "grad_norm", "grad_norm", log=False, replay=True).data["rows"]
    assert replay.step.nunique() == len(steps) == 61
    assert charts.grad_norm_heatmap(deep).data["rows"].step.nunique() == 40
    assert charts.grad_norm_heatmap(deep, replay=True).data["rows"].step.nunique() == 61
    from core.export.views import view  # an export is drawn once: every step up to 150, however deep

    assert view(deep, "grad_norm over training").data["rows"].step.nunique() == 61
    assert view(deep, "grad_norm heat map").data["rows"].step.nunique() == 61
