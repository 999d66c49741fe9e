"""Activation functions: f and its slope, where the slope is 0 or saturated, and what n slopes multiply to."""
import pandas as pd
import streamlit as st

from core.charts.activations import activation_panel, chain_chart, zero_paths_chart
from core.activation_table import ACTIVATIONS
from core.theory.activation_facts import chain, curves, facts
from ui.views import show

LEAKY = ("leaky_relu", "necro_relu")

st.title("Activation functions")
st.markdown("Back-propagation multiplies one activation slope φ'(z) per layer (and one weight matrix). "
            "Here is each activation's f and φ': how large the slope can be, where it is exactly 0, where it "
            "is nearly 0, and what n of them multiply to along one path through the network.")

names = st.multiselect("activations", ACTIVATIONS, default=["sigmoid", "tanh", "relu", "necro_relu"],
                       key="act_names", help="Any activation of the Lab.")
alpha = 0.1
if any(name in LEAKY for name in names):
    alpha = st.slider("alpha (slope below 0 of leaky_relu and necro_relu)", 0.0, 1.0, 0.1, 0.01, key="act_alpha")
if not names:
    st.info("Pick at least one activation.")
    st.stop()


@st.cache_data(max_entries=64)
def _facts(names, alpha):
    return [facts(name, alpha) for name in names], curves(names, alpha)


found, rows = _facts(tuple(names), alpha)
st.dataframe(pd.DataFrame([{
    "activation": f.name, "max slope": round(f.max_slope, 4), "where": f.max_where,
    "slope exactly 0 for": ", ".join(f"z in [{low:g}, {high:g}]" for low, high in f.zero_gradient) or "nowhere",
    "saturated for (|slope| < 5% of max)": ", ".join(f"[{low:.2f}, {high:.2f}]" for low, high in f.saturated) or "nowhere in [-6, 6]",
    "exact zeros of a at init": f"{f.zero_fraction:.0%}", "exact zeros of φ' at init": f"{f.zero_slope_fraction:.0%}",
} for f in found]), hide_index=True, width="stretch")
st.caption("At initialization z is spread symmetrically around 0 (zero bias), so a ReLU's a = max(0, z) is "
           "exactly 0 for half of the (example, unit) pairs, and so is its slope. NecroReLU's forward pass is "
           "ReLU's (half of a is exactly 0), but its backward pass uses the leaky slope α below 0, so its "
           "gradient is never blocked there. Saturation: the Lab's saturation metric counts |φ'(z)| below 5% of "
           "the largest slope.")

for start in range(0, len(found), 2):
    for column, item in zip(st.columns(2), found[start:start + 2]):
        with column:
            show(activation_panel(item, rows))
if "necro_relu" in names:
    st.caption(f"NecroReLU: the dashed true derivative of its forward function (ReLU's, 0 below 0) against "
               f"the slope its custom gradient uses (α = {alpha:g} below 0).")

st.markdown("#### The chain of derivatives")
left, right = st.columns(2)
depth = left.slider("depth n", 1, 100, 20, key="act_depth", help="How many layers the path crosses.")
spread = right.slider("spread of z (standard deviation)", 0.1, 5.0, 1.0, 0.1, key="act_spread",
                      help="Each layer's pre-activation is drawn from N(0, spread²) along the path.")


@st.cache_data(max_entries=64)
def _chains(names, alpha, spread, depth):
    return pd.concat([chain(name, alpha, spread, depth) for name in names], ignore_index=True)


chains = _chains(tuple(names), alpha, spread, depth)
left, right = st.columns([3, 2])
with left:
    show(chain_chart(chains))
with right:
    show(zero_paths_chart(chains))
last = chains[chains.n == depth].set_index("activation")
lines = []
for name in names:
    row = last.loc[name]
    typical = "no path survives" if pd.isna(row.typical) else f"typical 10^{row.typical:.1f}"
    lines.append(f"**{name}**: best 10^{row.best:.1f}, {typical}, exactly 0 on {row.zero_paths:.1%} of paths")
st.markdown(f"After {depth} layers: " + "; ".join(lines) + ".")
st.caption("Solid: the median path; band: 10% to 90% of the paths; dashed: the best case (the largest slope, n "
           "times). The sigmoid's best case is 0.25ⁿ (its slope is at most 0.25, at z = 0); a typical path is far "
           "below that. ReLU's product is exactly 1 or exactly 0: no geometric shrinking, but the fraction of "
           "paths that are 0 grows as 1 − 0.5ⁿ. The band is over 20,000 sampled paths of nonzero products; "
           "the weights' own factors (the Theory page's χ) are left out here.")
