"""What a student should read off each activation: its slope's maximum, where the slope is exactly 0 or
nearly 0 (saturated), the product of slopes along one path through n layers, and the zeros at init.

Pure NumPy (core/engine/reference.py's functions); the Activations page draws these."""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.engine import reference
from core.activation_table import max_derivative
from core.metrics import SATURATION_FRACTION

Z = np.linspace(-6.0, 6.0, 1201)  # the range drawn; step 0.01
PATHS = 20_000  # sampled paths for the chain's spread


def true_derivative(name: str, z, alpha: float):
    """The derivative of the forward function (NecroReLU's is ReLU's; back-propagation uses another)."""
    return reference.derivative("relu" if name == "necro_relu" else name, z, alpha)


def curves(names, alpha: float) -> pd.DataFrame:
    """activation, z, f, slope (what back-propagation uses), true_slope (the forward function's derivative)."""
    return pd.concat([pd.DataFrame({
        "activation": name, "z": Z, "f": reference.activation(name, Z, alpha),
        "slope": reference.derivative(name, Z, alpha), "true_slope": true_derivative(name, Z, alpha),
    }) for name in names], ignore_index=True)


def _intervals(mask) -> list:
    """(low, high) z intervals where mask holds on the grid Z."""
    spans, start = [], None
    for value, inside in zip(Z, mask):
        if inside and start is None:
            start = value
        elif not inside and start is not None:
            spans.append((float(start), float(previous)))
            start = None
        previous = value
    if start is not None:
        spans.append((float(start), float(Z[-1])))
    return spans


@dataclass(frozen=True)
class Facts:
    name: str
    max_slope: float
    max_at: float  # a z where the slope is largest (marked on the chart)
    max_where: str  # in words: where the slope reaches its maximum
    zero_gradient: list  # z intervals where back-propagation's slope is exactly 0
    saturated: list  # z intervals where it is below SATURATION_FRACTION of its maximum, but not 0
    zero_fraction: float  # expected fraction of exact zeros of a = phi(z) for z ~ N(0, spread^2)
    zero_slope_fraction: float  # expected fraction of exact zeros of phi'(z), likewise


MAX_WHERE = {
    "sigmoid": "z = 0", "tanh": "z = 0", "relu": "every z > 0", "necro_relu": "every z > 0",
    "leaky_relu": "every z > 0", "elu": "every z > 0", "linear": "everywhere",
    "selu": "just below z = 0 (SELU's slope jumps there)", "softplus": "approached as z grows",
}
MAX_AT = {"sigmoid": 0.0, "tanh": 0.0, "relu": 1.0, "necro_relu": 1.0, "leaky_relu": 1.0, "elu": 1.0,
          "linear": 0.0, "selu": -0.01, "softplus": 6.0}


def facts(name: str, alpha: float) -> Facts:
    slope = np.abs(reference.derivative(name, Z, alpha))
    top = max_derivative(name, alpha)
    at = float(Z[np.argmax(slope)])
    where = MAX_WHERE.get(name, f"z = {at:.2f}")
    if name in MAX_AT:
        at = MAX_AT[name]
    zero = slope == 0
    saturated = (slope < SATURATION_FRACTION * top) & ~zero
    off = 0.5  # P(z <= 0) for a zero-mean z, whatever its spread
    zero_fraction = off if name in ("relu", "necro_relu") or (name == "leaky_relu" and alpha == 0) else 0.0
    zero_slope = off if name == "relu" or (name in ("leaky_relu", "necro_relu") and alpha == 0) else 0.0
    return Facts(name, top, at, where, _intervals(zero), _intervals(saturated), zero_fraction, zero_slope)


def chain(name: str, alpha: float, spread: float, depth: int, seed: int = 0) -> pd.DataFrame:
    """The product of n slopes along one path, n = 1..depth, each layer's z drawn from N(0, spread^2):
    best (the largest slope to the n), typical (the median of the products of paths that are not exactly 0),
    their 10% and 90% quantiles, and the fraction of paths whose product is exactly 0 (1 - (1 - p0)^n, p0 the
    chance of a slope of exactly 0 in one layer)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, spread, size=(depth, PATHS))
    slopes = np.abs(reference.derivative(name, z, alpha))
    zeros = slopes == 0
    if zeros.any() and (~zeros).any():
        # the nonzero products: a path that survives has every factor drawn from the nonzero slopes
        slopes[zeros] = rng.choice(slopes[~zeros], size=int(zeros.sum()))
    with np.errstate(divide="ignore"):
        logs = np.cumsum(np.log10(slopes), axis=0)  # -inf once a factor is exactly 0
    rows = []
    best = np.log10(max_derivative(name, alpha))
    # where the slope is exactly 0 on a whole half-line, P(a path survives n layers) is known exactly
    zero_slope = facts(name, alpha).zero_slope_fraction
    for n in range(1, depth + 1):
        alive = logs[n - 1][np.isfinite(logs[n - 1])]
        quantiles = np.quantile(alive, [0.1, 0.5, 0.9]) if alive.size else [np.nan] * 3
        rows.append({"n": n, "best": n * best, "low": quantiles[0], "typical": quantiles[1], "high": quantiles[2],
                     "zero_paths": 1.0 - (1.0 - zero_slope) ** n})
    frame = pd.DataFrame(rows)
    frame.insert(0, "activation", name)
    return frame
