"""Crafted lesson links in a real headless Chromium against `streamlit run app.py`: the warnings show the
link's text exactly as typed, hold no link and no image, and the browser fetches nothing from the link's host
(a screenshot of each goes to artifacts/)."""
import os
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import expect

from helpers.browser import ARTIFACTS, require_chromium

require_chromium()

EVIL = "evil.example"
LINKS = [  # (path and query, a text the warnings must show exactly)
    ("/?" + quote("[Log in again](https://evil.example/login)") + "=1", "[Log in again](https://evil.example/login)"),
    ("/?lock=" + quote("[Log in again](https://evil.example/login),![t](https://evil.example/t.png)"),
     "![t](https://evil.example/t.png)"),
    ("/?activation=" + quote("**bold** [x](javascript:alert(1)) ![t](https://evil.example/t.png)"),
     "**bold** [x](javascript:alert(1)) ![t](https://evil.example/t.png)"),
    ("/compare?preset=" + quote("[Log in again](https://evil.example/login)"), "[Log in again](https://evil.example/login)"),
    ("/?lock=__class__", "__class__"),
    ("/?initializer=" + quote("https://evil.example/x www.evil.example a@evil.example :material/home: a -> b"),
     "https://evil.example/x www.evil.example a@evil.example :material/home: a -> b"),
]
ALERTS = "[data-testid='stAlert']"


@pytest.mark.parametrize("link,typed", LINKS, ids=[f"link {n}" for n in range(len(LINKS))])
def test_a_crafted_link_shows_its_text_literally_with_no_link_or_image_and_fetches_nothing(server, browser, link, typed):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if EVIL in (urlparse(request.url).hostname or "") else None)
    page.goto(server + link)
    warning = page.locator(ALERTS).filter(has_text="Link parameter").first
    expect(warning).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)  # any image a warning held would be requested by now
    texts = page.locator(ALERTS).evaluate_all("alerts => alerts.map(a => a.innerText)")
    assert any(typed in text for text in texts), texts
    assert page.locator(f"{ALERTS} a[href]").count() == 0
    assert page.locator(f"{ALERTS} img").count() == 0
    assert page.locator(f"{ALERTS} [data-testid='stMarkdownContainer'] [data-testid='stIconMaterial']").count() == 0
    assert fetched == []
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"untrusted_link_{LINKS.index((link, typed))}_1400x900.png"))
    page.close()
