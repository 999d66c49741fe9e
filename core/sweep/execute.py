"""A sweep on a Dask cluster: one task per run, results collected as they finish, cancellable.

Runs of one architecture prefer one worker, which traces it once and reuses it (assign_workers). Each run
is submitted with retries, so a cell whose worker failed is run again; a worker process that dies
mid-cell is noticed by the scheduler, which gives its cells to another worker (the nanny restarts it).
Cancelling releases every task not yet finished: queued ones never start, the running one finishes.
A sweep whose session has gone (the browser closed) is cancelled after a short grace (watch_abandoned).
"""
import logging
import threading
import time
import uuid
import weakref

from core.config import is_upload
from core.engine.upload_store import STORE
from core.lessons.links import encode
from core.serve.grace import Grace
from core.sweep.grid import Grid, expand
from core.sweep.outcomes import DEFAULT_TARGET_LOSS, OUTCOMES
from core.sweep.task import CELL_TOPIC, run_cell

RETRIES = 2


def architecture(config) -> tuple:
    """Runs with equal keys share a traced trainer (core.engine.trainer.architecture_key; the data set's name
    and input size stand for its shape)."""
    from core.knobs import graph_values  # not the trainer's module: placing a run loads no TensorFlow

    return (*graph_values(config), config.input_dim, config.dataset, "cpu" if config.cpu else "")


def assign_workers(runs: list, workers: list) -> dict:
    """{run index: [worker]}: every run of one architecture prefers one worker, so each architecture is traced
    once, not once per worker; architectures are dealt out largest first to the least loaded worker. Only a
    preference (allow_other_workers): an idle worker still steals work, and a dead worker's runs go elsewhere."""
    if len(workers) < 2:
        return {}
    groups = {}
    for index, run in enumerate(runs):
        groups.setdefault(architecture(run.config), []).append(index)

    def cost(indices):
        config = runs[indices[0]].config
        return len(indices) * (config.steps + 50) * config.depth * max(config.width, 16)  # + 50: the trace

    load = {worker: 0 for worker in workers}
    homes = {}
    for indices in sorted(groups.values(), key=cost, reverse=True):
        worker = min(load, key=load.get)
        load[worker] += cost(indices)
        homes.update({index: [worker] for index in indices})
    return homes


def row(run, axes: tuple, summary: dict) -> dict:
    """One table row: the cell, its axis values (config dicts as compact JSON), the seed and the outcomes."""
    values = {name: encode(value) if isinstance(value, dict) else value for name, value in run.values.items()}
    outcomes = {name: summary.get(name, float("nan")) for name in OUTCOMES}
    return {"cell": run.cell, **{name: values[name] for name in axes}, "seed": run.seed, **outcomes,
            "diverged_at": summary.get("diverged_at"), "status": summary["status"]}


_ACTIVE = weakref.WeakSet()  # this process's sweeps, for the server's limit on sweeps at once
_active_lock = threading.Lock()  # a WeakSet changed while another thread copies it raises
_BY_NAME = weakref.WeakValueDictionary()  # a sweep by the name in its task keys, for the workers' start events
_LISTENING = weakref.WeakSet()  # clients already subscribed to the start events


def _heard_start(event) -> None:
    """A worker started or ended one of a sweep's tasks (core.sweep.task._announce); runs on the client's loop."""
    _, (moment, key) = event
    sweep = _BY_NAME.get(str(key).split("-")[1]) if str(key).startswith("sweep-") else None
    if sweep is not None:
        if moment == "start":
            sweep.started.add(key)
            sweep.ended.discard(key)  # a retry starts it again
        else:
            sweep.ended.add(key)


_WATCH_EVERY = 1.0
_watcher = {}
_watcher_lock = threading.Lock()


def _watch() -> None:
    """Cancel every sweep whose `abandoned()` has said so for longer than the grace (core/serve/grace.py): a
    class server drops the work of a closed tab at once, not when Streamlit forgets the session minutes later.
    A pass that fails is logged and the next one runs: a dead watcher would let closed tabs hold the server's
    sweep slots."""
    while True:
        time.sleep(_WATCH_EVERY)
        try:
            _watch_pass()  # its locals end with it: no sweep is kept alive while the watcher sleeps
        except Exception:  # noqa: BLE001 - see the docstring
            logging.getLogger(__name__).exception("sweep watcher pass failed")


def _watch_pass() -> None:
    with _active_lock:
        sweeps = list(_ACTIVE)
    for sweep in sweeps:
        _check_abandoned(sweep)


def _check_abandoned(sweep) -> None:
    if sweep.running and sweep.grace.expired():
        try:
            sweep.cancel()
        except Exception:  # noqa: BLE001 - its client already closed (the server exiting): nothing runs
            sweep.cancelled = True


