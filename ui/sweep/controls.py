"""The Sweep page's controls: two axes with their values, the outcome, seeds, steps and the target loss.
Everything else comes from the Lab's configuration."""
from dataclasses import dataclass

import streamlit as st

from core.config import ConfigError, RunConfig, default_record_every
from core.limits import current_limits
from core.sweep.grid import Grid, make_grid, parse_axis
from core.sweep.outcomes import DEFAULT_TARGET_LOSS, OUTCOMES

# The axes a student sweeps here, each with values that show something in a few seconds per run.
AXIS_DEFAULTS = {
    "depth": "2, 4, 8, 16, 32",
    "width": "4, 8, 16, 32, 64",
    "activation": "sigmoid, tanh, relu",
    "initializer": "glorot_normal, he_normal, too_small, too_large",
    "sigma_w": "0.5, 1, 1.5, 2, 2.5",
    "sigma_b": "0, 0.25, 0.5, 1",
    "learning_rate": "0.01, 0.03, 0.1, 0.3, 1",
    "optimizer": "sgd, momentum, adam",
}
AXIS_HELP = {
    "sigma_w": "weight scale: the kernel becomes variance scaling, Var(W) = σ_w² / fan_in",
    "sigma_b": "bias spread: random N(0, σ_b²) biases",
}
NONE = "(none: lines)"


@dataclass(frozen=True)
class Choice:
    grid: Grid | None
    outcome: str
    target_loss: float
    problems: tuple  # messages naming what was refused


def _axis(columns, label: str, options: list, default: str, prefix: str):
    """An axis's picker and its values side by side; each axis keeps its own values."""
    with columns[0]:
        name = st.selectbox(label, options, index=options.index(default), key=f"sweep_{prefix}_axis",
                            help="σ_w and σ_b are the theory's knobs (see Signal propagation).")
    if name == NONE:
        return None, None
    with columns[1]:
        text = st.text_input(f"{name} values (comma-separated)", AXIS_DEFAULTS[name], key=f"sweep_values_{name}",
                             help=AXIS_HELP.get(name))
    return name, text


def sweep_controls(base: RunConfig) -> Choice:
    """Draw the controls; the Grid they describe (None when a value is refused, with the reason)."""
    names = list(AXIS_DEFAULTS)
    columns = st.columns([2, 3, 2, 3])
    x_name, x_text = _axis(columns[:2], "horizontal axis", names, "depth", "x")
    y_name, y_text = _axis(columns[2:], "vertical axis", [NONE] + [n for n in names if n != x_name], "activation", "y")
    outcome_column, seeds_column, steps_column, target_column = st.columns([3, 1, 2, 2])
    with outcome_column:
        outcome = st.selectbox("outcome", list(OUTCOMES), index=list(OUTCOMES).index("final_accuracy"),
                               format_func=lambda name: OUTCOMES[name].label, key="sweep_outcome")
    with seeds_column:
        seeds = st.number_input("seeds", 1, 10, 2, key="sweep_seeds", help="runs per cell, seeds 0, 1, ...; "
                                "the chart shows their mean and range")
    with steps_column:
        steps = st.select_slider("steps", [0, 50, 100, 150, 200, 300, 500, 1000], 150, key="sweep_steps")
    with target_column:
        target = st.number_input("target loss", 0.0, 10.0, DEFAULT_TARGET_LOSS, 0.05, key="sweep_target",
                                 help="steps to reach the target loss: the first recorded step whose loss is at or "
                                      "below it", disabled=outcome != "steps_to_target")
    problems = []
    try:
        steps = min(steps, current_limits().steps)
        base = base.replace(steps=steps, record_every=default_record_every(steps), seed=0)
        axes = {x_name: parse_axis(x_name, x_text)}
        if y_name:
            axes[y_name] = parse_axis(y_name, y_text)
        grid = make_grid(base, axes, int(seeds))
    except ConfigError as error:
        problems.append(str(error))
        grid = None
    return Choice(grid, outcome, float(target), tuple(problems))
