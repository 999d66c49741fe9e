"""The Gradient Flow Lab: move a control and watch gradients, activations and dead units change live."""
import random

import streamlit as st

from ui import views
from ui.controls import sidebar_controls
from ui.session import live_run

POLL_SECONDS = 0.25  # redraw rate while training: 4 to 5 frames a second
PLAY_SECONDS = 0.3

st.title("Gradient Flow Lab")
config, messages = sidebar_controls()
for message in messages:
    st.warning(message, icon="⚠️")
if config is None:
    st.stop()

run = live_run(config)
training = not run.done and not run.paused


def new_seed():
    st.session_state["lab_seed"] = random.randrange(2**31 - 1)


@st.fragment(run_every=POLL_SECONDS if training else None)
def status():
    record = run.snapshot
    done = record.steps[-1] if record and record.steps else 0
    state = run.status
    text = f"{state} · step {done} of {config.steps}"
    if record is not None and record.diverged_at is not None:
        text += f" · diverged at step {record.diverged_at}"
    if run.from_cache:
        text += " · from the server's cache"
    st.progress(done / config.steps if config.steps else 1.0, text=text)
    left, middle, _ = st.columns([1, 1, 4])
    if left.button("New seed", key="lab_new_seed", icon=":material/casino:", on_click=new_seed,
                   help="Same settings, new random data, weights and minibatches."):
        st.rerun()
    if run.paused:
        if middle.button("Resume", key="lab_resume", icon=":material/play_arrow:"):
            run.resume()
            st.rerun()
    elif not run.done:
        if middle.button("Pause", key="lab_pause", icon=":material/pause:"):
            run.pause()
            st.rerun()
    if run.error:
        st.error(f"The run failed: {run.error}. Change a control to start again.")
    if training and run.done:
        st.rerun()  # the run ended: redraw once without polling


@st.fragment(run_every=POLL_SECONDS if training else (PLAY_SECONDS if st.session_state.get("lab_playing") else None))
def step_views():
    record = run.snapshot
    if record is None or not record.steps:
        views.empty_chart_note(run.status)
        return
    steps = record.steps
    if training or st.session_state.get("lab_follow", True) or st.session_state.get("lab_step") not in steps:
        st.session_state["lab_step"] = steps[-1]
    if training:
        st.caption("Following the live run. Pause to scrub through the recorded steps.")
        step = steps[-1]
    else:
        if st.session_state.get("lab_playing"):
            later = [s for s in steps if s > st.session_state["lab_step"]]
            st.session_state["lab_step"] = later[0] if later else steps[-1]
            if not later:
                st.session_state["lab_playing"] = False
        scrub, play = st.columns([6, 1])
        with scrub:
            step = st.select_slider("step", options=steps, key="lab_step",
                                    on_change=lambda: st.session_state.update(lab_follow=False),
                                    help="Replay the recorded frames; scrubbing never retrains.")
        with play:
            playing = st.session_state.get("lab_playing", False)
            if st.button("Stop" if playing else "Play", key="lab_play",
                         icon=":material/stop:" if playing else ":material/play_arrow:",
                         help="Replay the recorded frames from the start."):
                st.session_state["lab_playing"] = not playing
                st.session_state["lab_follow"] = False
                if not playing:
                    st.session_state["lab_step"] = steps[0]
                st.rerun()
        if not st.session_state.get("lab_playing") and run.status != "paused" and step == steps[-1]:
            st.session_state["lab_follow"] = True
    views.diagnosis(record, step)
    views.at_step(record, step, config)


@st.fragment(run_every=POLL_SECONDS if training else None)
def time_views():
    record = run.snapshot
    if record is None or not record.steps:
        return
    views.over_time(record)


status()
step_views()
time_views()
