"""Compare's runs in this session: one LiveRun per configuration, through the Lab's server (the same trainer
pool, record cache and gate on concurrent runs)."""
import streamlit as st

from core.serve.shared import open_run
from ui.session import lab_server, session_gone

FIRST_FRAME_WAIT = 0.8  # seconds the page waits for the runs' first frames before drawing


def compare_runs(configs) -> list:
    """This session's runs for `configs`: unchanged configs keep their run, changed ones start anew."""
    previous = list(st.session_state.get("cmp_live", []))
    unused = list(previous)
    runs = []
    for position, config in enumerate(configs):
        key = config.key()
        same_place = previous[position] if position < len(previous) and previous[position].key == key else None
        run = same_place if same_place in unused else next((r for r in unused if r.key == key), None)
        if run is None:
            run = open_run(config, lab_server(), abandoned=session_gone())
        else:
            unused.remove(run)
        runs.append(run)
    for abandoned in unused:
        abandoned.stop()  # ends at its next frame
    if [run.key for run in runs] != [run.key for run in previous]:
        st.session_state.pop("cmp_step", None)
        for run in runs:
            run.wait_for_frame(FIRST_FRAME_WAIT / len(runs))
    st.session_state["cmp_live"] = runs
    return runs
