"""The sweep command refuses what it cannot do, before any worker starts: too many workers, an initializer
that a sigma axis would override, a grid of too many runs (exit status 2, the flag and value named)."""
import os

import pytest

from core.cli import main

CORES = len(os.sched_getaffinity(0))


def refusal(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", *argv, "--out", os.devnull + ".csv"])
    assert exit_.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("workers", ["100000", str(CORES + 1), "0", "two", "٣"])
def test_the_sweep_refuses_more_workers_than_the_host_has_cores(capsys, workers, monkeypatch):
    monkeypatch.delenv("GRADFLOW_DASK_SCHEDULER", raising=False)
    error = refusal(capsys, "--depth", "2,3", "--steps", "5", "--workers", workers)
    assert f"--workers = '{workers}' is not allowed: a positive whole number of worker processes, at most {CORES}" \
        in error, error


def test_an_initializer_beside_a_sigma_w_axis_is_refused_rather_than_ignored(capsys):
    error = refusal(capsys, "--depth", "2,3", "--sigma-w", "1,2", "--initializer", "he_normal")
    assert "--initializer = 'he_normal' and --sigma-w = '1,2' cannot both be given" in error, error


def test_a_bias_initializer_beside_a_sigma_b_axis_is_refused(capsys):
    error = refusal(capsys, "--depth", "2,3", "--sigma-b", "0,0.5", "--bias-initializer", "zeros")
    assert "--bias-initializer = 'zeros' and --sigma-b = '0,0.5' cannot both be given" in error, error


def test_a_grid_of_too_many_runs_names_the_run_count_and_the_limit(capsys):
    widths = ",".join(str(w) for w in range(1, 11))
    depths = ",".join(str(d) for d in range(1, 11))
    error = refusal(capsys, "--width", widths, "--depth", depths, "--seeds", "100")
    assert "the grid has 10000 runs (100 cells × 100 seeds; cells: 10 width values × 10 depth values); " \
           "at most 400 runs are allowed (the host's limit, set by GRADFLOW_MAX_SWEEP_CELLS)" in error, error
    assert "--width:" not in error
