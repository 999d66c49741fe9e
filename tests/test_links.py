"""Lesson links: config -> URL -> config is exact, and no link, however tampered, raises."""
import json
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import cli
from core.activation_table import ACTIVATIONS
from core.config import RunConfig
from core.initializer_table import COMMON_KERNEL_INITIALIZERS, constant, variance_scaling
from core.knobs import DATASETS, OPTIMIZERS, PRECISIONS
from core.lessons.links import FIELDS, MAX_RUNS, Lesson, lesson_params, read_lesson
from core.lessons.presets import BY_NAME, PRESETS
from core.outside_text import plain


def finite(low, high):
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


kernels = st.one_of(st.sampled_from(COMMON_KERNEL_INITIALIZERS), finite(0.1, 4.0).map(variance_scaling),
                    st.just({"class_name": "Orthogonal", "config": {"gain": 1.5, "seed": None}}))
biases = st.one_of(st.just("zeros"), finite(-5, 5).map(constant))


@st.composite
def config_values(draw):
    """The fields of a valid RunConfig (built in the test: Keras's initializers draw seeds with `random`)."""
    steps = draw(st.integers(0, 5000))
    return dict(
        dataset=draw(st.sampled_from(DATASETS)), samples=draw(st.integers(10, 20000)), noise=draw(finite(0, 2)),
        input_dim=draw(st.integers(1, 1024)), depth=draw(st.integers(1, 100)), width=draw(st.integers(1, 1024)),
        activation=draw(st.sampled_from(ACTIVATIONS)), alpha=draw(finite(0, 1)), batchnorm=draw(st.booleans()),
        initializer=draw(kernels), bias_initializer=draw(biases), optimizer=draw(st.sampled_from(OPTIMIZERS)),
        learning_rate=draw(finite(1e-6, 1e4)), momentum=draw(finite(0, 0.999)), weight_decay=draw(finite(0, 1)),
        batch_size=draw(st.integers(1, 4096)), steps=steps,
        record_every=draw(st.integers(max(1, -(-steps // 998)), max(1, steps or 1))),
        seed=draw(st.integers(0, 2**31 - 1)), precision=draw(st.sampled_from(PRECISIONS)), cpu=draw(st.booleans()))


field_sets = st.frozensets(st.sampled_from(FIELDS), max_size=4)


def through_the_url(params: dict) -> dict:
    """What a browser sends back: the query string, encoded and decoded."""
    return dict(parse_qsl(urlencode(params), keep_blank_values=True))


@settings(max_examples=150, deadline=None)
@given(values=config_values(), lock=field_sets, hide=field_sets)
def test_a_lab_lesson_survives_the_round_trip_through_its_url_exactly(values, lock, hide):
    config = RunConfig(**values)
    lesson = Lesson(configs=(config,), lock=lock, hide=hide)
    restored, messages = read_lesson(through_the_url(lesson_params(lesson)))
    assert messages == []
    assert restored == lesson
    assert restored.configs[0].key() == config.key()


@settings(max_examples=80, deadline=None)
@given(runs=st.lists(config_values(), min_size=2, max_size=MAX_RUNS), lock=field_sets)
def test_a_comparison_survives_the_round_trip_through_its_url_exactly(runs, lock):
    runs = [RunConfig(**values) for values in runs]
    # A comparison's runs share the data and the schedule, as Compare builds them.
    shared = {name: getattr(runs[0], name) for name in ("dataset", "samples", "noise", "input_dim", "batch_size",
                                                        "steps", "record_every", "seed")}
    runs = [runs[0]] + [run.replace(**shared) for run in runs[1:]]
    lesson = Lesson(configs=tuple(runs), lock=lock)
    restored, messages = read_lesson(through_the_url(lesson_params(lesson)), comparison=True)
    assert messages == [] and restored == lesson


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_every_preset_survives_the_round_trip_in_compare_and_each_of_its_runs_in_the_lab(preset):
    lesson = Lesson(configs=tuple(preset.configs), preset=preset.name)
    assert read_lesson(through_the_url(lesson_params(lesson)), comparison=True) == (lesson, [])
    for run, config in enumerate(preset.configs, start=1):
        single = Lesson(configs=(config,), preset=preset.name, run=run)
        assert read_lesson(through_the_url(lesson_params(single))) == (single, [])
    # preset= alone is enough to open it
    assert read_lesson({"preset": preset.name}, comparison=True)[0].configs == tuple(preset.configs)


keys = st.one_of(st.sampled_from(FIELDS + ("preset", "runs", "run", "lock", "hide")),
                 st.sampled_from(FIELDS).map(lambda name: f"run{3}.{name}"), st.text(max_size=12))
values = st.one_of(st.text(max_size=40), st.sampled_from(["1e999", "nan", "-1", "100000", "{", "{}", "[]", "true",
                   '{"class_name": "Orthogonal", "config": {"gain": "big"}}', '{"module": "os", "class_name": "system"}',
                   "sigmoid_vs_relu", "depth,initializer", "0", "5"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=st.dictionaries(keys, values, max_size=8), comparison=st.booleans())
def test_any_query_string_gives_valid_configs_and_never_raises(params, comparison):
    lesson, messages = read_lesson(params, comparison=comparison)
    assert 1 <= len(lesson.configs) <= MAX_RUNS
    for config in lesson.configs:
        assert RunConfig.from_dict(config.to_dict()) == config  # valid under the host's limits
    assert all(isinstance(message, str) for message in messages)


@pytest.mark.parametrize("key,value,named", [
    ("depth", "100000", "Link parameter depth: depth = 100000 is not allowed: an integer from 1 to 100"),
    ("activation", "relu6", "Link parameter activation: activation = 'relu6' is not allowed: one of sigmoid"),
    ("initializer", '{"class_name": "Orthogonal", "config": {"gain": ', "valid JSON for a Keras config dict"),
    ("initializer", '{"class_name": "Orthogonal", "config": {"gain": "big"}}', "cannot make a 2x32 tensor"),
    ("initializer", '{"module": "os", "class_name": "system", "config": {}}', "only Keras's own initializers"),
    ("learning_rate", "nan", "Link parameter learning_rate"),
    ("batchnorm", "maybe", "Link parameter batchnorm: batchnorm = 'maybe' is not allowed: true or false"),
    ("residual", "maybe", "Link parameter residual: residual = 'maybe' is not allowed: true or false"),
    ("steps", "5000", "Link parameter record_every"),  # 5000 steps, recorded every 5: too many for the host
    ("preset", "no_such_lesson", "preset = 'no_such_lesson' is not a preset"),
    ("runs", "9", "Link parameter runs = '9' is not allowed: an integer from 2 to 4"),
])
def test_a_tampered_link_names_the_parameter_and_falls_back_to_a_safe_value(key, value, named):
    params = {"record_every": "5"} if key == "steps" else {}
    lesson, messages = read_lesson({**params, key: value}, comparison=key == "runs")
    assert any(named in plain(message) for message in messages), messages
    safe = RunConfig()
    config = lesson.configs[0]
    if key in FIELDS and key != "steps":
        assert getattr(config, key) == getattr(safe, key)
    if key == "steps":
        assert config.steps == 5000 and config.steps // config.record_every + 2 <= 1000


def test_host_limits_apply_to_links(monkeypatch):
    monkeypatch.setenv("GRADFLOW_MAX_DEPTH", "12")
    lesson, messages = read_lesson({"depth": "13"})
    assert lesson.configs[0].depth == 10 and "set by GRADFLOW_MAX_DEPTH" in messages[0]
    assert read_lesson({"depth": "12"})[0].configs[0].depth == 12


def test_the_cli_refuses_a_keras_config_dict_with_wrong_values_with_status_2_naming_the_flag(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--initializer", json.dumps({"class_name": "Orthogonal", "config": {"gain": "big"}})])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "--initializer" in error and "Orthogonal" in error and "Traceback" not in error


def test_a_bias_initializer_that_cannot_make_a_vector_is_refused_before_training():
    with pytest.raises(ValueError) as refused:
        RunConfig(bias_initializer="orthogonal")
    assert "bias_initializer = 'orthogonal'" in plain(refused.value)


def test_presets_are_known_to_links():
    assert set(BY_NAME) == {p.name for p in PRESETS}
