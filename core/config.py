"""RunConfig: every knob of a run (the table in core/knobs.py), validated, picklable and JSON-friendly."""
import dataclasses
import json
import re
from typing import Any

from core.initializer_table import PRESETS, makes_any
from core.knobs import DATASETS, KNOBS
from core.limits import LIMIT_VARIABLES, current_limits
from core.outside_text import outside

TWO_D_DATASETS = ("spirals", "moons", "circles", "xor")  # generated in 2-D, with noise
UPLOAD_DATASET = re.compile(r"upload:[0-9a-f]{12}")  # an uploaded CSV, by its hash (core/engine/upload_store.py)
ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
ASCII_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
FIELD_NAME = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")  # a name no Markdown can read as emphasis


def is_upload(dataset) -> bool:
    return isinstance(dataset, str) and UPLOAD_DATASET.fullmatch(dataset) is not None


class ConfigError(ValueError):
    """A bad value: names the field, the value and what is allowed."""

    def __init__(self, field_name: str, value: Any, allowed: str):
        self.field = field_name
        self.value = value
        self.allowed = allowed
        name = field_name if FIELD_NAME.fullmatch(field_name) else outside(field_name)  # a record's unknown key
        super().__init__(f"{name} = {outside(value)} is not allowed: {allowed}")


class _RunConfigMethods:
    """RunConfig's methods; its fields are the rows of core/knobs.py's KNOBS, in their order."""

    def __post_init__(self):
        validate(self)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict):
        names = {f.name for f in dataclasses.fields(cls)}
        for name in values:
            if name not in names:
                raise ConfigError(name, values[name], f"not a RunConfig field; fields are {', '.join(sorted(names))}")
        return cls(**values)

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    def key(self) -> str:
        """A canonical string for caching: equal configs give equal keys."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @property
    def recorded_steps(self) -> list:
        """Step 0, every record_every steps, and the last step."""
        steps = list(range(0, self.steps + 1, self.record_every))
        if steps[-1] != self.steps:
            steps.append(self.steps)
        return steps


RunConfig = dataclasses.make_dataclass(
    "RunConfig", [(knob.name, Any if knob.kind is object else knob.kind, knob.default) for knob in KNOBS],
    bases=(_RunConfigMethods,), frozen=True)
RunConfig.__module__ = __name__  # so pickle (Dask, the record cache) finds it here
RunConfig.__doc__ = "A run's knobs (core/knobs.py), checked against the host's limits when made."

FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(RunConfig)}


def default_record_every(steps: int) -> int:
    """About 150 recorded steps per run: smooth curves, light charts (the Lab's and the presets' rule)."""
    return max(1, -(-steps // 150))


def _check_int(name, value, low, high, high_variable=None):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(name, value, f"an integer from {low} to {high}")
    if not low <= value <= high:
        where = f" (the host's limit, set by {high_variable})" if high_variable else ""
        raise ConfigError(name, value, f"an integer from {low} to {high}{where}")


def _check_float(name, value, low, high, low_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(name, value, f"a number in {'(' if low_open else '['}{low}, {high}]")
    value = float(value)
    too_low = value <= low if low_open else value < low
    if value != value or too_low or value > high:
        raise ConfigError(name, value, f"a number in {'(' if low_open else '['}{low}, {high}]")


def _check_choice(name, value, choices):
    if value not in choices:
        raise ConfigError(name, value, f"one of {', '.join(choices)}")


SEED_RANGE = (0, 2**32 - 1)  # the engine's per-layer seeds (core/engine/model.py: SeedSequence words)


def _check_initializer(name, value, shapes):
    """value must make every weight it initializes: shapes is [(which weights, shape)] of this network, so a
    Constant of [1, 2, 3] that broadcasts to 4×3 but not to the first layer's 2×32 kernel is refused here."""
    if not isinstance(value, (str, dict)):
        raise ConfigError(name, value, "a Keras initializer name, a preset name or a Keras config dict")
    seed = value.get("config", {}).get("seed") if isinstance(value, dict) and isinstance(value.get("config"), dict) else None
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]):
        raise ConfigError(name, value, f"a config seed that is null or an integer from {SEED_RANGE[0]} to {SEED_RANGE[1]} "
                                       f"(here {outside(seed)}); the run's seed sets every layer's seed anyway")
    for which, shape in shapes:
        if makes_any(value, shape):
            continue  # a name known to make it (core/initializer_table.py): no need to load Keras
        from core.engine import initializers  # Keras checks everything else, by making a sample

        try:
            initializers.resolve(value, shape)
        except ValueError as error:
            presets = ", ".join(PRESETS)
            raise ConfigError(
                name, value,
                f"a Keras initializer name such as he_normal, a preset ({presets}) or a Keras config dict "
                f'such as {{"class_name": "RandomNormal", "config": {{"stddev": 0.05}}}} that can make {which} '
                f"({'×'.join(map(str, shape))}); here {outside(str(error))}",  # Keras echoes the value
            ) from None


