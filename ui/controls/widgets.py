"""The controls of a run: every RunConfig knob, grouped, each with a one-sentence help. The Lab draws them all
in the sidebar (keys lab_*); Compare draws the per-run groups once per run (keys cmp1_*, cmp2_*, ...) and the
data group once. A lesson link's lock= draws a field's controls disabled, hide= does not draw them."""
import streamlit as st

from core.config import ConfigError, RunConfig, TWO_D_DATASETS, default_record_every, parse_value
from core.initializer_table import constant, variance_scaling
from core.knobs import BY_NAME, KNOBS, LEARNING_RATES, WEIGHT_DECAYS
from core.lessons.links import safe_default
from core.theory.initializers import random_normal_bias
from ui.controls.specs import UPLOAD_CHOICE, lab_specs, sanitize
from ui.controls.upload import chosen_dataset, remember_builtin, upload_controls

LEAKY = ("leaky_relu", "necro_relu")
INIT_MODE_LABELS = {"named": "named", "sigma_w": "σ_w slider", "keras": "Keras config"}
# Widget keys whose RunConfig field is not their own name (lock= and hide= name fields).
FIELD_OF_KEY = {"init_mode": "initializer", "sigma_w": "initializer", "initializer_json": "initializer",
                "bias": "bias_initializer", "bias_mode": "bias_initializer", "sigma_b": "bias_initializer",
                "upload_file": "dataset", "upload_label": "dataset"}


def _format_rate(value):
    return f"{value:.0e}" if value < 0.01 or value >= 100 else f"{value:g}"


def field_of(key: str) -> str:
    name = key.split("_", 1)[1]
    return FIELD_OF_KEY.get(name, name)


def specs_for(prefix: str) -> dict:
    """The Lab's specs (ui/controls/specs.py), keyed for this prefix."""
    return {prefix + key.removeprefix("lab_"): spec for key, spec in lab_specs().items()}


def prepare(prefix: str) -> list:
    """Check this prefix's session values against the specs and fill in defaults; returns the messages."""
    specs = specs_for(prefix)
    for key, spec in specs.items():
        st.session_state.setdefault(key, spec.default)
    st.session_state.setdefault(prefix + "initializer_json", "")
    # After the defaults: a host may set a limit below a default (GRADFLOW_MAX_DEPTH=3), which is clamped too.
    return [message for message in sanitize(st.session_state, specs)]


def _as_default(widget, args, options, current) -> dict:
    """The session's value as the widget's default too. The browser shows a keyed widget at the value the
    server pushes only on the run that set it; if a quick rerun replaces that element before the browser has
    drawn it (a busy class server), the browser falls back to the default, and its next rerun would send
    that (depth 1, width 4, ...) as the student's choice. A keyed widget's identity ignores its default."""
    if current is None:
        return {}
    if widget in (st.selectbox, st.radio):
        choices = list(args[0] if args else options["options"])
        return {"index": choices.index(current)} if current in choices else {}
    if widget in (st.slider, st.select_slider, st.toggle, st.text_input, st.number_input):
        return {"value": current}
    return {}  # a file uploader has no default


class Drawer:
    """Draws a widget unless its field is hidden, disabled when its field is locked."""

    def __init__(self, prefix: str, locked=frozenset(), hidden=frozenset()):
        self.prefix, self.locked, self.hidden = prefix, locked, hidden
        self.specs = specs_for(prefix)

    def __call__(self, widget, label, *args, key, **options):
        key = self.prefix + key
        if field_of(key) in self.hidden:
            return None
        options.update(_as_default(widget, args, options, st.session_state.get(key)))
        return widget(label, *args, key=key, disabled=field_of(key) in self.locked, **options)

    def value(self, key):
        return st.session_state[self.prefix + key]

    def choices(self, key):
        return self.specs[self.prefix + key].choices

    def low(self, key):
        return self.specs[self.prefix + key].low

    def high(self, key):
        return self.specs[self.prefix + key].high

    @staticmethod
    def step(key):
        """The slider's step from core/knobs.py, where the table gives one."""
        control = BY_NAME[key].control
        return control[2] if control else None


