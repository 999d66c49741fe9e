import numpy as np
import pytest
import tensorflow as tf

from core.engine import reference
from core.activation_table import ACTIVATIONS, max_derivative
from core.engine.activations import activate, derivative

Z = tf.constant(np.linspace(-8, 8, 4001), tf.float32)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_written_out_derivative_matches_autodiff(name):
    with tf.GradientTape() as tape:
        tape.watch(Z)
        a = activate(name, Z, 0.1)
    autodiff = tape.gradient(a, Z)
    np.testing.assert_allclose(derivative(name, Z, a, 0.1).numpy(), autodiff.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_tensorflow_activation_matches_numpy_reference(name):
    a = activate(name, Z, 0.1).numpy()
    np.testing.assert_allclose(a, reference.activation(name, Z.numpy().astype(np.float64), 0.1), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_max_derivative_is_the_largest_local_gradient(name):
    grid = np.linspace(-10, 10, 200001)
    numeric = np.abs(reference.derivative(name, grid, 0.1)).max()
    assert max_derivative(name, 0.1) == pytest.approx(numeric, rel=1e-3)


def test_necro_relu_forward_is_relu_but_its_gradient_leaks():
    z = tf.constant([-2.0, -0.5, 0.5, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(z)
        a = activate("necro_relu", z, 0.25)
    np.testing.assert_array_equal(a.numpy(), tf.nn.relu(z).numpy())
    np.testing.assert_allclose(tape.gradient(a, z).numpy(), [0.25, 0.25, 1.0, 1.0])
