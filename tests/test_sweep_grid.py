"""Sweeps without Dask: the grid from comma-separated text, the outcomes of a run (against NumPy reading the
record), the spread over seeds, the chart builders, the depth scale and the command line's refusals."""
import os
import json
import math

import numpy as np
import pandas as pd
import pytest

from core.outside_text import plain
from core.cli import main
from core.config import ConfigError, RunConfig
from core.initializer_table import variance_scaling
from core.engine.run import run_to_end
from core.charts.sweep import sweep_figure
from core.charts.sweep_rows import axis, cell_rows
from core.sweep.grid import expand, make_grid, parse_axis, split_values
from core.sweep.outcomes import measure
from core.sweep.table import spread
from core.sweep.theory import depth_scale_of, overlay


def refusal(name, text, base=RunConfig(), seeds=1):
    with pytest.raises(ConfigError) as caught:
        make_grid(base, {name: parse_axis(name, text)}, seeds)
    return caught.value


def test_comma_separated_values_become_an_axis_and_json_dicts_are_not_split():
    assert parse_axis("depth", "2, 6,10") == (2, 6, 10)
    assert parse_axis("learning_rate", "0.01,0.1") == (0.01, 0.1)
    assert parse_axis("sigma_w", "1,1.5") == (1.0, 1.5)
    text = 'he_normal, {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.05}}'
    assert split_values(text) == ["he_normal", '{"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.05}}']
    assert parse_axis("initializer", text)[1] == {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.05}}


def test_a_grid_expands_into_every_cell_with_every_seed_first_axis_slowest():
    grid = make_grid(RunConfig(seed=7), {"depth": (2, 6), "activation": ("relu", "sigmoid"), "sigma_w": (1.5,)}, 3)
    runs = expand(grid)
    assert len(runs) == 12 and grid.cell_count == 4
    assert [(r.cell, r.config.depth, r.config.activation, r.seed) for r in runs[:4]] == [
        (0, 2, "relu", 7), (0, 2, "relu", 8), (0, 2, "relu", 9), (1, 2, "sigmoid", 7)]
    assert all(r.config.seed == r.seed for r in runs)
    assert runs[0].config.initializer == variance_scaling(1.5)


def test_bad_values_name_the_axis_the_value_and_what_is_allowed():
    error = refusal("activation", "relu,swishy")
    assert (error.field, error.value) == ("activation", "swishy") and "sigmoid" in error.allowed
    error = refusal("depth", "2,0")
    assert error.field == "depth" and error.value == 0 and "from 1 to 100" in error.allowed
    with pytest.raises(ConfigError) as refused:
        parse_axis("depth", "2,two")
    assert "depth = 'two' is not allowed: an integer" in plain(refused.value)
    with pytest.raises(ConfigError, match="no empty value"):
        parse_axis("depth", "2,,6")
    with pytest.raises(ConfigError, match="each value once"):
        parse_axis("depth", "2,2")
    with pytest.raises(ConfigError) as refused:
        parse_axis("sigma_w", "1,-1")
    assert "sigma_w = '-1' is not allowed: a number from 0 to 10" in plain(refused.value)
    with pytest.raises(ConfigError, match="use --seeds"):
        parse_axis("seed", "1,2")
    with pytest.raises(ConfigError, match="either sigma_w or initializer"):
        make_grid(RunConfig(), {"sigma_w": (1.0, 2.0), "initializer": ("he_normal",)})


def test_the_host_caps_the_runs_of_one_sweep(monkeypatch):
    monkeypatch.setenv("GRADFLOW_MAX_SWEEP_CELLS", "10")
    error = refusal("depth", "1,2,3,4,5,6", seeds=2)
    assert error.value == 12 and "at most 10 runs" in error.allowed and "GRADFLOW_MAX_SWEEP_CELLS" in error.allowed
    assert make_grid(RunConfig(), {"depth": (1, 2, 3, 4, 5)}, 2).cell_count == 5
    monkeypatch.setenv("GRADFLOW_MAX_DEPTH", "6")
    assert "GRADFLOW_MAX_DEPTH" in refusal("depth", "2,8", base=RunConfig(depth=2)).allowed


