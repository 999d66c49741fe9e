"""Load test: N students open the same lesson link at once and work through it, on one real server.

Run: flock /tmp/bench.lock .venv/bin/python bench/load.py --sessions 30   (needs /usr/bin/chromium; prints
Markdown for README.md, through bench/load_report.py). Not a CI gate.

The server is `streamlit run app.py` with the repository's config, started cold (nothing traced). Each
session is its own browser context in one headless Chromium: it opens the preset link (sigmoid against ReLU,
run 1), waits for the run to finish, then moves three sliders one after another (learning rate, depth,
width: one key press each) and waits for each new run to finish. Measured per run, in the browser, from the
page load or the key press: the first frame (the status line shows a step past 0 or the run's end) and the
finished run (the status line says finished or diverged, for the new settings). The server's resident
memory (with its children) is sampled every half second.
"""
import argparse
import asyncio
import os
import subprocess
import tempfile
import sys
import threading
import time
from functools import partial
from urllib.parse import urlencode, urlsplit

import psutil
from playwright.async_api import async_playwright

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.lab import free_port  # noqa: E402
from bench.load_report import report  # noqa: E402
from bench.processes import cpu_seconds, thread_dump, with_children  # noqa: E402
from bench.ws_student import StreamlitStudent  # noqa: E402
from core.lessons.links import Lesson, lesson_params  # noqa: E402
from core.lessons.presets import BY_NAME  # noqa: E402

PRESET = "sigmoid_vs_relu"
CHANGES = [("learning rate", "ArrowRight"), ("depth (hidden layers)", "ArrowRight"), ("width (units per layer)", "ArrowLeft")]
STAGES = ("open the link", *(f"move {label}" for label, _ in CHANGES))  # each session's runs, in order
ARTIFACTS = os.path.join(ROOT, "artifacts")  # a screenshot of the first failed session
RUN_TIMEOUT = 300  # seconds a run may take before the session counts it as failed


def lesson_url(base):
    config = BY_NAME[PRESET].configs[0]
    return f"{base}/?{urlencode(lesson_params(Lesson(configs=(config,), preset=PRESET, run=1)))}"


async def status(page):
    """The status line's text ('' while the page has none); read in one step, as fragments redraw it."""
    return await page.evaluate(
        "() => { const bar = document.querySelector('[data-testid=stProgress]'); return bar ? bar.innerText : ''; }")


def settings_of(text):
    """The part of the status line that names the run's settings (everything after 'step N of M')."""
    parts = text.split(" · ")
    return " · ".join(parts[2:6]) if len(parts) > 5 else None


async def wait_run(read_status, started, previous_settings, result):
    """Times to the first frame and the end of the run whose settings differ from `previous_settings`;
    `read_status()` returns the status line's text."""
    first = None
    deadline = started + RUN_TIMEOUT
    while time.perf_counter() < deadline:
        text = await read_status()
        settings = settings_of(text)
        if settings and settings != previous_settings:
            done = text.startswith(("finished", "diverged"))
            step = text.split(" · ")[1] if " · " in text else ""
            if first is None and (done or not step.startswith("step 0 ")):
                first = time.perf_counter() - started
            if done:
                result["runs"].append((first, time.perf_counter() - started))
                result["settings"].append(settings)
                return settings
            if text.startswith("failed"):
                raise RuntimeError(f"run failed: {text}")
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no finished run within {RUN_TIMEOUT} s (status: {await read_status()!r})")


def new_result() -> dict:
    return {"runs": [], "settings": [], "errors": [], "completed": False}


async def walk_lesson(open_link, ready, press, read_status, result, changes=CHANGES):
    """Open the link and wait for its run, then make each slider change and wait for its run. A change is
    timed from the key press: `ready(label)` first waits until the slider is there to press."""
    started = time.perf_counter()
    await open_link()
    settings = await wait_run(read_status, started, None, result)
    for label, key in changes:
        await ready(label)
        started = time.perf_counter()
        await press(label, key)
        settings = await wait_run(read_status, started, settings, result)


def failed(result, error):
    result["errors"].append(f"{type(error).__name__}: {error} (finished runs: {result['settings']})")


async def student(browser, url, result):
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda error: result["errors"].append(f"page error: {error}"))

    async def press(label, key):
        await page.get_by_role("slider", name=label).press(key)

    try:
        await walk_lesson(partial(page.goto, url, timeout=120_000),
                          lambda label: page.get_by_role("slider", name=label).focus(), press,
                          partial(status, page), result)
        if await page.locator("[data-testid=stException]").count():
            result["errors"].append("an exception box on the page")
        result["completed"] = True
    except Exception as error:  # a failed session is counted, not fatal to the others
        failed(result, error)
        screenshot = os.path.join(ARTIFACTS, "load_failure.png")
        if not os.path.exists(screenshot):
            os.makedirs(ARTIFACTS, exist_ok=True)
            await page.screenshot(path=screenshot, full_page=True)
    finally:
        await context.close()


