"""The trained network as a real Keras model, and the Keras code that rebuilds and trains it."""
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest

from core.cli import main
from core.config import RunConfig
from core.engine.datasets import make_dataset
from core.engine.run import boundary_grid, run_to_end
from core.export.keras_code import keras_code
from core.export.keras_model import save_keras, trained_model
from helpers.keras_env import FRESH_ENV

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONFIGS = {
    "sigmoid on spirals": RunConfig(steps=20, record_every=5, depth=4, width=16),
    "necro_relu with batch norm, adam and weight decay on moons": RunConfig(
        steps=20, record_every=5, depth=3, width=16, activation="necro_relu", batchnorm=True, dataset="moons",
        optimizer="adam", weight_decay=0.01),
    "leaky_relu in float16 on digits": RunConfig(
        steps=20, record_every=5, depth=3, width=16, activation="leaky_relu", alpha=0.2, precision="float16",
        dataset="digits", samples=300),
    "residual tanh with batch norm and momentum on circles": RunConfig(
        steps=20, record_every=5, depth=4, width=16, activation="tanh", residual=True, batchnorm=True,
        dataset="circles", optimizer="momentum"),
}


@pytest.fixture(scope="module")
def trained(pool):
    """name -> (config, record, the engine's logits on the whole data set in inference mode)."""
    results = {}
    for name, config in CONFIGS.items():
        record = run_to_end(config, pool)
        data = make_dataset(config)
        trainer = pool.acquire(config, data.input_dim, data.classes, record.device)  # the run's own trainer
        try:
            logits = trainer.model.forward(data.x, training=False)[-1]
        finally:
            pool.release(trainer)
        results[name] = (config, record, logits.numpy())
    return results


@pytest.mark.parametrize("name", CONFIGS)
def test_a_saved_keras_model_gives_the_engines_outputs_on_the_same_inputs(trained, name, tmp_path):
    config, record, engine_logits = trained[name]
    path = str(tmp_path / "model.keras")
    save_keras(record, path)
    loaded = keras.models.load_model(path)
    logits = np.asarray(loaded(make_dataset(config).x, training=False))
    np.testing.assert_allclose(logits, engine_logits, rtol=1e-5, atol=1e-6)


def test_the_keras_model_draws_the_decision_boundary_the_run_recorded_last(trained):
    config, record, _ = trained["sigmoid on spirals"]
    _, _, grid = boundary_grid(make_dataset(config).x)
    predicted = np.argmax(np.asarray(trained_model(record)(grid, training=False)), axis=1)
    np.testing.assert_array_equal(predicted, np.asarray(record.boundary["classes"][-1]).reshape(-1))


def test_plain_keras_loads_the_model_and_necro_relu_needs_only_the_activations_module(trained, tmp_path):
    plain, necro = str(tmp_path / "plain.keras"), str(tmp_path / "necro.keras")
    save_keras(trained["sigmoid on spirals"][1], plain)
    save_keras(trained["necro_relu with batch norm, adam and weight decay on moons"][1], necro)
    load = "import keras, sys; model = keras.models.load_model(sys.argv[1]); print(len(model.layers))"
    out = subprocess.run([sys.executable, "-c", load, plain], capture_output=True, text=True, env=FRESH_ENV, cwd="/")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == str(2 * 4 + 2)  # Dense + activation per hidden layer, logits, float32 cast
    with_module = f"import sys; sys.path.insert(0, {ROOT!r}); import core.engine.activations; " + load
    out = subprocess.run([sys.executable, "-c", with_module, necro], capture_output=True, text=True, env=FRESH_ENV, cwd="/")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == str(3 * 3 + 2)  # Dense, BatchNormalization, NecroReLU per hidden layer


@pytest.mark.parametrize("name", CONFIGS)
def test_the_generated_script_runs_alone_and_its_first_loss_is_the_engines_step_0_loss(trained, name, tmp_path):
    config, record, _ = trained[name]
    script = tmp_path / "run.py"
    script.write_text(keras_code(config, classes=10 if config.dataset == "digits" else 2).replace(
        f"STEPS = {config.steps}\n", "STEPS = 6\n").replace(f"RECORD_EVERY = {config.record_every}\n", "RECORD_EVERY = 5\n"))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=FRESH_ENV, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    losses = {int(step): float(loss) for step, loss in re.findall(r"step +(\d+) +loss ([-+0-9.eE]+|nan)", out.stdout)}
    assert set(losses) == {0, 5}
    np.testing.assert_allclose(losses[0], record.loss[0], rtol=1e-5)
    np.testing.assert_allclose(losses[5], record.loss[record.steps.index(5)], rtol=1e-3)  # same minibatches too
    assert "accuracy on the data after 6 steps" in out.stdout


def test_the_record_json_holds_no_weights_and_reads_back_without_them(trained):
    from core.record import RunRecord

    record = trained["sigmoid on spirals"][1]
    assert record.weights and "weights" not in record.to_dict()
    again = RunRecord.from_json(record.to_json())
    assert again.weights is None and again.to_json() == record.to_json()
    with pytest.raises(ValueError, match="holds no trained weights"):
        trained_model(again)


def test_a_network_larger_than_the_host_keeps_has_no_weights_to_export(pool, monkeypatch):
    monkeypatch.setenv("GRADFLOW_MAX_KEPT_WEIGHTS_MB", "1")
    record = run_to_end(RunConfig(steps=2, record_every=1, depth=6, width=256), pool)  # 5 x 256 x 256 floats: 1.3 MB
    assert record.status == "finished" and record.weights is None


def test_the_cli_saves_the_keras_model_next_to_the_record(pool, tmp_path, capsys):
    path = tmp_path / "model.keras"
    status = main(["run", "--depth", "3", "--width", "8", "--steps", "10", "--out", str(tmp_path / "run.json"),
                   "--keras", str(path), "--quiet"], pool=pool)
    assert status == 0
    model = keras.models.load_model(path)
    assert [layer.name for layer in model.layers][:2] == ["hidden_1", "sigmoid_1"]


@pytest.mark.parametrize("bad, problem", [("model.h5", "ending in .keras"), ("/no/such/dir/model.keras", "does not exist")])
def test_a_bad_keras_path_is_refused_with_status_2_before_training(bad, problem, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--steps", "3000", "--record-every", "10", "--keras", bad])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--keras" in err and problem in err
