"""Each layer's factor of the back-propagated signal, rms(δ_l) / rms(δ_(l+1)), split into the weights' factor and
the activation's, on one log axis: the "product of many factors" of every textbook explanation, measured."""
import altair as alt
import numpy as np

from core.chain_rule import factors_along_depth
from core.charts.figure import Figure, from_altair
from core.charts.style import n, q

FACTORS = ["weights", "activation", "both"]
COLORS = ["#1f77b4", "#ff7f0e", "#333333"]


def factors_chart(record, index: int, selected: int | None = None, height: int = 260) -> Figure:
    """The factors by layer at the recorded step `index`; a rule marks the selected layer. A factor of exactly
    0 (an underflowed δ) or 0/0 has no place on a log axis and is left out (the panel above names it)."""
    frame = factors_along_depth(record, index)
    frame = frame[np.isfinite(frame.value) & (frame.value > 0)]
    depth = len(record.layers)
    x = alt.X(**q("layer_index"), title="layer l (1 = input)", scale=alt.Scale(domain=[1, max(depth, 2)]),
              axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y(**q("value"), title="factor from layer l+1 to l", scale=alt.Scale(type="log"), axis=alt.Axis(format=".1e"))
    color = alt.Color(**n("factor"), title=None, scale=alt.Scale(domain=FACTORS, range=COLORS), legend=alt.Legend(orient="top"))
    tooltip = [alt.Tooltip(**n("factor")), alt.Tooltip(**q("layer_index"), title="layer"),
               alt.Tooltip(**q("value"), format=".3e")]
    base = alt.Chart(frame)
    layers = [base.mark_line(strokeWidth=2, point=True).encode(x, y, color, tooltip),
              alt.Chart(frame).mark_rule(color="#999", strokeDash=[2, 2]).encode(y=alt.datum(1.0))]
    if selected is not None:
        layers.append(alt.Chart(frame).mark_rule(color="#d62728").encode(x=alt.datum(selected)))
    # no step in the spec: between two frames only the rows change, so the browser keeps the chart
    return from_altair(alt.layer(*layers).properties(height=height, title="each layer's factor at the step picked above"))
