"""Lab benchmark in a real browser: control change -> first drawn frame, -> finished run, and scrub time.

Run: .venv/bin/python bench/lab.py   (needs /usr/bin/chromium; prints a Markdown table for README.md)
The server is warm: the default config has run once, so its architecture is traced. A control change
here is "New seed" (new data, weights and minibatches; same architecture) and a learning-rate change.
"""
import os
import socket
import statistics
import subprocess
import sys
import time

from playwright.sync_api import sync_playwright

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPEATS = 5

# Every change of the progress text and of the "Step N drawn in X ms" caption (the last element a frame
# draws), with its time (performance.now), kept by the page itself.
OBSERVER = """() => {
  window.seen = [];
  const read = (selector) => { const node = document.querySelector(selector); return node ? node.innerText : ''; };
  new MutationObserver(() => {
    const progress = read('[data-testid=stProgress]');
    const drawn = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
      .map(node => node.innerText).find(text => text.includes('drawn in')) || '';
    const last = window.seen[window.seen.length - 1];
    if (!last || last[1] !== progress || last[2] !== drawn) window.seen.push([performance.now(), progress, drawn]);
  }).observe(document.body, {subtree: true, characterData: true, childList: true});
}"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def progress_text(page):
    return page.locator("[data-testid=stProgress]").inner_text(timeout=2000)


def wait_for(condition, timeout=60):
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError
        time.sleep(0.01)


def control_change(page, change):
    """Seconds from a control change to the new run's first fully drawn frame, and to its finished page."""
    old = progress_text(page)
    old_drawn = page.get_by_text("drawn in", exact=False).inner_text()
    start = page.evaluate("() => performance.now()")
    change()
    wait_for(lambda: progress_text(page) != old and "finished" in progress_text(page))
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)
    finished = (page.evaluate("() => performance.now()") - start) / 1000
    seen = [entry for entry in page.evaluate("() => window.seen") if entry[0] > start]
    drawn = [t for t, progress, caption in seen if progress != old and caption and caption != old_drawn]
    return (drawn[0] - start) / 1000 if drawn else float("nan"), finished, seen


def main():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.fileWatcherType", "none"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    try:
        time.sleep(3)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}", timeout=60_000)
            page.get_by_role("button", name="Play").wait_for(timeout=120_000)  # warm: the default has run
            page.evaluate(OBSERVER)
            seeds = [control_change(page, lambda: page.get_by_role("button", name="New seed").click())[:2]
                     for _ in range(REPEATS)]
            rate = page.get_by_role("slider", name="learning rate")
            rates = []
            for key in ["ArrowLeft"] * REPEATS:  # each a learning rate not run before
                rates.append(control_change(page, lambda: (rate.focus(), rate.press(key)))[:2])
            # Frame rate while training: a long run (the steps slider at its end); each new caption drawn
            # while the progress says "running" is one frame.
            steps = page.get_by_role("slider", name="steps")
            first, end, seen = control_change(page, lambda: (steps.focus(), steps.press("End")))
            long_run = (first, end)
            captions = {}
            for t, progress, caption in seen:
                if progress.startswith("running") and caption:
                    captions.setdefault(caption, t)
            frames = sorted(captions.values())
            rate = (len(frames) - 1) / ((frames[-1] - frames[0]) / 1000) if len(frames) > 1 else float("nan")
            scrubs = []
            step = page.locator("input[aria-label='step']")
            for _ in range(10):
                before = page.get_by_text("drawn in", exact=False).inner_text()
                step.focus()
                step.press("ArrowLeft")
                wait_for(lambda: page.get_by_text("drawn in", exact=False).inner_text() != before, timeout=10)
                scrubs.append(float(page.get_by_text("drawn in", exact=False).inner_text().split()[4]))
            browser.close()
    finally:
        server.terminate()
    rows = [("New seed", seeds), ("learning rate", rates)]
    print(f"Default config, warm server, {os.cpu_count()} CPU cores, median of {REPEATS} "
          "(min-max), Chromium on the same machine:\n")
    print("| control change | to first drawn frame (s) | to finished run (s) |")
    print("|---|---|---|")
    for name, samples in rows:
        firsts, ends = [s[0] for s in samples], [s[1] for s in samples]
        print(f"| {name} | {statistics.median(firsts):.2f} ({min(firsts):.2f}-{max(firsts):.2f}) "
              f"| {statistics.median(ends):.2f} ({min(ends):.2f}-{max(ends):.2f}) |")
    print(f"| steps slider to 5000 | {long_run[0]:.2f} | {long_run[1]:.2f} |")
    print(f"\nFrames drawn while training the 5000-step run: {rate:.1f} per second ({len(frames)} frames).")
    print(f"\nScrub (server time of the replay fragment, 10 scrubs): median {statistics.median(scrubs):.0f} ms, "
          f"max {max(scrubs):.0f} ms")


if __name__ == "__main__":
    main()
