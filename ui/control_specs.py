"""What every Lab control accepts: its range or choices and its default. Used to check session values
before a widget is drawn, so a bad value (from a link, a stale session or a script) is clamped or reset
with a visible message instead of crashing the page."""
import dataclasses
import math
from dataclasses import dataclass

from core.engine.activations import ACTIVATIONS
from core.config import DATASETS, OPTIMIZERS, PRECISIONS, RunConfig
from core.engine.initializers import COMMON_KERNEL_INITIALIZERS
from core.limits import current_limits
from core.outside_text import outside

# RunConfig's defaults as plain values (a RunConfig made here would be checked against the host's limits at
# import, and a host may set a limit below a default; sanitize() clamps it instead).
DEFAULT = type("Defaults", (), {f.name: f.default for f in dataclasses.fields(RunConfig)})
LEARNING_RATES = [round(10 ** (k / 4), 10) for k in range(-16, 13)]  # 1e-4 .. 1e3, four per decade
WIDTHS = [4, 8, 16, 32, 64, 128, 256, 512, 1024]
BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
WEIGHT_DECAYS = [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
UPLOAD_CHOICE = "your own CSV"  # the dataset control's choice for an uploaded file (ui/upload_controls.py)


@dataclass(frozen=True)
class Spec:
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    default: object = None
    integer: bool = False


def lab_specs() -> dict:
    """Specs keyed by widget key; ranges follow the host's limits."""
    limits = current_limits()
    return {
        "lab_depth": Spec(1, limits.depth, default=DEFAULT.depth, integer=True),
        "lab_width": Spec(choices=tuple(w for w in WIDTHS if w <= limits.width), default=DEFAULT.width),
        "lab_activation": Spec(choices=ACTIVATIONS, default=DEFAULT.activation),
        "lab_alpha": Spec(0.0, 1.0, default=DEFAULT.alpha),
        "lab_batchnorm": Spec(choices=(False, True), default=DEFAULT.batchnorm),
        "lab_init_mode": Spec(choices=("named", "sigma_w", "keras"), default="named"),
        "lab_initializer": Spec(choices=COMMON_KERNEL_INITIALIZERS, default=DEFAULT.initializer),
        "lab_sigma_w": Spec(0.1, 4.0, default=1.0),
        "lab_bias": Spec(-5.0, 5.0, default=0.0),
        "lab_bias_mode": Spec(choices=("constant", "sigma_b"), default="constant"),  # sigma_b: random N(0, σ_b²)
        "lab_sigma_b": Spec(0.0, 2.0, default=0.0),
        "lab_optimizer": Spec(choices=OPTIMIZERS, default=DEFAULT.optimizer),
        "lab_learning_rate": Spec(choices=tuple(LEARNING_RATES), default=DEFAULT.learning_rate),
        "lab_momentum": Spec(0.0, 0.99, default=DEFAULT.momentum),
        "lab_weight_decay": Spec(choices=tuple(WEIGHT_DECAYS), default=DEFAULT.weight_decay),
        "lab_batch_size": Spec(choices=tuple(b for b in BATCH_SIZES if b <= limits.batch_size), default=DEFAULT.batch_size),
        "lab_steps": Spec(0, min(limits.steps, 5000), default=DEFAULT.steps, integer=True),
        "lab_dataset": Spec(choices=(*DATASETS, UPLOAD_CHOICE), default=DEFAULT.dataset),
        "lab_samples": Spec(100, limits.samples, default=DEFAULT.samples, integer=True),
        "lab_noise": Spec(0.0, 1.0, default=DEFAULT.noise),
        "lab_input_dim": Spec(1, min(limits.input_dim, 256), default=DEFAULT.input_dim, integer=True),
        "lab_seed": Spec(0, 2**31 - 1, default=DEFAULT.seed, integer=True),
        "lab_precision": Spec(choices=PRECISIONS, default=DEFAULT.precision),
        "lab_cpu": Spec(choices=(False, True), default=DEFAULT.cpu),
    }


def _nearest(choices, value):
    numeric = [c for c in choices if isinstance(c, (int, float)) and not isinstance(c, bool)]
    if numeric and isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return min(numeric, key=lambda c: abs(math.log10(max(c, 1e-12)) - math.log10(max(value, 1e-12)))
                   if value > 0 and c > 0 else abs(c - value))
    return None


def _kind(value):
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, (int, float)) else type(value).__name__


def sanitize(state, specs: dict) -> list:
    """Clamp or reset out-of-range values in `state` (a dict-like); returns one message per change."""
    messages = []
    for key, spec in specs.items():
        if key not in state:
            continue
        value = state[key]
        field = key.split("_", 1)[1]  # lab_depth, cmp2_depth -> depth
        if spec.choices is not None:
            if any(value == choice and _kind(value) == _kind(choice) for choice in spec.choices):
                continue
            fixed = _nearest(spec.choices, value)
            fixed = spec.default if fixed is None else fixed
            allowed = ", ".join(str(c) for c in spec.choices) if len(spec.choices) <= 12 else f"{spec.choices[0]} to {spec.choices[-1]}"
            messages.append(f"{field} = {outside(value)} is not allowed (allowed: {allowed}); using {outside(fixed)}.")
            state[key] = fixed
            continue
        number_ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if number_ok and spec.low <= value <= spec.high and (not spec.integer or float(value).is_integer()):
            continue
        if number_ok:
            fixed = min(max(value, spec.low), spec.high)
            fixed = int(round(fixed)) if spec.integer else float(fixed)
        else:
            fixed = spec.default
        messages.append(f"{field} = {outside(value)} is outside {spec.low} to {spec.high}; using {outside(fixed)}.")
        state[key] = fixed
    return messages