def test_the_outcomes_are_what_numpy_reads_from_the_record(pool):
    config = RunConfig(depth=4, width=16, activation="relu", initializer="he_normal", steps=30, record_every=2,
                       learning_rate=0.3, samples=300)
    record = run_to_end(config, pool)
    target = float(np.quantile(record.loss, 0.3))
    outcomes = measure(record, target)
    grad_norm = np.array(record.metrics["grad_norm"][0], float)
    assert outcomes["grad_ratio"] == pytest.approx(grad_norm[0] / grad_norm[-1], rel=1e-12)
    assert outcomes["final_loss"] == pytest.approx(record.loss[-1])
    assert outcomes["final_accuracy"] == pytest.approx(record.accuracy[-1])
    assert outcomes["dead_fraction"] == pytest.approx(np.mean(np.array(record.metrics["dead_fraction"][-1], float)))
    first = next(step for step, loss in zip(record.steps, record.loss) if loss <= target)
    assert outcomes["steps_to_target"] == first
    assert math.isnan(measure(record, -1.0)["steps_to_target"]), "a target never reached is NaN"


def test_the_spread_over_seeds_is_mean_lowest_and_highest_and_ratios_are_geometric():
    table = pd.DataFrame({"cell": [0, 0, 0, 1], "depth": [2, 2, 2, 6], "seed": [0, 1, 2, 0],
                          "final_accuracy": [0.5, 0.7, 0.9, 0.6], "grad_ratio": [0.1, 10.0, 1.0, 0.0],
                          "steps_to_target": [10.0, np.nan, 20.0, 5.0], "status": ["finished"] * 4})
    accuracy = spread(table, ("depth",), "final_accuracy").set_index("cell")
    assert accuracy.loc[0, ["mean", "low", "high", "seeds"]].tolist() == pytest.approx([0.7, 0.5, 0.9, 3])
    ratio = spread(table, ("depth",), "grad_ratio").set_index("cell")
    assert ratio.loc[0, "mean"] == pytest.approx(np.mean(np.log10([0.1, 10.0, 1.0])))
    assert ratio.loc[1, "mean"] == -math.inf, "an exactly-zero ratio stays visible as -inf, not NaN"
    steps = spread(table, ("depth",), "steps_to_target").set_index("cell")
    assert steps.loc[0, "high"] == math.inf and steps.loc[1, "mean"] == 5.0


def test_numeric_axes_place_cells_halfway_to_their_neighbours_on_a_log_scale_when_they_span_decades():
    depth = axis("depth", (2, 4, 8, 16, 32))
    assert depth.numeric and depth.log
    np.testing.assert_allclose([e[1] for e in depth.edges[:-1]], np.sqrt([8, 32, 128, 512]))
    np.testing.assert_allclose(depth.edges[0][0], 2 / np.sqrt(2))
    linear = axis("sigma_w", (1.0, 1.5, 2.0))
    assert not linear.log and linear.edges == ((0.75, 1.25), (1.25, 1.75), (1.75, 2.25))
    assert not axis("activation", ("relu", "tanh")).numeric


def test_the_heat_map_has_one_row_per_cell_a_click_selection_and_the_depth_scale_per_row():
    grid = make_grid(RunConfig(initializer="glorot_normal"), {"depth": (2, 8, 32), "activation": ("relu", "tanh")}, 2)
    table = pd.DataFrame({"cell": [0, 0, 5], "depth": [2, 2, 32], "activation": ["relu", "relu", "tanh"],
                          "seed": [0, 1, 0], "final_accuracy": [0.6, 0.8, 0.5], "status": ["finished"] * 3})
    cells = cell_rows(grid, spread(table, grid.names, "final_accuracy"))
    assert len(cells) == 6 and cells["state"].tolist() == ["done", "waiting", "waiting", "waiting", "waiting", "done"]
    assert cells.loc[0, "mean"] == pytest.approx(0.7) and cells.loc[0, "line2"] == "0.6 – 0.8"
    xi_rows, reading = overlay(grid)
    assert "tanh: ξ infinite (critical" in reading and "relu: ξ = 1.44 layers" in reading
    spec = sweep_figure(grid, "final_accuracy", cells, xi_rows).to_vega_lite()
    assert [p["select"]["fields"] for p in spec["params"] if p["name"] == "pick"] == [["cell"]]
    assert [row["y"] for row in spec["datasets"]["xi"]] == ["relu"], "tanh's xi is infinite: no line"
    assert json.dumps(spec, allow_nan=False)


