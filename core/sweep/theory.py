"""The theory's depth scale xi for a sweep over depth: networks much deeper than xi do not train.

xi = 1/|ln chi*| (core/theory/meanfield.py), with chi* at the fixed point of the hidden layers' sigma_w and
sigma_b. It exists where mean-field theory covers the initialization (variance scaling, random normal or
symmetric uniform kernels; zero or random normal biases) and there is no batch normalization.
"""
import math

import numpy as np
import pandas as pd

from core.config import RunConfig
from core.sweep.grid import THEORY_AXES, Grid, field_values
from core.theory import initializers as theory_initializers
from core.theory.meanfield import chi_at_fixed_point, depth_scale

CURVE_POINTS = 60  # a sigma_w or sigma_b axis gets a smooth curve of xi, not one tick per row


def depth_scale_of(config: RunConfig):
    """xi in layers (inf at criticality), or a string saying why the theory has none."""
    if config.batchnorm:
        return "batch normalization rescales every layer, which the theory does not model"
    try:
        sigma_w = theory_initializers.sigma_w(config.initializer, config.width, config.width)
        bias = theory_initializers.bias(config.bias_initializer)
    except theory_initializers.NotCovered as error:
        return str(error)
    if bias.mean != 0:
        return f"the bias is a constant {bias.mean:g}; the depth scale assumes zero-mean random biases"
    chi = float(chi_at_fixed_point(config.activation, sigma_w, bias.std, config.alpha))
    return float(depth_scale(chi))


def overlay(grid: Grid) -> tuple:
    """(rows, note) for a sweep whose first axis is depth: rows {"xi", and the second axis's value} where the
    theory gives a finite xi; note says where it gives none (or None)."""
    if not grid.axes or grid.names[0] != "depth":
        return pd.DataFrame(columns=["xi"]), "the depth scale ξ is drawn when depth is the first axis"
    second = grid.axes[1] if len(grid.axes) > 1 else None
    if second is None:
        values, name = [None], None
    elif second[0] in THEORY_AXES:
        name = second[0]
        values = list(np.linspace(min(second[1]), max(second[1]), CURVE_POINTS))
    else:
        name, values = second
    rows, reasons = [], []
    for value in values:
        config = grid.base if name is None else grid.base.replace(**field_values({name: value}))
        xi = depth_scale_of(config)
        if isinstance(xi, str):
            reasons.append(xi)
        elif math.isfinite(xi):
            rows.append({"xi": xi, **({name: value} if name else {})})
        else:
            reasons.append("critical (χ* = 1): ξ is infinite")
    note = None
    if reasons:
        note = "no finite ξ " + ("here: " if len(reasons) == len(values) else "for some rows: ") + reasons[0]
    return pd.DataFrame(rows, columns=["xi"] + ([name] if name else [])), note
