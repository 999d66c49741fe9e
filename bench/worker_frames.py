"""Frames from a Dask worker to the web process (issue 19: at most 50 ms), and the first frame of a run.

Run: .venv/bin/python bench/worker_frames.py [--repeats 3]   (prints Markdown for docs/)
- latency: for every frame of a live run trained on a worker (core/serve/worker_engine.py), the time from the
  worker making it (TrainerHost stamps it) to this process having grown the record from it; the median and
  the 95th percentile over the frames of one 3000-step run, on a LocalCluster of 2 workers, with this process
  otherwise idle (both clocks are this machine's);
- first frame: a LiveRun of an architecture no worker has traced (cold: step 0's eager preview) and then of
  the same one with a new seed (warm: the worker's traced trainer).
Each figure is the median over the repeats; each repeat uses architectures new to the cluster.
"""
import argparse
import os
import statistics
import sys
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from core.config import RunConfig  # noqa: E402
from core.engine.pool import TrainerPool  # noqa: E402
from core.serve.lab_server import LabServer  # noqa: E402
from core.serve.live import LiveRun  # noqa: E402
from core.serve.record_cache import RecordCache  # noqa: E402


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def one_repeat(engine, index):
    server = LabServer(pool=TrainerPool(max_idle=2), cache=RecordCache(64 * 2**20), gate=threading.BoundedSemaphore(2),
                       engine=engine)
    shape = dict(depth=10 + index, width=32, steps=3000, record_every=10, samples=400, batch_size=64)
    engine.latency.clear()
    cold = LiveRun(RunConfig(seed=100 + index, **shape), server)
    assert cold.wait(300) and cold.error is None, cold.error
    latencies = list(engine.latency)
    warm = LiveRun(RunConfig(seed=200 + index, **shape), server)
    assert warm.wait(300) and warm.error is None, warm.error
    return (statistics.median(latencies), percentile(latencies, 0.95), len(latencies), cold.first_frame_seconds,
            warm.first_frame_seconds)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from dask.distributed import Client

    from core.serve.worker_engine import WorkerEngine
    from core.sweep.cluster import local_cluster

    client = Client(local_cluster(2), set_as_default=False)
    client.wait_for_workers(2, timeout=120)
    engine = WorkerEngine(client)
    engine.about()  # the actors made and TensorFlow imported in the workers: the server's start, not a run's
    results = [one_repeat(engine, index) for index in range(args.repeats)]
    for index, (median, p95, frames, cold, warm) in enumerate(results):
        print(f"repeat {index}: latency median {1000 * median:.1f} ms, p95 {1000 * p95:.1f} ms over {frames} frames; "
              f"first frame cold {cold:.2f} s, warm {warm:.2f} s", file=sys.stderr)
    columns = list(zip(*results))
    print("| worker → web process (median of %d runs) | value |\n|---|---|" % args.repeats)
    print(f"| frame latency, median | {1000 * statistics.median(columns[0]):.1f} ms |")
    print(f"| frame latency, 95th percentile | {1000 * statistics.median(columns[1]):.1f} ms |")
    print(f"| first frame, new architecture (step 0's preview) | {statistics.median(columns[3]):.2f} s |")
    print(f"| first frame, traced architecture, new seed | {statistics.median(columns[4]):.2f} s |")
    client.close()


if __name__ == "__main__":
    main()
