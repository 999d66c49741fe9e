"""The units that die: for a picked layer, a heat map of its units over the recorded steps."""
import streamlit as st

from core.charts.dead_units import units_heatmap
from core.dead_units import DEAD_FOR, has_units, unit_fates
from ui.views import show

LAYER_KEY = "lab_units_layer"


def _fates_text(fates, layer: int) -> str:
    shown = (f"all {fates.width} units" if fates.shown == fates.width
             else f"{fates.shown} of its {fates.width} units, evenly spread")
    if not fates.ever_zero:
        return (f"Layer {layer}, {shown}: no unit was exactly 0 on any example of any recorded step. A unit dies only "
                "where its activation is exactly 0 on a whole range of inputs, as ReLU is for z ≤ 0; this one's is "
                "not, so its units can saturate (see saturation) but not die.")
    text = (f"Layer {layer}, {shown}: {fates.dead_at_start} dead at the first recorded step, "
            f"{fates.dead_at_end} at the last.")
    if fates.died:
        text += f" {fates.died} were alive at the start and died"
        text += f" (the first at step {fates.first_death})." if fates.first_death is not None else "."
    if fates.came_back:
        text += (f" {fates.came_back} came back after {DEAD_FOR} or more recorded steps dead: a dead unit gets no "
                 "gradient itself, but the layers below it keep changing what it receives (and momentum keeps "
                 "moving its own weights), so its row lights up again.")
    return text


def lab(record):
    """Pick a layer; see which of its units are exactly 0 on the whole batch (dead), and when they died."""
    st.subheader("The units that die")
    if not record.steps or not has_units(record):
        st.caption("This saved run was recorded before each unit's activity was measured: no heat map to show.")
        return
    layers = list(range(1, len(record.layers) + 1))
    if st.session_state.get(LAYER_KEY) not in layers:  # kept from a deeper net: the first layer instead
        st.session_state[LAYER_KEY] = layers[0]
    # the session's value as the default too, as ui/controls/widgets.py's _as_default explains
    layer = st.selectbox("layer", layers, index=layers.index(st.session_state[LAYER_KEY]), key=LAYER_KEY,
                         help="The hidden layer whose units are drawn, 1 = the input side.")
    show(units_heatmap(record, layer))
    st.caption(_fates_text(unit_fates(record, layer), layer) + " Each cell is the fraction of that step's minibatch "
               "on which the unit's activation is not exactly 0; black means 0 for every example of that minibatch "
               "(dead on that step). A unit near death flickers, as each step draws other examples.")
