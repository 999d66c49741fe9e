"""Per-layer statistics, computed inside the compiled step so only small arrays leave the device.

Histogram bins (documented in README, "Per-layer statistics"):
- activations: ACTIVATION_BINS equal bins per layer between edges chosen at step 0 (the whole output
  range for sigmoid and tanh; otherwise the layer's initial range widened by half its span). Values
  outside fall in the outer bins, so counts always add up to batch x width.
- delta (dL/dz): one bin per power of two of |delta|, read straight from the float's exponent bits,
  from 2^DELTA_MIN_EXPONENT to 2^(DELTA_MIN_EXPONENT + DELTA_BINS); the outer bins are open. Exact
  zeros are counted apart, so a dead unit's zeros never hide in the smallest bin.

Speed: on a CPU each TensorFlow op has a fixed cost of a few microseconds, so a layer's statistics are
written with as few ops as the definitions allow. The layers are visited by a tf.while_loop over the
stacked [depth, batch, width] maps, so the graph (and its tracing) does not grow with depth; each
iteration's [batch, width] slice stays in cache. Gradient norms and update ratios come from the stacked
kernels, a few ops for all layers at once.
"""
import functools

import tensorflow as tf

from core.activation_table import max_derivative
from core.engine.activations import derivative
from core.metrics import ACTIVATION_BINS, DELTA_BINS, DELTA_MIN_EXPONENT, MAP_METRICS, SATURATION_FRACTION


def blocks_where_z_is_not_positive(activation: str, alpha: float) -> bool:
    """True when |phi'(z)| < threshold exactly for z <= 0 (ReLU, and leaky slopes below the threshold)."""
    threshold = SATURATION_FRACTION * max_derivative(activation, alpha)
    return activation == "relu" or (activation in ("leaky_relu", "necro_relu") and abs(alpha) < threshold)


def activation_histogram(a, low, high):
    # One native op that clamps values outside [low, high] into the outer bins; it refuses NaN, which a
    # diverging step produces, so NaN counts in the top bin with the infinities.
    a = tf.where(tf.math.is_nan(a), high, a)
    return tf.histogram_fixed_width(a, tf.stack([low, high]), nbins=ACTIVATION_BINS)


def delta_histogram(delta):
    """Counts per power of two of |delta| (float32), and the count of exact zeros apart."""
    biased_exponent = tf.bitwise.bitwise_and(tf.bitwise.right_shift(tf.bitcast(delta, tf.int32), 23), 255)
    first = DELTA_MIN_EXPONENT + 127
    counts = tf.histogram_fixed_width(biased_exponent, [first, first + DELTA_BINS], nbins=DELTA_BINS)
    zeros = tf.math.count_nonzero(tf.equal(delta, 0.0), dtype=tf.int32)
    # Zeros have exponent field 0 and were clamped into bin 0; take them out again (after the loop, for
    # all layers at once: see layer_statistics).
    return counts, zeros


def map_statistics(z, a, delta, h, grad_a, activation, alpha, low, high, units):
    """One layer's statistics from its maps (float32 [batch, width]: z, a, delta = dL/dz, the stream h and
    dL/da): the MAP_METRICS values, the activation histogram, the delta histogram (zeros still in bin 0), the
    count of exact zeros of delta, and for each unit in `units` (indices) the examples where it is not 0."""
    zero = tf.cast(tf.equal(a, 0.0), tf.float32)
    zeros_per_unit = tf.reduce_sum(zero, axis=0)
    examples = tf.cast(tf.shape(a)[0], tf.float32)
    # from the per-unit sums, not a second pass over the map: whole counts, so the same float32 value
    sparsity = tf.reduce_sum(zeros_per_unit) / tf.cast(tf.size(zero), tf.float32)
    slope = derivative(activation, z, a, alpha)  # φ'(z), the factor the chain rule multiplies by
    if blocks_where_z_is_not_positive(activation, alpha) and activation != "leaky_relu":
        # ReLU and NecroReLU output exactly 0 where z <= 0 (and NaN where z is NaN, which is neither):
        # the saturated fraction is the sparsity, measured once.
        saturation = sparsity
    elif blocks_where_z_is_not_positive(activation, alpha):
        saturation = tf.reduce_mean(tf.cast(z <= 0.0, tf.float32))
    else:
        threshold = SATURATION_FRACTION * max_derivative(activation, alpha)
        saturation = tf.reduce_mean(tf.cast(tf.abs(slope) < threshold, tf.float32))
    act_mean, act_variance = tf.nn.moments(a, axes=[0, 1])
    scalars = tf.stack([
        tf.reduce_mean(tf.square(z)),
        act_mean,
        tf.sqrt(act_variance),
        sparsity,
        tf.reduce_mean(tf.cast(tf.equal(zeros_per_unit, examples), tf.float32)),  # units 0 for every example
        saturation,
        tf.reduce_mean(tf.square(delta)),
        tf.reduce_mean(tf.square(h)),
        tf.reduce_mean(tf.square(grad_a)),
        tf.reduce_mean(tf.square(slope)),
        tf.reduce_mean(tf.cast(tf.equal(slope, 0.0), tf.float32)),
    ])
    delta_counts, delta_zeros = delta_histogram(delta)
    alive = tf.cast(examples - tf.gather(zeros_per_unit, units), tf.int32)  # exact: counts below 2^24
    return scalars, activation_histogram(a, low, high), delta_counts, delta_zeros, alive


