"""The chain rule of one layer, with the numbers of the step on the step bar, and every layer's factor along depth.

The layer is picked here; the numbers and the factors are live views (ui/live/charts.py) that the page's
script fills in from the run's stream, so they follow the run while it trains and the step bar's replay after.
"""
import math

import streamlit as st

from core.charts import live_views
from core.chain_rule import layers_with_a_chain
from ui.live.charts import chart

LAYER_KEY = "lab_chain_layer"


def _keep_valid(key: str, options: list):
    """A choice kept from a deeper net is ignored (the default takes its place)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def lab(record):
    """Pick a layer: its δ_l = (W_(l+1)ᵀ δ_(l+1)) ⊙ φ'(z_l) filled in with the shown step's numbers."""
    st.subheader("The chain rule of one layer")
    layers = list(layers_with_a_chain(record))
    if not layers or not record.steps:
        st.caption("One hidden layer: its gradient comes straight from the output layer, with no layer above it.")
        return
    if any(math.isnan(float(record.metrics[name][0][0])) for name in ("grad_a_ms", "slope_ms")):
        st.caption("This saved run was recorded before ∂loss/∂a and φ'(z) were measured: no chain rule to show.")
        return
    _keep_valid(LAYER_KEY, layers)
    # the session's value as the default too, as ui/controls/widgets.py's _as_default explains
    layer = st.selectbox("layer l", layers, index=layers.index(st.session_state.get(LAYER_KEY, layers[0])), key=LAYER_KEY,
                         help="The layer whose gradient δ_l = ∂loss/∂z_l is built from the layer above it.")
    residual = bool(record.config.get("residual"))
    skip = f"∂loss/∂h_{layer + 1} + " if residual else ""
    st.markdown(f"**δ_{layer} = ({skip}W_{layer + 1}ᵀ δ_{layer + 1}) ⊙ φ'(z_{layer})**, at the step on the step bar "
                "(rms over the batch and units; the live step while the run trains):")
    chart(live_views.chain(layer, residual), "lab_chart_chain")
    st.caption(
        f"The weights' gain is rms({skip}W_{layer + 1}ᵀ δ_{layer + 1}) over rms δ_{layer + 1}; the activation's factor is "
        f"rms δ_{layer} over rms ∂loss/∂a_{layer}, what multiplying by φ'(z_{layer}) did. Their product with rms "
        f"δ_{layer + 1} is the measured rms δ_{layer}. "
        + (f"The skip hands ∂loss/∂h_{layer + 1} straight down, beside the layer's own path: a term of factor 1 that "
           "no φ' multiplies. " if residual else "")
        + "A δ whose mean square is below float32's smallest number reads '< 1.1e-19' and its factors 0/0: pick a "
          "layer nearer the output, or an earlier step, to see where the gradient was lost. 'inf' means it exploded "
          "past float32's largest number (about 3.4e38).")
    chart(live_views.factors(len(record.layers), layer), "lab_chart_factors")
    st.caption("Below 1 the signal shrinks on its way to the input, above 1 it grows: the gradient at layer 1 is "
               "the product of every factor above it. The weights' factor is about σ_w for a variance-scaling "
               "initializer; the activation's is at most the largest |φ'| (a quarter for the sigmoid).")
