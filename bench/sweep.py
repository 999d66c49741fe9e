"""Sweeps on Dask: a 24-cell sweep on 1 and 2 worker processes (target: 2 workers at least 1.7x faster),
what one cell costs against depth and steps, and a depth-50 cell with its trainer warm on the worker or not.

    flock /tmp/bench.lock nice -n 5 .venv/bin/python bench/sweep.py

Workers are started and have imported TensorFlow before any timing (a warm-up task), so the figures are
the sweep's own: tracing each architecture on the worker that first meets it, and training.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import psutil  # noqa: E402  (a dependency of dask.distributed)
from dask.distributed import Client  # noqa: E402

from bench.processes import cpu_seconds  # noqa: E402
from core.config import RunConfig  # noqa: E402
from core.sweep.cluster import local_cluster  # noqa: E402
from core.sweep.execute import Sweep  # noqa: E402
from core.sweep.grid import make_grid  # noqa: E402
from core.sweep.task import run_cell, worker_counts  # noqa: E402

# 24 cells: 6 architectures (depth x activation) x 4 learning rates, spirals, width 64, 300 steps.
BASE = RunConfig(width=64, steps=300, record_every=5, initializer="he_normal")
AXES = {"depth": (4, 8, 16), "activation": ("relu", "tanh"), "learning_rate": (0.03, 0.1, 0.3, 1.0)}
REPEATS = 3


def warm_up(client):
    """Import TensorFlow and the engine on every worker, outside the timings."""
    client.run(lambda: __import__("core.engine.run"))


def timed_sweep(workers: int) -> tuple:
    """(best seconds of REPEATS sweeps, each on fresh workers, the trainers the workers built, and the CPU
    seconds the cluster's processes used meanwhile)."""
    best, built, cpu = float("inf"), 0, 0.0
    for _ in range(REPEATS):
        cluster = local_cluster(workers)
        with Client(cluster, set_as_default=False) as client:
            warm_up(client)
            processes = psutil.Process().children(recursive=True)  # nannies and their workers
            cpu_before = cpu_seconds(processes)
            start = time.perf_counter()
            sweep = Sweep(client, make_grid(BASE, AXES))
            sweep.wait()
            seconds = time.perf_counter() - start
            used = cpu_seconds(processes) - cpu_before
            assert all(row["status"] in ("finished", "diverged") for row in sweep.rows)
            if seconds < best:
                best, cpu = seconds, used
                built = sum(c["built"] for c in client.run(worker_counts).values())
        cluster.close()
    return best, built, cpu


def cell_seconds(client, config: RunConfig) -> tuple:
    """(cold, warm): the round trip of one cell whose architecture the worker has not traced yet, then the same
    architecture again with another seed (its trainer warm in the worker's pool)."""
    times = []
    for seed in (1, 2):
        start = time.perf_counter()
        client.submit(run_cell, config.replace(seed=seed).to_dict(), 0.3, pure=False).result()
        times.append(time.perf_counter() - start)
    return tuple(times)


def _spin(_):
    total = 0
    for i in range(6_000_000):
        total += i
    return total


def parallel_ceiling() -> float:
    """How much faster two plain Python processes finish two equal loops than one process: the speed-up this
    machine offers right now (other programs on its cores lower it)."""
    from concurrent.futures import ProcessPoolExecutor

    times = []
    for processes in (1, 2):
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(_spin, range(processes)))  # start the processes
            start = time.perf_counter()
            list(pool.map(_spin, range(2)))
            times.append(time.perf_counter() - start)
    return times[0] / times[1]


def main():
    print(f"cores: {os.cpu_count()}; a 24-cell sweep: {AXES}, width 64, 300 steps, best of {REPEATS}\n")
    before = parallel_ceiling()
    one, built_one, cpu_one = timed_sweep(1)
    two, built_two, cpu_two = timed_sweep(2)
    after = parallel_ceiling()
    print("| workers | seconds | cells per second | trainers traced | workers' CPU (s) | cores kept busy |")
    print("|---|---|---|---|---|---|")
    print(f"| 1 | {one:.1f} | {24 / one:.2f} | {built_one} | {cpu_one:.1f} | {cpu_one / one:.2f} |")
    print(f"| 2 | {two:.1f} | {24 / two:.2f} | {built_two} | {cpu_two:.1f} | {cpu_two / two:.2f} |")
    print(f"\nspeed-up with 2 workers: {one / two:.2f}x (target 1.7x); two plain Python processes got "
          f"{before:.2f}x before and {after:.2f}x after (the machine's ceiling while it was measured)\n")

    cluster = local_cluster(1)
    with Client(cluster, set_as_default=False) as client:
        warm_up(client)
        print("One cell on one worker (round trip through Dask), width 64, 300 steps, ReLU / He, learning rate 0.01:\n")
        print("| depth | cold: trace + run (s) | warm trainer (s) |")
        print("|---|---|---|")
        for depth in (2, 5, 10, 20, 50):
            cold, warm = cell_seconds(client, BASE.replace(depth=depth, activation="relu", learning_rate=0.01))
            print(f"| {depth} | {cold:.2f} | {warm:.2f} |")
        print("\nOne cell against steps, depth 10 (record every 5 steps):\n")
        print("| steps | cold (s) | warm (s) |")
        print("|---|---|---|")
        for index, steps in enumerate((50, 100, 300, 1000)):
            # alpha is part of a trainer's key but does nothing for tanh: a fresh trace of the same computation
            cold, warm = cell_seconds(client, BASE.replace(depth=10, activation="tanh", steps=steps,
                                                            alpha=0.1 + index / 100))
            print(f"| {steps} | {cold:.2f} | {warm:.2f} |")
    cluster.close()


if __name__ == "__main__":
    main()
