"""Per-layer histograms at one step, as small multiples, with the zero and saturation regions marked."""
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from core.charts.figure import AT_STEP, Figure, finish
from core.charts.style import layer_color, o, q, shown_layers

# Where |phi'| < 5% of its maximum, in activation space (so it can be drawn on an activation histogram).
SATURATED_OUTPUTS = {
    "sigmoid": [(0.0, 0.01266), (0.98734, 1.0)],
    "tanh": [(-1.0, -0.97468), (0.97468, 1.0)],
    "softplus": [(0.0, 0.05129)],
    "elu": [(-1.0, -0.95)],
    "selu": [(-1.7581, -1.6702)],
}
COLUMNS = ["i", "layer_index", "mark", "low", "high", "fraction"]
TITLES = {"activation": "activation a (orange: saturated, red: 0)", "delta": "log10 |∂loss/∂z| (red: exact 0)"}


def _only(mark: str):
    return [alt.FilterTransform(filter=alt.datum.mark == mark)]


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
        transform=[alt.FilterTransform(filter=AT_STEP)] if replay else alt.Undefined,
        facet=alt.Facet(**o("layer_index"), title=None, header=alt.Header(labelExpr="'layer ' + datum.value")),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(x="independent", y="independent")),
        title=alt.TitleParams(f"{TITLES[kind]}; y: fraction of the batch's values", anchor="start", fontSize=12,
                              fontWeight="normal")).to_dict(validate=False)


def histogram_rows(record, kind: str, indices=None) -> pd.DataFrame:
    """Rows the panels draw, for the recorded step indices given (default: the last): bars, and the zero
    and saturation marks of the shown layers. Marks that do not depend on the step have i = -1."""
    indices = np.atleast_1d(np.asarray([len(record.steps) - 1] if indices is None else indices, dtype=int))
    layers = np.asarray(shown_layers(len(record.layers))) - 1
    block = record.histograms[kind]
    counts = np.asarray([[block["counts"][i][k] for k in layers] for i in indices], dtype=float)  # [step, layer, bin]
    bins = counts.shape[2]
    if kind == "activation":
        edges = np.asarray(block["edges"], dtype=float)[layers]  # [layer, bin + 1]
        totals = counts.sum(axis=2)
    else:
        edges = np.tile(np.log10(np.asarray(block["edges"], dtype=float)), (len(layers), 1))
        zeros = np.asarray([[block["zeros"][i][k] for k in layers] for i in indices], dtype=float)
        totals = counts.sum(axis=2) + zeros
    fractions = np.divide(counts, totals[:, :, None], out=np.zeros_like(counts), where=totals[:, :, None] > 0)
    shape = counts.shape
    bars = pd.DataFrame({
        "i": np.broadcast_to(indices[:, None, None], shape).reshape(-1),
        "layer_index": np.broadcast_to(layers[None, :, None] + 1, shape).reshape(-1),
        "mark": "bar",
        "low": np.broadcast_to(edges[None, :, :bins], shape).reshape(-1),
        "high": np.broadcast_to(edges[None, :, 1:], shape).reshape(-1),
        "fraction": fractions.reshape(-1),
    })
    parts = []
    if kind == "activation":
        parts.append(bars)
        marks = [("zero", 0.0, 0.0)] + [("saturated", low, high)
                                         for low, high in SATURATED_OUTPUTS.get(record.config.get("activation"), [])]
        for mark, low, high in marks:
            parts.append(pd.DataFrame({"i": -1, "layer_index": layers + 1, "mark": mark, "low": low, "high": high,
                                       "fraction": 0.0}))
    else:
        parts.append(bars[counts.reshape(-1) > 0])  # a log axis of magnitudes: only the bins that hold values
        smallest = edges[0, 0]
        zero_fraction = np.divide(zeros, totals, out=np.zeros_like(zeros), where=totals > 0)
        parts.append(pd.DataFrame({
            "i": np.repeat(indices, len(layers)), "layer_index": np.tile(layers + 1, len(indices)), "mark": "zeros",
            "low": smallest - 1.5, "high": smallest - 0.5, "fraction": zero_fraction.reshape(-1)}))
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def histograms(record, kind: str, step: int | None = None, replay: bool = False) -> Figure:
    """Live: the histograms at `step` (default the last recorded); replay: at every recorded step."""
    if replay:
        indices = np.arange(len(record.steps))
    else:
        indices = [record.step_index(record.steps[-1] if step is None else step)]
    spec = panels_spec(len(record.layers), kind, replay)
    return Figure(finish(spec, record, replay), {"rows": histogram_rows(record, kind, indices)})


def activation_histograms(record, step: int | None = None, replay: bool = False) -> Figure:
    return histograms(record, "activation", step, replay)


def delta_histograms(record, step: int | None = None, replay: bool = False) -> Figure:
    """Histograms of dL/dz on log10 |dL/dz|; the share of exact zeros is the red bar at the left."""
    return histograms(record, "delta", step, replay)
