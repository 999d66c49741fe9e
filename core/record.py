"""The run record: the contract between the engine, the command line, the pages and exports.

JSON layout (schema "gradflow.run/1"; every non-finite number is written as null):
{"schema", "config", "device", "layers", "steps", "loss", "accuracy",
 "metrics": {name: [[per layer] per recorded step]},
 "histograms": {"activation": {"edges": [[per bin edge] per layer], "counts": [[[per bin] per layer] per step]},
                "delta": {"scale": "log2_magnitude", "edges": [...], "counts": [...], "zeros": [[per layer] per step]},
                "units": {"index": [per unit], "examples": batch size, "counts": [[[per unit] per layer] per step]}},
   ("units": the examples on which each of at most 64 units is not 0; records written before it lack it)
 "diverged_at", "timing": {"trace_seconds", "train_seconds", "steps_per_second"},
 "status", "boundary": null or {"x": [...], "y": [...], "steps": [...], "classes": [[per grid point] per frame]}}
"""
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.metrics import ADDED_METRICS, LAYER_METRICS
from core.outside_text import outside

SCHEMA = "gradflow.run/1"


def _finite_or_none(value):
    if isinstance(value, (np.ndarray, np.generic)):
        value = value.tolist()  # the same Python numbers the rows held when they were lists
    if isinstance(value, dict):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite_or_none(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def compact(row) -> np.ndarray:
    """A row as the smallest NumPy array that holds its numbers exactly, so its JSON does not change."""
    array = np.asarray(row)
    if array.dtype.kind == "f":
        with np.errstate(over="ignore"):  # a value beyond float32 becomes inf, and then differs: kept as is
            smaller = array.astype(np.float32)
        if np.array_equal(smaller.astype(array.dtype), array, equal_nan=True):
            return smaller
    elif array.dtype.kind in "iu" and array.size:
        for dtype in (np.int8, np.int16, np.int32):
            info = np.iinfo(dtype)
            if info.min <= array.min() and array.max() <= info.max:
                return array.astype(dtype)
    return array if array.base is None else array.copy()  # a view would keep a whole frame's buffer alive


def _rows(rows, dtype=None):
    """Per-step rows read from JSON, held as compact NumPy arrays like the engine's (None becomes NaN)."""
    arrays = [np.asarray(_none_to_nan(row), dtype=dtype) for row in rows]
    for array in arrays:
        if array.dtype.kind not in "fiub":
            raise ValueError(f"a row holds {array.dtype} values, not numbers")
    return [compact(array) for array in arrays]


def _compact_histograms(histograms: dict) -> dict:
    compact = {kind: dict(block) for kind, block in histograms.items()}
    for block in compact.values():
        for name in ("counts", "zeros"):
            if isinstance(block.get(name), list):
                block[name] = _rows(block[name])
    return compact


def _compact_boundary(boundary):
    if not isinstance(boundary, dict) or not isinstance(boundary.get("classes"), list):
        return boundary
    return {**boundary, "classes": _rows(boundary["classes"])}


def _approximate_bytes(value) -> int:
    """Bytes held by a record's parts: arrays by their buffers, Python objects by CPython's sizes."""
    if isinstance(value, np.ndarray):
        return value.nbytes + 112
    if isinstance(value, dict):
        return 64 + sum(_approximate_bytes(k) + _approximate_bytes(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return 56 + 8 * len(value) + sum(_approximate_bytes(item) for item in value)
    if isinstance(value, str):
        return 49 + len(value)
    return 32  # a float, an int, None or a bool


def _none_to_nan(value):
    if isinstance(value, list):
        return [_none_to_nan(item) for item in value]
    return float("nan") if value is None else value


@dataclass
class RunRecord:
    config: dict
    device: str
    layers: list
    steps: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    metrics: dict = field(default_factory=lambda: {name: [] for name in LAYER_METRICS})
    histograms: dict = field(default_factory=dict)
    diverged_at: int | None = None
    timing: dict = field(default_factory=lambda: {"trace_seconds": 0.0, "train_seconds": 0.0, "steps_per_second": None})
    status: str = "running"  # running, finished, diverged or stopped
    boundary: dict | None = None
    # The trained network at the end of the run (core/engine/model.py layer_weights), for the .keras export.
    # Never in the JSON: the record's layout stays gradflow.run/1, and imported records have none.
    weights: list | None = field(default=None, repr=False, compare=False)

    # --- JSON ------------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return _finite_or_none({
            "schema": SCHEMA, "config": self.config, "device": self.device, "layers": self.layers,
            "steps": self.steps, "loss": self.loss, "accuracy": self.accuracy, "metrics": self.metrics,
            "histograms": self.histograms, "diverged_at": self.diverged_at, "timing": self.timing,
            "status": self.status, "boundary": self.boundary,
        })

    def to_json(self, indent=None) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict) -> "RunRecord":
        if data.get("schema") != SCHEMA:
            raise ValueError(f"schema = {outside(data.get('schema'))} is not allowed: only {SCHEMA!r} records can be read")
        missing = [name for name in ("config", "device", "layers", "steps", "loss", "accuracy", "metrics") if name not in data]
        if missing:
            raise ValueError(f"the record lacks {', '.join(missing)}")
        try:
            metrics = {name: _rows(rows, float) for name, rows in data["metrics"].items()}
            for name in ADDED_METRICS:  # written before these were measured: read as not measured (NaN)
                if name not in metrics and isinstance(data["steps"], list) and isinstance(data["layers"], list):
                    metrics[name] = _rows(np.full((len(data["steps"]), len(data["layers"])), np.nan), float)
            histograms = _compact_histograms(data.get("histograms", {}))
            boundary = _compact_boundary(data.get("boundary"))
        except (TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"the record's metrics, histograms or boundary are not tables of numbers ({error}); "
                             "a gradflow.run/1 record as the app or `python -m core run` writes it is allowed") from None
        return cls(
            config=data["config"], device=data["device"], layers=list(data["layers"]), steps=list(data["steps"]),
            loss=_none_to_nan(data["loss"]), accuracy=_none_to_nan(data["accuracy"]), metrics=metrics,
            histograms=histograms, diverged_at=data.get("diverged_at"),
            timing=data.get("timing", {}), status=data.get("status", "finished"), boundary=boundary,
        )

    @classmethod
    def from_json(cls, text: str) -> "RunRecord":
        return cls.from_dict(json.loads(text))

    # --- views -----------------------------------------------------------------------------------------

    def metric(self, name: str) -> np.ndarray:
        """[recorded step, layer] array of one metric."""
        return np.asarray(self.metrics[name], dtype=float).reshape(len(self.steps), len(self.layers))

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows for Altair: step, layer, layer_index (1 = input side), metric, value.
        Memoized by the number of recorded steps: rows, once appended, never change."""
        steps, layers = len(self.steps), len(self.layers)
        memo = self.__dict__.get("_frame_memo")
        if memo is not None and memo[0] == steps:
            return memo[1]
        frame = self._build_frame(steps, layers)
        self.__dict__["_frame_memo"] = (steps, frame)
        return frame

    def _build_frame(self, steps, layers) -> pd.DataFrame:
        frames = []
        for name in LAYER_METRICS:
            values = self.metric(name)
            frames.append(pd.DataFrame({
                "step": np.repeat(self.steps, layers),
                "layer": np.tile(self.layers, steps),
                "layer_index": np.tile(np.arange(1, layers + 1), steps),
                "metric": name,
                "value": values.reshape(-1),
            }))
        if not frames or steps == 0:
            return pd.DataFrame(columns=["step", "layer", "layer_index", "metric", "value"])
        return pd.concat(frames, ignore_index=True)

    def training_frame(self) -> pd.DataFrame:
        """One row per recorded step: loss and accuracy on that step's minibatch."""
        return pd.DataFrame({"step": self.steps, "loss": self.loss, "accuracy": self.accuracy}, dtype=float)

    def step_index(self, step: int) -> int:
        """Index of the latest recorded step at or before `step`."""
        index = int(np.searchsorted(self.steps, step, side="right")) - 1
        return max(index, 0)

    def histogram_frame(self, kind: str, step: int) -> pd.DataFrame:
        """Per-layer histogram at a recorded step: layer, layer_index, low, high, count, fraction."""
        block = self.histograms[kind]
        index = self.step_index(step)
        counts = np.asarray(block["counts"][index], dtype=float)
        rows = []
        for layer_index, layer in enumerate(self.layers):
            edges = np.asarray(block["edges"][layer_index] if kind == "activation" else block["edges"], dtype=float)
            total = counts[layer_index].sum() + (block["zeros"][index][layer_index] if kind == "delta" else 0)
            for b, count in enumerate(counts[layer_index]):
                rows.append((layer, layer_index + 1, edges[b], edges[b + 1], count, count / total if total else 0.0))
        return pd.DataFrame(rows, columns=["layer", "layer_index", "low", "high", "count", "fraction"])

    def snapshot(self) -> "RunRecord":
        """A copy that later frames do not change (rows already appended are never mutated)."""
        histograms = {kind: {name: list(value) if isinstance(value, list) else value for name, value in block.items()}
                      for kind, block in self.histograms.items()}
        boundary = None if self.boundary is None else {name: list(value) for name, value in self.boundary.items()}
        return RunRecord(
            config=self.config, device=self.device, layers=list(self.layers), steps=list(self.steps),
            loss=list(self.loss), accuracy=list(self.accuracy),
            metrics={name: list(rows) for name, rows in self.metrics.items()}, histograms=histograms,
            diverged_at=self.diverged_at, timing=dict(self.timing), status=self.status, boundary=boundary,
            weights=self.weights)

    @property
    def nbytes(self) -> int:
        """Approximate memory the record holds, for caches bounded in bytes."""
        parts = (self.config, self.layers, self.steps, self.loss, self.accuracy, self.metrics, self.histograms,
                 self.timing, self.boundary)
        weights = sum(array.nbytes for array in self.weights) if self.weights else 0
        return sum(_approximate_bytes(part) for part in parts) + weights

    @property
    def last_step(self):
        return self.steps[-1] if self.steps else None
