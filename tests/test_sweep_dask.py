"""Sweeps on a real Dask LocalCluster (two worker processes, one thread each): the same numbers as
sequential runs, a worker killed mid-sweep, cancelling, the command line, and the Sweep page (AppTest)."""
import contextlib
import os
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from dask.distributed import Client
from streamlit.testing.v1 import AppTest

from core.cli import main
from core.config import RunConfig
from core.engine.run import run_to_end
from core.serve import grace
from core.sweep import cluster as sweep_cluster
from core.sweep import execute, table
from core.sweep.execute import Sweep, architecture
from core.sweep.grid import expand, make_grid
from core.sweep.outcomes import OUTCOMES, measure
from core.sweep.task import worker_counts

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")
# The command line's grid: --depth 2,4 --activation relu,tanh --width 8 --steps 20 --seeds 2
BASE = RunConfig(width=8, steps=20, samples=300)
AXES = {"depth": (2, 4), "activation": ("relu", "tanh")}
NUMBERS = ["grad_ratio", "final_loss", "final_accuracy", "dead_fraction"]


@pytest.fixture(scope="module")
def client():
    local = sweep_cluster.local_cluster(2)
    with Client(local, set_as_default=False) as connected:
        yield connected
    local.close()


@pytest.fixture(scope="module")
def grid():
    return make_grid(BASE, AXES, seeds=2)


@pytest.fixture(scope="module")
def sequential(grid, pool):
    """The same runs one after another in this process, measured the same way."""
    rows = []
    for run in expand(grid):
        rows.append({"cell": run.cell, "seed": run.seed, **measure(run_to_end(run.config, pool))})
    return pd.DataFrame(rows).set_index(["cell", "seed"]).sort_index()


def same_numbers(rows, sequential):
    found = table.frame(rows, tuple(AXES)).set_index(["cell", "seed"]).sort_index()
    assert (found["status"] == "finished").all(), found["status"]
    assert found.index.equals(sequential.index)
    for name in NUMBERS:
        np.testing.assert_allclose(found[name].to_numpy(float), sequential[name].to_numpy(float), rtol=1e-6,
                                   err_msg=name)


def test_a_sweep_on_a_local_cluster_gives_the_numbers_of_sequential_runs_with_the_same_seeds(client, grid, sequential):
    sweep = Sweep(client, grid)
    sweep.wait()
    assert sweep.done and sweep.finished_count == 8
    same_numbers(sweep.finished_rows(), sequential)
    assert {summary["pid"] for summary in sweep.summaries} - {os.getpid()}, "the runs ran in worker processes"


def test_a_sweep_on_an_uploaded_csv_trains_on_the_workers_with_the_numbers_of_runs_trained_here(client, pool):
    from core.engine.upload_store import STORE
    from core.engine.uploads import parse_csv

    rng = np.random.default_rng(11)
    lines = "".join(f"{a:.6f},{b:.6f},{'yes' if a * b > 0 else 'no'}\n" for a, b in rng.normal(size=(200, 2)))
    name = STORE.put(parse_csv(("x,y,label\n" + lines).encode(), label="label"))
    upload_grid = make_grid(RunConfig(dataset=name, width=8, steps=20, samples=200), {"depth": (2, 3)})
    sweep = Sweep(client, upload_grid)
    sweep.wait()
    found = table.frame(sweep.finished_rows(), upload_grid.names).set_index("cell").sort_index()
    assert (found["status"] == "finished").all(), found["status"]
    for run in expand(upload_grid):
        here = measure(run_to_end(run.config, pool))
        np.testing.assert_allclose(found.loc[run.cell, "final_loss"], here["final_loss"], rtol=1e-6)


def test_a_killed_worker_does_not_lose_the_sweep(client, grid, sequential):
    sweep = Sweep(client, grid)
    deadline = time.time() + 60
    busy = {}
    while not busy:  # kill a worker while it is running one of the sweep's cells
        assert time.time() < deadline, "no worker ever ran a cell"
        busy = {worker: keys for worker, keys in client.processing().items() if keys}
        time.sleep(0.01)
    victim = next(iter(busy))
    with contextlib.suppress(Exception):  # the worker dies before it can answer
        client.run(os._exit, 1, workers=[victim], nanny=False)
    sweep.wait()
    assert victim not in client.scheduler_info()["workers"], "the worker process was killed"
    same_numbers(sweep.finished_rows(), sequential)


