"""Theory beside the measurement: step 0's per-layer statistics with mean-field predictions as dashed lines,
and the exact zeros of dloss/dz that low precision rounds to (pure functions, like every chart builder)."""
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from core.charts.compare import run_color
from core.charts.figure import Figure, at_step, finish, from_altair, step_columns
from core.charts.style import n, q

TITLES = {"preact_ms": "preact_ms (mean of z²)", "delta_relative": "delta_ms ÷ last layer's"}
KINDS = ["measured at step 0", "theory"]
COMPARE_TITLES = {"preact_ms": "preact_ms (mean of z²)", "delta_relative": "delta_ms (mean of (∂loss/∂z)²) ÷ last layer's"}


def step0_rows(record, prediction) -> pd.DataFrame:
    """layer_index, quantity (preact_ms or delta_relative), kind (measured or theory), value. Without a
    prediction (None), the measured rows only."""
    depth = len(record.layers)
    preact = record.metric("preact_ms")[0]
    delta = record.metric("delta_ms")[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = delta / delta[-1]
    layers = np.arange(1, depth + 1)
    parts = [("preact_ms", KINDS[0], preact), ("delta_relative", KINDS[0], relative)]
    if prediction is not None:
        parts += [("preact_ms", KINDS[1], prediction.preact_ms), ("delta_relative", KINDS[1], prediction.delta_relative)]
    frame = pd.concat([pd.DataFrame({"layer_index": layers, "quantity": name, "kind": kind, "value": values})
                       for name, kind, values in parts], ignore_index=True)
    return frame[np.isfinite(frame.value) & (frame.value > 0)]  # log axes; exact zeros are named elsewhere


@lru_cache(maxsize=64)
def _beside_spec(depth: int, quantity: str, height: int) -> dict:
    x = alt.X(**q("layer_index"), title="layer (1 = input)", scale=alt.Scale(domain=[1, max(depth, 2)]),
              axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y(**q("value"), title=TITLES[quantity], scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e"))
    dash = alt.StrokeDash(**n("kind"), title=None, scale=alt.Scale(domain=KINDS, range=[[1, 0], [6, 4]]),
                          legend=alt.Legend(orient="top"))
    color = alt.Color(**n("kind"), title=None, scale=alt.Scale(domain=KINDS, range=["#1f77b4", "#d62728"]),
                      legend=alt.Legend(orient="top"))  # merged with the dash legend into one
    tooltip = [alt.Tooltip(**n("kind")), alt.Tooltip(**q("layer_index"), title="layer"),
               alt.Tooltip(**q("value"), format=".3e")]
    base = alt.Chart(alt.Data(name="rows")).transform_filter(f"datum.quantity == '{quantity}'")
    lines = base.mark_line(strokeWidth=2).encode(x, y, dash, color, tooltip)
    points = base.transform_filter(f"datum.kind == '{KINDS[0]}'").mark_circle(size=30).encode(x, y, color, tooltip)
    return alt.layer(lines, points).properties(height=height).to_dict(validate=False)


def theory_beside(record, prediction, quantity: str, height: int = 280) -> Figure:
    """preact_ms or delta_ms relative to the last layer, by layer: measured at step 0, and theory dashed."""
    rows = step0_rows(record, prediction)
    return Figure(finish(_beside_spec(len(record.layers), quantity, height), record, False),
                  {"rows": rows[rows.quantity == quantity]})


# One key per line, drawn as strokes: in a row, beside the runs' legend, "theory" ran off a half-width chart.
DASH_LEGEND = alt.Legend(orient="top", direction="vertical", symbolType="stroke", symbolStrokeColor="#555",
                         symbolStrokeWidth=2)


def compare_theory(records, labels, predictions, quantity: str, height: int = 320) -> Figure:
    """preact_ms, or delta_ms relative to the last layer, by layer at step 0: one color per run, measured
    solid and the theory dashed where the run has one (a prediction; a string says why there is none)."""
    frames = []
    for record, label, prediction in zip(records, labels, predictions):
        if not record.steps:
            continue
        rows = step0_rows(record, None if isinstance(prediction, str) else prediction)
        frames.append(rows[rows.quantity == quantity].assign(run=label))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run", "kind", "layer_index", "value"])
    deepest = max([len(r.layers) for r in records] + [2])
    return from_altair(alt.Chart(frame).mark_line(strokeWidth=2).encode(
        alt.X(**q("layer_index"), title="layer (1 = input)", scale=alt.Scale(domain=[1, deepest]),
              axis=alt.Axis(format="d", tickMinStep=1)),
        alt.Y(**q("value"), title=TITLES[quantity], scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e")),
        run_color(labels), alt.Detail(**n("kind")),
        alt.StrokeDash(**n("kind"), title=None, scale=alt.Scale(domain=KINDS, range=[[1, 0], [6, 4]]),
                       legend=DASH_LEGEND),
        [alt.Tooltip(**n("run")), alt.Tooltip(**n("kind")), alt.Tooltip(**q("layer_index")),
         alt.Tooltip(**q("value"), format=".3e")],
    ).properties(height=height, title=f"{COMPARE_TITLES[quantity]} at step 0 (dashed: theory)"))


# --- numerics: exact zeros of dloss/dz -----------------------------------------------------------------------

ZERO_SLOPE_ACTIVATIONS = ("relu",)  # phi'(z) is exactly 0 where a = 0 (leaky slopes of 0 too, below)


def delta_zeros(record, index: int | None = None) -> dict:
    """Per [recorded step, layer] (or, with an index, [1, layer] of that recorded step only: a live frame need
    not convert the whole history): 'total' dloss/dz values, 'zeros' exactly 0, 'slope' of them explained by
    the activation's own zero slope (ReLU where a = 0: the sparsity), and 'rounded' = the rest: values the
    number format (or an all-zero layer above) made exactly 0. Reads the record's delta histogram."""
    block = record.histograms["delta"]
    depth = len(record.layers)
    rows = list(range(len(record.steps))) if index is None else [range(len(record.steps))[index]]
    zeros = np.asarray([block["zeros"][i] for i in rows], dtype=float).reshape(-1, depth)
    counts = np.asarray([block["counts"][i] for i in rows], dtype=float)
    total = counts.reshape(len(zeros), depth, -1).sum(axis=2) + zeros
    activation, alpha = record.config.get("activation"), record.config.get("alpha", 0.1)
    if activation in ZERO_SLOPE_ACTIVATIONS or (activation in ("leaky_relu", "necro_relu") and alpha == 0):
        sparsity = record.metric("sparsity")[rows].reshape(-1, depth)
        slope = np.minimum(np.rint(sparsity * total), zeros)
    else:
        slope = np.zeros_like(zeros)
    return {"total": total, "zeros": zeros, "slope": slope, "rounded": zeros - slope}


@lru_cache(maxsize=64)
def _rounded_spec(depth: int, height: int, replay: bool) -> dict:
    # one band per layer, so bars stay wide; past 20 layers only every 10th is labelled
    labels = "datum.value == 1 || datum.value % 10 == 0" if depth > 20 else "true"
    x = alt.X(field="layer_index", type="ordinal", title="layer (1 = input)", scale=alt.Scale(domain=list(range(1, depth + 1))),
              axis=alt.Axis(labelAngle=0, labelExpr=f"({labels}) ? datum.label : ''"))
    y = alt.Y(**q("fraction"), title="∂loss/∂z rounded to exactly 0", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))
    chart = alt.Chart(alt.Data(name="rows"))
    if replay:
        chart = chart.transform_calculate(rounded=at_step("r"))
    chart = chart.transform_calculate(fraction="datum.rounded / datum.total")
    bars = chart.mark_bar(color="#d62728").encode(
        x, y, [alt.Tooltip(**q("layer_index"), title="layer"), alt.Tooltip(**q("rounded"), title="exactly 0"),
               alt.Tooltip(**q("total"), title="of")])
    return bars.properties(height=height).to_dict(validate=False)  # the page's heading is its title


def rounded_zeros(record, height: int = 260, replay: bool = False) -> Figure:
    """The fraction of each layer's dloss/dz that became exactly 0 though the activation's slope is not 0:
    live at the latest step; replay at the step the step bar selects."""
    depth = len(record.layers)
    if replay:
        counts = delta_zeros(record)
        rows = pd.DataFrame({"layer_index": np.arange(1, depth + 1), "total": counts["total"][0],
                             **step_columns("r", counts["rounded"].T)})
    else:
        counts = delta_zeros(record, -1)
        rows = pd.DataFrame({"layer_index": np.arange(1, depth + 1), "total": counts["total"][0],
                             "rounded": counts["rounded"][0]})
    return Figure(finish(_rounded_spec(depth, height, replay), record, replay), {"rows": rows})


def rounded_summary(record, index: int = -1) -> str:
    """Which layers have exact zeros that the activation does not explain, and how many, at one step."""
    counts = delta_zeros(record, index)
    rounded, total = counts["rounded"][0], counts["total"][0]
    layers = [(i + 1, int(r), int(t)) for i, (r, t) in enumerate(zip(rounded, total)) if r > 0]
    step = record.steps[index]
    if not layers:
        return f"At step {step} no ∂loss/∂z value was rounded to exactly 0."
    full = [layer for layer, r, t in layers if r == t]
    parts = []
    if full:
        parts.append(f"every value in layer{'s' if len(full) > 1 else ''} {_spans(full)}")
    partial = [(layer, r, t) for layer, r, t in layers if r != t]
    parts += [f"{r} of {t} in layer {layer}" for layer, r, t in partial[:6]]
    if len(partial) > 6:
        parts.append(f"and some in {len(partial) - 6} more layers")
    return f"At step {step}, ∂loss/∂z rounded to exactly 0: " + "; ".join(parts) + "."


def _spans(layers) -> str:
    spans, start = [], layers[0]
    for previous, current in zip(layers, layers[1:] + [None]):
        if current != previous + 1:
            spans.append(f"{start}" if start == previous else f"{start}–{previous}")
            start = current
    return ", ".join(spans)
