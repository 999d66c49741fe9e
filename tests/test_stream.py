"""The live stream (core/stream): each recorded step encoded once per run, each viewer sent only what it lacks,
and nothing a browser sends back believed before it is checked."""
import base64
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import RunConfig
from core.engine.run import run_to_end
from core.stream.chunks import STREAMED_METRICS, RunStream
from core.stream.cursor import Cursor, checked_request

CONFIG = RunConfig(depth=12, width=8, steps=120, record_every=10, samples=200)


@pytest.fixture(scope="module")
def record():
    return run_to_end(CONFIG)


def unpacked(text, dtype="<f4"):
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def prefix(record, count):
    """The record as a live run had it when `count` steps were recorded (rows are only ever appended)."""
    snapshot = record.snapshot()
    snapshot.steps = snapshot.steps[:count]
    snapshot.loss, snapshot.accuracy = snapshot.loss[:count], snapshot.accuracy[:count]
    snapshot.metrics = {name: rows[:count] for name, rows in snapshot.metrics.items()}
    for block in snapshot.histograms.values():
        for name in ("counts", "zeros"):
            if name in block:
                block[name] = block[name][:count]
    if snapshot.boundary:
        kept = sum(1 for step in snapshot.boundary["steps"] if step <= snapshot.steps[-1])
        snapshot.boundary = {**snapshot.boundary, "steps": snapshot.boundary["steps"][:kept],
                             "classes": snapshot.boundary["classes"][:kept]}
    return snapshot


def test_a_chunk_holds_its_steps_numbers_as_the_record_has_them(record):
    stream = RunStream("run")
    stream.update(record)
    frame = stream.payload(0)
    header = json.loads(frame["header"])
    assert header["layers"] == 12 and header["total"] == 120 and header["record_every"] == 10
    depth = len(record.layers)
    for index, text in enumerate(frame["chunks"]):
        chunk = json.loads(text)
        assert chunk["step"] == record.steps[index]
        loss, accuracy = unpacked(chunk["loss"])
        assert loss == np.float32(record.loss[index]) and accuracy == np.float32(record.accuracy[index])
        metrics = unpacked(chunk["metrics"]).reshape(len(STREAMED_METRICS), depth)
        for row, name in enumerate(STREAMED_METRICS):
            np.testing.assert_array_equal(metrics[row], np.asarray(record.metrics[name][index], dtype=np.float32))
        # each layer's exact zeros of ∂loss/∂z, recounted from the record's histogram
        block = record.histograms["delta"]
        zeros = np.asarray(block["zeros"][index], float)
        expected = zeros / (np.asarray(block["counts"][index], float).sum(axis=1) + zeros)
        np.testing.assert_allclose(unpacked(chunk["zeros"]), expected, rtol=1e-6)


