"""The Gradient Flow Lab: move a control and watch gradients, activations and dead units change live."""
import random
import time

import streamlit as st

from core.outside_text import outside
from ui import export_views, import_views, lessons, links, text, theory_views, views
from ui.controls import sidebar_controls
from ui.backlog import wait_for_browser
from ui.session import action_pending, live_run, redraw_slowdown
from ui.entry import through_app

FRAME_SECONDS = 0.1  # redraw rate of the step bar and the per-layer views while training: ten a second
OVER_TIME_SECONDS = 0.2  # and of the curves over steps: five a second

through_app()  # a lesson link may be a fresh server's first visit; see ui/entry.py
st.title("Gradient Flow Lab")
lesson = lessons.lab_start()  # a lesson link or preset sets the controls; lock= and hide= apply to them
config, messages = sidebar_controls(lesson.lock, lesson.hide)
links.show_messages("lab", config.key() if config is not None else None, messages)
if config is None:
    st.stop()
lessons.lab_follow(config)
import_views.lab_import_control()


def show_imported(name, record, shown):
    """A saved run in place of the live one, until the student closes it or moves a control."""
    text.info(f"Viewing the saved run {outside(name)}: {record.status}, {len(record.steps)} recorded steps, depth "
            f"{shown.depth}, {shown.activation}. Move a control, or close it, to return to the live Lab.",
            icon=":material/folder_open:")
    st.button("Close the saved run", key="lab_close_import", icon=":material/close:", on_click=import_views.close_lab_import)
    views.at_step(record, shown, live=False)
    theory_views.lab(record, shown, live=False)
    views.over_time(record, live=False)
    export_views.take_home(record, shown)


imported = import_views.lab_imported(config)
if imported is not None:
    show_imported(*imported)
    st.stop()

run = live_run(config)


def is_training() -> bool:
    return not run.done and not run.paused


training = is_training()
# A class on one server: past a few watchers, every watcher redraws less often (core/engine/redraw.py).
slower = redraw_slowdown() if training else 1.0


def new_seed():
    st.session_state["lab_seed"] = random.randrange(2**31 - 1)


def status(record):
    done = record.steps[-1] if record and record.steps else 0
    line = (f"{run.status} · step {done} of {config.steps} · depth {config.depth} · width {config.width} · seed {config.seed} · "
            f"learning rate {config.learning_rate:g}")
    if record is not None and record.diverged_at is not None:
        line += f" · diverged at step {record.diverged_at}"
    if run.from_cache:
        line += " · from the server's cache"
    position = run.queue_position  # read once: the run may leave the queue meanwhile
    if position:
        line += f" · {views.queue_text(position, run.server.slots)}"
    if run.status == "compiling":
        line += " · step 0 is measured; compiling the training step for this new architecture (once per server)"
    st.progress(done / config.steps if config.steps else 1.0, text=line)
    seed, pause, _ = st.columns([1, 1, 4])
    if seed.button("New seed", key="lab_new_seed", icon=":material/casino:", on_click=new_seed,
                   help="Same settings, new random data, weights and minibatches."):
        st.rerun()  # the button sits in a fragment; a new config needs the whole page (and a new run)
    if run.paused:
        pause.button("Resume", key="lab_resume", icon=":material/play_arrow:", on_click=run.resume,
                     help="Continue training from where it was paused.")
    else:
        pause.button("Pause", key="lab_pause", icon=":material/pause:", on_click=run.pause, disabled=run.done,
                     help="Hold training between frames, to scrub through what was recorded so far.")
    if run.error:
        text.error(f"The run failed: {outside(run.error)}. Change a control to start again.")


# The same two fragments draw the live and the replay layout, with the same elements in the same places:
# while training they redraw themselves from the latest snapshot; afterwards they draw once, and the step
# bar replays in the browser.
@st.fragment(run_every=FRAME_SECONDS * slower if training else None)
def at_step_views():
    # before anything is drawn, so a waiting run has sent nothing; in replay too, since the browser's timer may
    # still tick a few times after the run ends, and each replay frame carries every recorded step
    behind = wait_for_browser(action_pending)
    started = time.perf_counter()
    record = run.snapshot  # one snapshot per frame: no view mixes two frames
    status(record)
    if is_training() != training:
        st.rerun()  # finished, paused or resumed: switch the whole page between live and replay
    if record is None or not record.steps:
        views.empty_chart_note(run.status)
        return
    views.at_step(record, config, live=training)
    st.caption(f"Step {record.steps[-1]} drawn in {1000 * (time.perf_counter() - started):.0f} ms on the server"
               + (" · following the live run; pause to scrub" if training else " · replay runs in the browser")
               + (f" · {1 / (FRAME_SECONDS * slower):.0f} frames a second while the server is busy" if slower > 1 else "")
               + (f" · waited {behind:.1f} s for this browser to take the last frames" if behind >= 0.1 else ""))


@st.fragment(run_every=OVER_TIME_SECONDS * slower if training else None)
def over_time_views():
    wait_for_browser(action_pending)
    record = run.snapshot
    if record is not None and record.steps:
        theory_views.lab(record, config, live=training)
        views.over_time(record, live=training)


at_step_views()
over_time_views()
if not training:
    export_views.take_home(run.snapshot, config)
