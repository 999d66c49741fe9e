"""Live runs trained on real Dask worker processes (core/serve/worker_engine.py): the web process only
grows the records it is sent, and a worker killed mid-run costs only its own run a restart."""
import os
import signal
import threading
import time

import numpy as np
import pytest
from dask.distributed import Client

from core.config import RunConfig
from core.engine.pool import TrainerPool
from core.engine.run import run_to_end
from core.outside_text import outside
from core.serve.lab_server import LabServer, TRAIN_ON_VARIABLE, train_on
from core.serve.live import LiveRun
from core.serve.record_cache import RecordCache
from core.serve.worker_engine import WorkerEngine
from core.sweep import cluster as sweep_cluster

SMALL = dict(samples=200, width=8, batch_size=32, record_every=2)


@pytest.fixture(scope="module")
def client():
    local = sweep_cluster.local_cluster(2)
    with Client(local, set_as_default=False) as connected:
        connected.wait_for_workers(2, timeout=120)
        yield connected
    local.close()


def served(client, slots=2):
    """A LabServer whose runs train on the cluster's workers; a fresh engine, so placements start afresh."""
    return LabServer(pool=TrainerPool(max_idle=2), cache=RecordCache(64 * 2**20), gate=threading.BoundedSemaphore(slots),
                     slots=slots, engine=WorkerEngine(client))


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.05)


def test_a_live_run_on_a_worker_gives_the_numbers_of_the_same_run_trained_here_and_fills_the_cache(client, pool):
    config = RunConfig(depth=3, activation="tanh", initializer="glorot_uniform", steps=60, seed=11, **SMALL)
    server = served(client)
    run = LiveRun(config, server)
    assert run.wait(180) and run.error is None, run.error
    here = run_to_end(config, pool)
    remote = run.snapshot
    assert remote.status == "finished" and remote.steps == here.steps
    np.testing.assert_allclose(remote.loss, here.loss, rtol=1e-5)
    for name, rows in here.metrics.items():
        np.testing.assert_allclose(np.asarray(remote.metrics[name], float), np.asarray(rows, float), rtol=1e-4,
                                   atol=1e-7, err_msg=name)
    assert server.cache.get(config.key()) is remote  # a second student's identical run is not trained again
    assert LiveRun(config, server).from_cache
    pids = {about["pid"] for about in server.engine.about()}
    assert os.getpid() not in pids and len(pids) == 2


def test_a_worker_saves_the_keras_model_and_writes_the_keras_code_as_this_process_would(client, pool, tmp_path):
    import keras

    from core.export.keras_code import keras_code
    from core.export.keras_model import trained_model

    config = RunConfig(depth=2, activation="leaky_relu", steps=20, seed=4, bias_initializer={"class_name": "Constant",
                       "config": {"value": 0.1}}, **SMALL)
    record = run_to_end(config, pool)
    engine = WorkerEngine(client)
    (tmp_path / "model.keras").write_bytes(engine.keras_file(record))
    loaded = keras.models.load_model(tmp_path / "model.keras")
    for theirs, ours in zip(loaded.get_weights(), trained_model(record).get_weights(), strict=True):
        np.testing.assert_array_equal(theirs, ours)
    assert engine.keras_code(config, 2) == keras_code(config, 2)


def test_two_new_architectures_train_at_once_on_different_workers(client):
    server = served(client)
    # long enough that the first to be traced is still training when the other is: with the suite's other
    # process busy on the same cores, a 400-step run can finish before the second run's trace ends (it timed out once)
    configs = [RunConfig(depth=depth, activation="relu", initializer="he_normal", steps=3000, seed=depth,
                         **{**SMALL, "record_every": 10})
               for depth in (5, 6)]
    runs = [LiveRun(config, server) for config in configs]
    wait_for(lambda: all(run.status == "running" for run in runs), 180, "both runs train")
    homes = [server.engine.home(config) for config in configs]
    assert None not in homes and homes[0] != homes[1]
    training = {about["pid"]: about["training"] for about in server.engine.about()}
    assert sorted(training.values()) == [1, 1]  # each worker trains one of them, now
    for run in runs:
        assert run.wait(180) and run.error is None and run.snapshot.status == "finished"


def test_pause_holds_the_run_on_its_worker_resume_goes_on_and_stop_ends_it_there(client):
    server = served(client)
    config = RunConfig(depth=4, activation="relu", initializer="he_normal", steps=5000, seed=3,
                       **{**SMALL, "record_every": 10})
    run = LiveRun(config, server)
    wait_for(lambda: run.status == "running" and len(run.snapshot.steps) > 3, 180, "the run trains")
    run.pause()
    time.sleep(1.0)  # the frame in flight arrives
    held = len(run.snapshot.steps)
    time.sleep(1.5)
    assert len(run.snapshot.steps) == held and run.status == "paused"
    run.resume()
    wait_for(lambda: len(run.snapshot.steps) > held + 2, 30, "the resumed run goes on")
    run.stop()
    assert run.wait(5) and run.status == "stopped"
    wait_for(lambda: sum(about["training"] for about in server.engine.about()) == 0, 3, "the worker stops training")
    assert len(run.snapshot.steps) < 5000 // 10


