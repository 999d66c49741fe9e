"""The activations by their Keras names, and what is known of each in closed form, with no TensorFlow.

core/engine/activations.py computes them and their derivatives; validation, the controls and the theory
read these facts without loading TensorFlow.
"""

ACTIVATIONS = (
    "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "swish", "softplus", "linear",
    "necro_relu",
)

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

# Largest |phi'(z)| over all z (closed forms; the saturation threshold is 5% of it).
_MAX_DERIVATIVE = {
    "sigmoid": 0.25,
    "tanh": 1.0,
    "relu": 1.0,
    "elu": 1.0,
    "selu": SELU_SCALE * SELU_ALPHA,  # the limit of scale * alpha * e^z as z -> 0-
    "gelu": 1.1289978,  # at z = sqrt(2): Phi(z) + z phi(z)
    "swish": 1.0998393,  # at z ~ 2.3994
    "softplus": 1.0,
    "linear": 1.0,
}

# Bounded activations: their histogram uses the whole range, so no step can fall outside.
OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def max_derivative(name: str, alpha: float) -> float:
    if name in ("leaky_relu", "necro_relu"):
        return max(1.0, abs(alpha))
    return _MAX_DERIVATIVE[name]
