"""The Activations page's charts: f and its slopes with the notable regions marked, and the product of
slopes along one path against depth (pure builders returning Figures)."""
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from core.charts.figure import Figure, from_altair
from core.charts.style import n, q

CURVES = ["f(z)", "φ'(z), back-prop", "true f'(z)"]
CURVE_COLORS = ["#1f77b4", "#ff7f0e", "#555555"]
BANDS = {"zero_gradient": ("slope exactly 0", "#d62728"), "saturated": ("saturated", "#7f7f7f")}
# Streamlit's frontend fits the whole chart (title, axes, legends) into the spec's height, so heights here
# count all of it and legends sit at the right.


@lru_cache(maxsize=32)
def _panel_spec(title: str, height: int, necro: bool) -> dict:
    x = alt.X(**q("z"), title="z", scale=alt.Scale(domain=[-6, 6], nice=False))
    bands = alt.Chart(alt.Data(name="bands")).mark_rect(opacity=0.13).encode(
        x, alt.X2(field="high"),
        alt.Color(**n("band"), title=None, scale=alt.Scale(domain=[v[0] for v in BANDS.values()],
                                                           range=[v[1] for v in BANDS.values()]),
                  legend=alt.Legend(orient="right", title="regions")),
        [alt.Tooltip(**n("band")), alt.Tooltip(**q("z"), title="from", format=".2f"),
         alt.Tooltip(**q("high"), title="to", format=".2f")])
    shown = CURVES if necro else CURVES[:2]  # the true derivative differs only for NecroReLU
    curve_scale = alt.Scale(domain=shown, range=CURVE_COLORS[: len(shown)])
    lines = alt.Chart(alt.Data(name="curves")).mark_line(strokeWidth=2).encode(
        x, alt.Y(**q("value"), title=None),
        alt.Stroke(**n("curve"), title=None, scale=curve_scale, legend=alt.Legend(orient="right")),
        alt.StrokeDash(**n("curve"), title=None, scale=alt.Scale(domain=shown, range=[[1, 0], [1, 0], [5, 3]][: len(shown)]), legend=None),
        [alt.Tooltip(**n("curve")), alt.Tooltip(**q("z"), format=".2f"), alt.Tooltip(**q("value"), format=".4f")])
    peak = alt.Chart(alt.Data(name="peak"))
    marker = peak.mark_point(shape="diamond", size=90, filled=True, color="#ff7f0e").encode(x, alt.Y(**q("value")))
    label = peak.mark_text(align="left", dx=8, dy=-8, fontSize=11).encode(x, alt.Y(**q("value")), alt.Text(**n("label")))
    layered = alt.layer(bands, lines, marker, label).resolve_scale(color="independent")
    return layered.properties(height=height, title=title).to_dict(validate=False)


def activation_panel(facts, curves: pd.DataFrame, height: int = 300) -> Figure:
    """One activation: f, the slope back-propagation uses (NecroReLU: also the true derivative, dashed), the
    maximum slope marked, bands where the slope is exactly 0 and where it is saturated."""
    rows = curves[curves.activation == facts.name]
    parts = [pd.DataFrame({"z": rows.z, "curve": CURVES[0], "value": rows.f}),
             pd.DataFrame({"z": rows.z, "curve": CURVES[1], "value": rows.slope})]
    necro = not np.array_equal(rows.slope.to_numpy(), rows.true_slope.to_numpy())
    if necro:
        parts.append(pd.DataFrame({"z": rows.z, "curve": CURVES[2], "value": rows.true_slope}))
    bands = [(low, high, BANDS[kind][0]) for kind in BANDS for low, high in getattr(facts, kind)]
    bands = pd.DataFrame(bands, columns=["z", "high", "band"])
    peak = pd.DataFrame({"z": [facts.max_at], "value": [facts.max_slope],
                         "label": [f"max slope {facts.max_slope:.3g} ({facts.max_where})"]})
    spec = _panel_spec(facts.name, height, necro)
    return Figure(spec, {"curves": pd.concat(parts, ignore_index=True), "bands": bands, "peak": peak})


def chain_chart(frames: pd.DataFrame, height: int = 380) -> Figure:
    """log10 of the product of n slopes against n: best case dashed, median solid, 10-90% band."""
    x = alt.X(**q("n"), title="n (layers the path crosses)")
    color = alt.Color(**n("activation"), title=None, scale=alt.Scale(scheme="tableau10"), legend=alt.Legend(orient="top"))
    band = alt.Chart().mark_area(opacity=0.15).encode(x, alt.Y(**q("low"), title="log10 of the product of slopes"),
                                                       alt.Y2(field="high"), color)
    typical = alt.Chart().mark_line(strokeWidth=2).encode(
        x, alt.Y(**q("typical")), color,
        [alt.Tooltip(**n("activation")), alt.Tooltip(**q("n")), alt.Tooltip(**q("typical"), title="median log10", format=".2f"),
         alt.Tooltip(**q("best"), title="best log10", format=".2f")])
    best = alt.Chart().mark_line(strokeDash=[6, 4], strokeWidth=1.5).encode(x, alt.Y(**q("best")), color)
    chart = alt.layer(band, best, typical, data=frames).properties(
        height=height, title="Product of n slopes along one path")
    return from_altair(chart)


def zero_paths_chart(frames: pd.DataFrame, height: int = 380) -> Figure:
    """The fraction of paths whose product is exactly 0 (a slope of exactly 0 somewhere on the path)."""
    return from_altair(alt.Chart(frames).mark_line(strokeWidth=2, point=True).encode(
        alt.X(**q("n"), title="n (layers the path crosses)"),
        alt.Y(**q("zero_paths"), title="paths with product exactly 0", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%")),
        alt.Color(**n("activation"), title=None, scale=alt.Scale(scheme="tableau10"), legend=alt.Legend(orient="top")),
        [alt.Tooltip(**n("activation")), alt.Tooltip(**q("n")), alt.Tooltip(**q("zero_paths"), format=".4f")],
    ).properties(height=height, title="Paths whose gradient is exactly 0"))
