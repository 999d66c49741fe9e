"""Sparsity, loss and accuracy over steps."""
import altair as alt
import pandas as pd

from core.charts.style import layer_color, n, q

SPARSITY_TITLES = {"sparsity": "exact zeros (%)", "dead_fraction": "dead units (%)", "saturation": "saturated (%)"}


def sparsity_lines(record, metric: str, height: int = 200, legend: bool = True) -> alt.Chart:
    frame = record.to_frame()
    frame = frame[frame.metric == metric].assign(percent=lambda f: 100 * f.value)
    return alt.Chart(frame[["step", "layer", "layer_index", "percent"]]).mark_line(strokeWidth=1.5).encode(
        alt.X(**q("step")),
        alt.Y(**q("percent"), title=SPARSITY_TITLES[metric], scale=alt.Scale(domain=[0, 100])),
        layer_color(len(record.layers), legend=legend), alt.Detail(**n("layer")),
        [alt.Tooltip(**n("layer")), alt.Tooltip(**q("step")), alt.Tooltip(**q("percent"), format=".1f")],
    ).properties(height=height, title=SPARSITY_TITLES[metric])


def training_curve(record, quantity: str, height: int = 200) -> alt.Chart:
    """Loss or accuracy on each recorded step's minibatch."""
    frame = record.training_frame()
    color = {"loss": "#d62728", "accuracy": "#1f77b4"}[quantity]
    scale = alt.Scale(domain=[0, 1]) if quantity == "accuracy" else alt.Scale(zero=False)
    return alt.Chart(frame).mark_line(strokeWidth=2, color=color).encode(
        alt.X(**q("step")), alt.Y(**q(quantity), scale=scale),
        [alt.Tooltip(**q("step")), alt.Tooltip(**q(quantity), format=".4f")],
    ).properties(height=height, title=f"{quantity} on the minibatch")


def data_and_boundary(record, points: pd.DataFrame, step: int, height: int = 300) -> alt.Chart:
    """The 2-D data over the predicted class on a grid, at the latest sampled model at or before `step`."""
    boundary = record.boundary
    layers = []
    if boundary and boundary["steps"]:
        candidates = [i for i, s in enumerate(boundary["steps"]) if s <= max(step, boundary["steps"][0])]
        at = candidates[-1]
        xs, ys = boundary["x"], boundary["y"]
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        grid = pd.DataFrame([(x, y) for y in ys for x in xs], columns=["x", "y"])
        grid = grid.assign(x2=grid.x + dx, y2=grid.y + dy, predicted=[str(c) for c in boundary["classes"][at]])
        layers.append(alt.Chart(grid).mark_rect(opacity=0.35).encode(
            alt.X(**q("x")), alt.X2(field="x2"), alt.Y(**q("y")), alt.Y2(field="y2"),
            alt.Color(**n("predicted"), scale=alt.Scale(domain=["0", "1"], range=["#4c78a8", "#f58518"]), legend=None)))
        title = f"decision boundary after {boundary['steps'][at]} updates"
    else:
        title = "data"
    layers.append(alt.Chart(points).mark_circle(size=14, opacity=0.85, stroke="white", strokeWidth=0.3).encode(
        alt.X(**q("x"), title=None), alt.Y(**q("y"), title=None),
        alt.Color(**n("label"), scale=alt.Scale(domain=["0", "1"], range=["#4c78a8", "#f58518"]), title="class")))
    return alt.layer(*layers).properties(height=height, title=title)
