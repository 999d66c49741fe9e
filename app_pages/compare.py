"""Compare: two to four configurations side by side, on the same data and seed, training live."""
import streamlit as st

from core.config import ConfigError
from core.lessons.compare import run_labels
from core.lessons.presets import BY_NAME
from ui import import_views, theory_views
from ui.compare import panels
from ui.compare.runs import compare_runs
from ui.controls import lessons, links, widgets
from ui.live.backlog import wait_for_browser
from ui.session import action_pending

POLL_SECONDS = 1.0  # redraw rate while any run trains

st.title("Compare runs")
lesson = lessons.compare_start(widgets.config_or_default(st.session_state, "lab_"))
note = st.empty()  # the preset's note, once it is known that the runs are still the preset's
count = st.segmented_control("runs", [2, 3, 4], key="cmp_count", help="How many configurations to compare.") or 2

messages = []
for number in range(1, count + 1):
    messages += widgets.prepare(f"cmp{number}_")
with st.expander("Data and schedule, the same for every run", icon=":material/dataset:"):
    draw = widgets.Drawer("cmp1_", lesson.lock, lesson.hide)
    data, schedule = st.columns(2)
    with data:
        widgets.data_controls(draw)
    with schedule:
        widgets.schedule_controls(draw)
lessons.share_data(count)

configs, errors = [], []
names = [f"run {number}" for number in range(1, count + 1)]
for number, tab in enumerate(st.tabs(names), start=1):
    with tab:
        draw = widgets.Drawer(f"cmp{number}_", lesson.lock, lesson.hide)
        network, initialization, training, advanced = st.columns(4)
        with network:
            widgets.network_controls(draw)
        with initialization:
            widgets.initialization_controls(draw)
        with training:
            widgets.training_controls(draw)
        with advanced:
            widgets.advanced_controls(draw)
    try:
        configs.append(widgets.config_from_state(st.session_state, f"cmp{number}_"))
    except ConfigError as error:
        errors.append(f"Run {number}: {error}")
links.show_messages("cmp", [config.key() for config in configs] if not errors else None, messages + errors)
if errors:
    st.stop()

lesson = lessons.compare_follow(configs)
if lesson.preset:
    with note.container():
        lessons.preset_note(lesson.preset)
labels = run_labels(configs, BY_NAME.get(lesson.preset or ""))
runs = compare_runs(configs)
training = any(not run.done for run in runs)
import_views.compare_import_control()
saved = import_views.compare_imported()  # (label, record, config) of saved runs shown beside the live ones


def views_of(records, step, live: bool):
    records = records + [record for _, record, _ in saved]
    all_labels = labels + [label for label, _, _ in saved]
    all_configs = configs + [config for _, _, config in saved]
    st.markdown("#### What differs")
    panels.difference_table(all_configs, all_labels)
    st.markdown("#### Diagnosis")
    panels.diagnoses(records, all_labels, step)
    st.markdown("#### Gradient flow by layer")
    panels.profiles(records, all_labels, step)
    theory_views.compare(records, all_labels, all_configs)
    panels.over_time(records, all_labels, live)


@st.fragment(run_every=POLL_SECONDS)
def live():
    """While any run trains: every view of the latest step all runs have reached, once a second."""
    wait_for_browser(action_pending)  # before anything is drawn: ui/live/backlog.py
    records = [run.snapshot for run in runs]
    panels.status(runs, labels, configs)
    if all(run.done for run in runs):
        st.rerun()  # switch to the finished layout, with the step slider
    if any(record is None or not record.steps for record in records):
        st.info("Starting the runs…" if not any(run.status == "queued" for run in runs)
                else "Waiting for a free trainer: the server is busy with other runs.")
        return
    views_of(records, min(record.steps[-1] for record in records), live=True)


if training:
    live()
else:
    records = [run.snapshot for run in runs]
    panels.status(runs, labels, configs)
    if all(record is not None and record.steps for record in records):
        steps = sorted(set().union(*(record.steps for record in records + [record for _, record, _ in saved])))
        if st.session_state.get("cmp_step") not in steps:
            st.session_state["cmp_step"] = steps[-1]
        step = st.select_slider("step", options=steps, key="cmp_step",
                                help="The step of the profiles and the diagnosis; scrubbing never retrains.")
        views_of(records, step, live=False)
