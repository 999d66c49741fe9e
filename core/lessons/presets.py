"""Lesson presets: a configuration (for the Lab) or a comparison (for Compare), with what to look for and the
paper it comes from. Each preset's claim is checked on its own record by tests/test_presets.py.

Every value sits on a Lab control's grid (learning rates four per decade, steps in tens, ...), so a preset
opened in the Lab or in Compare trains exactly the configuration the tests check.
"""
import dataclasses
from dataclasses import dataclass

from core.config import RunConfig, default_record_every
from core.initializer_table import constant

STEPS = 150
# Small and quick, and the same data for every run of a comparison. Kept as values: a RunConfig is checked
# against the host's limits when it is made, and a host may set limits a preset does not fit.
BASE = {**{f.name: f.default for f in dataclasses.fields(RunConfig)},
        **dict(dataset="spirals", samples=400, width=32, batch_size=64, steps=STEPS,
               record_every=default_record_every(STEPS), seed=0)}
# The "standard" init of the 1990s: W ~ U[-1/sqrt(n), 1/sqrt(n)], i.e. Var(W) = 1/(3 fan_in).
STANDARD_UNIFORM = {"class_name": "VarianceScaling", "config": {"scale": 1 / 3, "mode": "fan_in", "distribution": "uniform"}}


@dataclass(frozen=True)
class Preset:
    name: str  # the URL's preset= value
    topic: str
    title: str
    runs: tuple  # ((label, RunConfig values), ...): two to four runs for Compare; the Lab shows one of them
    look_for: str
    paper: str

    @property
    def is_comparison(self) -> bool:
        return len(self.runs) > 1

    @property
    def configs(self) -> list:
        """The runs' RunConfigs (raises ConfigError, naming the field, on a host whose limits they exceed)."""
        return [RunConfig(**values) for _, values in self.runs]

    @property
    def labels(self) -> list:
        return [label for label, _ in self.runs]


def _run(label, **changes):
    return (label, {**BASE, **changes})


GLOROT_2010 = "Glorot & Bengio 2010, Understanding the difficulty of training deep feedforward neural networks"
HE_2015 = "He, Zhang, Ren & Sun 2015, Delving deep into rectifiers"
LU_2019 = "Lu, Shin, Su & Karniadakis 2019, Dying ReLU and initialization"
HE_2016 = "He, Zhang, Ren & Sun 2016, Deep residual learning for image recognition"
GLOROT_2011 = "Glorot, Bordes & Bengio 2011, Deep sparse rectifier neural networks"
LONG = 1000  # steps of the lessons about what longer training does (and does not) change

