"""A layer's chain rule, δ_l = (W_(l+1)ᵀ δ_(l+1)) ⊙ φ'(z_l), read from a record, against NumPy's back-propagation."""
import numpy as np
import pytest
import tensorflow as tf

from core.chain_rule import factors_along_depth, layer_chain
from core.config import RunConfig
from core.engine import reference
from core.engine.datasets import make_dataset
from core.engine.run import run_to_end


def rms(x):
    return float(np.sqrt(np.mean(np.square(x))))


def numpy_pass(config, record):
    """NumPy's z, δ and ∂loss/∂a on step 0's minibatch, with the record's weights (a 0-step run ends where it began)."""
    data = make_dataset(config)
    index = tf.random.Generator.from_seed(config.seed).uniform(
        [config.batch_size], 0, len(data.y), dtype=tf.int32).numpy()
    weights = [np.asarray(w, np.float64) for w in record.weights]
    kernels, biases = weights[0:2 * config.depth:2], weights[1:2 * config.depth:2]
    outputs = reference.forward_backward(data.x[index].astype(np.float64), data.y[index], kernels, biases,
                                         weights[-2], weights[-1], config.activation, config.alpha,
                                         residual=config.residual, with_streams=True)
    zs, _, deltas, _, _, _, _, grad_as = outputs
    return kernels, zs, deltas, grad_as


@pytest.mark.parametrize("residual", [False, True])
def test_each_factor_of_a_layers_chain_rule_is_numpys_and_their_product_is_the_measured_delta(pool, residual):
    config = RunConfig(dataset="gaussian", input_dim=8, samples=256, depth=8, width=32, activation="sigmoid",
                       batch_size=128, steps=0, seed=5, residual=residual)
    record = run_to_end(config, pool)
    kernels, zs, deltas, grad_as = numpy_pass(config, record)
    for layer in range(1, config.depth):
        chain = layer_chain(record, 0, layer)
        below, above = layer - 1, layer
        through_weights = deltas[above] @ kernels[above].T  # W_(l+1)ᵀ δ_(l+1), as NumPy computes it
        if residual:
            through_weights = through_weights + grad_as[above]  # plus the skip's ∂loss/∂h_(l+1)
            assert chain.skip == pytest.approx(rms(grad_as[above]), rel=1e-4)
        else:
            assert chain.skip is None
        assert chain.delta_above == pytest.approx(rms(deltas[above]), rel=1e-4)
        assert chain.weight_factor == pytest.approx(rms(through_weights) / rms(deltas[above]), rel=1e-4)
        slope = reference.derivative("sigmoid", zs[below])
        assert chain.slope_rms == pytest.approx(rms(slope), rel=1e-4)
        assert chain.slope_zeros == 0 and np.all(slope > 0)
        assert chain.activation_factor == pytest.approx(rms(through_weights * slope) / rms(through_weights), rel=1e-4)
        assert chain.delta == pytest.approx(rms(deltas[below]), rel=1e-4)
        assert chain.product == pytest.approx(chain.delta, rel=1e-6)  # float precision: the factors are exact


def test_a_layer_beyond_the_depth_or_the_top_layer_has_no_chain_and_the_depth_chart_has_every_other(pool):
    config = RunConfig(dataset="gaussian", input_dim=8, samples=256, depth=5, width=16, steps=0)
    record = run_to_end(config, pool)
    assert layer_chain(record, 0, 5) is None and layer_chain(record, 0, 40) is None and layer_chain(record, 0, 0) is None
    frame = factors_along_depth(record, 0)
    assert sorted(set(frame.layer_index)) == [1, 2, 3, 4] and set(frame.factor) == {"weights", "activation", "both"}
    both = frame[frame.factor == "both"].set_index("layer_index").value
    delta = np.sqrt(record.metric("delta_ms")[0])
    np.testing.assert_allclose(both.to_numpy(), delta[:-1] / delta[1:], rtol=1e-6)


def test_a_deep_sigmoid_nets_activation_factor_is_at_most_a_quarter_in_every_layer(pool):
    config = RunConfig(depth=30, activation="sigmoid", initializer="glorot_normal", steps=0)
    record = run_to_end(config, pool)
    frame = factors_along_depth(record, 0)
    activation = frame[frame.factor == "activation"].set_index("layer_index").value
    # the first layers' δ underflows float32 (exactly 0: the factor is 0 or 0/0) before sigmoid's slope, at most
    # 1/4, is all that is left
    measured = activation[np.isfinite(activation)]
    assert (measured <= 0.25 + 1e-6).all() and len(measured) >= 20
    assert (activation.loc[15:29] > 0.1).all()


def test_a_delta_too_small_to_square_in_float32_is_told_from_a_delta_of_exactly_zero(pool):
    config = RunConfig(depth=30, activation="sigmoid", initializer="glorot_normal", steps=0)
    record = run_to_end(config, pool)
    chain = layer_chain(record, 0, 1)
    assert chain.delta == 0 and chain.delta_zeros < 0.5, "layer 1's δ is tiny, not 0: its squares underflow"
    deepest = layer_chain(record, 0, 29)
    assert deepest.delta > 0 and deepest.delta_zeros == 0
