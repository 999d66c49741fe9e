"""A sweep's rows as a table (one row per cell and seed), its files, and each cell's spread over seeds."""
import math

import numpy as np
import pandas as pd

from core.sweep.outcomes import OUTCOMES

FORMATS = (".csv", ".parquet")


def frame(rows: list, axes: tuple) -> pd.DataFrame:
    """The rows as a DataFrame with a fixed column order (empty sweeps keep their columns)."""
    columns = ["cell", *axes, "seed", *OUTCOMES, "diverged_at", "status"]
    table = pd.DataFrame(rows, columns=columns)
    table["diverged_at"] = table["diverged_at"].astype("Int64")
    return table.sort_values(["cell", "seed"], ignore_index=True)


def format_problem(path: str) -> str | None:
    """Why a sweep cannot be written to `path` by its name, or None."""
    if path == "-" or path.lower().endswith(FORMATS):
        return None
    return "has neither a .csv nor a .parquet extension; FILE.csv, FILE.parquet or - (CSV on standard output) is allowed"


def to_bytes(table: pd.DataFrame, kind: str) -> bytes:
    """The table as a CSV or Parquet file's bytes (for downloads)."""
    if kind == "parquet":
        return table.to_parquet(index=False, engine="pyarrow")
    return table.to_csv(index=False).encode()


def write(table: pd.DataFrame, path: str, stream=None) -> None:
    if path == "-":
        stream.write(table.to_csv(index=False))
    elif path.lower().endswith(".parquet"):
        table.to_parquet(path, index=False, engine="pyarrow")
    else:
        table.to_csv(path, index=False)


def _plotted(values: np.ndarray, outcome: str) -> np.ndarray:
    """What a chart draws for these outcome values: log10 for ratios, "never reached" as infinity."""
    values = np.asarray(values, float)
    if outcome == "steps_to_target":
        values = np.where(np.isnan(values), math.inf, values)
    if OUTCOMES[outcome].log_scale:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.log10(values)
    return values


def spread(table: pd.DataFrame, axes: tuple, outcome: str) -> pd.DataFrame:
    """One row per finished cell: its axis values, the mean, lowest and highest of the plotted outcome over
    its seeds (log10 of a ratio: a geometric mean), how many seeds finished and how many diverged."""
    finished = table[table["status"].isin(["finished", "diverged"])]
    rows = []
    for cell, group in finished.groupby("cell", sort=True):
        values = _plotted(group[outcome].to_numpy(), outcome)
        with np.errstate(invalid="ignore"):
            mean = float(np.mean(values))
        rows.append({"cell": int(cell), **{name: group[name].iloc[0] for name in axes},
                     "mean": mean, "low": float(np.min(values)), "high": float(np.max(values)),
                     "seeds": len(group), "diverged": int((group["status"] == "diverged").sum())})
    return pd.DataFrame(rows, columns=["cell", *axes, "mean", "low", "high", "seeds", "diverged"])
