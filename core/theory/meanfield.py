"""Mean-field signal propagation (Poole et al. 2016, Schoenholz et al. 2017) for every registry activation.

A hidden layer computes z = W a + b with weights of variance sigma_w^2 / fan_in. Over the units, z is then
Gaussian with variance v = sigma_w^2 E[phi(z_prev)^2] around the bias. The bias may be random, N(0,
sigma_b^2) per unit, which widens the Gaussian to v + sigma_b^2 (the theory's usual case), or a constant
b (every unit the same), which shifts its mean to b instead: a constant bias is not a random bias, and
treating it as one would get a ReLU net with bias -3 wrong. q, the second moment of z, is the mean of z^2
over units: v + sigma_b^2 + b^2.

The backward factor chi = sigma_w^2 E[phi'(z)^2] multiplies the mean square of dloss/dz at each layer on
the way back. phi' is the slope back-propagation uses (NecroReLU: its leaky backward slope).

Closed forms for the piecewise-linear activations (ReLU, leaky ReLU, NecroReLU, linear); the rest is
core/theory/gaussian.py's kink-safe quadrature.
"""
import math

import numpy as np
from scipy.special import ndtr

from core.engine import reference
from core.theory.gaussian import expectation

PIECEWISE_LINEAR = ("relu", "leaky_relu", "necro_relu", "linear")
EXPLODED = 1e12  # a second moment past this has no finite fixed point within reach: it grows without bound
SLOW = 1e-3  # below this, a map still creeping towards 0 is taken to reach the fixed point q* = 0
CRITICAL_TOLERANCE = 1e-9  # |ln chi| below this counts as exactly critical
# q* = 0: chi is its limit as q -> 0, taken at this q (not at 0: ReLU's slope is 1 on one side of its kink, 0 on
# the other). ELU's chi departs from the limit as sqrt(q): at q = 1e-12 by 1e-6, which would hide its criticality.
VANISHED = 1e-24


