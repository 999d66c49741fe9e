"""The order-to-chaos phase diagram (Poole et al. 2016, Schoenholz et al. 2017) over (sigma_w, sigma_b).

For every point, chi at the fixed point q*: below 1 the net is ordered (gradients vanish with depth), above
1 chaotic (they explode). The critical line is chi* = 1; the depth scale xi = 1/|ln chi*| is a contour
family of chi* itself (xi = 10 where chi* = e^(-1/10) or e^(1/10)). Clicking a point opens the Lab with
that initialization (lab_config)."""
import numpy as np
import pandas as pd

from core.config import RunConfig
from core.initializer_table import variance_scaling
from core.theory.contours import segments
from core.theory.initializers import random_normal_bias
from core.theory.meanfield import chi_at_fixed_point, depth_scale, fixed_point

# On the Lab's slider grids, so that a clicked point is a value the Lab's controls can show exactly.
SIGMA_W = np.round(np.arange(0.1, 4.0001, 0.05), 2)
SIGMA_B = np.round(np.arange(0.0, 2.0001, 0.05), 2)
DEPTH_SCALES = (3, 10, 30)  # contours drawn; each on both sides of the critical line


def grid(activation: str, alpha: float = 0.1) -> pd.DataFrame:
    """One row per (sigma_w, sigma_b): chi_star, log10_chi, q_star (inf: no finite fixed point), depth_scale."""
    sigma_w, sigma_b = np.meshgrid(SIGMA_W, SIGMA_B)
    q_star = np.asarray(fixed_point(activation, sigma_w, sigma_b, alpha), float)
    chi = np.asarray(chi_at_fixed_point(activation, sigma_w, sigma_b, alpha), float)
    with np.errstate(divide="ignore"):
        log = np.log10(chi)
    return pd.DataFrame({
        "sigma_w": sigma_w.ravel(), "sigma_b": sigma_b.ravel(), "chi_star": chi.ravel(),
        "log10_chi": np.clip(log.ravel(), -3, 3), "q_star": q_star.ravel(),
        "depth_scale": np.asarray(depth_scale(chi), float).ravel(),
    })


def lines(frame: pd.DataFrame) -> pd.DataFrame:
    """Segments (x, y, x2, y2) of the critical line and of the depth-scale contours, named by `line`."""
    chi = frame.pivot(index="sigma_b", columns="sigma_w", values="chi_star")
    with np.errstate(divide="ignore"):
        log = np.log(chi.to_numpy())
    log = np.where(np.isfinite(log), log, np.nan)
    xs, ys = chi.columns.to_numpy(), chi.index.to_numpy()
    parts = [("critical: chi* = 1", 0.0)]
    for xi in DEPTH_SCALES:
        parts += [(f"xi = {xi}", -1.0 / xi), (f"xi = {xi}", 1.0 / xi)]
    frames = []
    for name, level in parts:
        found = segments(xs, ys, log, level)
        frames.append(pd.DataFrame({"x": found[:, 0], "y": found[:, 1], "x2": found[:, 2], "y2": found[:, 3],
                                    "line": name}))
    return pd.concat(frames, ignore_index=True)


def snap(value: float, choices) -> float:
    return float(choices[int(np.argmin(np.abs(np.asarray(choices) - value)))])


def lab_config(base: RunConfig, activation: str, sigma_w: float, sigma_b: float) -> RunConfig:
    """The Lab's configuration for a clicked point: base with this activation, variance scaling with scale
    sigma_w^2 (fan_in, normal) and a bias of standard deviation sigma_b, both on the Lab's slider grids."""
    sigma_w, sigma_b = snap(sigma_w, SIGMA_W), snap(sigma_b, SIGMA_B)
    return base.replace(activation=activation, initializer=variance_scaling(sigma_w),
                        bias_initializer=random_normal_bias(sigma_b), batchnorm=False)


def selected_point(event) -> tuple | None:
    """(sigma_w, sigma_b) of the point clicked on the phase diagram, from Streamlit's selection event
    ({"selection": {"pick": [{"sigma_w": ..., "sigma_b": ...}]}}), or None."""
    try:
        picked = (event or {}).get("selection", {}).get("pick") or []
        point = picked[0]
        sigma_w, sigma_b = float(point["sigma_w"]), float(point["sigma_b"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    if not (np.isfinite(sigma_w) and np.isfinite(sigma_b)):
        return None
    return snap(sigma_w, SIGMA_W), snap(sigma_b, SIGMA_B)


def lab_params(base: RunConfig, activation: str, sigma_w: float, sigma_b: float) -> dict:
    """The Lab's lesson-link parameters for a clicked point (core/lessons/links.py's URL format)."""
    from core.lessons.links import Lesson, lesson_params

    return lesson_params(Lesson(configs=(lab_config(base, activation, sigma_w, sigma_b),)))
