"""The Lab's sidebar: every RunConfig knob, grouped, each with a one-sentence help."""
import streamlit as st

from core import initializers
from core.config import ConfigError, RunConfig, TWO_D_DATASETS, default_record_every
from ui.control_specs import LEARNING_RATES, WEIGHT_DECAYS, lab_specs, sanitize

LEAKY = ("leaky_relu", "necro_relu")


def _format_rate(value):
    return f"{value:.0e}" if value < 0.01 or value >= 100 else f"{value:g}"


def _defaults(specs):
    for key, spec in specs.items():
        st.session_state.setdefault(key, spec.default)


def sidebar_controls() -> tuple:
    """Draw the controls; returns (RunConfig or None, messages about values that were clamped or refused)."""
    specs = lab_specs()
    messages = sanitize(st.session_state, specs)
    _defaults(specs)
    s = specs
    with st.sidebar:
        st.subheader("Network")
        st.slider("depth (hidden layers)", int(s["lab_depth"].low), int(s["lab_depth"].high), key="lab_depth",
                  help="How many hidden layers the signal and its gradient must cross.")
        st.select_slider("width (units per layer)", options=s["lab_width"].choices, key="lab_width",
                         help="Units in every hidden layer; wider layers make per-layer statistics smoother.")
        st.selectbox("activation", s["lab_activation"].choices, key="lab_activation",
                     help="The nonlinearity after each hidden layer; its derivative is a factor in every gradient.")
        if st.session_state["lab_activation"] in LEAKY:
            st.slider("alpha (slope below 0)", 0.0, 1.0, step=0.01, key="lab_alpha",
                      help="The slope for z < 0 (necro_relu uses it only in the backward pass).")
        st.toggle("batch normalization", key="lab_batchnorm",
                  help="Normalize each layer's pre-activations over the batch, before the activation.")

        st.subheader("Initialization")
        st.radio("kernel initializer", ["named", "sigma_w"], key="lab_init_mode", horizontal=True,
                 format_func=lambda m: "named" if m == "named" else "σ_w slider",
                 help="A Keras initializer by name, or variance scaling Var(W) = σ_w² / fan_in.")
        if st.session_state["lab_init_mode"] == "named":
            st.selectbox("initializer", s["lab_initializer"].choices, key="lab_initializer",
                         help="too_small is N(0, 0.01²), too_large is N(0, 1); the others are Keras's own.")
        else:
            st.slider("σ_w", 0.1, 4.0, step=0.05, key="lab_sigma_w",
                      help="Weight scale; ReLU keeps its signal at σ_w = √2 ≈ 1.41, tanh near 1.")
        st.slider("bias (constant)", -5.0, 5.0, step=0.1, key="lab_bias",
                  help="Every hidden bias starts at this value; a negative one kills ReLUs.")

        st.subheader("Training")
        st.selectbox("optimizer", s["lab_optimizer"].choices, key="lab_optimizer",
                     help="How gradients become updates: plain SGD, SGD with momentum, Adam or RMSprop.")
        st.select_slider("learning rate", options=LEARNING_RATES, key="lab_learning_rate", format_func=_format_rate,
                         help="Step size on a log scale; too large diverges or kills ReLUs in one step.")
        if st.session_state["lab_optimizer"] == "momentum":
            st.slider("momentum", 0.0, 0.99, step=0.01, key="lab_momentum",
                      help="How much of the previous update carries into the next one.")
        st.select_slider("weight decay", options=WEIGHT_DECAYS, key="lab_weight_decay", format_func=lambda v: f"{v:g}",
                         help="Pulls kernels towards zero at every step, even where the gradient is zero.")
        st.select_slider("batch size", options=s["lab_batch_size"].choices, key="lab_batch_size",
                         help="Examples per step; statistics are measured on each step's minibatch.")
        st.slider("steps", 0, int(s["lab_steps"].high), step=10, key="lab_steps",
                  help="Training steps; 0 shows the network at initialization only.")

        st.subheader("Data")
        st.selectbox("dataset", s["lab_dataset"].choices, key="lab_dataset",
                      help="2-D toy sets show a decision boundary; gaussian and digits have more inputs.")
        st.slider("samples", 100, int(s["lab_samples"].high), step=100, key="lab_samples",
                  help="How many examples are generated; minibatches are drawn from them.")
        if st.session_state["lab_dataset"] in TWO_D_DATASETS:
            st.slider("noise", 0.0, 1.0, step=0.05, key="lab_noise", help="How much the 2-D points are blurred.")
        if st.session_state["lab_dataset"] == "gaussian":
            st.slider("input dimension", 1, int(s["lab_input_dim"].high), key="lab_input_dim",
                      help="Dimension of the N(0, I) inputs labelled by a random teacher network.")
        st.number_input("seed", 0, 2**31 - 1, step=1, key="lab_seed",
                        help="Seeds data, weights and minibatches: the same seed gives the same run.")
        with st.expander("Advanced"):
            st.selectbox("precision", s["lab_precision"].choices, key="lab_precision",
                         help="float16 shows tiny gradients rounding to exactly 0 (underflow).")
            st.toggle("force CPU", key="lab_cpu", help="Train on the CPU even when a GPU is visible.")
    try:
        return config_from_state(st.session_state), messages
    except ConfigError as error:
        return None, messages + [str(error)]


def record_every_for(steps: int) -> int:
    return default_record_every(steps)


def config_from_state(state) -> RunConfig:
    if state["lab_init_mode"] == "named":
        kernel = state["lab_initializer"]
    else:
        kernel = initializers.variance_scaling(state["lab_sigma_w"])
    bias = "zeros" if state["lab_bias"] == 0 else initializers.constant(state["lab_bias"])
    return RunConfig(
        dataset=state["lab_dataset"], samples=int(state["lab_samples"]), noise=float(state["lab_noise"]),
        input_dim=int(state["lab_input_dim"]), depth=int(state["lab_depth"]), width=int(state["lab_width"]),
        activation=state["lab_activation"], alpha=float(state["lab_alpha"]), batchnorm=bool(state["lab_batchnorm"]),
        initializer=kernel, bias_initializer=bias, optimizer=state["lab_optimizer"],
        learning_rate=float(state["lab_learning_rate"]), momentum=float(state["lab_momentum"]),
        weight_decay=float(state["lab_weight_decay"]), batch_size=int(state["lab_batch_size"]),
        steps=int(state["lab_steps"]), record_every=record_every_for(int(state["lab_steps"])),
        seed=int(state["lab_seed"]), precision=state["lab_precision"], cpu=bool(state["lab_cpu"]),
    )