def test_a_worker_killed_mid_run_restarts_only_its_own_run_and_every_run_finishes(client):
    server = served(client)
    victim_config, other_config = (
        RunConfig(depth=depth, activation="tanh", initializer="glorot_normal", steps=1200, seed=depth,
                  **{**SMALL, "record_every": 20}) for depth in (7, 8))
    victim, other = LiveRun(victim_config, server), LiveRun(other_config, server)
    wait_for(lambda: victim.status == "running" and other.status == "running" and len(victim.snapshot.steps) > 2,
             180, "both runs train")
    home = server.engine.home(victim_config)
    assert home != server.engine.home(other_config)
    pid = server.engine.host(home).about().result(timeout=10)["pid"]
    os.kill(pid, signal.SIGKILL)  # as a native abort would end it
    assert victim.wait(300) and other.wait(300)
    assert victim.error is None and victim.restarted is not None
    assert victim.snapshot.status == "finished" and victim.snapshot.steps[-1] == 1200
    assert other.error is None and other.restarted is None and other.snapshot.status == "finished"
    np.testing.assert_allclose(victim.snapshot.loss, run_to_end(victim_config).loss, rtol=1e-5)  # from step 0 again


def test_a_run_on_an_uploaded_csv_sends_the_data_set_to_its_worker_and_gives_the_numbers_trained_here(client, pool):
    from core.engine.upload_store import STORE
    from core.engine.uploads import parse_csv

    rng = np.random.default_rng(5)
    rows = [(*map(float, rng.normal(size=3)), "ab"[k % 2]) for k in range(300)]
    name = STORE.put(parse_csv(("x1,x2,x3,label\n" + "".join(f"{a!r},{b!r},{c!r},{label}\n" for a, b, c, label in rows)).encode()))
    config = RunConfig(dataset=name, depth=3, activation="relu", initializer="he_normal", steps=40, seed=2,
                       **{**SMALL, "samples": 300})
    server = served(client)
    run = LiveRun(config, server)
    assert run.wait(180) and run.error is None, run.error
    np.testing.assert_allclose(run.snapshot.loss, run_to_end(config, pool).loss, rtol=1e-5)
    assert server.engine.host(server.engine.home(config)).has_upload(name).result(timeout=10)


@pytest.mark.parametrize("value", ["worker", "[here](http://evil.example)", "SERVER"])
def test_a_bad_place_to_train_is_refused_with_the_variable_its_value_and_what_is_allowed(value):
    with pytest.raises(ValueError) as refused:
        train_on({TRAIN_ON_VARIABLE: value})
    message = str(refused.value)
    assert TRAIN_ON_VARIABLE in message and outside(value) in message and "server (" in message and "workers (" in message


def test_runs_train_on_the_workers_unless_the_host_says_server():
    assert train_on({}) == "workers" and train_on({TRAIN_ON_VARIABLE: ""}) == "workers"
    assert train_on({TRAIN_ON_VARIABLE: " server "}) == "server"


def test_a_worker_past_its_traced_architectures_is_restarted_between_runs_and_never_mid_run():
    local = sweep_cluster.local_cluster(1)
    with Client(local, set_as_default=False) as own:
        own.wait_for_workers(1, timeout=120)
        server = LabServer(pool=TrainerPool(max_idle=2), cache=RecordCache(64 * 2**20),
                           gate=threading.BoundedSemaphore(2), slots=2, engine=WorkerEngine(own, retire_after=2))
        engine = server.engine
        first = LiveRun(RunConfig(depth=2, steps=10, seed=1, **SMALL), server)
        assert first.wait(180) and first.error is None, first.error
        (worker,) = engine.workers()
        before = engine.host(worker).about().result(timeout=30)
        assert before["built"] == 1 and not engine.retire_if_due(worker)  # one architecture: under the bound
        long_run = LiveRun(RunConfig(depth=3, steps=4000, seed=1, **{**SMALL, "record_every": 10}), server)
        wait_for(lambda: long_run.snapshot is not None and long_run.snapshot.steps, 120, "the long run training")
        short = LiveRun(RunConfig(depth=3, steps=10, seed=2, **{**SMALL, "record_every": 10}), server)  # its architecture
        assert short.wait(180) and short.error is None, short.error
        assert not long_run.done and not engine.retire_if_due(worker)  # two traced, but a run trains there
        assert long_run.wait(300) and long_run.error is None and long_run.restarted is None
        wait_for(lambda: engine.workers() and engine.workers() != [worker], 120, "the worker restarted by its nanny")
        after = LiveRun(RunConfig(depth=4, steps=10, seed=1, **SMALL), server)
        assert after.wait(180) and after.error is None, after.error
        (fresh,) = engine.workers()
        about = engine.host(fresh).about().result(timeout=30)
        assert about["pid"] != before["pid"] and about["built"] == 1  # a fresh process: only the new architecture
        with Client(local.scheduler_address, set_as_default=False) as theirs:  # as GRADFLOW_DASK_SCHEDULER connects
            remote = WorkerEngine(theirs, retire_after=1)
            assert remote.host(fresh).about().result(timeout=30)["built"] == 1  # due, by its bound
            assert not remote.retire_if_due(fresh)  # but a cluster the host runs is theirs to bound
            assert remote.workers() == [fresh] and engine.host(fresh).about().result(timeout=30)["pid"] == about["pid"]
    local.close()


@pytest.mark.parametrize("value", ["0", "many", "-3"])
def test_a_bad_bound_on_a_workers_architectures_is_refused_with_the_variable_and_what_is_allowed(value):
    from core.serve.retirement import RETIRE_VARIABLE, retire_after_of

    with pytest.raises(ValueError) as refused:
        retire_after_of({RETIRE_VARIABLE: value})
    assert str(refused.value).startswith(f"{RETIRE_VARIABLE}={outside(value)} is not allowed: a whole number")
