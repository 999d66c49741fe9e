"""Lab benchmark in a real browser for what a student does first: change the depth (issue "instant at every depth").

Run: .venv/bin/python bench/depth.py   (needs /usr/bin/chromium; prints a Markdown table for README.md)
The server is warm (the default config has run), but every depth below is an architecture it has never
traced. For each control change it reports, from the key press in the browser:
- first frame: the new depth's first frame is drawn (its step-0 statistics, measured eagerly while the
  step traces);
- first training frame: a frame past step 0 is drawn (the compiled step is running);
- finished: the run's last frame is drawn.
A frame counts as drawn when the status line names the new depth and the frame's last element (the
"sent in" caption) has changed after it.
"""
import os
import subprocess
import sys
import time

from playwright.sync_api import sync_playwright

from lab import free_port  # bench/ is the script's own folder, so its sibling imports as a module

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

OBSERVER = """() => {
  window.seen = [];
  const read = (selector) => { const node = document.querySelector(selector); return node ? node.innerText : ''; };
  new MutationObserver(() => {
    const progress = read('[data-testid=stProgress]');
    const drawn = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
      .map(node => node.innerText).find(text => text.includes('sent in')) || '';
    const last = window.seen[window.seen.length - 1];
    if (!last || last[1] !== progress || last[2] !== drawn) window.seen.push([performance.now(), progress, drawn]);
  }).observe(document.body, {subtree: true, characterData: true, childList: true});
}"""


def step_of(progress):
    words = progress.split()
    return int(words[words.index("step") + 1]) if "step" in words else -1


def measure(page, press, depth, width=32, timeout=400):
    """Seconds from the (last) key press to the first frame, the first training frame and the finished run."""
    start = page.evaluate("() => performance.now()")
    press()
    deadline = time.time() + timeout
    tag = f"depth {depth} · width {width} "
    while True:
        seen = [entry for entry in page.evaluate("() => window.seen") if entry[0] > start]
        ours = [entry for entry in seen if tag in entry[1] + " "]
        if any(entry[1].startswith("finished") for entry in ours):
            break
        if time.time() > deadline:
            raise TimeoutError(f"depth {depth} did not finish: {seen[-3:]}")
        time.sleep(0.05)
    first = next((t for i, (t, progress, caption) in enumerate(seen)
                  if tag in progress + " " and caption and i > 0), None)
    training = next((t for t, progress, caption in ours if step_of(progress) > 0 and caption), None)
    finished = next(t for t, progress, caption in ours if progress.startswith("finished"))
    return [(value - start) / 1000 if value is not None else float("nan") for value in (first, training, finished)]


class Rows(list):
    """Printed as they come, so a slow case still leaves the others."""

    def append(self, row):
        super().append(row)
        name, (first, training, finished) = row
        print(f"| {name} | {first:.2f} | {training:.2f} | {finished:.2f} |", file=sys.stderr, flush=True)


def main():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.fileWatcherType", "none"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    rows = Rows()
    try:
        time.sleep(3)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}", timeout=60_000)
            page.get_by_role("button", name="Play").wait_for(timeout=120_000)  # warm: the default has run
            page.evaluate(OBSERVER)
            depth = page.get_by_role("slider", name="depth (hidden layers)")
            depth.focus()
            rows.append(("depth 10 → 11", measure(page, lambda: depth.press("ArrowRight"), 11)))

            def burst():
                for _ in range(10):
                    depth.press("ArrowRight")
                    page.wait_for_timeout(100)  # a student holding the arrow key, ten steps a second

            rows.append(("ten quick presses of → (11 → 21), from the last press", measure(page, burst, 21)))

            def drag():
                for _ in range(29):
                    depth.press("ArrowRight")
                    page.wait_for_timeout(20)  # as fast as a drag of the thumb

            rows.append(("depth 21 → 50 (29 presses, as a drag), from the last press", measure(page, drag, 50)))
            rows.append(("depth → 100 (End)", measure(page, lambda: depth.press("End"), 100)))
            width = page.get_by_role("slider", name="width (units per layer)")
            width.focus()

            def widen():
                for _ in range(3):  # 32 → 64 → 128 → 256
                    width.press("ArrowRight")
                    page.wait_for_timeout(100)

            rows.append(("depth 100, width 32 → 256 (three presses), from the last press", measure(page, widen, 100, 256)))
            os.makedirs(os.path.join(ROOT, "artifacts"), exist_ok=True)
            page.screenshot(path=os.path.join(ROOT, "artifacts", "depth_100_width_256.png"))
            browser.close()
    finally:
        server.terminate()
    print(f"Warm server, architectures never traced, {os.cpu_count()} CPU cores, Chromium on the same machine "
          "(seconds from the key press):\n")
    print("| control change | first frame drawn | first training frame | run finished |")
    print("|---|---|---|---|")
    for name, (first, training, finished) in rows:
        print(f"| {name} | {first:.2f} | {training:.2f} | {finished:.2f} |")


if __name__ == "__main__":
    main()
