"""Read a run record a student brings back (a JSON file), refusing anything a page could not draw.

Every refusal is a ValueError that says what is wrong and what is allowed; the caller keeps what it had.
"""
import json

import numpy as np

from core.config import ConfigError, RunConfig
from core.metrics import ACTIVATION_BINS, DELTA_BINS, LAYER_METRICS, UNITS_SHOWN
from core.export.views import draw_every_view
from core.limits import LIMIT_VARIABLES, current_limits
from core.outside_text import outside
from core.record import SCHEMA, RunRecord

ALLOWED = f"a {SCHEMA} run record as the app's JSON export or `python -m core run` writes it"
STATUSES = ("running", "finished", "diverged", "stopped")


def _shape(name: str, rows, shape: tuple) -> None:
    try:
        array = np.asarray(rows, dtype=float) if len(rows) else np.zeros((0, *shape[1:]))
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON integer beyond any float
        raise ValueError(f"{name} is not a table of numbers of shape {shape}; {ALLOWED} is allowed") from None
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, but {shape} fits its steps and layers; {ALLOWED} is allowed")


def check_record(record: RunRecord) -> None:
    """Shapes, limits and config of a record read from JSON."""
    limits = current_limits()
    steps, layers = len(record.steps), len(record.layers)
    if not 1 <= steps <= limits.recorded_steps:
        raise ValueError(f"steps: the record has {steps} recorded steps; 1 to {limits.recorded_steps} are allowed "
                         f"(the host's limit, set by {LIMIT_VARIABLES['recorded_steps'][0]})")
    if not 1 <= layers <= limits.depth:
        raise ValueError(f"layers: the record has {layers} layers; 1 to {limits.depth} are allowed "
                         f"(the host's limit, set by {LIMIT_VARIABLES['depth'][0]})")
    if not all(isinstance(step, int) and not isinstance(step, bool) for step in record.steps) \
            or any(b <= a for a, b in zip(record.steps, record.steps[1:])) or record.steps[0] < 0:
        raise ValueError("steps: recorded steps must be increasing whole numbers from 0; " + ALLOWED + " is allowed")
    for name in ("loss", "accuracy"):
        _shape(name, getattr(record, name), (steps,))
    missing = [name for name in LAYER_METRICS if name not in record.metrics]
    if missing:
        raise ValueError(f"metrics: the record lacks {', '.join(missing)}; {ALLOWED} is allowed")
    for name in LAYER_METRICS:
        _shape(f"metrics.{name}", record.metrics[name], (steps, layers))
    histograms = record.histograms
    if not isinstance(histograms, dict) or not {"activation", "delta"} <= set(histograms) \
            or not all(isinstance(histograms[kind], dict) for kind in ("activation", "delta")):
        raise ValueError(f"histograms: the record needs activation and delta histograms; {ALLOWED} is allowed")
    activation, delta = histograms["activation"], histograms["delta"]
    _shape("histograms.activation.edges", activation.get("edges", []), (layers, ACTIVATION_BINS + 1))
    _shape("histograms.activation.counts", activation.get("counts", []), (steps, layers, ACTIVATION_BINS))
    _shape("histograms.delta.edges", delta.get("edges", []), (DELTA_BINS + 1,))
    _shape("histograms.delta.counts", delta.get("counts", []), (steps, layers, DELTA_BINS))
    _shape("histograms.delta.zeros", delta.get("zeros", []), (steps, layers))
    _check_edges("histograms.activation.edges", activation["edges"])
    _check_edges("histograms.delta.edges", [delta["edges"]], positive=True)  # magnitudes, on a log axis
    if record.diverged_at is not None and (not isinstance(record.diverged_at, int) or isinstance(record.diverged_at, bool)):
        raise ValueError(f"diverged_at = {outside(record.diverged_at)} is not allowed: a step number or null")
    if record.status not in STATUSES:
        raise ValueError(f"status = {outside(record.status)} is not allowed: one of {', '.join(STATUSES)}")
    if not isinstance(record.config, dict):
        raise ValueError(f"config: {type(record.config).__name__} is not allowed: {ALLOWED}")
    try:
        config = RunConfig.from_dict(record.config)
    except ConfigError as error:
        raise ValueError(f"config: {error}") from None
    if config.depth != layers:
        raise ValueError(f"config: depth = {config.depth} but the record has {layers} layers; they must agree")
    _check_boundary(record.boundary, steps)
    _check_units(histograms.get("units"), steps, layers, config.width)
    if not isinstance(record.timing, dict):
        raise ValueError(f"timing: {type(record.timing).__name__} is not allowed: an object of numbers")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_units(units, steps: int, layers: int, width: int) -> None:
    """The units' activity, which records written before it was measured lack (their heat map is not drawn)."""
    if units is None:
        return
    if not isinstance(units, dict) or not isinstance(units.get("index"), list) or not isinstance(units.get("counts"), list):
        raise ValueError("histograms.units: absent, or an object with lists index and counts, is allowed")
    index = units["index"]
    if not (1 <= len(index) <= min(width, UNITS_SHOWN) and all(_whole(i) and 0 <= i < width for i in index)
            and all(b > a for a, b in zip(index, index[1:]))):
        raise ValueError(f"histograms.units.index: 1 to {min(width, UNITS_SHOWN)} increasing unit indices from 0 to "
                         f"{width - 1} (the record's width) are allowed")
    examples = units.get("examples")
    if not _whole(examples) or examples < 1:
        raise ValueError(f"histograms.units.examples = {outside(examples)} is not allowed: the minibatch's size, a whole number from 1")
    _shape("histograms.units.counts", units["counts"], (steps, layers, len(index)))
    counts = np.asarray(units["counts"], dtype=float)
    if not np.all((counts >= 0) & (counts <= examples) & (counts == np.round(counts))):
        raise ValueError(f"histograms.units.counts: whole numbers of examples from 0 to {examples} are allowed")


