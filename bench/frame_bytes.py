"""What a watching browser downloads: bytes and messages a second while a run trains, and for the page that
replays it. A class's bandwidth is this times its students.

Run: flock /tmp/bench.lock nice -n 5 .venv/bin/python bench/frame_bytes.py [--depth 100] [--steps 5000]
(prints Markdown for README.md). The client speaks Streamlit's protocol (bench/ws_student.py) and reads as
fast as the server sends, so nothing here is slowed down by ui/live/backlog.py.
"""
import argparse
import asyncio
import os
import subprocess
import sys
import time
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.lab import free_port  # noqa: E402
from bench.ws_student import StreamlitStudent  # noqa: E402
from core.config import RunConfig  # noqa: E402
from core.lessons.links import Lesson, lesson_params  # noqa: E402


async def watch(base: str, config: RunConfig) -> dict:
    student = StreamlitStudent(base, urlencode(lesson_params(Lesson(configs=(config,)))))
    await student.open()
    try:
        first_running = None
        deadline = time.monotonic() + 300
        while not student.status.startswith("finished"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the run did not finish within 300 s: {student.status!r}")
            if first_running is None and student.status.startswith("running · step"):
                first_running = time.monotonic()
            await asyncio.sleep(0.05)
        finished = time.monotonic()
        if first_running is None:  # finished within one poll: no live frames to count
            raise RuntimeError("the run finished before a live frame was seen; use more --steps")
        await asyncio.sleep(3)  # the replay page after the run
        started = student.received[0][0]
    finally:
        await student.close()
    live = [size for moment, size in student.received if first_running <= moment < finished]
    after = [size for moment, size in student.received if moment >= finished]
    seconds = finished - first_running
    return {"live_seconds": seconds, "live_mb": sum(live) / 1e6, "live_messages": len(live),
            "replay_mb": sum(after) / 1e6, "replay_messages": len(after), "open_seconds": first_running - started}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument("--steps", type=int, default=5000)
    args = parser.parse_args()
    config = RunConfig(depth=args.depth, steps=args.steps, record_every=-(-args.steps // 150))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port), "--server.fileWatcherType", "none"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    try:
        time.sleep(4)
        result = asyncio.run(watch(f"http://127.0.0.1:{port}", config))
    finally:
        server.terminate()
        server.wait(30)
    r = result
    print(f"| depth {args.depth}, {args.steps} steps | {r['live_seconds']:.1f} s | {r['live_mb'] / r['live_seconds']:.2f} MB/s "
          f"| {r['live_messages'] / r['live_seconds']:.0f} | {r['live_mb']:.1f} MB | {r['replay_mb']:.2f} MB |")


if __name__ == "__main__":
    main()
