"""Every knob of core/knobs.py reaches every place derived from it; adding a row is enough for each of them."""
import dataclasses

import pytest

from core.cli import HELP, build_parser
from core.config import ConfigError, RunConfig, default_record_every
from core.knobs import BY_NAME, GRAPH_KNOBS, KNOBS
from core.limits import current_limits
from core.sweep.execute import architecture
from core.sweep.grid import AXES, NOT_SWEPT
from ui.controls.specs import NO_CONTROL_OF_ITS_OWN, lab_specs


def test_run_config_has_every_knob_in_the_tables_order_with_its_default():
    fields = dataclasses.fields(RunConfig)
    assert [field.name for field in fields] == [knob.name for knob in KNOBS]
    assert RunConfig().to_dict() == {knob.name: knob.default for knob in KNOBS}


def test_the_command_line_has_a_flag_and_help_for_every_knob():
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    flags = {option for action in run._actions for option in action.option_strings}
    for knob in KNOBS:
        assert f"--{knob.name.replace('_', '-')}" in flags, knob.name
        assert HELP[knob.name].startswith(knob.help), knob.name


def test_every_knob_but_those_built_from_others_has_a_lab_control_with_its_default():
    specs = lab_specs()
    for knob in KNOBS:
        if knob.name in NO_CONTROL_OF_ITS_OWN:
            continue
        spec = specs[f"lab_{knob.name}"]
        assert spec.default == knob.default, knob.name
        if knob.grid is not None:
            assert knob.default in spec.choices, knob.name


def test_a_lab_control_never_offers_what_validation_refuses():
    limits = current_limits()
    for key, spec in lab_specs().items():
        knob = BY_NAME.get(key.removeprefix("lab_"))
        if knob is None or knob.kind not in (int, float) or spec.choices is not None:
            continue
        high = getattr(limits, knob.high_limit) if knob.high_limit else knob.high
        assert knob.low <= spec.low and spec.high <= high, (knob.name, spec)
        for value in (spec.low, spec.high):
            if not (knob.low_open and value == knob.low):
                values = {knob.name: knob.kind(value)}
                if knob.name == "steps":  # the Lab sets record_every from the steps
                    values["record_every"] = default_record_every(int(value))
                RunConfig(**values)  # accepted


def test_the_momentum_slider_reaches_what_validation_allows():
    assert lab_specs()["lab_momentum"].high == BY_NAME["momentum"].high == 0.999


def test_validation_refuses_just_past_each_numeric_knobs_range_and_names_it():
    limits = current_limits()
    for knob in KNOBS:
        if knob.kind not in (int, float):
            continue
        high = getattr(limits, knob.high_limit) if knob.high_limit else knob.high
        for bad in (knob.low - 1 if knob.kind is int else knob.low - 0.5, high + 1):
            if knob.name == "record_every" and bad > high:
                continue  # record_every above steps is refused by the recorded-steps rule, not its range
            with pytest.raises(ConfigError) as refused:
                RunConfig(**{knob.name: knob.kind(bad)})
            assert refused.value.field == knob.name


def test_every_knob_but_the_seed_and_the_device_is_a_sweep_axis():
    assert set(NOT_SWEPT) == {"seed", "cpu"}
    assert {knob.name for knob in KNOBS} - set(NOT_SWEPT) <= set(AXES)


@pytest.mark.parametrize("knob", GRAPH_KNOBS, ids=lambda knob: knob.name)
def test_runs_that_differ_in_a_graph_knob_never_share_a_trainer(knob):
    other = {"depth": 11, "width": 64, "activation": "tanh", "alpha": 0.2, "optimizer": "adam",
             "momentum": 0.5, "weight_decay": 1e-3, "batch_size": 128, "precision": "float16"}.get(knob.name)
    if knob.kind is bool:
        other = not knob.default
    assert other is not None, f"give {knob.name} a value other than its default here"
    base = RunConfig(optimizer="momentum") if knob.name == "momentum" else RunConfig()
    assert architecture(base) != architecture(base.replace(**{knob.name: other}))


def test_runs_that_differ_only_in_what_the_graph_does_not_hold_share_a_trainer():
    base = RunConfig()
    for changes in ({"learning_rate": 0.5}, {"seed": 3}, {"steps": 40}, {"initializer": "he_normal"},
                    {"momentum": 0.5}):  # momentum without the momentum optimizer is not in the graph
        assert architecture(base) == architecture(base.replace(**changes)), changes
