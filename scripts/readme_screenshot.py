"""The README's picture, from the real app: `streamlit run app.py`, headless Chromium at 1400×900, the Lab at
its defaults once its run has finished. Run: .venv/bin/python scripts/readme_screenshot.py (needs
/usr/bin/chromium); writes docs/images/lab.png."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from helpers.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402  (the tests' own server start)

OUT = os.path.join(ROOT, "docs", "images", "lab.png")


def main():
    with streamlit_app() as (address, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(address)
        expect(page.get_by_text("finished · step", exact=False)).to_be_visible(timeout=120_000)
        expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(2000)  # the charts' last paint
        os.makedirs(os.path.dirname(OUT), exist_ok=True)
        page.screenshot(path=OUT)
        browser.close()
    print(OUT)


if __name__ == "__main__":
    main()
