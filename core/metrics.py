"""The per-layer metrics of a run record and the histograms' bins: what the record holds, with no TensorFlow.

The compiled step computes them (core/engine/statistics.py); the record, its import and the charts read these
names. The names and their order are part of the record's contract (gradflow.run/1).
"""

ACTIVATION_BINS = 30
DELTA_BINS = 48
DELTA_MIN_EXPONENT = -40
SATURATION_FRACTION = 0.05  # |phi'(z)| below 5% of its maximum counts as a blocked gradient

# Order of the rows of the per-layer scalar block.
LAYER_METRICS = (
    "preact_ms", "act_mean", "act_std", "sparsity", "dead_fraction", "saturation", "grad_norm",
    "delta_ms", "update_ratio", "stream_ms", "grad_a_ms", "slope_ms", "slope_zeros",
)
# The ones measured from a layer's maps (z, a, delta, the stream h and ∂loss/∂a), in this order; grad_norm and
# update_ratio come from the kernels.
MAP_METRICS = ("preact_ms", "act_mean", "act_std", "sparsity", "dead_fraction", "saturation", "delta_ms",
               "stream_ms", "grad_a_ms", "slope_ms", "slope_zeros")
# Metrics added to gradflow.run/1 after its first records: a record written before them lacks them, and reads
# them as not measured (NaN) when it is imported.
ADDED_METRICS = ("stream_ms", "grad_a_ms", "slope_ms", "slope_zeros")
