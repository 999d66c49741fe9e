"""The Lab's live charts in Chromium: views that stay on the page and receive only the rows they lack
(ui/live/charts.py, static/gradflow/live_charts.js), against `streamlit run app.py`."""
import base64
import io
import os
import re

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from helpers.browser import ARTIFACTS, caught_up, held_until, require_chromium, wait_finished

require_chromium()

ALL_IN_VIEW = {"width": 1400, "height": 4200}  # every chart on screen at once, so every one renders
VIEWS = "() => [...window.gfeLive.views].map(v => v.spec.name).sort()"
# Each view's picture: a canvas's pixels as PNG, an SVG's markup.
PICTURES = """() => Object.fromEntries([...window.gfeLive.views].map(v => {
  const canvas = v.root.querySelector('canvas'), svg = v.root.querySelector('svg');
  return [v.spec.name, canvas ? canvas.toDataURL() : svg.outerHTML];
}))"""
ROWS = """() => Object.fromEntries([...window.gfeLive.views].map(v =>
  [v.spec.name, [...v.datasets].sort().map(name => JSON.stringify(v.vega.data(name)))]))"""
# Every recorded step (the step bar counts them) is in the store, and every view has drawn it.
def pixels(picture: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(picture.split(",", 1)[1]))).convert("RGBA"), dtype=int)


def shapes(svg: str) -> list:
    """Every drawn shape of an SVG: its path and where it sits."""
    return re.findall(r'(?:d|transform)="([^"]*)"', svg)


