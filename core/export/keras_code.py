""""Show the Keras code": a short script that builds the run's network with the same initializers and data,
and trains it with a GradientTape loop and the same optimizer. It imports nothing from this project, so a
student can paste it into a notebook; its first loss equals the engine's step 0 loss
(tests/test_keras_export.py runs it).
"""
import inspect
import pprint
import textwrap

from core.config import RunConfig, is_upload
from core.engine import datasets, initializers
from core.engine.upload_store import STORE, UploadGone
from core.engine.model import BATCHNORM_EPSILON, BATCHNORM_MOMENTUM
from core.export.keras_model import KERAS_ACTIVATION, dtype_policy

HEADER = '''\
"""Gradient Flow Explorer run, as plain Keras:
{summary}.

The same network, initial weights, data and minibatches as the app's run, trained with a GradientTape
loop. Paste it into a notebook, or run it with `python`. Needs tensorflow, keras, numpy and scikit-learn.
"""
import numpy as np
import tensorflow as tf
import keras
'''

NECRO_RELU = '''

@tf.custom_gradient
def necro_relu(z, alpha):
    """ReLU forward, but the gradient flows through z < 0 with the leaky slope alpha."""
    def backward(upstream):
        return upstream * tf.where(z > 0, tf.ones_like(z), alpha * tf.ones_like(z)), None
    return tf.nn.relu(z), backward


class NecroReLU(keras.layers.Layer):
    def __init__(self, alpha, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return necro_relu(inputs, tf.cast(self.alpha, inputs.dtype))
'''

TRAINING = '''

def initializer(config, seed):
    """A Keras initializer from its config dict, seeded per layer as the app seeds it."""
    made = keras.initializers.deserialize(config)
    if "seed" in made.get_config():
        made = keras.initializers.deserialize({{**config, "config": {{**config["config"], "seed": int(seed)}}}})
    return made


# Every layer's weights get their own seed, drawn from the run's seed.
seeds = np.random.SeedSequence(SEED).generate_state(2 * DEPTH + 1)
{model}
optimizer = {optimizer}
{weight_decay}x_all, y_all = tf.constant(x), tf.constant(y)
minibatches = tf.random.Generator.from_seed(SEED)


@tf.function
def train_step():
    index = minibatches.uniform([BATCH_SIZE], 0, len(x), dtype=tf.int32)
    xb, yb = tf.gather(x_all, index), tf.gather(y_all, index)
    with tf.GradientTape() as tape:
        logits = model(xb, training=True)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


for step in range(STEPS):
    loss = float(train_step())  # the loss of this step's minibatch, before its update
    if step % RECORD_EVERY == 0 or step == STEPS - 1:
        print(f"step {{step:5d}}  loss {{loss:.6f}}")
accuracy = np.mean(np.argmax(model(x_all, training=False), axis=1) == y)
print(f"accuracy on the data after {{STEPS}} steps: {{accuracy:.3f}}")
'''


SEQUENTIAL = '''model = keras.Sequential([keras.Input((x.shape[1],))])
for i in range(DEPTH):
    model.add(keras.layers.Dense(WIDTH, kernel_initializer=initializer(KERNEL_INITIALIZER, seeds[2 * i]),
                                 bias_initializer=initializer(BIAS_INITIALIZER, seeds[2 * i + 1]), dtype=DTYPE))
{batchnorm}    model.add({activation})
# The output layer starts Glorot-normal with a zero bias; its logits come out in float32.
model.add(keras.layers.Dense(CLASSES, kernel_initializer=keras.initializers.GlorotNormal(seed=int(seeds[-1])),
                             dtype=DTYPE))
model.add(keras.layers.Activation("linear", dtype="float32"))
'''

