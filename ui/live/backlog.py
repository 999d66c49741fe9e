"""Backpressure: a live view waits, before it draws a frame, until this session's browser has taken most of
what was already sent.

Streamlit queues each session's outgoing messages, at most 500, and when the queue is full it drops the
session while the browser's socket stays open: the page freezes mid-run with no error, and every later key
press is discarded. A depth-100 Lab frame is about 40 messages, ten times a second; a slow laptop, a busy
Wi-Fi or a server's two cores shared by a class drain slower than that. Waiting here turns "the browser is
behind" into a lower frame rate instead of a frozen page.

A server that serves a class falls behind in a second way, before any socket: each session's script runs put
their messages in that session's queue, and the runtime's event loop flushes every session's queue to its
socket, one message per turn of the loop. Each script start (a fragment's timer tick is one) adds lifecycle
messages that the next start's clear keeps, and that clear copies the whole unflushed queue on the same loop.
So a loop that falls behind makes every start slower, and the students' blind timers keep starting: at 30
students the runtime stopped flushing after 18 s and each queue held 5000 messages by 100 s (bench/load.py,
docs/benchmarks.md). Counting the unflushed messages too makes a session's next frame wait for the loop, and a
waiting fragment run starts no other: the timer's ticks meanwhile merge into one pending rerun.

The wait has no time limit: it ends when the browser catches up, when its socket closes, or when the
student does something (then the run that answers it starts at once, and its drawing waits in turn). The
queue is Streamlit's private attribute, read in ui/streamlit_private.py (tests/test_streamlit_private.py fails
if an upgrade moves it).
"""
import time

from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.streamlit_private import queued_for_browser, unflushed_for_browser

MOST_QUEUED = 120  # messages still to send before the next frame is drawn: about three live frames
MOST_UNFLUSHED = 40  # of them, not yet flushed to the socket: one depth-100 frame, or ten reruns' lifecycle
MOST_BYTES = 1_000_000  # and bytes: a second of a slow link, so what the page shows is at most that late
POLL = 0.02


def backlog() -> tuple | None:
    """(messages, bytes, unflushed): what this session has made for its browser and not yet sent (the bytes of
    those already on the socket's queue), and how many of the messages the runtime has not flushed yet; None
    outside a real server (AppTest), or once the browser has gone."""
    ctx = get_script_run_ctx()
    waiting = None if ctx is None else queued_for_browser(ctx.session_id)
    unflushed = None if waiting is None else unflushed_for_browser(ctx.session_id)
    if unflushed is None:
        return None
    return len(waiting) + unflushed, sum(map(len, waiting)), unflushed


def caught_up(queued: tuple) -> bool:
    messages, size, unflushed = queued
    return messages <= MOST_QUEUED and size <= MOST_BYTES and unflushed <= MOST_UNFLUSHED


def wait_for_browser(give_up=lambda: False) -> float:
    """Sleep until this browser has taken what was made for it (`caught_up`), or `give_up()` is true (the
    student did something). Returns the seconds waited."""
    started = time.perf_counter()
    while True:
        queued = backlog()
        if queued is None or caught_up(queued) or give_up():
            return time.perf_counter() - started
        time.sleep(POLL)
