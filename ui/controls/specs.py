"""What every Lab control accepts: its range or choices and its default. Used to check session values
before a widget is drawn, so a bad value (from a link, a stale session or a script) is clamped or reset
with a visible message instead of crashing the page."""
import math
from dataclasses import dataclass

from core.knobs import DATASETS, KNOBS
from core.limits import current_limits
from core.outside_text import outside

UPLOAD_CHOICE = "your own CSV"  # the dataset control's choice for an uploaded file (ui/controls/upload.py)


@dataclass(frozen=True)
class Spec:
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    default: object = None
    integer: bool = False


def knob_spec(knob, limits) -> Spec:
    """A knob's control (core/knobs.py): its grid or choices, else its slider's range within the host's limit."""
    if knob.name == "dataset":
        return Spec(choices=(*DATASETS, UPLOAD_CHOICE), default=knob.default)
    if knob.kind is bool:
        return Spec(choices=(False, True), default=knob.default)
    high = getattr(limits, knob.high_limit) if knob.high_limit else knob.high
    if knob.grid is not None:
        return Spec(choices=tuple(value for value in knob.grid if not isinstance(value, (int, float)) or value <= high)
                    if high is not None else knob.grid, default=knob.default)
    if knob.choices is not None:
        return Spec(choices=knob.choices, default=knob.default)
    low = knob.low
    if knob.control is not None:
        low = knob.control[0]
        high = high if knob.control[1] is None else min(high, knob.control[1])
    return Spec(low, high, default=knob.default, integer=knob.kind is int)


# The Lab's controls that are no RunConfig field of their own: the initializer's and the bias's forms.
INITIALIZATION_SPECS = {
    "lab_init_mode": Spec(choices=("named", "sigma_w", "keras"), default="named"),
    "lab_sigma_w": Spec(0.1, 4.0, default=1.0),
    "lab_bias": Spec(-5.0, 5.0, default=0.0),
    "lab_bias_mode": Spec(choices=("constant", "sigma_b"), default="constant"),  # sigma_b: random N(0, σ_b²)
    "lab_sigma_b": Spec(0.0, 2.0, default=0.0),
}
NO_CONTROL_OF_ITS_OWN = ("bias_initializer", "record_every")  # the bias controls above; record_every follows steps


def lab_specs() -> dict:
    """Specs keyed by widget key; ranges follow the host's limits."""
    limits = current_limits()
    specs = {f"lab_{knob.name}": knob_spec(knob, limits) for knob in KNOBS if knob.name not in NO_CONTROL_OF_ITS_OWN}
    return {**specs, **INITIALIZATION_SPECS}


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
