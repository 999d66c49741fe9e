"""Measurements at initialization against signal-propagation theory and its closed forms."""
import numpy as np
import pytest

from core import theory
from core.config import RunConfig
from core.engine.run import run_to_end

WIDE = dict(dataset="gaussian", input_dim=256, samples=512, width=256, batch_size=512, steps=0,
            bias_initializer="zeros")


def measure(pool, **changes):
    return run_to_end(RunConfig(**{**WIDE, **changes}), pool)


def test_relu_mean_field_map_is_the_closed_form_halving():
    q = theory.preactivation_moments("relu", sigma_w=1.0, depth=6, q0=1.0)
    np.testing.assert_allclose(q, 0.5 ** np.arange(6), rtol=1e-6)
    assert theory.chi("relu", np.sqrt(2.0), q=1.0) == pytest.approx(1.0, rel=1e-6)


def test_tanh_chi_at_small_q_is_sigma_w_squared():
    # tanh'(0) = 1, so chi -> sigma_w^2 as q -> 0
    assert theory.chi("tanh", 1.3, q=1e-8) == pytest.approx(1.69, rel=1e-6)


def per_layer_factor(preact):
    """Geometric mean of q_l / q_(l-1): finite width makes single layers wander, the mean does not."""
    return float(np.exp(np.mean(np.log(preact[1:] / preact[:-1]))))


def test_he_init_keeps_relu_signal_constant_over_depth(pool):
    preact = measure(pool, depth=20, activation="relu", initializer="he_normal").metric("preact_ms")[0]
    predicted = theory.preactivation_moments("relu", np.sqrt(2.0), 20, q0=1.0)
    assert per_layer_factor(predicted) == pytest.approx(1.0)
    assert per_layer_factor(preact) == pytest.approx(1.0, abs=0.1)
    assert 0.25 < preact[-1] / preact[0] < 4.0


def test_glorot_init_halves_relu_signal_at_each_layer(pool):
    preact = measure(pool, depth=20, activation="relu", initializer="glorot_normal").metric("preact_ms")[0]
    # Glorot on square layers is sigma_w^2 = 1: mean-field theory says q halves at each layer
    predicted = theory.preactivation_moments("relu", 1.0, 20, q0=1.0)
    assert per_layer_factor(predicted) == pytest.approx(0.5)
    assert per_layer_factor(preact) == pytest.approx(0.5, abs=0.05)
    assert preact[-1] / preact[0] < 1e-4


def test_relu_at_initialization_is_half_sparse(pool):
    sparsity = measure(pool, depth=20, activation="relu", initializer="he_normal").metric("sparsity")[0]
    assert sparsity.mean() == pytest.approx(0.5, abs=0.03)
    np.testing.assert_allclose(sparsity, 0.5, atol=0.15)


def test_deep_sigmoid_net_vanishes_towards_the_input(pool):
    record = measure(pool, depth=10, activation="sigmoid", initializer="glorot_normal")
    delta = record.metric("delta_ms")[0]
    assert delta[0] < delta[-1] / 100
