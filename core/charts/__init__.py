"""Chart builders: pure functions from a run record to a Figure (a stable Vega-Lite spec and its rows).
No Streamlit here; ui/figures.py draws a Figure."""
from core.charts.figure import STEP_INPUT, STEP_PARAM, Figure, replay_token
from core.charts.flow import LIVE_ROWS, grad_norm_heatmap, gradient_profile, heatmap_rows, layer_rows, metric_lines
from core.charts.histograms import TITLES as HISTOGRAM_TITLES
from core.charts.histograms import activation_histograms, delta_histograms, histogram_rows, histogram_table, histograms
from core.charts.smoothing import ema
from core.charts.style import layer_color, shown_layers
from core.charts.training import data_and_boundary, sparsity_lines, training_curve

__all__ = [
    "Figure", "HISTOGRAM_TITLES", "LIVE_ROWS", "STEP_INPUT", "STEP_PARAM", "activation_histograms",
    "data_and_boundary", "delta_histograms", "ema", "grad_norm_heatmap", "gradient_profile", "heatmap_rows",
    "histogram_rows", "histogram_table", "histograms", "layer_color", "metric_lines", "replay_token", "shown_layers",
    "sparsity_lines", "training_curve", "layer_rows",
]
