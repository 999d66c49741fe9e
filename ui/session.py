"""The server's shared parts (cached once per process) and this session's live run."""
import json
import os
import threading
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.config import RunConfig
from core.engine import datasets
from core.outside_text import outside
from core.serve.gpus import badge as workers_badge
from core.serve.lab_server import LabServer, train_on
from core.serve.shared import SharedRun, open_run, watching
from core.sweep.cluster import SCHEDULER_VARIABLE
from ui.streamlit_private import is_full_app_rerun, pending_rerun, session_is_active, session_registry

FIRST_FRAME_WAIT = 0.8  # seconds the page waits for a new run's first frame before drawing


@st.cache_resource
def lab_server() -> LabServer:
    """One per server process: the trainer pool, the record cache and the gate on concurrent runs."""
    return LabServer.from_environment()


def frame_interval() -> float:
    """Seconds between this session's live frames: ten a second, fewer for everyone when the class's live
    frames would take more than their share of the server (core/serve/redraw.py)."""
    server = lab_server()
    return server.redraws.interval(watching(server))


def pace_frames(give_up):
    """Sleep until this session's next live frame is due (the interval can grow between two page runs, when
    more students watch), or until give_up() is true."""
    due = st.session_state.get("lab_frame_due", 0.0)
    while time.monotonic() < due and not give_up():
        time.sleep(0.02)  # each look takes the interpreter's lock: thirty watchers look 1500 times a second
    st.session_state["lab_frame_due"] = time.monotonic() + frame_interval()


def frame_spent(seconds: float):
    """A live frame of this session took `seconds` of the server's CPU."""
    lab_server().redraws.spent(seconds)


@st.cache_resource
def _workers_badge() -> dict | None:
    """The workers' devices, asked once in a thread (the first page does not wait for the workers to start);
    None when runs train in this process."""
    engine = lab_server().engine
    if engine is None:
        return None
    found = {}

    def ask():
        try:
            found["text"] = workers_badge(engine.devices())
        except Exception as error:  # the page says so rather than raise
            found["text"] = f"the Dask workers did not answer ({type(error).__name__})"

    threading.Thread(target=ask, daemon=True).start()
    return found


def device_badge() -> str:
    found = _workers_badge()
    if found is None:
        return _local_badge()
    return found.get("text", "Dask workers starting; they name their devices when they are up")


@st.cache_resource
def _local_badge() -> str:
    from core.engine.device import badge_text, gpu_names  # here: it loads TensorFlow, which workers keep to themselves

    return badge_text(gpu_names())


@st.cache_data(max_entries=32)
def data_points(config_key: str):
    """The Data view's points and class count (core/engine/datasets.py), once per configuration's data."""
    return datasets.data_points(RunConfig.from_dict(json.loads(config_key)))


def newer_run_requested() -> bool:
    """True when the student has already moved another control: this script run is about to be replaced,
    so waiting for its run's first frame would only delay the next one."""
    rerun_data = pending_rerun()  # Streamlit's own check happens at the next element; this peeks at it
    return rerun_data is not None and is_full_app_rerun(rerun_data)


def action_pending() -> bool:
    """True when the student has done something this script run has not answered yet: a pending rerun that
    is not a fragment's timer tick (a control, a button, a page change). A tick that arrives after the
    action is merged with it and keeps only the tick's flag, so this can miss an action by one tick (at most
    a tenth of a second); a whole-page rerun is always seen."""
    rerun_data = pending_rerun()
    return rerun_data is not None and (is_full_app_rerun(rerun_data) or not rerun_data.is_auto_rerun)


def session_gone():
    """A check the run's thread can call: has this browser session disconnected from the server?
    None outside a real server (AppTest has no websocket sessions)."""
    sessions = session_registry()
    if sessions is None:
        return None  # AppTest's stand-in runtime has none
    session_id = get_script_run_ctx().session_id
    return lambda: not session_is_active(sessions, session_id)


def live_run(config) -> SharedRun:
    """This session's run for `config`: the running one if the config is unchanged, else a new one."""
    current = st.session_state.get("lab_live")
    if current is not None and current.key == config.key():
        return current
    if current is not None:
        current.stop()  # superseded: it ends at its next stage or frame, and never waits for a slot
    run = open_run(config, lab_server(), abandoned=session_gone())
    st.session_state["lab_live"] = run
    run.wait_for_frame(FIRST_FRAME_WAIT, give_up=newer_run_requested)
    return run


def server_problem() -> str | None:
    """Why this server's settings cannot be used (the message names the variable, its value and what is
    allowed), or None. Checked on every page run: Streamlit does not cache a failure."""
    try:
        train_on(os.environ)  # read again each time: cheap, and a cached server would not say it
        lab_server()
    except ValueError as error:
        return str(error)
    except (OSError, TimeoutError) as error:  # the Dask cluster could not be reached or started
        return (f"The Dask cluster for training could not be reached or started ({type(error).__name__}: "
                f"{outside(str(error))}). Check {SCHEDULER_VARIABLE}, or set GRADFLOW_TRAIN_ON=server to train in "
                "the web process.")
    return None
