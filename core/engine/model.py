"""The MLP: hidden layers that hand their pre-activation z and activation a to the training step.

z is the input of the activation (after batch normalization when it is on); the output layer is linear.
With residual connections, identity skips go around every hidden layer but the first (He et al. 2016):
h_1 = φ(z_1) and h_l = h_(l-1) + φ(z_l), where z_l = W_l h_(l-1) + b_l (batch-normalized inside the branch);
the output layer reads h_L. Without them the stream h_l is a_l itself.
Variables live in float32; with float16 or bfloat16 precision the forward and backward passes run in that
format, so gradients that underflow it really become 0.

The hidden layers after the first share one shape, so their kernels live in one stacked variable
[depth - 1, width, width] (and every per-layer vector in one [depth, width] variable). The optimizer then
updates a handful of variables whatever the depth, and update ratios and gradient norms of all layers
are a few vectorized ops instead of a few ops per layer.
"""
import numpy as np
import tensorflow as tf

from core.engine import initializers
from core.engine.activations import activate

BATCHNORM_EPSILON = 1e-3
BATCHNORM_MOMENTUM = 0.9


class MLP:
    def __init__(self, input_dim, classes, depth, width, activation, alpha, batchnorm, precision, residual=False):
        self.depth = depth
        self.residual = residual
        self.activation = activation
        self.alpha = alpha
        self.batchnorm = batchnorm
        self.compute_dtype = tf.as_dtype(precision)
        self.first_kernel = tf.Variable(tf.zeros([input_dim, width]), name="kernel_1")
        self.hidden_kernels = tf.Variable(tf.zeros([depth - 1, width, width]), name="kernels_2_on")
        self.biases = tf.Variable(tf.zeros([depth, width]), name="biases")
        if batchnorm:
            self.gammas = tf.Variable(tf.ones([depth, width]), name="gammas")
            self.betas = tf.Variable(tf.zeros([depth, width]), name="betas")
            self.moving_means = tf.Variable(tf.zeros([depth, width]), trainable=False, name="moving_means")
            self.moving_variances = tf.Variable(tf.ones([depth, width]), trainable=False, name="moving_variances")
        self.output_kernel = tf.Variable(tf.zeros([width, classes]), name="output_kernel")
        self.output_bias = tf.Variable(tf.zeros([classes]), name="output_bias")

    @property
    def kernels(self) -> list:
        """The kernel variables, input side first (a depth-1 net has no stacked hidden kernels)."""
        return [self.first_kernel] + ([self.hidden_kernels] if self.depth > 1 else [])

    @property
    def trainable(self) -> list:
        normalization = [self.gammas, self.betas] if self.batchnorm else []
        return self.kernels + [self.biases] + normalization + [self.output_kernel, self.output_bias]

    @property
    def no_weight_decay(self) -> list:
        normalization = [self.gammas, self.betas] if self.batchnorm else []
        return [self.biases] + normalization + [self.output_bias]

    # --- weights, one hidden layer at a time (as a Keras Sequential of Dense layers would list them) -----

    def layer_kernel(self, i: int):
        return self.first_kernel if i == 0 else self.hidden_kernels[i - 1]

    def set_layer_kernel(self, i: int, value) -> None:
        if i == 0:
            self.first_kernel.assign(value)
        else:
            self.hidden_kernels[i - 1].assign(value)

    def set_layer_bias(self, i: int, value) -> None:
        self.biases[i].assign(value)

    def initialize(self, kernel_spec, bias_spec, seed: int):
        """Fresh weights for a new run; every layer gets its own seed derived from the run's seed."""
        seeds = np.random.SeedSequence(seed).generate_state(2 * self.depth + 1)
        width = self.biases.shape[1]
        kernels = [initializers.build(kernel_spec, int(seeds[2 * i]))(self.layer_kernel(i).shape)
                   for i in range(self.depth)]
        self.first_kernel.assign(kernels[0])
        if self.depth > 1:
            self.hidden_kernels.assign(tf.stack(kernels[1:]))
        self.biases.assign(tf.stack([initializers.build(bias_spec, int(seeds[2 * i + 1]))([width])
                                     for i in range(self.depth)]))
        # The output layer always starts Glorot-normal with zero bias: the lesson is in the hidden layers.
        self.output_kernel.assign(initializers.build("glorot_normal", int(seeds[-1]))(self.output_kernel.shape))
        self.output_bias.assign(tf.zeros_like(self.output_bias))
        if self.batchnorm:
            for variable, value in ((self.gammas, 1.0), (self.betas, 0.0), (self.moving_means, 0.0),
                                    (self.moving_variances, 1.0)):
                variable.assign(tf.fill(variable.shape, value))

    def layer_weights(self) -> list:
        """Every weight as NumPy arrays, in the order of a keras.Sequential of Dense (and BatchNormalization)
        layers: kernel and bias of each hidden layer (then gamma, beta, moving mean and moving variance),
        then the output layer's kernel and bias. This is what a `.keras` export loads."""
        weights = []
        biases = self.biases.numpy()
        normalization = ([v.numpy() for v in (self.gammas, self.betas, self.moving_means, self.moving_variances)]
                         if self.batchnorm else [])
        for i in range(self.depth):
            weights += [self.layer_kernel(i).numpy(), biases[i]] + [values[i] for values in normalization]
        return weights + [self.output_kernel.numpy(), self.output_bias.numpy()]

    # --- the forward pass ------------------------------------------------------------------------------

    def _normalize(self, z, i, training, gammas, betas, batch_moments):
        z32 = tf.cast(z, tf.float32)
        if training:
            mean, variance = tf.nn.moments(z32, axes=[0])
            batch_moments.append((mean, variance))
        else:
            mean, variance = self.moving_means[i], self.moving_variances[i]
        normal = tf.nn.batch_normalization(z32, mean, variance, betas[i], gammas[i], BATCHNORM_EPSILON)
        return tf.cast(normal, self.compute_dtype)

    def forward(self, x, training=True):
        """Returns (zs, activations, streams, logits): per hidden layer z, a = φ(z) and the stream h it hands
        on (a itself without residual connections); logits are float32 for a stable cross-entropy."""
        dtype = self.compute_dtype
        kernels = [self.first_kernel] + (tf.unstack(self.hidden_kernels) if self.depth > 1 else [])
        biases = tf.unstack(self.biases)
        if self.batchnorm:
            gammas, betas = tf.unstack(self.gammas), tf.unstack(self.betas)
        batch_moments = []
        h = tf.cast(x, dtype)
        zs, activations, streams = [], [], []
        for i, (kernel, bias) in enumerate(zip(kernels, biases)):
            z = tf.matmul(h, tf.cast(kernel, dtype)) + tf.cast(bias, dtype)
            if self.batchnorm:
                z = self._normalize(z, i, training, gammas, betas, batch_moments)
            a = activate(self.activation, z, self.alpha)
            h = h + a if self.residual and i > 0 else a
            zs.append(z)
            activations.append(a)
            streams.append(h)
        if batch_moments:
            means, variances = (tf.stack(values) for values in zip(*batch_moments))
            self.moving_means.assign(BATCHNORM_MOMENTUM * self.moving_means + (1 - BATCHNORM_MOMENTUM) * means)
            self.moving_variances.assign(
                BATCHNORM_MOMENTUM * self.moving_variances + (1 - BATCHNORM_MOMENTUM) * variances)
        logits = tf.matmul(h, tf.cast(self.output_kernel, dtype)) + tf.cast(self.output_bias, dtype)
        return zs, activations, streams, tf.cast(logits, tf.float32)
