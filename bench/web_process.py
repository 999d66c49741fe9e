"""The web process alone: its cold start, its resident memory, and whether it loaded TensorFlow.

Run: .venv/bin/python bench/web_process.py [--runs 3] [--train-on workers|server]
Each run starts a fresh `streamlit run app.py` (GRADFLOW_TRAIN_ON as given; workers is the app's default) and
opens the Lab in Debian's Chromium. It reports, as the median of the runs:
- page: seconds from starting the server to the Lab's page drawn (its title in the browser);
- status line: seconds from starting the server to the Lab's status line naming a step ("starting · step 0":
  the run has begun, but no frame need be drawn yet);
- finished: seconds to the default run's last frame;
- rss: the web process's resident memory (psutil; not its Dask workers, which are its children) when the
  default run has finished, and again after the Compare page has trained its two runs;
- tensorflow: whether the web process has TensorFlow's libraries mapped (/proc/<pid>/maps).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import psutil
from playwright.sync_api import sync_playwright

from lab import free_port  # bench/ is the script's own folder, so its siblings import as modules
from processes import tensorflow_mapped

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MB = 2**20


def one_run(train_on: str) -> dict:
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.fileWatcherType", "none"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "GRADFLOW_TRAIN_ON": train_on}, start_new_session=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}", timeout=60_000)
                    break
                except Exception:  # the server is not listening yet
                    if time.perf_counter() - started > 120:
                        raise
                    time.sleep(0.1)
            page.get_by_role("heading", name="Gradient Flow Lab").wait_for(timeout=120_000)
            drawn = time.perf_counter() - started
            page.wait_for_function("() => { const line = document.querySelector('[data-testid=stProgress]');"
                                   " return line !== null && /step \\d/.test(line.innerText); }", timeout=120_000)
            first = time.perf_counter() - started
            page.get_by_role("button", name="Play").wait_for(timeout=300_000)  # the replay layout: finished
            finished = time.perf_counter() - started
            process = psutil.Process(server.pid)
            rss_lab = process.memory_info().rss / MB
            page.goto(f"http://127.0.0.1:{port}/compare", timeout=60_000)
            page.get_by_text("finished", exact=False).first.wait_for(timeout=300_000)
            page.wait_for_timeout(3000)
            rss_compare = process.memory_info().rss / MB
            loaded = bool(tensorflow_mapped(server.pid))
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(server.pid, 9)  # its Dask workers
        except ProcessLookupError:
            pass
    return {"page": drawn, "first": first, "finished": finished, "rss_lab": rss_lab, "rss_compare": rss_compare,
            "tensorflow": loaded}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--train-on", choices=("workers", "server"), default="workers")
    args = parser.parse_args()
    runs = []
    for number in range(args.runs):
        runs.append(one_run(args.train_on))
        print(f"run {number + 1}: " + ", ".join(f"{key} {value:.1f}" if isinstance(value, float) else f"{key} {value}"
                                                for key, value in runs[-1].items()), flush=True)
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0] if key != "tensorflow"}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"\n| GRADFLOW_TRAIN_ON={args.train_on} ({time.strftime('%Y-%m-%d')}, {commit}, median of {args.runs}) | value |")
    print("|---|---|")
    print(f"| server start to the Lab's page drawn | {median['page']:.1f} s |")
    print(f"| server start to the Lab's status line (step 0, starting) | {median['first']:.1f} s |")
    print(f"| server start to the default run finished | {median['finished']:.1f} s |")
    print(f"| web process resident memory, the Lab's run finished | {median['rss_lab']:.0f} MB |")
    print(f"| the same, after Compare's two runs | {median['rss_compare']:.0f} MB |")
    print(f"| TensorFlow loaded in the web process | {', '.join(str(run['tensorflow']) for run in runs)} |")


if __name__ == "__main__":
    main()
