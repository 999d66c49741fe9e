"""Per-layer histograms at one step, as small multiples, with the zero and saturation regions marked."""
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from core.charts.figure import Figure, at_step, finish, step_columns
from core.charts.style import layer_color, o, q, shown_layers

# Where |phi'| < 5% of its maximum, in activation space (so it can be drawn on an activation histogram).
SATURATED_OUTPUTS = {
    "sigmoid": [(0.0, 0.01266), (0.98734, 1.0)],
    "tanh": [(-1.0, -0.97468), (0.97468, 1.0)],
    "softplus": [(0.0, 0.05129)],
    "elu": [(-1.0, -0.95)],
    "selu": [(-1.7581, -1.6702)],
}
TITLES = {"activation": "activation a (orange: saturated, red: 0)", "delta": "log10 |∂loss/∂z| (red: exact 0)"}


def _only(mark: str):
    return [alt.FilterTransform(filter=alt.datum.mark == mark)]


def _replay_transform(kind: str) -> list:
    read = [alt.CalculateTransform(calculate=at_step("f"), **{"as": "fraction"})]
    if kind == "delta":  # a log axis of magnitudes: only the bins that hold values
        read.append(alt.FilterTransform(filter="datum.mark != 'bar' || datum.fraction > 0"))
    return read


@lru_cache(maxsize=64)
def panels_spec(depth: int, kind: str, replay: bool) -> dict:
    """Small multiples, one per layer; every mark reads the same rows (facets need one data source).
    Built with constructors, not chained methods: each chained call deep-copies the whole chart."""
    x, x2 = alt.X(**q("low"), title=None), alt.X2(field="high")
    y = alt.Y(**q("fraction"), title=None, axis=alt.Axis(format="%", tickCount=3))
    bars = alt.Chart(mark=alt.MarkDef(type="rect", opacity=0.9), transform=_only("bar"), encoding=alt.FacetedEncoding(
        x=x, x2=x2, y=y, color=layer_color(depth, legend=False),
        tooltip=[alt.Tooltip(**o("layer_index"), title="layer"), alt.Tooltip(**q("low"), format=".3g"),
                 alt.Tooltip(**q("high"), format=".3g"), alt.Tooltip(**q("fraction"), format=".1%")]))
    bands = alt.Chart(mark=alt.MarkDef(type="rect", color="orange", opacity=0.25), transform=_only("saturated"),
                      encoding=alt.FacetedEncoding(x=x, x2=x2))
    zero_line = alt.Chart(mark=alt.MarkDef(type="rule", color="crimson", strokeDash=[4, 3]), transform=_only("zero"),
                          encoding=alt.FacetedEncoding(x=x))
    zero_bar = alt.Chart(mark=alt.MarkDef(type="rect", color="crimson"), transform=_only("zeros"),
                         encoding=alt.FacetedEncoding(x=x, x2=x2, y=y))
    panel = alt.LayerChart(layer=[bands, zero_line, zero_bar, bars], width=125, height=80)
    return alt.FacetChart(
        data=alt.Data(name="rows"), spec=panel, columns=5,
        transform=_replay_transform(kind) if replay else alt.Undefined,
        facet=alt.Facet(**o("layer_index"), title=None, header=alt.Header(labelExpr="'layer ' + datum.value")),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(x="independent", y="independent")),
        title=alt.TitleParams(f"{TITLES[kind]}; y: fraction of the batch's values", anchor="start", fontSize=12,
                              fontWeight="normal")).to_dict(validate=False)


def histogram_table(record, kind: str, indices) -> tuple:
    """(rows, fractions): one row per (shown layer, bin) plus the zero and saturation marks, and the
    [row, step] fraction of the batch's values in each, at the recorded step indices given."""
    indices = np.asarray(indices, dtype=int)
    layers = np.asarray(shown_layers(len(record.layers))) - 1
    block = record.histograms[kind]
    counts = np.asarray([[block["counts"][i][k] for k in layers] for i in indices], dtype=float)  # [step, layer, bin]
    steps, shown, bins = counts.shape
    if kind == "activation":
        edges = np.asarray(block["edges"], dtype=float)[layers]  # [layer, bin + 1]
        totals = counts.sum(axis=2)
    else:
        edges = np.tile(np.log10(np.asarray(block["edges"], dtype=float)), (shown, 1))
        zeros = np.asarray([[block["zeros"][i][k] for k in layers] for i in indices], dtype=float)
        totals = counts.sum(axis=2) + zeros
    fractions = np.divide(counts, totals[:, :, None], out=np.zeros_like(counts), where=totals[:, :, None] > 0)
    parts = [pd.DataFrame({"layer_index": np.repeat(layers + 1, bins), "mark": "bar",
                           "low": edges[:, :bins].reshape(-1), "high": edges[:, 1:].reshape(-1)})]
    columns = [fractions.reshape(steps, -1).T]  # [row, step]
    if kind == "activation":
        marks = [("zero", 0.0, 0.0)] + [("saturated", low, high)
                                         for low, high in SATURATED_OUTPUTS.get(record.config.get("activation"), [])]
        for mark, low, high in marks:
            parts.append(pd.DataFrame({"layer_index": layers + 1, "mark": mark, "low": low, "high": high}))
            columns.append(np.zeros((shown, steps)))
    else:
        smallest = edges[0, 0]
        parts.append(pd.DataFrame({"layer_index": layers + 1, "mark": "zeros", "low": smallest - 1.5,
                                   "high": smallest - 0.5}))
        columns.append(np.divide(zeros, totals, out=np.zeros_like(zeros), where=totals > 0).T)
    return pd.concat(parts, ignore_index=True), np.concatenate(columns)


def histogram_rows(record, kind: str, step: int | None = None) -> pd.DataFrame:
    """The rows the panels draw at one recorded step (default: the last)."""
    index = record.step_index(record.steps[-1] if step is None else step)
    rows, fractions = histogram_table(record, kind, [index])
    rows["fraction"] = fractions[:, 0]
    if kind == "delta":  # a log axis of magnitudes: only the bins that hold values
        rows = rows[(rows["mark"] != "bar") | (rows["fraction"] > 0)].reset_index(drop=True)
    return rows


def histograms(record, kind: str, step: int | None = None, replay: bool = False) -> Figure:
    """Live: the histograms at `step` (default the last recorded); replay: a fraction column per recorded
    step ("f0", "f1", ...), the step input selects one."""
    if replay:
        rows, fractions = histogram_table(record, kind, np.arange(len(record.steps)))
        rows = pd.concat([rows, pd.DataFrame(step_columns("f", fractions))], axis=1)
    else:
        rows = histogram_rows(record, kind, step)
    spec = panels_spec(len(record.layers), kind, replay)
    return Figure(finish(spec, record, replay), {"rows": rows})


def activation_histograms(record, step: int | None = None, replay: bool = False) -> Figure:
    return histograms(record, "activation", step, replay)


def delta_histograms(record, step: int | None = None, replay: bool = False) -> Figure:
    """Histograms of dL/dz on log10 |dL/dz|; the share of exact zeros is the red bar at the left."""
    return histograms(record, "delta", step, replay)
