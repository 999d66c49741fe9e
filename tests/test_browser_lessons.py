"""Compare and lesson links in a real headless Chromium against `streamlit run app.py` (screenshots in artifacts/)."""
import dataclasses
from urllib.parse import urlencode

from playwright.sync_api import expect

from core.lessons.links import Lesson, lesson_params
from helpers.browser import require_chromium
from helpers.browser import screenshot as shoot

require_chromium()
from core.lessons.presets import BY_NAME

CHARTS = "[data-testid='stVegaLiteChart']"


def no_errors(page):
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def wait_all_finished(page, runs, timeout=120_000):
    expect(page.get_by_text("· finished · step", exact=False)).to_have_count(runs, timeout=timeout)
    expect(page.get_by_role("slider", name="step")).to_be_visible(timeout=timeout)  # the finished layout
    page.wait_for_timeout(1500)


def test_compare_a_preset_with_two_runs_then_four(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/compare?preset=sigmoid_vs_relu")
    expect(page.get_by_role("heading", name="Compare runs")).to_be_visible(timeout=60_000)
    # A fresh server whose first visit is a lesson link still runs the page through app.py (app_pages/, not pages/).
    expect(page.get_by_text("Gradient Flow Explorer")).to_be_visible(timeout=30_000)
    wait_all_finished(page, 2)
    expect(page.locator(CHARTS)).to_have_count(14, timeout=30_000)  # stale live charts leave as the rerun ends
    expect(page.get_by_text("A deep sigmoid net vanishes", exact=False).first).to_be_visible()
    no_errors(page)
    page.wait_for_timeout(2000)
    shoot(page, "compare_2_runs_1400x900.png")
    page.get_by_text("Sparsity, dead units and saturation, run by run").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    shoot(page, "compare_2_runs_sparsity_1400x900.png")
    page.get_by_text("Theory beside the measurement (step 0)").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    shoot(page, "compare_2_runs_theory_1400x900.png")  # preact_ms and relative delta_ms, the theory dashed
    shoot(page, "compare_2_runs_all_views.png", full=True)

    page.get_by_role("tab", name="run 1").click()  # the runs' editors
    page.locator("[data-testid='stButtonGroup']").get_by_text("4", exact=True).click()
    wait_all_finished(page, 4)
    expect(page.locator(CHARTS)).to_have_count(22, timeout=30_000)
    assert "runs=4" in page.url and "compare" in page.url
    no_errors(page)
    shoot(page, "compare_4_runs_1400x900.png")
    shoot(page, "compare_4_runs_all_views.png", full=True)


def test_a_locked_lesson_link_opens_with_its_controls_disabled_and_hidden(server, browser):  # noqa: F811
    config = BY_NAME["relu30_glorot_vs_he"].configs[0]
    params = lesson_params(Lesson(configs=(config,), preset="relu30_glorot_vs_he", run=1,
                                  lock=frozenset({"depth", "initializer", "activation"}), hide=frozenset({"seed"})))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/?{urlencode(params)}")
    expect(page.get_by_role("heading", name="Gradient Flow Lab")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("finished · step", exact=False)).to_be_visible(timeout=120_000)
    expect(page.get_by_role("slider", name="depth (hidden layers)")).to_have_attribute("aria-valuetext", "30")
    expect(page.get_by_role("slider", name="depth (hidden layers)")).to_be_disabled()
    expect(page.get_by_role("slider", name="width (units per layer)")).to_be_enabled()
    expect(page.get_by_role("spinbutton", name="seed")).to_have_count(0)  # hidden
    expect(page.get_by_role("spinbutton")).to_have_count(0)
    expect(page.get_by_text("A 30-layer ReLU net: Glorot against He", exact=False).first).to_be_visible()
    no_errors(page)
    page.wait_for_timeout(1500)
    shoot(page, "locked_lesson_link_1400x900.png")
    assert "lock=activation%2Cdepth%2Cinitializer" in page.url or "lock=activation,depth,initializer" in page.url


def test_a_slow_browser_shows_a_lesson_links_settings_and_keeps_them_on_the_next_touch(server, browser):  # noqa: F811
    """A student's laptop, or a class's server, that draws slowly: the sliders still show the link's values,
    not their minimums, and the first touch moves one control and no other."""
    warm = browser.new_page()
    warm.goto(server)  # a server's first visit (the shared one may be fresh) starts its cluster and traces; this test is about the rest
    expect(warm.get_by_text("finished · step", exact=False)).to_be_visible(timeout=60_000)
    warm.close()
    config = dataclasses.replace(BY_NAME["sigmoid_vs_relu"].configs[0], depth=12, width=64, seed=31)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 6})
    page.goto(f"{server}/?{urlencode(lesson_params(Lesson(configs=(config,))))}")
    expect(page.get_by_text("finished · step 150 of 150 · depth 12 · width 64", exact=False)).to_be_visible(timeout=120_000)
    page.wait_for_timeout(1000)
    shown = {label: page.get_by_role("slider", name=label).get_attribute("aria-valuetext")
             for label in ["depth (hidden layers)", "width (units per layer)", "steps", "learning rate"]}
    assert shown == {"depth (hidden layers)": "12", "width (units per layer)": "64", "steps": "150",
                     "learning rate": "0.1"}
    learning_rate = page.get_by_role("slider", name="learning rate")
    learning_rate.focus()
    learning_rate.press("ArrowRight")
    expect(page.get_by_text("step 150 of 150 · depth 12 · width 64 · seed 31 · learning rate 0.177828",
                            exact=False)).to_be_visible(timeout=120_000)
    no_errors(page)
    page.close()
