"""Sweep charts: a heat map of the outcome over two axes, or lines with the seeds' range over one, and the
theory's depth scale xi where it applies (a dashed line at xi layers). A click on a cell or a point selects
it ("pick": the cell's index), which the page turns into a Lab link.

The spec depends only on the grid's axes, the outcome and whether xi is drawn, never on results, so while a
sweep runs the browser keeps its view and swaps only the rows (cells fill in as they finish)."""
import textwrap
from functools import lru_cache

import altair as alt
import pandas as pd

from core.charts.figure import Figure
from core.charts.style import n, o, q
from core.charts.sweep_rows import Axis, axis, label
from core.sweep.outcomes import OUTCOMES

PICK = "pick"
# Colour per outcome: bright is "trains well" (high accuracy, low loss, few steps, no dead units); the
# gradient ratio is the phase diagram's blue (vanishing, below 1) to red (exploding, above 1).
COLORS = {
    "grad_ratio": dict(scheme="redblue", reverse=True, domain=[-3, 3], domainMid=0, clamp=True),
    "final_loss": dict(scheme="viridis", reverse=True, zero=False),
    "final_accuracy": dict(scheme="viridis", zero=False),
    "dead_fraction": dict(scheme="inferno", reverse=True, domain=[0, 1]),
    "steps_to_target": dict(scheme="viridis", reverse=True, zero=False),
}
DARK_TEXT_BELOW = 0.35  # white text on cells darker than this luminance


AXIS_TITLES = {"sigma_w": "σ_w", "sigma_b": "σ_b", "learning_rate": "learning rate", "batch_size": "batch size",
               "weight_decay": "weight decay", "record_every": "record every"}


def axis_title(name: str) -> str:
    return AXIS_TITLES.get(name, name)


def outcome_title(outcome: str) -> str:
    spec = OUTCOMES[outcome]
    return f"log10 ({spec.label})" if spec.log_scale else spec.label


def _scale(ax: Axis):
    if ax.numeric:
        return alt.Scale(type="log" if ax.log else "linear", domain=ax.domain, nice=False)
    return alt.Scale(domain=list(ax.domain))


def _axis(ax: Axis):
    if ax.numeric:  # ticks at the swept values only
        return alt.Axis(values=[float(v) for v in ax.labels], grid=False)
    return alt.Axis(labelLimit=220, labelAngle=0)


def _centre(ax: Axis, channel: str):
    """The encoding of a cell's value (its centre on a category axis)."""
    encode = alt.X if channel == "x" else alt.Y
    kind = q if ax.numeric else o
    return encode(**kind(channel), title=axis_title(ax.name), scale=_scale(ax), axis=_axis(ax))


def _extent(ax: Axis, channel: str) -> list:
    """The encodings that span a cell: from its low to its high edge on a numeric axis, the band otherwise."""
    if not ax.numeric:
        return [_centre(ax, channel)]
    encode, encode2 = (alt.X, alt.X2) if channel == "x" else (alt.Y, alt.Y2)
    return [encode(**q(f"{channel}_low"), title=axis_title(ax.name), scale=_scale(ax), axis=_axis(ax)),
            encode2(field=f"{channel}_high")]


def _tooltip(outcome: str):
    return [alt.Tooltip(**n("where"), title="cell"), alt.Tooltip(**q("mean"), title=f"{outcome_title(outcome)}, mean", format=".4g"),
            alt.Tooltip(**q("low"), title="lowest seed", format=".4g"),
            alt.Tooltip(**q("high"), title="highest seed", format=".4g"), alt.Tooltip(**q("seeds"), title="seeds"),
            alt.Tooltip(**n("state"))]


