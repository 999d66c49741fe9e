"""A run's recorded steps, each encoded once for every browser that watches the run.

Thirty students watching one run used to cost thirty rebuilds of every chart a frame. Here each recorded
step becomes one chunk the first time any viewer needs it: a JSON string of the step's numbers as
little-endian typed arrays in base64 (float32 holds what the engine records; the record keeps float32 rows,
core/record.compact). Every viewer then receives the very same strings, and its browser appends them to the
charts it already has (static/gradflow/live_charts.js).

A chunk holds, for one recorded step: the step, the loss and accuracy, the per-layer STREAMED_METRICS, the
fraction of the batch in each histogram bin of the shown layers (both kinds), each layer's fraction of
∂loss/∂z that is exactly 0 (the chain rule tells a δ of 0 from one too small to square), and any
decision-boundary samples taken since the chunk before. The header, sent with the first chunk, holds what never changes
during a run: the layer count, the run's length, the histograms' bins and the boundary's grid.
"""
import base64
import json
import threading

import numpy as np

from core.chain_rule import exact_zeros
from core.charts.histograms import histogram_table

STREAMED_METRICS = ("grad_norm", "delta_ms", "sparsity", "dead_fraction", "saturation", "update_ratio",
                    "grad_a_ms", "slope_ms", "slope_zeros")
HISTOGRAM_KINDS = ("activation", "delta")


def packed(values, dtype) -> str:
    """Numbers as base64 of their little-endian bytes: exact, and about 5.3 characters a float32."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def _columns(frame) -> dict:
    """A small DataFrame as {column: list}, for the header (sent once per viewer and run)."""
    return {name: frame[name].tolist() for name in frame.columns}


def header(record) -> dict:
    """What the charts need once per run."""
    hist = {}
    for kind in HISTOGRAM_KINDS:
        if kind in record.histograms and record.steps:
            rows, _ = histogram_table(record, kind, [0])
            hist[kind] = _columns(rows)
    boundary = None
    if record.boundary is not None:
        boundary = {"x": list(map(float, record.boundary["x"])), "y": list(map(float, record.boundary["y"]))}
    return {"layers": len(record.layers), "total": max(int(record.config.get("steps", 0) or 0), 1),
            "record_every": max(int(record.config.get("record_every", 1) or 1), 1),
            "metrics": list(STREAMED_METRICS), "histograms": hist, "boundary": boundary}


class RunStream:
    """The encoded chunks of one run, shared by its viewers."""

    def __init__(self, token: str):
        self.token = token
        self._chunks = []  # JSON strings, one per recorded step, never changed once made
        self._header = None
        self._samples = 0  # boundary samples already in a chunk
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._chunks)

    def update(self, record):
        """Encode the recorded steps of `record` (a snapshot of this run) that no chunk holds yet."""
        if len(record.steps) <= len(self._chunks):
            return
        with self._lock:
            start, end = len(self._chunks), len(record.steps)
            if end <= start:
                return  # another viewer's thread encoded them meanwhile
            if self._header is None:
                self._header = json.dumps(header(record), allow_nan=False)
            self._chunks.extend(self._encode(record, start, end))

    def _encode(self, record, start: int, end: int) -> list:
        indices = np.arange(start, end)
        metrics = {name: record.metric(name)[start:end] for name in STREAMED_METRICS}
        fractions = {kind: histogram_table(record, kind, indices)[1] for kind in HISTOGRAM_KINDS
                     if kind in record.histograms}
        samples = self._new_samples(record)
        chunks = []
        for offset, index in enumerate(indices):
            chunk = {"i": int(index), "step": int(record.steps[index]),
                     "loss": packed([record.loss[index], record.accuracy[index]], "<f4"),
                     "metrics": packed(np.stack([metrics[name][offset] for name in STREAMED_METRICS]), "<f4"),
                     "histograms": {kind: packed(values[:, offset], "<f4") for kind, values in fractions.items()},
                     "zeros": packed(exact_zeros(record, index), "<f4")}
            if offset == len(indices) - 1 and samples:
                chunk["boundary"] = samples
            chunks.append(json.dumps(chunk, separators=(",", ":")))
        return chunks

    def _new_samples(self, record) -> list:
        """Decision-boundary samples taken since the last chunk: [{after, classes}] (classes: uint8 per cell)."""
        boundary = record.boundary
        if not boundary:
            return []
        new = [{"after": int(step), "classes": packed(classes, "<u1")}
               for step, classes in zip(boundary["steps"][self._samples:], boundary["classes"][self._samples:])]
        self._samples = len(boundary["steps"])
        return new

    def payload(self, have: int, upto: int | None = None) -> dict:
        """What a browser that holds the first `have` chunks lacks, up to chunk `upto` (a paused viewer's
        picture stops where it paused): the header when it holds none, then the chunks. The same strings for
        every viewer."""
        chunks = self._chunks
        count = len(chunks) if upto is None else min(len(chunks), max(upto, 0))
        have = min(max(have, 0), count)
        return {"run": self.token, "from": have, "count": count,
                "header": self._header if have == 0 else None, "chunks": chunks[have:count]}
