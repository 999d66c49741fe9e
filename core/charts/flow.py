"""Gradient flow: a per-layer metric over steps, a layer x step heat map, and the profile against depth.

Each builder returns a Figure (core/charts/figure.py): a cached spec that depends on the run's shape only,
and the rows of this frame."""
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from core.charts.figure import STEP, Figure, at_step, finish, step_columns
from core.charts.smoothing import ema
from core.charts.style import layer_color, o, q

HEATMAP_COLUMNS = 120  # at most this many step columns, so a long run stays light in the browser


def total_steps(record) -> int:
    """The x axis of every chart over steps spans the whole run from the first frame, so curves grow
    left to right and the spec stays the same while the run trains."""
    return max(int(record.config.get("steps", 0) or 0), 1)


# While training, every chart over steps is sent and drawn again five times a second, and each point costs
# the browser time (Streamlit's Vega interprets every encoding) and the network bytes. So a live chart holds
# at most LIVE_CURVE_POINTS points per curve and LIVE_ROWS rows in all: a deep network's curves get fewer
# points each (a depth-100 run sent 6 MB a second to each watching browser before; bench/frame_bytes.py).
# Replay is sent once: all points.
LIVE_CURVE_POINTS = 150
LIVE_ROWS = 4000


def live_points(depth: int, rows: int | None = LIVE_ROWS) -> int:
    """Points per layer's curve (or heat-map columns) of a live frame: 150, fewer past depth 26. A chart drawn
    once (an export, a finished Compare) passes rows=None: 150 points per curve, however deep."""
    return LIVE_CURVE_POINTS if rows is None else max(2, min(LIVE_CURVE_POINTS, rows // max(depth, 1)))


def thinned(count: int, most: int | None = None) -> np.ndarray:
    """Evenly spread indices of at most `most` of `count` recorded steps, always with the first and last."""
    if most is None or count <= most:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, most).round().astype(int))


def layer_rows(record, metric: str, smoothing: float = 0.0, scale: float = 1.0, most: int | None = None):
    """Tidy rows (step, layer_index, value) of a per-layer metric, smoothed over all recorded steps with
    TensorBoard's moving average when smoothing > 0, then thinned to at most `most` steps."""
    values = ema(record.metric(metric) * scale, smoothing)
    keep = thinned(len(record.steps), most)
    values = values[keep]
    depth = len(record.layers)
    return pd.DataFrame({  # the smallest exact types: these rows are the bulk of what a live page sends
        "step": np.repeat(np.asarray(record.steps, dtype=np.int32)[keep], depth),
        "layer_index": np.tile(np.arange(1, depth + 1, dtype=np.int16), len(keep)),
        "value": values.reshape(-1),
    })


def step_rule():
    """Replay only: a vertical rule at the selected step (no rows to filter: it reads the parameter)."""
    return alt.Chart(alt.Data(values=[{}])).mark_rule(color="#333", strokeDash=[3, 3]).encode(
        alt.X(datum=alt.ExprRef(expr=STEP), type="quantitative"))


def x_steps(total: int, title="step"):
    return alt.X(**q("step"), title=title, scale=alt.Scale(domain=[0, total], nice=False))


@lru_cache(maxsize=256)
def lines_spec(depth: int, total: int, title: str, log: bool, guide, height: int, legend: bool, percent: bool,
               replay: bool) -> dict:
    if percent:
        scale = alt.Scale(domain=[0, 100])
    else:
        scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    # Rows come tidy and numeric: no fold or calculate in the browser (its Vega interprets expressions).
    lines = alt.Chart(alt.Data(name="rows")).mark_line(strokeWidth=1.5).encode(
        x_steps(total),
        alt.Y(**q("value"), title=title, scale=scale,
              axis=alt.Axis(format="d" if percent else ".0e" if log else "~g")),
        layer_color(depth, legend=legend), alt.Detail(**o("layer_index")),
        [alt.Tooltip(**o("layer_index"), title="layer"), alt.Tooltip(**q("step")),
         alt.Tooltip(**q("value"), format=".1f" if percent else ".3e")])
    layers = [lines]
    if guide is not None:
        layers.append(alt.Chart(alt.Data(values=[{"guide": guide}])).mark_rule(
            strokeDash=[6, 4], color="crimson").encode(alt.Y(**q("guide"))))
    if replay:
        layers.append(step_rule())
    return alt.layer(*layers).properties(height=height).to_dict(validate=False)


def metric_lines(record, metric: str, title: str, log: bool = True, guide=None, height: int = 220,
                 smoothing: float = 0.0, replay: bool = False, legend: bool = True, percent: bool = False,
                 chart_title: str | None = None, rows: int | None = LIVE_ROWS) -> Figure:
    """One line per layer of a per-layer metric over the recorded steps (percent: the value x 100); not
    replay: at most `rows` rows (see live_points)."""
    spec = lines_spec(len(record.layers), total_steps(record), title, log, guide, height, legend, percent, replay)
    if chart_title:
        spec = {**spec, "title": chart_title}
    rows = layer_rows(record, metric, smoothing, 100.0 if percent else 1.0,
                      None if replay else live_points(len(record.layers), rows))
    if log and not percent:
        rows = rows[rows.value > 0]  # log axes cannot show exact zeros; the sparsity views count those
    data = {"rows": rows}
    return Figure(finish(spec, record, replay), data)


