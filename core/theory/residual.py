"""Mean-field signal propagation through a residual net (Yang & Schoenholz 2017).

The net: h_1 = φ(z_1), h_l = h_(l-1) + φ(z_l) for l ≥ 2, with z_l = W_l h_(l-1) + b_l and weights of variance
σ_w² / fan_in. Over the units z_l is Gaussian with second moment q_l = σ_w² m_(l-1) + σ_b² (+ b² for a constant
bias b), where m_l is the stream's second moment E[h_l²]:
    m_1 = E[φ(z_1)²],  m_l = m_(l-1) + 2 μ_(l-1) E[φ(z_l)] + E[φ(z_l)²],  μ_l = μ_(l-1) + E[φ(z_l)].
μ_l is the stream's mean per unit. For an odd φ (tanh) with zero-mean biases μ stays 0, and this is Yang &
Schoenholz's m_l = m_(l-1) + E[φ(√q_l z)²]; a ReLU branch's positive mean adds the cross term.

The skip adds instead of multiplying: the stream's second moment never shrinks, so the order-to-chaos picture
of a plain net (core/theory/meanfield.py: q settles at a fixed point, chi decides) does not apply; q grows
with depth, at least linearly.

Backward, with g_l = ∂loss/∂h_l: g_l = g_(l+1) + W_(l+1)ᵀ (g_(l+1) ⊙ φ'(z_(l+1))), so on average
E[g_l²] = E[g_(l+1)²] (1 + σ_w² E[φ'(z_(l+1))²]): a factor of at least 1 per layer, never below. And
δ_l = g_l ⊙ φ'(z_l), so delta_ms_l / delta_ms_(l+1) = (1 + σ_w² s_(l+1)) s_l / s_(l+1), with s_l = E[φ'(z_l)²].
"""
import numpy as np

from core.theory.gaussian import expectation
from core.theory.meanfield import _activation, second_moment, slope_moment


def first_moment(activation: str, mean, variance, alpha: float = 0.1):
    """E[φ(z)], z ~ N(mean, variance)."""
    phi = _activation(activation, alpha)
    return expectation(phi, mean, variance)


def propagate_residual(activation: str, sigma_w, sigma_b, depth: int, q_first, alpha: float = 0.1, bias_mean=0.0):
    """Per-layer q (the second moment of z), m (of the stream h) and the backward factors, from layer 1's q (an
    array: one trajectory per example). Returns (q, m, stream_factor, delta_factor), each [depth, examples]:
    stream_factor[l] = 1 + σ_w² s_(l+1), the factor of E[g²] from layer l+1 down to l, and
    delta_factor[l] = delta_ms_l / delta_ms_(l+1); the last row of both is nan (no layer above)."""
    q_first = np.atleast_1d(np.asarray(q_first, float))
    qs, ms, slopes = [], [], []
    mean = np.zeros_like(q_first)
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth):
            q = q_first if layer == 0 else sigma_w ** 2 * ms[-1] + float(sigma_b) ** 2 + bias_mean ** 2
            q = np.where(np.isfinite(q), q, np.inf)
            variance = np.maximum(q - bias_mean ** 2, 0.0)  # z ~ N(bias_mean, variance)
            branch_ms = np.atleast_1d(second_moment(activation, bias_mean, variance, alpha))
            branch_mean = np.atleast_1d(first_moment(activation, bias_mean, variance, alpha))
            if layer == 0:
                m = branch_ms
            else:
                m = ms[-1] + 2 * mean * branch_mean + branch_ms
            mean = branch_mean if layer == 0 else mean + branch_mean
            qs.append(q)
            ms.append(np.where(np.isfinite(q) & np.isfinite(m), m, np.inf))
            slopes.append(np.atleast_1d(slope_moment(activation, bias_mean, variance, alpha)))
        q, m, s = np.stack(qs), np.stack(ms), np.stack(slopes)
        nan_row = np.full((1, q.shape[1]), np.nan)
        stream_factor = np.concatenate([1.0 + sigma_w ** 2 * s[1:], nan_row])
        delta_factor = np.concatenate([stream_factor[:-1] * s[:-1] / s[1:], nan_row])
    known = np.isfinite(q)
    return q, m, np.where(known, stream_factor, np.nan), np.where(known, delta_factor, np.nan)
