"""Weight initializers a run names, as Keras config dicts, with no TensorFlow.

core/engine/initializers.py resolves and builds any Keras identifier or config dict through Keras. The names
offered in menus and the teaching presets are known here, so that checking a config, reading a lesson link
or drawing a theory line for them loads no TensorFlow. tests/test_initializer_table.py holds each entry to
what Keras itself says.
"""

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

DICT_KEYS = {"class_name", "config", "module", "registered_name"}

# Keras's variance-scaling identifiers: (scale, mode), Var(W) = scale / n with n = fan_in, fan_out or their mean.
VARIANCE_SCALING = {
    "glorot_normal": (1.0, "fan_avg"), "glorot_uniform": (1.0, "fan_avg"),
    "he_normal": (2.0, "fan_in"), "he_uniform": (2.0, "fan_in"),
    "lecun_normal": (1.0, "fan_in"), "lecun_uniform": (1.0, "fan_in"),
}

# Keras's other plain identifiers known here, by the class Keras makes of each (none has a parameter the
# theory reads: it draws no line for them).
NAMED_CLASSES = {"zeros": "Zeros", "ones": "Ones", "orthogonal": "Orthogonal"}

# Identifiers and presets that make any tensor of these ranks with finite values (Keras's Orthogonal needs
# at least two dimensions): checked here without drawing a sample.
MAKES_ANY_SHAPE = {
    2: {*VARIANCE_SCALING, *NAMED_CLASSES, *PRESETS},
    1: {*VARIANCE_SCALING, *(set(NAMED_CLASSES) - {"orthogonal"}), *PRESETS},
}


def variance_scaling(sigma_w: float) -> dict:
    """Var(W) = sigma_w^2 / fan_in: the mean-field parametrisation (ReLU's edge of chaos is sigma_w = sqrt 2)."""
    return {
        "class_name": "VarianceScaling",
        "config": {"scale": float(sigma_w) ** 2, "mode": "fan_in", "distribution": "untruncated_normal"},
    }


def constant(value: float) -> dict:
    return {"class_name": "Constant", "config": {"value": float(value)}}


LARGEST_KNOWN = 1e30  # far inside float32's range (3.4e38), so a sample of any of these stays finite
LARGEST_WHOLE = 2**31  # Keras turns a Python int into a tensor before casting it: one beyond int64 fails


def _plain_number(value) -> bool:
    """A number, not a bool, small enough that Keras makes finite float32 values of it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) <= (LARGEST_WHOLE if isinstance(value, int) else LARGEST_KNOWN)


# Config dicts of the kinds this table and the lessons make (variance_scaling, constant, the presets), each
# field's allowed values as a check: a dict of exactly these fields makes any tensor with finite values.
VARIANCE_SCALING_MODES = ("fan_in", "fan_out", "fan_avg")
VARIANCE_SCALING_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")
MAKES_ANY_DICT = {
    "Zeros": {},
    "Ones": {},
    "Constant": {"value": _plain_number},
    "RandomNormal": {"mean": _plain_number, "stddev": lambda value: _plain_number(value) and value >= 0},
    "VarianceScaling": {"scale": lambda value: _plain_number(value) and value > 0,
                        "mode": lambda value: value in VARIANCE_SCALING_MODES,
                        "distribution": lambda value: value in VARIANCE_SCALING_DISTRIBUTIONS},
}


def _known_dict(spec) -> bool:
    """A {"class_name", "config"} dict of MAKES_ANY_DICT's kinds, every field given and allowed (a missing
    field would take Keras's default, which only Keras knows)."""
    if not isinstance(spec, dict) or set(spec) != {"class_name", "config"} or not isinstance(spec["config"], dict):
        return False
    fields = MAKES_ANY_DICT.get(spec["class_name"]) if isinstance(spec["class_name"], str) else None
    config = spec["config"]
    return fields is not None and set(config) == set(fields) and all(allowed(config[name]) for name, allowed in fields.items())


def makes_any(spec, shape) -> bool:
    """True when `spec` is a name or a dict known here to make a tensor of this shape (else Keras must be
    asked): so the presets and the lessons' dicts are checked without loading TensorFlow."""
    if not all(isinstance(size, int) and not isinstance(size, bool) and size >= 1 for size in shape):
        return False
    if isinstance(spec, str):
        return spec in MAKES_ANY_SHAPE.get(len(shape), ())
    return len(shape) in MAKES_ANY_SHAPE and _known_dict(spec)
