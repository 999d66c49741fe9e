"""A run trained in a Dask worker reaches the web process in pieces (core/serve/frames.py), and the pieces
rebuild the record the worker holds: checked frame by frame in this process, and end to end through a real
TrainerHost actor in a real worker process of a LocalCluster."""
import os
import time

import numpy as np
import pytest
from dask.distributed import Client

from core.config import RunConfig
from core.engine.run import run_to_end, train
from core.serve.frames import grow, held, piece
from core.serve.trainer_host import TrainerHost
from core.sweep import cluster as sweep_cluster

SMALL = dict(samples=200, depth=3, width=8, batch_size=32, steps=40, record_every=2)


def test_pieces_sent_after_every_frame_rebuild_the_record_the_trainer_holds(pool):
    config = RunConfig(activation="relu", initializer="he_normal", seed=3, **SMALL)
    received, source, pieces = None, None, []
    for record in train(config, pool):
        if record is not source:  # step 0's preview is replaced by the compiled run's own record
            received, source = None, record
        sent = piece(record.snapshot(), *held(received))
        pieces.append(sent)
        received = grow(received, sent)
        assert received.to_dict() == record.to_dict()
    assert received.status == "finished" and len(received.steps) == len(source.steps) > 5
    # only a record's first piece carries the header, and later pieces carry only the new rows
    assert "header" in pieces[0] and all("header" not in sent for sent in pieces[2:])
    assert sum(len(sent["steps"]) for sent in pieces if "header" not in sent) < len(source.steps)
    assert received.weights is not None and len(received.weights) == len(source.weights)


@pytest.fixture(scope="module")
def client():
    local = sweep_cluster.local_cluster(1)
    with Client(local, set_as_default=False) as connected:
        yield connected
    local.close()


def hosted(client):
    """A TrainerHost actor in the worker, bound to this (non-default) client: an actor finds its client with
    get_client(), which sees a client made current."""
    future = client.submit(TrainerHost, actor=True, pure=False)
    KEPT.append(future)  # an actor whose future is released is forgotten by the scheduler (KeyError, a hang)
    host = future.result(timeout=120)
    with client.as_current():
        host.about().result(timeout=120)
    return host


KEPT = []


def follow(host, run_id, until_steps=None, timeout=120.0):
    """Long-poll the actor as the web process does, opening the gate when the run asks; the grown record."""
    record, serial, phase = None, 0, "starting"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = host.frames(run_id, serial, *(held(record) if serial else (0, 0)), phase, 1.0).result(timeout=30)
        if reply["piece"] is not None:
            record = grow(None if reply["serial"] != serial else record, reply["piece"])
            serial = reply["serial"]
        if reply["phase"] == "queued" and phase != "queued":
            host.go(run_id).result(timeout=30)
        phase = reply["phase"]
        if reply["done"] and (reply["piece"] is None or record.status != "running"):
            return record, reply
        if until_steps is not None and record is not None and len(record.steps) >= until_steps:
            return record, reply
    raise AssertionError(f"the hosted run {run_id} did not end in {timeout} s (phase {phase})")


def test_a_run_hosted_in_a_worker_process_sends_the_numbers_of_the_same_run_trained_here(client, pool):
    config = RunConfig(activation="tanh", initializer="glorot_uniform", seed=5, **SMALL)
    host = hosted(client)
    worker_pid = host.start("same-numbers", config.to_dict()).result()
    assert worker_pid != os.getpid()
    record, reply = follow(host, "same-numbers")
    assert reply["error"] is None and record.status == "finished"
    here = run_to_end(config, pool)
    assert record.steps == here.steps
    np.testing.assert_allclose(record.loss, here.loss, rtol=1e-5)
    for name, rows in here.metrics.items():
        np.testing.assert_allclose(np.asarray(record.metrics[name], float), np.asarray(rows, float), rtol=1e-4,
                                   atol=1e-7, err_msg=name)
    assert record.weights is not None
    host.forget("same-numbers").result()
    assert host.frames("same-numbers", 0, 0, 0, "running", 0.1).result() == {"gone": True}


def test_a_stop_reaches_the_worker_within_a_frame_and_the_run_ends_unfinished(client):
    config = RunConfig(activation="relu", initializer="he_normal", seed=7,
                       **{**SMALL, "steps": 5000, "record_every": 10})
    host = hosted(client)
    host.start("stopped", config.to_dict()).result()
    record, _ = follow(host, "stopped", until_steps=3)
    stopped_at = time.monotonic()
    host.stop("stopped").result()
    while not host.frames("stopped", 0, 0, 0, "running", 0.2).result()["done"]:
        assert time.monotonic() - stopped_at < 2.0, "the stopped run still trains"
    final = host.frames("stopped", 0, 0, 0, "running", 0.1).result()["piece"]
    assert final["status"] == "running" and len(final["steps"]) < 5000 // 10
    assert host.about().result()["training"] == 0
