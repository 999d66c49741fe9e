"""An independent NumPy version of the forward pass, back-propagation and per-layer statistics.

The tests check the compiled step against it, and the benchmark's eager baseline uses it. It shares no
code with the TensorFlow path: derivatives and back-propagation are written out by hand here.
"""
import math

import numpy as np

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
_erfc = np.vectorize(math.erfc)


def _normal_cdf(z):
    # erfc keeps the far negative tail (1 + erf(z) would round to 0 long before)
    return 0.5 * _erfc(-z / math.sqrt(2.0))


def _sigmoid(z):
    with np.errstate(over="ignore"):  # exp(-z) = inf for z far below 0 gives the right limit, 0
        return 1.0 / (1.0 + np.exp(-z))


def activation(name, z, alpha=0.1):
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name in ("relu", "necro_relu"):
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, alpha * z)
    if name == "elu":
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
    if name == "selu":
        return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0)))
    if name == "gelu":
        return z * _normal_cdf(z)
    if name == "swish":
        return z * _sigmoid(z)
    if name == "softplus":
        return np.logaddexp(0.0, z)
    if name == "linear":
        return z
    raise ValueError(name)


def derivative(name, z, alpha=0.1):
    """phi'(z) as back-propagation uses it (necro_relu: the leaky slope below zero)."""
    if name == "sigmoid":
        s = _sigmoid(z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    if name in ("leaky_relu", "necro_relu"):
        return np.where(z > 0, 1.0, alpha)
    if name == "elu":
        return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))
    if name == "selu":
        return SELU_SCALE * np.where(z >= 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0)))
    if name == "gelu":
        return _normal_cdf(z) + z * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    if name == "swish":
        s = _sigmoid(z)
        return s + z * s * (1 - s)
    if name == "softplus":
        return _sigmoid(z)
    if name == "linear":
        return np.ones_like(z)
    raise ValueError(name)


def forward_backward(x, y, kernels, biases, output_kernel, output_bias, name, alpha=0.1, residual=False,
                     with_streams=False):
    """Returns zs, activations, deltas (dL/dz), kernel gradients, the mean cross-entropy loss and the logits;
    with_streams, also the streams h and dL/da. residual: h_l = h_(l-1) + a_l for every layer but the first."""
    zs, activations, streams, h = [], [], [], x
    for i, (kernel, bias) in enumerate(zip(kernels, biases)):
        z = h @ kernel + bias
        a = activation(name, z, alpha)
        h = h + a if residual and i > 0 else a
        zs.append(z)
        activations.append(a)
        streams.append(h)
    logits = h @ output_kernel + output_bias
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    batch = len(y)
    loss = -np.mean(np.log(probabilities[np.arange(batch), y]))
    upstream = probabilities.copy()
    upstream[np.arange(batch), y] -= 1.0
    upstream /= batch  # dL/dlogits
    stream_gradient = upstream @ output_kernel.T  # dL/dh of the last hidden layer
    deltas, grad_as = [None] * len(kernels), [None] * len(kernels)
    for i in reversed(range(len(kernels))):
        grad_as[i] = stream_gradient  # a_l enters h_l with weight 1, with or without the skip
        deltas[i] = stream_gradient * derivative(name, zs[i], alpha)
        through_layer = deltas[i] @ kernels[i].T
        # the skip hands dL/dh_l to h_(l-1) unchanged, beside the layer's own path
        stream_gradient = through_layer + stream_gradient if residual and i > 0 else through_layer
    inputs = [x] + streams[:-1]
    kernel_gradients = [inputs[i].T @ deltas[i] for i in range(len(kernels))]
    if with_streams:
        return zs, activations, deltas, kernel_gradients, loss, logits, streams, grad_as
    return zs, activations, deltas, kernel_gradients, loss, logits


def layer_statistics(z, a, delta, kernel_gradient, name, alpha, max_derivative, saturation_fraction=0.05, h=None,
                     grad_a=None):
    """The per-layer scalars of the run record (all but update_ratio, which needs the optimizer); stream_ms
    and grad_a_ms when the stream h and dL/da are given."""
    # TensorFlow's CPU kernels flush float32 subnormals to zero, so anything below float32's smallest
    # normal number is an exact zero in the network.
    zero = np.abs(a) < np.finfo(np.float32).tiny
    slope = derivative(name, z, alpha)
    return {
        "preact_ms": np.mean(z ** 2),
        "act_mean": np.mean(a),
        "act_std": np.std(a),
        "sparsity": np.mean(zero),
        "dead_fraction": np.mean(zero.all(axis=0)),
        "saturation": np.mean(np.abs(slope) < saturation_fraction * max_derivative),
        "grad_norm": np.linalg.norm(kernel_gradient),
        "delta_ms": np.mean(delta ** 2),
        **({"stream_ms": np.mean(h ** 2)} if h is not None else {}),
        **({"grad_a_ms": np.mean(grad_a ** 2)} if grad_a is not None else {}),
        "slope_ms": np.mean(slope ** 2),
        "slope_zeros": np.mean(slope == 0),
    }


def units_alive(a, units):
    """For each unit (index) of a [batch, width] activation map, the examples on which it is not exactly 0."""
    zero = np.abs(a) < np.finfo(np.float32).tiny  # float32 flushes subnormals to 0, as in layer_statistics
    return (~zero[:, units]).sum(axis=0)


def activation_histogram(a, edges):
    """Counts between edges, with values outside put in the outer bins."""
    edges = np.asarray(edges)
    return np.histogram(np.clip(a, edges[0], edges[-1]), bins=edges)[0]


def delta_histogram(delta, edges):
    """Counts of nonzero |delta| in power-of-two bins (outer bins open), and the count of exact zeros."""
    magnitude = np.abs(delta[delta != 0]).astype(np.float64)
    edges = np.asarray(edges)
    counts = np.histogram(np.clip(magnitude, edges[0], edges[-1] * 0.999), bins=edges)[0]
    return counts, int(np.sum(delta == 0))
