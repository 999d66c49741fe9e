"""Sparsity, loss and accuracy over steps."""
import altair as alt
import pandas as pd

from core.charts.style import layer_color

SPARSITY_TITLES = {"sparsity": "exact zeros (%)", "dead_fraction": "dead units (%)", "saturation": "saturated (%)"}


def sparsity_lines(record, metric: str, height: int = 200, legend: bool = True) -> alt.Chart:
    frame = record.to_frame()
    frame = frame[frame.metric == metric].assign(percent=lambda f: 100 * f.value)
    return alt.Chart(frame).mark_line(strokeWidth=1.5).encode(
        x=alt.X("step:Q"),
        y=alt.Y("percent:Q", title=SPARSITY_TITLES[metric], scale=alt.Scale(domain=[0, 100])),
        color=layer_color(len(record.layers), legend=legend), detail="layer:N",
        tooltip=["layer:N", "step:Q", alt.Tooltip("percent:Q", format=".1f")],
    ).properties(height=height, title=SPARSITY_TITLES[metric])


def training_curve(record, quantity: str, height: int = 200) -> alt.Chart:
    """Loss or accuracy on each recorded step's minibatch."""
    frame = record.training_frame()
    color = {"loss": "#d62728", "accuracy": "#1f77b4"}[quantity]
    scale = alt.Scale(domain=[0, 1]) if quantity == "accuracy" else alt.Scale(zero=False)
    return alt.Chart(frame).mark_line(strokeWidth=2, color=color).encode(
        x="step:Q", y=alt.Y(f"{quantity}:Q", scale=scale),
        tooltip=["step:Q", alt.Tooltip(f"{quantity}:Q", format=".4f")],
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
            x="x:Q", x2="x2:Q", y="y:Q", y2="y2:Q",
            color=alt.Color("predicted:N", scale=alt.Scale(domain=["0", "1"], range=["#4c78a8", "#f58518"]), legend=None)))
        title = f"data and decision boundary after {boundary['steps'][at]} updates"
    else:
        title = "data"
    layers.append(alt.Chart(points).mark_circle(size=14, opacity=0.85, stroke="white", strokeWidth=0.3).encode(
        x=alt.X("x:Q", title=None), y=alt.Y("y:Q", title=None),
        color=alt.Color("label:N", scale=alt.Scale(domain=["0", "1"], range=["#4c78a8", "#f58518"]), title="class")))
    return alt.layer(*layers).properties(height=height, width=height, title=title)
