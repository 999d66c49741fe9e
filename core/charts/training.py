"""Sparsity, loss and accuracy over steps, and the 2-D data with the decision boundary."""
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from core.charts.figure import STEP_PARAM, Figure, finish
from core.charts.flow import LIVE_CURVE_POINTS, LIVE_ROWS, metric_lines, step_rule, thinned, total_steps, x_steps
from core.charts.smoothing import ema
from core.charts.style import n, q

SPARSITY_TITLES = {"sparsity": "exact zeros (%)", "dead_fraction": "dead units (%)", "saturation": "saturated (%)"}
CLASS_COLORS = alt.Scale(domain=["0", "1"], range=["#4c78a8", "#f58518"])
# An uploaded CSV may have up to 20 classes: Tableau 20's colours, reordered so that 0 and 1 keep the ones above.
MANY_CLASS_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6",
                     "#9d755d", "#bab0ac", "#9ecae9", "#ffbf79", "#88d27a", "#ff9d98", "#83bcb6", "#b79a20",
                     "#d6a5c9", "#fcbfd2", "#d8b5a5", "#79706e"]


def class_colors(classes: int) -> alt.Scale:
    if classes <= 2:
        return CLASS_COLORS
    return alt.Scale(domain=[str(k) for k in range(classes)], range=MANY_CLASS_COLORS[:classes])


def sparsity_lines(record, metric: str, height: int = 200, legend: bool = True, smoothing: float = 0.0,
                   replay: bool = False, rows: int | None = LIVE_ROWS) -> Figure:
    return metric_lines(record, metric, SPARSITY_TITLES[metric], log=False, height=height, legend=legend,
                        smoothing=smoothing, replay=replay, percent=True, chart_title=SPARSITY_TITLES[metric],
                        rows=rows)


@lru_cache(maxsize=64)
def curve_spec(quantity: str, total: int, height: int, smoothed: bool, replay: bool) -> dict:
    color = {"loss": "#d62728", "accuracy": "#1f77b4"}[quantity]
    scale = alt.Scale(domain=[0, 1]) if quantity == "accuracy" else alt.Scale(zero=False)
    base = alt.Chart(alt.Data(name="rows"))
    raw = base.mark_line(strokeWidth=1 if smoothed else 2, color=color, opacity=0.25 if smoothed else 1).encode(
        x_steps(total), alt.Y(**q("raw"), title=quantity, scale=scale),
        [alt.Tooltip(**q("step")), alt.Tooltip(**q("raw"), title=quantity, format=".4f")])
    layers = [raw]
    if smoothed:  # TensorBoard's picture: the raw curve faint behind its moving average
        layers.append(base.mark_line(strokeWidth=2, color=color).encode(
            x_steps(total), alt.Y(**q("smoothed"), scale=scale),
            [alt.Tooltip(**q("step")), alt.Tooltip(**q("smoothed"), format=".4f")]))
    if replay:
        layers.append(step_rule())
    return alt.layer(*layers).properties(height=height, title=f"{quantity} on the minibatch").to_dict(validate=False)


def training_curve(record, quantity: str, height: int = 200, smoothing: float = 0.0, replay: bool = False) -> Figure:
    """Loss or accuracy on each recorded step's minibatch (raw, and smoothed when smoothing > 0)."""
    raw = np.asarray(getattr(record, quantity), dtype=float)
    keep = thinned(len(raw), None if replay else LIVE_CURVE_POINTS)
    rows = pd.DataFrame({"step": np.asarray(record.steps, dtype=float)[keep], "raw": raw[keep],
                         "smoothed": ema(raw, smoothing)[keep]})
    return Figure(finish(curve_spec(quantity, total_steps(record), height, smoothing > 0, replay), record, replay),
                  {"rows": rows})


SAMPLE = "boundary_sample"  # replay: the boundary sample shown at the selected step