def layer_statistics(zs, activations, deltas, streams, grad_as, activation, alpha, low, high, units):
    """Statistics of every layer from their maps (lists of [batch, width] tensors, input side first); streams
    None: the stream is the activations (no residual connections), so they are not stacked twice. units: the
    indices of the units whose activity is recorded (core/metrics.py unit_indices).

    Returns (scalars [len(MAP_METRICS), depth], activation counts [depth, ACTIVATION_BINS],
    delta counts [depth, DELTA_BINS], delta zeros [depth], examples where each unit is not 0 [depth, units]).
    """
    z, a, delta, grad_a = (tf.stack([tf.cast(m, tf.float32) for m in maps]) for maps in (zs, activations, deltas, grad_as))
    h = a if streams is None else tf.stack([tf.cast(m, tf.float32) for m in streams])
    return compiled_statistics(activation, float(alpha))(z, a, delta, h, grad_a, low, high, units)


@functools.lru_cache(maxsize=64)
def compiled_statistics(activation: str, alpha: float):
    """The statistics as one tf.function per activation, for any depth, batch and width: traced once per
    server, so an eager step 0 (the preview of an architecture never traced) costs one call, not
    thousands of eager ops; the compiled step calls (and inlines) the same function."""
    maps = tf.TensorSpec([None, None, None], tf.float32)
    edges = tf.TensorSpec([None], tf.float32)
    return tf.function(functools.partial(stacked_statistics, activation=activation, alpha=alpha),
                       input_signature=[maps, maps, maps, maps, maps, edges, edges, tf.TensorSpec([None], tf.int32)],
                       autograph=False)


def stacked_statistics(z, a, delta, h, grad_a, low, high, units, activation, alpha):
    """layer_statistics on stacked [depth, batch, width] maps: a loop over the layers."""
    depth = tf.shape(z)[0]
    arrays = (
        tf.TensorArray(tf.float32, size=depth, element_shape=[len(MAP_METRICS)]),
        tf.TensorArray(tf.int32, size=depth, element_shape=[ACTIVATION_BINS]),
        tf.TensorArray(tf.int32, size=depth, element_shape=[DELTA_BINS]),
        tf.TensorArray(tf.int32, size=depth, element_shape=[]),
        tf.TensorArray(tf.int32, size=depth, element_shape=[None]),
    )

    def body(i, *arrays):
        outputs = map_statistics(z[i], a[i], delta[i], h[i], grad_a[i], activation, alpha, low[i], high[i], units)
        return (i + 1,) + tuple(array.write(i, value) for array, value in zip(arrays, outputs))

    _, *arrays = tf.while_loop(lambda i, *_: i < depth, body, (tf.constant(0),) + arrays)
    scalars, act_counts, delta_counts, delta_zeros, alive = (array.stack() for array in arrays)
    # Exact zeros were clamped into the lowest delta bin with the other tiny magnitudes; take them out.
    delta_counts = tf.concat([delta_counts[:, :1] - delta_zeros[:, None], delta_counts[:, 1:]], axis=1)
    return tf.transpose(scalars), act_counts, delta_counts, delta_zeros, alive


def safe_norm(x: tf.Tensor, axis) -> tf.Tensor:
    """The L2 norm over axis, with its squares summed in float64: a float32 gradient of 1e-20 per element
    squares to 1e-40, below float32's smallest normal number, and a float32 norm would read exactly 0 for a
    gradient that is not 0. Every float32's square fits in float64."""
    return tf.cast(tf.sqrt(tf.reduce_sum(tf.square(tf.cast(x, tf.float64)), axis=axis)), tf.float32)


def kernel_norms(kernels, tiny=False) -> tf.Tensor:
    """L2 norm of each layer's kernel, from the model's kernel variables (or their gradients or changes):
    the first kernel alone, then the stacked [depth - 1, width, width] hidden kernels. tiny: values may be
    far below 1e-19 (gradients), so their squares are summed in float64. Weights and their changes keep the
    cheaper float32 norm: float32 weights round a change that small away, unless the weights are themselves
    that small (a `zeros` kernel), where both norms read 0 and update_ratio is NaN, as for zero weights."""
    norm = safe_norm if tiny else _norm
    first = norm(tf.reshape(kernels[0], [1, -1]), axis=[1])
    if len(kernels) == 1:
        return first
    return tf.concat([first, norm(kernels[1], axis=[1, 2])], axis=0)


def _norm(x: tf.Tensor, axis) -> tf.Tensor:
    return tf.sqrt(tf.reduce_sum(tf.square(x), axis=axis))
