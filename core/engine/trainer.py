"""The compiled training step: one tf.function that runs a frame of steps and returns their statistics.

A Trainer is built once per architecture and reused for new runs (new weights, seed, data, learning rate)
without tracing again. Inside a frame the host is not involved: the steps run in a tf.while_loop, the
recorded steps stack their statistics in TensorArrays, and one transfer brings them home.

Tracing is kept short, because a student waits for it after every new depth: the step is traced once
(bare and recorded steps are one step with a tf.cond around the statistics), the statistics visit the
layers in a loop, and the optimizer sees a handful of stacked variables. A new run's step 0 can be
measured eagerly by `preview`, with the very same functions, while the graph is still being traced.
"""
import time

import keras
import tensorflow as tf

from core.knobs import graph_values

from core.engine.model import MLP
from core.engine.release import forget_custom_gradients
from core.engine.statistics import kernel_norms, layer_statistics
from core.metrics import ACTIVATION_BINS, DELTA_BINS, LAYER_METRICS, MAP_METRICS, unit_indices


def architecture_key(config, input_dim: int, classes: int, device: str) -> tuple:
    """Everything that fixes the traced graph (the knobs core/knobs.py marks graph=True, and the data's shape);
    configs with equal keys share a Trainer."""
    return (*graph_values(config), input_dim, classes, device)


def make_optimizer(config):
    weight_decay = config.weight_decay or None
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=config.learning_rate, weight_decay=weight_decay)
    if config.optimizer == "momentum":
        return keras.optimizers.SGD(learning_rate=config.learning_rate, momentum=config.momentum, weight_decay=weight_decay)
    if config.optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=config.learning_rate, weight_decay=weight_decay)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=config.learning_rate, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {config.optimizer!r}")


