"""Streamlit's private parts, all of them, in one place (pinned to the Streamlit version in requirements.txt).

The app reads or replaces each for a reason Streamlit's public API does not cover:
- PENDING_RERUN: a session's script requests (`_state`, `_rerun_data`) and `_is_full_app_rerun`, to see that
  the student moved a control while a script run still waits (ui/session.py);
- SESSION_REGISTRY: the runtime's `_session_mgr`, to tell whether a browser is still connected (ui/session.py)
  and to find its socket client;
- SEND_QUEUE: a websocket client's `_send_queue` and `_closed`, and asyncio.Queue's `_queue`, to wait for a
  slow browser before the next frame (ui/live/backlog.py);
- BROWSER_QUEUE: a session's `_browser_queue` (its ForwardMsgQueue), the messages its script runs made that the
  runtime has not yet flushed to the socket, to wait for a busy event loop before the next frame (the same);
- PROBLEM_MODULE_CLEANER: script_runner's `_clean_problem_modules`, replaced so that Keras's session is not
  cleared after every script run (ui/keras_session.py).
tests/test_streamlit_private.py checks each against the installed Streamlit and fails with its name when an
upgrade moves it. Every reader here degrades to "unknown" (None) rather than raise, so a page never breaks.
"""
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx, script_runner
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType, _is_full_app_rerun

PENDING_RERUN = "ScriptRequests._state, ScriptRequests._rerun_data, script_requests._is_full_app_rerun"
SESSION_REGISTRY = "Runtime._session_mgr (get_active_session_info, is_active_session)"
SEND_QUEUE = "StarletteSessionClient._send_queue, StarletteSessionClient._closed, asyncio.Queue._queue"
BROWSER_QUEUE = "ActiveSessionInfo.session, AppSession._browser_queue, ForwardMsgQueue.__len__"
PROBLEM_MODULE_CLEANER = "script_runner._clean_problem_modules"
# Streamlit's own cleaner, kept before anything replaces it, so its contract test reads Streamlit's code
# whatever ran first in the process
STREAMLITS_PROBLEM_MODULE_CLEANER = script_runner._clean_problem_modules


def pending_rerun():
    """The rerun Streamlit holds for this session's next interrupt point (its RerunData), or None."""
    requests = getattr(get_script_run_ctx(), "script_requests", None)
    if requests is None or getattr(requests, "_state", None) != ScriptRequestType.RERUN:
        return None
    return getattr(requests, "_rerun_data", None)


def is_full_app_rerun(rerun_data) -> bool:
    """True when the pending rerun runs the whole page (a control, a button), not only a fragment."""
    return _is_full_app_rerun(rerun_data)


def session_registry():
    """The runtime's session manager, or None outside a real server (AppTest's stand-in runtime has none that
    knows websockets)."""
    if get_script_run_ctx() is None or not Runtime.exists():
        return None
    sessions = getattr(Runtime.instance(), "_session_mgr", None)
    if not callable(getattr(sessions, "is_active_session", None)):
        return None
    return sessions


def session_is_active(sessions, session_id: str) -> bool:
    return sessions.is_active_session(session_id)


def queued_for_browser(session_id: str) -> list | None:
    """The messages this session has queued for its browser and not yet sent (a copy), or None when unknown
    or once the browser has gone."""
    sessions = session_registry()
    find = getattr(sessions, "get_active_session_info", None)
    if not callable(find):
        return None
    client = getattr(find(session_id), "client", None)
    queue, closed = getattr(client, "_send_queue", None), getattr(client, "_closed", None)
    if queue is None or closed is None or closed.is_set():
        return None
    return list(getattr(queue, "_queue", ()))  # one C call under the GIL: the event loop cannot change it meanwhile


def unflushed_for_browser(session_id: str) -> int | None:
    """How many messages this session's script runs have made that the runtime has not yet flushed to its
    socket's send queue, or None when unknown or once the browser has gone."""
    sessions = session_registry()
    find = getattr(sessions, "get_active_session_info", None)
    if not callable(find):
        return None
    queue = getattr(getattr(find(session_id), "session", None), "_browser_queue", None)
    try:
        return len(queue)  # a list's length, read under the GIL
    except TypeError:  # None, or a queue that no longer counts its messages
        return None


def replace_problem_module_cleaner(cleaner) -> None:
    """Run `cleaner` where Streamlit cleans up modules after each script run."""
    script_runner._clean_problem_modules = cleaner
