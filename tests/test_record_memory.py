"""Records hold their rows as NumPy arrays, and their JSON stays exactly the gradflow.run/1 layout."""
import json
import tracemalloc

import numpy as np
import pytest

from core.config import RunConfig
from core.engine.run import run_to_end
from core.record import RunRecord


def as_lists(value):
    """The record's parts as the plain Python lists the engine used to append."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {key: as_lists(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_lists(item) for item in value]
    return value


@pytest.fixture(scope="module")
def record(pool):
    # A 2-D data set, so the decision-boundary samples are in the record too; deep, as records get large with depth.
    return run_to_end(RunConfig(dataset="moons", depth=30, width=8, steps=40, record_every=5, samples=200), pool)


def test_the_engine_keeps_rows_as_arrays(record):
    assert isinstance(record.metrics["grad_norm"][0], np.ndarray)
    assert isinstance(record.histograms["activation"]["counts"][0], np.ndarray)
    assert isinstance(record.boundary["classes"][0], np.ndarray)


def test_a_record_writes_the_same_json_as_when_its_rows_were_python_lists(record):
    listed = RunRecord(config=record.config, device=record.device, layers=list(record.layers),
                       steps=list(record.steps), loss=list(record.loss), accuracy=list(record.accuracy),
                       metrics=as_lists(record.metrics), histograms=as_lists(record.histograms),
                       diverged_at=record.diverged_at, timing=dict(record.timing), status=record.status,
                       boundary=as_lists(record.boundary))
    assert record.to_json() == listed.to_json()
    assert list(json.loads(record.to_json())) == ["schema", "config", "device", "layers", "steps", "loss", "accuracy",
                                                  "metrics", "histograms", "diverged_at", "timing", "status", "boundary"]


def test_a_record_round_trips_through_json_unchanged(record):
    text = record.to_json()
    again = RunRecord.from_json(text)
    assert again.to_json() == text
    np.testing.assert_array_equal(again.metric("grad_norm"), record.metric("grad_norm"))


def test_a_read_record_holds_a_fraction_of_the_memory_of_its_parsed_json(record):
    text = record.to_json()
    tracemalloc.start()
    parsed = json.loads(text)
    as_python_lists = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    tracemalloc.start()
    compact = RunRecord.from_dict(json.loads(text))  # the parsed lists are freed once from_dict returns
    as_arrays = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert compact.status == parsed["status"]
    assert as_arrays < as_python_lists / 3, (as_arrays, as_python_lists)


def test_nbytes_tracks_the_arrays_a_record_holds(record):
    arrays = sum(row.nbytes for rows in record.metrics.values() for row in rows)
    arrays += sum(row.nbytes for block in record.histograms.values() for name in ("counts", "zeros")
                  for row in block.get(name, []))
    arrays += sum(row.nbytes for row in record.boundary["classes"])
    assert arrays < record.nbytes < arrays + 200_000


def test_a_record_whose_rows_are_not_numbers_is_refused_with_a_clear_error(record):
    data = json.loads(record.to_json())
    data["metrics"]["grad_norm"][0] = ["a", "b"]
    with pytest.raises(ValueError, match="not tables of numbers"):
        RunRecord.from_dict(data)
    data = json.loads(record.to_json())
    data["histograms"]["delta"]["zeros"] = [[1, 2], [3]]  # ragged
    data["histograms"]["delta"]["zeros"][0] = {"not": "a row"}
    with pytest.raises(ValueError, match="gradflow.run/1 record"):
        RunRecord.from_dict(data)
