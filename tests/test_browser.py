"""The Lab in a real headless Chromium (Debian's) against `streamlit run app.py` on localhost."""
import os
import socket
import subprocess
import sys
import time

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


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.time() < deadline, "streamlit did not start"
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


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


# Points drawn in the gradient profile (the first chart): one per layer.
PROFILE_POINTS = ("() => { const chart = document.querySelector('[data-testid=stVegaLiteChart]');"
                  " return chart ? chart.querySelectorAll('g.mark-symbol path').length : -1; }")


def test_moving_a_slider_redraws_the_charts_without_errors(server, browser):
    started = time.time()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server)
    expect(page.get_by_role("heading", name="Gradient Flow Lab")).to_be_visible(timeout=60_000)
    wait_finished(page)
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(11)
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
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(11)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0

    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, "lab_1400x900.png"))
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": height + 40})
    page.wait_for_timeout(1500)
    page.screenshot(path=os.path.join(ARTIFACTS, "lab_all_views.png"))
    assert time.time() - started < 120
