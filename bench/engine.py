"""Engine benchmark: the instrumented compiled step against a bare compiled step and an eager NumPy loop.

Run: .venv/bin/python bench/engine.py   (prints Markdown tables; paste them into README.md)
All timings are on a warm trainer (tracing excluded and reported apart), best of REPEATS.
- bare compiled: the same tf.function loop without statistics;
- instrumented compiled: every step records every statistic, moved to the host once at the end;
- whole run: core.engine.run.train as the Lab and the CLI use it (frames, host transfers, the run record and
  the decision-boundary samples included);
- eager + NumPy: a plain eager GradientTape loop computing the same statistics with NumPy every step;
- eager PyTorch: bench/torch_eager.py in a process of its own (pip install -r bench/requirements.txt);
- cold: an architecture never traced, from the train() call to the step-0 preview and to the first
  compiled frame past step 0 (TensorFlow itself already initialized, as on a running server).
"""
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from core.engine import reference  # noqa: E402
from core.activation_table import max_derivative  # noqa: E402
from core.config import RunConfig  # noqa: E402
from core.engine.datasets import make_dataset  # noqa: E402
from core.engine.pool import TrainerPool  # noqa: E402
from core.engine.run import activation_edges, delta_edges, run_to_end, train  # noqa: E402

REPEATS = 3
STEPS = 300


def settings(depth, width=64, steps=STEPS):
    return RunConfig(dataset="spirals", activation="relu", initializer="he_normal", depth=depth, width=width,
                     batch_size=256, steps=steps, record_every=1, learning_rate=0.01)


