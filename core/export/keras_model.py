"""The engine's network as a plain keras.Sequential (a functional keras.Model with residual connections),
holding a run's trained weights, saved as `.keras`.

Layer for layer it is the engine's MLP (core/engine/model.py): Dense, then BatchNormalization when the run
used it, then the activation, and a linear output layer whose logits come out in float32. With float16 or
bfloat16 precision the layers use Keras's mixed-precision policy: float32 variables, low-precision compute.
"""
import os
import tempfile

import keras

from core.engine.activations import NecroReLU
from core.engine.model import BATCHNORM_EPSILON, BATCHNORM_MOMENTUM

# Activations Keras knows by the same name; the leaky ones need a slope and get a layer of their own.
KERAS_ACTIVATION = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "elu": "elu", "selu": "selu",
                    "gelu": "gelu", "swish": "swish", "softplus": "softplus", "linear": "linear"}


def dtype_policy(precision: str) -> str:
    return {"float32": "float32", "float16": "mixed_float16", "bfloat16": "mixed_bfloat16"}[precision]


def activation_layer(activation: str, alpha: float, dtype: str, name: str):
    if activation == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=alpha, dtype=dtype, name=name)
    if activation == "necro_relu":
        return NecroReLU(alpha=alpha, dtype=dtype, name=name)
    return keras.layers.Activation(KERAS_ACTIVATION[activation], dtype=dtype, name=name)


def build_model(config: dict, input_dim: int, classes: int) -> keras.Model:
    """An untrained model of the run's shape (weights come from `trained_model`): a Sequential, or with
    residual connections a functional model whose Add layers are the skips."""
    if config.get("residual"):
        return _residual_model(config, input_dim, classes)
    dtype = dtype_policy(config["precision"])
    layers = [keras.Input((input_dim,), name="inputs")]
    for i in range(1, config["depth"] + 1):
        layers.append(keras.layers.Dense(config["width"], dtype=dtype, name=f"hidden_{i}"))
        if config["batchnorm"]:
            layers.append(keras.layers.BatchNormalization(momentum=BATCHNORM_MOMENTUM, epsilon=BATCHNORM_EPSILON,
                                                          dtype=dtype, name=f"batchnorm_{i}"))
        layers.append(activation_layer(config["activation"], config["alpha"], dtype, f"{config['activation']}_{i}"))
    layers.append(keras.layers.Dense(classes, dtype=dtype, name="logits"))
    layers.append(keras.layers.Activation("linear", dtype="float32", name="logits_float32"))
    return keras.Sequential(layers, name="gradflow_mlp")


def _residual_model(config: dict, input_dim: int, classes: int) -> keras.Model:
    """h_1 = φ(z_1), h_l = h_(l-1) + φ(z_l): the layers in the Sequential's order, so the weights load alike."""
    dtype = dtype_policy(config["precision"])
    inputs = keras.Input((input_dim,), name="inputs")
    stream = inputs
    for i in range(1, config["depth"] + 1):
        branch = keras.layers.Dense(config["width"], dtype=dtype, name=f"hidden_{i}")(stream)
        if config["batchnorm"]:
            branch = keras.layers.BatchNormalization(momentum=BATCHNORM_MOMENTUM, epsilon=BATCHNORM_EPSILON,
                                                     dtype=dtype, name=f"batchnorm_{i}")(branch)
        branch = activation_layer(config["activation"], config["alpha"], dtype, f"{config['activation']}_{i}")(branch)
        stream = branch if i == 1 else keras.layers.Add(dtype=dtype, name=f"skip_{i}")([stream, branch])
    logits = keras.layers.Dense(classes, dtype=dtype, name="logits")(stream)
    logits = keras.layers.Activation("linear", dtype="float32", name="logits_float32")(logits)
    return keras.Model(inputs, logits, name="gradflow_residual_mlp")


def trained_model(record) -> keras.Model:
    """The run's network with its weights at the end of training (ValueError if the record has none)."""
    if not record.weights:
        raise ValueError("this record holds no trained weights: an imported record, a stopped run, or a network "
                         "larger than the host keeps (GRADFLOW_MAX_KEPT_WEIGHTS_MB)")
    input_dim, classes = record.weights[0].shape[0], record.weights[-1].shape[0]
    model = build_model(record.config, input_dim, classes)
    model.set_weights(record.weights)
    return model


def save_keras(record, path: str) -> None:
    trained_model(record).save(path)


def keras_bytes(record) -> bytes:
    """The `.keras` file's bytes, for a download."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        save_keras(record, path)
        with open(path, "rb") as handle:
            return handle.read()
