"""A run record sent in pieces: each frame, the worker sends only the rows the web process lacks.

A piece holds the rows recorded since the rows the receiver has (`since`: recorded steps, boundary frames),
the record's scalars as they are now, and, in the first piece only, the header (config, layers, histogram
edges, the boundary's grid). Rows, once appended, never change (core/record.py), so `grow` appending the
pieces in order rebuilds the record exactly.
"""
import time

from core.record import RunRecord

GROWING_HISTOGRAM_ROWS = ("counts", "zeros")


def piece(record: RunRecord, since_steps: int, since_boundary: int) -> dict:
    """What a receiver that holds `since_steps` recorded steps and `since_boundary` boundary frames lacks."""
    s, b = since_steps, since_boundary
    histograms = {kind: {name: block[name][s:] for name in GROWING_HISTOGRAM_ROWS if name in block}
                  for kind, block in record.histograms.items()}
    sent = {
        "steps": record.steps[s:], "loss": record.loss[s:], "accuracy": record.accuracy[s:],
        "metrics": {name: rows[s:] for name, rows in record.metrics.items()},
        "histograms": histograms,
        "boundary": None if record.boundary is None else
        {"steps": record.boundary["steps"][b:], "classes": record.boundary["classes"][b:]},
        "diverged_at": record.diverged_at, "timing": dict(record.timing), "status": record.status,
        "weights": record.weights if record.status in ("finished", "diverged") else None,
        "published_at": time.time(),  # the receiver measures how long the piece took to reach it
    }
    if s == 0 and b == 0:
        sent["header"] = {
            "config": record.config, "device": record.device, "layers": record.layers,
            "histograms": {kind: {name: value for name, value in block.items() if name not in GROWING_HISTOGRAM_ROWS}
                           for kind, block in record.histograms.items()},
            "boundary": None if record.boundary is None else
            {name: value for name, value in record.boundary.items() if name not in ("steps", "classes")},
        }
    return sent


def grow(record: RunRecord | None, sent: dict) -> RunRecord:
    """The record with the piece appended (a new record from a first piece)."""
    if record is None:
        header = sent["header"]
        record = RunRecord(config=header["config"], device=header["device"], layers=list(header["layers"]),
                           histograms={kind: {**block, **{name: [] for name in GROWING_HISTOGRAM_ROWS
                                                          if name in sent["histograms"].get(kind, {})}}
                                       for kind, block in header["histograms"].items()},
                           boundary=None if header["boundary"] is None else
                           {**header["boundary"], "steps": [], "classes": []})
    record.steps.extend(sent["steps"])
    record.loss.extend(sent["loss"])
    record.accuracy.extend(sent["accuracy"])
    for name, rows in sent["metrics"].items():
        record.metrics.setdefault(name, []).extend(rows)
    for kind, block in sent["histograms"].items():
        for name, rows in block.items():
            record.histograms[kind][name].extend(rows)
    if sent["boundary"] is not None and record.boundary is not None:
        record.boundary["steps"].extend(sent["boundary"]["steps"])
        record.boundary["classes"].extend(sent["boundary"]["classes"])
    record.diverged_at, record.timing, record.status = sent["diverged_at"], sent["timing"], sent["status"]
    if sent["weights"] is not None:
        record.weights = sent["weights"]
    return record


def held(record: RunRecord | None) -> tuple:
    """(recorded steps, boundary frames) a receiver holding `record` has: the `since` of its next piece."""
    if record is None:
        return 0, 0
    return len(record.steps), len(record.boundary["steps"]) if record.boundary is not None else 0
