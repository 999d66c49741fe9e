"""Plain-language verdicts computed from a run record, with the thresholds stated."""
from dataclasses import dataclass

import numpy as np

VANISHING_RATIO = 1e-2  # layer 1's grad_norm below 1/100 of the last layer's
EXPLODING_RATIO = 1e2  # layer 1's grad_norm above 100 times the last layer's
EXPLODING_LOSS = 10.0  # or the loss grew past 10 times its initial value
DEAD_FRACTION = 0.2  # a layer with 20% or more dead units
SATURATED_FRACTION = 0.5  # a layer where half of the local gradients are blocked
STREAM_GROWTH = 1e2  # a residual net whose stream's mean square grows 100 times from layer 1 to the last

EXPLANATIONS = {
    "diverged": (
        "The loss became infinite or NaN, so training stopped; everything up to that step is kept. Each update "
        "multiplies the weights' error by the learning rate: too large a step overshoots, the weights grow, "
        "and the next gradients grow with them until the numbers overflow. Lower the learning rate."),
    "vanishing": (
        "Back-propagation multiplies, from the output towards the input, one weight matrix and one activation "
        "derivative per layer. When those factors are below 1 on average, the gradient shrinks geometrically "
        "with depth, so the first layers barely learn. Sigmoid's derivative is at most 0.25; too small an "
        "initialization shrinks the signal too. Try ReLU with He initialization, or batch normalization."),
    "exploding": (
        "The per-layer factors of back-propagation are above 1 on average, so gradients grow geometrically "
        "towards the input (or the loss has blown up). Too large an initialization or learning rate does this. "
        "Use a variance-preserving initialization (Glorot for tanh, He for ReLU) or a smaller learning rate."),
    "dying_relu": (
        "A ReLU unit whose pre-activation is negative for every input outputs 0, receives a zero gradient and, "
        "with plain gradient descent, never changes again. A large negative bias, a too large learning-rate "
        "step or an unlucky initialization causes it. Leaky ReLU, ELU or batch normalization keep units alive."),
    "saturated": (
        "Most units sit where the activation is flat (|phi'(z)| below 5% of its maximum), so the gradient that "
        "reaches them is blocked. Sigmoid and tanh saturate for large |z|: too large weights push them there. "
        "Scale the initialization down (Glorot), or normalize the pre-activations."),
    "growing_signal": (
        "Each skip adds its branch's output to the stream, h_l = h_(l-1) + φ(z_l), and nothing takes it away: the "
        "stream's mean square grows with every layer (with ReLU and He initialization it about doubles), so the "
        "last layers see inputs orders of magnitude larger than the first. This is why residual branches are "
        "scaled down in practice: a smaller initialization of each branch (σ_w well below He's √2, or the "
        "branch's last weights starting at 0), a factor 1/√depth on each branch, or batch normalization."),
    "healthy": (
        "Gradients reach every layer at comparable sizes, few units are dead or saturated, and the loss is "
        "finite. The per-layer update-to-weight ratio (about 1e-3 is healthy) tells whether each layer learns."),
}


@dataclass(frozen=True)
class Verdict:
    kind: str
    headline: str
    explanation: str


def _power_of_ten(ratio: float) -> str:
    return f"10^{int(np.floor(np.log10(ratio)))}" if ratio > 0 else "0"


