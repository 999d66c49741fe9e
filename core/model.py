"""The MLP: hidden layers that hand their pre-activation z and activation a to the training step.

z is the input of the activation (after batch normalization when it is on); the output layer is linear.
Variables live in float32; with float16 or bfloat16 precision the forward and backward passes run in that
format, so gradients that underflow it really become 0.
"""
import numpy as np
import tensorflow as tf

from core import initializers
from core.activations import activate

BATCHNORM_EPSILON = 1e-3
BATCHNORM_MOMENTUM = 0.9


class MLP:
    def __init__(self, input_dim, classes, depth, width, activation, alpha, batchnorm, precision):
        self.activation = activation
        self.alpha = alpha
        self.batchnorm = batchnorm
        self.compute_dtype = tf.as_dtype(precision)
        fan_ins = [input_dim] + [width] * (depth - 1)
        self.kernels = [tf.Variable(tf.zeros([n, width]), name=f"kernel_{i + 1}") for i, n in enumerate(fan_ins)]
        self.biases = [tf.Variable(tf.zeros([width]), name=f"bias_{i + 1}") for i in range(depth)]
        self.gammas = [tf.Variable(tf.ones([width]), name=f"gamma_{i + 1}") for i in range(depth)] if batchnorm else []
        self.betas = [tf.Variable(tf.zeros([width]), name=f"beta_{i + 1}") for i in range(depth)] if batchnorm else []
        self.moving_means = [tf.Variable(tf.zeros([width]), trainable=False) for _ in range(depth)] if batchnorm else []
        self.moving_vars = [tf.Variable(tf.ones([width]), trainable=False) for _ in range(depth)] if batchnorm else []
        self.output_kernel = tf.Variable(tf.zeros([width, classes]), name="output_kernel")
        self.output_bias = tf.Variable(tf.zeros([classes]), name="output_bias")

    @property
    def depth(self):
        return len(self.kernels)

    @property
    def trainable(self):
        return self.kernels + self.biases + self.gammas + self.betas + [self.output_kernel, self.output_bias]

    @property
    def no_weight_decay(self):
        return self.biases + self.gammas + self.betas + [self.output_bias]

    def initialize(self, kernel_spec, bias_spec, seed: int):
        """Fresh weights for a new run; every layer gets its own seed derived from the run's seed."""
        seeds = np.random.SeedSequence(seed).generate_state(2 * self.depth + 1)
        for i, (kernel, bias) in enumerate(zip(self.kernels, self.biases)):
            kernel.assign(initializers.build(kernel_spec, int(seeds[2 * i]))(kernel.shape))
            bias.assign(initializers.build(bias_spec, int(seeds[2 * i + 1]))(bias.shape))
        # The output layer always starts Glorot-normal with zero bias: the lesson is in the hidden layers.
        self.output_kernel.assign(initializers.build("glorot_normal", int(seeds[-1]))(self.output_kernel.shape))
        self.output_bias.assign(tf.zeros_like(self.output_bias))
        for variables, value in ((self.gammas, 1.0), (self.betas, 0.0), (self.moving_means, 0.0), (self.moving_vars, 1.0)):
            for variable in variables:
                variable.assign(tf.fill(variable.shape, value))

    def _normalize(self, z, i, training):
        z32 = tf.cast(z, tf.float32)
        if training:
            mean, variance = tf.nn.moments(z32, axes=[0])
            self.moving_means[i].assign(BATCHNORM_MOMENTUM * self.moving_means[i] + (1 - BATCHNORM_MOMENTUM) * mean)
            self.moving_vars[i].assign(BATCHNORM_MOMENTUM * self.moving_vars[i] + (1 - BATCHNORM_MOMENTUM) * variance)
        else:
            mean, variance = self.moving_means[i], self.moving_vars[i]
        normal = tf.nn.batch_normalization(z32, mean, variance, self.betas[i], self.gammas[i], BATCHNORM_EPSILON)
        return tf.cast(normal, self.compute_dtype)

    def forward(self, x, training=True):
        """Returns (zs, activations, logits); logits are float32 for a stable cross-entropy."""
        dtype = self.compute_dtype
        h = tf.cast(x, dtype)
        zs, activations = [], []
        for i, (kernel, bias) in enumerate(zip(self.kernels, self.biases)):
            z = tf.matmul(h, tf.cast(kernel, dtype)) + tf.cast(bias, dtype)
            if self.batchnorm:
                z = self._normalize(z, i, training)
            h = activate(self.activation, z, self.alpha)
            zs.append(z)
            activations.append(h)
        logits = tf.matmul(h, tf.cast(self.output_kernel, dtype)) + tf.cast(self.output_bias, dtype)
        return zs, activations, tf.cast(logits, tf.float32)
