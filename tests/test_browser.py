"""The Lab in a real headless Chromium (Debian's) against `streamlit run app.py` on localhost."""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(ROOT, "artifacts")

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium so this test really runs in CI",
                    pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


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


@pytest.fixture(scope="module")
def server():
    with streamlit_app() as (address, _):
        yield address


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def wait_finished(page, timeout=60_000):
    expect(page.get_by_text("finished · step", exact=False)).to_be_visible(timeout=timeout)
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=timeout)  # the replay layout is drawn
    page.wait_for_timeout(1000)


# Every chart of a page, in its order: the Lab's live charts (ui/live_charts.py) and Streamlit's own.
CHARTS = "[data-testid=stVegaLiteChart], .gfe-chart"

# Points drawn in the gradient profile (the first chart): one per layer.
PROFILE_POINTS = ("() => { const chart = document.querySelector('[data-testid=stVegaLiteChart], .gfe-chart');"
                  " return chart ? chart.querySelectorAll('g.mark-symbol path').length : -1; }")


PROFILE_POSITIONS = ("() => [...document.querySelector('[data-testid=stVegaLiteChart], .gfe-chart')"
                     ".querySelectorAll('g.mark-symbol path')].map(p => p.getAttribute('transform')).join('|')")
# Where each view sits on the page: the top of every chart, relative to the page.
CHART_TOPS = ("() => [...document.querySelectorAll('[data-testid=stVegaLiteChart], .gfe-chart')]"
              ".map(c => Math.round(c.getBoundingClientRect().top + window.scrollY))")


def test_moving_a_slider_redraws_the_charts_without_errors(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server)
    expect(page.get_by_role("heading", name="Gradient Flow Lab")).to_be_visible(timeout=60_000)
    wait_finished(page)
    expect(page.locator(CHARTS)).to_have_count(13)  # 11 views, 2 of theory
    page.wait_for_function(f"() => ({PROFILE_POINTS})() === 10", timeout=10_000)

    depth = page.get_by_role("slider", name="depth (hidden layers)")
    depth.focus()
    for _ in range(5):
        depth.press("ArrowRight")
    expect(page.get_by_role("slider", name="depth (hidden layers)")).to_have_attribute("aria-valuetext", "15")
    # the new run draws its profile with 15 points, one per layer
    page.wait_for_function(f"() => ({PROFILE_POINTS})() === 15", timeout=60_000)
    wait_finished(page)
    page.wait_for_function(f"() => ({PROFILE_POINTS})() === 15", timeout=10_000)  # the replay layout too
    expect(page.locator(CHARTS)).to_have_count(13)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0

    # A scrub repaints the charts in the browser, without the server: the profile's points move and the step
    # label follows.
    before = page.evaluate(PROFILE_POSITIONS)
    step = page.locator("#gfe-step")
    step.focus()
    for _ in range(20):
        step.press("ArrowLeft")
    page.wait_for_function(f"(before) => ({PROFILE_POSITIONS})() !== before", arg=before, timeout=5_000)
    expect(page.locator(".gfe-label")).not_to_contain_text("step 300 of 300")

    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, "lab_1400x900.png"))
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": height + 40})
    page.wait_for_timeout(1500)
    page.screenshot(path=os.path.join(ARTIFACTS, "lab_all_views.png"))


def test_arrow_presses_made_while_the_server_reruns_never_jump_the_slider_back(server, browser):
    """A student tapping an arrow key: the slider only moves forward, even for presses made mid-rerun."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server)
    wait_finished(page)
    depth = page.get_by_role("slider", name="depth (hidden layers)")
    # every value the slider shows, in order, including any pushed back by the server
    depth.evaluate("""(slider) => { window.depthSeen = [];
        new MutationObserver(() => window.depthSeen.push(Number(slider.getAttribute('aria-valuetext'))))
            .observe(slider, {attributes: true, attributeFilter: ['aria-valuetext']}); }""")
    depth.focus()
    for _ in range(12):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(80)  # about a rerun's length apart, so some presses land mid-rerun
    page.wait_for_timeout(2000)
    expect(depth).to_have_attribute("aria-valuetext", "22")
    seen = page.evaluate("window.depthSeen")
    assert seen == sorted(seen) and seen[-1] == 22, f"the slider jumped back: {seen}"
    page.close()


ALL_CHARTS = "document.querySelectorAll('[data-testid=stVegaLiteChart], .gfe-chart').length === 13"  # 11 views, 2 of theory


def shoot(page, name):
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"))


@pytest.mark.parametrize("depth_presses", [0, 90], ids=["depth 10", "depth 100"])
def test_live_paused_and_replay_keep_every_view_in_its_place(server, browser, depth_presses):
    """No layout jump from live to paused to replay: every chart keeps its position. Screenshots of each."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    depth = 10 + depth_presses
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server)
    wait_finished(page)
    if depth_presses:
        slider = page.get_by_role("slider", name="depth (hidden layers)")
        slider.focus()
        slider.press("End")
        expect(slider).to_have_attribute("aria-valuetext", "100")
    if not depth_presses:  # a long run (big batches, 5000 steps), so it is still training when paused
        batch = page.get_by_role("slider", name="batch size")
        batch.focus()
        batch.press("End")
    # 5000 steps, so the run is still training when paused and again after Resume; at depth 100 a 600-step run
    # could finish in the second between the first frame and the Pause, and then Resume never shows "running"
    steps = page.get_by_role("slider", name="steps")
    steps.focus()
    steps.press("End")
    total = "5000"
    expect(steps).to_have_attribute("aria-valuetext", total)
    # the run of the last press, not one it superseded: a Pause sent to an earlier run leaves the last unpaused
    expect(page.get_by_text(re.compile(rf"running · step \d+ of {total} · depth {depth} "))).to_be_visible(timeout=120_000)
    # the new run's first frame: its profile (layers whose gradient underflowed to 0 have no point on a log axis)
    page.wait_for_function(f"() => ({PROFILE_POINTS})() {'=== 10' if depth == 10 else '> 10'}", timeout=60_000)
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#gfe-step:not([disabled])")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)
    page.wait_for_function(f"() => {ALL_CHARTS}")  # the paused page's rerun may still be drawing on a busy machine
    paused_tops = page.evaluate(CHART_TOPS)
    shoot(page, f"lab_paused_depth{depth}")
    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_text("running · step", exact=False)).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    page.wait_for_function(f"() => {ALL_CHARTS}")
    live_tops = page.evaluate(CHART_TOPS)
    shoot(page, f"lab_live_depth{depth}")
    wait_finished(page, timeout=240_000)
    page.wait_for_function(f"() => {ALL_CHARTS}")
    replay_tops = page.evaluate(CHART_TOPS)
    step = page.locator("#gfe-step")
    step.focus()
    step.press("Home")
    page.wait_for_timeout(1000)
    shoot(page, f"lab_replay_depth{depth}")
    assert len(live_tops) == len(paused_tops) == len(replay_tops) == 13
    for live, paused, replay in zip(live_tops, paused_tops, replay_tops):  # to the pixel (sub-pixel rounding)
        assert abs(live - paused) <= 1 and abs(paused - replay) <= 1, (live_tops, paused_tops, replay_tops)
    assert page.locator("[data-testid='stException']").count() == 0
