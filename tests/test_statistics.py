"""Every statistic of the compiled step against an independent NumPy recomputation."""
import numpy as np
import pytest
import tensorflow as tf

from core.engine import reference
from core.activation_table import max_derivative
from core.config import RunConfig
from core.engine.datasets import make_dataset
from core.engine.run import activation_edges, delta_edges
from core.metrics import LAYER_METRICS, UNITS_SHOWN, unit_indices
from core.engine.trainer import Trainer


def one_recorded_step(config, weight_scale=1.0, bias_value=0.0):
    """Set known weights, run one recorded SGD step, and return (outputs, the NumPy reference's inputs)."""
    dataset = make_dataset(config)
    trainer = Trainer(config, dataset.input_dim, dataset.classes, "CPU:0")
    trainer.start(config)
    rng = np.random.default_rng(7)
    model = trainer.model
    def random_kernel(shape):
        return rng.normal(0, weight_scale / np.sqrt(shape[0]), shape).astype(np.float32)

    for layer in range(config.depth):
        model.set_layer_kernel(layer, random_kernel(model.layer_kernel(layer).shape))
    model.output_kernel.assign(random_kernel(model.output_kernel.shape))
    for layer in range(config.depth):
        model.set_layer_bias(layer, np.full([config.width], bias_value, np.float32)
                             + rng.normal(0, 0.1, [config.width]).astype(np.float32))
    kernels = [model.layer_kernel(layer).numpy().astype(np.float64) for layer in range(config.depth)]
    biases = [model.biases[layer].numpy().astype(np.float64) for layer in range(config.depth)]
    out_kernel, out_bias = model.output_kernel.numpy().astype(np.float64), model.output_bias.numpy().astype(np.float64)
    # The minibatch the step draws: the same seeded generator, drawn the same way.
    index = tf.random.Generator.from_seed(config.seed).uniform(
        [config.batch_size], 0, len(dataset.y), dtype=tf.int32).numpy()
    x, y = tf.constant(dataset.x), tf.constant(dataset.y)
    lows, highs = (v.numpy() for v in trainer.probe(x))
    edges = activation_edges(config.activation, lows, highs)
    outputs = [v.numpy() for v in trainer.run_frame(
        x, y, tf.constant([e[0] for e in edges]), tf.constant([e[-1] for e in edges]),
        tf.constant([0]), tf.constant([True]))]
    kernels_after = [model.layer_kernel(layer).numpy().astype(np.float64) for layer in range(config.depth)]
    return outputs, dict(x=dataset.x[index].astype(np.float64), y=dataset.y[index], kernels=kernels, biases=biases,
                         out_kernel=out_kernel, out_bias=out_bias, edges=edges, kernels_after=kernels_after)


@pytest.mark.parametrize("activation, residual", [(name, False) for name in
                                                   ("relu", "sigmoid", "tanh", "necro_relu", "elu", "gelu", "softplus")]
                         + [("tanh", True), ("relu", True)])
def test_every_statistic_matches_a_numpy_recomputation(activation, residual):
    config = RunConfig(dataset="gaussian", input_dim=5, samples=200, depth=3, width=16, activation=activation,
                       optimizer="sgd", learning_rate=0.5, batch_size=64, steps=1, record_every=1, seed=3,
                       residual=residual)
    outputs, ref = one_recorded_step(config, weight_scale=2.0, bias_value=-0.3)
    written, diverged_at, steps, loss, accuracy, scalars, act_counts, delta_counts, delta_zeros, alive = outputs
    assert written == 1 and diverged_at == -1 and steps[0] == 0

    zs, activations, deltas, gradients, expected_loss, logits, streams, grad_as = reference.forward_backward(
        ref["x"], ref["y"], ref["kernels"], ref["biases"], ref["out_kernel"], ref["out_bias"], activation, config.alpha,
        residual=residual, with_streams=True)
    if residual:  # the skip really is there: the stream is not the layer's own activation
        assert not np.allclose(streams[-1], activations[-1]) and np.allclose(streams[0], activations[0])
    assert loss[0] == pytest.approx(expected_loss, rel=1e-5)
    assert accuracy[0] == pytest.approx(np.mean(logits.argmax(axis=1) == ref["y"]))
    for layer in range(config.depth):
        expected = reference.layer_statistics(zs[layer], activations[layer], deltas[layer], gradients[layer],
                                              activation, config.alpha, max_derivative(activation, config.alpha),
                                              h=streams[layer], grad_a=grad_as[layer])
        # update_ratio of plain SGD: ||lr * grad|| / ||W||, and the weights really moved by that much
        expected["update_ratio"] = config.learning_rate * np.linalg.norm(gradients[layer]) / np.linalg.norm(ref["kernels"][layer])
        moved = np.linalg.norm(ref["kernels_after"][layer] - ref["kernels"][layer]) / np.linalg.norm(ref["kernels"][layer])
        assert moved == pytest.approx(expected["update_ratio"], rel=1e-3)
        for row, name in enumerate(LAYER_METRICS):
            if name != "slope_zeros":  # checked below, with float32's roundings to 0
                assert scalars[0, row, layer] == pytest.approx(expected[name], rel=2e-3, abs=1e-7), (name, layer)

        a_counts = reference.activation_histogram(activations[layer], ref["edges"][layer])
        assert act_counts[0, layer].sum() == a_counts.sum() == config.batch_size * config.width
        assert np.abs(act_counts[0, layer] - a_counts).sum() <= 2  # a value on a bin edge may round either way
        d_counts, d_zeros = reference.delta_histogram(deltas[layer].astype(np.float32), delta_edges())
        # float32 rounds 1 - tanh(z)^2 to exactly 0 for |z| > ~9 and flushes subnormals; float64 does not
        # (and TensorFlow's CPU tanh, Eigen's, returns exactly ±1 above |z| = 7.9, where 1 - tanh(z)^2 < 5e-7)
        rounded = 5e-7 if activation == "tanh" else 6e-8
        below_float32 = int(np.sum(np.abs(reference.derivative(activation, zs[layer], config.alpha)) < rounded)
                            + np.sum(np.abs(deltas[layer]) < np.finfo(np.float32).tiny))
        assert d_zeros <= delta_zeros[0, layer] <= d_zeros + below_float32
        slope_zeros = scalars[0, LAYER_METRICS.index("slope_zeros"), layer] * config.batch_size * config.width
        exact = expected["slope_zeros"] * config.batch_size * config.width
        assert exact - 1e-3 <= slope_zeros <= exact + below_float32 + 1e-3, (slope_zeros, exact, below_float32)
        assert np.abs(delta_counts[0, layer] - d_counts).sum() <= 2 + below_float32
        np.testing.assert_array_equal(alive[0, layer], reference.units_alive(activations[layer], unit_indices(config.width)))