def test_cancelling_stops_the_outstanding_runs(client):
    client.wait_for_workers(2, timeout=60)
    many = make_grid(BASE.replace(steps=30), {"depth": (1, 2, 3, 4, 5, 6), "width": (4, 8, 16, 12)}, 1)

    def started():
        return sum(counts["started"] for counts in client.run(worker_counts).values())

    before = started()
    sweep = Sweep(client, many)
    while sweep.poll() == 0:
        time.sleep(0.01)
    sweep.cancel()
    assert sweep.done and sweep.cancelled
    deadline = time.time() + 30
    while any(client.processing().values()):  # a cell a worker had already started finishes
        assert time.time() < deadline, "the workers kept running cells after the cancel"
        time.sleep(0.05)
    settled = started()
    time.sleep(1.0)
    assert started() == settled, "no run started once the workers were idle"
    ran = settled - before
    assert ran <= sweep.total // 2, f"{ran} of {sweep.total} runs started: the queued ones should not have"
    cancelled = sum(future.status == "cancelled" for future in sweep.futures)
    assert cancelled >= sweep.total - ran and cancelled + sweep.finished_count == sweep.total


def test_only_the_cells_a_worker_has_started_show_as_running_not_the_ones_queued_on_it(client):
    client.wait_for_workers(2, timeout=60)
    # runs of one architecture go to one worker at once (assign_workers): Dask calls them all "processing"
    many = make_grid(BASE.replace(steps=150, width=6), {"depth": (1, 2, 3), "learning_rate": (0.01, 0.03, 0.1, 0.3)}, 1)
    sweep = Sweep(client, many)
    seen, most = set(), 0
    while not sweep.done:
        sweep.poll()
        running = sweep.running_cells()
        unfinished = {run.cell for run, row in zip(sweep.runs, sweep.rows) if row is None}
        assert running <= unfinished or sweep.done
        most, seen = max(most, len(running)), seen | running
        time.sleep(0.02)
    assert most and most <= 2, f"{most} cells shown running on 2 single-threaded workers"
    assert len(seen) >= 2, "cells were seen running as they went"
    assert sweep.started == {future.key for future in sweep.futures}, "every run's start was heard"
    assert sweep.running_cells() == set()


def test_a_sweep_whose_session_has_gone_is_cancelled_after_a_short_grace_and_a_quick_return_keeps_it(client, monkeypatch):
    client.wait_for_workers(2, timeout=60)
    monkeypatch.setattr(grace, "GONE_GRACE_SECONDS", 2.0)
    gone = threading.Event()
    # 24 runs of 4000 steps, far longer than the test: it is cancelled long before it could finish.
    many = make_grid(BASE.replace(steps=4000), {"depth": (1, 2, 3, 4, 5, 6), "width": (4, 8, 16, 12)}, 1)
    sweep = Sweep(client, many, abandoned=gone.is_set)
    deadline = time.time() + 60
    while not sweep.started:
        assert time.time() < deadline, "no run started"
        time.sleep(0.02)
    time.sleep(1.5)
    assert sweep.running, "a session still there keeps its sweep"
    gone.set()  # the tab reloads...
    time.sleep(1.2)
    gone.clear()  # ...and is back within the grace
    time.sleep(3.5)
    assert sweep.running and not sweep.cancelled, "a browser back within the grace keeps its sweep"
    gone.set()
    deadline = time.time() + 10
    while sweep.running:
        assert time.time() < deadline, "the abandoned sweep kept running"
        time.sleep(0.1)
    assert sweep.cancelled and any(future.status == "cancelled" for future in sweep.futures)
    assert execute.active_sweeps() == 0, "its place among the server's sweeps at once is free"


