"""Live repaints in Chromium: how often every animated chart repaints while a 5000-step run trains, and how
fast the run trains while it is watched. Browser and server share this machine's cores, as on a laptop.

Run: flock /tmp/bench.lock .venv/bin/python bench/live.py [--depths 10,30,100] [--repeats 3]
(needs /usr/bin/chromium; prints Markdown for README.md).

Each repeat opens a lesson link (`?depth=D&steps=5000&seed=S`, a seed not run before, so nothing comes from
the server's cache) in a page tall enough to hold every chart in view. The page counts, itself, every
render of every live view (`.gfe-chart`): a canvas render begins with `clearRect` (wrapped here), an SVG
render changes the SVG (a MutationObserver); renders of one chart within a millisecond are one repaint.
Repaints a second are counted between the first and the last status line that says "running"; the run's
speed is the steps of those status lines over their time.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

from playwright.sync_api import sync_playwright

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.lab import free_port  # noqa: E402

COUNTER = """() => {
  window.paints = []; window.running = [];
  const mark = (chart) => {
    const index = [...document.querySelectorAll('.gfe-chart')].indexOf(chart);
    const now = performance.now(), last = window.paints.findLast(p => p[1] === index);
    if (index >= 0 && (!last || now - last[0] > 1)) window.paints.push([now, index, chart.dataset.view]);
  };
  const clearRect = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (...args) {
    const chart = this.canvas.closest && this.canvas.closest('.gfe-chart');
    if (chart) mark(chart);
    return clearRect.apply(this, args);
  };
  new MutationObserver((mutations) => {
    const painted = new Set();
    for (const m of mutations) {
      const node = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      if (node && node.closest('svg')) { const chart = node.closest('.gfe-chart'); if (chart) painted.add(chart); }
    }
    painted.forEach(mark);
    const bar = document.querySelector('[data-testid=stProgress]');
    const text = bar ? bar.innerText : '';
    const step = /^running · step (\\d+) of/.exec(text);
    if (step && (!window.running.length || window.running.at(-1)[1] !== +step[1])) window.running.push([performance.now(), +step[1]]);
  }).observe(document.body, {subtree: true, characterData: true, childList: true, attributes: true});
}"""


def watch(browser, base: str, depth: int) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 4200})  # every chart in view
    page.add_init_script(f"({COUNTER})()")
    page.goto(f"{base}/?depth={depth}&steps=5000&seed={random.randrange(10**6)}", timeout=120_000)
    page.wait_for_function("() => /finished|diverged/.test((document.querySelector('[data-testid=stProgress]') || {}).innerText || '')",
                           timeout=600_000, polling=200)
    running, paints = page.evaluate("() => window.running"), page.evaluate("() => window.paints")
    page.close()
    if len(running) < 2:
        raise RuntimeError(f"depth {depth}: the run finished before two live frames were seen")
    start, end = running[0][0], running[-1][0]
    seconds = (end - start) / 1000
    per_chart = {}
    for moment, _, name in paints:
        if start <= moment <= end:
            per_chart[name] = per_chart.get(name, 0) + 1
    rates = {name: count / seconds for name, count in per_chart.items()}
    return {"rates": rates, "steps_per_second": (running[-1][1] - running[0][1]) / seconds, "seconds": seconds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", default="10,30,100")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port), "--server.fileWatcherType", "none"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    rows = []
    try:
        time.sleep(4)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--disable-gpu"])
            watch(browser, f"http://127.0.0.1:{port}", 10)  # warm: the server's imports and the page's scripts
            for depth in (int(d) for d in args.depths.split(",")):
                results = [watch(browser, f"http://127.0.0.1:{port}", depth) for _ in range(args.repeats)]
                slowest = [min(r["rates"].values()) if r["rates"] else 0.0 for r in results]
                fastest = [max(r["rates"].values()) if r["rates"] else 0.0 for r in results]
                speed = [r["steps_per_second"] for r in results]
                seconds = [r["seconds"] for r in results]
                rows.append((depth, statistics.median(slowest), min(slowest), max(slowest), statistics.median(fastest),
                             statistics.median(speed), statistics.median(seconds), len(results[0]["rates"])))
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    print(f"median of {args.repeats}, {os.cpu_count()} CPU cores, Chromium and the server on this machine:\n")
    print("| depth | charts repainting | repaints a second, slowest chart (min-max) | fastest chart | run's steps a second while watched | seconds watched |")
    print("|---|---|---|---|---|---|")
    for depth, slow, low, high, fast, speed, seconds, charts in rows:
        print(f"| {depth} | {charts} | **{slow:.1f}** ({low:.1f}-{high:.1f}) | {fast:.1f} | {speed:.0f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