def test_dead_units_and_sparsity_count_exact_zeros():
    config = RunConfig(dataset="gaussian", input_dim=5, samples=200, depth=2, width=32, activation="relu",
                       batch_size=64, steps=1, record_every=1)
    outputs, ref = one_recorded_step(config, weight_scale=1.0, bias_value=-1.5)
    scalars = outputs[5]
    zs, activations, *_ = reference.forward_backward(
        ref["x"], ref["y"], ref["kernels"], ref["biases"], ref["out_kernel"], ref["out_bias"], "relu")
    dead = np.mean((activations[0] == 0).all(axis=0))
    assert dead > 0.1, "a bias of -1.5 should silence some units for the whole batch"
    assert scalars[0, LAYER_METRICS.index("dead_fraction"), 0] == pytest.approx(dead)
    assert scalars[0, LAYER_METRICS.index("sparsity"), 0] == pytest.approx(np.mean(activations[0] == 0))


def test_a_wide_layer_records_the_activity_of_64_evenly_spread_units_each_counted_exactly():
    config = RunConfig(dataset="gaussian", input_dim=5, samples=200, depth=2, width=200, activation="relu",
                       batch_size=64, steps=1, record_every=1)
    outputs, ref = one_recorded_step(config, weight_scale=1.0, bias_value=-1.5)
    alive = outputs[-1]
    units = unit_indices(config.width)
    assert len(units) == UNITS_SHOWN == alive.shape[-1] and units[0] == 0 and units[-1] == config.width - 1
    assert np.all(np.diff(units) >= 3) and np.all(np.diff(units) <= 4)  # evenly spread: 199 / 63 apart
    zs, activations, *_ = reference.forward_backward(
        ref["x"], ref["y"], ref["kernels"], ref["biases"], ref["out_kernel"], ref["out_bias"], "relu")
    for layer in range(config.depth):
        expected = reference.units_alive(activations[layer], units)
        np.testing.assert_array_equal(alive[0, layer], expected)
    assert (alive[0] == 0).any() and (alive[0] == config.batch_size).sum() < alive[0].size, \
        "a bias of -1.5 leaves some units dead for the whole batch and others alive on part of it"


def test_a_gradient_too_small_to_square_in_float32_still_has_its_true_norm():
    # A deep sigmoid net: the first layers' gradients are near 1e-20, whose squares fall below float32's
    # smallest normal number, so an unscaled norm reads exactly 0 although the gradient is not 0.
    config = RunConfig(dataset="gaussian", input_dim=5, samples=200, depth=30, width=16, activation="sigmoid",
                       optimizer="sgd", learning_rate=0.1, batch_size=64, steps=1, record_every=1, seed=3)
    outputs, ref = one_recorded_step(config, weight_scale=1.0)
    scalars = outputs[5]
    _, _, _, gradients, _, _ = reference.forward_backward(
        ref["x"], ref["y"], ref["kernels"], ref["biases"], ref["out_kernel"], ref["out_bias"], "sigmoid", config.alpha)
    expected = [np.linalg.norm(gradient) for gradient in gradients]
    assert expected[0] < np.sqrt(np.finfo(np.float32).tiny)  # the case this test is about
    assert expected[0] > 1e3 * np.finfo(np.float32).tiny * np.sqrt(gradients[0].size)  # its elements are float32s
    measured = scalars[0, LAYER_METRICS.index("grad_norm")]
    np.testing.assert_allclose(measured, expected, rtol=1e-3)


def test_a_norm_of_zeros_or_of_infinities_is_still_0_or_inf():
    from core.engine.statistics import kernel_norms
    norms = kernel_norms([tf.zeros([3, 4]), tf.stack([tf.fill([4, 4], np.inf), tf.fill([4, 4], 1e-30)])], tiny=True).numpy()
    assert norms[0] == 0 and norms[1] == np.inf
    assert norms[2] == pytest.approx(4e-30, rel=1e-5)
