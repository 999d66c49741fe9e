"""core/initializer_table.py knows, without Keras, what Keras says of the names it lists."""
import keras
import numpy as np
import pytest

from core.engine import initializers
from core.initializer_table import MAKES_ANY_SHAPE, PRESETS, VARIANCE_SCALING, makes_any

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


def test_the_presets_are_what_the_engine_resolves():
    for name, config in PRESETS.items():
        assert initializers.resolve(name)["class_name"] == config["class_name"]
        assert initializers.resolve(name)["config"].items() >= config["config"].items()


KNOWN_SPECS = [*VARIANCE_SCALING, *PRESETS, "zeros",
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
