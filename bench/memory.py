"""Memory of one server process: a record at the host's limits, and 300 consecutive runs.

Run: .venv/bin/python bench/memory.py [--runs 300]   (prints Markdown for README.md)
- record: a depth-100 run recording ~1000 steps, held as the engine holds it (NumPy rows) against the
  same record parsed into Python lists (how records were held before), both measured with tracemalloc;
- server: LiveRuns through one LabServer, as the Lab starts them, over varied architectures (depth, width,
  activation, batch normalization), one after another; resident memory (psutil) after a warm-up round
  against after every run. Target: growth under 200 MB over 300 runs (issue 19: under 100 MB).
- --train-on workers: the same runs trained on a LocalCluster of 2 Dask workers (core/serve/worker_engine.py),
  as GRADFLOW_TRAIN_ON=workers serves them; the web process only grows and caches the records it is sent.
  The workers' resident memory is printed beside it.
"""
import argparse
import gc
import itertools
import json
import os
import sys
import threading
import time
import tracemalloc

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psutil  # noqa: E402

from core.config import RunConfig  # noqa: E402
from core.engine.pool import TrainerPool  # noqa: E402
from core.engine.run import run_to_end  # noqa: E402
from core.record import RunRecord  # noqa: E402
from core.serve.lab_server import LabServer  # noqa: E402
from core.serve.live import LiveRun  # noqa: E402
from core.serve.record_cache import RecordCache  # noqa: E402

MB = 2**20


def record_at_the_limits():
    config = RunConfig(dataset="moons", depth=100, width=8, steps=998, record_every=1, samples=200, batch_size=32)
    record = run_to_end(config)
    text = record.to_json()
    tracemalloc.start()
    as_lists = json.loads(text)
    lists_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del as_lists
    tracemalloc.start()
    compact = RunRecord.from_json(text)
    arrays_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return len(record.steps), len(text) / MB, lists_bytes / MB, arrays_bytes / MB, compact.nbytes / MB


def architectures(kind):
    """varied: 192 architectures, each new to the pool when it comes round; lesson: the 8 a lesson uses
    (the pool keeps 8 traced), with a new seed and learning rate every run."""
    if kind == "lesson":
        return itertools.cycle(itertools.product((10, 30), (32,), ("relu", "sigmoid"), (False, True)))
    depths, widths = (2, 5, 10, 20, 35, 50, 75, 100), (8, 32, 128)
    activations, batchnorms = ("relu", "tanh", "sigmoid", "gelu"), (False, True)
    return itertools.cycle(itertools.product(depths, widths, activations, batchnorms))


def resident():
    gc.collect()
    return psutil.Process().memory_info().rss / MB


def serve(runs: int, warmup: int, kind: str, cache_mb: int, engine=None):
    server = LabServer(pool=TrainerPool(max_idle=8), cache=RecordCache(cache_mb * MB), gate=threading.BoundedSemaphore(2),
                       engine=engine)
    shapes = architectures(kind)
    samples = []
    start = time.perf_counter()
    for index in range(warmup + runs):
        depth, width, activation, batchnorm = next(shapes)
        config = RunConfig(dataset="spirals", depth=depth, width=width, activation=activation, batchnorm=batchnorm,
                           steps=40, record_every=2, samples=400, seed=index, learning_rate=[0.01, 0.1, 1.0][index % 3])
        run = LiveRun(config, server)
        run.wait()
        assert run.status in ("finished", "diverged"), (config, run.status, run.error)
        if index == warmup - 1:
            baseline = resident()
        if index >= warmup:
            samples.append(resident())
        if index % 50 == 0:
            print(f"run {index}: {resident():.0f} MB, cache {server.cache.nbytes / MB:.1f} MB in {len(server.cache)} "
                  f"records, {server.pool.idle_count()} idle trainers, {server.pool.built} built", file=sys.stderr)
    return baseline, samples, time.perf_counter() - start, server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=48)
    parser.add_argument("--skip-record", action="store_true")
    parser.add_argument("--architectures", choices=("varied", "lesson"), default="varied")
    parser.add_argument("--cache-mb", type=int, default=256, help="the record cache's bound (GRADFLOW_RECORD_CACHE_MB)")
    parser.add_argument("--train-on", choices=("server", "workers"), default="server", help="as GRADFLOW_TRAIN_ON")
    args = parser.parse_args()
    engine = None
    if args.train_on == "workers":
        from dask.distributed import Client

        from core.serve.worker_engine import WorkerEngine
        from core.sweep.cluster import local_cluster

        engine = WorkerEngine(Client(local_cluster(2), set_as_default=False))
    if not args.skip_record:
        steps, json_mb, lists_mb, arrays_mb, nbytes_mb = record_at_the_limits()
        print("| record at depth 100, {} recorded steps | MB |\n|---|---|".format(steps))
        print(f"| its JSON | {json_mb:.1f} |\n| held as Python lists (before) | {lists_mb:.1f} |")
        print(f"| held as NumPy rows (now) | {arrays_mb:.1f} |\n| `record.nbytes` says | {nbytes_mb:.1f} |\n")
    baseline, samples, seconds, server = serve(args.runs, args.warmup, args.architectures, args.cache_mb, engine)
    print(f"| {args.runs} runs ({args.architectures} architectures, trained on the {args.train_on}, record cache {args.cache_mb} MB) after "
          f"{args.warmup} warm-up runs | MB |\n|---|---|")
    print(f"| resident after warm-up | {baseline:.0f} |\n| resident at the end | {samples[-1]:.0f} |")
    print(f"| peak during the runs | {max(samples):.0f} |\n| growth (end - warm-up) | {samples[-1] - baseline:+.0f} |")
    print(f"\n{args.runs} runs in {seconds:.0f} s; {server.pool.built} trainers built, "
          f"{server.pool.idle_count()} idle at the end; cache {server.cache.nbytes / MB:.1f} MB in {len(server.cache)} records")
    if engine is not None:
        workers = engine.about()
        print("workers at the end: " + ", ".join(f"{about['rss_mb']:.0f} MB ({about['built']} trainers built)"
                                                for about in workers))


if __name__ == "__main__":
    main()
