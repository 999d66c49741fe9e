"""The chain rule of one layer, with a recorded step's numbers, and every layer's factor along depth."""
import json
import math

import streamlit as st

from core.chain_rule import layer_chain, layers_with_a_chain
from core.charts.chain_rule import factors_chart
from ui.views import show

LAYER_KEY, STEP_KEY = "lab_chain_layer", "lab_chain_step"
PICKED_KEY = "lab_chain_step_picked"  # the run (its config) whose step the student picked


def _picked(run: str):
    st.session_state[PICKED_KEY] = run


TOO_SMALL = 1.1e-19  # √(float32's smallest normal number): a smaller rms squares to 0 in the record


def _number(value: float) -> str:
    if value is None or math.isnan(value):
        return "0/0"
    return "exactly 0" if value == 0 else f"{value:.3g}"


def _rms(value: float, zeros: float) -> str:
    """An rms of 0 is exactly 0 only when every element is; otherwise its squares fell below float32."""
    return f"< {TOO_SMALL:.1e}" if value == 0 and zeros < 1 else _number(value)


def _keep_valid(key: str, options: list):
    """A choice kept from a deeper net or a longer run is ignored (the default takes its place)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def lab(record):
    """Pick a layer and a recorded step: its δ_l = (W_(l+1)ᵀ δ_(l+1)) ⊙ φ'(z_l) filled in with that step's numbers."""
    st.subheader("The chain rule of one layer")
    layers = list(layers_with_a_chain(record))
    if not layers or not record.steps:
        st.caption("One hidden layer: its gradient comes straight from the output layer, with no layer above it.")
        return
    if any(math.isnan(float(record.metrics[name][0][0])) for name in ("grad_a_ms", "slope_ms")):
        st.caption("This saved run was recorded before ∂loss/∂a and φ'(z) were measured: no chain rule to show.")
        return
    _keep_valid(LAYER_KEY, layers)
    _keep_valid(STEP_KEY, list(record.steps))
    run = json.dumps(record.config, sort_keys=True)
    if st.session_state.get(PICKED_KEY) != run or STEP_KEY not in st.session_state:
        st.session_state[STEP_KEY] = record.steps[-1]  # until the student picks a step, the latest one
    left, right = st.columns([1, 3])
    # The session's values as the defaults too, as ui/controls.py's _as_default explains.
    layer = left.selectbox("layer l", layers, index=layers.index(st.session_state.get(LAYER_KEY, layers[0])), key=LAYER_KEY,
                           help="The layer whose gradient δ_l = ∂loss/∂z_l is built from the layer above it.")
    step = right.select_slider("at step", list(record.steps), value=st.session_state[STEP_KEY], key=STEP_KEY,
                               on_change=_picked, args=(run,),
                               help="Any recorded step of this run; the latest one until you pick one.")
    index = record.step_index(step)
    chain = layer_chain(record, index, layer)
    residual = chain.skip is not None
    st.markdown(f"**δ_{layer} = ({'∂loss/∂h_' + str(layer + 1) + ' + ' if residual else ''}"
                f"W_{layer + 1}ᵀ δ_{layer + 1}) ⊙ φ'(z_{layer})**, at step {chain.step} (rms over the batch and units):")
    cells = st.columns(4)
    cells[0].metric(f"rms δ_{layer + 1}", _rms(chain.delta_above, chain.delta_above_zeros))
    cells[1].metric("× the weights' gain" + (" (skip included)" if residual else ""), _number(chain.weight_factor),
                    help=f"rms of {'∂loss/∂h_' + str(layer + 1) + ' + ' if residual else ''}W_{layer + 1}ᵀ δ_{layer + 1} "
                         f"over rms δ_{layer + 1}.")
    cells[2].metric("× the activation's factor", _number(chain.activation_factor),
                    help=f"rms δ_{layer} over rms ∂loss/∂a_{layer}: what multiplying by φ'(z_{layer}) did.")
    cells[3].metric(f"= rms δ_{layer}", _rms(chain.delta, chain.delta_zeros))
    slope = (f"rms φ'(z_{layer}) = {_number(chain.slope_rms)}, and φ'(z_{layer}) is exactly 0 for "
             f"{chain.slope_zeros:.1%} of the batch's (example, unit) pairs.")
    skip = (f" The skip hands ∂loss/∂h_{layer + 1} (rms {_number(chain.skip)}) straight down, beside the layer's own "
            "path: a term of factor 1 that no φ' multiplies." if residual else "")
    if math.isfinite(chain.product):
        result = f" The product of the two factors and rms δ_{layer + 1} is {_number(chain.product)}, the measured rms δ_{layer}."
    elif math.isinf(chain.delta) or math.isinf(chain.delta_above):
        result = (" Here δ's mean square is beyond float32's largest number (about 3.4e38): the gradient exploded "
                  "before this layer, so the factors read inf/inf. Pick an earlier step or a smaller initialization.")
    else:
        result = (f" Here δ is so small that its mean square is below float32's smallest number (rms below "
                  f"{TOO_SMALL:.1e}; {chain.delta_zeros:.1%} of δ_{layer} is exactly 0), so the factors read 0/0: "
                  "pick a layer nearer the output, or an earlier step, to see where the gradient was lost.")
    st.caption(slope + skip + result)
    show(factors_chart(record, index, layer))
    st.caption("Below 1 the signal shrinks on its way to the input, above 1 it grows: the gradient at layer 1 is "
               "the product of every factor above it. The weights' factor is about σ_w for a variance-scaling "
               "initializer; the activation's is at most the largest |φ'| (a quarter for the sigmoid).")
