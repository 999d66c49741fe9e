"""With GRADFLOW_TRAIN_ON=workers, `streamlit run app.py` trains the Lab's runs in Dask worker processes, and
the page in Chromium draws them as it draws runs trained in the web process."""
import re

import psutil
import pytest
from playwright.sync_api import expect

from helpers.browser import caught_up, require_chromium, streamlit_app, wait_finished

require_chromium()

ALL_IN_VIEW = {"width": 1400, "height": 4200}


@pytest.fixture(scope="module")
def workers_server():
    with streamlit_app(GRADFLOW_TRAIN_ON="workers", GRADFLOW_SWEEP_WORKERS="2") as started:
        yield started


def cpu_seconds(process: psutil.Process) -> tuple:
    """(the server's own CPU seconds, its child processes' together): the workers are its children."""
    times = process.cpu_times()
    children = 0.0
    for child in process.children(recursive=True):
        try:
            child_times = child.cpu_times()
            children += child_times.user + child_times.system
        except psutil.NoSuchProcess:
            pass
    return times.user + times.system, children


def test_a_run_trained_on_the_workers_is_drawn_whole_and_its_training_is_their_cpu_not_the_servers(
        workers_server, browser):  # noqa: F811
    address, process = workers_server
    page = browser.new_page(viewport=ALL_IN_VIEW)
    page.goto(f"{address}/?steps=1500&record_every=10&depth=12&seed=31")
    wait_finished(page, timeout=180_000)
    caught_up(page, 60_000)
    assert page.evaluate("() => window.gfeLive.store.chunks.length") == 1500 // 10 + 1
    assert page.locator("[data-testid='stException']").count() == 0
    server = psutil.Process(process.pid)
    assert len(server.children(recursive=True)) >= 2  # the worker processes
    before = cpu_seconds(server)
    page.goto(f"{address}/?steps=3000&record_every=20&depth=12&width=128&seed=32")  # more arithmetic a step
    wait_finished(page, timeout=180_000)
    caught_up(page, 60_000)
    status = page.get_by_text(re.compile(r"finished · step 3000 of 3000 · depth 12 · width 128"))
    expect(status).to_be_visible()
    after = cpu_seconds(server)
    on_server, on_workers = after[0] - before[0], after[1] - before[1]
    assert on_workers > max(1.0, on_server), f"workers {on_workers:.1f} s, server {on_server:.1f} s"
    page.close()
