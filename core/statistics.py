"""Per-layer statistics, computed inside the compiled step so only small arrays leave the device.

Histogram bins (documented in README, "Run record"):
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
    index = tf.cast(tf.floor((a - low) * (ACTIVATION_BINS / (high - low))), tf.int32)
    index = tf.clip_by_value(index, 0, ACTIVATION_BINS - 1)
    return tf.math.bincount(index, minlength=ACTIVATION_BINS, maxlength=ACTIVATION_BINS)


def delta_histogram(delta):
    """Counts per power of two of |delta| (float32), and the count of exact zeros apart."""
    exponent = tf.bitwise.bitwise_and(tf.bitwise.right_shift(tf.bitcast(delta, tf.int32), 23), 255) - 127
    index = tf.clip_by_value(exponent - DELTA_MIN_EXPONENT, 0, DELTA_BINS - 1)
    counts = tf.math.bincount(index, minlength=DELTA_BINS, maxlength=DELTA_BINS)
    zeros = tf.math.count_nonzero(tf.equal(delta, 0.0), dtype=tf.int32)
    # Zeros have exponent field 0 and were clipped into bin 0; take them out again.
    return tf.tensor_scatter_nd_sub(counts, [[0]], [zeros]), zeros


def forward_statistics(z, a, activation, alpha, low, high):
    """Statistics of one layer's forward pass (z and a in float32)."""
    zero = tf.cast(tf.equal(a, 0.0), tf.float32)
    local_gradient = tf.abs(derivative(activation, z, a, alpha))
    blocked = tf.cast(local_gradient < SATURATION_FRACTION * max_derivative(activation, alpha), tf.float32)
    scalars = {
        "preact_ms": tf.reduce_mean(tf.square(z)),
        "act_mean": tf.reduce_mean(a),
        "act_std": tf.math.reduce_std(a),
        "sparsity": tf.reduce_mean(zero),
        "dead_fraction": tf.reduce_mean(tf.reduce_min(zero, axis=0)),
        "saturation": tf.reduce_mean(blocked),
    }
    return scalars, activation_histogram(a, low, high)
