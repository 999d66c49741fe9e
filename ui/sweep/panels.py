"""The Sweep page's views: the heat map (or lines) of a sweep, its progress, captions and downloads."""
import streamlit as st

from core.charts.sweep import PICK, outcome_title, sweep_figure
from core.charts.sweep_rows import cell_rows, label
from core.lessons.links import Lesson, lesson_params
from core.sweep import table
from core.sweep.outcomes import OUTCOMES
from core.sweep.theory import overlay

READING = {
    "grad_ratio": "Blue: layer 1's gradient is smaller than the last layer's (vanishing towards the input); red: "
                  "larger (exploding). White is 1: every layer learns at the same pace. Measured at step 0. "
                  "\"0 ÷ 0\": both gradients are exactly 0 (the signal died on the way forward).",
    "final_loss": "The loss on the last step's minibatch: bright is low. A spirals net that learns nothing stays "
                  "at ln 2 ≈ 0.69.",
    "final_accuracy": "Accuracy on the last step's minibatch: bright is high. Chance on the spirals is 0.5.",
    "dead_fraction": "The share of hidden units that output 0 for every example of the last step's minibatch, "
                     "averaged over the layers: dark is many dead units.",
    "steps_to_target": "The first recorded step whose minibatch loss reached the target: bright is fast, grey "
                       "(\"never\") did not reach it within the run.",
}


def chart(grid, rows_table, outcome: str, key: str | None = None, running: set = frozenset()):
    """Draw the sweep's chart from its rows so far (`running`: the cells a worker is computing); with a key,
    clicks select a cell (the event is returned)."""
    spread = table.spread(rows_table, grid.names, outcome)
    cells = cell_rows(grid, spread, running, nan_text="0 ÷ 0" if outcome == "grad_ratio" else "n/a")
    xi_rows, xi_note = overlay(grid)
    figure = sweep_figure(grid, outcome, cells, xi_rows)
    spec = {**figure.spec, "datasets": dict(figure.data)}
    if key is None:
        st.vega_lite_chart(spec, width="stretch")
        event = None
    else:
        event = st.vega_lite_chart(spec, on_select="rerun", selection_mode=PICK, key=key, width="stretch")
    return event, xi_rows, xi_note


def captions(grid, outcome: str, xi_rows, xi_note, clickable: bool) -> None:
    seeds = grid.seeds
    shown = "heat map" if len(grid.axes) > 1 else "line"
    spread = (f" Each cell's colour is the mean over its {seeds} seeds; the small line is the lowest – highest seed."
              if seeds > 1 and shown == "heat map" else
              f" The band spans the lowest to the highest of {seeds} seeds." if seeds > 1 else "")
    log = " (a geometric mean: the mean of log10)" if OUTCOMES[outcome].log_scale and seeds > 1 else ""
    st.caption(f"**{outcome_title(outcome)}**{log}. {READING[outcome]}{spread}")
    if grid.names[0] == "depth":
        st.caption("Dashed: the depth scale ξ = 1/|ln χ*| of mean-field theory (Schoenholz et al. 2017), the number "
                   "of layers over which the mean square gradient changes by a factor e; nets much deeper than ξ "
                   f"should not train (see Signal propagation). Here: {xi_note}.")
    elif xi_note:
        st.caption(f"Theory: {xi_note}.")
    if clickable:
        st.caption("Click a cell to open its run (the first seed) in the Lab.")


def lab_params_of(grid, event) -> dict | None:
    """The Lab's lesson-link parameters for the clicked cell, or None."""
    try:
        cell = int(((event or {}).get("selection", {}).get(PICK) or [])[0]["cell"])
        values = grid.cell_values()[cell]
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    return lesson_params(Lesson(configs=(grid.config(values, 0),)))


def downloads(result) -> None:
    name = "sweep_" + "_".join(result.grid.names)
    left, right, _ = st.columns([1, 1, 3])
    left.download_button("Download CSV", table.to_bytes(result.table, "csv"), f"{name}.csv", "text/csv",
                         key="sweep_csv", icon=":material/download:")
    right.download_button("Download Parquet", table.to_bytes(result.table, "parquet"), f"{name}.parquet",
                          "application/vnd.apache.parquet", key="sweep_parquet", icon=":material/download:")


def settings_line(grid) -> str:
    base = grid.base
    swept = set(grid.names)
    parts = [f"{name} = {label(getattr(base, name))}" for name in
             ("dataset", "depth", "width", "activation", "initializer", "bias_initializer", "optimizer",
              "learning_rate", "batch_size", "steps") if name not in swept
             and not (name == "initializer" and "sigma_w" in swept) and not (name == "bias_initializer" and "sigma_b" in swept)]
    return ", ".join(parts)
