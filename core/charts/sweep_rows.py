"""The rows a sweep chart draws: where each cell sits on its axes, its spread over seeds, and its state.

A numeric axis (depth, width, learning rate, sigma_w, ...) is drawn on a continuous scale, log when its
values span a factor of 8 or more, each cell reaching halfway to its neighbours: so the theory's depth
scale xi, a number of layers, can be drawn where it falls between the swept depths. Other axes (activation,
initializer, optimizer) are categories in the order given.
"""
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.sweep.grid import Grid
from core.sweep.grid import value_label as label


@dataclass(frozen=True)
class Axis:
    name: str
    labels: tuple  # each value as the chart shows it
    numeric: bool
    log: bool = False
    edges: tuple = ()  # numeric: (low, high) of each value's cell

    @property
    def domain(self) -> list:
        return [self.edges[0][0], self.edges[-1][1]] if self.numeric else list(self.labels)


def axis(name: str, values) -> Axis:
    values = list(values)
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if not numeric:
        return Axis(name, tuple(label(v) for v in values), False)
    ordered = sorted(float(v) for v in values)
    log = ordered[0] > 0 and ordered[-1] / ordered[0] >= 8
    where = np.log(ordered) if log else np.asarray(ordered)
    gaps = np.diff(where)
    half = np.concatenate([[gaps[0] if len(gaps) else 1.0], gaps, [gaps[-1] if len(gaps) else 1.0]]) / 2
    if not log and len(gaps) == 0:
        half = np.array([max(abs(where[0]) * 0.5, 0.5)] * 2)
    low, high = where - half[:-1], where + half[1:]
    if log:
        low, high = np.exp(low), np.exp(high)
    edges = tuple((float(a), float(b)) for a, b in zip(low, high))
    labels = tuple(label(v) for v in ordered)
    return Axis(name, labels, True, log, edges)


def place(ax: Axis, value, prefix: str) -> dict:
    if not ax.numeric:
        return {prefix: label(value)}
    index = ax.labels.index(label(float(value)))
    low, high = ax.edges[index]
    return {prefix: float(value), f"{prefix}_low": low, f"{prefix}_high": high}


def cell_rows(grid: Grid, spread: pd.DataFrame, running: set = frozenset(), nan_text: str = "n/a") -> pd.DataFrame:
    """One row per cell of a one- or two-axis grid, finished or not: x (and y), their cell edges, mean,
    low, high, seeds, state (done, running, waiting, none: no finite value) and two text lines; nan_text
    names a mean that is not a number (0 ÷ 0 for a ratio of two exactly-zero gradients)."""
    axes = [axis(name, values) for name, values in grid.axes[:2]]
    done = spread.set_index("cell") if len(spread) else None
    rows = []
    for index, values in enumerate(grid.cell_values()):
        row = {"cell": index}
        for ax, prefix in zip(axes, ("x", "y")):
            row.update(place(ax, values[ax.name], prefix))
        row["where"] = ", ".join(f"{name} = {label(values[name])}" for name in grid.names)
        if done is not None and index in done.index:
            found = done.loc[index]
            mean, low, high = float(found["mean"]), float(found["low"]), float(found["high"])
            finite = math.isfinite(mean)
            row.update(mean=mean if finite else None, low=low if math.isfinite(low) else None,
                       high=high if math.isfinite(high) else None, seeds=int(found["seeds"]),
                       state="done" if finite else "none", line1=_number(mean) if finite else _why(found, mean, nan_text),
                       line2=f"{_number(low)} – {_number(high)}" if finite and int(found["seeds"]) > 1 else "")
        else:
            row.update(mean=None, low=None, high=None, seeds=0,
                       state="running" if index in running else "waiting", line1="…" if index in running else "",
                       line2="")
        rows.append(row)
    return pd.DataFrame(rows)


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.3g}" if abs(value) >= 0.01 or value == 0 else f"{value:.1e}"


def _why(found, mean, nan_text) -> str:
    if int(found["diverged"]):
        return "diverged"
    return "never" if mean == math.inf else "0 (exact)" if mean == -math.inf else nan_text
