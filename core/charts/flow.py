"""Gradient flow: grad_norm over steps, a layer x step heat map, and the profile against depth."""
import altair as alt
import numpy as np
import pandas as pd

from core.charts.style import layer_color

HEATMAP_COLUMNS = 120  # at most this many step columns, so a long run stays light in the browser


def metric_lines(record, metric: str, title: str, log: bool = True, guide=None, height: int = 220) -> alt.Chart:
    frame = record.to_frame()
    frame = frame[frame.metric == metric].copy()
    if log:
        frame = frame[frame.value > 0]  # log axes cannot show exact zeros; the sparsity view counts those
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    lines = alt.Chart(frame).mark_line(strokeWidth=1.5).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("value:Q", title=title, scale=scale, axis=alt.Axis(format=".0e" if log else "~g")),
        color=layer_color(len(record.layers)),
        detail="layer:N",
        tooltip=["layer:N", "step:Q", alt.Tooltip("value:Q", title=metric, format=".3e")],
    )
    if guide is not None:
        rule = alt.Chart(pd.DataFrame({"guide": [guide]})).mark_rule(strokeDash=[6, 4], color="crimson").encode(y="guide:Q")
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
        x=alt.X("step:Q", title="step"), x2="step_end:Q",
        y=alt.Y("layer_index:O", title="layer (1 = input)", sort="descending"),
        color=alt.Color("log10_grad_norm:Q", title="log10 grad_norm", scale=alt.Scale(scheme="magma")),
        tooltip=["step:Q", "layer_index:O", alt.Tooltip("log10_grad_norm:Q", format=".2f")],
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
    base = alt.Chart(frame).encode(x=alt.X("layer_index:Q", title="layer (1 = input)", scale=alt.Scale(domain=[1, max(depth, 2)])))
    line = base.mark_line(color="#888").encode(y=alt.Y("grad_norm:Q", scale=alt.Scale(type="log"), title="grad_norm",
                                                         axis=alt.Axis(format=".0e")))
    points = base.mark_circle(size=70).encode(
        y="grad_norm:Q", color=layer_color(depth),
        tooltip=["layer_index:Q", alt.Tooltip("grad_norm:Q", format=".3e"), alt.Tooltip("delta_ms:Q", format=".3e")])
    return (line + points).properties(height=height, title=f"grad_norm by layer at step {record.steps[index]}")