def test_the_watcher_survives_a_failing_pass_and_is_started_again_if_it_died(monkeypatch):
    calls = []

    def failing(sweep):
        calls.append(sweep)
        raise RuntimeError("the session manager is shutting down")

    monkeypatch.setattr(execute, "_WATCH_EVERY", 0.05)
    monkeypatch.setattr(execute, "_check_abandoned", failing)

    class Stub:  # in _ACTIVE, as a Sweep is
        pass

    stub = Stub()
    with execute._active_lock:
        execute._ACTIVE.add(stub)
    try:
        execute._watch_abandoned()
        deadline = time.time() + 5  # a watcher already running may be in its last long sleep
        while len(calls) < 3:
            assert time.time() < deadline, f"{len(calls)} passes: one failing pass ended the watcher"
            time.sleep(0.05)
        assert execute._watcher["thread"].is_alive()
    finally:
        with execute._active_lock:
            execute._ACTIVE.discard(stub)
    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()
    monkeypatch.setitem(execute._watcher, "thread", dead)
    execute._watch_abandoned()
    assert execute._watcher["thread"] is not dead and execute._watcher["thread"].is_alive()


def test_the_watcher_keeps_no_sweep_alive_between_its_passes(monkeypatch):
    import gc
    import weakref

    passes = []
    monkeypatch.setattr(execute, "_WATCH_EVERY", 0.05)
    monkeypatch.setattr(execute, "_check_abandoned", lambda sweep: passes.append(1))  # counts, holds nothing

    class Stub:  # in _ACTIVE, as a Sweep is
        pass

    stub = Stub()
    with execute._active_lock:
        execute._ACTIVE.add(stub)
    execute._watch_abandoned()
    deadline = time.time() + 5
    while len(passes) < 2:
        assert time.time() < deadline, "the watcher made no pass"
        time.sleep(0.02)
    gone = weakref.ref(stub)
    del stub  # the session ended; the watcher is between passes or in one
    deadline = time.time() + 5
    while gone() is not None:
        gc.collect()
        assert time.time() < deadline, "the watcher still holds the ended session's sweep"
        time.sleep(0.05)


def test_workers_reuse_a_traced_trainer_across_the_runs_of_one_architecture(client):
    client.wait_for_workers(2, timeout=60)

    def built():
        return sum(counts["built"] for counts in client.run(worker_counts).values())

    before = built()
    grid = make_grid(BASE.replace(steps=10, width=10), {"depth": (2, 3), "learning_rate": (0.01, 0.1, 0.3)}, 2)
    sweep = Sweep(client, grid)
    sweep.wait()
    assert sweep.finished_count == 12
    architectures = {architecture(run.config) for run in sweep.runs}
    assert len(architectures) == 2
    traced = built() - before
    assert 1 <= traced <= len(architectures) * 2, f"{traced} trainers traced for 12 runs of 2 architectures"


def _thread_niceness() -> list:
    return [os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in os.listdir("/proc/self/task")]


def test_the_local_clusters_workers_give_way_to_the_servers_interactive_runs(client):
    client.wait_for_workers(2, timeout=60)
    Sweep(client, make_grid(BASE.replace(steps=5, width=8), {"depth": (2, 3)}, 2)).wait()  # every worker ran a cell
    assert all(counts["started"] > 0 for counts in client.run(worker_counts).values())
    server = max(_thread_niceness())  # this process (pytest may itself run under nice)
    for worker, niceness in client.run(_thread_niceness).items():
        assert min(niceness) >= min(server + 10, 19), f"{worker}: a thread at niceness {min(niceness)}, the server at {server}"


