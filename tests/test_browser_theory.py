"""The Activations and Signal propagation pages, and the Lab's theory lines, in a real headless Chromium
against `streamlit run app.py`. Screenshots (1400x900) go to artifacts/."""
import json
import os
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from helpers.browser import ARTIFACTS, require_chromium, wait_finished

require_chromium()

CHARTS = "[data-testid='stVegaLiteChart']"


def new_page(browser):  # noqa: F811
    return browser.new_page(viewport={"width": 1400, "height": 900})


def no_errors(page):
    assert page.locator("[data-testid='stException']").count() == 0


def test_activations_page_draws_in_the_browser(server, browser):  # noqa: F811
    os.makedirs(ARTIFACTS, exist_ok=True)
    page = new_page(browser)
    page.goto(f"{server}/activations")
    expect(page.get_by_role("heading", name="Activation functions")).to_be_visible(timeout=60_000)
    expect(page.locator(CHARTS)).to_have_count(6, timeout=30_000)  # four panels, the chain, the zero paths
    page.wait_for_timeout(1500)
    no_errors(page)
    page.screenshot(path=os.path.join(ARTIFACTS, "activations_1400x900.png"))
    page.get_by_text("The chain of derivatives").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=os.path.join(ARTIFACTS, "activations_chain_1400x900.png"))


def test_a_click_on_the_phase_diagram_opens_the_lab_with_that_initialization(server, browser):  # noqa: F811
    page = new_page(browser)
    page.goto(f"{server}/theory")
    expect(page.get_by_role("heading", name="Signal propagation: order and chaos")).to_be_visible(timeout=60_000)
    activation = page.get_by_role("combobox", name="activation")  # the Lab's (sigmoid) at first
    activation.click()
    page.get_by_role("option", name="tanh", exact=True).click()
    expect(page.get_by_text("chi* for tanh", exact=False)).to_have_count(0)  # titles live in the canvas
    chart = page.locator(CHARTS).first
    expect(chart).to_be_visible(timeout=60_000)
    page.wait_for_timeout(2500)
    no_errors(page)
    page.screenshot(path=os.path.join(ARTIFACTS, "theory_1400x900.png"))
    box = chart.locator("canvas, svg").first.bounding_box()
    page.mouse.click(box["x"] + 0.45 * box["width"], box["y"] + 0.5 * box["height"])
    expect(page.get_by_role("heading", name="Gradient Flow Lab")).to_be_visible(timeout=60_000)
    page.wait_for_function("() => location.search.includes('initializer')", timeout=30_000)
    params = {key: values[0] for key, values in parse_qs(urlparse(page.url).query).items()}
    assert params["activation"] == "tanh"
    kernel = json.loads(params["initializer"])
    assert kernel["class_name"] == "VarianceScaling"
    assert kernel["config"]["mode"] == "fan_in" and kernel["config"]["distribution"] == "untruncated_normal"
    sigma_w = kernel["config"]["scale"] ** 0.5
    assert abs(round(sigma_w / 0.05) * 0.05 - sigma_w) < 1e-9 and 0.1 <= sigma_w <= 4.0
    bias = params["bias_initializer"]
    sigma_b = 0.0 if bias == "zeros" else json.loads(bias)["config"]["stddev"]
    # the Lab's controls show the clicked point
    slider = page.get_by_role("slider", name="σ_w")
    expect(slider).to_be_visible(timeout=10_000)
    assert abs(float(slider.get_attribute("value")) - sigma_w) < 1e-9
    if sigma_b:
        slider = page.get_by_role("slider", name="σ_b (bias standard deviation)")
        assert abs(float(slider.get_attribute("value")) - sigma_b) < 1e-9
    no_errors(page)


def lab_theory_screenshot(page, name):
    page.get_by_text("Theory beside the measurement", exact=False).first.scroll_into_view_if_needed()
    page.mouse.wheel(0, -120)
    page.wait_for_timeout(1500)
    page.screenshot(path=os.path.join(ARTIFACTS, name))


def test_the_labs_theory_lines_at_the_defaults_and_at_depth_100_with_sigmoid(server, browser):  # noqa: F811
    page = new_page(browser)
    page.goto(server)
    wait_finished(page)
    expect(page.get_by_text("theory: chi = 0.0561 per layer", exact=False)).to_be_visible(timeout=30_000)
    no_errors(page)
    lab_theory_screenshot(page, "lab_theory_defaults_1400x900.png")
    page = new_page(browser)
    page.goto(f"{server}/?depth=100&activation=sigmoid&steps=50")
    wait_finished(page, timeout=240_000)
    expect(page.get_by_text("of layer 100's", exact=False)).to_be_visible(timeout=30_000)
    no_errors(page)
    lab_theory_screenshot(page, "lab_theory_sigmoid_depth100_1400x900.png")
    page = new_page(browser)
    page.goto(f"{server}/?depth=12&activation=sigmoid&steps=50&precision=float16")
    wait_finished(page, timeout=240_000)
    expect(page.get_by_text("rounded to exactly 0: every value in layer", exact=False).first).to_be_visible(timeout=30_000)
    page.get_by_text("Numerics: gradients rounded", exact=False).scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    page.screenshot(path=os.path.join(ARTIFACTS, "lab_float16_rounded_zeros_1400x900.png"))
    no_errors(page)


def test_the_phase_diagram_marks_the_labs_configuration(server, browser):  # noqa: F811
    page = new_page(browser)
    page.goto(f"{server}/?activation=relu&initializer=he_normal&steps=20")
    wait_finished(page)
    page.get_by_role("link", name="Signal propagation").click()
    expect(page.get_by_role("heading", name="Signal propagation: order and chaos")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("The Lab now: relu, σ_w = 1.41, σ_b = 0 → χ* = 1", exact=False)).to_be_visible(timeout=60_000)
    page.wait_for_timeout(2500)
    no_errors(page)
    page.locator(CHARTS).first.scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(ARTIFACTS, "theory_relu_marker_1400x900.png"))