def network_controls(draw: Drawer):
    draw(st.slider, "depth (hidden layers)", 1, int(draw.high("depth")), key="depth",
         help="How many hidden layers the signal and its gradient must cross.")
    draw(st.select_slider, "width (units per layer)", options=draw.choices("width"), key="width",
         help="Units in every hidden layer; wider layers make per-layer statistics smoother.")
    draw(st.selectbox, "activation", draw.choices("activation"), key="activation",
         help="The nonlinearity after each hidden layer; its derivative is a factor in every gradient.")
    if draw.value("activation") in LEAKY:
        draw(st.slider, "alpha (slope below 0)", draw.low("alpha"), draw.high("alpha"), step=0.01, key="alpha",
             help="The slope for z < 0 (necro_relu uses it only in the backward pass).")
    draw(st.toggle, "batch normalization", key="batchnorm",
         help="Normalize each layer's pre-activations over the batch, before the activation.")
    draw(st.toggle, "residual connections", key="residual",
         help="Identity skips around every hidden layer but the first: h_l = h_(l-1) + φ(W_l h_(l-1) + b_l), "
              "so the gradient has a path that skips each layer's factors (He et al. 2016).")


def initialization_controls(draw: Drawer):
    draw(st.radio, "kernel initializer", list(draw.choices("init_mode")), key="init_mode", horizontal=True,
         format_func=INIT_MODE_LABELS.get,
         help="A Keras initializer by name, variance scaling Var(W) = σ_w² / fan_in, or any Keras config dict.")
    if draw.value("init_mode") == "keras":
        draw(st.text_input, "Keras initializer (name or JSON config dict)", key="initializer_json",
             help='For example {"class_name": "VarianceScaling", "config": {"scale": 0.333, "mode": "fan_in", '
                  '"distribution": "uniform"}}, the standard U[-1/√n, 1/√n] init.')
    elif draw.value("init_mode") == "named":
        draw(st.selectbox, "initializer", draw.choices("initializer"), key="initializer",
             help="too_small is N(0, 0.01²), too_large is N(0, 1); the others are Keras's own.")
    else:
        draw(st.slider, "σ_w", 0.1, 4.0, step=0.05, key="sigma_w",
             help="Weight scale; ReLU keeps its signal at σ_w = √2 ≈ 1.41, tanh near 1.")
    draw(st.radio, "bias", ["constant", "sigma_b"], key="bias_mode", horizontal=True,
         format_func={"constant": "constant", "sigma_b": "random σ_b"}.get,
         help="One value for every unit, or a random N(0, σ_b²) per unit (the Theory page's σ_b).")
    if draw.value("bias_mode") == "sigma_b":
        draw(st.slider, "σ_b (bias standard deviation)", 0.0, 2.0, step=0.05, key="sigma_b",
             help="Each hidden unit's bias starts at a random value of this spread around 0.")
    else:
        draw(st.slider, "bias (constant)", -5.0, 5.0, step=0.1, key="bias",
             help="Every hidden bias starts at this value; a negative one kills ReLUs.")


def training_controls(draw: Drawer):
    draw(st.selectbox, "optimizer", draw.choices("optimizer"), key="optimizer",
         help="How gradients become updates: plain SGD, SGD with momentum, Adam or RMSprop.")
    draw(st.select_slider, "learning rate", options=LEARNING_RATES, key="learning_rate", format_func=_format_rate,
         help="Step size on a log scale; too large diverges or kills ReLUs in one step.")
    if draw.value("optimizer") == "momentum":
        draw(st.slider, "momentum", draw.low("momentum"), draw.high("momentum"), step=draw.step("momentum"), key="momentum",
             help="How much of the previous update carries into the next one.")
    draw(st.select_slider, "weight decay", options=WEIGHT_DECAYS, key="weight_decay", format_func=lambda v: f"{v:g}",
         help="Pulls kernels towards zero at every step, even where the gradient is zero.")


def schedule_controls(draw: Drawer):
    draw(st.select_slider, "batch size", options=draw.choices("batch_size"), key="batch_size",
         help="Examples per step; statistics are measured on each step's minibatch.")
    draw(st.slider, "steps", 0, int(draw.high("steps")), step=10, key="steps",
         help="Training steps; 0 shows the network at initialization only.")


