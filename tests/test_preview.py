"""Step 0 without the compiled step: the eager preview a student sees while a new architecture traces."""
import numpy as np
import pytest
import tensorflow as tf

from core.config import RunConfig
from core.engine.datasets import make_dataset
from core.engine.pool import TrainerPool
from core.engine.run import activation_edges, run_to_end, train
from core.engine.trainer import Trainer

SMALL = dict(samples=200, depth=6, width=16, batch_size=32, steps=20, record_every=5)


@pytest.mark.parametrize("settings", [
    dict(activation="relu", initializer="he_normal"),
    dict(activation="tanh", optimizer="adam", learning_rate=0.01),
    dict(activation="necro_relu", batchnorm=True),
    dict(activation="sigmoid", precision="float16"),
    dict(activation="selu", initializer="lecun_normal", depth=1),
], ids=lambda s: "-".join(str(v) for v in s.values()))
def test_the_eager_step_0_equals_the_compiled_step_0(settings):
    config = RunConfig(**{**SMALL, **settings})
    dataset = make_dataset(config)
    trainer = Trainer(config, dataset.input_dim, dataset.classes, "CPU:0")
    trainer.start(config)
    x, y = tf.constant(dataset.x), tf.constant(dataset.y)
    lows, highs = (v.numpy() for v in trainer.probe(x))
    edges = activation_edges(config.activation, lows, highs)
    low, high = tf.constant([e[0] for e in edges]), tf.constant([e[-1] for e in edges])
    eager = [v.numpy() for v in trainer.preview(x, y, low, high)]
    assert not trainer.traced, "the preview must not need the compiled graph"
    trainer.start(config)
    compiled = [v.numpy() for v in trainer.run_frame(x, y, low, high, [0], [False])]
    names = ["written", "diverged_at", "steps", "loss", "accuracy", "scalars", "activation counts",
             "delta counts", "delta zeros"]
    for name, a, b in zip(names, eager, compiled):
        assert a.shape == b.shape, name
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7, equal_nan=True, err_msg=name)
        else:
            # a value on a histogram bin edge may round to either side in the two paths
            assert np.abs(a.astype(np.int64) - b).sum() <= 2, name
    assert compiled[2].tolist() == [0] and int(trainer.step.numpy()) == 0


def test_a_cold_run_yields_step_0_first_and_then_the_same_record_as_a_warm_run(pool):
    config = RunConfig(activation="relu", initializer="he_normal", **{**SMALL, "depth": 7})
    records = [record.snapshot() for record in train(config, TrainerPool())]
    assert records[0].steps == [0] and records[0].status == "running"
    assert records[1].steps[0] == 0, "the compiled run starts again from step 0"
    warm = run_to_end(config, pool)
    warm = run_to_end(config, pool)
    strip = lambda record: {**record.to_dict(), "timing": None}
    assert strip(records[-1]) == strip(warm)
    assert records[-1].timing["trace_seconds"] > 0 and warm.timing["trace_seconds"] == 0
