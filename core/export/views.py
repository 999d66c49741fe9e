"""The Lab's charts by name, each drawn at the run's last recorded step: what the PNG and SVG exports offer,
and what an imported record must be able to draw before a page accepts it."""
import numpy as np

from core import charts
from core.charts.dead_units import units_heatmap
from core.dead_units import has_units
from core.engine.datasets import class_count, data_points


# rows=None: an export is drawn once, so it keeps 150 points per curve however deep the net (live frames
# hold fewer; core/charts/flow.live_points).
VIEWS = {
    "gradient flow by layer": lambda record: charts.gradient_profile(record, height=300),
    "grad_norm over training": lambda record: charts.metric_lines(record, "grad_norm", "grad_norm (‖∂loss/∂W‖)", log=True, rows=None),
    "grad_norm heat map": lambda record: charts.grad_norm_heatmap(record, rows=None),
    "activation histograms": lambda record: charts.histograms(record, "activation"),
    "∂loss/∂z histograms": lambda record: charts.histograms(record, "delta"),
    "exact zeros (sparsity)": lambda record: charts.sparsity_lines(record, "sparsity", rows=None),
    "dead units": lambda record: charts.sparsity_lines(record, "dead_fraction", rows=None),
    "saturation": lambda record: charts.sparsity_lines(record, "saturation", rows=None),
    "loss": lambda record: charts.training_curve(record, "loss"),
    "accuracy": lambda record: charts.training_curve(record, "accuracy"),
    "update-to-weight ratio": lambda record: charts.metric_lines(record, "update_ratio", "‖ΔW‖ / ‖W‖", log=True, guide=1e-3, rows=None),
}
BOUNDARY_VIEW = "data and decision boundary"


def view_names(record) -> list:
    """The charts this record can draw (the decision boundary only for 2-D data)."""
    return list(VIEWS) + ([BOUNDARY_VIEW] if record.boundary and record.boundary.get("steps") and _has_data(record) else [])


def _has_data(record) -> bool:
    """False for a run on an uploaded CSV this server no longer has (its points cannot be drawn)."""
    from core.config import RunConfig

    return class_count(RunConfig.from_dict(record.config)) is not None


def view(record, name: str) -> charts.Figure:
    if name == BOUNDARY_VIEW:
        from core.config import RunConfig

        points, classes = data_points(RunConfig.from_dict(record.config))  # what the Lab's Data view draws
        return charts.data_and_boundary(record, points, classes=classes)
    return VIEWS[name](record)


def draw_every_view(record) -> None:
    """Build each figure once (what a page does when it shows the record): raises if the record cannot."""
    for name in VIEWS:
        figure = VIEWS[name](record)
        for frame in figure.data.values():
            np.asarray(frame.select_dtypes("number"))  # materialize the rows
    charts.gradient_profile(record, step=record.steps[0])
    if BOUNDARY_VIEW in view_names(record):
        view(record, BOUNDARY_VIEW)
    if has_units(record):  # every layer's block has the shape the import checked: one layer proves them all
        units_heatmap(record, 1)