@lru_cache(maxsize=64)
def boundary_spec(height: int, replay: bool, has_boundary: bool, classes: int = 2) -> dict:
    layers = []
    if has_boundary:
        grid = alt.Chart(alt.Data(name="grid"))
        if replay:
            grid = grid.transform_calculate(predicted=f"'' + datum['c' + {SAMPLE}]")
        layers.append(grid.mark_rect(opacity=0.35).encode(
            alt.X(**q("x")), alt.X2(field="x2"), alt.Y(**q("y")), alt.Y2(field="y2"),
            alt.Color(**n("predicted"), scale=class_colors(classes), legend=None)))
    layers.append(alt.Chart(alt.Data(name="points")).mark_circle(
        size=14, opacity=0.85, stroke="white", strokeWidth=0.3).encode(
        alt.X(**q("x"), title=None), alt.Y(**q("y"), title=None),
        alt.Color(**n("label"), scale=class_colors(classes), title="class")))
    # The caption is a text mark fed by data, so the spec does not change with the step.
    caption = alt.Chart(alt.Data(name="samples"))
    if replay and has_boundary:
        caption = caption.transform_filter(f"datum.k == {SAMPLE}")
    layers.append(caption.mark_text(align="left", baseline="bottom", fontWeight="bold", fontSize=12, dy=-6).encode(
        x=alt.value(0), y=alt.value(0), text=alt.Text(field="caption", type="nominal")))
    return alt.layer(*layers).properties(height=height).to_dict(validate=False)


def sample_at(record) -> np.ndarray:
    """For each recorded step, the latest boundary sample taken after at most that many updates."""
    sample_steps = np.asarray(record.boundary["steps"])
    return np.maximum(np.searchsorted(sample_steps, np.asarray(record.steps), side="right") - 1, 0)


def boundary_rows(record, sample=None) -> tuple:
    """Grid cells with the predicted class of one sample, or (sample None) a column per sample ("c0", ...)."""
    boundary = record.boundary
    xs, ys = np.asarray(boundary["x"], dtype=float), np.asarray(boundary["y"], dtype=float)
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    gx, gy = np.tile(xs, len(ys)), np.repeat(ys, len(xs))
    # float32: cell corners on a screen need no more digits, and the live grid goes out ten times a second
    grid = pd.DataFrame({"x": gx, "y": gy, "x2": gx + dx, "y2": gy + dy}).astype(np.float32)
    captions = [f"decision boundary after {s} update{'' if s == 1 else 's'}" for s in boundary["steps"]]
    if sample is not None:
        grid["predicted"] = np.asarray(boundary["classes"][sample]).astype(str)
        return grid, pd.DataFrame({"k": [sample], "caption": [captions[sample]]})
    classes = np.asarray(boundary["classes"], dtype=np.int8)  # [sample, cell]
    grid = pd.concat([grid, pd.DataFrame({f"c{k}": classes[k] for k in range(len(classes))})], axis=1)
    return grid, pd.DataFrame({"k": np.arange(len(captions)), "caption": captions})


def data_and_boundary(record, points: pd.DataFrame, step: int | None = None, height: int = 300,
                      replay: bool = False, classes: int = 2) -> Figure:
    """The 2-D data over the predicted class on a grid: live, of the latest model sampled at or before
    `step`; replay, of every sample (the step input selects one)."""
    boundary = record.boundary
    has = bool(boundary and boundary.get("steps"))
    data = {"points": points}
    params = ()
    if has:
        if replay:
            data["grid"], data["samples"] = boundary_rows(record)
            params = ({"name": SAMPLE, "expr": f"{sample_at(record).tolist()}[toNumber({STEP_PARAM})]"},)
        else:
            at = record.steps[-1] if step is None else step
            data["grid"], data["samples"] = boundary_rows(
                record, max([k for k, s in enumerate(boundary["steps"]) if s <= at] or [0]))
    else:
        data["samples"] = pd.DataFrame({"k": [0], "caption": ["data"]})
    return Figure(finish(boundary_spec(height, replay, has, classes), record, replay, params=params), data)
