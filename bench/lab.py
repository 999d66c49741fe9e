"""Lab benchmark in a real browser: everything is timed in Chromium, from the input to the repaint.

Run: flock /tmp/bench.lock nice -n 15 .venv/bin/python bench/lab.py   (needs /usr/bin/chromium; prints
Markdown for README.md). The server is warm: the default config has run once, so its architecture is
traced. A control change here is "New seed" (new data, weights and minibatches; same architecture) and a
learning-rate change; then the steps slider goes to 5000 and the long run is watched while it trains;
then the finished run is scrubbed and played.

A repaint is a change of a chart's SVG (seen by a MutationObserver) or a render into its canvas (Vega
clears the canvas first; the bench wraps clearRect): the per-layer views are the gradient profile (the
first chart, SVG), the curves over steps the loss chart (canvas).
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
SCRUBS = 12
PROFILE, HISTOGRAMS, LOSS = 0, 2, 8  # chart positions on the page

# Every change of the progress text and of the "sent in X ms" caption (the live frame's last element), and
# every repaint of a chart, with its time (performance.now), kept by the page itself.
OBSERVER = """() => {
  window.seen = []; window.paints = []; window.keys = []; window.long = [];
  new PerformanceObserver((list) => list.getEntries().forEach(e => window.long.push([e.startTime, e.duration])))
    .observe({type: 'longtask', buffered: false});
  const read = (selector) => { const node = document.querySelector(selector); return node ? node.innerText : ''; };
  document.addEventListener('keydown', () => window.keys.push(performance.now()), true);
  // Canvas charts: Vega clears the canvas at the start of every render.
  const clearRect = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (...args) {
    const chart = this.canvas.closest && this.canvas.closest('[data-testid=stVegaLiteChart], .gfe-chart');
    if (chart) {
      const index = [...document.querySelectorAll('[data-testid=stVegaLiteChart], .gfe-chart')].indexOf(chart);
      const last = window.paints[window.paints.length - 1];
      const now = performance.now();
      if (!last || last[1] !== index || now - last[0] > 1) window.paints.push([now, index, window.progress || '']);
    }
    return clearRect.apply(this, args);
  };
  new MutationObserver((mutations) => {
    const now = performance.now();
    const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart], .gfe-chart')];
    const painted = new Set();
    for (const m of mutations) {
      const node = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      const chart = node && node.closest('[data-testid=stVegaLiteChart], .gfe-chart');
      if (chart && node.closest('svg')) painted.add(charts.indexOf(chart));
    }
    const progress = read('[data-testid=stProgress]');
    for (const index of painted) window.paints.push([now, index, progress]);
    window.progress = progress;
    const drawn = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
      .map(node => node.innerText).find(text => text.includes('sent in')) || '';
    const last = window.seen[window.seen.length - 1];
    if (!last || last[1] !== progress || last[2] !== drawn) window.seen.push([now, progress, drawn]);
  }).observe(document.body, {subtree: true, characterData: true, childList: true, attributes: true});
}"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def progress_text(page):
    return page.locator("[data-testid=stProgress]").inner_text(timeout=20_000)


def wait_for(condition, timeout=60):
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError
        time.sleep(0.01)


def now(page):
    return page.evaluate("() => performance.now()")


def replay_ready(page):
    """The replay layout is drawn: the step input is enabled."""
    page.wait_for_selector("#gfe-step:not([disabled])", timeout=60_000)


def control_change(page, change):
    """Seconds from a control change to the new run's first fully drawn frame, and to its finished page."""
    old = progress_text(page)
    old_drawn = page.get_by_text("sent in", exact=False).inner_text()
    start = now(page)
    change()
    wait_for(lambda: progress_text(page) != old and "finished" in progress_text(page))
    replay_ready(page)
    finished = (now(page) - start) / 1000
    seen = [entry for entry in page.evaluate("() => window.seen") if entry[0] > start]
    drawn = [t for t, progress, caption in seen if progress != old and caption and caption != old_drawn]
    return (drawn[0] - start) / 1000 if drawn else float("nan"), finished, start, seen


def per_second(times):
    return (len(times) - 1) / ((times[-1] - times[0]) / 1000) if len(times) > 1 else float("nan")


def scrub_latencies(page):
    """Milliseconds from a key press on the step input to the repaint of both the profile and the histograms."""
    step = page.locator("#gfe-step")
    step.focus()
    step.press("End")
    page.wait_for_timeout(500)
    latencies = []
    for _ in range(SCRUBS):
        pressed = now(page)
        step.press("ArrowLeft")
        page.wait_for_timeout(400)
        key = [t for t in page.evaluate("() => window.keys") if t >= pressed][0]
        paints = page.evaluate("() => window.paints")
        firsts = [min([t for t, index, _ in paints if index == chart and t >= key] or [float("nan")])
                  for chart in (PROFILE, HISTOGRAMS)]
        latencies.append(max(firsts) - key)
    return latencies


