"""core/initializer_table.py knows, without Keras, what Keras says of the names it lists."""
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.engine import initializers
from core.initializer_table import (MAKES_ANY_DICT, MAKES_ANY_SHAPE, NAMED_CLASSES, PRESETS, VARIANCE_SCALING,
                                    VARIANCE_SCALING_DISTRIBUTIONS, VARIANCE_SCALING_MODES, makes_any)

SHAPES = {2: [(2, 32), (32, 32), (64, 3), (1, 1)], 1: [(32,), (1,), (7,)]}


@pytest.mark.parametrize("rank", sorted(MAKES_ANY_SHAPE))
def test_every_name_said_to_make_any_shape_makes_finite_values_of_that_shape_in_keras(rank):
    for name in sorted(MAKES_ANY_SHAPE[rank]):
        for shape in SHAPES[rank]:
            assert makes_any(name, shape)
            values = np.asarray(initializers.build(name, seed=0)(shape))
            assert values.shape == shape and np.isfinite(values).all(), (name, shape)


def test_orthogonal_is_not_said_to_make_a_bias_and_keras_agrees():
    assert not makes_any("orthogonal", (32,))
    with pytest.raises(ValueError):
        initializers.resolve("orthogonal", (32,))


def test_each_variance_scaling_name_has_keras_own_scale_and_mode():
    for name, (scale, mode) in VARIANCE_SCALING.items():
        made = keras.initializers.get(name)
        assert isinstance(made, keras.initializers.VarianceScaling), name
        assert (made.scale, made.mode) == (scale, mode), name


def test_each_plain_name_is_the_class_keras_makes_of_it():
    for name, class_name in NAMED_CLASSES.items():
        assert type(keras.initializers.get(name)).__name__ == class_name, name


def test_the_presets_are_what_the_engine_resolves():
    for name, config in PRESETS.items():
        assert initializers.resolve(name)["class_name"] == config["class_name"]
        assert initializers.resolve(name)["config"].items() >= config["config"].items()


KNOWN_SPECS = [*VARIANCE_SCALING, *PRESETS, "zeros", "ones", "orthogonal", {"class_name": "Ones", "config": {}},
               {"class_name": "VarianceScaling", "config": {"scale": 4.0, "mode": "fan_in", "distribution": "untruncated_normal"}},
               {"class_name": "VarianceScaling", "config": {"scale": 0.5, "mode": "fan_avg"}},
               {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.3}},
               {"class_name": "Constant", "config": {"value": -1.5}}]


def numbers_of(theory, spec):
    """What the theory says of spec: kernel variances at three shapes, and the bias (NotCovered as its name)."""
    said = []
    for fans in ((2, 32), (32, 32), (64, 3)):
        try:
            said.append(theory.weight_variance(spec, *fans))
        except theory.NotCovered:
            said.append("not covered")
    try:
        said.append(theory.bias(spec))
    except theory.NotCovered:
        said.append("not covered")
    return said


def test_the_theory_reads_the_known_initializers_as_keras_does(monkeypatch):
    from core.theory import initializers as theory

    for spec in KNOWN_SPECS:
        assert theory._known(spec) is not None, spec
        without_keras = numbers_of(theory, spec)
        with monkeypatch.context() as patched:
            patched.setattr(theory, "_known", lambda spec: None)  # the Keras path, for the same spec
            with_keras = numbers_of(theory, spec)
        assert without_keras == pytest.approx(with_keras) if all(isinstance(v, float) for v in with_keras[:3]) \
            else without_keras == with_keras, spec


def test_a_dict_with_a_missing_field_goes_to_keras_for_its_default():
    from core.theory import initializers as theory

    assert theory._known({"class_name": "RandomNormal", "config": {"mean": 0.0}}) is None  # Keras's stddev 0.05
    assert theory.weight_variance({"class_name": "RandomNormal", "config": {"mean": 0.0}}, 32, 32) == pytest.approx(0.05 ** 2)


def test_every_initializer_of_every_lesson_is_checked_without_keras():
    from core.lessons.presets import PRESETS as LESSONS

    for lesson in LESSONS:
        for label, run in lesson.runs:
            for field in ("initializer", "bias_initializer"):
                spec = run.get(field)
                if spec is not None:
                    shape = (32, 32) if field == "initializer" else (32,)
                    assert makes_any(spec, shape), (lesson.name, label, field, spec)


NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**40, 10**40), st.booleans(),
                    st.sampled_from([0.0, -0.0, 1e30, 1e31, 1e38, 3.4e38, 1e-45]))
FIELD_VALUES = st.one_of(NUMBERS, st.sampled_from([*VARIANCE_SCALING_MODES, *VARIANCE_SCALING_DISTRIBUTIONS, "fan", None]))


@st.composite
def dicts_of_known_kinds(draw):
    """Config dicts of MAKES_ANY_DICT's kinds, with every field, some fields, or some more, of any value."""
    name = draw(st.sampled_from(sorted(MAKES_ANY_DICT)))
    fields = sorted(MAKES_ANY_DICT[name])
    kept = draw(st.lists(st.sampled_from(fields), unique=True)) if fields and draw(st.booleans()) else fields
    config = {field: draw(FIELD_VALUES) for field in kept}
    if draw(st.integers(0, 9)) == 0:
        config["seed"] = 3  # a field Keras knows but this table does not: Keras is asked
    return {"class_name": name, "config": config}


@settings(max_examples=300, deadline=None)
@given(spec=dicts_of_known_kinds(), shape=st.sampled_from([(2, 32), (32, 32), (1, 1), (7,), (32,)]))
def test_a_dict_said_to_make_any_shape_is_accepted_by_keras_with_finite_values(spec, shape):
    if makes_any(spec, shape):
        initializers.resolve(spec, shape)  # raises ValueError when Keras cannot make it, or makes non-finite values


def test_dicts_that_keras_refuses_or_that_overflow_float32_are_left_to_keras():
    for spec in ({"class_name": "VarianceScaling", "config": {"scale": 0.0, "mode": "fan_in", "distribution": "uniform"}},
                 {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan", "distribution": "uniform"}},
                 {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 1e38}},
                 {"class_name": "Constant", "config": {"value": float("inf")}},
                 {"class_name": "Constant", "config": {"value": True}},
                 {"class_name": "Constant", "config": {"value": 10**20}},  # Keras cannot make a tensor of it
                 {"class_name": "Constant", "config": {"value": 2**63}},
                 {"class_name": "Constant", "config": {"value": [1.0, 2.0]}},
                 {"class_name": "Constant", "config": {"value": 1.0}, "module": "keras.initializers"}):
        assert not makes_any(spec, (32, 32)), spec
    assert not makes_any({"class_name": "Constant", "config": {"value": 1.0}}, (0, 32))