def test_the_depth_scale_follows_the_phase_diagram_and_says_when_there_is_none():
    assert depth_scale_of(RunConfig(activation="relu", initializer=variance_scaling(1.0))) == pytest.approx(1 / np.log(2))
    assert depth_scale_of(RunConfig(activation="tanh", initializer=variance_scaling(1.0))) == math.inf
    assert "Orthogonal" in depth_scale_of(RunConfig(initializer="orthogonal"))
    assert "batch normalization" in depth_scale_of(RunConfig(batchnorm=True))
    grid = make_grid(RunConfig(activation="tanh"), {"depth": (2, 20), "sigma_w": (0.5, 2.0)})
    rows, reading = overlay(grid)
    assert rows["sigma_w"].tolist() == [0.5, 2.0] and "sigma_w = 0.5: ξ = 0.721 layers" in reading


@pytest.mark.parametrize("flags, named", [
    (["--depth", "2,x"], "--depth: depth = 'x' is not allowed: an integer"),
    (["--activation", "relu,swishy"], "--activation: activation = 'swishy' is not allowed: one of sigmoid"),
    (["--seeds", "0"], "--seeds = '0' is not allowed: a whole number, at least 1"),
    (["--seed", "1,2"], "--seed = '1,2' is not allowed: a whole number"),
    (["--depth", "2,6", "--out", "sweep.txt"], "--out: 'sweep.txt' has neither a .csv nor a .parquet extension"),
    (["--out", "/no/such/folder/s.csv"], "--out: '/no/such/folder/s.csv' is in a folder that does not exist"),
    (["--sigma-w", "1,2", "--initializer", "he_normal,glorot_normal"], "either sigma_w or initializer"),
    (["--target-loss", "low"], "--target-loss = 'low' is not allowed"),
    (["--records", "/no/such/folder"], "--records: '/no/such/folder' is not a writable folder"),
])
def test_bad_sweep_flags_exit_with_status_2_naming_the_flag(flags, named, capsys):
    argv = ["sweep", "--out", "sweep.csv", *flags] if "--out" not in flags else ["sweep", *flags]
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert named in capsys.readouterr().err


def test_a_sweep_on_an_upload_this_server_no_longer_has_is_refused_and_asks_for_the_csv_again():
    with pytest.raises(ConfigError) as refused:
        make_grid(RunConfig(steps=5), {"dataset": ("spirals", "upload:0123456789ab")})
    assert ("dataset = 'upload:0123456789ab' is not allowed: a built-in data set (" in plain(refused.value)
            and "upload the CSV again in the Lab" in plain(refused.value))


@pytest.mark.parametrize("raw, workers", [("1", 1), ("", None)])
def test_a_host_sets_the_number_of_sweep_workers_and_the_default_is_the_usable_cores(raw, workers):
    import os

    from core.sweep.cluster import default_workers

    expected = workers or len(os.sched_getaffinity(0))
    assert default_workers({"GRADFLOW_SWEEP_WORKERS": raw}) == expected


@pytest.mark.parametrize("raw", ["0", "two", "-1", "٣", str(len(os.sched_getaffinity(0)) + 1), "100000"])
def test_a_bad_number_of_sweep_workers_names_the_variable_and_what_is_allowed(raw):
    from core.sweep.cluster import default_workers

    from core.outside_text import plain

    with pytest.raises(ValueError) as refused:
        default_workers({"GRADFLOW_SWEEP_WORKERS": raw})
    assert plain(str(refused.value)).startswith(f"GRADFLOW_SWEEP_WORKERS='{raw}' is not allowed: a positive whole number")


