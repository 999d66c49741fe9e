"""Activations by their Keras names, each next to its derivative (the local gradient phi'(z)).

The derivative is written out, not taken by autodiff, so that measuring saturation costs a few
element-wise ops inside the compiled step. tests/test_activations.py checks every one against autodiff.
"""
import math

import keras
import tensorflow as tf

from core.activation_table import SELU_ALPHA, SELU_SCALE


@tf.custom_gradient
def _necro_relu(z, alpha):
    def backward(upstream):
        # Forward is ReLU, but the gradient flows through z < 0 with the leaky slope.
        return upstream * tf.where(z > 0, tf.ones_like(z), alpha * tf.ones_like(z)), None

    return tf.nn.relu(z), backward


@keras.saving.register_keras_serializable(package="gradflow", name="NecroReLU")
class NecroReLU(keras.layers.Layer):
    """necro_relu as a Keras layer, so an exported `.keras` model loads in plain Keras once this module is
    imported (the only custom object an export needs)."""

    def __init__(self, alpha: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        # The same forward and backward as _necro_relu, written without tf.custom_gradient, whose graph-mode
        # form leaves an entry in TensorFlow's global gradient registry each time Keras builds the layer
        # (core/engine/release.py): leaky forward plus the exact, gradient-free difference to ReLU.
        leaky = tf.nn.leaky_relu(inputs, alpha=self.alpha)
        return leaky + tf.stop_gradient(tf.nn.relu(inputs) - leaky)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


def activate(name: str, z, alpha: float):
    if name == "sigmoid":
        return tf.sigmoid(z)
    if name == "tanh":
        return tf.tanh(z)
    if name == "relu":
        return tf.nn.relu(z)
    if name == "leaky_relu":
        return tf.nn.leaky_relu(z, alpha=alpha)
    if name == "necro_relu":
        return _necro_relu(z, tf.cast(alpha, z.dtype))
    if name == "elu":
        return tf.nn.elu(z)
    if name == "selu":
        return tf.nn.selu(z)
    if name == "gelu":
        return tf.nn.gelu(z, approximate=False)
    if name == "swish":
        return tf.nn.silu(z)
    if name == "softplus":
        return tf.nn.softplus(z)
    if name == "linear":
        return tf.identity(z)
    raise ValueError(f"unknown activation {name!r}")


def derivative(name: str, z, a, alpha: float):
    """phi'(z) as used by back-propagation, given z and a = phi(z)."""
    one = tf.ones_like(z)
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return tf.where(z > 0, one, 0.0 * one)
    if name in ("leaky_relu", "necro_relu"):
        return tf.where(z > 0, one, alpha * one)
    if name == "elu":
        return tf.where(z > 0, one, a + 1.0)
    if name == "selu":
        return tf.where(z >= 0, SELU_SCALE * one, a + SELU_SCALE * SELU_ALPHA)  # TensorFlow takes the right slope at 0
    if name == "gelu":
        cdf = 0.5 * (1.0 + tf.math.erf(z / math.sqrt(2.0)))
        pdf = tf.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        return cdf + z * pdf
    if name == "swish":
        s = tf.sigmoid(z)
        return s + z * s * (1.0 - s)
    if name == "softplus":
        return tf.sigmoid(z)
    if name == "linear":
        return one
    raise ValueError(f"unknown activation {name!r}")
