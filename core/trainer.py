"""The compiled training step: one tf.function that runs a frame of steps and returns their statistics.

A Trainer is built once per architecture and reused for new runs (new weights, seed, data, learning rate)
without tracing again. Inside a frame the host is not involved: bare steps run in a tf.while_loop, the
recorded steps stack their statistics in TensorArrays, and one transfer brings them home.
"""
import time

import keras
import tensorflow as tf

from core.model import MLP
from core.statistics import (
    ACTIVATION_BINS, DELTA_BINS, LAYER_METRICS, delta_histogram, forward_statistics,
)


def architecture_key(config, input_dim: int, classes: int, device: str) -> tuple:
    """Everything that fixes the traced graph; configs with equal keys share a Trainer."""
    return (
        config.depth, config.width, config.activation, config.alpha, config.batchnorm, config.precision,
        config.optimizer, config.momentum if config.optimizer == "momentum" else None, config.weight_decay,
        config.batch_size, input_dim, classes, device,
    )


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
    def __init__(self, config, input_dim: int, classes: int, device: str):
        self.key = architecture_key(config, input_dim, classes, device)
        self.device = device
        self.batch_size = config.batch_size
        self.activation, self.alpha = config.activation, config.alpha
        with tf.device(device):
            self.model = MLP(input_dim, classes, config.depth, config.width, config.activation, config.alpha,
                             config.batchnorm, config.precision)
            self.optimizer = make_optimizer(config)
            self.optimizer.build(self.model.trainable)
            if config.weight_decay:
                self.optimizer.exclude_from_weight_decay(var_list=self.model.no_weight_decay)
            self.step = tf.Variable(0, dtype=tf.int32, trainable=False, name="step")
            self.random = tf.random.Generator.from_seed(0)
            self._trace(config, input_dim)

    def _trace(self, config, input_dim):
        """Trace the graphs now, under the device scope, so a run never traces mid-way."""
        x_spec = tf.TensorSpec([None, input_dim], tf.float32)
        y_spec = tf.TensorSpec([None], tf.int32)
        layer_spec = tf.TensorSpec([config.depth], tf.float32)
        plan_spec = tf.TensorSpec([None], tf.int32)
        self._bare = None
        start = time.perf_counter()
        self._frame = tf.function(self._run_frame, autograph=False).get_concrete_function(
            x_spec, y_spec, layer_spec, layer_spec, plan_spec, tf.TensorSpec([None], tf.bool))
        self._probe_fn = tf.function(self._probe, autograph=False).get_concrete_function(x_spec)
        self._predict_fn = tf.function(self._predict, autograph=False).get_concrete_function(x_spec)
        self.trace_seconds = time.perf_counter() - start

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
        with tf.device(self.device):
            return self._frame(x, y, low, high, tf.constant(gaps, tf.int32), tf.constant(updates, tf.bool))

    def probe(self, x):
        with tf.device(self.device):
            return self._probe_fn(x)

    def predict(self, x):
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

    def _bare_step(self, x, y):
        xb, yb = self._batch(x, y)
        with tf.GradientTape() as tape:
            _, _, logits = self.model.forward(xb)
            loss = self._loss(logits, yb)
        self._apply(tape.gradient(loss, self.model.trainable))
        return loss

    def _recorded_step(self, x, y, low, high, update):
        """One step that measures everything on its own minibatch before its update."""
        step = self.step.read_value()
        xb, yb = self._batch(x, y)
        model = self.model
        with tf.GradientTape() as tape:
            zs, activations, logits = model.forward(xb)
            loss = self._loss(logits, yb)
        gradients = tape.gradient(loss, model.trainable + zs)
        parameter_gradients, deltas = gradients[: len(model.trainable)], gradients[len(model.trainable):]
        kernels_before = [tf.identity(kernel) for kernel in model.kernels]

        def do_update():
            self._apply(parameter_gradients)
            return tf.constant(True)

        updated = tf.cond(update, do_update, lambda: tf.constant(False))
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), yb), tf.float32))

        rows = {name: [] for name in LAYER_METRICS}
        act_counts, delta_counts, delta_zeros = [], [], []
        for i in range(model.depth):
            z = tf.cast(zs[i], tf.float32)
            a = tf.cast(activations[i], tf.float32)
            delta = tf.cast(deltas[i], tf.float32)
            scalars, counts = forward_statistics(z, a, self.activation, self.alpha, low[i], high[i])
            for name, value in scalars.items():
                rows[name].append(value)
            rows["grad_norm"].append(tf.norm(parameter_gradients[i]))
            rows["delta_ms"].append(tf.reduce_mean(tf.square(delta)))
            change = tf.norm(model.kernels[i] - kernels_before[i]) / tf.norm(kernels_before[i])
            rows["update_ratio"].append(tf.where(updated, change, float("nan")))
            d_counts, d_zeros = delta_histogram(delta)
            act_counts.append(counts)
            delta_counts.append(d_counts)
            delta_zeros.append(d_zeros)
        scalars = tf.stack([tf.stack(rows[name]) for name in LAYER_METRICS])
        return step, loss, accuracy, scalars, tf.stack(act_counts), tf.stack(delta_counts), tf.stack(delta_zeros)

    def _run_frame(self, x, y, low, high, gaps, updates):
        """For each recorded step: gaps[i] bare steps, then one recorded step. Stops at a non-finite loss."""
        count = tf.shape(gaps)[0]
        depth = self.model.depth
        arrays = [
            tf.TensorArray(tf.int32, size=count, element_shape=[]),
            tf.TensorArray(tf.float32, size=count, element_shape=[]),
            tf.TensorArray(tf.float32, size=count, element_shape=[]),
            tf.TensorArray(tf.float32, size=count, element_shape=[len(LAYER_METRICS), depth]),
            tf.TensorArray(tf.int32, size=count, element_shape=[depth, ACTIVATION_BINS]),
            tf.TensorArray(tf.int32, size=count, element_shape=[depth, DELTA_BINS]),
            tf.TensorArray(tf.int32, size=count, element_shape=[depth]),
        ]

        def bare_steps(n, diverged_at):
            def body(j, bad):
                step = self.step.read_value()
                loss = self._bare_step(x, y)
                bad = tf.where(tf.math.is_finite(loss), bad, step)
                return j + 1, bad

            _, bad = tf.while_loop(lambda j, bad: (j < n) & (bad < 0), body, (tf.constant(0), diverged_at))
            return bad

        def outer(i, diverged_at, *arrays):
            diverged_at = bare_steps(gaps[i], diverged_at)

            def record():
                outputs = self._recorded_step(x, y, low, high, updates[i])
                bad = tf.where(tf.math.is_finite(outputs[1]), diverged_at, outputs[0])
                return (bad,) + tuple(array.write(i, value) for array, value in zip(arrays, outputs))

            def skip():
                return (diverged_at,) + tuple(arrays)

            result = tf.cond(diverged_at < 0, record, skip)
            written = tf.where(diverged_at < 0, i + 1, i)
            return (written, result[0]) + tuple(result[1:])

        def keep_going(i, diverged_at, *arrays):
            return (i < count) & (diverged_at < 0)

        written, diverged_at, *arrays = tf.while_loop(keep_going, outer, (tf.constant(0), tf.constant(-1)) + tuple(arrays))
        return (written, diverged_at) + tuple(array.stack() for array in arrays)

    def run_bare(self, x, y, n):
        """n bare steps: the same step without statistics (the benchmark's baseline), traced on first use."""
        if self._bare is None:
            self._bare = tf.function(self._run_bare, autograph=False)
        with tf.device(self.device):
            return self._bare(x, y, tf.constant(n, tf.int32))

    def _run_bare(self, x, y, n):
        def body(j, loss):
            return j + 1, self._bare_step(x, y)

        return tf.while_loop(lambda j, loss: j < n, body, (tf.constant(0), tf.constant(0.0)))[1]

    def _probe(self, x):
        """Per-layer range of the activations, to choose histogram edges at step 0."""
        _, activations, _ = self.model.forward(x, training=False)
        lows = tf.stack([tf.reduce_min(tf.cast(a, tf.float32)) for a in activations])
        highs = tf.stack([tf.reduce_max(tf.cast(a, tf.float32)) for a in activations])
        return lows, highs

    def _predict(self, x):
        _, _, logits = self.model.forward(x, training=False)
        return tf.argmax(logits, axis=1, output_type=tf.int32)
