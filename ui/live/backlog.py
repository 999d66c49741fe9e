"""Backpressure: a live view waits, before it draws a frame, until this session's browser has taken most of
what was already sent.

Streamlit queues each session's outgoing messages, at most 500, and when the queue is full it drops the
session while the browser's socket stays open: the page freezes mid-run with no error, and every later key
press is discarded. A depth-100 Lab frame is about 40 messages, ten times a second; a slow laptop, a busy
Wi-Fi or a server's two cores shared by a class drain slower than that. Waiting here turns "the browser is
behind" into a lower frame rate instead of a frozen page.

The wait has no time limit: it ends when the browser catches up, when its socket closes, or when the
student does something (then the run that answers it starts at once, and its drawing waits in turn). The
queue is Streamlit's private attribute, read in ui/streamlit_private.py (tests/test_streamlit_private.py fails
if an upgrade moves it).
"""
import time

from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.streamlit_private import queued_for_browser

MOST_QUEUED = 120  # messages still to send before the next frame is drawn: about three live frames
MOST_BYTES = 1_000_000  # and bytes: a second of a slow link, so what the page shows is at most that late
POLL = 0.02


def backlog() -> tuple | None:
    """(messages, bytes) this session has queued for its browser and not yet sent; None outside a real
    server (AppTest), or once the browser has gone."""
    ctx = get_script_run_ctx()
    waiting = None if ctx is None else queued_for_browser(ctx.session_id)
    if waiting is None:
        return None
    return len(waiting), sum(map(len, waiting))


def wait_for_browser(give_up=lambda: False, most: int = MOST_QUEUED, most_bytes: int = MOST_BYTES) -> float:
    """Sleep until at most `most` messages and `most_bytes` bytes are queued for this browser, or `give_up()`
    is true (the student did something). Returns the seconds waited."""
    started = time.perf_counter()
    while True:
        queued = backlog()
        if queued is None or (queued[0] <= most and queued[1] <= most_bytes) or give_up():
            return time.perf_counter() - started
        time.sleep(POLL)
