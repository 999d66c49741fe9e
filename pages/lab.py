"""The Gradient Flow Lab: move a control and watch gradients, activations and dead units change live."""
import random
import time

import streamlit as st

from ui import lessons, links, views
from ui.controls import sidebar_controls
from ui.session import live_run
from ui.entry import through_app

POLL_SECONDS = 0.2  # redraw rate of the per-layer views while training: 5 frames a second
OVER_TIME_SECONDS = 1.0  # and of the curves over steps
PLAY_SECONDS = 0.35

through_app()  # a lesson link may be a fresh server's first visit; see ui/entry.py
st.title("Gradient Flow Lab")
lesson = lessons.lab_start()  # a lesson link or preset sets the controls; lock= and hide= apply to them
config, messages = sidebar_controls(lesson.lock, lesson.hide)
for message in links.link_messages("lab") + messages:
    st.warning(message, icon=":material/warning:")
if config is None:
    st.stop()
lessons.lab_follow(config)

run = live_run(config)
training = not run.done and not run.paused


def new_seed():
    st.session_state["lab_seed"] = random.randrange(2**31 - 1)


def status(record):
    done = record.steps[-1] if record and record.steps else 0
    text = f"{run.status} · step {done} of {config.steps} · seed {config.seed} · learning rate {config.learning_rate:g}"
    if record is not None and record.diverged_at is not None:
        text += f" · diverged at step {record.diverged_at}"
    if run.from_cache:
        text += " · from the server's cache"
    st.progress(done / config.steps if config.steps else 1.0, text=text)
    seed, pause, _ = st.columns([1, 1, 4])
    seed.button("New seed", key="lab_new_seed", icon=":material/casino:", on_click=new_seed,
                help="Same settings, new random data, weights and minibatches.")
    if run.paused:
        pause.button("Resume", key="lab_resume", icon=":material/play_arrow:", on_click=run.resume,
                     help="Continue training from where it was paused.")
    elif not run.done:
        pause.button("Pause", key="lab_pause", icon=":material/pause:", on_click=run.pause,
                     help="Hold training between frames, to scrub through what was recorded so far.")
    if run.error:
        st.error(f"The run failed: {run.error}. Change a control to start again.")


@st.fragment(run_every=POLL_SECONDS)
def live():
    """While training: the progress and the per-layer views of the latest step, five times a second."""
    started = time.perf_counter()
    record = run.snapshot
    status(record)
    if run.done or run.paused:
        st.rerun()  # switch to the replay layout, without polling
    if record is None or not record.steps:
        views.empty_chart_note(run.status)
        return
    st.caption("Following the live run. Pause to scrub through the recorded steps.")
    views.diagnosis(record, record.steps[-1])
    views.at_step(record, record.steps[-1], config, live=True)
    st.caption(f"Step {record.steps[-1]} drawn in {1000 * (time.perf_counter() - started):.0f} ms on the server.")


@st.fragment(run_every=OVER_TIME_SECONDS)
def live_over_time():
    """While training: the curves over all steps so far, once a second (they change slowly)."""
    record = run.snapshot
    if record is not None and record.steps:
        views.over_time(record)


@st.fragment(run_every=PLAY_SECONDS if st.session_state.get("lab_playing") else None)
def replay(record):
    """After (or paused in) a run: the step scrubber and Play redraw only this fragment, never retrain."""
    started = time.perf_counter()
    steps = record.steps
    if st.session_state.get("lab_step") not in steps:
        st.session_state["lab_step"] = steps[-1]
    if st.session_state.get("lab_playing"):
        later = [s for s in steps if s > st.session_state["lab_step"]]
        if later:
            st.session_state["lab_step"] = later[0]
        else:
            st.session_state["lab_playing"] = False
            st.rerun()  # stop polling
    scrub, play = st.columns([6, 1])
    step = scrub.select_slider("step", options=steps, key="lab_step",
                               help="Replay the recorded frames; scrubbing never retrains.")
    playing = st.session_state.get("lab_playing", False)
    if play.button("Stop" if playing else "Play", key="lab_play", icon=":material/stop:" if playing else
                   ":material/play_arrow:", help="Replay the recorded frames from the start."):
        st.session_state["lab_playing"] = not playing
        if not playing:
            st.session_state["lab_step"] = steps[0]
        st.rerun()
    views.diagnosis(record, step)
    views.at_step(record, step, config)
    st.caption(f"Step {step} drawn in {1000 * (time.perf_counter() - started):.0f} ms on the server.")


if training:
    live()
    live_over_time()
else:
    record = run.snapshot
    status(record)
    if record is None or not record.steps:
        views.empty_chart_note(run.status)
    else:
        replay(record)
        views.over_time(record)
