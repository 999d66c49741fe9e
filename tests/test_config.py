import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import ConfigError, RunConfig, parse_value

BAD_VALUES = [
    ("dataset", "mnist"), ("samples", 5), ("samples", 20001), ("noise", -0.1), ("noise", 3.0),
    ("input_dim", 0), ("depth", 0), ("depth", 101), ("depth", 2.5), ("width", 0), ("width", 1025),
    ("activation", "relu6"), ("alpha", -0.1), ("alpha", 2.0), ("batchnorm", "yes"),
    ("initializer", "he_nromal"), ("initializer", {"class_name": "NoSuchInit"}), ("initializer", 3),
    ("bias_initializer", "bogus"), ("optimizer", "lbfgs"), ("learning_rate", 0.0), ("learning_rate", -1.0),
    ("learning_rate", 1e5), ("learning_rate", float("nan")), ("momentum", 1.0), ("weight_decay", -0.5),
    ("batch_size", 0), ("batch_size", 4097), ("steps", -1), ("steps", 5001), ("record_every", 0),
    ("seed", -1), ("seed", True), ("precision", "float64"), ("cpu", "no"),
]


@pytest.mark.parametrize("field,value", BAD_VALUES)
def test_every_invalid_field_gives_an_error_naming_field_value_and_what_is_allowed(field, value):
    with pytest.raises(ConfigError) as caught:
        RunConfig(**{field: value})
    message = str(caught.value)
    assert caught.value.field == field
    assert message.startswith(f"{field} = ")
    assert repr(value)[:12] in message or str(value)[:12] in message
    assert "not allowed:" in message and len(caught.value.allowed) > 5


def test_limits_follow_the_hosts_environment(monkeypatch):
    monkeypatch.setenv("GRADFLOW_MAX_DEPTH", "8")
    with pytest.raises(ConfigError, match="GRADFLOW_MAX_DEPTH"):
        RunConfig(depth=9)
    assert RunConfig(depth=8).depth == 8


def test_too_many_recorded_steps_are_refused_with_the_smallest_allowed_interval():
    with pytest.raises(ConfigError, match="at least 6 for 5000 steps"):
        RunConfig(steps=5000, record_every=1)


def test_unknown_fields_are_refused():
    with pytest.raises(ConfigError, match="not a RunConfig field"):
        RunConfig.from_dict({"depht": 3})


def test_config_pickles_and_round_trips_through_a_dict():
    config = RunConfig(initializer={"class_name": "RandomUniform", "config": {"minval": -0.03, "maxval": 0.03}})
    assert pickle.loads(pickle.dumps(config)) == config
    assert RunConfig.from_dict(config.to_dict()) == config


def test_recorded_steps_are_step_zero_every_interval_and_the_last():
    assert RunConfig(steps=12, record_every=5).recorded_steps == [0, 5, 10, 12]
    assert RunConfig(steps=0).recorded_steps == [0]


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(["depth", "width", "steps", "batch_size", "samples", "seed", "learning_rate",
                              "noise", "alpha", "activation", "dataset", "precision", "cpu"]),
       text=st.text(max_size=12))
def test_any_text_for_a_field_is_either_accepted_or_refused_clearly(field, text):
    try:
        config = RunConfig(**{field: parse_value(field, text)})
    except ConfigError as error:
        assert error.field == field and "not allowed" in str(error)
    else:
        assert getattr(config, field) == parse_value(field, text)