@lru_cache(maxsize=32)
def heatmap_spec(x: Axis, y: Axis, outcome: str, xi: str | None, any_done: bool = True) -> dict:
    """Two axes: a cell per grid point coloured by the mean over seeds, its mean and range as text. xi is
    None or "rule" (one dashed rule per row). The second axis is always a row per value (a numeric one with
    its largest value on top). Until a cell is done (any_done) there is no colour legend: its range would
    read NaN."""
    extent = _extent(x, "x") + _extent(y, "y")
    pick = alt.selection_point(name=PICK, fields=["cell"], on="click", clear=False)
    color = alt.Color(**q("mean"), title=textwrap.wrap(outcome_title(outcome), 24), scale=alt.Scale(**COLORS[outcome]),
                      legend=alt.Legend(orient="right", gradientLength=220) if any_done else None)
    base = alt.Chart(alt.Data(name="cells"))
    # Unfinished cells get fixed greys (conditions, not a second colour scale, which would merge with the outcome's).
    grey = {"condition": [{"test": "datum.state == 'waiting'", "value": "#f0f0f0"},
                          {"test": "datum.state == 'running'", "value": "#d9d9d9"}], "value": "#a8a8a8"}
    empty = base.mark_rect(stroke="white", strokeWidth=1, cursor="pointer").encode(
        *extent, color=grey, tooltip=_tooltip(outcome)).add_params(pick)
    filled = base.mark_rect(stroke="white", strokeWidth=1, cursor="pointer").encode(
        *extent, color=color, tooltip=_tooltip(outcome)).transform_filter("datum.state == 'done'")
    centre_x, centre_y = _centre(x, "x"), _centre(y, "y")
    ink = {"condition": {"test": f"datum.state == 'done' && luminance(scale('color', datum.mean)) < {DARK_TEXT_BELOW}",
                         "value": "white"}, "value": "black"}
    line1 = base.mark_text(fontSize=13, fontWeight="bold", dy=-7).encode(centre_x, centre_y, alt.Text(**n("line1")),
                                                                          color=ink)
    line2 = base.mark_text(fontSize=10, dy=8).encode(centre_x, centre_y, alt.Text(**n("line2")), color=ink)
    layers = [empty, filled, line1, line2]
    if xi:
        dashed = alt.Chart(alt.Data(name="xi"))
        xi_x = alt.X(**q("xi"), scale=_scale(x))
        xi_tip = [alt.Tooltip(**q("xi"), title="depth scale ξ (layers)", format=".3g")]
        # one xi per row, across the row, named at its top
        # A tick spans its row's band (a rule would run along the row); drawn as a dashed outline.
        layers.append(dashed.mark_tick(orient="vertical", filled=False, stroke="black", strokeDash=[5, 3], strokeWidth=2.5,
                                       thickness=0.5, clip=True).encode(
            xi_x, alt.Y(**o("y"), scale=_scale(y), bandPosition=0.5), tooltip=xi_tip))
        layers.append(dashed.mark_text(align="left", dx=4, dy=-12, fontSize=11,
                                       fontStyle="italic", clip=True).encode(xi_x, _centre(y, "y"), alt.Text(**n("label"))))
    return alt.layer(*layers).properties(height=height_per_row(y) * len(y.labels)).to_dict(validate=False)


def height_per_row(y: Axis) -> float:
    return max(44.0, min(70.0, 520 / len(y.labels)))


@lru_cache(maxsize=32)
def lines_spec(x: Axis, outcome: str, xi: bool, height: int = 340) -> dict:
    """One axis: the mean over seeds as a line with points, the lowest to highest seed as a band, and xi as
    a dashed rule."""
    x_enc = _centre(x, "x")
    y_enc = alt.Y(**q("mean"), title=outcome_title(outcome), scale=alt.Scale(zero=False))
    base = alt.Chart(alt.Data(name="cells")).transform_filter("datum.state == 'done'")
    pick = alt.selection_point(name=PICK, fields=["cell"], on="click", clear=False)
    band = base.mark_area(opacity=0.25, color="#1f77b4").encode(x_enc, alt.Y(**q("low"), title=outcome_title(outcome)),
                                                                 alt.Y2(field="high"))
    line = base.mark_line(color="#1f77b4").encode(x_enc, y_enc)
    points = base.mark_point(filled=True, size=90, color="#1f77b4", cursor="pointer").encode(
        x_enc, y_enc, tooltip=_tooltip(outcome)).add_params(pick)
    layers = [band, line, points]
    if xi:
        rule = alt.Chart(alt.Data(name="xi")).mark_rule(strokeDash=[6, 3], strokeWidth=2, color="black").encode(
            alt.X(**q("xi"), scale=_scale(x)), tooltip=[alt.Tooltip(**q("xi"), title="depth scale ξ (layers)", format=".3g")])
        text = alt.Chart(alt.Data(name="xi")).mark_text(align="left", dx=4, dy=-6, baseline="top").encode(
            alt.X(**q("xi"), scale=_scale(x)), alt.YValue(0), alt.Text(**n("label")))
        layers += [rule, text]
    return alt.layer(*layers).properties(height=height).to_dict(validate=False)


def sweep_figure(grid, outcome: str, cells, xi_rows=None) -> Figure:
    """The chart of a sweep's first one or two axes: its spec (cached) and its rows: "cells" (sweep_rows.
    cell_rows) and "xi" (core.sweep.theory.overlay's rows, drawn when the first axis is depth)."""
    axes = [axis(name, values) for name, values in grid.axes[:2]]
    data = {"cells": cells}
    has_xi = xi_rows is not None and len(xi_rows) > 0 and axes[0].name == "depth" and axes[0].numeric
    if len(axes) == 1:
        if has_xi:
            data["xi"] = xi_rows.assign(label=[f"ξ = {v:.3g} layers" for v in xi_rows["xi"]])
        return Figure(lines_spec(axes[0], outcome, has_xi), data)
    rows = as_rows(axes[1])
    if has_xi:
        data["xi"] = pd.DataFrame({"xi": xi_rows["xi"], "y": [label(v) for v in xi_rows[rows.name]],
                                   "label": [f"ξ = {v:.2g}" for v in xi_rows["xi"]]})
    data["cells"] = cells.assign(y=[label(v) for v in cells["y"]])
    any_done = bool((cells["state"] == "done").any()) if len(cells) else False
    return Figure(heatmap_spec(axes[0], rows, outcome, "rule" if has_xi else None, any_done), data)


def as_rows(ax: Axis) -> Axis:
    """The second axis of a heat map as a row per value, the largest number on top."""
    if not ax.numeric:
        return ax
    return Axis(ax.name, tuple(reversed(ax.labels)), False)
