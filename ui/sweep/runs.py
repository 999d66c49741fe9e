"""The Sweep page's state: one Dask client for the whole server, this session's running sweep, and its
finished sweeps (a few, newest last)."""
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.sweep import table
from core.sweep.cluster import describe, shared_client
from core.limits import LIMIT_VARIABLES, current_limits
from core.sweep.execute import Sweep, active_sweeps
from core.sweep.grid import Grid
from ui.session import session_gone

_STARTING = threading.Lock()
KEEP_FINISHED = 5  # finished sweeps a session keeps (each is a small table)
RUNNING, FINISHED = "sweep_running", "sweep_finished"


@dataclass(frozen=True)
class FinishedSweep:
    grid: Grid
    target_loss: float
    table: pd.DataFrame  # one row per cell and seed (core/sweep/table.py)
    cancelled: bool = False
    where: str = ""  # the cluster it ran on

    @property
    def title(self) -> str:
        axes = " × ".join(f"{name} ({len(values)})" for name, values in self.grid.axes)
        done = "cancelled, " if self.cancelled else ""
        return f"{axes}, {self.grid.seeds} seed{'s' if self.grid.seeds > 1 else ''}, {self.grid.base.steps} steps ({done}{len(self.table)} runs)"


def dask_client():
    """The server's one client (core.sweep.cluster.shared_client, a process-wide singleton: Streamlit's
    cache_resource refuses a Client, which is awaitable): a local cluster made on the first sweep, or the
    cluster GRADFLOW_DASK_SCHEDULER names; closed when the server exits."""
    with st.spinner("Starting the Dask workers…"):
        return shared_client()


def key(grid: Grid, target_loss: float) -> str:
    return repr((grid.key(), target_loss))


def chart_key(result: FinishedSweep) -> str:
    """The finished sweep's chart key: a new sweep gets a new selection (no click carried over)."""
    return "sweep_chart_" + hashlib.sha1(key(result.grid, result.target_loss).encode()).hexdigest()[:10]


def finished() -> OrderedDict:
    return st.session_state.setdefault(FINISHED, OrderedDict())


def keep(result: FinishedSweep) -> None:
    """Remember a finished sweep, dropping the oldest beyond KEEP_FINISHED."""
    store = finished()
    name = key(result.grid, result.target_loss)
    store.pop(name, None)
    store[name] = result
    while len(store) > KEEP_FINISHED:
        store.popitem(last=False)


def start(grid: Grid, target_loss: float) -> str | None:
    """Run this grid, unless this session has just run the same one (then it is shown again). Returns why it
    cannot start now: the server runs at most GRADFLOW_MAX_ACTIVE_SWEEPS sweeps at once, for the whole class."""
    if key(grid, target_loss) in finished():
        finished().move_to_end(key(grid, target_loss))
        return None
    if running() is not None:
        settle(cancel=True)  # superseded: a session runs one sweep at a time (its finished runs are kept)
    limit = current_limits().active_sweeps
    client = dask_client()
    with _STARTING:  # two students clicking at once: one count and submit at a time
        running_now = active_sweeps()
        if running_now >= limit:
            return (f"The server is already running {running_now} sweep{'s' if running_now != 1 else ''}, its limit "
                    f"({LIMIT_VARIABLES['active_sweeps'][0]} = {limit}); try again when one has finished.")
        st.session_state[RUNNING] = Sweep(client, grid, target_loss, abandoned=session_gone())
    st.session_state["sweep_where"] = describe(client)
    return None


def running() -> Sweep | None:
    return st.session_state.get(RUNNING)


def settle(cancel: bool = False) -> FinishedSweep | None:
    """Collect what finished; when the running sweep is done (or cancelled), keep it as finished."""
    sweep = running()
    if sweep is None:
        return None
    if cancel:
        sweep.cancel()
    sweep.poll()
    if not sweep.done:
        return None
    result = FinishedSweep(sweep.grid, sweep.target_loss, table.frame(sweep.finished_rows(), sweep.grid.names),
                           sweep.cancelled, st.session_state.get("sweep_where", ""))
    keep(result)
    del st.session_state[RUNNING]
    return result


def sidebar_note() -> None:
    """On the other pages: this session's sweep is still running, and a link back to it."""
    sweep = running()
    if sweep is not None and sweep.running:
        st.page_link("app_pages/sweep.py", label=f"Your sweep of {sweep.total} runs is running", icon=":material/grid_on:")


def latest() -> FinishedSweep | None:
    store = finished()
    return next(reversed(store.values())) if store else None
