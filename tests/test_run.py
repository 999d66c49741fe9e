import json

import numpy as np
import pytest

from core.activation_table import ACTIVATIONS
from core.cli import main
from core.config import RunConfig
from core.initializer_table import PRESETS
from core.knobs import DATASETS
from core.engine.pool import TrainerPool
from core.record import RunRecord
from core.engine.run import boundary_indices, plan_frame, run_to_end, train
from core.metrics import LAYER_METRICS

SMALL = dict(samples=200, depth=3, width=8, batch_size=32, steps=20, record_every=5)


def test_a_huge_learning_rate_ends_the_run_with_diverged_at_and_a_valid_record(pool):
    # (a sigmoid net's loss only grows large: its bounded units keep it finite, which is not divergence)
    record = run_to_end(RunConfig(activation="relu", initializer="he_normal", learning_rate=1000.0,
                                  depth=10, width=32, steps=20, record_every=1), pool)
    assert record.status == "diverged"
    assert record.diverged_at is not None and 0 < record.diverged_at <= 20
    assert record.steps and all(step <= record.diverged_at for step in record.steps)
    text = record.to_json()
    data = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not valid JSON"))
    assert data["diverged_at"] == record.diverged_at
    assert len(data["metrics"]["grad_norm"]) == len(data["steps"])


def test_same_config_and_seed_give_an_identical_record(pool):
    config = RunConfig(activation="tanh", optimizer="adam", learning_rate=0.01, **SMALL)
    first = run_to_end(config, pool)
    second = run_to_end(config, pool)  # reuses the traced trainer
    fresh = run_to_end(config, TrainerPool())  # traces anew
    strip = lambda record: {**record.to_dict(), "timing": None}
    assert strip(first) == strip(second) == strip(fresh)
    assert strip(run_to_end(config.replace(seed=1), pool)) != strip(first)


@pytest.mark.parametrize("learning_rate", [0.1, 1000.0])  # finished and diverged
def test_a_run_nobody_watches_trains_in_one_frame_with_the_same_numbers_and_no_boundary(pool, learning_rate):
    config = RunConfig(dataset="spirals", activation="relu", initializer="he_normal", learning_rate=learning_rate,
                       samples=200, depth=6, width=16, batch_size=32, steps=300, record_every=5)
    watched_frames, unwatched_frames = [], []
    watched = run_to_end(config, pool, on_frame=watched_frames.append)
    unwatched = run_to_end(config, pool, on_frame=unwatched_frames.append, unwatched=True)
    assert len(unwatched_frames) == 1 and len(watched_frames) > 1
    assert watched.boundary is not None and unwatched.boundary is None
    strip = lambda record: {**record.to_dict(), "timing": None, "boundary": None}
    assert strip(unwatched) == strip(watched)


def test_record_round_trips_through_json(pool):
    record = run_to_end(RunConfig(**SMALL), pool)
    again = RunRecord.from_json(record.to_json())
    assert again.to_json() == record.to_json()
    assert again.layers == ["hidden_1", "hidden_2", "hidden_3"]
    assert again.steps == [0, 5, 10, 15, 20]


def test_tidy_frame_has_one_row_per_step_layer_and_metric(pool):
    record = run_to_end(RunConfig(**SMALL), pool)
    frame = record.to_frame()
    assert len(frame) == 5 * 3 * len(LAYER_METRICS)
    row = frame[(frame.step == 10) & (frame.layer == "hidden_2") & (frame.metric == "grad_norm")]
    assert row.value.item() == pytest.approx(record.metric("grad_norm")[2, 1])


def test_last_step_has_no_update_and_so_no_update_ratio(pool):
    record = run_to_end(RunConfig(**SMALL), pool)
    ratios = record.metric("update_ratio")
    assert np.isfinite(ratios[:-1]).all() and np.isnan(ratios[-1]).all()
    assert json.loads(record.to_json())["metrics"]["update_ratio"][-1] == [None, None, None]


def test_steps_zero_measures_initialization_only(pool):
    record = run_to_end(RunConfig(**{**SMALL, "steps": 0}), pool)
    assert record.steps == [0] and record.status == "finished"


def test_stopping_between_frames_keeps_what_was_recorded(pool):
    run = train(RunConfig(**{**SMALL, "steps": 400, "record_every": 1}), pool)
    record = next(run)
    kept = list(record.steps)
    run.close()
    assert kept == record.steps and record.steps[0] == 0
    assert record.status == "running"


def test_frames_cover_every_recorded_step_exactly_once():
    recorded = RunConfig(steps=103, record_every=10).recorded_steps
    position, index, seen = 0, 0, []
    for budget in [1, 3, 50, 7, 1000, 1000]:
        gaps, updates, index = plan_frame(recorded, position, index, budget, 103, cut_after={4})
        for gap, update in zip(gaps, updates):
            position += gap
            seen.append(position)
            position += int(update)
    assert seen == recorded


def test_the_decision_boundary_is_sampled_on_a_schedule_that_ends_at_the_last_step():
    assert boundary_indices(4) == {0, 1, 2, 3}
    many = boundary_indices(1001)
    assert 0 in many and 1000 in many and len(many) <= 32


def test_two_runs_of_one_architecture_at_once_get_separate_trainers():
    pool = TrainerPool(max_idle=1)
    config = RunConfig(**SMALL)
    first, second = train(config, pool), train(config.replace(seed=5), pool)
    next(first), next(second)
    assert pool.built == 2
    first.close(), second.close()
    assert pool.idle_count() == 1  # bounded: one of the two is dropped


@pytest.mark.parametrize("dataset", DATASETS)
def test_cli_gives_a_valid_record_for_every_activation_and_initializer_preset(dataset, pool, capsys):
    initializers = ["glorot_normal", "he_normal", "lecun_normal", "orthogonal", *PRESETS]
    for activation in ACTIVATIONS:
        for initializer in initializers:
            code = main(["run", "--dataset", dataset, "--activation", activation, "--initializer", initializer,
                         "--samples", "100", "--depth", "2", "--width", "8", "--batch-size", "16", "--steps", "2",
                         "--record-every", "1", "--input-dim", "4", "--quiet", "--out", "-"], pool=pool)
            assert code == 0
            data = json.loads(capsys.readouterr().out)
            record = RunRecord.from_dict(data)
            assert data["schema"] == "gradflow.run/1" and data["config"]["initializer"] == initializer
            assert len(data["steps"]) == len(data["metrics"]["preact_ms"]) == len(data["loss"])
            assert record.status in ("finished", "diverged"), (activation, initializer)


def test_float16_underflows_gradients_that_float32_keeps(pool):
    base = dict(dataset="gaussian", input_dim=32, samples=256, depth=12, width=64, batch_size=256, steps=0,
                activation="sigmoid", initializer="glorot_normal")
    wide = run_to_end(RunConfig(precision="float32", **base), pool)
    half = run_to_end(RunConfig(precision="float16", **base), pool)
    zeros32 = np.asarray(wide.histograms["delta"]["zeros"][0])
    zeros16 = np.asarray(half.histograms["delta"]["zeros"][0])
    assert zeros32.sum() == 0
    assert zeros16[0] > 0, "the first layer's tiny gradients round to 0 in float16"