@lru_cache(maxsize=64)
def heatmap_spec(total: int, height: int, replay: bool) -> dict:
    cells = alt.Chart(alt.Data(name="rows")).mark_rect().encode(
        x_steps(total), alt.X2(field="step_end"),
        alt.Y(**o("layer_index"), title="layer (1 = input)", sort="descending"),
        alt.Color(**q("log10_grad_norm"), title="log10 grad_norm", scale=alt.Scale(scheme="magma")),
        [alt.Tooltip(**q("step")), alt.Tooltip(**o("layer_index")), alt.Tooltip(**q("log10_grad_norm"), format=".2f")])
    chart = alt.layer(cells, step_rule()) if replay else cells
    return chart.properties(height=height).to_dict(validate=False)


def heatmap_rows(record, columns: int = HEATMAP_COLUMNS) -> pd.DataFrame:
    """At most `columns` step columns. Each cell spans half-way to its neighbours, so the first starts
    at the first step and the last ends at the last recorded step: no empty band after the run."""
    values = record.metric("grad_norm")
    count = len(record.steps)
    keep = np.unique(np.linspace(0, count - 1, min(count, columns)).astype(int))
    steps = np.asarray(record.steps, dtype=float)[keep]
    middles = (steps[1:] + steps[:-1]) / 2
    starts = np.concatenate([steps[:1], middles])
    ends = np.concatenate([middles, steps[-1:]])
    if len(steps) == 1:
        ends = starts + 0.5  # one recorded step: a thin column, not nothing
    depth = len(record.layers)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(values[keep])
    return pd.DataFrame({  # float32: half-steps are exact in it, and a colour needs no more digits
        "step": np.repeat(starts, depth).astype(np.float32), "step_end": np.repeat(ends, depth).astype(np.float32),
        "layer_index": np.tile(np.arange(1, depth + 1, dtype=np.int16), len(steps)),
        "log10_grad_norm": logs.reshape(-1).astype(np.float32),
    }).replace([np.inf, -np.inf], np.nan)


def grad_norm_heatmap(record, height: int = 220, replay: bool = False, rows: int | None = LIVE_ROWS) -> Figure:
    columns = HEATMAP_COLUMNS if replay else min(HEATMAP_COLUMNS, live_points(len(record.layers), rows))
    data = {"rows": heatmap_rows(record, columns)}
    return Figure(finish(heatmap_spec(total_steps(record), height, replay), record, replay), data)


@lru_cache(maxsize=64)
def profile_spec(depth: int, height: int, replay: bool) -> dict:
    x = alt.X(**q("layer_index"), title="layer (1 = input)", scale=alt.Scale(domain=[1, max(depth, 2)]),
              axis=alt.Axis(tickMinStep=1, format="d"))  # layers are whole numbers: no "layer 1.5" tick
    y = alt.Y(**q("grad_norm"), scale=alt.Scale(type="log"), title="grad_norm", axis=alt.Axis(format=".0e"))
    line = alt.Chart().mark_line(color="#888").encode(x, y)
    points = alt.Chart().mark_circle(size=70).encode(
        x, y, layer_color(depth),
        [alt.Tooltip(**q("layer_index")), alt.Tooltip(**q("grad_norm"), format=".3e"),
         alt.Tooltip(**q("delta_ms"), format=".3e")])
    chart = alt.layer(line, points, data=alt.Data(name="rows"))
    if replay:
        chart = chart.transform_calculate(grad_norm=at_step("g"), delta_ms=at_step("d"))
    chart = chart.transform_filter("datum.grad_norm > 0")
    return chart.properties(height=height, title="grad_norm by layer").to_dict(validate=False)


def profile_rows(record, index=None) -> pd.DataFrame:
    """One row per layer: at one recorded step index, or (index None) with a column per recorded step."""
    depth = len(record.layers)
    grad, delta = record.metric("grad_norm"), record.metric("delta_ms")
    if index is not None:
        return pd.DataFrame({"layer_index": np.arange(1, depth + 1), "grad_norm": grad[index],
                             "delta_ms": delta[index]})
    return pd.DataFrame({"layer_index": np.arange(1, depth + 1), **step_columns("g", grad.T),
                         **step_columns("d", delta.T)})


def gradient_profile(record, step: int | None = None, height: int = 220, replay: bool = False) -> Figure:
    """grad_norm against depth: the classic vanishing picture. Live: at `step` (default the last recorded);
    replay: every recorded step, the page's step input selects one."""
    index = None if replay else record.step_index(record.steps[-1] if step is None else step)
    spec = profile_spec(len(record.layers), height, replay)
    # SVG: a dozen points, and the browser test counts them
    return Figure(finish(spec, record, replay, svg=True), {"rows": profile_rows(record, index)})
