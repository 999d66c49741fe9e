"""Chart builders: pure functions from a run record to Altair charts (no Streamlit here)."""
from core.charts.flow import grad_norm_heatmap, gradient_profile, metric_lines
from core.charts.histograms import TITLES as HISTOGRAM_TITLES
from core.charts.histograms import activation_histograms, delta_histograms, histogram_rows
from core.charts.histograms import panels as histogram_panels
from core.charts.style import layer_color, shown_layers
from core.charts.training import data_and_boundary, sparsity_lines, training_curve

__all__ = [
    "HISTOGRAM_TITLES", "activation_histograms", "data_and_boundary", "delta_histograms", "histogram_panels",
    "histogram_rows", "grad_norm_heatmap", "gradient_profile",
    "layer_color", "metric_lines", "shown_layers", "sparsity_lines", "training_curve",
]