def same_picture(a: str, b: str) -> bool:
    """SVG: the same shapes in the same places, to a pixel. Canvas: the same pixels up to anti-aliasing. Vega redraws only
    the region of a canvas that changed, so where lines cross, one drawn over many frames can be shaded a
    little differently from one drawn at once (seen: up to 42 of 255 in 0.13% of the pixels). The rows
    themselves are compared exactly beside this."""
    if not a.startswith("data:"):
        # the same shapes, each within a pixel (layouts round differently), in any order: an axis whose domain
        # grew during the run keeps its old ticks and adds the new ones after them (Vega's data join), so
        # the live SVG lists the same grid lines in another order (seen at 1500 steps, on the log-scale profile)
        drawn = [sorted(tuple(float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", shape)) for shape in shapes(svg))
                 for svg in (a, b)]
        return len(drawn[0]) == len(drawn[1]) and all(
            len(x) == len(y) and np.allclose(x, y, atol=1.0) for x, y in zip(*drawn))
    a, b = pixels(a), pixels(b)
    if a.shape != b.shape:
        return False
    difference = np.abs(a - b).max(axis=2)
    return difference.max() <= 96 and (difference > 0).mean() < 0.01


SEEN_DRAWN = """() => [...window.gfeLive.views].every(v => v.vega && (!v.visible || !v.dirty))"""  # off-screen ones wait


def pictures_when_drawn(page):
    caught_up(page, 60_000)
    page.wait_for_timeout(500)  # one more tick: nothing left to draw
    caught_up(page, 30_000)
    return page.evaluate(PICTURES), page.evaluate(ROWS)


os.makedirs(ARTIFACTS, exist_ok=True)


def test_the_live_charts_at_the_end_of_a_run_equal_the_replay_of_its_last_step(server, browser):  # noqa: F811
    """A page that followed the run frame by frame (rows appended, smoothing carried on) draws exactly what
    a page opened on the finished run draws from the whole record at once."""
    steps = 3000  # long enough that the page follows several frames (1500 steps finished in 2 frames once)
    link = f"{server}/?steps={steps}&record_every=20&depth=12&seed=21"
    follower = browser.new_page(viewport=ALL_IN_VIEW)
    follower.goto(link)
    wait_finished(follower, timeout=120_000)
    assert follower.evaluate("() => window.gfeLive.feeds") >= 3  # it followed the run, frame by frame
    followed, followed_rows = pictures_when_drawn(follower)
    latecomer = browser.new_page(viewport=ALL_IN_VIEW)
    latecomer.goto(link)  # the server's cache: finished, sent whole
    wait_finished(latecomer)
    expect(latecomer.get_by_text("from the server's cache", exact=False)).to_be_visible()
    replayed, replayed_rows = pictures_when_drawn(latecomer)
    assert followed_rows == replayed_rows  # every view holds the very same rows
    assert len(followed) == 13 and followed.keys() == replayed.keys()  # 11 views and the chain rule's two
    differing = [name for name in followed if not same_picture(followed[name], replayed[name])]
    for name in differing:  # kept, to look at
        for who, picture in (("live", followed[name]), ("replay", replayed[name])):
            if picture.startswith("data:"):
                with open(os.path.join(ARTIFACTS, f"differs_{name}_{who}.png"), "wb") as out:
                    out.write(base64.b64decode(picture.split(",", 1)[1]))
            else:
                with open(os.path.join(ARTIFACTS, f"differs_{name}_{who}.svg"), "w") as out:
                    out.write(picture)
    assert not differing, f"these views differ between live and replay: {differing}"
    assert follower.evaluate("() => window.gfeLive.store.chunks.length") == steps // 20 + 1
    follower.close()
    # A page that lost frames (it holds only the start, of a run it thinks is another) asks for the rest by
    # itself, once the run is finished, and draws it whole again.
    latecomer.evaluate("() => { const s = window.gfeLive.store; s.chunks.length = 1; s.run = 'a stale run'; }")
    repaired, repaired_rows = pictures_when_drawn(latecomer)
    assert repaired_rows == replayed_rows
    assert latecomer.evaluate("() => window.gfeLive.store.run") != "a stale run"
    # A frame that comes late (older than one applied: the preview's stream, once) changes nothing.
    late = latecomer.evaluate("""async () => {
      const live = await Object.values(window.gfeLiveModules)[0], s = window.gfeLive.store, before = [s.run, s.chunks.length];
      let asked = false;
      live.feed(null, {run: 'a late run', from: 1, count: 1, chunks: [], cursor: window.gfeLive.order.cursor,
                       frame: window.gfeLive.order.frame - 1}, () => { asked = true; });
      return {before, after: [s.run, s.chunks.length], asked}; }""")
    assert late["after"] == late["before"] and not late["asked"], late
    latecomer.close()


def test_a_page_reloaded_mid_run_shows_the_run_going_on(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/?steps=5000&depth=100&seed=22")
    status = page.get_by_text(re.compile(r"running · step \d+ of 5000 · depth 100"))
    expect(status).to_be_visible(timeout=120_000)
    page.wait_for_function("() => window.gfeLive && window.gfeLive.store.chunks.length > 2", timeout=60_000)
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.wait_for_timeout(1500)
    page.screenshot(path=os.path.join(ARTIFACTS, "lab_live_depth100_1400x900.png"))
    page.reload()
    expect(status).to_be_visible(timeout=60_000)
    first = int(re.search(r"step (\d+) of", status.inner_text()).group(1))
    # the reloaded page holds the whole record so far at once, then follows: the same run, not a new one
    page.wait_for_function("(first) => window.gfeLive && window.gfeLive.store.chunks.length > 0 && "
                           "window.gfeLive.store.chunks[window.gfeLive.store.chunks.length - 1].step > first",
                           arg=first, timeout=60_000)
    assert page.evaluate("() => window.gfeLive.store.chunks[0].step") == 0
    later = int(re.search(r"step (\d+) of", status.inner_text()).group(1))
    assert later > first
    assert page.locator("[data-testid='stException']").count() == 0
    wait_finished(page, timeout=300_000)
    page.wait_for_function(SEEN_DRAWN, timeout=60_000)
    page.screenshot(path=os.path.join(ARTIFACTS, "lab_replay_depth100_1400x900.png"))
    page.close()


def test_a_chart_scrolled_into_view_renders_its_current_step(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server}/?steps=5000&depth=30&seed=23")
    expect(page.get_by_text(re.compile(r"running · step [1-9]\d* of 5000"))).to_be_visible(timeout=120_000)
    held_until(page, "() => window.gfeLive && window.gfeLive.store.display > 3", 60_000, "the views never moved on")
    loss = "[...window.gfeLive.views].find(v => v.spec.name === 'loss')"
    assert page.evaluate(f"() => {loss}.renders || 0") == 0  # below the fold: not drawn while training
    page.locator('.gfe-chart[data-view="loss"]').scroll_into_view_if_needed()
    # drawn at once, at the step the other views show: one loss row per recorded step up to it
    page.wait_for_function(f"() => {loss}.renders > 0 && {loss}.vega.data('rows').length > 3", timeout=10_000)
    rows, display = page.evaluate(f"() => [{loss}.vega.data('rows').length, window.gfeLive.store.display]")
    assert display - 3 <= rows - 1 <= display  # the view's last row is the shown step (give it a tick)
    page.close()
