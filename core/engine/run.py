"""The training loop on the host: plans frames, calls the compiled step, and grows the run record.

`train(config)` is a generator that yields the same RunRecord after every frame, so a UI can draw while
training and stop between frames (close the generator) without losing what was recorded.
"""
import math
import time
from contextlib import nullcontext

import numpy as np
import tensorflow as tf

from core.activation_table import OUTPUT_RANGE
from core.config import RunConfig
from core.limits import current_limits
from core.engine.datasets import make_dataset
from core.engine.device import choose_device, gpu_names
from core.engine.pool import TrainerPool
from core.record import RunRecord, compact
from core.metrics import ACTIVATION_BINS, DELTA_BINS, DELTA_MIN_EXPONENT, LAYER_METRICS, unit_indices

FRAME_SECONDS = 0.08  # wall time a frame aims at: a new snapshot for each of the browser's ten frames a second
BOUNDARY_GRID = 40  # the decision boundary is sampled on a BOUNDARY_GRID x BOUNDARY_GRID grid
BOUNDARY_FRAMES = 30  # and at about this many points of the run
PROBE_SAMPLES = 256  # enough to see each layer's range; the probe's cost is in its matmuls


def activation_edges(activation: str, lows, highs) -> list:
    """Per-layer histogram edges, fixed at step 0 (see core/engine/statistics.py)."""
    edges = []
    for low, high in zip(lows, highs):
        if activation in OUTPUT_RANGE:
            low, high = OUTPUT_RANGE[activation]
        elif not (np.isfinite(low) and np.isfinite(high)) or high - low <= 1e-6:
            centre = float(low) if np.isfinite(low) else 0.0
            low, high = centre - 1.0, centre + 1.0
        else:
            span = high - low
            low = low - 0.5 * span if low < 0 else low
            high = high + 0.5 * span
        edges.append(np.linspace(low, high, ACTIVATION_BINS + 1).tolist())
    return edges


def delta_edges() -> list:
    return [2.0 ** e for e in range(DELTA_MIN_EXPONENT, DELTA_MIN_EXPONENT + DELTA_BINS + 1)]


