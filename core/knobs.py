"""Every knob of a run, in one table: its type, default, what it allows, its help, its control and whether it
changes the traced graph. No TensorFlow.

Derived from this table: RunConfig's fields (core/config.py: their order, types and defaults), its
validation, the command line's flags and help (core/cli.py), the Lab's control specs (ui/controls/specs.py),
the sweep's axes (core/sweep/grid.py) and the trainer's architecture key (core/engine/trainer.py).
tests/test_knobs.py lists those places and fails when a knob is missing from one. Adding a knob means a row
here, the model (core/engine/model.py) and its two exports (core/export/).
"""
from dataclasses import dataclass

from core.activation_table import ACTIVATIONS
from core.initializer_table import COMMON_KERNEL_INITIALIZERS, PRESETS

DATASETS = ("spirals", "moons", "circles", "xor", "gaussian", "digits")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
PRECISIONS = ("float32", "float16", "bfloat16")
LEARNING_RATES = tuple(round(10 ** (k / 4), 10) for k in range(-16, 13))  # 1e-4 .. 1e3, four per decade
WIDTHS = (4, 8, 16, 32, 64, 128, 256, 512, 1024)
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
WEIGHT_DECAYS = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
SEED_HIGH = 2**31 - 1


@dataclass(frozen=True)
class Knob:
    name: str  # the RunConfig field, the link parameter (name=) and the flag (--name with - for _)
    kind: type  # bool, int, float or str; object for an initializer (a name or a Keras config dict)
    default: object
    help: str  # one sentence: the command line's help
    group: str  # data, network, initialization or training: where the Lab draws its control
    low: float | None = None  # numbers: the allowed range
    high: float | None = None
    high_limit: str | None = None  # a host limit (core/limits.py) that bounds it from above instead of `high`
    low_open: bool = False  # the range excludes `low` (a learning rate of 0 trains nothing)
    choices: tuple | None = None  # text: the allowed values
    grid: tuple | None = None  # the Lab's control offers these values only (a link off it moves to the nearest)
    control: tuple | None = None  # (low, high, step) of the Lab's slider, when it is narrower than `low`-`high`
    graph: bool = False  # it changes the traced training step: runs that differ in it never share a trainer
    graph_when: tuple | None = None  # (field, values): it changes the graph only when that field has one of them
    swept: bool = True  # a sweep may vary it


KNOBS = (
    # Data
    Knob("dataset", str, "spirals", "data set", "data", choices=DATASETS),
    Knob("samples", int, 1000, "number of examples", "data", low=10, high_limit="samples", control=(100, None, 1)),
    Knob("noise", float, 0.05, "noise of the 2-D data sets", "data", low=0.0, high=2.0, control=(0.0, 1.0, 0.05)),
    Knob("input_dim", int, 16, "input dimension of the gaussian data set (the others fix their own)", "data",
         low=1, high_limit="input_dim", control=(1, 256, 1)),
    # Network
    Knob("depth", int, 10, "number of hidden layers", "network", low=1, high_limit="depth", graph=True),
    Knob("width", int, 32, "units per hidden layer", "network", low=1, high_limit="width", grid=WIDTHS, graph=True),
    Knob("activation", str, "sigmoid", "hidden activation", "network", choices=ACTIVATIONS, graph=True),
    Knob("alpha", float, 0.1, "slope below zero for leaky_relu and necro_relu", "network", low=0.0, high=1.0,
         graph=True),
    Knob("batchnorm", bool, False, "batch normalization before each activation", "network", graph=True),
    Knob("residual", bool, False, "identity skips around every hidden layer but the first: "
         "h_l = h_(l-1) + phi(W_l h_(l-1) + b_l)", "network", graph=True),
    # Initialization
    Knob("initializer", object, "glorot_normal",
         f"kernel initializer: a Keras name (he_normal), a preset ({', '.join(PRESETS)}) or a JSON Keras config dict",
         "initialization", grid=COMMON_KERNEL_INITIALIZERS),
    Knob("bias_initializer", object, "zeros",
         "bias initializer, same forms as --initializer (a negative Constant makes dead ReLUs)", "initialization"),
    # Training
    Knob("optimizer", str, "sgd", "optimizer", "training", choices=OPTIMIZERS, graph=True),
    Knob("learning_rate", float, 0.1, "learning rate", "training", low=0.0, high=10000.0, low_open=True,
         grid=LEARNING_RATES),
    Knob("momentum", float, 0.9, "momentum of the momentum optimizer", "training", low=0.0, high=0.999,
         control=(0.0, 0.999, 0.001), graph=True, graph_when=("optimizer", ("momentum",))),
    Knob("weight_decay", float, 0.0, "decoupled weight decay on the kernels", "training", low=0.0, high=1.0,
         grid=WEIGHT_DECAYS, graph=True),
    Knob("batch_size", int, 64, "minibatch size", "training", low=1, high_limit="batch_size", grid=BATCH_SIZES,
         graph=True),
    Knob("steps", int, 300, "training steps (0 measures the initial state only)", "training", low=0,
         high_limit="steps", control=(0, 5000, 1)),
    Knob("record_every", int, 5, "record statistics every this many steps (and at step 0 and the last step); "
         "without it, about 150 recorded steps per run, as in the Lab: ceil(steps / 150)", "training", low=1,
         high_limit="steps"),
    Knob("seed", int, 0, "random seed of data, weights and minibatches", "training", low=0, high=SEED_HIGH,
         swept=False),
    Knob("precision", str, "float32", "compute precision", "training", choices=PRECISIONS, graph=True),
    Knob("cpu", bool, False, "use the CPU even when TensorFlow sees a GPU", "training", swept=False),
)

BY_NAME = {knob.name: knob for knob in KNOBS}
GRAPH_KNOBS = tuple(knob for knob in KNOBS if knob.graph)


def help_text(knob: Knob) -> str:
    """The command line's help for a knob: its sentence, and its choices where it has a few."""
    return f"{knob.help}: {', '.join(knob.choices)}" if knob.choices else knob.help


def graph_values(config) -> tuple:
    """The values of the knobs that change the traced graph (None where a knob does not apply)."""
    values = []
    for knob in GRAPH_KNOBS:
        used = knob.graph_when is None or getattr(config, knob.graph_when[0]) in knob.graph_when[1]
        values.append(getattr(config, knob.name) if used else None)
    return tuple(values)
