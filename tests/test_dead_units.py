"""The units that die: each recorded unit's activity, what the caption says of it, and its heat map."""
import json

import numpy as np
import pytest

from core.charts.dead_units import units_heatmap
from core.config import RunConfig
from core.dead_units import DEAD_FOR, MOST_COLUMNS, activity_frame, drawn_steps, unit_fates
from core.engine.run import run_to_end
from core.export.import_record import read_record
from core.outside_text import plain
from core.record import RunRecord


@pytest.fixture(scope="module")
def dying(pool):
    # A ReLU net and a step too large: units die as it trains. Width 32: every unit is recorded.
    return run_to_end(RunConfig(depth=4, width=32, activation="relu", learning_rate=1.0, steps=200, record_every=5,
                                seed=4), pool)


def test_with_every_unit_recorded_the_dead_ones_are_the_records_dead_fraction(dying):
    block = dying.histograms["units"]
    assert block["index"] == list(range(32)) and block["examples"] == dying.config["batch_size"]
    counts = np.asarray(block["counts"])
    assert counts.shape == (len(dying.steps), 4, 32) and counts.min() >= 0 and counts.max() <= block["examples"]
    # two measurements of one thing: units at 0 examples, and the record's dead_fraction
    np.testing.assert_allclose((counts == 0).mean(axis=2), dying.metric("dead_fraction"), atol=1e-6)
    # and the mean of the per-unit activity is 1 - sparsity (the fraction of exact zeros)
    np.testing.assert_allclose(counts.mean(axis=2) / block["examples"], 1 - dying.metric("sparsity"), atol=1e-5)


def test_units_die_as_a_relu_net_with_a_large_step_trains_and_the_caption_counts_them(dying):
    fates = unit_fates(dying, 1)
    assert fates.dead_at_end > fates.dead_at_start and fates.died > 0 and fates.first_death is not None
    frame = activity_frame(dying, 1)
    assert len(frame) == len(dying.steps) * 32
    last = frame[frame.step == dying.steps[-1]]
    assert (last.examples == 0).sum() == fates.dead_at_end


def record_with(counts, examples=10) -> RunRecord:
    """A record whose only content is the units' activity of one layer (counts: [step, unit])."""
    counts = np.asarray(counts)
    steps = list(range(0, 10 * len(counts), 10))
    return RunRecord(config={"width": counts.shape[1]}, device="cpu", layers=["hidden_1"], steps=steps,
                     histograms={"units": {"index": list(range(counts.shape[1])), "examples": examples,
                                           "counts": [row[None] for row in counts]}})


def test_a_unit_that_flickers_is_not_a_unit_that_came_back():
    dead_for_long = [5, 0, 0, 0, 0, 7]  # dead DEAD_FOR steps in a row or more, then alive: its row lights up again
    flickers = [5, 0, 6, 0, 4, 5]
    dies = [9, 9, 0, 0, 0, 0]
    always = [10, 10, 10, 10, 10, 10]
    fates = unit_fates(record_with(np.array([dead_for_long, flickers, dies, always]).T), 1)
    assert DEAD_FOR <= 4
    assert (fates.dead_at_start, fates.dead_at_end, fates.died, fates.came_back) == (0, 1, 1, 1)
    assert fates.first_death == 10  # step 10: the first unit alive at step 0 found dead


def test_a_long_run_draws_at_most_150_steps_with_its_first_and_last():
    picked = drawn_steps(1000)
    assert len(picked) == MOST_COLUMNS and picked[0] == 0 and picked[-1] == 999 and np.all(np.diff(picked) > 0)
    assert list(drawn_steps(7)) == list(range(7))


def test_the_heat_map_draws_each_unit_at_each_step_with_black_for_dead(dying):
    figure = units_heatmap(dying, 2)
    rows = figure.data["rows"]
    np.testing.assert_allclose(rows.alive, rows.examples / dying.config["batch_size"])
    assert (rows.until > rows.step).all()
    assert "datum.examples == 0" in json.dumps(figure.spec)  # dead cells take the dead colour, whatever the scale


def damaged(record, change) -> bytes:
    data = json.loads(record.to_json())
    change(data["histograms"]["units"])
    return json.dumps(data).encode()


@pytest.mark.parametrize("change, reason", [
    (lambda block: block.update(index=[0, 40]), "histograms.units.index: 1 to 32 increasing unit indices from 0 to 31"),
    (lambda block: block.update(index=[3, 2]), "increasing unit indices"),
    (lambda block: block.update(examples=0), "histograms.units.examples = 0 is not allowed"),
    (lambda block: block["counts"][0][0].__setitem__(0, 10**6), "whole numbers of examples from 0 to 64"),
    (lambda block: block["counts"].pop(), "histograms.units.counts has shape"),
    (lambda block: block.update(counts="many"), "an object with lists index and counts"),
])
def test_a_record_with_a_damaged_units_block_is_refused_naming_it(dying, change, reason):
    with pytest.raises(ValueError) as refused:
        read_record(damaged(dying, change), "run.json")
    assert reason in plain(refused.value)


def test_a_record_written_before_the_units_were_recorded_still_opens(dying):
    data = json.loads(dying.to_json())
    del data["histograms"]["units"]
    again = read_record(json.dumps(data).encode(), "old.json")
    assert "units" not in again.histograms
    np.testing.assert_array_equal(again.metric("dead_fraction"), dying.metric("dead_fraction"))


def test_a_sigmoid_layer_is_never_exactly_0_and_the_caption_can_say_so(pool):
    record = run_to_end(RunConfig(depth=2, width=8, activation="sigmoid", steps=20, record_every=5), pool)
    fates = unit_fates(record, 1)
    assert not fates.ever_zero and fates.dead_at_end == 0
    assert unit_fates(record_with([[10, 3]]), 1).ever_zero
