"""Per-layer histograms at one step, as small multiples, with the zero and saturation regions marked."""
import altair as alt
import numpy as np
import pandas as pd

from core.charts.style import layer_color, n, o, q, shown_layers

# Where |phi'| < 5% of its maximum, in activation space (so it can be drawn on an activation histogram).
SATURATED_OUTPUTS = {
    "sigmoid": [(0.0, 0.01266), (0.98734, 1.0)],
    "tanh": [(-1.0, -0.97468), (0.97468, 1.0)],
    "softplus": [(0.0, 0.05129)],
    "elu": [(-1.0, -0.95)],
    "selu": [(-1.7581, -1.6702)],
}
COLUMNS = ["layer", "layer_index", "mark", "low", "high", "fraction"]


def _marks_per_layer(layers: pd.DataFrame, mark: str, low, high, fraction=0.0) -> pd.DataFrame:
    return layers.assign(mark=mark, low=low, high=high, fraction=fraction)[COLUMNS]


def _only(mark: str):
    return [alt.FilterTransform(filter=alt.datum.mark == mark)]


def panels(data, depth: int, x_title: str) -> alt.FacetChart:
    """Small multiples, one per layer; every mark reads the same data (facets need one data source).
    Built with constructors, not chained methods: each chained call deep-copies the whole chart. `data` is
    a frame from histogram_rows(), or a named data source for a page that swaps rows between frames."""
    x, x2 = alt.X(**q("low"), title=None), alt.X2(field="high")
    y = alt.Y(**q("fraction"), title=None, axis=alt.Axis(format="%", tickCount=3))
    bars = alt.Chart(mark=alt.MarkDef(type="rect", opacity=0.9), transform=_only("bar"), encoding=alt.FacetedEncoding(
        x=x, x2=x2, y=y, color=layer_color(depth, legend=False),
        tooltip=[alt.Tooltip(**n("layer")), alt.Tooltip(**q("low"), format=".3g"),
                 alt.Tooltip(**q("high"), format=".3g"), alt.Tooltip(**q("fraction"), format=".1%")]))
    bands = alt.Chart(mark=alt.MarkDef(type="rect", color="orange", opacity=0.25), transform=_only("saturated"),
                      encoding=alt.FacetedEncoding(x=x, x2=x2))
    zero_line = alt.Chart(mark=alt.MarkDef(type="rule", color="crimson", strokeDash=[4, 3]), transform=_only("zero"),
                          encoding=alt.FacetedEncoding(x=x))
    zero_bar = alt.Chart(mark=alt.MarkDef(type="rect", color="crimson"), transform=_only("zeros"),
                         encoding=alt.FacetedEncoding(x=x, x2=x2, y=y))
    panel = alt.LayerChart(layer=[bands, zero_line, zero_bar, bars], width=125, height=80)
    return alt.FacetChart(
        data=data, spec=panel, columns=5,
        facet=alt.Facet(**o("layer_index"), title=None, header=alt.Header(labelExpr="'layer ' + datum.value")),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(x="independent", y="independent")),
        title=alt.TitleParams(f"{x_title}; y: fraction of the batch's values", anchor="start", fontSize=12,
                              fontWeight="normal"))


TITLES = {"activation": "activation a (orange: saturated, red: 0)", "delta": "log10 |∂loss/∂z| (red: exact 0)"}


def histogram_rows(record, step: int, kind: str) -> pd.DataFrame:
    """The rows the histogram panels draw: bars, and the zero and saturation marks, of the shown layers."""
    return _activation_rows(record, step) if kind == "activation" else _delta_rows(record, step)


def activation_histograms(record, step: int) -> alt.FacetChart:
    return panels(histogram_rows(record, step, "activation"), len(record.layers), TITLES["activation"])


def delta_histograms(record, step: int) -> alt.FacetChart:
    """Histograms of dL/dz on log10 |dL/dz|; the share of exact zeros is the red bar at the left."""
    return panels(histogram_rows(record, step, "delta"), len(record.layers), TITLES["delta"])


def _activation_rows(record, step):
    depth = len(record.layers)
    shown = shown_layers(depth)
    frame = record.histogram_frame("activation", step)
    frame = frame[frame.layer_index.isin(shown)].assign(mark="bar")[COLUMNS]
    layers = frame[["layer", "layer_index"]].drop_duplicates()
    parts = [frame, _marks_per_layer(layers, "zero", 0.0, 0.0)]
    for low, high in SATURATED_OUTPUTS.get(record.config.get("activation"), []):
        parts.append(_marks_per_layer(layers, "saturated", low, high))
    return pd.concat(parts, ignore_index=True)


def _delta_rows(record, step):
    depth = len(record.layers)
    shown = shown_layers(depth)
    index = record.step_index(step)
    frame = record.histogram_frame("delta", step)
    zeros = np.asarray(record.histograms["delta"]["zeros"][index], dtype=float)
    totals = frame.groupby("layer_index")["count"].sum().reindex(range(1, depth + 1)).to_numpy() + zeros
    frame = frame.assign(low=np.log10(frame.low), high=np.log10(frame.high), mark="bar")
    smallest = frame.low.min()
    zero_rows = pd.DataFrame({
        "layer": record.layers, "layer_index": np.arange(1, depth + 1), "mark": "zeros",
        "low": smallest - 1.5, "high": smallest - 0.5,
        "fraction": np.divide(zeros, totals, out=np.zeros_like(zeros), where=totals > 0),
    })
    frame = frame[frame.layer_index.isin(shown) & (frame["count"] > 0)][COLUMNS]
    zero_rows = zero_rows[zero_rows.layer_index.isin(shown)][COLUMNS]
    return pd.concat([frame, zero_rows], ignore_index=True)