def data_controls(draw: Drawer) -> list:
    """The data group; returns messages for the top of the page (an uploaded file that cannot be used)."""
    messages = []
    draw(st.selectbox, "dataset", draw.choices("dataset"), key="dataset",
         help="2-D toy sets show a decision boundary; gaussian and digits have more inputs; or upload your own CSV.")
    remember_builtin(draw.prefix, draw.value("dataset"))
    if draw.value("dataset") == UPLOAD_CHOICE:
        messages = upload_controls(draw)
    draw(st.slider, "samples", int(draw.low("samples")), int(draw.high("samples")), step=100, key="samples",
         help="How many examples are generated; minibatches are drawn from them.")
    if draw.value("dataset") in TWO_D_DATASETS:
        draw(st.slider, "noise", draw.low("noise"), draw.high("noise"), step=draw.step("noise"), key="noise",
             help="How much the 2-D points are blurred.")
    if draw.value("dataset") == "gaussian":
        draw(st.slider, "input dimension", 1, int(draw.high("input_dim")), key="input_dim",
             help="Dimension of the N(0, I) inputs labelled by a random teacher network.")
    draw(st.number_input, "seed", int(draw.low("seed")), int(draw.high("seed")), step=1, key="seed",
         help="Seeds data, weights and minibatches: the same seed gives the same run.")
    return messages


def advanced_controls(draw: Drawer):
    draw(st.selectbox, "precision", draw.choices("precision"), key="precision",
         help="float16 shows tiny gradients rounding to exactly 0 (underflow).")
    draw(st.toggle, "force CPU", key="cpu", help="Train on the CPU even when a GPU is visible.")


def sidebar_controls(locked=frozenset(), hidden=frozenset()) -> tuple:
    """Draw the Lab's controls; returns (RunConfig or None, messages about values that were clamped or refused).
    Fields in `locked` are drawn disabled, fields in `hidden` are not drawn (their values still count)."""
    messages = prepare("lab_")
    draw = Drawer("lab_", locked, hidden)
    with st.sidebar:
        st.subheader("Network")
        network_controls(draw)
        st.subheader("Initialization")
        initialization_controls(draw)
        st.subheader("Training")
        training_controls(draw)
        schedule_controls(draw)
        st.subheader("Data")
        messages = messages + data_controls(draw)
        with st.expander("Advanced"):
            advanced_controls(draw)
    try:
        return config_from_state(st.session_state), messages
    except ConfigError as error:
        return None, messages + [str(error)]


def config_or_default(state, prefix: str = "lab_") -> RunConfig:
    """The config of these controls, with defaults for controls never drawn (a page not yet visited)."""
    values = {key: spec.default for key, spec in specs_for(prefix).items()}
    values.update({key: state[key] for key in list(state.keys()) if str(key).startswith(prefix)})
    try:
        return config_from_state(values, prefix)
    except ConfigError:
        return safe_default()


def record_every_for(steps: int) -> int:
    return default_record_every(steps)


def _keras_initializer(text: str):
    text = (text or "").strip()
    return parse_value("initializer", text) if text else "glorot_normal"


def config_from_state(state, prefix: str = "lab_") -> RunConfig:
    """The RunConfig of the controls with this prefix (raises ConfigError naming a bad field)."""
    def get(name):
        return state[prefix + name]

    if get("init_mode") == "named":
        kernel = get("initializer")
    elif get("init_mode") == "keras":
        kernel = _keras_initializer(state.get(prefix + "initializer_json", ""))
    else:
        kernel = variance_scaling(get("sigma_w"))
    bias = "zeros" if get("bias") == 0 else constant(get("bias"))
    if state.get(prefix + "bias_mode") == "sigma_b":
        bias = random_normal_bias(get("sigma_b"))
    dataset = get("dataset")
    if dataset == UPLOAD_CHOICE:
        dataset = chosen_dataset(state, prefix)
    # every knob with a control of its own (core/knobs.py), as its type; the four above are built here
    values = {knob.name: knob.kind(get(knob.name)) for knob in KNOBS
              if knob.name not in ("dataset", "initializer", "bias_initializer", "record_every")}
    return RunConfig(**values, dataset=dataset, initializer=kernel, bias_initializer=bias,
                     record_every=record_every_for(values["steps"]))