def play(page):
    """Play from the start: repaints of the profile a second while it plays, and whether it stops at the end."""
    page.locator("#gfe-step").evaluate("(input) => { input.value = 0; input.dispatchEvent(new Event('input')); }")
    page.wait_for_timeout(500)
    start = now(page)
    page.locator(".gfe-play").click()
    page.wait_for_function("() => document.querySelector('.gfe-play').innerText.includes('Play')", timeout=120_000)
    end = now(page)
    paints = [t for t, index, _ in page.evaluate("() => window.paints") if index == PROFILE and start < t <= end]
    at_end = page.evaluate("() => { const i = document.querySelector('#gfe-step'); return i.value === i.max; }")
    return per_second(paints), len(paints), (end - start) / 1000, at_end


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
            try:
                results = measure(page)
            except Exception:
                page.screenshot(path=os.path.join(ROOT, "artifacts", "bench_failure.png"))
                raise
            browser.close()
    finally:
        server.terminate()
    report(*results)


def measure(page):
    replay_ready(page)  # warm: the default has run
    page.evaluate(OBSERVER)
    page.on("pageerror", lambda error: print("page error:", error, file=sys.stderr))
    seeds = [control_change(page, lambda: page.get_by_role("button", name="New seed").click())[:2]
             for _ in range(REPEATS)]
    rate = page.get_by_role("slider", name="learning rate")
    rates = []
    for key in ["ArrowLeft"] * REPEATS:  # each a learning rate not run before
        rates.append(control_change(page, lambda: (rate.focus(), rate.press(key)))[:2])
    # While the long run trains (the steps slider at its end): repaints of the per-layer views and
    # of the curves while the progress says "running", and the server's time per live frame.
    steps = page.get_by_role("slider", name="steps")
    first, end, start, seen = control_change(page, lambda: (steps.focus(), steps.press("End")))
    paints = [(t, index) for t, index, progress in page.evaluate("() => window.paints")
              if t > start and progress.startswith("running")]
    live_layer = per_second([t for t, index in paints if index == PROFILE])
    live_curves = per_second([t for t, index in paints if index == LOSS])
    running = [t for t, index in paints]
    server_ms = [float(caption.split(" sent in ")[1].split()[0]) for t, progress, caption in seen
                 if progress.startswith("running") and " sent in " in caption]
    scrubs = scrub_latencies(page)
    play_rate, play_frames, play_seconds, stopped_at_end = play(page)
    return (seeds, rates, first, end, running, live_layer, live_curves, server_ms, scrubs, play_rate, play_frames,
            play_seconds, stopped_at_end)


def report(seeds, rates, first, end, running, live_layer, live_curves, server_ms, scrubs, play_rate, play_frames,
           play_seconds, stopped_at_end):
    rows = [("New seed", seeds), ("learning rate", rates)]
    print(f"Default config, warm server, {os.cpu_count()} CPU cores, median of {REPEATS} "
          "(min-max), Chromium on the same machine:\n")
    print("| control change | to first drawn frame (s) | to finished run (s) |")
    print("|---|---|---|")
    for name, samples in rows:
        firsts, ends = [s[0] for s in samples], [s[1] for s in samples]
        print(f"| {name} | {statistics.median(firsts):.2f} ({min(firsts):.2f}-{max(firsts):.2f}) "
              f"| {statistics.median(ends):.2f} ({min(ends):.2f}-{max(ends):.2f}) |")
    print(f"| steps slider to 5000 | {first:.2f} | {end:.2f} |")
    span = (running[-1] - running[0]) / 1000 if running else float("nan")
    print(f"\nWhile the 5000-step run trained ({span:.1f} s of repaints), in the browser: per-layer views "
          f"(gradient profile) {live_layer:.1f} repaints a second, curves over steps (loss) {live_curves:.1f} a "
          f"second. Server time per live frame: median {statistics.median(server_ms):.0f} ms, max "
          f"{max(server_ms):.0f} ms ({len(server_ms)} frames drawn).")
    print(f"\nScrub, key press on the step input to the repaint of the profile and the histograms, in the browser "
          f"({SCRUBS} scrubs): median {statistics.median(scrubs):.0f} ms, max {max(scrubs):.0f} ms.")
    print(f"\nPlay at its default speed (10 frames a second): {play_rate:.1f} repaints a second, {play_frames} frames "
          f"in {play_seconds:.1f} s; {'stopped at the last step' if stopped_at_end else 'did NOT stop at the end'}.")


if __name__ == "__main__":
    main()
