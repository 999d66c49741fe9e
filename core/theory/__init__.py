"""Mean-field signal propagation (Poole et al. 2016, Schoenholz et al. 2017).

For weights of variance sigma_w^2 / fan_in and biases of variance sigma_b^2, the pre-activation second
moment follows q_l = sigma_w^2 E[phi(sqrt(q_{l-1}) z)^2] + sigma_b^2 with z ~ N(0, 1), and the squared
back-propagated signal changes by chi = sigma_w^2 E[phi'(sqrt(q) z)^2] per layer.

- meanfield.py: the q map, chi, the fixed point q*, the depth scale (closed forms where known)
- gaussian.py: the kink-safe Gaussian expectations behind them
- initializers.py: sigma_w and the bias of the project's initializers
- predict.py: what a configuration's step 0 should measure, layer by layer (the Lab's dashed lines)
- phase.py, contours.py: the order-to-chaos phase diagram
- cli.py: `python -m core theory`
"""
from core.theory.gaussian import expectation
from core.theory.meanfield import (
    chi, chi_at_fixed_point, depth_scale, fixed_point, preactivation_moments, propagate, q_map, regime,
    second_moment, slope_moment,
)


def gaussian_mean(function, q: float) -> float:
    """E[f(sqrt(q) z)] for z ~ N(0, 1)."""
    return expectation(function, 0.0, q)


__all__ = [
    "chi", "chi_at_fixed_point", "depth_scale", "expectation", "fixed_point", "gaussian_mean",
    "preactivation_moments", "propagate", "q_map", "regime", "second_moment", "slope_moment",
]