# Residual connections (He et al. 2016): h_1 = phi(z_1), then h_l = h_(l-1) + phi(z_l), with z_l = W_l h_(l-1) + b_l.
RESIDUAL = '''inputs = keras.Input((x.shape[1],))
h = inputs
for i in range(DEPTH):
    branch = keras.layers.Dense(WIDTH, kernel_initializer=initializer(KERNEL_INITIALIZER, seeds[2 * i]),
                                bias_initializer=initializer(BIAS_INITIALIZER, seeds[2 * i + 1]), dtype=DTYPE)(h)
{batchnorm}    branch = {activation}(branch)
    # the identity skip goes around every hidden layer but the first
    h = branch if i == 0 else keras.layers.Add(dtype=DTYPE)([h, branch])
# The output layer starts Glorot-normal with a zero bias; its logits come out in float32.
logits = keras.layers.Dense(CLASSES, kernel_initializer=keras.initializers.GlorotNormal(seed=int(seeds[-1])),
                            dtype=DTYPE)(h)
model = keras.Model(inputs, keras.layers.Activation("linear", dtype="float32")(logits))
'''


def _function_source(function, name: str) -> str:
    return "\n\n" + textwrap.dedent(inspect.getsource(function)).replace(f"def {function.__name__}(", f"def {name}(", 1)


def _data(config: RunConfig) -> str:
    """The data set as the engine makes it (core/engine/datasets.py), standardized."""
    imports = "from sklearn.preprocessing import StandardScaler\n"
    if config.dataset == "spirals":
        body = _function_source(datasets._spirals, "spirals") + "\n\nx, y = spirals(SAMPLES, NOISE, np.random.default_rng(SEED))\n"
    elif config.dataset == "xor":
        body = _function_source(datasets._xor, "xor") + "\n\nx, y = xor(SAMPLES, NOISE, np.random.default_rng(SEED))\n"
    elif config.dataset == "gaussian":
        body = _function_source(datasets._gaussian, "gaussian") + f"\n\nx, y = gaussian(SAMPLES, {config.input_dim}, SEED)\n"
    elif config.dataset == "moons":
        imports += "from sklearn.datasets import make_moons\n"
        body = "\nx, y = make_moons(SAMPLES, noise=NOISE, random_state=SEED)\n"
    elif config.dataset == "circles":
        imports += "from sklearn.datasets import make_circles\n"
        body = "\nx, y = make_circles(SAMPLES, noise=NOISE, factor=0.5, random_state=SEED)\n"
    elif config.dataset == "digits":
        imports += "from sklearn.datasets import load_digits\n"
        body = ("\ndigits = load_digits()\norder = np.random.default_rng(SEED).permutation(len(digits.target))[:SAMPLES]\n"
                "x, y = digits.data[order], digits.target[order]\n")
    elif is_upload(config.dataset):
        imports += "import pandas as pd\n"
        body = _upload_data(config)
    else:
        raise ValueError(f"dataset = {config.dataset!r} has no Keras code export; allowed: {', '.join(datasets_with_code())}")
    return imports, body + "x = StandardScaler().fit_transform(x).astype(np.float32)  # mean 0, variance 1 per input\ny = y.astype(np.int32)\n"


def _upload_data(config: RunConfig) -> str:
    """An uploaded CSV read again from the student's file, as core/engine/uploads.py and datasets.py read it."""
    try:
        upload = STORE.get(config.dataset)
        filename, label, separator = upload.filename or "your_data.csv", upload.label_column, upload.separator
        where = f"# Your CSV, as the app read it: put {filename} next to this script.\n"
    except UploadGone:  # an imported record: this server no longer has the file
        filename, label, separator = "your_data.csv", "label", ","
        where = "# Your CSV: set its file name and label column here (this server no longer has it).\n"
    return ("\n" + where + "try:\n"
            f"    table = pd.read_csv({filename!r}, sep={separator!r}, encoding=\"utf-8-sig\")\n"
            "except UnicodeDecodeError:  # older spreadsheet exports, read as the app reads them\n"
            f"    table = pd.read_csv({filename!r}, sep={separator!r}, encoding=\"latin-1\")\n"
            "table = table.dropna(how=\"all\")  # rows of empty cells, as spreadsheets leave at the end\n"
            f"labels = table.pop({label!r}).astype(str).str.strip()\n"
            "numbers = pd.to_numeric(labels, errors=\"coerce\")\n"
            "if numbers.notna().all() and (numbers % 1 == 0).all():\n"
            "    labels = numbers.astype(\"int64\")  # integer classes sort as numbers\n"
            "classes, label_index = np.unique(labels.to_numpy(), return_inverse=True)\n"
            "order = np.random.default_rng(SEED).permutation(len(table))[:SAMPLES]  # min(SAMPLES, rows) rows\n"
            "x, y = table.to_numpy(dtype=np.float64)[order], label_index[order]\n")


