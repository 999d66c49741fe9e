"""A heat map of one layer's units over the recorded steps: on what fraction of the batch each unit is not
exactly 0. Black cells are dead units (0 for every example of that step's minibatch)."""
import altair as alt

from core.charts.figure import Figure, from_altair
from core.charts.style import o, q
from core.dead_units import activity_frame

DEAD_COLOR = "#111111"
ALIVE_RANGE = ["#fdd49e", "#b30000"]  # a little alive to alive on every example


def units_heatmap(record, layer: int, height: int = 300) -> Figure:
    """Units (rows, by their index in the layer) by recorded steps (columns) of layer `layer` (1-based)."""
    frame = activity_frame(record, layer)
    color = alt.condition(
        "datum.examples == 0", alt.value(DEAD_COLOR),
        alt.Color(**q("alive"), title="not 0 on", scale=alt.Scale(domain=[0, 1], range=ALIVE_RANGE),
                  legend=alt.Legend(format=".0%", orient="right", gradientLength=120)))
    tooltip = [alt.Tooltip(**q("unit")), alt.Tooltip(**q("step")),
               alt.Tooltip(**q("alive"), title="not 0 on (fraction of the batch)", format=".1%"),
               alt.Tooltip(**q("examples"), title="examples where not 0")]
    chart = alt.Chart(frame).mark_rect().encode(
        x=alt.X(**q("step"), title="training step", scale=alt.Scale(nice=False, zero=False)),
        x2=alt.X2("until"),
        y=alt.Y(**o("unit"), title=f"unit of layer {layer} (its index)", sort="ascending",
                axis=alt.Axis(labelOverlap=True)),
        color=color, tooltip=tooltip)
    return from_altair(chart.properties(height=height, title=f"layer {layer}: where each unit is not 0 (black: dead)"))