def test_histogram_fractions_match_a_numpy_recount_of_the_records_bins(record):
    stream = RunStream("run")
    stream.update(record)
    frame = stream.payload(0)
    table = json.loads(frame["header"])["histograms"]["activation"]
    shown = sorted({index for index, mark in zip(table["layer_index"], table["mark"]) if mark == "bar"})
    for index in (0, len(record.steps) // 2, len(record.steps) - 1):
        fractions = unpacked(json.loads(frame["chunks"][index])["histograms"]["activation"])
        bars = [r for r, mark in enumerate(table["mark"]) if mark == "bar"]
        for layer in shown:
            counts = np.asarray(record.histograms["activation"]["counts"][index][layer - 1], dtype=float)
            expected = counts / counts.sum()
            got = fractions[[r for r in bars if table["layer_index"][r] == layer]]
            np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_a_viewer_at_step_k_receives_only_the_rows_after_k_and_a_fresh_viewer_everything(record):
    stream = RunStream("run")
    stream.update(record)
    follower, newcomer = Cursor(), Cursor()
    follower.payload(stream)
    for k in (0, 3, 7, len(record.steps) - 1):  # the browser says it holds k chunks (static/gradflow/live_charts.js)
        frame = follower.payload(stream, {"run": "run", "have": k, "request": k + 1})
        assert frame["from"] == k and frame["header"] is (None if k else frame["header"])
        assert [json.loads(c)["step"] for c in frame["chunks"]] == record.steps[k:]
    everything = newcomer.payload(stream)
    assert everything["from"] == 0 and len(everything["chunks"]) == len(record.steps)
    assert json.loads(everything["header"])["layers"] == 12


def test_a_following_viewer_is_sent_at_most_the_chunks_of_its_last_three_frames(record):
    stream, cursor, counts = RunStream("run"), Cursor(), []
    for count in range(1, len(record.steps) + 1):
        stream.update(prefix(record, count))
        frame = cursor.payload(stream)
        counts.append(frame["count"])
        assert frame["from"] == (counts[-4] if len(counts) > 3 else 0) and frame["count"] == count
    for _ in range(3):  # nothing new: after three quiet frames, nothing is sent again
        quiet = cursor.payload(stream)
    assert quiet["count"] == quiet["from"] == len(record.steps) and quiet["chunks"] == []


def test_thirty_viewers_of_one_run_cause_one_encoding_per_recorded_step_and_receive_the_same_strings(record, monkeypatch):
    encoded = []  # every chunk the stream encodes, seen from outside it
    encode = RunStream._encode

    def counted(self, record, start, end):
        chunks = encode(self, record, start, end)
        encoded.extend(chunks)
        return chunks

    monkeypatch.setattr(RunStream, "_encode", counted)
    stream = RunStream("run")
    viewers = [Cursor() for _ in range(30)]
    frames = []
    for count in range(1, len(record.steps) + 1):
        snapshot = prefix(record, count)
        frames.append([(stream.update(snapshot), viewer.payload(stream))[1] for viewer in viewers])
    assert len(encoded) == len(record.steps)
    for frame in frames:  # every viewer got the very same chunk objects
        assert all(payload["chunks"] == frame[0]["chunks"] for payload in frame)
        assert all(a is b for payload in frame for a, b in zip(payload["chunks"], frame[0]["chunks"]))


def test_a_paused_viewer_is_sent_nothing_past_its_frozen_step(record):
    stream = RunStream("run")
    stream.update(record)
    paused = Cursor().payload(stream, upto=4)
    assert paused["count"] == 4 and len(paused["chunks"]) == 4


def test_a_browser_that_reports_a_gap_is_sent_again_from_what_it_holds_once_per_request(record):
    stream = RunStream("run")
    stream.update(record)
    cursor = Cursor()
    for _ in range(4):
        cursor.payload(stream)
    asked = cursor.payload(stream, {"run": "run", "have": 3, "request": 1})
    assert asked["from"] == 3 and len(asked["chunks"]) == len(record.steps) - 3
    for _ in range(3):  # the same request stays in the component's state: it is not answered again
        again = cursor.payload(stream, {"run": "run", "have": 3, "request": 1})
    assert again["from"] == len(record.steps) and again["chunks"] == []


@pytest.mark.parametrize("forged", [
    None, 3, "have", [], {}, {"run": "run", "have": -1, "request": 1},
    {"run": "run", "have": 10**12, "request": 1}, {"run": "run", "have": 1.0, "request": 1},
    {"run": "run", "have": True, "request": 1}, {"run": "run", "have": "1", "request": 1},
    {"run": "run", "have": 1, "request": None}, {"run": ["run"], "have": 1, "request": 1},
])
def test_a_forged_negative_huge_or_malformed_request_is_ignored(record, forged):
    stream = RunStream("run")
    stream.update(record)
    cursor = Cursor()
    cursor.payload(stream)
    assert checked_request(forged, "run", cursor.sent) is None
    frame = cursor.payload(stream, forged)
    assert frame["from"] == 0 and frame["count"] == len(record.steps)  # the overlap frame, not a resend


def test_a_browser_that_holds_another_run_is_sent_all_of_this_one_once_per_request(record):
    stream = RunStream("run")
    stream.update(record)
    cursor = Cursor()
    for _ in range(4):
        cursor.payload(stream)
    stale = {"run": "an earlier run", "have": 7, "request": 2}
    whole = cursor.payload(stream, stale)
    assert whole["from"] == 0 and len(whole["chunks"]) == len(record.steps)
    assert whole["answer"] == 2  # it differs from the frames before it, even where the chunks are the same
    for _ in range(3):  # the same request stays in the component's state: it is not answered again
        again = cursor.payload(stream, stale)
    assert again["from"] == len(record.steps) and again["chunks"] == []


def test_a_cursors_frames_are_numbered_in_order_across_runs_so_a_browser_can_drop_a_late_one(record):
    cursor = Cursor()
    frames = [cursor.payload(stream) for stream in (RunStream("preview"), RunStream("preview"), RunStream("run"))]
    assert [frame["frame"] for frame in frames] == [1, 2, 3]
    assert len({frame["cursor"] for frame in frames}) == 1 and Cursor().payload(RunStream("run"))["cursor"] != frames[0]["cursor"]


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=8))
def test_nothing_a_browser_sends_back_makes_the_cursor_raise(value):
    stream = RunStream("run")
    cursor = Cursor()
    frame = cursor.payload(stream, value)
    assert frame["count"] == 0


def test_a_live_runs_stream_holds_its_records_steps_once_each_even_across_the_step_0_preview():
    """A new architecture draws step 0 from an eager preview, then the compiled run's own record replaces it:
    whatever moment a page reads the run, the stream and the snapshot it gets belong together."""
    import threading

    from core.engine.pool import TrainerPool
    from core.serve.lab_server import LabServer
    from core.serve.live import LiveRun
    from core.serve.record_cache import RecordCache

    lab = LabServer(pool=TrainerPool(max_idle=2), cache=RecordCache(2**26), gate=threading.BoundedSemaphore(1))
    run = LiveRun(RunConfig(depth=7, width=9, steps=300, record_every=10, samples=200, seed=5), lab)  # never traced
    cursor, tokens = Cursor(), set()
    while not run.done:
        snapshot, stream = run.published
        if snapshot is not None and snapshot.steps:
            stream.update(snapshot)
            cursor.payload(stream, upto=len(snapshot.steps))
            tokens.add(stream.token)
    snapshot, stream = run.published
    stream.update(snapshot)
    frame = stream.payload(0)
    assert run.status == "finished" and len(tokens) >= 1
    assert [json.loads(chunk)["step"] for chunk in frame["chunks"]] == snapshot.steps == list(range(0, 301, 10))
