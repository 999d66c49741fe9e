"""The order-to-chaos phase diagram as a Vega-Lite spec: a heat map of chi* over (sigma_w, sigma_b), the
critical line, contours of the depth scale, the current configuration as a marker, and a click selection
("pick") on the cells that the Theory page turns into a Lab link."""
from functools import lru_cache

import altair as alt
import pandas as pd

from core.charts.style import n, q
from core.theory.phase import DEPTH_SCALES

HALF_W, HALF_B = 0.026, 0.026  # half a cell (the grids' step is 0.05), and a hair more: no seams
PICK = "pick"
LINE_NAMES = ["critical: chi* = 1"] + [f"xi = {xi}" for xi in DEPTH_SCALES]


@lru_cache(maxsize=8)
def phase_spec(title: str, height: int = 560) -> dict:
    x = alt.X(**q("w_low"), title="σ_w (weight scale: Var(W) = σ_w² / fan_in)", scale=alt.Scale(domain=[0.075, 4.025], nice=False))
    y = alt.Y(**q("b_low"), title="σ_b (bias standard deviation)", scale=alt.Scale(domain=[-0.025, 2.025], nice=False))
    pick = alt.selection_point(name=PICK, fields=["sigma_w", "sigma_b"], on="click", clear=False)
    cells = alt.Chart(alt.Data(name="cells")).mark_rect(cursor="pointer", strokeWidth=0).encode(
        x, alt.X2(field="w_high"), y, alt.Y2(field="b_high"),
        alt.Color(**q("log10_chi"), title="log10 chi*",
                  scale=alt.Scale(scheme="redblue", reverse=True, domain=[-1, 1], domainMid=0, clamp=True),
                  legend=alt.Legend(orient="right", gradientLength=220, title="log10 chi* (±1: ×10)")),
        [alt.Tooltip(**q("sigma_w"), title="σ_w"), alt.Tooltip(**q("sigma_b"), title="σ_b"),
         alt.Tooltip(**q("chi_star"), title="chi*", format=".4g"),
         alt.Tooltip(**q("depth_scale"), title="depth scale xi (layers)", format=".3g"),
         alt.Tooltip(**q("q_star"), title="q*", format=".3g")],
    ).add_params(pick)
    segments = alt.Chart(alt.Data(name="lines")).mark_rule(color="black").encode(
        alt.X(**q("x")), alt.X2(field="x2"), alt.Y(**q("y")), alt.Y2(field="y2"),
        alt.StrokeDash(**n("line"), title="lines", scale=alt.Scale(domain=LINE_NAMES, range=[[1, 0], [2, 2], [6, 3], [10, 4]]),
                       legend=alt.Legend(orient="right")),
        alt.StrokeWidth(**n("line"), scale=alt.Scale(domain=LINE_NAMES, range=[3, 1.3, 1.3, 1.3]), legend=None))
    marker = alt.Chart(alt.Data(name="current")).mark_point(shape="diamond", size=220, filled=True, color="#ffd400",
                                                             stroke="black", strokeWidth=1.5).encode(
        alt.X(**q("sigma_w")), alt.Y(**q("sigma_b")), [alt.Tooltip(**n("label"), title="now")])
    label = alt.Chart(alt.Data(name="current")).mark_text(align="left", dx=10, dy=-10, fontWeight="bold").encode(
        alt.X(**q("sigma_w")), alt.Y(**q("sigma_b")), alt.Text(**n("short")))
    return alt.layer(cells, segments, marker, label).properties(height=height, title=title).to_dict(validate=False)


def phase_data(grid: pd.DataFrame, lines: pd.DataFrame, current: tuple | None) -> dict:
    """The named datasets of the spec: cells, lines and the current configuration (may be empty)."""
    cells = grid.assign(w_low=grid.sigma_w - HALF_W, w_high=grid.sigma_w + HALF_W,
                        b_low=grid.sigma_b - HALF_B, b_high=grid.sigma_b + HALF_B)
    cells = cells.astype(float).replace([float("inf"), -float("inf")], None)
    now = pd.DataFrame(columns=["sigma_w", "sigma_b", "label", "short"])
    if current is not None:
        now = pd.DataFrame({"sigma_w": [current[0]], "sigma_b": [current[1]],
                            "label": [f"the Lab's configuration: σ_w = {current[0]:.3g}, σ_b = {current[1]:.3g}"],
                            "short": ["Lab now"]})
    return {"cells": cells, "lines": lines, "current": now}
