"""Sweeps: a grid of runs on Dask, drawn as a heat map (or lines) that fills in as runs finish; a click on a
cell opens that run in the Lab."""
import streamlit as st

from core.sweep import table
from ui import text
from ui.controls import links, widgets
from ui.live.backlog import wait_for_browser
from ui.session import action_pending
from ui.sweep import panels, runs
from ui.sweep.controls import sweep_controls

st.title("Sweeps: where does a network stop training?")
st.markdown(
    "At which depth does a sigmoid net stop learning? Which σ_w keeps a deep tanh net trainable? One run "
    "cannot say; a grid of runs can. Pick one or two settings to vary and what to measure: every cell of the "
    "grid trains once per seed, on every core of the server (or on a Dask cluster), and fills in as it finishes.")

links.restore_once("sweep", comparison=False)  # a link's settings are the Lab's, which a sweep starts from
# The Lab's run keeps its config (its widgets' state is gone once the student has left the Lab).
lab_run = st.session_state.get("lab_live")
lab_config = lab_run.config if lab_run is not None else widgets.config_or_default(st.session_state, "lab_")
links.show_messages("sweep", lab_config.key())
choice = sweep_controls(lab_config)
for problem in choice.problems:
    text.error(problem)
if choice.grid is not None:
    run_count = choice.grid.cell_count * choice.grid.seeds
    st.caption(f"{choice.grid.cell_count} cells × {choice.grid.seeds} seeds = **{run_count} runs**. The rest from the Lab: "
               f"{panels.settings_line(choice.grid)}.")

sweep = runs.running()
run_column, cancel_column, _ = st.columns([1, 1, 5])
if run_column.button("Run sweep", type="primary", key="sweep_run", disabled=choice.grid is None or sweep is not None):
    refused = runs.start(choice.grid, choice.target_loss)
    if refused:
        text.warning(refused, icon=":material/hourglass_top:")
    elif runs.running() is not None:
        st.rerun()  # draw the page again with Run disabled (it was drawn before the click started the sweep)
    sweep = runs.running()
if cancel_column.button("Cancel", key="sweep_cancel", disabled=sweep is None):
    runs.settle(cancel=True)
    sweep = None


@st.fragment(run_every=0.5)
def live():
    """Poll the running sweep: progress and the chart as cells finish; a full rerun when it is done."""
    wait_for_browser(action_pending)  # before anything is drawn: ui/live/backlog.py
    running = runs.running()
    if running is None or runs.settle() is not None:
        st.rerun()
    done, total = running.finished_count, running.total
    st.progress(done / total, text=f"{done} of {total} runs · {st.session_state.get('sweep_where', '')}")
    st.caption("The sweep keeps running while you look at other pages. Closing the tab cancels the runs not "
               "finished yet.")
    panels.chart(running.grid, table.frame(running.finished_rows(), running.grid.names), choice.outcome,
                 running=running.running_cells())


if sweep is not None:
    live()
elif (result := runs.latest()) is not None:
    earlier = list(runs.finished().values())
    if len(earlier) > 1:
        result = st.selectbox("finished sweeps (this session)", earlier[::-1], format_func=lambda r: r.title,
                              key="sweep_shown")
    status = "cancelled" if result.cancelled else "finished"
    st.progress(1.0 if not result.cancelled else len(result.table) / (result.grid.cell_count * result.grid.seeds),
                text=f"{status}: {len(result.table)} runs · {result.where}")
    event, xi_rows, xi_note = panels.chart(result.grid, result.table, choice.outcome, key=runs.chart_key(result))
    params = panels.lab_params_of(result.grid, event)
    if params is not None:
        st.session_state.pop("lab_link_lesson", None)  # the Lab reads its URL again, as for a lesson link
        st.switch_page("app_pages/lab.py", query_params=params)
    panels.captions(result.grid, choice.outcome, xi_rows, xi_note, clickable=True)
    if choice.outcome == "steps_to_target" and choice.target_loss != result.target_loss:
        st.info(f"These steps were counted to a target loss of {result.target_loss:g}, not {choice.target_loss:g}: "
                "run the sweep again to count them to the new target.", icon=":material/info:")
    panels.downloads(result)
else:
    st.info("Choose the axes and their values, then **Run sweep**. The default grid asks at which depth each "
            "activation stops learning.")