def test_one_axis_draws_the_mean_as_a_line_the_seeds_range_as_a_band_and_xi_as_a_rule():
    grid = make_grid(RunConfig(activation="relu", initializer=variance_scaling(1.0)), {"depth": (2, 4, 8)}, 3)
    table = pd.DataFrame({"cell": [0, 0, 0, 2], "depth": [2, 2, 2, 8], "seed": [0, 1, 2, 0],
                          "final_accuracy": [0.5, 0.9, 0.7, 0.6], "status": ["finished"] * 4})
    cells = cell_rows(grid, spread(table, grid.names, "final_accuracy"))
    spec = sweep_figure(grid, "final_accuracy", cells, overlay(grid)[0]).to_vega_lite()
    marks = {layer["mark"]["type"]: layer for layer in spec["layer"]}
    assert marks["area"]["encoding"]["y"]["field"] == "low" and marks["area"]["encoding"]["y2"]["field"] == "high"
    assert marks["line"]["encoding"]["y"]["field"] == "mean"
    assert marks["rule"]["encoding"]["x"]["field"] == "xi"
    assert [p["select"]["fields"] for p in spec["params"] if p["name"] == "pick"] == [["cell"]]
    drawn = pd.DataFrame(spec["datasets"]["cells"]).set_index("cell")
    assert drawn.loc[0, ["mean", "low", "high"]].tolist() == pytest.approx([np.mean([0.5, 0.9, 0.7]), 0.5, 0.9])
    assert drawn["state"].tolist() == ["done", "waiting", "done"]
    assert [row["xi"] for row in spec["datasets"]["xi"]] == pytest.approx([1 / np.log(2)])


def test_a_sweep_from_the_command_line_records_about_150_steps_per_run_as_the_lab_does(monkeypatch):
    from core.cli import build_parser
    from core.sweep.cli import grid_from_args

    def grid_of(*flags):
        argv = ["sweep", "--out", "sweep.csv", *flags]
        parser = build_parser()
        return grid_from_args(parser.parse_args(argv), argv, parser)

    assert grid_of("--steps", "5000", "--depth", "2,3").base.record_every == 34  # was refused: 1002 recorded steps
    steps_axis = grid_of("--steps", "10,4800")
    assert [run.config.record_every for run in expand(steps_axis)] == [1, 32], "each run records about 150 steps"
    assert grid_of("--steps", "5000", "--record-every", "50").base.record_every == 50  # as given
    assert [run.config.record_every for run in expand(grid_of("--steps", "100,200", "--record-every", "5"))] == [5, 5]


def test_the_heat_map_shows_its_colour_legend_only_once_a_cell_is_done():
    grid = make_grid(RunConfig(), {"depth": (2, 8), "activation": ("relu", "tanh")})

    def colour_legends(table):
        spec = sweep_figure(grid, "final_accuracy", cell_rows(grid, spread(table, grid.names, "final_accuracy"))).to_vega_lite()
        layers = spec.get("layer") or [layer for part in spec.get("hconcat", []) for layer in part.get("layer", [])]
        return [layer["encoding"]["color"].get("legend", {}) for layer in layers
                if layer.get("encoding", {}).get("color", {}).get("field") == "mean"]

    nothing = pd.DataFrame({"cell": [], "depth": [], "activation": [], "seed": [], "final_accuracy": [], "status": []})
    assert colour_legends(nothing) == [None], "no legend whose range would read NaN"
    one = pd.DataFrame({"cell": [0], "depth": [2], "activation": ["relu"], "seed": [0], "final_accuracy": [0.7],
                        "status": ["finished"]})
    assert colour_legends(one)[0] is not None and colour_legends(one)[0].get("orient") == "right"
