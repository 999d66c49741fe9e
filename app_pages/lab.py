"""The Gradient Flow Lab: move a control and watch gradients, activations and dead units change live."""
import random
import time

import streamlit as st

from core.outside_text import outside
from core.stream.chunks import RunStream
from ui import import_views, text, theory_views, views
from ui.controls import lessons, links
from ui.controls.widgets import sidebar_controls
from ui.lab import chain_rule, dead_units
from ui.lab.step_bar import step_bar
from ui.lab.take_home import take_home
from ui.live import charts
from ui.live.backlog import wait_for_browser
from ui.session import action_pending, frame_interval, frame_spent, live_run, pace_frames

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
    # The same views as a live run's, fed the whole record at once from a stream of its own
    kept = st.session_state.get("lab_import_stream")
    if kept is None or kept[0] != name:
        kept = st.session_state["lab_import_stream"] = (name, RunStream(f"saved-{random.randrange(2**40):x}"))
    stream = kept[1]
    step_bar(record, shown.steps, live=False)
    charts.feed(stream, record)
    views.at_step(shown, watched=bool(record.boundary and record.boundary.get("steps")))
    theory_views.lab(record, shown, live=False)
    chain_rule.lab(record)
    dead_units.lab(record)
    views.over_time(shown)
    take_home(record, shown)


imported = import_views.lab_imported(config)
if imported is not None:
    show_imported(*imported)
    st.stop()

run = live_run(config)


def is_training() -> bool:
    return not run.done and not run.paused


training = is_training()
drawn = run.snapshot  # what this page run draws around the live frames


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
    if run.restarted:
        line += " · the worker training it stopped, so it started again from step 0 on another"
    position = run.queue_position  # read once: the run may leave the queue meanwhile
    if position:
        line += f" · {views.queue_text(position, run.server.slots)}"
    if run.status == "compiling":
        line += " · step 0 is measured; compiling the training step for this new architecture (once per server)"
    st.progress(done / config.steps if config.steps else 1.0, text=line)
    if run.error:
        text.error(f"The run failed: {outside(run.error)}. Change a control to start again.")


def run_buttons():
    """New seed and Pause or Resume. Outside the live fragment: a press redraws the whole page anyway (a new
    run, or a new state), and each live frame sends five messages fewer for the server to send."""
    seed, pause, _ = st.columns([1, 1, 4])
    seed.button("New seed", key="lab_new_seed", icon=":material/casino:", on_click=new_seed,
                help="Same settings, new random data, weights and minibatches.")
    if run.paused:
        pause.button("Resume", key="lab_resume", icon=":material/play_arrow:", on_click=run.resume,
                     help="Continue training from where it was paused.")
    else:
        pause.button("Pause", key="lab_pause", icon=":material/pause:", on_click=run.pause, disabled=run.done,
                     help="Hold training between frames, to scrub through what was recorded so far.")


# One fragment sends the live frames: the status line, the step bar and what this browser's charts lack.
# The charts below it are drawn once and stay; the page's script appends each frame to them. After the run,
# the fragment draws once, and the step bar replays in the browser from the same charts.
@st.fragment(run_every=frame_interval() if training else None)
def live_frame():
    # before anything is drawn, so a waiting run has sent nothing; in replay too, since the browser's timer may
    # still tick a few times after the run ends
    behind = wait_for_browser(action_pending)
    if training:
        pace_frames(action_pending)  # the class's share of the server, evenly for every watcher
    started, cpu = time.perf_counter(), time.thread_time()
    record, stream = run.published  # one snapshot per frame, with its stream: no view mixes two frames
    status(record)
    if is_training() != training or (record is not None and record.steps and not (drawn and drawn.steps)):
        st.rerun()  # finished, paused, resumed, or the first step: the whole page draws its new state
    if record is None or not record.steps:
        views.empty_chart_note(run.status)
        return
    step_bar(record, config.steps, training)
    charts.feed(stream, record)
    interval = frame_interval()  # once a frame: it counts the watchers under the server's lock
    st.caption(f"Step {record.steps[-1]} sent in {1000 * (time.perf_counter() - started):.1f} ms by the server"
               + (" · following the live run; pause to scrub" if training else " · replay runs in the browser")
               + (f" · {1 / interval:.0f} frames a second while the server is busy" if training and interval > 0.1 else "")
               + (f" · waited {behind:.1f} s for this browser to take the last frames" if behind >= 0.1 else ""))
    if training:
        frame_spent(time.thread_time() - cpu)


run_buttons()
live_frame()
views.at_step(config)
if drawn is not None and drawn.steps:
    theory_views.lab(drawn, config, live=training)
    chain_rule.lab(drawn)
    dead_units.lab(drawn)
views.over_time(config)
if not training:
    take_home(run.snapshot, config)
