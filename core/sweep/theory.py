"""The theory's depth scale xi for a sweep over depth: networks much deeper than xi do not train.

xi = 1/|ln chi*| (core/theory/meanfield.py), with chi* at the fixed point of the hidden layers' sigma_w and
sigma_b. It exists where mean-field theory covers the initialization (variance scaling, random normal or
symmetric uniform kernels; zero or random normal biases) and there is no batch normalization.
"""
import math

import pandas as pd

from core.config import RunConfig
from core.sweep.grid import Grid, field_values
from core.sweep.grid import value_label as label
from core.theory import initializers as theory_initializers
from core.theory.meanfield import chi_at_fixed_point, depth_scale



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
    """(rows, reading) for a sweep whose first axis is depth. rows: {"xi", and the second axis's value} where
    the theory gives a finite xi; reading: one sentence with xi for each row (or why there is none)."""
    if not grid.axes or grid.names[0] != "depth":
        return pd.DataFrame(columns=["xi"]), "the depth scale ξ is drawn when depth is the first axis"
    second = grid.axes[1] if len(grid.axes) > 1 else None
    name, values = (None, [None]) if second is None else second
    rows, parts = [], []
    for value in values:
        xi = depth_scale_of(grid.base if name is None else grid.base.replace(**field_values({name: value})))
        where = "" if name is None else f"{label(value)}: " if isinstance(value, str) else f"{name} = {label(value)}: "
        if isinstance(xi, str):
            parts.append(f"{where}none ({xi})")
        elif math.isfinite(xi):
            parts.append(f"{where}ξ = {xi:.3g} layers")
            rows.append({"xi": xi, **({name: value} if name else {})})
        else:
            parts.append(f"{where}ξ infinite (critical, χ* = 1)")
    return pd.DataFrame(rows, columns=["xi"] + ([name] if name else [])), "; ".join(parts)

