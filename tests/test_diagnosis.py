import numpy as np

from core.config import RunConfig
from core.diagnosis import diagnose
from core.engine.run import run_to_end

BASE = dict(samples=300, width=32, steps=60, record_every=10)


def kinds(record, step=None):
    return [verdict.kind for verdict in diagnose(record, step)]


def test_default_sigmoid_net_is_diagnosed_as_vanishing(pool):
    record = run_to_end(RunConfig(**BASE), pool)
    verdicts = diagnose(record)
    assert verdicts[0].kind == "vanishing"
    first, last = record.metric("grad_norm")[-1][[0, -1]]
    assert "layer 1's gradient is 10^" in verdicts[0].headline and first / last < 1e-2


def test_negative_bias_relu_net_is_diagnosed_as_dying(pool):
    record = run_to_end(RunConfig(activation="relu", initializer="he_normal", depth=6,
                                  bias_initializer={"class_name": "Constant", "config": {"value": -1.0}}, **BASE), pool)
    assert "dying_relu" in kinds(record)
    dead = record.metric("dead_fraction")[-1]
    assert f"{dead.max():.0%} of layer {dead.argmax() + 1}'s units are dead" in diagnose(record)[kinds(record).index("dying_relu")].headline


def test_shallow_relu_net_with_he_init_is_healthy(pool):
    record = run_to_end(RunConfig(activation="relu", initializer="he_normal", depth=3, **BASE), pool)
    assert kinds(record) == ["healthy"]


def test_divergence_is_reported_first_with_its_step(pool):
    record = run_to_end(RunConfig(activation="relu", initializer="he_normal", depth=10, learning_rate=1000.0,
                                  **BASE), pool)
    verdict = diagnose(record)[0]
    assert verdict.kind == "diverged" and verdict.headline == f"Diverged at step {record.diverged_at}"


def test_large_weights_saturate_tanh(pool):
    record = run_to_end(RunConfig(activation="tanh", initializer="too_large", depth=6, **BASE), pool)
    assert "saturated" in kinds(record, step=0)


def test_a_residual_nets_stream_that_overflows_float32_is_a_growing_signal_and_names_the_layer(pool):
    record = run_to_end(RunConfig(depth=100, width=16, activation="relu", initializer="he_normal", residual=True,
                                  steps=0), pool)
    stream = record.metric("stream_ms")[0]
    assert np.isinf(stream[-1]), "2^100 times the input's mean square is beyond float32"
    verdict = diagnose(record, 0)[0]
    first = int(np.flatnonzero(np.isinf(stream))[0]) + 1
    assert verdict.kind == "growing_signal" and f"overflows float32 from layer {first} on" in verdict.headline
