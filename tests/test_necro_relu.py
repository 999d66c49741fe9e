import numpy as np

from core.config import RunConfig
from core.engine.run import run_to_end

SILENCED = dict(dataset="gaussian", input_dim=16, samples=256, depth=4, width=64, batch_size=256, steps=0,
                initializer="he_normal", bias_initializer={"class_name": "Constant", "config": {"value": -3.0}})


def test_necro_relu_forward_equals_relu_but_gradient_reaches_silenced_layers(pool):
    relu = run_to_end(RunConfig(activation="relu", **SILENCED), pool)
    necro = run_to_end(RunConfig(activation="necro_relu", alpha=0.1, **SILENCED), pool)
    # Same forward pass: identical activations statistics, mostly dead units
    for name in ("preact_ms", "act_mean", "act_std", "sparsity", "dead_fraction"):
        np.testing.assert_array_equal(relu.metric(name), necro.metric(name))
    assert (relu.metric("dead_fraction")[0][1:] == 1.0).all(), "a bias of -3 silences every unit after layer 1"
    # ReLU passes no gradient through the silenced layers; NecroReLU's leaky backward does
    relu_delta, necro_delta = relu.metric("delta_ms")[0], necro.metric("delta_ms")[0]
    assert (relu_delta == 0.0).all()
    assert (necro_delta > 0.0).all()
    assert (np.asarray(necro.histograms["delta"]["zeros"][0]) < np.asarray(relu.histograms["delta"]["zeros"][0])).all()
