"""The per-layer metrics of a run record and the histograms' bins: what the record holds, with no TensorFlow.

The compiled step computes them (core/engine/statistics.py); the record, its import and the charts read these
names. The names and their order are part of the record's contract (gradflow.run/1).
"""

ACTIVATION_BINS = 30
DELTA_BINS = 48
DELTA_MIN_EXPONENT = -40
SATURATION_FRACTION = 0.05  # |phi'(z)| below 5% of its maximum counts as a blocked gradient
# Units per layer whose activity the record keeps at every recorded step (histograms["units"]): a heat map
# of units x steps shows which units died, and when. More would grow the record with the width for no new
# picture; 64 evenly spread units keep a depth-100 step's block at 12.8 KB.
UNITS_SHOWN = 64

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


def unit_indices(width: int) -> list:
    """The units whose activity is recorded: all of a narrow layer, else UNITS_SHOWN evenly spread from the
    first to the last, each named by its index in the layer."""
    if width <= UNITS_SHOWN:
        return list(range(width))
    return [round(i * (width - 1) / (UNITS_SHOWN - 1)) for i in range(UNITS_SHOWN)]