def _half_moments(mean, variance):
    """E[max(X,0)^2], E[min(X,0)^2] and P(X > 0) for X ~ N(mean, variance) (closed forms)."""
    mean, variance = np.broadcast_arrays(np.asarray(mean, float), np.asarray(variance, float))
    std = np.sqrt(np.maximum(variance, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(std > 0, mean / np.where(std > 0, std, 1.0), np.sign(mean) * np.inf)
    ratio = np.where((std == 0) & (mean == 0), 0.0, ratio)  # the limit of a vanishing zero-mean Gaussian
    above = ndtr(ratio)
    density = np.where(np.isfinite(ratio), np.exp(-0.5 * np.where(np.isfinite(ratio), ratio, 0.0) ** 2)
                       / math.sqrt(2 * math.pi), 0.0)
    square = mean * mean + variance
    positive = square * above + mean * std * density
    negative = square * (1.0 - above) - mean * std * density
    return positive, negative, above


def _scalar(value):
    return float(value) if np.ndim(value) == 0 else value


def _activation(activation, alpha):
    if activation == "gelu":  # the reference's erfc is a Python loop; ndtr is the same CDF, vectorized
        return lambda v: v * ndtr(v)
    return lambda v: reference.activation(activation, v, alpha)


def _derivative(activation, alpha):
    if activation == "gelu":
        return lambda v: ndtr(v) + v * np.exp(-0.5 * v * v) / math.sqrt(2 * math.pi)
    return lambda v: reference.derivative(activation, v, alpha)


def second_moment(activation: str, mean, variance, alpha: float = 0.1):
    """E[phi(z)^2], z ~ N(mean, variance): what the next layer's weights sum over."""
    if activation in ("relu", "necro_relu"):
        return _scalar(_half_moments(mean, variance)[0])
    if activation == "leaky_relu":
        positive, negative, _ = _half_moments(mean, variance)
        return _scalar(positive + alpha * alpha * negative)
    if activation == "linear":
        return _scalar(np.asarray(mean, float) ** 2 + np.asarray(variance, float))
    phi = _activation(activation, alpha)
    return expectation(lambda v: phi(v) ** 2, mean, variance)


def slope_moment(activation: str, mean, variance, alpha: float = 0.1):
    """E[phi'(z)^2], z ~ N(mean, variance), with the slope back-propagation uses."""
    if activation == "relu":
        return _scalar(_half_moments(mean, variance)[2])
    if activation in ("leaky_relu", "necro_relu"):
        above = _half_moments(mean, variance)[2]
        return _scalar(above + alpha * alpha * (1.0 - above))
    if activation == "linear":
        return _scalar(np.ones(np.broadcast(np.asarray(mean), np.asarray(variance)).shape))
    slope = _derivative(activation, alpha)
    return expectation(lambda v: slope(v) ** 2, mean, variance)


def q_map(activation: str, sigma_w, sigma_b, q, alpha: float = 0.1):
    """The next layer's q from this layer's q (zero-mean random biases): sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2."""
    return sigma_w ** 2 * second_moment(activation, 0.0, q, alpha) + np.asarray(sigma_b, float) ** 2


def chi(activation: str, sigma_w, q, alpha: float = 0.1, bias_mean=0.0):
    """Per-layer factor of the mean square gradient at second moment q: below 1 vanishes, above 1 explodes.
    With a constant bias (bias_mean), z ~ N(bias_mean, q - bias_mean^2)."""
    variance = np.maximum(np.asarray(q, float) - np.asarray(bias_mean, float) ** 2, 0.0)
    return _scalar(np.asarray(sigma_w, float) ** 2 * slope_moment(activation, bias_mean, variance, alpha))


def fixed_point(activation: str, sigma_w, sigma_b, alpha: float = 0.1, q0=1.0, iterations: int = 3000):
    """q*: where the q map, iterated from q0, settles (arrays broadcast). np.inf where it grows without bound.

    Where the map creeps towards 0 (tanh at sigma_w = 1, sigma_b = 0 halves its distance to 0 only
    algebraically), a q below SLOW that is still falling after the iterations is taken to be 0, the map's
    fixed point there."""
    shape = np.broadcast(np.asarray(sigma_w), np.asarray(sigma_b), np.asarray(q0)).shape
    sigma_w, sigma_b, q = (np.array(np.broadcast_to(np.asarray(v, float), shape)).reshape(-1)
                           for v in (sigma_w, sigma_b, q0))
    if activation in PIECEWISE_LINEAR:
        # the map is linear in q: q -> gain q + sigma_b^2
        gain = sigma_w ** 2 * {"linear": 1.0, "leaky_relu": 0.5 * (1 + alpha * alpha)}.get(activation, 0.5)
        with np.errstate(divide="ignore", invalid="ignore"):
            closed = np.where(gain < 1, sigma_b ** 2 / (1 - gain), np.where((gain == 1) & (sigma_b == 0), q, np.inf))
        return _scalar(closed.reshape(shape))
    active = np.ones(q.shape, bool)
    falling = np.zeros(q.shape, bool)
    for _ in range(iterations):
        if not active.any():
            break
        new = q_map(activation, sigma_w[active], sigma_b[active], q[active], alpha)
        old = q[active]
        falling[active] = new < old
        settled = (np.abs(new - old) <= 1e-12 * (1 + old)) | (new > EXPLODED)
        q[active] = np.where(new > EXPLODED, np.inf, new)
        index = np.flatnonzero(active)
        active[index[settled]] = False
    q = np.where(active & falling & (q < SLOW) & (sigma_b == 0), 0.0, q)
    return _scalar(q.reshape(shape))


def chi_at_fixed_point(activation: str, sigma_w, sigma_b, alpha: float = 0.1, q0=1.0):
    """chi at q*; where q* is infinite, chi's limit for q -> infinity (evaluated at a huge q)."""
    q = np.asarray(fixed_point(activation, sigma_w, sigma_b, alpha, q0), float)
    q = np.where(np.isfinite(q), np.maximum(q, VANISHED), 1e12)
    return chi(activation, sigma_w, q, alpha)


def depth_scale(chi_value):
    """The number of layers over which the mean square gradient changes by a factor e: 1 / |ln chi|.

    chi < 1: it shrinks by e every xi layers (Schoenholz et al.'s xi = -1/ln chi); chi > 1: it grows by e
    every xi layers; chi = 1 (within 1e-9 in ln chi): critical, xi is infinite; chi = 0: xi = 0."""
    chi_value = np.asarray(chi_value, float)
    with np.errstate(divide="ignore"):
        log = np.abs(np.log(chi_value))
        xi = np.where(log < CRITICAL_TOLERANCE, np.inf, 1.0 / np.where(log < CRITICAL_TOLERANCE, 1.0, log))
    return _scalar(np.where(chi_value == 0, 0.0, xi))


def regime(chi_value: float) -> str:
    if not np.isfinite(chi_value):
        return "chaotic"
    if abs(math.log(chi_value)) < CRITICAL_TOLERANCE if chi_value > 0 else False:
        return "critical"
    return "ordered" if chi_value < 1 else "chaotic"


def propagate(activation: str, sigma_w, sigma_b, depth: int, q_first, alpha: float = 0.1, bias_mean=0.0):
    """Per-layer q and chi for layers 1..depth, from layer 1's q (an array: one trajectory per example).

    Hidden layers 2..depth use sigma_w (layer 1's own scale is already in q_first). Returns (q, chi), each
    [depth, examples]; chi[l] is the factor between layers l+1 and l (it uses layer l's q and layer l+1's
    weights), so the last row is the factor into an output layer of the same sigma_w (unused by the Lab).
    From the first layer whose q overflows float64, q is inf and chi nan on every later layer."""
    q_first = np.atleast_1d(np.asarray(q_first, float))
    bias_variance = float(sigma_b) ** 2
    qs = [np.where(np.isfinite(q_first), q_first, np.inf)]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(depth - 1):
            variance = np.maximum(qs[-1] - bias_mean ** 2, 0.0)  # z ~ N(bias_mean, variance)
            following = np.atleast_1d(sigma_w ** 2 * second_moment(activation, bias_mean, variance, alpha))
            following = following + bias_variance + bias_mean ** 2
            # Past float64's largest number q is inf and the next layer's moment is nan, which a Gaussian of no
            # spread would read as 0 (q restarting at sigma_b^2): once q has overflowed, it stays inf.
            qs.append(np.where(np.isfinite(qs[-1]) & np.isfinite(following), following, np.inf))
        q = np.stack(qs)
        chis = np.asarray(chi(activation, sigma_w, q, alpha, bias_mean))
    return q, np.where(np.isfinite(q), chis, np.nan)  # no slope is known where q is not


def overflow_layer(q):
    """The first layer (1-based) whose q is not finite in a trajectory q[layer] (float64 overflowed), or None."""
    bad = np.flatnonzero(~np.isfinite(np.asarray(q, float)))
    return int(bad[0]) + 1 if len(bad) else None


def preactivation_moments(activation: str, sigma_w: float, depth: int, q0: float, sigma_b: float = 0.0,
                          alpha: float = 0.1) -> np.ndarray:
    """q_1 .. q_depth, starting from the input's second moment times sigma_w^2 (q_1 = sigma_w^2 q0 + sigma_b^2)."""
    q, _ = propagate(activation, sigma_w, sigma_b, depth, sigma_w ** 2 * q0 + sigma_b ** 2, alpha)
    return q[:, 0]
