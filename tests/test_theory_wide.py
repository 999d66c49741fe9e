"""Wide networks (width 512) at step 0 against the Lab's mean-field predictions (core/theory/predict.py).

Real TensorFlow, one seed, steps = 0. Tolerances, stated: contracting maps (tanh, sigmoid, SELU) damp a
finite net's fluctuations, so every layer's preact_ms is within 10% of q_l and every layer's relative
delta_ms within 0.15 decades of the product of chi. ReLU's map is neutral at He init, so each layer's
random factor (about 1 +- 0.1 at width 512) compounds: there the per-layer factor, averaged over the depth,
is within 0.05 of the theory's, and the relative delta_ms within 0.15 decades.
"""
import numpy as np
import pytest

from core.config import RunConfig
from core.initializer_table import variance_scaling
from core.engine.run import run_to_end
from core.theory.initializers import random_normal_bias
from core.theory.predict import predict_for_config

WIDE = dict(dataset="gaussian", input_dim=256, samples=512, width=512, batch_size=512, steps=0, depth=10)


def measured_and_predicted(pool, **changes):
    config = RunConfig(**{**WIDE, **changes})
    record = run_to_end(config, pool)
    return record, predict_for_config(config)


def relative_delta_decades(record, prediction):
    delta = record.metric("delta_ms")[0]
    return np.log10(delta / delta[-1]) - np.log10(prediction.delta_relative)


@pytest.mark.parametrize("changes", [
    dict(activation="tanh", initializer="glorot_normal"),
    dict(activation="sigmoid", initializer="glorot_normal"),
    dict(activation="selu", initializer="lecun_normal"),
    dict(activation="tanh", initializer=variance_scaling(1.5), bias_initializer=random_normal_bias(0.3)),
], ids=["tanh-glorot", "sigmoid-glorot", "selu-lecun", "tanh-sigma_w-1.5-sigma_b-0.3"])
def test_wide_contracting_nets_measure_what_mean_field_theory_predicts(pool, changes):
    record, prediction = measured_and_predicted(pool, **changes)
    np.testing.assert_allclose(record.metric("preact_ms")[0], prediction.preact_ms, rtol=0.10)
    np.testing.assert_allclose(relative_delta_decades(record, prediction), 0.0, atol=0.15)


def test_wide_sigmoid_gradient_vanishes_by_the_predicted_ten_to_the_minus_eleven(pool):
    record, prediction = measured_and_predicted(pool, activation="sigmoid", initializer="glorot_normal")
    assert np.log10(prediction.delta_relative[0]) == pytest.approx(-11.3, abs=0.2)
    assert prediction.chi_per_layer == pytest.approx(0.056, abs=0.002)
    delta = record.metric("delta_ms")[0]
    assert np.log10(delta[0] / delta[-1]) == pytest.approx(np.log10(prediction.delta_relative[0]), abs=0.15)


def test_wide_relu_he_net_keeps_its_signal_as_predicted(pool):
    record, prediction = measured_and_predicted(pool, activation="relu", initializer="he_normal")
    preact = record.metric("preact_ms")[0]
    factor = np.exp(np.mean(np.log(preact[1:] / preact[:-1])))
    predicted = np.exp(np.mean(np.log(prediction.preact_ms[1:] / prediction.preact_ms[:-1])))
    assert predicted == pytest.approx(1.0, abs=1e-9)
    assert factor == pytest.approx(predicted, abs=0.05)
    np.testing.assert_allclose(relative_delta_decades(record, prediction), 0.0, atol=0.15)


def test_a_constant_negative_bias_is_predicted_as_a_shift_not_a_spread(pool):
    bias = {"class_name": "Constant", "config": {"value": -0.5}}
    record, prediction = measured_and_predicted(pool, activation="relu", initializer="he_normal",
                                                bias_initializer=bias)
    np.testing.assert_allclose(record.metric("preact_ms")[0], prediction.preact_ms, rtol=0.10)
    # deep layers settle where z is the bias alone: q -> 0.25, every unit off
    assert prediction.preact_ms[-1] == pytest.approx(0.25, rel=1e-3)
    assert record.metric("sparsity")[0][-1] == 1.0


@pytest.mark.parametrize("depth", [10, 30])
def test_a_wide_residual_tanh_net_follows_the_residual_recursion(pool, depth):
    record, prediction = measured_and_predicted(pool, activation="tanh", initializer="glorot_normal", residual=True,
                                                depth=depth)
    assert prediction.residual and prediction.stream_ms is not None
    np.testing.assert_allclose(record.metric("preact_ms")[0], prediction.preact_ms, rtol=0.10)
    np.testing.assert_allclose(record.metric("stream_ms")[0], prediction.stream_ms, rtol=0.10)
    np.testing.assert_allclose(relative_delta_decades(record, prediction), 0.0, atol=0.15)
    # the skip adds: the stream's second moment grows with depth where a plain tanh net's settles
    assert prediction.stream_ms[-1] > 2 * prediction.stream_ms[0]
    plain = predict_for_config(RunConfig(**{**WIDE, "depth": depth, "activation": "tanh"}))
    assert prediction.preact_ms[-1] > 2 * plain.preact_ms[-1]


def test_a_wide_residual_relu_he_nets_signal_grows_with_depth_and_the_diagnosis_says_so(pool):
    from core.diagnosis import diagnose

    record, prediction = measured_and_predicted(pool, activation="relu", initializer="he_normal", residual=True,
                                                depth=20)
    stream = record.metric("stream_ms")[0]
    assert np.all(np.diff(np.log(stream)) > 0), "every skip adds to the stream"
    assert stream[-1] / stream[0] > 1e4  # He's branches about double the stream's mean square per layer
    np.testing.assert_allclose(np.log10(stream), np.log10(prediction.stream_ms), atol=0.15)
    verdicts = diagnose(record)
    assert [v.kind for v in verdicts][0] == "growing_signal", verdicts
    assert "layer 20" in verdicts[0].headline and "scaled down" in verdicts[0].explanation
    plain = run_to_end(RunConfig(**{**WIDE, "depth": 20, "activation": "relu", "initializer": "he_normal"}), pool)
    assert "growing_signal" not in [v.kind for v in diagnose(plain)]
