"""Take it home in a real headless Chromium against `streamlit run app.py`: downloads arrive as real files,
and a downloaded record opens again as a saved run. Screenshots (1400x900) go to artifacts/."""
import json
import os

from PIL import Image
from playwright.sync_api import expect

from apps import LAB_CHARTS
from helpers.browser import ARTIFACTS, CHARTS, require_chromium, wait_finished

require_chromium()


def save_download(page, button, path):
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=button, exact=True).click()
    download.value.save_as(path)
    return path


def test_downloads_arrive_and_a_downloaded_record_opens_as_a_saved_run(server, browser, tmp_path):  # noqa: F811
    os.makedirs(ARTIFACTS, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page.goto(server)
    wait_finished(page)
    page.get_by_text("Take it home").scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(ARTIFACTS, "take_home_1400x900.png"))

    record = json.loads(open(save_download(page, "Run record (JSON)", tmp_path / "run.json")).read())
    assert record["schema"] == "gradflow.run/1" and record["status"] == "finished"
    gif = Image.open(save_download(page, "Gradient flow GIF", tmp_path / "flow.gif"))
    assert gif.format == "GIF" and gif.n_frames == 40
    assert open(save_download(page, "Keras code (.py)", tmp_path / "run.py")).read().startswith('"""Gradient Flow')

    page.get_by_text("Open a saved run").click()
    page.locator("[data-testid='stSidebar'] input[type=file]").set_input_files(str(tmp_path / "run.json"))
    expect(page.get_by_text("Viewing the saved run")).to_be_visible(timeout=30_000)
    expect(page.locator(CHARTS)).to_have_count(LAB_CHARTS, timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=os.path.join(ARTIFACTS, "saved_run_1400x900.png"))

    (tmp_path / "broken.json").write_text('{"schema": "gradflow.run/1", "steps": "x"}')
    page.locator("[data-testid='stSidebar'] input[type=file]").set_input_files(str(tmp_path / "broken.json"))
    expect(page.get_by_text("That file was not opened", exact=False).first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Viewing the saved run")).to_be_visible()  # what it showed stays
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