def _weight_shapes(config) -> tuple:
    """([(which, shape)] of the kernels and of the biases that the initializers make (core/engine/model.py);
    the output layer's are fixed by the engine."""
    from core.engine.datasets import input_dim_of  # here: datasets imports this module
    inputs = input_dim_of(config)  # None for an upload this server lost: its first layer is unknown
    kernels = [("the first layer's kernel", (inputs, config.width))] if inputs else []
    kernels += [("the hidden layers' kernels", (config.width, config.width))] if config.depth > 1 else []
    return kernels or [("a kernel", (config.width, config.width))], [("every hidden layer's bias", (config.width,))]


def _check_knob(knob, value, limits):
    """One knob's value against its row of core/knobs.py (and the host's limit where it has one)."""
    name = knob.name
    if knob.kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(name, value, "true or false")
    elif knob.kind is int:
        high = getattr(limits, knob.high_limit) if knob.high_limit else knob.high
        _check_int(name, value, knob.low, high, LIMIT_VARIABLES[knob.high_limit][0] if knob.high_limit else None)
    elif knob.kind is float:
        _check_float(name, value, knob.low, knob.high, low_open=knob.low_open)
    elif knob.choices is not None:
        _check_choice(name, value, knob.choices)


def validate(config) -> None:
    limits = current_limits()
    env = LIMIT_VARIABLES

    if not is_upload(config.dataset) and config.dataset not in DATASETS:
        raise ConfigError("dataset", config.dataset, f"one of {', '.join(DATASETS)}, or upload:<12 hex digits> "
                          "naming a CSV uploaded to this server")
    for knob in KNOBS:
        if knob.name != "dataset" and knob.kind is not object:
            _check_knob(knob, getattr(config, knob.name), limits)
    kernels, biases = _weight_shapes(config)  # after dataset, input_dim, depth and width are known to be good
    _check_initializer("initializer", config.initializer, kernels)
    _check_initializer("bias_initializer", config.bias_initializer, biases)
    recorded = config.steps // config.record_every + 2
    if recorded > limits.recorded_steps:
        smallest = -(-config.steps // (limits.recorded_steps - 2))
        raise ConfigError(
            "record_every", config.record_every,
            f"at least {smallest} for {config.steps} steps, so that at most {limits.recorded_steps} steps are "
            f"recorded (the host's limit, set by {env['recorded_steps'][0]})",
        )


def parse_value(name: str, text: str):
    """Turn the text of a URL parameter or command-line flag into the field's type, or raise ConfigError."""
    if name not in FIELD_TYPES:
        raise ConfigError(name, text, f"not a RunConfig field; fields are {', '.join(sorted(FIELD_TYPES))}")
    kind = FIELD_TYPES[name]
    typed, text = text, text.strip()  # errors name what was typed, spaces and all
    if kind is bool or kind == "bool":
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(name, typed, "true or false")
    if kind is int or kind == "int":
        if not ASCII_INTEGER.fullmatch(text):  # int() also reads '٣' and '1_000'
            raise ConfigError(name, typed, "an integer written with the digits 0-9, such as 10")
        return int(text)
    if kind is float or kind == "float":
        if not ASCII_NUMBER.fullmatch(text):  # float() also reads '٠.١', 'nan' and 'infinity'
            raise ConfigError(name, typed, "a number written with the digits 0-9, such as 0.1 or 1e-3")
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise ConfigError(name, typed, f"a finite number ({text} is beyond the largest, about 1.8e308)")
        return value
    if name in ("initializer", "bias_initializer") and text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(name, typed, f"valid JSON for a Keras config dict ({error.msg})") from None
    return text
