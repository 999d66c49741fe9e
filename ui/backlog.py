"""Backpressure: a live view waits, before it draws a frame, until this session's browser has taken most of
the frames already sent.

Streamlit queues each session's outgoing messages, at most 500, and when the queue is full it drops the
session while the browser's socket stays open: the page freezes mid-run with no error, and every later key
press is discarded. A depth-100 Lab frame is about 40 messages and 1.5 MB, ten times a second; a slow
laptop, a busy Wi-Fi or a server's two cores shared by a class drain slower than that. Waiting here turns
"the browser is behind" into a lower frame rate instead of a frozen page.

The queue is Streamlit's private attribute, read the way `ui/session.py` reads its session registry, and
pinned with the Streamlit version in requirements.txt (tests/test_backlog.py fails if it moves).
"""
import time

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

MOST_QUEUED = 120  # messages still to send before the next frame is drawn: about three frames
LONGEST_WAIT = 10.0  # seconds; past this the frame is drawn anyway (the browser may be gone)
POLL = 0.02


def queued_messages() -> int | None:
    """Messages this session has queued for its browser and not yet sent; None outside a real server
    (AppTest), or once the browser has gone."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    sessions = getattr(Runtime.instance(), "_session_mgr", None)
    find = getattr(sessions, "get_active_session_info", None)
    if not callable(find):
        return None
    info = find(ctx.session_id)
    queue = getattr(getattr(info, "client", None), "_send_queue", None)
    closed = getattr(getattr(info, "client", None), "_closed", None)
    if queue is None or (closed is not None and closed.is_set()):
        return None
    return queue.qsize()


def wait_for_browser(give_up=lambda: False, most: int = MOST_QUEUED, longest: float = LONGEST_WAIT) -> float:
    """Sleep until at most `most` messages are queued for this browser, `give_up()` is true (the student
    moved a control), or `longest` seconds have passed. Returns the seconds waited."""
    started = time.perf_counter()
    while True:
        queued = queued_messages()
        waited = time.perf_counter() - started
        if queued is None or queued <= most or waited >= longest or give_up():
            return waited
        time.sleep(POLL)
