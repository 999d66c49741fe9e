"""Import: a record exported as JSON reads back to the same charts; bad files are refused with a reason."""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import RunConfig
from core.engine.run import run_to_end
from core.export.import_record import read_record
from core.outside_text import plain
from core.stream.chunks import RunStream
from core.export.views import view, view_names
from helpers.records import json_values, mutate


@pytest.fixture(scope="module")
def record(pool):
    return run_to_end(RunConfig(depth=4, width=16, steps=40, record_every=5), pool)


@pytest.fixture(scope="module")
def exported(record):
    return record.to_json().encode()


def test_an_exported_record_imports_to_the_same_data_in_every_chart(record, exported):
    again = read_record(exported, "run.json")
    assert view_names(again) == view_names(record)
    for name in view_names(record):
        before, after = view(record, name), view(again, name)
        assert before.spec == after.spec, name
        assert before.data.keys() == after.data.keys(), name
        for key in before.data:
            pd.testing.assert_frame_equal(before.data[key], after.data[key], check_dtype=False, obj=f"{name}: {key}")
    assert again.to_json() == record.to_json()


def test_a_record_written_before_the_stream_was_measured_opens_with_it_not_measured(record, exported):
    old = json.loads(exported)
    old["config"].pop("residual")
    for name in ("stream_ms", "grad_a_ms"):
        del old["metrics"][name]
    again = read_record(json.dumps(old).encode(), "old.json")
    assert np.isnan(again.metric("stream_ms")).all() and np.isnan(again.metric("grad_a_ms")).all()
    np.testing.assert_array_equal(again.metric("delta_ms"), record.metric("delta_ms"))
    assert RunConfig.from_dict(again.config).residual is False  # an older config: no skips


@pytest.mark.parametrize("data, reason", [
    (b"\xff\xfe not text", "not text"),
    (b'{"schema": "gradflow.run/1", "config": ', "not valid JSON"),
    (b"[1, 2, 3]", "JSON list, not an object"),
    (b'{"schema": "gradflow.run/2"}', "schema = 'gradflow.run/2' is not allowed"),
    (b'{"schema": "gradflow.run/1"}', "lacks config"),
    (b"[" * 100000 + b"]" * 100000, "nests too deeply"),
])
def test_a_file_that_is_not_a_record_is_refused_with_the_reason(data, reason):
    with pytest.raises(ValueError) as refused:
        read_record(data, "upload.json")
    assert reason in plain(refused.value)


def test_a_file_over_the_hosts_upload_limit_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setenv("GRADFLOW_MAX_UPLOAD_MB", "1")
    with pytest.raises(ValueError, match=r"upload.json\ue001 is 1.5 MB; at most 1 MB is allowed .*GRADFLOW_MAX_UPLOAD_MB"):
        read_record(b" " * (3 * 2**19), "upload.json")


GOOD = {}  # the exported record, kept out of Hypothesis's report of the failing example


@pytest.fixture
def good(exported):
    GOOD["record"] = json.loads(exported)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.integers(0, 50), min_size=1, max_size=5), value=json_values)
def test_a_damaged_record_is_either_refused_with_a_value_error_or_draws_every_chart(good, path, value):
    damaged = json.dumps(mutate(GOOD["record"], path, value)).encode()
    try:
        record = read_record(damaged, "damaged.json")
    except ValueError as error:
        assert str(error)
        return
    for name in view_names(record):  # accepted: every chart must draw
        figure = view(record, name)
        assert all(isinstance(frame, pd.DataFrame) for frame in figure.data.values())
    stream = RunStream("damaged")  # and the live charts must receive it, as the Lab shows a saved run
    stream.update(record)
    assert len(stream) == len(record.steps)


@pytest.mark.parametrize("axis, index, value, field", [
    ("x", 3, None, "boundary.x"), ("y", 0, None, "boundary.y"), ("classes", (1, 5), None, "boundary.classes"),
    ("classes", (0, 0), 256, "boundary.classes"), ("classes", (0, 0), 0.5, "boundary.classes"),
    ("classes", (0, 0), -1, "boundary.classes")])
def test_a_boundary_with_a_null_or_a_class_one_byte_cannot_hold_is_refused_naming_it(exported, axis, index, value, field):
    data = json.loads(exported)
    assert data["boundary"] is not None  # a two-dimensional data set's record has one
    if axis == "classes":
        data["boundary"]["classes"][index[0]][index[1]] = value
    else:
        data["boundary"][axis][index] = value
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        read_record(json.dumps(data).encode(), "damaged.json")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_are_refused_with_a_value_error(data):
    with pytest.raises(ValueError):
        read_record(data, "random.bin")


def test_a_record_with_rows_that_disagree_with_its_layers_is_refused(exported):
    data = json.loads(exported)
    data["metrics"]["grad_norm"][3] = data["metrics"]["grad_norm"][3][:-1]
    with pytest.raises(ValueError, match="grad_norm"):
        read_record(json.dumps(data).encode())
    data = json.loads(exported)
    data["config"]["depth"] = 5
    with pytest.raises(ValueError, match="depth = 5 but the record has 4 layers"):
        read_record(json.dumps(data).encode())
    data = json.loads(exported)
    data["config"]["activation"] = "softmax"
    with pytest.raises(ValueError) as refused:
        read_record(json.dumps(data).encode())
    assert "activation = 'softmax' is not allowed" in plain(refused.value)
    assert np.isfinite(read_record(exported).loss).all()


def test_the_exported_boundary_chart_draws_the_same_points_as_the_labs_data_view(record):
    from core.engine.datasets import make_dataset
    from core.export.views import BOUNDARY_VIEW
    from ui.session import data_points as lab_data_points

    config = RunConfig.from_dict(record.config)
    dataset = make_dataset(config)  # 1000 examples: 1000 // 600 = 1, so all of them
    every = max(1, len(dataset.y) // 600)
    expected = pd.DataFrame({"x": dataset.x[::every, 0], "y": dataset.x[::every, 1],
                             "label": dataset.y[::every].astype(str)})
    exported = view(record, BOUNDARY_VIEW).data["points"]
    pd.testing.assert_frame_equal(exported, expected)
    rows, classes = lab_data_points(config.key())  # the Lab's cached copy of the same rows
    pd.testing.assert_frame_equal(rows, exported)
    assert classes == 2


@pytest.mark.parametrize("kind, value", [("activation", None), ("activation", 1e9), ("delta", None), ("delta", -1.0)])
def test_histogram_edges_that_are_null_or_out_of_order_are_refused_naming_them(exported, kind, value):
    data = json.loads(exported)
    edges = data["histograms"][kind]["edges"]
    (edges[0] if kind == "activation" else edges)[0] = value  # a null, or a first edge past the next ones
    with pytest.raises(ValueError, match=rf"histograms\.{kind}\.edges"):
        read_record(json.dumps(data).encode(), "damaged.json")


def test_a_number_beyond_any_float_is_refused_with_a_value_error(exported):
    data = json.loads(exported)
    data["loss"][0] = 10 ** 400  # JSON allows it; NumPy's float() of it raises OverflowError, not ValueError
    with pytest.raises(ValueError, match="loss"):
        read_record(json.dumps(data).encode(), "huge.json")
