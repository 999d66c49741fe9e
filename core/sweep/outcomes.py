"""What a sweep measures of each run: a few numbers read from its record.

- grad_ratio: layer 1's grad_norm over the last hidden layer's, at step 0 (below 1: gradients vanish
  towards the input; far above 1: they explode). 0 when layer 1's gradient is exactly 0.
- final_loss, final_accuracy: on the last recorded step's minibatch (a diverged run's loss is infinite).
- dead_fraction: the share of hidden units that are 0 for every example, averaged over the hidden layers,
  at the last recorded step.
- steps_to_target: the first recorded step whose minibatch loss is at or below the target loss (NaN: never
  within the run). Its resolution is record_every.
"""
import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Outcome:
    name: str
    label: str  # for axes and menus
    log_scale: bool = False  # drawn as log10 (ratios spanning many decades)


OUTCOMES = {
    "grad_ratio": Outcome("grad_ratio", "grad_norm layer 1 ÷ last layer, at init", log_scale=True),
    "final_loss": Outcome("final_loss", "final loss"),
    "final_accuracy": Outcome("final_accuracy", "final accuracy"),
    "dead_fraction": Outcome("dead_fraction", "dead fraction after training"),
    "steps_to_target": Outcome("steps_to_target", "steps to reach the target loss"),
}
DEFAULT_TARGET_LOSS = 0.3


def _finite(value: float) -> float:
    return float(value) if math.isfinite(value) else math.inf


def measure(record, target_loss: float = DEFAULT_TARGET_LOSS) -> dict:
    """The outcomes of one finished (or diverged) run record."""
    grad_norm = np.asarray(record.metric("grad_norm")[0], float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(grad_norm[0] / grad_norm[-1])
    loss = np.asarray(record.loss, float)
    reached = np.flatnonzero(loss <= target_loss)
    diverged = record.diverged_at is not None
    return {
        "grad_ratio": ratio,
        "final_loss": math.inf if diverged else _finite(loss[-1]),
        "final_accuracy": float(record.accuracy[-1]),
        "dead_fraction": float(np.mean(record.metric("dead_fraction")[-1])),
        "steps_to_target": float(record.steps[reached[0]]) if len(reached) else math.nan,
        "diverged_at": record.diverged_at,
    }
