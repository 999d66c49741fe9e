"""The theory charts are valid Vega-Lite, keep their rows apart from the spec, and draw the numbers they are
given: the record's step-0 values and the prediction's, the rounded zeros, the activation facts."""
import numpy as np
import pytest
from altair.utils.schemapi import validate_jsonschema

from core.charts import activations as activation_charts
from core.charts import theory as theory_charts
from core.charts.phase import phase_data, phase_spec
from core.config import RunConfig
from core.engine.run import run_to_end
from core.theory.activation_facts import chain, curves, facts
from core.theory.phase import grid, lines
from core.theory.predict import predict_for_config
from helpers.charts import SCHEMA, inline_rows


@pytest.fixture(scope="module")
def record_and_prediction(pool):
    config = RunConfig(depth=8, width=16, steps=20, record_every=5, activation="tanh", samples=200,
                       precision="float16")
    return run_to_end(config, pool), predict_for_config(config)


def test_every_theory_figure_is_valid_vega_lite_with_its_rows_apart(record_and_prediction):
    record, prediction = record_and_prediction
    names = ["tanh", "relu", "necro_relu"]
    found, rows = [facts(name, 0.1) for name in names], curves(names, 0.1)
    chains = chain("tanh", 0.1, 1.0, 12)
    frame = grid("relu")
    figures = {
        "preact": theory_charts.theory_beside(record, prediction, "preact_ms"),
        "delta": theory_charts.theory_beside(record, prediction, "delta_relative"),
        "rounded live": theory_charts.rounded_zeros(record),
        "rounded replay": theory_charts.rounded_zeros(record, replay=True),
        "compare preact": theory_charts.compare_theory([record, record], ["a", "b"], [prediction, "none"], "preact_ms"),
        "compare delta": theory_charts.compare_theory([record, record], ["a", "b"], [prediction, "none"],
                                                      "delta_relative"),
        "chain": activation_charts.chain_chart(chains),
        "zero paths": activation_charts.zero_paths_chart(chains),
        **{f"panel {item.name}": activation_charts.activation_panel(item, rows) for item in found},
    }
    for name, figure in figures.items():
        validate_jsonschema(figure.to_vega_lite(), SCHEMA)
        if not name.startswith(("compare", "chain", "zero")):  # from_altair figures carry one named dataset
            assert "datasets" not in figure.spec and not inline_rows(figure.spec), name
    spec = {**phase_spec("relu"), "datasets": {k: v.astype(object).where(v.notna(), None).to_dict("records")
                                               for k, v in phase_data(frame, lines(frame), (1.4, 0.2)).items()}}
    validate_jsonschema(spec, SCHEMA)


def test_the_theory_rows_are_the_records_step0_and_the_predictions_numbers(record_and_prediction):
    record, prediction = record_and_prediction
    rows = theory_charts.step0_rows(record, prediction)
    measured = rows[(rows.quantity == "preact_ms") & (rows.kind == "measured at step 0")].value.to_numpy()
    np.testing.assert_allclose(measured, record.metric("preact_ms")[0])
    theory = rows[(rows.quantity == "delta_relative") & (rows.kind == "theory")].value.to_numpy()
    np.testing.assert_allclose(theory, prediction.delta_relative)


@pytest.mark.parametrize("quantity, predicted", [("preact_ms", "preact_ms"), ("delta_relative", "delta_relative")])
def test_compare_draws_each_runs_preact_ms_and_relative_delta_ms_beside_its_theory(record_and_prediction, quantity,
                                                                                     predicted):
    record, prediction = record_and_prediction
    figure = theory_charts.compare_theory([record, record], ["a", "b"], [prediction, "no prediction: why"], quantity)
    rows = figure.data["rows"]
    measured = record.metric("preact_ms")[0] if quantity == "preact_ms" else \
        record.metric("delta_ms")[0] / record.metric("delta_ms")[0][-1]
    for run in ("a", "b"):
        np.testing.assert_allclose(rows[(rows.run == run) & (rows.kind == "measured at step 0")].value, measured)
    np.testing.assert_allclose(rows[(rows.run == "a") & (rows.kind == "theory")].value, getattr(prediction, predicted))
    assert rows[(rows.run == "b") & (rows.kind == "theory")].empty  # a run without a prediction: no dashed line
    assert set(rows.quantity) == {quantity}
    # the dashed key stacks (in a row beside the runs' legend, Streamlit cut "theory" off a half-width chart)
    legend = figure.spec["encoding"]["strokeDash"]["legend"]
    assert legend["direction"] == "vertical" and legend["symbolType"] == "stroke"


def test_the_necro_relu_panel_draws_its_custom_slope_beside_the_true_derivative():
    alpha = 0.2
    rows = curves(["necro_relu", "relu"], alpha)
    necro = activation_charts.activation_panel(facts("necro_relu", alpha), rows).data["curves"]
    below = necro.z < 0
    backprop = necro[necro.curve == "φ'(z), back-prop"]
    true = necro[necro.curve == "true f'(z)"]
    np.testing.assert_array_equal(backprop[backprop.z < 0].value, alpha)  # the custom gradient's leak
    np.testing.assert_array_equal(true[true.z < 0].value, 0.0)  # ReLU's derivative, the forward function's
    np.testing.assert_array_equal(true[true.z > 0].value, 1.0)
    np.testing.assert_array_equal(necro[(necro.curve == "f(z)") & below].value, 0.0)  # forward: ReLU
    relu = activation_charts.activation_panel(facts("relu", alpha), rows)
    assert set(relu.data["curves"].curve) == {"f(z)", "φ'(z), back-prop"}  # one slope: no second line
    bands = relu.data["bands"]
    assert bands[bands.band == "slope exactly 0"][["z", "high"]].values.tolist() == [[-6.0, 0.0]]
    assert relu.data["peak"].value.tolist() == [1.0]


def test_rounded_zero_counts_are_the_records_delta_zeros(record_and_prediction):
    record, _ = record_and_prediction
    counts = theory_charts.delta_zeros(record)
    zeros = np.asarray(record.to_dict()["histograms"]["delta"]["zeros"], dtype=float)
    np.testing.assert_array_equal(counts["zeros"], zeros)  # tanh: no zero slope, so every zero is rounded
    np.testing.assert_array_equal(counts["rounded"], zeros)
    np.testing.assert_array_equal(counts["total"], 64 * 16)
    live = theory_charts.rounded_zeros(record).data["rows"]
    np.testing.assert_array_equal(live.rounded, zeros[-1])
