"""A browser that takes its frames slowly gets fewer frames, and is not dropped (ui/live/backlog.py).

Streamlit drops a session whose outgoing queue reaches 500 messages, and leaves its socket open: the page
freezes with no error. These tests speak Streamlit's protocol (bench/ws_student.py) against `streamlit run
app.py`, as a student on a slow link: the client reads its messages at a set number of bytes a second.
"""
import asyncio
import time
from urllib.parse import urlencode

import pytest
from helpers.browser import streamlit_app

from bench.processes import thread_dump
from bench.ws_student import StreamlitStudent
from core.config import RunConfig
from core.lessons.links import Lesson, lesson_params

SLOW_LINK = 300_000  # bytes a second: a depth-100 run sends a few MB a second to a browser that keeps up


@pytest.fixture(scope="module")
def served():
    """One `streamlit run app.py`: its address and its process."""
    with streamlit_app() as (address, process):
        yield address, process


def why_stalled(process) -> str:
    """What the server and its workers were doing, and the end of its log: a frozen page fails with its cause."""
    process.log.seek(0)
    log = process.log.read().decode(errors="replace")[-3000:]
    return f"threads:\n{thread_dump(process.pid)}\nthe server's log (its end):\n{log}"


def watch_to_the_end(served, config: RunConfig, bytes_per_second: float, stalled_after: float = 60) -> StreamlitStudent:
    """Follows the run until it finishes; fails only when the page shows no new status for `stalled_after` s.

    A frozen page is what these tests catch, so the clock restarts with every new status: a slow machine
    (CI's) that trains 5000 depth-100 steps in more than two minutes is not a freeze.
    """
    base, process = served
    student = StreamlitStudent(base, urlencode(lesson_params(Lesson(configs=(config,)))), bytes_per_second)

    async def watch():
        await student.open()
        try:
            last_status, changed_at = None, time.monotonic()
            while not student.status.startswith(f"finished · step {config.steps} of {config.steps}"):
                if student.status != last_status:
                    last_status, changed_at = student.status, time.monotonic()
                if time.monotonic() - changed_at >= stalled_after:
                    pytest.fail(f"the page stopped at {student.status!r}\n{student.why_silent()}\n{why_stalled(process)}")
                await asyncio.sleep(0.2)
        finally:
            await student.close()

    asyncio.run(watch())
    return student


def test_a_student_on_a_slow_link_follows_a_depth_100_run_to_its_end(served):
    config = RunConfig(depth=100, steps=5000, record_every=34)  # the Lab's own: about 150 frames a run
    student = watch_to_the_end(served, config, SLOW_LINK)
    running = {text.split(" · depth")[0] for text in student.statuses if text.startswith("running · step")}
    assert len(running) >= 3, student.statuses  # slowed down, not frozen: the live frames kept coming
    assert student.exceptions == 0