class Trainer:
    """Building one is cheap (variables only); `trace()` compiles its step, once, before the first frame."""

    def __init__(self, config, input_dim: int, classes: int, device: str):
        self.key = architecture_key(config, input_dim, classes, device)
        self.device = device
        self.batch_size = config.batch_size
        self.activation, self.alpha = config.activation, config.alpha
        self.input_dim = input_dim
        self._frame = self._predict_fn = self._bare = None
        self.trace_seconds = 0.0
        with tf.device(device):
            self.model = MLP(input_dim, classes, config.depth, config.width, config.activation, config.alpha,
                             config.batchnorm, config.precision, config.residual)
            self.optimizer = make_optimizer(config)
            self.optimizer.build(self.model.trainable)
            if config.weight_decay:
                self.optimizer.exclude_from_weight_decay(var_list=self.model.no_weight_decay)
            self.step = tf.Variable(0, dtype=tf.int32, trainable=False, name="step")
            self.random = tf.random.Generator.from_seed(0)
            self.units = tf.constant(unit_indices(config.width), tf.int32)  # width is part of the key

    @property
    def traced(self) -> bool:
        return self._frame is not None

    def trace(self):
        """Trace the graphs now, under the device scope, so a run never traces mid-way."""
        if self.traced:
            return
        x_spec = tf.TensorSpec([None, self.input_dim], tf.float32)
        layer_spec = tf.TensorSpec([self.model.depth], tf.float32)
        start = time.perf_counter()
        with tf.device(self.device):
            self._predict_fn = tf.function(self._predict, autograph=False).get_concrete_function(x_spec)
            self._frame = tf.function(self._run_frame, autograph=False).get_concrete_function(
                x_spec, tf.TensorSpec([None], tf.int32), layer_spec, layer_spec, tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([None], tf.bool))
        self.trace_seconds = time.perf_counter() - start

    def release(self):
        """Let TensorFlow free this trainer's traced graphs. It keeps them for the life of the process through
        the custom gradients that the optimizer step registered (core/engine/release.py): about 10 MB per
        architecture on a server where students try hundreds. Once those are gone, dropping the last
        reference frees the graphs, and TensorFlow removes their functions from its library itself."""
        if not self.traced:
            return
        forget_custom_gradients([self._frame.graph, self._predict_fn.graph])
        self._frame = self._predict_fn = self._bare = None

    # --- what a run calls; each places its work on the trainer's device ----------------------------------
    # (device scopes are entered per call, never held open by a caller: generators of two sessions interleave)

    def start(self, config):
        """Reset everything a run owns: weights, optimizer state, step counter, minibatch sampler."""
        with tf.device(self.device):
            self.model.initialize(config.initializer, config.bias_initializer, config.seed)
            for variable in self.optimizer.variables:
                variable.assign(tf.zeros_like(variable))
            self.optimizer.learning_rate = config.learning_rate
            self.step.assign(0)
            self.random.reset_from_seed(config.seed)

    def constant(self, value, dtype=None):
        """A tensor on the trainer's device (data, grids, histogram edges)."""
        with tf.device(self.device):
            return tf.constant(value, dtype)

    def run_frame(self, x, y, low, high, gaps, updates):
        """gaps[i] bare steps then one recorded step, for each i; see _run_frame for the outputs."""
        self.trace()
        with tf.device(self.device):
            return self._frame(x, y, low, high, tf.constant(gaps, tf.int32), tf.constant(updates, tf.bool))

    def preview(self, x, y, low, high):
        """Step 0 measured eagerly, without the compiled graph and without an update: the same outputs as a
        one-step frame. It draws the step's minibatch, so call start() again before training."""
        with tf.device(self.device):
            outputs = self._recorded_step(x, y, low, high, tf.constant(False))
            return (tf.constant(1), tf.constant(-1)) + tuple(value[None] for value in outputs)

    def probe(self, x):
        """Per-layer range of the activations, to choose histogram edges at step 0 (eager: once per run)."""
        with tf.device(self.device):
            _, activations, _, _ = self.model.forward(x, training=False)
            lows = tf.stack([tf.reduce_min(tf.cast(a, tf.float32)) for a in activations])
            highs = tf.stack([tf.reduce_max(tf.cast(a, tf.float32)) for a in activations])
            return lows, highs

    def predict(self, x):
        self.trace()
        with tf.device(self.device):
            return self._predict_fn(x)

    # --- pieces of the graph -------------------------------------------------------------------------

    def _batch(self, x, y):
        count = tf.shape(x)[0]
        index = self.random.uniform([self.batch_size], 0, count, dtype=tf.int32)
        return tf.gather(x, index), tf.gather(y, index)

    def _loss(self, logits, y):
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))

    def _apply(self, gradients):
        self.optimizer.apply_gradients(zip(gradients, self.model.trainable))
        self.step.assign_add(1)

    def _forward_backward(self, x, y):
        """One minibatch: its loss, logits and labels, the maps z, a and h, dL/dz and dL/da, and the parameter
        gradients."""
        xb, yb = self._batch(x, y)
        model = self.model
        with tf.GradientTape() as tape:
            zs, activations, streams, logits = model.forward(xb)
            loss = self._loss(logits, yb)
        depth, count = model.depth, len(model.trainable)
        # dL/da is the signal before φ' (δ = dL/da ⊙ φ'(z)): back-propagation computes it on the way to δ anyway
        gradients = tape.gradient(loss, model.trainable + zs + activations)
        return (loss, logits, yb, zs, activations, streams, gradients[count:count + depth], gradients[count + depth:],
                gradients[:count])

    def _statistics(self, loss, logits, yb, zs, activations, streams, deltas, grad_as, parameter_gradients, low,
                    high, update):
        """Everything a recorded step measures, on its own minibatch; the update (if any) happens here, so
        that the update ratio can compare the kernels before and after it."""
        model = self.model
        kernels_before = [tf.identity(kernel) for kernel in model.kernels]

        def do_update():
            self._apply(parameter_gradients)
            return tf.constant(True)

        map_scalars, act_counts, delta_counts, delta_zeros, alive = layer_statistics(
            zs, activations, deltas, streams if model.residual else None, grad_as, self.activation, self.alpha,
            low, high, self.units)
        updated = tf.cond(update, do_update, lambda: tf.constant(False))
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), yb), tf.float32))
        kernel_gradients = parameter_gradients[:len(model.kernels)]
        change = kernel_norms([after - before for after, before in zip(model.kernels, kernels_before)])
        update_ratio = tf.where(updated, change / kernel_norms(kernels_before), float("nan"))
        rows = dict(zip(MAP_METRICS, tf.unstack(map_scalars)))
        rows["grad_norm"] = kernel_norms(kernel_gradients, tiny=True)
        rows["update_ratio"] = update_ratio
        scalars = tf.stack([rows[name] for name in LAYER_METRICS])
        return loss, accuracy, scalars, act_counts, delta_counts, delta_zeros, alive

    def _recorded_step(self, x, y, low, high, update):
        """One step that measures everything on its own minibatch before its update."""
        step = self.step.read_value()
        return (step,) + self._statistics(*self._forward_backward(x, y), low, high, update)

    def _run_frame(self, x, y, low, high, gaps, updates):
        """For each recorded step i: gaps[i] bare steps, then one recorded step. Stops at a non-finite loss.

        One loop over every step of the frame calls the model once in the graph: a step is recorded when
        `since` (bare steps since the last record) reaches gaps[i]."""
        count = tf.shape(gaps)[0]
        depth = self.model.depth
        arrays = (
            tf.TensorArray(tf.int32, size=count, element_shape=[]),
            tf.TensorArray(tf.float32, size=count, element_shape=[]),
            tf.TensorArray(tf.float32, size=count, element_shape=[]),
            tf.TensorArray(tf.float32, size=count, element_shape=[len(LAYER_METRICS), depth]),
            tf.TensorArray(tf.int32, size=count, element_shape=[depth, ACTIVATION_BINS]),
            tf.TensorArray(tf.int32, size=count, element_shape=[depth, DELTA_BINS]),
            tf.TensorArray(tf.int32, size=count, element_shape=[depth]),
            tf.TensorArray(tf.int32, size=count, element_shape=[depth, self.units.shape[0]]),
        )

        def body(i, since, diverged_at, *arrays):
            step = self.step.read_value()
            passes = self._forward_backward(x, y)
            loss, parameter_gradients = passes[0], passes[-1]
            record = tf.equal(since, gaps[i])

            def recorded():
                outputs = (step,) + self._statistics(*passes, low, high, updates[i])
                return tuple(array.write(i, value) for array, value in zip(arrays, outputs))

            def bare():
                self._apply(parameter_gradients)
                return tuple(arrays)

            arrays = tf.cond(record, recorded, bare)
            # A recorded step whose loss is not finite is kept: it shows what diverged.
            diverged_at = tf.where(tf.math.is_finite(loss), diverged_at, step)
            return (tf.where(record, i + 1, i), tf.where(record, 0, since + 1), diverged_at) + tuple(arrays)

        def keep_going(i, since, diverged_at, *arrays):
            return (i < count) & (diverged_at < 0)

        written, _, diverged_at, *arrays = tf.while_loop(
            keep_going, body, (tf.constant(0), tf.constant(0), tf.constant(-1)) + arrays)
        return (written, diverged_at) + tuple(array.stack() for array in arrays)

    def run_bare(self, x, y, n):
        """n bare steps: the same step without statistics (the benchmark's baseline), traced on first use."""
        if self._bare is None:
            self._bare = tf.function(self._run_bare, autograph=False)
        with tf.device(self.device):
            return self._bare(x, y, tf.constant(n, tf.int32))

    def _run_bare(self, x, y, n):
        def body(j, loss):
            passes = self._forward_backward(x, y)
            self._apply(passes[-1])
            return j + 1, passes[0]

        return tf.while_loop(lambda j, loss: j < n, body, (tf.constant(0), tf.constant(0.0)))[1]

    def _predict(self, x):
        logits = self.model.forward(x, training=False)[-1]
        return tf.argmax(logits, axis=1, output_type=tf.int32)
