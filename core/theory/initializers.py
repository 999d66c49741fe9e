"""sigma_w and the bias of the project's initializers, where mean-field theory defines them.

The theory needs each weight's variance, Var(W) = sigma_w^2 / fan_in, with zero-mean independent weights:
- the variance-scaling family (VarianceScaling, Glorot, He, LeCun, normal or uniform): Var(W) = scale / n,
  n = fan_in, fan_out or their mean by mode, so sigma_w^2 = scale * fan_in / n (Keras's truncated normal
  is rescaled to keep that variance);
- RandomNormal(0, s): sigma_w^2 = s^2 fan_in; TruncatedNormal(0, s), cut at 2 s without rescaling:
  0.774 s^2 fan_in; RandomUniform(-r, r): r^2 / 3 fan_in.
Orthogonal, identity, constant and zero kernels are not i.i.d. random weights: no prediction.

Biases: zeros (sigma_b = 0), RandomNormal(m, s) (a random bias of spread s around m) and Constant(c), which
is not random: the theory shifts every unit's pre-activation by c instead (core/theory/meanfield.py).
"""
from dataclasses import dataclass

from core.initializer_table import NAMED_CLASSES, PRESETS, VARIANCE_SCALING

TRUNCATED_VARIANCE = 0.7737413  # variance of a standard normal cut at +-2


class NotCovered(ValueError):
    """The theory has no prediction for this configuration; the message says why."""


@dataclass(frozen=True)
class Bias:
    mean: float  # a constant shift of every unit (0 for a zero-mean random bias)
    std: float  # sigma_b: the spread of a random bias


def _initializer(spec):
    import keras  # here: the names and dicts that _known() reads need no Keras

    from core.engine import initializers

    return keras.initializers.get(initializers.resolve(spec))


def _known(spec):
    """(class name, config) of a name or dict that core/initializer_table.py makes, without Keras; else None.
    Only whole dicts of these classes qualify: Keras fills a missing field with its own default."""
    if isinstance(spec, str) and spec in PRESETS:
        spec = PRESETS[spec]
    if isinstance(spec, str) and spec in VARIANCE_SCALING:
        scale, mode = VARIANCE_SCALING[spec]
        return "VarianceScaling", {"scale": scale, "mode": mode}
    if isinstance(spec, str) and spec in NAMED_CLASSES:
        return NAMED_CLASSES[spec], {}
    if isinstance(spec, dict) and set(spec) == {"class_name", "config"} and isinstance(spec["config"], dict):
        name, config = spec["class_name"], spec["config"]
        needs = {"VarianceScaling": {"scale", "mode"}, "RandomNormal": {"mean", "stddev"},
                 "Constant": {"value"}, "Zeros": set(), "Ones": set()}.get(name)
        if needs is not None and needs <= set(config) and config.get("mode", "fan_in") in ("fan_in", "fan_out", "fan_avg") \
                and all(isinstance(config[key], (int, float)) and not isinstance(config[key], bool) for key in needs - {"mode"}):
            return name, config
    return None


def _class_and_config(spec):
    known = _known(spec)
    if known is not None:
        return known
    import keras

    init = _initializer(spec)
    if isinstance(init, keras.initializers.VarianceScaling):
        return "VarianceScaling", {"scale": init.scale, "mode": init.mode}
    return type(init).__name__, init.get_config()


def weight_variance(spec, fan_in: int, fan_out: int) -> float:
    """Var(W) of one kernel entry, or NotCovered."""
    name, config = _class_and_config(spec)
    if name == "VarianceScaling":
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[config["mode"]]
        return config["scale"] / max(n, 1.0)
    if name == "RandomNormal" and config.get("mean", 0.0) == 0:
        return config["stddev"] ** 2
    if name == "TruncatedNormal" and config.get("mean", 0.0) == 0:
        return TRUNCATED_VARIANCE * config["stddev"] ** 2
    if name == "RandomUniform" and config["minval"] == -config["maxval"]:
        return config["maxval"] ** 2 / 3
    raise NotCovered(f"the kernel initializer {name} is not a zero-mean i.i.d. random one (variance scaling, "
                     "random normal or symmetric uniform), so mean-field theory has no sigma_w for it")


def sigma_w(spec, fan_in: int, fan_out: int) -> float:
    """sqrt(Var(W) fan_in): the theory's weight scale for a layer of this shape."""
    return (weight_variance(spec, fan_in, fan_out) * fan_in) ** 0.5


def bias(spec) -> Bias:
    name, config = _class_and_config(spec)
    if name == "Zeros":
        return Bias(0.0, 0.0)
    if name == "Constant":
        return Bias(float(config["value"]), 0.0)
    if name == "RandomNormal":
        return Bias(float(config.get("mean", 0.0)), float(config["stddev"]))
    raise NotCovered(f"the bias initializer {name} is neither zeros, a constant nor random normal")


def random_normal_bias(sigma_b: float):
    """The bias of the phase diagram's point: N(0, sigma_b^2) per unit ("zeros" when sigma_b is 0)."""
    if sigma_b == 0:
        return "zeros"
    return {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": float(sigma_b)}}