def _check_edges(name: str, rows, positive: bool = False) -> None:
    """Histogram edges as the engine makes them: finite and increasing (null reads as NaN and fails)."""
    edges = np.asarray(rows, dtype=float)
    if not (np.isfinite(edges).all() and (np.diff(edges, axis=-1) > 0).all() and (not positive or (edges > 0).all())):
        kind = "positive, finite and increasing" if positive else "finite and increasing"
        raise ValueError(f"{name}: bin edges, {kind} numbers, are allowed")


MAX_CLASSES = 255  # the stream sends a cell's class as one byte (core/stream/chunks.py)


def _check_boundary(boundary, steps: int) -> None:
    if boundary is None:
        return
    if not isinstance(boundary, dict) or not all(isinstance(boundary.get(key), list) for key in ("x", "y", "steps", "classes")):
        raise ValueError("boundary: null or an object with lists x, y, steps and classes is allowed")
    for axis in ("x", "y"):
        _shape(f"boundary.{axis}", boundary[axis], (len(boundary[axis]),))
        if not np.isfinite(np.asarray(boundary[axis], dtype=float)).all():  # null reads as NaN
            raise ValueError(f"boundary.{axis}: the grid's coordinates, finite numbers, are allowed")
    if not all(isinstance(step, int) and not isinstance(step, bool) for step in boundary["steps"]):
        raise ValueError("boundary.steps: whole step numbers are allowed")
    _shape("boundary.classes", boundary["classes"], (len(boundary["steps"]), len(boundary["x"]) * len(boundary["y"])))
    classes = np.asarray(boundary["classes"], dtype=float)
    if not np.all((classes >= 0) & (classes <= MAX_CLASSES) & (classes == np.round(classes))):  # NaN fails too
        raise ValueError(f"boundary.classes: predicted classes, whole numbers from 0 to {MAX_CLASSES}, are allowed")


def read_record(data: bytes, name: str | None = None) -> RunRecord:
    """A checked RunRecord from an uploaded file's bytes (ValueError, with the reason, otherwise)."""
    name = outside(name) if name else "the file"  # a file name is outside text
    limit = current_limits().upload_mb
    if len(data) > limit * 2**20:
        raise ValueError(f"{name} is {len(data) / 2**20:.1f} MB; at most {limit} MB is allowed "
                         f"(the host's limit, set by {LIMIT_VARIABLES['upload_mb'][0]})")
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not text (UTF-8); {ALLOWED} is allowed") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{name} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
                         f"{ALLOWED} is allowed") from None
    except RecursionError:
        raise ValueError(f"{name} nests too deeply to be a run record; {ALLOWED} is allowed") from None
    if not isinstance(parsed, dict):
        raise ValueError(f"{name} holds a JSON {type(parsed).__name__}, not an object; {ALLOWED} is allowed")
    try:
        record = RunRecord.from_dict(parsed)
    except (TypeError, AttributeError, KeyError) as error:
        raise ValueError(f"{name} is not a run record ({type(error).__name__}); {ALLOWED} is allowed") from None
    check_record(record)
    try:
        draw_every_view(record)
    except Exception as error:  # the last line of defence: a record that passed the checks but cannot be drawn
        raise ValueError(f"{name} cannot be drawn ({type(error).__name__}: {outside(str(error))}); {ALLOWED} is allowed") from None
    return record