PRESETS = (
    Preset(
        "sigmoid_vs_relu", "Vanishing and exploding", "A deep sigmoid net vanishes; ReLU with He init does not",
        (_run("sigmoid, Glorot", depth=10, activation="sigmoid", initializer="glorot_normal"),
         _run("ReLU, He", depth=10, activation="relu", initializer="he_normal")),
        "Compare the gradient profiles: the sigmoid's layer-1 grad_norm is below 1% of its last layer's (sigmoid's "
        "derivative is at most 0.25, once per layer), and its loss barely moves. ReLU's derivative is 1 where it is "
        "active, so with He init every layer gets a gradient of comparable size.", GLOROT_2010),
    Preset(
        "tanh_standard_vs_glorot", "Initialization", "tanh: standard U[-1/√n, 1/√n] init against Glorot's normalized init",
        (_run("standard U[-1/√n, 1/√n]", depth=10, activation="tanh", initializer=STANDARD_UNIFORM),
         _run("Glorot normalized", depth=10, activation="tanh", initializer="glorot_uniform")),
        "The standard init has Var(W) = 1/(3n): the activations' spread shrinks layer after layer and the "
        "back-propagated signal ∂loss/∂z (delta_ms) shrinks towards the input. Glorot's normalized init, "
        "Var(W) = 2/(n_in + n_out), keeps both roughly constant across layers.", GLOROT_2010),
    Preset(
        "relu30_glorot_vs_he", "Initialization", "A 30-layer ReLU net: Glorot against He",
        (_run("ReLU 30, Glorot", depth=30, activation="relu", initializer="glorot_normal"),
         _run("ReLU 30, He", depth=30, activation="relu", initializer="he_normal")),
        "ReLU zeroes half of its inputs, so with Glorot's Var(W) = 1/n the signal's second moment halves at every "
        "layer: after 30 layers almost nothing is left, every gradient is tiny and the loss does not move. He's "
        "Var(W) = 2/n makes up for the half, the signal reaches the last layer and the net trains.", HE_2015),
    Preset(
        "exploding_too_large_init", "Vanishing and exploding", "Exploding gradients from a too-large init",
        (_run("tanh, N(0, 1) weights", depth=15, activation="tanh", initializer="too_large"),
         _run("tanh, Glorot", depth=15, activation="tanh", initializer="glorot_uniform")),
        "With N(0, 1) weights each layer multiplies the back-propagated signal by about σ_w² · E[φ'²] > 1 (the "
        "chaotic phase): layer 1's grad_norm is over 100 times the last layer's, and most tanh units saturate. "
        "Glorot's init keeps that factor near 1.",
        "Poole et al. 2016, Exponential expressivity in deep neural networks through transient chaos; " + GLOROT_2010),
    Preset(
        "dying_relu", "Dead units", "Dying ReLU: from a negative bias and from a too-large learning rate",
        (_run("ReLU, He", depth=6, activation="relu", initializer="he_normal"),
         _run("bias −3", depth=6, activation="relu", initializer="he_normal", bias_initializer=constant(-3.0)),
         _run("Adam, learning rate 0.1", depth=6, activation="relu", initializer="he_normal", optimizer="adam",
              learning_rate=0.1)),
        "A bias of −3 puts almost every pre-activation below 0: whole layers are dead from step 0, get a zero "
        "gradient and never change. Adam with a learning rate of 0.1 (100 times its usual 1e-3) kills units "
        "during training: big steps push a unit's bias and weights to where no input activates it, and from "
        "layer 2 on most units end up dead, while the survivors still fit the data.", LU_2019),
    Preset(
        "necro_leaky_relu", "Dead units", "NecroReLU against Leaky ReLU against ReLU, rescuing dead units",
        (_run("ReLU", depth=4, activation="relu", initializer="he_normal", bias_initializer=constant(-1.5),
              optimizer="adam", learning_rate=0.01, steps=200, record_every=default_record_every(200)),
         _run("NecroReLU", depth=4, activation="necro_relu", initializer="he_normal", bias_initializer=constant(-1.5),
              optimizer="adam", learning_rate=0.01, steps=200, record_every=default_record_every(200)),
         _run("Leaky ReLU", depth=4, activation="leaky_relu", initializer="he_normal", bias_initializer=constant(-1.5),
              optimizer="adam", learning_rate=0.01, steps=200, record_every=default_record_every(200))),
        "All three start with a bias of −1.5 that kills the deeper layers. ReLU's dead units never come back. "
        "NecroReLU is ReLU going forward, but its backward pass lets a leaky gradient through, so dead units "
        "drift back to life while the activations stay sparse. Leaky ReLU never has a dead unit.",
        "Maas, Hannun & Ng 2013, Rectifier nonlinearities improve neural network acoustic models; " + LU_2019),
    Preset(
        "batchnorm_before_relu", "Dead units", "Batch norm before ReLU keeps units alive",
        (_run("bias −3", depth=6, activation="relu", initializer="he_normal", bias_initializer=constant(-3.0)),
         _run("bias −3, batch norm", depth=6, activation="relu", initializer="he_normal",
              bias_initializer=constant(-3.0), batchnorm=True)),
        "The same bias of −3 kills every unit past layer 1 without normalization. Batch norm re-centres each "
        "unit's pre-activations over the batch before the ReLU, so the bias is cancelled and about half of "
        "the inputs stay positive: no dead units, and the net trains.",
        "Ioffe & Szegedy 2015, Batch normalization"),
    Preset(
        "momentum_weight_decay_dead_units", "Dead units", "What still moves a dead unit: momentum and weight decay",
        (_run("SGD", depth=6, activation="relu", initializer="he_normal", bias_initializer=constant(-3.0)),
         _run("momentum 0.9", depth=6, activation="relu", initializer="he_normal", bias_initializer=constant(-3.0),
              optimizer="momentum", momentum=0.9),
         _run("SGD + weight decay 0.01", depth=6, activation="relu", initializer="he_normal",
              bias_initializer=constant(-3.0), weight_decay=0.01)),
        "Layers 2 to 6 are dead from step 0. With plain SGD their update-to-weight ratio is exactly 0: frozen. "
        "Momentum only carries updates a unit received before it died, so it cannot move units that were never "
        "alive. Weight decay shrinks every kernel by learning rate × decay per step (ratio 0.1 × 0.01 = 1e-3) "
        "even where the gradient is 0; with a negative bias that does not revive them.", LU_2019),
    Preset(
        "residual_vs_plain", "Vanishing and exploding", "Skip connections: the gradient takes the short way",
        (_run("sigmoid, plain", depth=50, activation="sigmoid", initializer="glorot_normal"),
         _run("sigmoid, residual", depth=50, activation="sigmoid", initializer="glorot_normal", residual=True),
         _run("tanh, plain", depth=50, activation="tanh", initializer="glorot_normal"),
         _run("tanh, residual", depth=50, activation="tanh", initializer="glorot_normal", residual=True)),
        "Fifty layers. The plain sigmoid net's layer-1 grad_norm is about 10^-32 of its last layer's, and layer 1's "
        "update-to-weight ratio is exactly 0: it never learns. With skips (h_l = h_(l-1) + φ(z_l)) the gradient "
        "reaches layer 1 at a few percent of the last layer's, because each skip adds a path with factor 1 "
        "instead of multiplying by one more φ' ≤ 0.25; layer 1 now moves. But each sigmoid adds about 0.5 per unit "
        "to the stream, so the residual sigmoid starts with a huge loss (see its growing-signal verdict). "
        "The tanh pair learns: with skips it fits the spirals better than without, in the same 150 steps.", HE_2016),
    Preset(
        "more_steps_vs_better_architecture", "Vanishing and exploding",
        "Why would a faster GPU fix vanishing gradients? More steps against a better architecture",
        # Compare gives every run the same steps: the ReLU net's first 150 are set against the sigmoid's 1500
        (_run("sigmoid, Glorot", depth=20, activation="sigmoid", initializer="glorot_normal", steps=1500,
              record_every=default_record_every(1500)),
         _run("ReLU, He", depth=20, activation="relu", initializer="he_normal", steps=1500,
              record_every=default_record_every(1500))),
        "Twenty layers, 1500 steps each. Ten times the steps the ReLU net needs do not help the sigmoid: layer 1's "
        "update-to-weight "
        "ratio stays below 1e-6 at every recorded step, three orders of magnitude under the 1e-3 of a layer that "
        "learns (here it is exactly 0: each update is smaller than float32 can add to a weight), and the loss "
        "stays at ln 2 ≈ 0.69, the accuracy at chance. The ReLU/He net moves layer 1 by about 1e-3 per step, and "
        "within its first 150 steps, a tenth, its loss is already below ln 2 and its accuracy above 0.6 (steps 110 "
        "to 150); by step 1500 its accuracy is above 0.8. A faster GPU buys more steps; it made tiny updates affordable, not "
        "large. What fixed deep nets was the architecture: ReLU, He init, normalization, skips.", GLOROT_2010),
    Preset(
        "relu_sparsity_after_training", "Activations", "How sparse a ReLU net is, at the start and after training",
        (_run("ReLU, learning rate 0.1", depth=4, activation="relu", initializer="he_normal", steps=LONG,
              record_every=default_record_every(LONG)),
         _run("ReLU, learning rate 0.316", depth=4, activation="relu", initializer="he_normal",
              learning_rate=round(10 ** -0.5, 10), steps=LONG, record_every=default_record_every(LONG)),
         _run("softplus, learning rate 0.316", depth=4, activation="softplus", initializer="he_normal",
              learning_rate=round(10 ** -0.5, 10), steps=LONG, record_every=default_record_every(LONG))),
        "At initialization about half of a ReLU net's activations are exactly 0 (sparsity 0.45 to 0.65 in each "
        "layer): each unit's input is spread around 0. Training moves that fraction, and on these spirals the step "
        "size decides how far. After 1000 steps at learning rate 0.316 it rises to about two thirds (above 0.6 "
        "on average over the layers), with some units dead; at 0.1 it stays near half (within 0.05 of where it "
        "started), although both nets fit the data. Softplus, the smooth rectifier the paper set against ReLU, "
        "is never exactly 0 (sparsity 0 at every step). The paper's trained rectifier nets were mostly zeros, "
        "with a penalty on the activations that this app does not apply.", GLOROT_2011),
    Preset(
        "zero_gradient_still_learns", "Dead units", "How does a network learn when the derivative is 0?",
        (_run("ReLU, bias 0", depth=4, activation="relu", initializer="he_normal"),
         _run("ReLU, bias −3", depth=4, activation="relu", initializer="he_normal", bias_initializer=constant(-3.0))),
        "ReLU's derivative is exactly 0 wherever z < 0. With a bias of 0, every unit of layer 1 is 0 on some of "
        "the batch's examples but on none is it 0 for all (see the units that die: no black row in layer 1), so "
        "φ'(z) is 0 for about half of the (example, unit) pairs and 1 for the rest. The gradient is the sum over "
        "the examples, and the examples where a unit is alive carry it: layer 1's update-to-weight ratio is "
        "above 0 at every step and the loss falls. With a bias of −3, layers 2 to 4 are 0 for every example: "
        "their gradient is exactly 0, their update-to-weight ratio is exactly 0 under plain SGD, and the loss "
        "stays at ln 2.", LU_2019),
    Preset(
        "zero_init_symmetry", "Initialization", "Zero init: symmetry that never breaks",
        (_run("tanh, zeros", depth=4, activation="tanh", initializer="zeros"),
         _run("tanh, Glorot", depth=4, activation="tanh", initializer="glorot_uniform")),
        "With every kernel 0, every unit of a layer computes the same thing and receives the same gradient; for "
        "tanh, whose φ(0) = 0, that gradient is exactly 0, so no hidden kernel ever changes (grad_norm is exactly 0 "
        "at every step) and the net stays at chance. Random init breaks the symmetry.", GLOROT_2010),
    Preset(
        "selu_self_normalizing", "Activations", "SELU keeps activations at mean 0, variance 1",
        (_run("SELU, LeCun normal", depth=16, activation="selu", initializer="lecun_normal"),
         _run("ReLU, He", depth=16, activation="relu", initializer="he_normal")),
        "SELU with LeCun-normal init is self-normalizing: through all 16 layers each layer's activations keep a "
        "mean near 0 and a standard deviation near 1. ReLU's outputs are never negative, so their mean stays "
        "clearly above 0.", "Klambauer, Unterthiner, Mayr & Hochreiter 2017, Self-normalizing neural networks"),
    Preset(
        "float16_underflow", "Numerics", "float16 underflow: tiny gradients become exactly 0",
        (_run("sigmoid, float32", depth=12, activation="sigmoid", initializer="glorot_normal"),
         _run("sigmoid, float16", depth=12, activation="sigmoid", initializer="glorot_normal", precision="float16")),
        "A deep sigmoid net's early gradients are tiny. float32 still represents them; float16's smallest "
        "number is about 6e-8, so in float16 they round to exactly 0: look at the red zero bar of the "
        "∂loss/∂z histograms and at layer 1's grad_norm, which is exactly 0.",
        "Micikevicius et al. 2018, Mixed precision training"),
)

BY_NAME = {preset.name: preset for preset in PRESETS}


def by_topic(comparisons: bool | None = None) -> dict:
    """Presets grouped by topic, in a stable order; comparisons=True/False keeps only those."""
    groups = {}
    for preset in PRESETS:
        if comparisons is None or preset.is_comparison == comparisons:
            groups.setdefault(preset.topic, []).append(preset)
    return groups
