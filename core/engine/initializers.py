"""Weight initializers: any Keras identifier or config dict, plus named teaching presets."""
import copy
import functools
import json

import keras
import numpy as np

from core.initializer_table import DICT_KEYS, PRESETS


def resolve(spec, shape=None):
    """The Keras config dict for an identifier, preset name or config dict (raises ValueError if unknown).
    With a shape, the initializer also has to make finite values of that shape: a config dict whose values
    are wrong ({"class_name": "Orthogonal", "config": {"gain": "big"}}) fails here, not in training."""
    if isinstance(spec, str) and spec in PRESETS:
        spec = PRESETS[spec]
    if isinstance(spec, dict):
        # Only Keras's own initializers: a dict from a link must not name other modules or classes.
        if set(spec) - DICT_KEYS or not isinstance(spec.get("config", {}), dict):
            raise ValueError('a Keras config dict has "class_name" and a "config" dict, nothing else')
        if spec.get("module") not in (None, "keras.initializers") or spec.get("registered_name") not in (None, spec.get("class_name")):
            raise ValueError("only Keras's own initializers are allowed")
    spec = copy.deepcopy(spec)
    try:
        initializer = keras.initializers.get(spec)
    except Exception as error:  # Keras raises ValueError or TypeError depending on the input
        raise ValueError(str(error)) from None
    if initializer is None:
        raise ValueError("no initializer given")
    config = keras.initializers.serialize(initializer)
    if shape is not None:
        _check_sample(json.dumps(config, sort_keys=True), tuple(shape))
    return config


@functools.lru_cache(maxsize=256)
def _check_sample(config_json: str, shape: tuple) -> None:
    """Draw one small sample (cached, so validating a config on every rerun costs nothing twice)."""
    try:
        values = np.asarray(build(json.loads(config_json), seed=0)(shape))  # seeded: no global RNG
    except Exception as error:  # TensorFlow raises many kinds; none may escape as a raw TensorFlow error
        raise ValueError(f"it cannot make a {'x'.join(map(str, shape))} tensor ({type(error).__name__})") from None
    if values.shape != shape or not np.isfinite(values).all():
        raise ValueError("it makes values that are not finite numbers")


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