def best(function, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def eager_loop(config, trainer, steps):
    """A plain eager GradientTape loop that computes the same statistics with NumPy every step."""
    dataset = make_dataset(config)
    x, y = tf.constant(dataset.x), tf.constant(dataset.y)
    model = trainer.model
    lows, highs = (v.numpy() for v in trainer.probe(x))
    edges, d_edges = activation_edges(config.activation, lows, highs), delta_edges()
    peak = max_derivative(config.activation, config.alpha)
    for _ in range(steps):
        index = trainer.random.uniform([config.batch_size], 0, len(dataset.y), dtype=tf.int32)
        xb, yb = tf.gather(x, index), tf.gather(y, index)
        with tf.GradientTape() as tape:
            zs, activations, _, logits = model.forward(xb)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
        gradients = tape.gradient(loss, model.trainable + zs)
        parameter_gradients, deltas = gradients[: len(model.trainable)], gradients[len(model.trainable):]
        first_gradient = parameter_gradients[0].numpy()
        hidden_gradients = parameter_gradients[1].numpy() if config.depth > 1 else None
        before = [model.layer_kernel(i).numpy() for i in range(model.depth)]
        trainer.optimizer.apply_gradients(zip(parameter_gradients, model.trainable))
        for i in range(model.depth):
            z, a, d = zs[i].numpy(), activations[i].numpy(), deltas[i].numpy()
            gradient = first_gradient if i == 0 else hidden_gradients[i - 1]
            reference.layer_statistics(z, a, d, gradient, config.activation, config.alpha, peak)
            np.linalg.norm(model.layer_kernel(i).numpy() - before[i]) / np.linalg.norm(before[i])
            reference.activation_histogram(a, edges[i])
            reference.delta_histogram(d, d_edges)
        float(loss)


def compiled(config, pool, steps):
    """Seconds for `steps` steps: bare compiled steps, and compiled steps that record every statistic (one
    host transfer at the end), on the same warm trainer."""
    dataset = make_dataset(config)
    trainer = pool.acquire(config, dataset.input_dim, dataset.classes, "CPU:0")
    x, y = tf.constant(dataset.x), tf.constant(dataset.y)
    low, high = tf.zeros([config.depth]), tf.ones([config.depth]) * 5.0
    gaps, updates = tf.zeros([steps], tf.int32), tf.ones([steps], tf.bool)
    trainer.start(config)
    trainer.run_bare(x, y, 1).numpy()  # trace the bare loop
    trainer.run_frame(x, y, low, high, gaps[:1], updates[:1])
    bare = best(lambda: trainer.run_bare(x, y, steps).numpy())
    recorded = best(lambda: [v.numpy() for v in trainer.run_frame(x, y, low, high, gaps, updates)])
    pool.release(trainer)
    return bare, recorded


def compare(depth, pool):
    config = settings(depth)
    trace_start = time.perf_counter()
    run_to_end(config.replace(steps=1), pool)  # builds and traces the trainer
    trace = time.perf_counter() - trace_start
    bare, recorded = compiled(config, pool, STEPS)
    whole_run = best(lambda: run_to_end(config, pool))
    dataset = make_dataset(config)
    trainer = pool.acquire(config, dataset.input_dim, dataset.classes, "CPU:0")
    eager_steps = 30 if depth >= 50 else 60
    trainer.start(config)
    eager = best(lambda: eager_loop(config, trainer, eager_steps), repeats=1) * STEPS / eager_steps
    pool.release(trainer)
    return trace, bare, recorded, whole_run, eager


def eager_torch(depth, steps):
    """Seconds for `steps` steps of bench/torch_eager.py, in a process of its own (None without PyTorch)."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_eager.py")
    done = subprocess.run([sys.executable, script, str(depth), str(steps)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"(PyTorch loop skipped: {done.stderr.strip().splitlines()[-1] if done.stderr else 'failed'})")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def cold(depth, width=64):
    """An architecture never traced: seconds from the train() call to the step-0 preview, to the first
    compiled frame past step 0, and the trace itself."""
    config = settings(depth, width)
    start = time.perf_counter()
    preview = first_training = None
    for record in train(config, TrainerPool(max_idle=1)):
        now = time.perf_counter() - start
        preview = preview or now
        if record.steps[-1] > 0:
            first_training = now
            break
    return preview, first_training, record.timing["trace_seconds"]


def per_step(depth, width, pool):
    config = settings(depth, width, steps=100)
    run_to_end(config.replace(steps=1), pool)
    bare, recorded = compiled(config, pool, config.steps)
    return bare / config.steps, recorded / config.steps


def main():
    pool = TrainerPool(max_idle=2)
    print(f"TensorFlow {tf.__version__}, {os.cpu_count()} CPU cores, best of {REPEATS}\n")
    run_to_end(settings(2, steps=2), pool)  # TensorFlow's own start-up is not part of any figure
    print("Cold: an architecture never traced (spirals, ReLU, He-normal, batch 256), from the train() call:\n")
    print("| depth | width | step-0 preview (s) | trace (s) | first frame past step 0 (s) |")
    print("|---|---|---|---|---|")
    for depth, width in ((10, 64), (50, 64), (100, 64), (100, 256)):
        preview, first_training, trace = cold(depth, width)
        print(f"| {depth} | {width} | {preview:.2f} | {trace:.2f} | {first_training:.2f} |", flush=True)
    torch_steps = 30
    print(f"\nAgainst what a user would write instead (depth 50, {torch_steps} steps each, scaled to {STEPS}):\n")
    compared = {depth: compare(depth, pool) for depth in (10, 50)}
    trace, bare, recorded, whole_run, eager = compared[50]
    torch_seconds = eager_torch(50, torch_steps)
    print("| loop | seconds for 300 steps | the engine's whole run is faster by |")
    print("|---|---|---|")
    print(f"| this engine, whole run (compiled, every step recorded) | {whole_run:.2f} | - |")
    print(f"| eager TensorFlow + NumPy statistics | {eager:.1f} | {eager / whole_run:.0f}x |")
    if torch_seconds is not None:
        torch_seconds *= STEPS / torch_steps
        print(f"| eager PyTorch, statistics as torch ops | {torch_seconds:.1f} | {torch_seconds / whole_run:.1f}x |")
    print()
    print(f"Spirals, ReLU, He-normal, width 64, batch 256, {STEPS} steps, statistics recorded every step:\n")
    print("| depth | trace (s) | bare compiled (s) | instrumented compiled (s) | statistics overhead "
          "| whole run (s) | eager + NumPy (s) | speed-up over eager |")
    print("|---|---|---|---|---|---|---|---|")
    for depth in (10, 50):
        trace, bare, recorded, whole_run, eager = compared[depth]
        print(f"| {depth} | {trace:.2f} | {bare:.3f} | {recorded:.3f} | {100 * (recorded / bare - 1):+.0f}% "
              f"| {whole_run:.3f} | {eager:.1f} | {eager / whole_run:.0f}x |", flush=True)
    print("\nPer-step cost (ms), recording every step, width 64:\n")
    print("| depth | bare | instrumented | overhead |")
    print("|---|---|---|---|")
    for depth in (5, 10, 20, 50, 100):
        bare, instrumented = per_step(depth, 64, pool)
        print(f"| {depth} | {1e3 * bare:.2f} | {1e3 * instrumented:.2f} | {100 * (instrumented / bare - 1):+.0f}% |", flush=True)
    print("\nPer-step cost (ms), recording every step, depth 10:\n")
    print("| width | bare | instrumented | overhead |")
    print("|---|---|---|---|")
    for width in (32, 64, 128, 256, 512, 1024):
        bare, instrumented = per_step(10, width, pool)
        print(f"| {width} | {1e3 * bare:.2f} | {1e3 * instrumented:.2f} | {100 * (instrumented / bare - 1):+.0f}% |", flush=True)


if __name__ == "__main__":
    main()
