"""Mean-field signal propagation (Poole et al. 2016, Schoenholz et al. 2017).

For weights of variance sigma_w^2 / fan_in and biases of variance sigma_b^2, the pre-activation second
moment follows q_l = sigma_w^2 E[phi(sqrt(q_{l-1}) z)^2] + sigma_b^2 with z ~ N(0, 1), and the squared
back-propagated signal changes by chi = sigma_w^2 E[phi'(sqrt(q) z)^2] per layer.
Expectations use the midpoint rule on a fine grid: no node sits on ReLU's kink at 0, where
Gauss-Hermite quadrature of a step function goes wrong.
"""
import numpy as np

from core.engine import reference

_cells = 200_000
_nodes = -10.0 + (np.arange(_cells) + 0.5) * (20.0 / _cells)
_weights = np.exp(-0.5 * _nodes ** 2)
_weights = _weights / _weights.sum()  # N(0, 1) mass of each cell


def gaussian_mean(function, q: float) -> float:
    """E[f(sqrt(q) z)] for z ~ N(0, 1)."""
    return float(np.sum(_weights * function(np.sqrt(q) * _nodes)))


def preactivation_moments(activation: str, sigma_w: float, depth: int, q0: float, sigma_b: float = 0.0,
                          alpha: float = 0.1) -> np.ndarray:
    """q_1 .. q_depth, starting from the input's second moment times sigma_w^2 (q_1 = sigma_w^2 q0 + sigma_b^2)."""
    moments = [sigma_w ** 2 * q0 + sigma_b ** 2]
    for _ in range(depth - 1):
        second = gaussian_mean(lambda v: reference.activation(activation, v, alpha) ** 2, moments[-1])
        moments.append(sigma_w ** 2 * second + sigma_b ** 2)
    return np.array(moments)


def chi(activation: str, sigma_w: float, q: float, alpha: float = 0.1) -> float:
    """Per-layer factor of the squared gradient: below 1 vanishes, above 1 explodes."""
    return sigma_w ** 2 * gaussian_mean(lambda v: reference.derivative(activation, v, alpha) ** 2, q)