async def websocket_student(url, result, changes=CHANGES):
    """The same lesson through Streamlit's protocol, with nothing rendered (bench/ws_student.py)."""
    address = urlsplit(url)
    student = StreamlitStudent(f"{address.scheme}://{address.netloc}", address.query)

    async def read_status():
        return student.status

    async def ready(label):  # drawn by the run that just finished
        deadline = time.perf_counter() + 30
        while label not in student.sliders:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no {label!r} slider within 30 s")
            await asyncio.sleep(0.1)

    try:
        await walk_lesson(student.open, ready, student.press, read_status, result, changes)
        if student.exceptions:
            result["errors"].append(f"{student.exceptions} exception elements")
        result["completed"] = True
    except Exception as error:
        failed(result, error)
        result["errors"].append(student.why_silent())
    finally:
        await student.close()


def sample_memory(process, peaks, stop):
    while not stop.is_set():
        try:
            rss = process.memory_info().rss + sum(child.memory_info().rss for child in process.children(recursive=True))
            peaks.append(rss / 2**20)
        except psutil.Error:
            pass
        stop.wait(0.5)


async def warm_up(base):
    """The teacher opens the link once before class: the server imports TensorFlow, traces the lesson's first
    architecture and caches its run (the students' slider moves stay new to the server)."""
    result = new_result()
    await websocket_student(lesson_url(base), result, changes=())
    if not result["completed"]:
        raise RuntimeError(f"the warm-up session failed: {result['errors']}")


async def drive(sessions, base, client="browser"):
    if client == "websocket":
        results = [new_result() for _ in range(sessions)]
        await asyncio.gather(*(websocket_student(lesson_url(base), result) for result in results))
        return results
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-dev-shm-usage"])
        results = [new_result() for _ in range(sessions)]
        await asyncio.gather(*(student(browser, lesson_url(base), result) for result in results))
        await browser.close()
        return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--warm", action="store_true",
                        help="one session opens the link before the N students start (not timed), as a teacher would")
    parser.add_argument("--client", choices=("browser", "websocket"), default="browser",
                        help="browser: headless Chromium pages on this machine; websocket: Streamlit's protocol "
                             "without rendering (as if each student's own laptop drew the page)")
    parser.add_argument("--dump-after", type=float, default=120.0,
                        help="seconds after which a class not done yet gets its server's threads dumped (py-spy)")
    args = parser.parse_args()
    port = free_port()
    # The server's log goes to a file: a pipe nobody reads until the end fills (64 KB) and blocks the server.
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    peaks, stop = [], threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(psutil.Process(server.pid), peaks, stop), daemon=True)
    sampler.start()
    try:
        time.sleep(4)
        if args.warm:
            asyncio.run(warm_up(f"http://127.0.0.1:{port}"))
        started, machine_before = time.perf_counter(), busy_seconds()
        server_before = cpu_seconds(with_children(psutil.Process(server.pid)))
        # A class that is not done by then has frozen (a good run takes under a minute here): what every
        # thread of the server and its workers is doing goes to artifacts/, to say why.
        watchdog = threading.Timer(args.dump_after, dump_threads, args=(server.pid,))
        watchdog.daemon = True
        watchdog.start()
        try:
            results = asyncio.run(drive(args.sessions, f"http://127.0.0.1:{port}", args.client))
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - started
        server_cpu = cpu_seconds(with_children(psutil.Process(server.pid))) - server_before
        cpu = {"server": server_cpu, "clients": busy_seconds() - machine_before - server_cpu}
    finally:
        stop.set()
        server.terminate()
        server.wait(30)
    log.seek(0)
    server_log = log.read().decode(errors="replace")
    # a session that did not finish, or a server that logged a traceback: keep what the server said
    if any(not result["completed"] for result in results) or "Traceback" in server_log:
        os.makedirs(ARTIFACTS, exist_ok=True)
        kept = os.path.join(ARTIFACTS, f"load-server-{time.strftime('%Y%m%d-%H%M%S')}.log")
        with open(kept, "w") as out:
            out.write(server_log)
        print(f"a session did not finish, or the server logged a traceback: its log is in {kept}", file=sys.stderr)
    report(args.sessions, results, wall, max(peaks) if peaks else float("nan"), server_log, cpu, stages=STAGES)


def dump_threads(pid: int) -> None:
    """The server's and its workers' threads (bench/processes.py), into artifacts/."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"load-threads-{time.strftime('%Y%m%d-%H%M%S')}.txt")
    with open(path, "w") as out:
        out.write(thread_dump(pid))
    print(f"the class was not done after its watchdog's time: threads in {path}", file=sys.stderr, flush=True)


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores), for the clients' share."""
    times = psutil.cpu_times()
    return times.user + times.system + getattr(times, "nice", 0.0) + getattr(times, "irq", 0.0) + getattr(times, "softirq", 0.0)


if __name__ == "__main__":
    main()
