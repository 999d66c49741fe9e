"""Per-layer statistics, computed inside the compiled step so only small arrays leave the device.

Histogram bins (documented in README, "Per-layer statistics"):
- activations: ACTIVATION_BINS equal bins per layer between edges chosen at step 0 (the whole output
  range for sigmoid and tanh; otherwise the layer's initial range widened by half its span). Values
  outside fall in the outer bins, so counts always add up to batch x width.
- delta (dL/dz): one bin per power of two of |delta|, read straight from the float's exponent bits,
  from 2^DELTA_MIN_EXPONENT to 2^(DELTA_MIN_EXPONENT + DELTA_BINS); the outer bins are open. Exact
  zeros are counted apart, so a dead unit's zeros never hide in the smallest bin.
"""
import tensorflow as tf

from core.activations import derivative, max_derivative

ACTIVATION_BINS = 30
DELTA_BINS = 48
DELTA_MIN_EXPONENT = -40
SATURATION_FRACTION = 0.05  # |phi'(z)| below 5% of its maximum counts as a blocked gradient

# Order of the rows of the per-layer scalar block; these names are part of the record's contract.
LAYER_METRICS = (
    "preact_ms", "act_mean", "act_std", "sparsity", "dead_fraction", "saturation", "grad_norm",
    "delta_ms", "update_ratio",
)


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
    # Zeros have exponent field 0 and were clamped into bin 0; take them out again.
    return tf.tensor_scatter_nd_sub(counts, [[0]], [zeros]), zeros


def forward_statistics(z, a, activation, alpha, low, high):
    """Statistics of one layer's forward pass (z and a in float32)."""
    zero = tf.cast(tf.equal(a, 0.0), tf.float32)
    threshold = SATURATION_FRACTION * max_derivative(activation, alpha)
    if activation == "relu" or (activation in ("leaky_relu", "necro_relu") and abs(alpha) < threshold):
        blocked = tf.cast(z <= 0.0, tf.float32)  # the derivative's own test, in two ops instead of six
    else:
        blocked = tf.cast(tf.abs(derivative(activation, z, a, alpha)) < threshold, tf.float32)
    scalars = {
        "preact_ms": tf.reduce_mean(tf.square(z)),
        "act_mean": tf.reduce_mean(a),
        "act_std": tf.math.reduce_std(a),
        "sparsity": tf.reduce_mean(zero),
        "dead_fraction": tf.reduce_mean(tf.reduce_min(zero, axis=0)),
        "saturation": tf.reduce_mean(blocked),
    }
    return scalars, activation_histogram(a, low, high)
