"""Weight initializers: any Keras identifier or config dict, plus named teaching presets."""
import copy

import keras

# Presets a teacher reaches for; each is a plain Keras config dict.
PRESETS = {
    "too_small": {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.01}},
    "too_large": {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 1.0}},
    "zeros": {"class_name": "Zeros", "config": {}},
}

# The identifiers offered in menus (Keras accepts more; every Keras identifier is valid).
COMMON_KERNEL_INITIALIZERS = (
    "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform",
    "orthogonal", "too_small", "too_large", "zeros",
)


def variance_scaling(sigma_w: float) -> dict:
    """Var(W) = sigma_w^2 / fan_in: the mean-field parametrisation (ReLU's edge of chaos is sigma_w = sqrt 2)."""
    return {
        "class_name": "VarianceScaling",
        "config": {"scale": float(sigma_w) ** 2, "mode": "fan_in", "distribution": "untruncated_normal"},
    }


def constant(value: float) -> dict:
    return {"class_name": "Constant", "config": {"value": float(value)}}


def resolve(spec):
    """The Keras config dict for an identifier, preset name or config dict (raises ValueError if unknown)."""
    if isinstance(spec, str) and spec in PRESETS:
        spec = PRESETS[spec]
    spec = copy.deepcopy(spec)
    try:
        initializer = keras.initializers.get(spec)
    except Exception as error:  # Keras raises ValueError or TypeError depending on the input
        raise ValueError(str(error)) from None
    if initializer is None:
        raise ValueError("no initializer given")
    return keras.initializers.serialize(initializer)


def build(spec, seed: int):
    """A seeded Keras initializer, so the same seed gives the same weights."""
    config = resolve(spec)
    config = copy.deepcopy(config)
    inner = config.setdefault("config", {})
    initializer = keras.initializers.deserialize(config)
    if "seed" in initializer.get_config():
        inner["seed"] = int(seed)
        initializer = keras.initializers.deserialize(config)
    return initializer
