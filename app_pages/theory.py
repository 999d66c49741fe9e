"""Signal propagation: the order-to-chaos phase diagram of mean-field theory; a click opens the Lab there."""
import streamlit as st

from core.charts.phase import phase_data, phase_spec
from core.activation_table import ACTIVATIONS
from core.theory import initializers as theory_initializers
from core.theory.meanfield import chi_at_fixed_point, depth_scale
from core.theory.phase import grid, lab_params, lines, selected_point
from ui.controls import links, widgets

st.title("Signal propagation: order and chaos")
st.markdown(
    "Take a deep network at initialization with weights of variance σ_w²/fan_in and biases of spread σ_b. "
    "Layer by layer, the second moment of the pre-activations follows the map "
    "q_l = σ_w² E[φ(√q_(l−1) z)²] + σ_b² (z a standard normal) and settles at a fixed point q*. On the way "
    "back, the mean square gradient is multiplied at every layer by **χ = σ_w² E[φ'(√q\\* z)²]**. "
    "Below 1 (blue, *ordered*) gradients vanish geometrically with depth; above 1 (red, *chaotic*) they "
    "explode; on the **critical line χ = 1**, the *edge of chaos*, they keep their size and very deep "
    "networks train. The **depth scale ξ = 1/|ln χ|** counts the layers over which the gradient changes by "
    "a factor e: networks much deeper than ξ do not train (Poole et al. 2016, *Exponential expressivity in "
    "deep neural networks through transient chaos*; Schoenholz et al. 2017, *Deep information propagation*).")

links.restore_once("theory", comparison=False)  # a link's settings are the Lab's, which this page reads
# The Lab's run keeps its config (its widgets' state is gone once the student has left the Lab).
lab_run = st.session_state.get("lab_live")
lab_config = lab_run.config if lab_run is not None else widgets.config_or_default(st.session_state, "lab_")
links.show_messages("theory", lab_config.key())
default = ACTIVATIONS.index(lab_config.activation)
activation = st.selectbox("activation", ACTIVATIONS, index=default, key="theory_activation",
                          help="The diagram of this activation; it starts at the Lab's.")
alpha = lab_config.alpha
if activation in ("leaky_relu", "necro_relu"):
    alpha = st.slider("alpha (slope below 0)", 0.0, 1.0, float(alpha), 0.01, key="theory_alpha")


@st.cache_data(max_entries=16, show_spinner="Solving the mean-field map at every point…")
def _diagram(activation, alpha):
    frame = grid(activation, alpha)
    return frame, lines(frame)


def _current(config):
    """The Lab's (sigma_w, sigma_b) of its hidden layers, or the reason it is not on the diagram."""
    try:
        sigma_w = theory_initializers.sigma_w(config.initializer, config.width, config.width)
        bias = theory_initializers.bias(config.bias_initializer)
    except theory_initializers.NotCovered as error:
        return None, str(error)
    if bias.mean != 0:
        return None, (f"its bias is a constant {bias.mean:g}, not random: a constant shifts every unit the same "
                      "way, which this diagram (random biases around 0) does not show")
    return (sigma_w, bias.std), None


frame, segments = _diagram(activation, alpha)
if lab_config.residual:
    current, reason = None, "it has residual connections, whose signal this diagram does not describe (below)"
elif lab_config.activation == activation:
    current, reason = _current(lab_config)
else:
    current, reason = None, "the Lab uses another activation"
spec = phase_spec(f"chi* for {activation}: click a point to open the Lab with that initialization")
event = st.vega_lite_chart({**spec, "datasets": phase_data(frame, segments, current)}, on_select="rerun",
                           selection_mode="pick", key="theory_map", width="stretch")
point = selected_point(event)
if point is not None:
    params = lab_params(lab_config, activation, *point)
    st.session_state.pop("lab_link_lesson", None)  # the Lab reads its URL again, as for a lesson link
    st.switch_page("app_pages/lab.py", query_params=params)

if current is not None:
    chi = float(chi_at_fixed_point(activation, *current, alpha))
    xi = float(depth_scale(chi))
    xi_text = "infinite (critical)" if xi == float("inf") else f"{xi:.3g} layers"
    st.caption(f"◆ The Lab now: {activation}, σ_w = {current[0]:.3g}, σ_b = {current[1]:.3g} → χ* = {chi:.3g}, "
               f"depth scale {xi_text}; its depth is {lab_config.depth}.")
else:
    st.caption(f"The Lab's configuration is not on this diagram: {reason}.")
if activation == "sigmoid":
    st.caption("The sigmoid is ordered everywhere here: its slope is at most 0.25, so χ ≤ σ_w²/16 < 1 for σ_w < 4.")
st.caption("A click opens the Lab with variance scaling (scale σ_w², mode fan_in, normal) and a random "
           "N(0, σ_b²) bias per unit, on the Lab's grids (steps of 0.05). χ* is computed at the fixed point q* "
           "reached from q = 1; where q grows without bound (unbounded activations in the chaotic phase), at "
           "its limit. The same numbers from the command line: `python -m core theory --activation tanh "
           "--sigma-w 1.5 --sigma-b 0.3 --depth 20 --out -`.")

st.subheader("Residual nets leave this picture")
st.markdown(
    "With skip connections, h_l = h_(l−1) + φ(z_l), each layer *adds* its branch to the stream instead of "
    "replacing it. The stream's second moment m_l = m_(l−1) + E[φ(z_l)²] (plus a cross term when φ has a "
    "nonzero mean) never shrinks, so q_l = σ_w² m_(l−1) + σ_b² has no fixed point q\* to settle at and χ\* "
    "is not defined. On the way back the skip hands the gradient on unchanged beside the layer's own path: "
    "the mean square gradient is multiplied by **1 + σ_w² E[φ'(z)²] ≥ 1** per layer, so it cannot vanish "
    "geometrically, whatever side of the critical line σ_w is on (Yang & Schoenholz 2017, *Mean field "
    "residual networks: on the edge of chaos*). The price is a signal that grows with depth: with ReLU and He "
    "initialization the stream about doubles per layer, which is why residual branches are scaled down in "
    "practice. Turn on *residual connections* in the Lab to see the theory's lines for a residual net.")