def datasets_with_code() -> tuple:
    return ("spirals", "moons", "circles", "xor", "gaussian", "digits")


def _activation(config: RunConfig) -> str:
    if config.activation == "leaky_relu":
        return f"keras.layers.LeakyReLU(negative_slope={config.alpha!r}, dtype=DTYPE)"
    if config.activation == "necro_relu":
        return f"NecroReLU({config.alpha!r}, dtype=DTYPE)"
    return f'keras.layers.Activation("{KERAS_ACTIVATION[config.activation]}", dtype=DTYPE)'


def _optimizer(config: RunConfig) -> str:
    decay = f", weight_decay={config.weight_decay!r}" if config.weight_decay else ""
    rate = f"learning_rate={config.learning_rate!r}"
    return {"sgd": f"keras.optimizers.SGD({rate}{decay})",
            "momentum": f"keras.optimizers.SGD({rate}, momentum={config.momentum!r}{decay})",
            "adam": f"keras.optimizers.Adam({rate}{decay})",
            "rmsprop": f"keras.optimizers.RMSprop({rate}{decay})"}[config.optimizer]


def _initializer(spec) -> dict:
    """The plain Keras config dict, without the per-layer seed (the script sets it) or default bookkeeping."""
    config = initializers.resolve(spec)
    return {"class_name": config["class_name"],
            "config": {key: value for key, value in config.get("config", {}).items() if key != "seed"}}


def _literal(name: str, value) -> str:
    return f"{name} = {pprint.pformat(value, width=100, sort_dicts=False)}\n"


def keras_code(config: RunConfig, classes: int) -> str:
    """The script's text."""
    summary = (f"{config.depth} {config.activation} layers of {config.width}{', with residual connections' if config.residual else ''}, "
               f"{config.optimizer} at learning rate "
               f"{config.learning_rate:g}, {config.dataset} data")
    imports, data = _data(config)
    constants = "".join([
        "\n",
        _literal("SEED", config.seed), _literal("SAMPLES", config.samples), _literal("NOISE", config.noise),
        _literal("DEPTH", config.depth), _literal("WIDTH", config.width), _literal("CLASSES", classes),
        _literal("KERNEL_INITIALIZER", _initializer(config.initializer)),
        _literal("BIAS_INITIALIZER", _initializer(config.bias_initializer)),
        _literal("DTYPE", dtype_policy(config.precision)),
        "# No loss scaling with float16: gradients that underflow become 0, as in the app's lesson.\n"
        if config.precision == "float16" else "",
        _literal("BATCH_SIZE", config.batch_size), _literal("STEPS", config.steps),
        _literal("RECORD_EVERY", config.record_every),
    ])
    normalization = f"keras.layers.BatchNormalization(momentum={BATCHNORM_MOMENTUM}, epsilon={BATCHNORM_EPSILON}, dtype=DTYPE)"
    if config.residual:
        batchnorm = f"    branch = {normalization}(branch)\n" if config.batchnorm else ""
        model = RESIDUAL.format(batchnorm=batchnorm, activation=_activation(config))
    else:
        batchnorm = f"    model.add({normalization})\n" if config.batchnorm else ""
        model = SEQUENTIAL.format(batchnorm=batchnorm, activation=_activation(config))
    weight_decay = ('optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])  # kernels only\n'
                    if config.weight_decay else "")
    return "".join([
        HEADER.format(summary=summary), imports, NECRO_RELU if config.activation == "necro_relu" else "",
        constants, data,
        TRAINING.format(model=model, optimizer=_optimizer(config), weight_decay=weight_decay),
    ])
