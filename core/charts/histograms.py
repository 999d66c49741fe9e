"""Per-layer histograms at one step, as small multiples, with the zero and saturation regions marked."""
import altair as alt
import numpy as np
import pandas as pd

from core.charts.style import layer_color, shown_layers

# Where |phi'| < 5% of its maximum, in activation space (so it can be drawn on an activation histogram).
SATURATED_OUTPUTS = {
    "sigmoid": [(0.0, 0.01266), (0.98734, 1.0)],
    "tanh": [(-1.0, -0.97468), (0.97468, 1.0)],
    "softplus": [(0.0, 0.05129)],
    "elu": [(-1.0, -0.95)],
    "selu": [(-1.7581, -1.6702)],
}


def _panels(frame, depth, x, x2, x_title, marks, columns=5):
    chart = alt.Chart(frame).mark_rect(opacity=0.9).encode(
        x=alt.X(x, title=x_title), x2=x2,
        y=alt.Y("fraction:Q", title="fraction", axis=alt.Axis(format="%")),
        color=layer_color(depth, legend=False),
        tooltip=["layer:N", alt.Tooltip("low:Q", format=".3g"), alt.Tooltip("high:Q", format=".3g"),
                 alt.Tooltip("fraction:Q", format=".1%")],
    )
    layered = alt.layer(*marks, chart) if marks else chart
    return layered.properties(width=150, height=90).facet(
        facet=alt.Facet("layer_index:O", title=None, header=alt.Header(labelExpr="'layer ' + datum.value")),
        columns=columns,
    ).resolve_scale(x="independent", y="independent")


def activation_histograms(record, step: int) -> alt.Chart:
    frame = record.histogram_frame("activation", step)
    depth = len(record.layers)
    frame = frame[frame.layer_index.isin(shown_layers(depth))]
    activation = record.config.get("activation")
    bands = [{"start": s, "end": e} for s, e in SATURATED_OUTPUTS.get(activation, [])]
    marks = []
    if bands:
        marks.append(alt.Chart(pd.DataFrame(bands)).mark_rect(color="orange", opacity=0.25).encode(x="start:Q", x2="end:Q"))
    marks.append(alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="crimson", strokeDash=[4, 3]).encode(x="zero:Q"))
    return _panels(frame, depth, "low:Q", "high:Q", "activation a (orange: saturated, red: 0)", marks)


def delta_histograms(record, step: int) -> alt.Chart:
    """Histograms of dL/dz on log10 |dL/dz|; exact zeros drawn in red at the left."""
    frame = record.histogram_frame("delta", step)
    depth = len(record.layers)
    index = record.step_index(step)
    zeros = np.asarray(record.histograms["delta"]["zeros"][index], dtype=float)
    totals = frame.groupby("layer_index")["count"].sum().reindex(range(1, depth + 1)).to_numpy() + zeros
    frame = frame.assign(low=np.log10(frame.low), high=np.log10(frame.high))
    smallest = frame.low.min()
    zero_rows = pd.DataFrame({
        "layer": record.layers, "layer_index": np.arange(1, depth + 1), "low": smallest - 1.5, "high": smallest - 0.5,
        "count": zeros, "fraction": np.divide(zeros, totals, out=np.zeros_like(zeros), where=totals > 0),
    })
    shown = shown_layers(depth)
    frame = frame[frame.layer_index.isin(shown) & (frame["count"] > 0)]
    zero_rows = zero_rows[zero_rows.layer_index.isin(shown)]
    zero_marks = alt.Chart(zero_rows).mark_rect(color="crimson").encode(x="low:Q", x2="high:Q", y="fraction:Q")
    return _panels(pd.concat([frame, zero_rows.assign(count=0, fraction=0.0)]), depth, "low:Q", "high:Q",
                   "log10 |dL/dz| (red: exact 0)", [zero_marks])