def boundary_indices(recorded_count: int) -> set:
    """Indices of the recorded steps after which the decision boundary is sampled: a fixed schedule, so
    the record does not depend on how fast the machine is."""
    every = max(1, -(-recorded_count // BOUNDARY_FRAMES))
    return set(range(0, recorded_count, every)) | {recorded_count - 1}


def plan_frame(recorded: list, position: int, next_index: int, steps_per_frame: float, last_step: int,
               cut_after=frozenset()):
    """The recorded steps of the next frame: (gaps, updates, next_index). Always at least one; a frame
    ends early after an index in cut_after."""
    gaps, updates = [], []
    budget = max(steps_per_frame, 1.0)
    while next_index < len(recorded) and not (gaps and next_index - 1 in cut_after):
        step = recorded[next_index]
        cost = step - position + 1
        if gaps and cost > budget:
            break
        gaps.append(step - position)
        updates.append(step < last_step)
        budget -= cost
        position = step + 1
        next_index += 1
    return gaps, updates, next_index


def boundary_grid(x: np.ndarray) -> tuple:
    pad = 0.25
    xs = np.linspace(x[:, 0].min() - pad, x[:, 0].max() + pad, BOUNDARY_GRID)
    ys = np.linspace(x[:, 1].min() - pad, x[:, 1].max() + pad, BOUNDARY_GRID)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
    return xs, ys, grid


def train(config: RunConfig, pool: TrainerPool | None = None, turn=None, on_phase=None, preview=True,
          stopped=None, unwatched=False):
    """Train and yield the growing RunRecord after every frame.

    For an architecture not traced yet, the first record yielded is a preview: step 0 measured eagerly
    while nothing is compiled, so a page can draw it at once. The run then traces its step and starts
    again from step 0 with the compiled step, so the record does not depend on which path ran first.
    `turn()`, if given, is a context manager entered before the first compiled frame and held while
    training (the server's run gate); `on_phase(name)` hears "compiling", "queued" and "running".
    preview=False skips the preview (the command line has nobody to show it to). `stopped()`, if given,
    is asked between the stages before training, so that a run superseded mid-way ends without the rest.
    unwatched=True (a sweep's cell: nobody draws it) trains in one frame and records no decision boundary,
    with the same numbers.
    """
    stopped = stopped or (lambda: False)
    pool = pool or TrainerPool(max_idle=1)
    dataset = make_dataset(config)
    device = choose_device(gpu_names(), config.cpu)
    if stopped():
        return
    trainer = pool.acquire(config, dataset.input_dim, dataset.classes, device)
    try:
        yield from _train_with(trainer, config, dataset, device, turn or nullcontext, on_phase or (lambda _: None),
                               preview, stopped, unwatched)
    finally:
        pool.release(trainer)


def _append(record, outputs):
    """Add a frame's recorded steps (the compiled step's outputs, as NumPy arrays) to the record."""
    written, diverged_at, steps, loss, accuracy, scalars, act_counts, delta_counts, delta_zeros, alive = outputs
    for i in range(int(written)):
        record.steps.append(int(steps[i]))
        record.loss.append(float(loss[i]))
        record.accuracy.append(float(accuracy[i]))
        # Rows stay NumPy arrays (copies, so a frame's buffers are freed): a tenth of the memory of Python lists.
        for row, name in enumerate(LAYER_METRICS):
            record.metrics[name].append(scalars[i, row].copy())
        record.histograms["activation"]["counts"].append(compact(act_counts[i]))
        record.histograms["delta"]["counts"].append(compact(delta_counts[i]))
        record.histograms["delta"]["zeros"].append(compact(delta_zeros[i]))
        record.histograms["units"]["counts"].append(compact(alive[i]))


def _train_with(trainer, config, dataset, device, turn, on_phase, preview, stopped, unwatched):
    trainer.start(config)
    x, y = trainer.constant(dataset.x), trainer.constant(dataset.y)
    start = time.perf_counter()
    if stopped():
        return
    lows, highs = (v.numpy() for v in trainer.probe(x[:PROBE_SAMPLES]))

    def new_record():
        return RunRecord(
            config=config.to_dict(), device=device, layers=[f"hidden_{i + 1}" for i in range(config.depth)],
            histograms={
                "activation": {"edges": activation_edges(config.activation, lows, highs), "counts": []},
                "delta": {"scale": "log2_magnitude", "edges": delta_edges(), "counts": [], "zeros": []},
                # per recorded step and layer, the examples of the minibatch on which each unit is not 0
                "units": {"index": unit_indices(config.width), "examples": config.batch_size, "counts": []},
            },
        )

    record = new_record()
    edges = record.histograms["activation"]["edges"]
    low = trainer.constant([e[0] for e in edges], tf.float32)
    high = trainer.constant([e[-1] for e in edges], tf.float32)
    traced_now = not trainer.traced
    if stopped():
        return
    if traced_now and preview:
        step_zero = new_record()
        _append(step_zero, [v.numpy() for v in trainer.preview(x, y, low, high)])
        step_zero.timing["train_seconds"] = time.perf_counter() - start
        yield step_zero
    if stopped():
        return
    if traced_now:
        on_phase("compiling")
        trainer.trace()
        trainer.start(config)  # the preview drew step 0's minibatch; the compiled run draws it again
    record.timing["trace_seconds"] = trainer.trace_seconds if traced_now else 0.0
    on_phase("queued")
    with turn():
        on_phase("running")
        yield from _frames(trainer, config, dataset, record, x, y, low, high, start, unwatched)


def _frames(trainer, config, dataset, record, x, y, low, high, start, unwatched=False):
    # the decision boundary: any data with exactly two inputs (datasets.is_two_d), for a run someone sees
    two_d = dataset.input_dim == 2 and not unwatched
    recorded = config.recorded_steps
    cut_after = boundary_indices(len(recorded)) if two_d else frozenset()
    if two_d:
        xs, ys, grid = boundary_grid(dataset.x)
        record.boundary = {"x": xs.tolist(), "y": ys.tolist(), "steps": [], "classes": []}
        grid = trainer.constant(grid)

    # Frames start small, so a page draws the first one at once; a run nobody watches takes one frame.
    position, next_index, steps_per_frame = 0, 0, math.inf if unwatched else 1.0
    while next_index < len(recorded):
        gaps, updates, next_index = plan_frame(recorded, position, next_index, steps_per_frame, config.steps,
                                               cut_after)
        frame_start = time.perf_counter()
        outputs = trainer.run_frame(x, y, low, high, gaps, updates)
        outputs = [v.numpy() for v in outputs]
        _append(record, outputs)
        diverged_at = outputs[1]
        frame_seconds = time.perf_counter() - frame_start
        steps_done = sum(gaps) + sum(updates)
        position += steps_done
        if two_d and diverged_at < 0 and next_index - 1 in cut_after:
            # The model has taken this frame's last update: the boundary is labelled with its step count.
            record.boundary["steps"].append(int(trainer.step.numpy()))
            record.boundary["classes"].append(compact(trainer.predict(grid).numpy()))
        record.timing["train_seconds"] = time.perf_counter() - start
        done = int(trainer.step.numpy())
        record.timing["steps_per_second"] = done / record.timing["train_seconds"] if done else None
        if diverged_at >= 0:
            record.diverged_at = int(diverged_at)
            record.status = "diverged"
            record.weights = kept_weights(trainer.model)
            yield record
            return
        if next_index >= len(recorded):
            record.status = "finished"
            record.weights = kept_weights(trainer.model)
        yield record
        # Grow frames until one takes about FRAME_SECONDS.
        per_step = frame_seconds / max(steps_done + len(gaps), 1)
        steps_per_frame = min(max(FRAME_SECONDS / per_step, 1.0), 4 * steps_per_frame + 8)


def kept_weights(model) -> list | None:
    """The trained weights, for the .keras export, unless they are larger than the host keeps per run."""
    variables = model.trainable + ([model.moving_means, model.moving_variances] if model.batchnorm else [])
    size = sum(4 * variable.shape.num_elements() for variable in variables)
    if size > current_limits().kept_weights_mb * 2**20:
        return None
    return model.layer_weights()


def run_to_end(config: RunConfig, pool: TrainerPool | None = None, on_frame=None, unwatched=False) -> RunRecord:
    """Train to the end and return the record; on_frame(record) is called after every frame. unwatched: see
    train."""
    record = None
    for record in train(config, pool, preview=False, unwatched=unwatched):
        if on_frame:
            on_frame(record)
    return record