def diagnose(record, step=None) -> list:
    """Verdicts at a recorded step (default: the last one), the most serious first."""
    if not record.steps:
        return []
    verdicts = []
    if record.diverged_at is not None:
        verdicts.append(Verdict("diverged", f"Diverged at step {record.diverged_at}", EXPLANATIONS["diverged"]))
    index = record.step_index(record.last_step if step is None else step)
    at = record.steps[index]
    depth = len(record.layers)
    grad = record.metric("grad_norm")[index]
    if depth >= 2 and np.isfinite(grad).all():
        first, last = grad[0], grad[-1]
        if last > 0 and first == 0:
            verdicts.append(Verdict(
                "vanishing", f"Vanishing: layer 1's gradient is exactly 0 while layer {depth}'s is {last:.1e} "
                f"(step {at})", EXPLANATIONS["vanishing"]))
        elif last > 0 and first / last < VANISHING_RATIO:
            verdicts.append(Verdict(
                "vanishing", f"Vanishing: layer 1's gradient is {_power_of_ten(first / last)} of layer {depth}'s "
                f"(step {at})", EXPLANATIONS["vanishing"]))
        elif last > 0 and first / last > EXPLODING_RATIO:
            verdicts.append(Verdict(
                "exploding", f"Exploding: layer 1's gradient is {_power_of_ten(first / last)} times layer "
                f"{depth}'s (step {at})", EXPLANATIONS["exploding"]))
    stream = record.metric("stream_ms")[index]
    if record.config.get("residual") and depth >= 2 and np.isfinite(stream[0]) and stream[0] > 0 \
            and not np.isnan(stream[-1]) and stream[-1] / stream[0] > STREAM_GROWTH:
        overflowed = np.flatnonzero(~np.isfinite(stream))
        size = (f"overflows float32 from layer {overflowed[0] + 1} on" if len(overflowed)
                else f"at layer {depth} is {_power_of_ten(stream[-1] / stream[0])} times layer 1's")
        verdicts.insert(len([v for v in verdicts if v.kind == "diverged"]), Verdict(
            "growing_signal", f"Growing signal: the stream's mean square {size} (step {at})",
            EXPLANATIONS["growing_signal"]))
    loss = np.asarray(record.loss[: index + 1], dtype=float)
    if np.isfinite(loss).all() and loss[-1] > EXPLODING_LOSS * loss[0] and not any(v.kind == "exploding" for v in verdicts):
        verdicts.append(Verdict("exploding", f"Exploding: the loss grew from {loss[0]:.3g} to {loss[-1]:.3g} "
                                f"(step {at})", EXPLANATIONS["exploding"]))
    activation = record.config.get("activation")
    dead = record.metric("dead_fraction")[index]
    if np.nanmax(dead) >= DEAD_FRACTION:
        layer = int(np.nanargmax(dead))
        name = "Dying ReLU" if "relu" in str(activation) else "Dead units"  # a sigmoid that underflows to 0, say
        verdicts.append(Verdict("dying_relu", f"{name}: {dead[layer]:.0%} of layer {layer + 1}'s units are dead "
                                f"(step {at})", EXPLANATIONS["dying_relu"]))
    saturation = record.metric("saturation")[index]
    if activation not in ("relu", "necro_relu") and np.nanmax(saturation) >= SATURATED_FRACTION:
        layer = int(np.nanargmax(saturation))
        verdicts.append(Verdict("saturated", f"Saturated: {saturation[layer]:.0%} of layer {layer + 1}'s local "
                                f"gradients are blocked (step {at})", EXPLANATIONS["saturated"]))
    if not verdicts:
        verdicts.append(Verdict("healthy", f"Healthy at step {at}", EXPLANATIONS["healthy"]))
    return verdicts


THRESHOLDS = (
    f"Thresholds: vanishing when layer 1's grad_norm is below {VANISHING_RATIO:g} of the last layer's; exploding "
    f"above {EXPLODING_RATIO:g} times, or when the loss grows past {EXPLODING_LOSS:g} times its start; dying ReLU when "
    f"a layer has {DEAD_FRACTION:.0%} dead units; growing signal when a residual net's stream_ms grows past "
    f"{STREAM_GROWTH:g} times from layer 1 to the last; saturated when {SATURATED_FRACTION:.0%} of a layer's local "
    f"gradients are below 5% of the activation's largest derivative (not judged for ReLU, whose zeros are "
    f"counted as dead units and sparsity)."
)


class _MemoizedMetrics:
    """A record whose metric arrays are converted once, so diagnosing every step stays linear in steps."""

    def __init__(self, record):
        self._record = record
        self._metrics = {}
        self._steps = np.asarray(record.steps)

    def metric(self, name):
        if name not in self._metrics:
            self._metrics[name] = self._record.metric(name)
        return self._metrics[name]

    def step_index(self, step):
        return max(int(np.searchsorted(self._steps, step, side="right")) - 1, 0)

    def __getattr__(self, name):
        return getattr(self._record, name)


def diagnose_every_step(record) -> list:
    """diagnose() at every recorded step, in the order of record.steps (for a replay in the browser)."""
    memo = _MemoizedMetrics(record)
    return [diagnose(memo, step) for step in record.steps]