def test_the_command_line_writes_one_row_per_cell_and_seed(client, sequential, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(sweep_cluster.SCHEDULER_VARIABLE, client.scheduler.address)  # the named-cluster path
    out = tmp_path / "sweep.parquet"
    status = main(["sweep", "--depth", "2,4", "--activation", "relu,tanh", "--width", "8", "--steps", "20",
                   "--samples", "300", "--seeds", "2", "--out", str(out)])
    assert status == 0
    written = pd.read_parquet(out)
    assert list(written.columns) == ["cell", "depth", "activation", "seed", *OUTCOMES, "diverged_at", "status"]
    assert written[["depth", "activation"]].drop_duplicates().values.tolist() == [
        [2, "relu"], [2, "tanh"], [4, "relu"], [4, "tanh"]]
    same_numbers(written.to_dict("records"), sequential)
    assert "8/8" in capsys.readouterr().err, "the progress bar reached the end on standard error"


def test_the_command_line_keeps_every_runs_whole_record_only_when_asked(client, sequential, tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.setenv(sweep_cluster.SCHEDULER_VARIABLE, client.scheduler.address)
    from core.record import RunRecord

    flags = ["sweep", "--depth", "2,4", "--activation", "relu,tanh", "--width", "8", "--steps", "20",
             "--samples", "300", "--seeds", "2", "--quiet"]
    records = tmp_path / "records"
    records.mkdir()
    assert main([*flags, "--out", str(tmp_path / "sweep.csv"), "--records", str(records)]) == 0
    written = sorted(path.name for path in records.iterdir())
    assert written == sorted(f"cell{cell}-seed{seed}.json" for cell in range(4) for seed in (0, 1))
    for (cell, seed), expected in sequential.iterrows():
        record = RunRecord.from_json((records / f"cell{cell}-seed{seed}.json").read_text())
        assert record.config["seed"] == seed and record.config["width"] == 8
        assert measure(record)["final_loss"] == pytest.approx(expected["final_loss"], rel=1e-6)
    without = tmp_path / "without"
    without.mkdir()
    assert main([*flags, "--out", str(without / "sweep.csv")]) == 0
    assert [path.name for path in without.iterdir()] == ["sweep.csv"], "no records unless asked"
    (records / "cell0-seed0.json").unlink()
    (records / "cell0-seed0.json").mkdir()  # a record that cannot be written: the table still is
    status = main([*flags, "--out", str(tmp_path / "again.csv"), "--records", str(records)])
    assert status == 1 and len(pd.read_csv(tmp_path / "again.csv")) == 8
    assert "--records:" in capsys.readouterr().err


@pytest.fixture
def sweep_page(client, monkeypatch):
    monkeypatch.setenv(sweep_cluster.SCHEDULER_VARIABLE, client.scheduler.address)
    app = AppTest.from_file(APP, default_timeout=120)
    app.switch_page("app_pages/sweep.py")
    yield app
    sweep_cluster.close_shared()


def test_the_sweep_page_runs_a_sweep_draws_it_finished_and_a_click_opens_the_lab(sweep_page, sequential):
    app = sweep_page
    app.run()
    app.text_input(key="sweep_values_depth").set_value("2, 4")
    app.text_input(key="sweep_values_activation").set_value("relu, tanh")
    app.select_slider(key="sweep_steps").set_value(0)
    app.selectbox(key="sweep_outcome").set_value("grad_ratio")
    app.number_input(key="sweep_seeds").set_value(1)
    app.run()
    app.button(key="sweep_run").click().run()
    assert not app.exception, app.exception
    deadline = time.time() + 90
    while "sweep_running" in app.session_state:
        assert time.time() < deadline, "the sweep did not finish"
        time.sleep(0.3)
        app.run()
    assert not app.exception, app.exception
    assert [b.label for b in app.get("download_button")] == ["Download CSV", "Download Parquet"]
    finished = app.session_state["sweep_finished"]
    result = next(iter(finished.values()))
    assert len(result.table) == 4 and (result.table["status"] == "finished").all()
    cells = app.get("vega_lite_chart")[0]
    assert '"pick"' in cells.proto.spec
    # The chart's rows: the log10 ratio of each cell, as NumPy reads it from the table.
    expected = np.log10(result.table.sort_values("cell")["grad_ratio"].to_numpy(float))
    assert any("Dashed: the depth scale ξ" in c.value and "relu: ξ = 1.44 layers" in c.value for c in app.caption)
    from core.sweep.table import spread

    np.testing.assert_allclose(spread(result.table, ("depth", "activation"), "grad_ratio")["mean"], expected)
    from ui.sweep.runs import chart_key

    app.session_state[chart_key(result)] = {"selection": {"pick": [{"cell": 3}]}}
    app.run()
    assert app.title[0].value == "Gradient Flow Lab"
    assert app.query_params["depth"] == "4" and app.query_params["activation"] == "tanh"
    assert app.query_params["steps"] == "0"


def test_the_server_refuses_a_sweep_beyond_its_limit_of_sweeps_at_once_and_takes_it_after(sweep_page, monkeypatch):
    monkeypatch.setenv("GRADFLOW_MAX_ACTIVE_SWEEPS", "1")
    first = sweep_page
    first.run()
    first.text_input(key="sweep_values_depth").set_value("2, 3, 4, 5, 6, 7")  # long enough to still be running
    first.run()
    first.button(key="sweep_run").click().run()
    assert "sweep_running" in first.session_state
    second = AppTest.from_file(APP, default_timeout=120)  # another student's session on the same server
    second.switch_page("app_pages/sweep.py")
    second.run()
    second.button(key="sweep_run").click().run()
    assert not second.exception, second.exception
    assert any("already running 1 sweep" in w.value and "GRADFLOW_MAX_ACTIVE_SWEEPS = 1" in w.value for w in second.warning)
    assert "sweep_running" not in second.session_state
    first.button(key="sweep_cancel").click().run()  # the first ends: the server takes the next one
    second.button(key="sweep_run").click().run()
    assert "sweep_running" in second.session_state
    second.button(key="sweep_cancel").click().run()


def _chart_rows(app) -> pd.DataFrame:
    chart = app.get("vega_lite_chart")[0]
    data = {d.name: d.data.data for d in chart.proto.datasets}
    return pa.ipc.open_stream(data["cells"]).read_pandas()


def test_the_page_fills_in_shows_running_cells_and_the_sweep_goes_on_while_another_page_is_open(sweep_page):
    app = sweep_page
    app.run()
    # 32 runs of 1000 steps: the sweep outlasts the test's page changes by several seconds, so the cancel
    # below still finds runs to drop.
    app.text_input(key="sweep_values_depth").set_value("2, 3, 4, 5, 6, 7, 8, 9")
    app.text_input(key="sweep_values_activation").set_value("relu, tanh")
    app.select_slider(key="sweep_steps").set_value(1000)
    app.number_input(key="sweep_seeds").set_value(2)
    app.run()
    app.button(key="sweep_run").click().run()
    states, deadline = set(), time.time() + 90
    while not {"done", "running"} <= states:  # some cells filled in while others are being computed
        assert "sweep_running" in app.session_state, f"the sweep ended before it was seen running ({states})"
        assert time.time() < deadline, states
        time.sleep(0.2)
        app.run()
        assert not app.exception, app.exception
        states = set(_chart_rows(app)["state"])
    assert "waiting" in states and app.get("progress"), "queued cells wait, and a progress bar shows"
    sweep = app.session_state["sweep_running"]
    app.switch_page("app_pages/lab.py").run()  # a teacher shows the Lab while the sweep runs
    assert not app.exception, app.exception
    assert app.session_state["sweep_running"] is sweep and not sweep.cancelled and sweep.running
    assert [link.label for link in app.get("page_link")] == ["Your sweep of 32 runs is running"], "the Lab says so"
    app.switch_page("app_pages/sweep.py").run()
    assert not app.exception, app.exception
    assert app.get("progress") and not app.button(key="sweep_cancel").disabled, "back on the page, it still fills in"
    app.button(key="sweep_cancel").click().run()
    assert sweep.cancelled and any(future.status == "cancelled" for future in sweep.futures)
    kept = next(reversed(app.session_state["sweep_finished"].values()))
    assert kept.cancelled and 0 < len(kept.table) < 32, "what finished is kept"


def test_while_a_sweep_runs_its_run_button_is_disabled_and_a_new_sweep_cancels_the_old_one(sweep_page, client):
    app = sweep_page
    app.run()
    app.text_input(key="sweep_values_depth").set_value("2, 3, 4, 5, 6, 7")
    app.select_slider(key="sweep_steps").set_value(300)
    app.run()
    app.button(key="sweep_run").click().run()
    assert not app.exception, app.exception
    assert app.button(key="sweep_run").disabled and not app.button(key="sweep_cancel").disabled

    def start_twice():
        import streamlit as st

        from core.config import RunConfig
        from core.sweep.grid import make_grid
        from ui.sweep import runs

        base = RunConfig(width=8, steps=300, samples=300)
        runs.start(make_grid(base, {"depth": (2, 3, 4, 5, 6, 7)}), 0.3)
        st.session_state["first"] = runs.running()
        runs.start(make_grid(base, {"depth": (2, 3, 4, 5, 6, 8)}), 0.3)

    other = AppTest.from_function(start_twice, default_timeout=120)
    other.run()
    assert not other.exception, other.exception
    first, second = other.session_state["first"], other.session_state["sweep_running"]
    assert first is not second and first.cancelled and not first.running, "the superseded sweep was cancelled"
    assert second.running
    second.cancel()
    app.button(key="sweep_cancel").click().run()
