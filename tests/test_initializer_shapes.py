"""A Keras config dict is built at the network's real shapes before training: one that only broadcasts to a
small test shape is refused, naming the field, the value and the weights it cannot make (real TensorFlow)."""
import json

import pytest

from core import cli
from core.config import ConfigError, RunConfig
from core.export.import_record import read_record
from core.lessons.links import read_lesson
from core.outside_text import plain

THREE = {"class_name": "Constant", "config": {"value": [1, 2, 3]}}  # broadcasts to 4×3, not to 2×32
FOUR_ROWS = {"class_name": "Constant", "config": {"value": [[1], [2], [3], [4]]}}


@pytest.mark.parametrize("flag", ["--initializer", "--bias-initializer"])
@pytest.mark.parametrize("value", [THREE, FOUR_ROWS], ids=["[1,2,3]", "[[1],[2],[3],[4]]"])
def test_the_cli_refuses_an_initializer_that_cannot_make_the_networks_weights_with_status_2(capsys, flag, value):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--steps", "5", "--depth", "2", flag, json.dumps(value)])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert f"{flag}: " in error and "Constant" in error and "Traceback" not in error
    assert ("(2×32)" if flag == "--initializer" else "every hidden layer's bias (32)") in error


def test_the_shape_named_is_the_layer_that_fails():
    two_rows = {"class_name": "Constant", "config": {"value": [[1.0], [2.0]]}}  # fits a 2×n kernel only
    with pytest.raises(ConfigError) as refused:
        RunConfig(dataset="digits", width=3, depth=3, initializer=two_rows)
    assert "that can make the first layer's kernel (64×3)" in plain(refused.value)
    with pytest.raises(ConfigError) as refused:
        RunConfig(dataset="spirals", width=3, depth=3, initializer=two_rows)  # 2×3 is fine, 3×3 is not
    assert "that can make the hidden layers' kernels (3×3)" in plain(refused.value)
    assert RunConfig(dataset="spirals", width=3, depth=1, initializer=two_rows).depth == 1  # only 2×3 to make


def test_a_config_dict_seed_outside_the_engines_range_is_refused():
    with pytest.raises(ConfigError) as refused:
        RunConfig(initializer={"class_name": "RandomNormal", "config": {"seed": 1180591620717411303424}})
    assert "an integer from 0 to 4294967295 (here 1180591620717411303424)" in plain(refused.value)
    for seed in ("7", 1.5, True, -1):
        with pytest.raises(ConfigError):
            RunConfig(initializer={"class_name": "RandomNormal", "config": {"seed": seed}})
    assert RunConfig(initializer={"class_name": "RandomNormal", "config": {"seed": 7}}).seed == 0


def test_a_link_with_such_an_initializer_falls_back_with_a_message():
    lesson, messages = read_lesson({"initializer": json.dumps(THREE)})
    assert lesson.configs[0].initializer == "glorot_normal"
    assert any("Link parameter initializer" in plain(m) and "(2×32)" in plain(m) for m in messages), messages


def test_a_saved_run_whose_config_holds_such_an_initializer_is_refused(pool):
    from core.engine.run import run_to_end
    record = run_to_end(RunConfig(steps=2, depth=2, width=4, samples=50, record_every=1), pool)
    data = json.loads(record.to_json())
    data["config"]["initializer"] = THREE
    with pytest.raises(ValueError) as refused:
        read_record(json.dumps(data).encode(), "saved.json")
    assert "initializer" in plain(refused.value) and "(2×4)" in plain(refused.value)