def _watch_abandoned() -> None:
    with _watcher_lock:
        thread = _watcher.get("thread")
        if thread is None or not thread.is_alive():
            _watcher["thread"] = threading.Thread(target=_watch, name="gradflow-sweep-watcher", daemon=True)
            _watcher["thread"].start()


def _listen(client) -> None:
    if client not in _LISTENING:
        client.subscribe_topic(CELL_TOPIC, _heard_start)
        _LISTENING.add(client)


def active_sweeps() -> int:
    """Sweeps of this process still running (a sweep nobody holds any more is gone, its tasks released)."""
    with _active_lock:
        sweeps = list(_ACTIVE)
    return sum(sweep.running for sweep in sweeps)


class Sweep:
    """The runs of a grid, submitted to `client` at once; poll() or wait() collects their rows."""

    def __init__(self, client, grid: Grid, target_loss: float = DEFAULT_TARGET_LOSS, keep_records=False,
                 retries: int = RETRIES, abandoned=None):
        """`abandoned()` says whether whoever asked for the sweep has gone (the page's session closed)."""
        self.grid = grid
        self.grace = Grace(abandoned)  # the same grace as a Lab run's: a browser back within it keeps its sweep
        self.target_loss = target_loss
        self.runs = expand(grid)
        self.summaries = [None] * len(self.runs)  # what each task returned (None until it finished)
        self.rows = [None] * len(self.runs)
        self.cancelled = False
        self.client = client
        self.started = set()  # keys of the tasks a worker has started (heard from its events)
        self.ended = set()  # and of those it has ended since its last start
        name = uuid.uuid4().hex[:8]
        _BY_NAME[name] = self
        _listen(client)
        homes = assign_workers(self.runs, list(client.scheduler_info(n_workers=-1).get("workers", {})))
        uploads = self._send_uploads(client)
        self.futures = [
            client.submit(run_cell, run.config.to_dict(), target_loss, keep_records, uploads.get(run.config.dataset),
                          retries=retries, pure=False,
                          key=f"sweep-{name}-cell{run.cell}-seed{run.seed}", workers=homes.get(index),
                          allow_other_workers=index in homes)
            for index, run in enumerate(self.runs)]
        with _active_lock:
            _ACTIVE.add(self)
        if abandoned is not None:
            _watch_abandoned()

    def _send_uploads(self, client) -> dict:
        """{name: future} of the uploaded data sets the runs name, each sent to the cluster once (the workers
        are other processes, or machines, without the server's uploads); UploadGone when this server lost one."""
        names = {run.config.dataset for run in self.runs if is_upload(run.config.dataset)}
        # broadcast: every worker holds a copy, so a worker lost mid-sweep does not take the data set with it
        return {name: client.scatter(STORE.get(name), hash=False, broadcast=True) for name in sorted(names)}

    @property
    def total(self) -> int:
        return len(self.runs)

    @property
    def finished_count(self) -> int:
        return sum(r is not None for r in self.rows)

    @property
    def done(self) -> bool:
        return self.cancelled or self.finished_count == self.total

    @property
    def running(self) -> bool:
        """Tasks still queued or running on the cluster, whether or not anyone has polled their results."""
        return not self.cancelled and not all(future.done() for future in self.futures)

    def running_cells(self) -> set:
        """The cells a worker is computing now: one of their runs has started and has not finished (a queued
        run, even one already assigned to a worker, has not started). A run whose worker died shows as running
        until its retry finishes (its start was heard once)."""
        if self.cancelled:
            return set()
        return {run.cell for run, future in zip(self.runs, self.futures)
                if future.key in self.started and future.key not in self.ended and not future.done()}

    def _collect(self, index: int, future) -> bool:
        if self.rows[index] is not None or not future.done() or future.status == "cancelled":
            return False
        if future.status == "error":
            error = future.exception()
            summary = {"status": "error", "error": f"{type(error).__name__}: {error}"}
        else:
            summary = future.result()
        self.summaries[index] = summary
        self.rows[index] = row(self.runs[index], self.grid.names, summary)
        return True

    def poll(self) -> int:
        """Collect the runs that finished since the last call (never waits); how many were new."""
        return sum(self._collect(index, future) for index, future in enumerate(self.futures))

    def wait(self, on_row=None) -> None:
        """Block until every run finished (or the sweep was cancelled); on_row(row) hears each one."""
        from dask.distributed import as_completed

        position = {future.key: index for index, future in enumerate(self.futures)}
        for future in as_completed(self.futures, loop=self.client.loop):
            if self.cancelled:
                return
            index = position[future.key]
            if self._collect(index, future) and on_row:
                on_row(self.rows[index])

    def cancel(self) -> None:
        """Stop: tasks not finished are released (queued ones never start); finished rows are kept."""
        self.cancelled = True
        pending = [future for future in self.futures if not future.done()]
        if pending:
            self.client.cancel(pending)

    def finished_rows(self) -> list:
        return [r for r in self.rows if r is not None]
