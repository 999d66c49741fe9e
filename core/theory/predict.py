"""What a configuration's step 0 should measure, layer by layer, by mean-field theory.

Which quantity against which measurement:
- preact_ms (mean of z^2 over the batch and units) against q_l, averaged over examples. Layer 1's q is
  sigma_w1^2 * (the example's mean square input) + the bias's second moment, per example: the data sets are
  standardized per input, but an example's own mean square varies (a spiral's points lie at every radius;
  the digits' constant pixels are 0), so each example gets its own trajectory and the prediction is
  their mean. Layer 1's sigma_w uses its own fan-in (the data's dimension), layers 2.. the width.
- delta_ms (mean of (dloss/dz)^2) relative to the last hidden layer's, against the product of chi over the
  layers in between: delta_ms_l / delta_ms_L = mean over examples of chi_l chi_(l+1) ... chi_(L-1). The
  output layer's own factor and the loss's size cancel in the ratio (treating every example's output
  gradient as the same size).
With residual connections, q and the factors come from core/theory/residual.py: the stream's second moment m_l
adds up over the layers, and each layer's factor of the back-propagated signal is (1 + σ_w² s_(l+1)) s_l / s_(l+1)
instead of σ_w² s_l, with s_l = E[φ'(z_l)²]. stream_ms (the mean of h²) is predicted too.
Batch normalization rescales z by its measured spread, which this theory does not model: no prediction.
"""
import functools
import json
from dataclasses import dataclass

import numpy as np

from core.config import RunConfig
from core.theory import initializers as theory_initializers
from core.theory.initializers import NotCovered
from core.theory.meanfield import propagate
from core.theory.residual import propagate_residual

EXAMPLES = 256  # input examples whose own trajectories are averaged


@dataclass(frozen=True)
class Prediction:
    preact_ms: np.ndarray  # [depth] predicted mean of z^2
    delta_relative: np.ndarray  # [depth] predicted delta_ms / delta_ms of the last hidden layer
    chi: np.ndarray  # [depth - 1] chi between layer l + 1 and layer l (mean over examples)
    sigma_w_first: float
    sigma_w: float  # layers 2..depth
    bias_mean: float
    sigma_b: float
    input_ms: float  # the data's mean square input (q_0)
    stream_ms: np.ndarray | None = None  # [depth] predicted mean of h^2 (residual nets; a plain net's h is a)
    residual: bool = False

    @property
    def chi_per_layer(self) -> float:
        """The geometric mean of chi over the layers: the typical factor per layer."""
        if len(self.chi) == 0:
            return float("nan")
        with np.errstate(divide="ignore"):
            return float(np.exp(np.mean(np.log(self.chi))))


def predict(config: RunConfig, inputs: np.ndarray) -> Prediction:
    """Prediction for `config` on these inputs [examples, input_dim]; raises NotCovered with the reason."""
    if config.batchnorm:
        raise NotCovered("batch normalization rescales every layer's z by its measured spread, which "
                         "mean-field theory without normalization does not model")
    dim = inputs.shape[1]
    first = theory_initializers.sigma_w(config.initializer, dim, config.width)
    hidden = theory_initializers.sigma_w(config.initializer, config.width, config.width)
    bias = theory_initializers.bias(config.bias_initializer)
    take = inputs[:: max(1, len(inputs) // EXAMPLES)][:EXAMPLES].astype(float)
    example_ms = np.mean(take ** 2, axis=1)
    q_first = first ** 2 * example_ms + bias.std ** 2 + bias.mean ** 2
    stream = None
    if config.residual:
        q, m, _, chi = propagate_residual(config.activation, hidden, bias.std, config.depth, q_first, config.alpha,
                                          bias.mean)
        stream = m.mean(axis=1)
    else:
        q, chi = propagate(config.activation, hidden, bias.std, config.depth, q_first, config.alpha, bias.mean)
    chi = np.broadcast_to(chi, q.shape)[:-1]  # the factor from layer l + 1 down to l, for l < depth
    products = np.cumprod(chi[::-1], axis=0)[::-1]  # chi_l ... chi_(depth-1)
    relative = np.concatenate([products.mean(axis=1), [1.0]])
    return Prediction(q.mean(axis=1), relative, chi.mean(axis=1), first, hidden, bias.mean, bias.std,
                      float(example_ms.mean()), stream, config.residual)


@functools.lru_cache(maxsize=32)
def _predict_for_key(key: str):
    from core.engine.datasets import make_dataset

    config = RunConfig.from_dict(json.loads(key))
    try:
        return predict(config, make_dataset(config).x)
    except NotCovered as error:
        return str(error)


def predict_for_config(config: RunConfig):
    """The Prediction for a configuration on its own data (cached), or a string saying why there is none."""
    from core.engine.upload_store import UploadGone

    try:
        return _predict_for_key(config.key())
    except UploadGone as error:  # not cached: the same CSV uploaded again brings the prediction back
        return str(error)


def reading(prediction: Prediction, measured_delta_ms) -> str:
    """One line: the theory's per-layer chi and layer 1's gradient, next to the measured one."""
    depth = len(prediction.delta_relative)
    if depth < 2:
        return f"theory: chi = {prediction.chi_per_layer:.3g} per layer (one hidden layer: nothing to compare)"
    measured = np.asarray(measured_delta_ms, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        predicted_log = np.log10(prediction.delta_relative[0])
        ratio = measured[0] / measured[-1]
    if not np.isfinite(ratio):
        seen = "not finite"
    elif ratio == 0:
        seen = "exactly 0"
    else:
        seen = f"10^{np.log10(ratio):.1f}"
    expected = "0" if not np.isfinite(predicted_log) else f"10^{predicted_log:.1f}"
    factor = "factor" if prediction.residual else "chi"  # a residual net's factor is not the plain net's chi
    return (f"theory: {factor} = {prediction.chi_per_layer:.3g} per layer → mean square ∂loss/∂z at layer 1 is "
            f"{expected} of layer {depth}'s; measured at step 0: {seen}")
