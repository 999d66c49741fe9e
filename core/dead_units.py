"""Which units of a layer die, and when: read from the record's per-unit activity (histograms["units"]).

At each recorded step, the record keeps for at most 64 units of each layer (core/metrics.py unit_indices) the
number of the minibatch's examples on which the unit's activation is not exactly 0. A unit at 0 examples is
dead on that step: no example sends it a gradient, so its incoming weights get none.
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

MOST_COLUMNS = 150  # recorded steps drawn at most, evenly spread (the last always): 64 x 150 cells
# A unit near death is 0 on one minibatch and not on the next: it "came back" only after this many recorded
# steps in a row dead, so the caption counts units that really returned, not minibatch noise.
DEAD_FOR = 3


def has_units(record) -> bool:
    """False for a record written before the units' activity was measured."""
    block = record.histograms.get("units")
    return bool(block) and len(block.get("counts", ())) == len(record.steps) > 0


def alive_counts(record, layer: int) -> np.ndarray:
    """[recorded step, unit]: examples on which each recorded unit of layer `layer` (1-based) is not 0."""
    counts = record.histograms["units"]["counts"]
    return np.asarray([np.asarray(step)[layer - 1] for step in counts], dtype=np.int64).reshape(len(counts), -1)


def drawn_steps(count: int, most: int = MOST_COLUMNS) -> np.ndarray:
    """Indices of the recorded steps drawn: all of a short run, else `most` evenly spread, with the last."""
    if count <= most:
        return np.arange(count)
    return np.unique(np.round(np.linspace(0, count - 1, most)).astype(int))


def activity_frame(record, layer: int) -> pd.DataFrame:
    """Rows for the heat map: step, until (the next drawn step), unit, alive (fraction of the batch), examples."""
    block = record.histograms["units"]
    examples = max(int(block["examples"]), 1)
    picked = drawn_steps(len(record.steps))
    counts = alive_counts(record, layer)[picked]
    steps = np.asarray(record.steps, dtype=np.int64)[picked]
    gap = int(steps[-1] - steps[-2]) if len(steps) > 1 else 1
    until = np.append(steps[1:], steps[-1] + max(gap, 1))
    units = np.asarray(block["index"], dtype=np.int64)
    return pd.DataFrame({
        "step": np.repeat(steps, len(units)), "until": np.repeat(until, len(units)),
        "unit": np.tile(units, len(steps)), "examples": counts.reshape(-1),
        "alive": counts.reshape(-1) / examples,
    })


@dataclass(frozen=True)
class UnitFates:
    shown: int  # units recorded in the layer (at most 64)
    width: int
    dead_at_start: int  # 0 examples at the first recorded step
    dead_at_end: int  # and at the last
    died: int  # alive at the first step, dead at the last
    came_back: int  # dead on DEAD_FOR recorded steps in a row, then alive again
    first_death: int | None  # the first recorded step at which a unit alive before was dead
    ever_zero: bool  # some recorded unit was exactly 0 on some example of some recorded step


def unit_fates(record, layer: int) -> UnitFates:
    """What happened to the recorded units of one layer over the run, in numbers a caption can say."""
    counts = alive_counts(record, layer)
    dead = counts == 0
    came_back = int(np.sum(_came_back(dead)))
    newly = dead[1:] & ~dead[:-1]
    rows = np.flatnonzero(newly.any(axis=1))
    return UnitFates(
        shown=counts.shape[1], width=int(record.config.get("width", counts.shape[1])),
        dead_at_start=int(dead[0].sum()), dead_at_end=int(dead[-1].sum()),
        died=int(np.sum(~dead[0] & dead[-1])), came_back=came_back,
        first_death=int(record.steps[rows[0] + 1]) if len(rows) else None,
        ever_zero=bool((counts < int(record.histograms["units"]["examples"])).any()),
    )


def _came_back(dead: np.ndarray) -> np.ndarray:
    """Per unit: dead on DEAD_FOR recorded steps in a row, and alive on some later step."""
    run = np.zeros(dead.shape[1], dtype=np.int64)  # dead steps in a row so far
    long_dead = np.zeros(dead.shape[1], dtype=bool)  # such a run has happened
    back = np.zeros(dead.shape[1], dtype=bool)
    for row in dead:
        back |= long_dead & ~row
        run = np.where(row, run + 1, 0)
        long_dead |= run >= DEAD_FOR
    return back
