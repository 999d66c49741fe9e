"""The Lab in a real headless Chromium (Debian's) against `streamlit run app.py` on localhost."""
import os
import re

import pytest
from playwright.sync_api import expect

from apps import LAB_CHARTS
from helpers.browser import ARTIFACTS, CHART_TOPS, CHARTS, PROFILE_POINTS, PROFILE_POSITIONS, require_chromium, wait_finished

require_chromium()  # the module's tests all need it


def test_moving_a_slider_redraws_the_charts_without_errors(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server)
    expect(page.get_by_role("heading", name="Gradient Flow Lab")).to_be_visible(timeout=60_000)
    wait_finished(page)
    expect(page.locator(CHARTS)).to_have_count(LAB_CHARTS)
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
    expect(page.locator(CHARTS)).to_have_count(LAB_CHARTS)
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


ALL_CHARTS = f"document.querySelectorAll('{CHARTS}').length === {LAB_CHARTS}"


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
    if not depth_presses:  # a longer run (batches of 1024, 5000 steps), so it is still training when paused
        batch = page.get_by_role("slider", name="batch size")
        batch.focus()
        batch.press("End")  # 4096 trained for about two minutes here; 1024 is still training at the Pause
        batch.press("ArrowLeft")
        batch.press("ArrowLeft")
        expect(batch).to_have_attribute("aria-valuetext", "1024")
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
    assert len(live_tops) == len(paused_tops) == len(replay_tops) == LAB_CHARTS
    for live, paused, replay in zip(live_tops, paused_tops, replay_tops):  # to the pixel (sub-pixel rounding)
        assert abs(live - paused) <= 1 and abs(paused - replay) <= 1, (live_tops, paused_tops, replay_tops)
    assert page.locator("[data-testid='stException']").count() == 0
