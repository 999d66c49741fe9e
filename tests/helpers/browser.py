"""What the browser tests share: `streamlit run app.py` on a free port, Debian's Chromium, and reading a page."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(ROOT, "artifacts")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def require_chromium():
    """Fail in CI (.ci/run installs Debian's chromium, so the browser tests always run there); skip elsewhere."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium so this test really runs in CI",
                        pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def streamlit_app(**settings):
    """`streamlit run app.py` on a free port, with these environment variables; its address. Its own process
    group, so worker processes it spawned (GRADFLOW_TRAIN_ON=workers) end with it."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "GRADFLOW_TRAIN_ON"}  # the app's default
    env.update(TF_CPP_MIN_LOG_LEVEL="3", **settings)
    errors = tempfile.TemporaryFile()  # a file, not a pipe: a long-lived server's log never fills it and blocks
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    errors.seek(0)
                    raise AssertionError(f"streamlit ended: {errors.read().decode(errors='replace')[-4000:]}")
                assert time.time() < deadline, "streamlit did not start"
                time.sleep(0.3)
        process.log = errors  # what the server printed, for a test that fails to say why
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(15)
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # whatever it left behind
            except ProcessLookupError:
                pass
            errors.close()



def wait_finished(page, timeout=60_000):
    expect(page.get_by_text("finished · step", exact=False)).to_be_visible(timeout=timeout)
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=timeout)  # the replay layout is drawn
    page.wait_for_timeout(1000)


# Every chart of a page, in its order: the Lab's live charts (ui/live/charts.py) and Streamlit's own.
CHARTS = "[data-testid=stVegaLiteChart], .gfe-chart"

# Points drawn in the gradient profile (the first chart): one per layer.
PROFILE_POINTS = ("() => { const chart = document.querySelector('[data-testid=stVegaLiteChart], .gfe-chart');"
                  " return chart ? chart.querySelectorAll('g.mark-symbol path').length : -1; }")


PROFILE_POSITIONS = ("() => [...document.querySelector('[data-testid=stVegaLiteChart], .gfe-chart')"
                     ".querySelectorAll('g.mark-symbol path')].map(p => p.getAttribute('transform')).join('|')")
# Where each view sits on the page: the top of every chart, relative to the page.
CHART_TOPS = ("() => [...document.querySelectorAll('[data-testid=stVegaLiteChart], .gfe-chart')]"
              ".map(c => Math.round(c.getBoundingClientRect().top + window.scrollY))")




# The live charts' store (static/gradflow/live_charts.js): the whole run held and drawn.
CAUGHT_UP = """() => { const s = window.gfeLive && window.gfeLive.store, bar = document.getElementById('gfe-step');
  return s && bar && !bar.disabled && s.chunks.length === Number(bar.max) + 1
    && [...window.gfeLive.views].every(v => v.vega && !v.dirty); }"""
# What the page holds, for a failure's message.
HELD = """() => { const g = window.gfeLive || {}, s = g.store || {}, bar = document.getElementById('gfe-step');
  return {chunks: (s.chunks || []).length, display: s.display, steps: bar ? Number(bar.max) + 1 : null, feeds: g.feeds, asks: g.asks,
          run: s.run, log: (g.log || []).slice(-40), dirty: [...(g.views || [])].filter(v => v.dirty).map(v => v.spec.name)}; }"""


def held_until(page, condition, timeout, what, arg=None):
    """Wait for `condition` in the page; on a timeout, say what the page held."""
    try:
        page.wait_for_function(condition, arg=arg, timeout=timeout)
    except Exception as error:
        raise AssertionError(f"{what}: {page.evaluate(HELD)}") from error


def caught_up(page, timeout):
    held_until(page, CAUGHT_UP, timeout, "the page never held and drew the whole run")


def screenshot(page, name, full=False):
    """artifacts/<name> at 1400×900, or (full) the whole page's height."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    if full:
        height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
        page.set_viewport_size({"width": 1400, "height": height + 40})
        page.wait_for_timeout(1500)
    page.screenshot(path=os.path.join(ARTIFACTS, name))
    page.set_viewport_size({"width": 1400, "height": 900})
