"""The chain rule of one layer, drawn: its numbers at a step (a row of figures), and each layer's factor of the
back-propagated signal, rms(δ_l) / rms(δ_(l+1)), split into the weights' factor and the activation's, on one log
axis: the "product of many factors" of every textbook explanation, measured.

The specs depend on the depth and the picked layer only: the Lab streams their rows (static/gradflow/
live_charts.js computes them from each recorded step, as core/chain_rule.py does), so both follow the step bar.
"""
import altair as alt

from core.charts.style import n, q

FACTORS = ["weights", "activation", "both"]
COLORS = ["#1f77b4", "#ff7f0e", "#333333"]
ROWS = alt.Data(name="rows")


def numbers_titles(layer: int, residual: bool) -> list:
    """The figures' titles, in the order the page's script fills in their values (live_charts.js, "chain")."""
    above = f"∂loss/∂h_{layer + 1} + " if residual else ""
    return [f"rms δ_{layer + 1}", "× the weights' gain" + (" (skip included)" if residual else ""),
            "× the activation's factor", f"= rms δ_{layer}", f"rms φ'(z_{layer})", f"φ'(z_{layer}) exactly 0 on",
            f"skip: rms ∂loss/∂h_{layer + 1}" if residual else f"rms ({above}W_{layer + 1}ᵀ δ_{layer + 1})",
            "at step"]


def numbers_spec(height: int = 132) -> dict:
    """Two rows of four figures, each a small title over its value (rows: col, row, title, value)."""
    x = alt.X(**q("col"), scale=alt.Scale(domain=[0, 4]), axis=None)
    y = alt.Y(**q("row"), scale=alt.Scale(domain=[0, 2], reverse=True), axis=None)
    title = alt.Chart().mark_text(align="left", baseline="top", fontSize=13, color="#6b6f76").encode(
        x, y, text=alt.Text(**n("title")))
    value = alt.Chart().mark_text(align="left", baseline="top", fontSize=24, dy=20, color="#31333f").encode(
        x, y, text=alt.Text(**n("value")))
    chart = alt.layer(title, value, data=ROWS).properties(height=height).configure_view(stroke=None)
    return chart.to_dict(validate=False)


def factors_spec(depth: int, selected: int | None = None, height: int = 260) -> dict:
    """The factors by layer (rows: layer_index, factor, value); a rule marks the selected layer. A factor of
    exactly 0 (an underflowed δ) or 0/0 has no place on a log axis and is left out (the figures above name it)."""
    x = alt.X(**q("layer_index"), title="layer l (1 = input)", scale=alt.Scale(domain=[1, max(depth, 2)]),
              axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y(**q("value"), title="factor from layer l+1 to l", scale=alt.Scale(type="log"), axis=alt.Axis(format=".1e"))
    color = alt.Color(**n("factor"), title=None, scale=alt.Scale(domain=FACTORS, range=COLORS), legend=alt.Legend(orient="top"))
    tooltip = [alt.Tooltip(**n("factor")), alt.Tooltip(**q("layer_index"), title="layer"),
               alt.Tooltip(**q("value"), format=".3e")]
    layers = [alt.Chart().mark_line(strokeWidth=2, point=True).encode(x, y, color, tooltip),
              alt.Chart().mark_rule(color="#999", strokeDash=[2, 2]).encode(y=alt.datum(1.0))]
    if selected is not None:
        layers.append(alt.Chart().mark_rule(color="#d62728").encode(x=alt.datum(selected)))
    chart = alt.layer(*layers, data=ROWS).properties(height=height, title="each layer's factor at the step on the step bar")
    return chart.to_dict(validate=False)

