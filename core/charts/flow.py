"""Gradient flow: grad_norm over steps, a layer x step heat map, and the profile against depth."""
import altair as alt
import numpy as np
import pandas as pd

from core.charts.style import layer_color, n, o, q

HEATMAP_COLUMNS = 120  # at most this many step columns, so a long run stays light in the browser


def metric_lines(record, metric: str, title: str, log: bool = True, guide=None, height: int = 220) -> alt.Chart:
    frame = record.to_frame()
    frame = frame[frame.metric == metric]
    if log:
        frame = frame[frame.value > 0]  # log axes cannot show exact zeros; the sparsity view counts those
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    lines = alt.Chart(frame[["step", "layer", "layer_index", "value"]]).mark_line(strokeWidth=1.5).encode(
        alt.X(**q("step"), title="step"),
        alt.Y(**q("value"), title=title, scale=scale, axis=alt.Axis(format=".0e" if log else "~g")),
        layer_color(len(record.layers)),
        alt.Detail(**n("layer")),
        [alt.Tooltip(**n("layer")), alt.Tooltip(**q("step")), alt.Tooltip(**q("value"), title=metric, format=".3e")],
    )
    if guide is not None:
        rule = alt.Chart(pd.DataFrame({"guide": [guide]})).mark_rule(strokeDash=[6, 4], color="crimson").encode(
            alt.Y(**q("guide")))
        lines = lines + rule
    return lines.properties(height=height)


def grad_norm_heatmap(record, height: int = 220) -> alt.Chart:
    values = record.metric("grad_norm")
    keep = np.unique(np.linspace(0, len(record.steps) - 1, min(len(record.steps), HEATMAP_COLUMNS)).astype(int))
    steps = np.asarray(record.steps)[keep]
    # Each cell spans from its step to the next shown step.
    ends = np.append(steps[1:], steps[-1] + max(1, (steps[-1] - steps[0]) // max(len(steps), 1)))
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(values[keep])
    depth = len(record.layers)
    frame = pd.DataFrame({
        "step": np.repeat(steps, depth), "step_end": np.repeat(ends, depth),
        "layer_index": np.tile(np.arange(1, depth + 1), len(steps)),
        "log10_grad_norm": logs.reshape(-1),
    }).replace([np.inf, -np.inf], np.nan)
    return alt.Chart(frame).mark_rect().encode(
        alt.X(**q("step"), title="step"), alt.X2(field="step_end"),
        alt.Y(**o("layer_index"), title="layer (1 = input)", sort="descending"),
        alt.Color(**q("log10_grad_norm"), title="log10 grad_norm", scale=alt.Scale(scheme="magma")),
        [alt.Tooltip(**q("step")), alt.Tooltip(**o("layer_index")), alt.Tooltip(**q("log10_grad_norm"), format=".2f")],
    ).properties(height=height)


def gradient_profile(record, step: int, height: int = 220) -> alt.Chart:
    """grad_norm against depth at one step: the classic vanishing picture."""
    index = record.step_index(step)
    depth = len(record.layers)
    frame = pd.DataFrame({
        "layer_index": np.arange(1, depth + 1),
        "grad_norm": record.metric("grad_norm")[index],
        "delta_ms": record.metric("delta_ms")[index],
    })
    frame = frame[frame.grad_norm > 0]
    x = alt.X(**q("layer_index"), title="layer (1 = input)", scale=alt.Scale(domain=[1, max(depth, 2)]))
    y = alt.Y(**q("grad_norm"), scale=alt.Scale(type="log"), title="grad_norm", axis=alt.Axis(format=".0e"))
    # Constructors rather than chained methods: each chained call deep-copies the chart (this one redraws
    # on every scrub).
    line = alt.Chart(mark=alt.MarkDef(type="line", color="#888"), encoding=alt.FacetedEncoding(x=x, y=y))
    points = alt.Chart(mark=alt.MarkDef(type="circle", size=70), encoding=alt.FacetedEncoding(
        x=x, y=y, color=layer_color(depth),
        tooltip=[alt.Tooltip(**q("layer_index")), alt.Tooltip(**q("grad_norm"), format=".3e"),
                 alt.Tooltip(**q("delta_ms"), format=".3e")]))
    return alt.LayerChart(data=frame, layer=[line, points], height=height,
                          title=f"grad_norm by layer at step {record.steps[index]}")
