"""The chain rule of one layer, with a recorded step's numbers: δ_l = (W_(l+1)ᵀ δ_(l+1)) ⊙ φ'(z_l).

Everything is read from the record's per-layer mean squares (root mean squares, rms, over the batch and units):
- rms(δ_(l+1)), from delta_ms of the layer above;
- the weights' gain on it, rms(W_(l+1)ᵀ δ_(l+1)) / rms(δ_(l+1)), from grad_a_ms (∂loss/∂a_l is W_(l+1)ᵀ δ_(l+1)
  in a plain net);
- the activation's factor, rms(δ_l) / rms(∂loss/∂a_l): what multiplying by φ'(z_l) did, beside rms(φ'(z_l))
  itself (slope_ms) and its fraction of exact zeros (slope_zeros);
- the result, rms(δ_l). The two factors multiply rms(δ_(l+1)) into it exactly.
With residual connections ∂loss/∂a_l is ∂loss/∂h_l = ∂loss/∂h_(l+1) + W_(l+1)ᵀ δ_(l+1): the skip's term is
rms(∂loss/∂h_(l+1)), and the "weights' factor" is that of the sum, skip included.
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class LayerChain:
    layer: int  # 1-based, below the top hidden layer
    step: int
    delta_above: float  # rms(δ_(l+1))
    weight_factor: float  # rms(∂loss/∂a_l) / rms(δ_(l+1))
    slope_rms: float  # rms(φ'(z_l))
    slope_zeros: float  # fraction of exact zeros of φ'(z_l)
    activation_factor: float  # rms(δ_l) / rms(∂loss/∂a_l)
    delta: float  # rms(δ_l), measured
    skip: float | None  # rms(∂loss/∂h_(l+1)), the skip's term (residual nets)
    delta_above_zeros: float  # fraction of δ_(l+1) that is exactly 0 (from the ∂loss/∂z histogram's zeros)
    delta_zeros: float  # and of δ_l

    @property
    def product(self) -> float:
        return self.delta_above * self.weight_factor * self.activation_factor


def _row(record, name: str, index: int) -> np.ndarray:
    """One recorded step's values of a metric, per layer (not the whole run's table: a page reads one step)."""
    return np.asarray(record.metrics[name][index], dtype=float)


def layers_with_a_chain(record) -> range:
    """The layers whose δ comes from a hidden layer above: 1 to depth - 1."""
    return range(1, len(record.layers))


def _step(record, index: int) -> dict:
    """Every layer's numbers at one recorded step, read once: rms δ, rms ∂loss/∂a and their ratios."""
    delta, grad_a = np.sqrt(_row(record, "delta_ms", index)), np.sqrt(_row(record, "grad_a_ms", index))
    with np.errstate(divide="ignore", invalid="ignore"):
        weight_factor = grad_a[:-1] / delta[1:]  # layer l's, for l = 1 .. depth - 1
        activation_factor = delta[:-1] / grad_a[:-1]
    return {"delta": delta, "grad_a": grad_a, "weight_factor": weight_factor, "activation_factor": activation_factor}


def layer_chain(record, index: int, layer: int) -> LayerChain | None:
    """Layer `layer`'s chain rule at the recorded step `index`, or None for a layer with no hidden layer above
    (the top one, or a layer beyond the depth: a stale selection is ignored)."""
    if layer not in layers_with_a_chain(record):
        return None
    below, above = layer - 1, layer
    numbers = _step(record, index)
    delta, grad_a = numbers["delta"], numbers["grad_a"]
    residual = bool(record.config.get("residual"))
    zeros = exact_zeros(record, index)
    return LayerChain(layer, int(record.steps[index]), float(delta[above]), float(numbers["weight_factor"][below]),
                      float(np.sqrt(_row(record, "slope_ms", index)[below])),
                      float(_row(record, "slope_zeros", index)[below]), float(numbers["activation_factor"][below]),
                      float(delta[below]), float(grad_a[above]) if residual else None,
                      float(zeros[above]), float(zeros[below]))


def exact_zeros(record, index: int) -> np.ndarray:
    """Per layer, the fraction of δ = ∂loss/∂z that is exactly 0 at a recorded step. A mean square of 0 with
    fewer zeros than that is a δ too small to square in float32 (below about 1e-19), not a δ of 0."""
    block = record.histograms["delta"]
    zeros = np.asarray(block["zeros"][index], float)
    total = np.asarray(block["counts"][index], float).sum(axis=1) + zeros
    with np.errstate(invalid="ignore", divide="ignore"):
        return zeros / total


def factors_along_depth(record, index: int) -> pd.DataFrame:
    """Each layer's factor rms(δ_l) / rms(δ_(l+1)) at a recorded step, split into the weights' and the
    activation's: rows of layer_index, factor (weights, activation or both) and value."""
    numbers = _step(record, index)
    weights, activation = numbers["weight_factor"], numbers["activation_factor"]
    layers = np.arange(1, len(record.layers))
    return pd.concat([pd.DataFrame({"layer_index": layers, "factor": factor, "value": values})
                      for factor, values in (("weights", weights), ("activation", activation),
                                             ("both", weights * activation))], ignore_index=True)
