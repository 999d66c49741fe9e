"""Compare: several runs on one chart, one color per run (pure functions of run records, like the Lab's)."""
import altair as alt
import numpy as np
import pandas as pd

from core.charts.figure import Figure, from_altair
from core.charts.style import n, q

# Four live runs and up to four saved ones, one fixed color each (Tableau 10 without its grey and olive).
RUN_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]


def run_color(labels, legend=True):
    return alt.Color(**n("run"), title=None, scale=alt.Scale(domain=list(labels), range=RUN_COLORS[: len(labels)]),
                     legend=alt.Legend(orient="top", columns=2, labelLimit=400) if legend else None)


def profiles_overlaid(records, labels, step: int, height: int = 260) -> Figure:
    """grad_norm against depth at one step, one line per run: vanishing and exploding side by side."""
    frames = []
    for record, label in zip(records, labels):
        if not record.steps:
            continue
        index = record.step_index(step)
        depth = len(record.layers)
        frames.append(pd.DataFrame({"run": label, "layer_index": np.arange(1, depth + 1),
                                    "grad_norm": record.metric("grad_norm")[index], "step": record.steps[index]}))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run", "layer_index", "grad_norm", "step"])
    frame = frame[frame.grad_norm > 0]  # a log axis cannot show exact zeros (the table and diagnosis do)
    deepest = max([len(r.layers) for r in records] + [2])
    x = alt.X(**q("layer_index"), title="layer (1 = input)", scale=alt.Scale(domain=[1, deepest]),
              axis=alt.Axis(format="d", tickMinStep=1))
    y = alt.Y(**q("grad_norm"), scale=alt.Scale(type="log"), title="grad_norm", axis=alt.Axis(format=".0e"))
    tooltip = [alt.Tooltip(**n("run")), alt.Tooltip(**q("layer_index")), alt.Tooltip(**q("grad_norm"), format=".3e")]
    line = alt.Chart(mark=alt.MarkDef(type="line", point=True),
                     encoding=alt.FacetedEncoding(x=x, y=y, color=run_color(labels), tooltip=tooltip))
    return from_altair(alt.LayerChart(data=frame, layer=[line], height=height, title=f"grad_norm by layer at step {step}"))


def exact_zeros(records, labels, step: int) -> list:
    """(label, layers) of the runs whose grad_norm is exactly 0 in some layers at `step`: a log axis cannot
    draw those, so the page names them."""
    found = []
    for record, label in zip(records, labels):
        if record.steps:
            zero = [i + 1 for i, value in enumerate(record.metric("grad_norm")[record.step_index(step)]) if value == 0]
            if zero:
                found.append((label, zero))
    return found


def ends_over_time(records, labels, metric: str = "grad_norm", height: int = 240) -> Figure:
    """A metric of the first and the last hidden layer over the steps, per run (solid: layer 1)."""
    frames = []
    for record, label in zip(records, labels):
        if not record.steps:
            continue
        values = record.metric(metric)
        for column, name in ((0, "layer 1"), (-1, f"last layer ({len(record.layers)})")):
            frames.append(pd.DataFrame({"run": label, "step": record.steps, "layer": name.split(" (")[0],
                                        "value": values[:, column]}))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run", "step", "layer", "value"])
    frame = frame[frame.value > 0]
    return from_altair(alt.Chart(frame).mark_line(strokeWidth=1.8).encode(
        alt.X(**q("step")), alt.Y(**q("value"), title=metric, scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e")),
        run_color(labels), alt.StrokeDash(**n("layer"), title=None, legend=alt.Legend(orient="top")),
        [alt.Tooltip(**n("run")), alt.Tooltip(**n("layer")), alt.Tooltip(**q("step")), alt.Tooltip(**q("value"), format=".3e")],
    ).properties(height=height, title=f"{metric} of layer 1 (solid) and of the last layer (dashed) over training"))


def training_overlaid(records, labels, quantity: str, height: int = 220) -> Figure:
    """Loss or accuracy on each recorded step's minibatch, one line per run."""
    frames = [record.training_frame().assign(run=label) for record, label in zip(records, labels) if record.steps]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["step", "loss", "accuracy", "run"])
    scale = alt.Scale(domain=[0, 1]) if quantity == "accuracy" else alt.Scale(zero=False)
    return from_altair(alt.Chart(frame[["run", "step", quantity]]).mark_line(strokeWidth=2).encode(
        alt.X(**q("step")), alt.Y(**q(quantity), scale=scale), run_color(labels, legend=False),
        [alt.Tooltip(**n("run")), alt.Tooltip(**q("step")), alt.Tooltip(**q(quantity), format=".4f")],
    ).properties(height=height, title=f"{quantity} on the minibatch"))
