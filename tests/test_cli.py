import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_writes_a_valid_record_to_stdout_and_progress_to_stderr():
    result = run_cli("run", "--depth", "3", "--width", "8", "--steps", "10", "--record-every", "5",
                     "--activation", "necro_relu", "--initializer",
                     '{"class_name": "RandomUniform", "config": {"minval": -0.3, "maxval": 0.3}}', "--out", "-")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["schema"] == "gradflow.run/1" and record["steps"] == [0, 5, 10]
    assert record["config"]["activation"] == "necro_relu"
    assert record["config"]["initializer"]["class_name"] == "RandomUniform"
    assert "step 10/10" in result.stderr


def test_cli_writes_a_file(tmp_path):
    out = tmp_path / "run.json"
    result = run_cli("run", "--depth", "2", "--steps", "0", "--dataset", "digits", "--batchnorm", "--residual",
                     "--quiet", "--out", str(out))
    assert result.returncode == 0, result.stderr
    record = json.loads(out.read_text())
    assert record["config"]["batchnorm"] is True and record["config"]["residual"] is True and record["steps"] == [0]
    assert len(record["metrics"]["stream_ms"]) == 1 and len(record["metrics"]["stream_ms"][0]) == 2


def run_in_process(capsys, *args):
    """The same main() in this process: spares a TensorFlow start-up per case."""
    from core.cli import main

    try:
        code = main(list(args))
    except SystemExit as exit:
        code = exit.code
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, captured.out, captured.err)


def test_bad_values_exit_with_status_2_and_name_the_flag(capsys):
    for args, expected in [(["--depth", "0"], "--depth: depth = 0"),
                           (["--learning-rate", "fast"], "--learning-rate: learning_rate = 'fast'"),
                           (["--initializer", "{not json"], "--initializer"),
                           (["--activation", "relu6"], "one of sigmoid"),
                           (["--no-such-flag"], "unrecognized arguments")]:
        result = run_in_process(capsys, "run", *args)
        assert result.returncode == 2, args
        assert expected in result.stderr, (args, result.stderr)


def test_help_documents_every_flag_and_the_limits(capsys):
    result = run_in_process(capsys, "run", "--help")
    assert result.returncode == 0
    for flag in ["--dataset", "--samples", "--input-dim", "--noise", "--depth", "--width", "--activation", "--alpha",
                 "--batchnorm", "--residual", "--initializer", "--bias-initializer", "--optimizer", "--learning-rate", "--momentum",
                 "--weight-decay", "--batch-size", "--steps", "--record-every", "--seed", "--precision", "--cpu",
                 "--out"]:
        assert flag in result.stdout, flag
    assert "GRADFLOW_MAX_DEPTH" in run_in_process(capsys, "--help").stdout


def test_an_unwritable_out_path_is_refused_before_training(capsys, tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "run.json"
    for out, expected in [(str(missing), "folder that does not exist"), (str(tmp_path), "is a directory")]:
        result = run_in_process(capsys, "run", "--steps", "5000", "--record-every", "50", "--depth", "100", "--out", out)
        assert result.returncode == 2, out
        assert f"--out: {out!r}" in result.stderr and expected in result.stderr, result.stderr
        assert "step " not in result.stderr, "nothing trained before the path was checked"


def test_a_keras_config_dict_with_a_bad_value_exits_with_status_2(capsys):
    bad = '{"class_name": "Constant", "config": {"value": "x"}}'
    result = run_in_process(capsys, "run", "--bias-initializer", bad, "--steps", "0")
    assert result.returncode == 2
    assert "--bias-initializer" in result.stderr and "Constant" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_without_record_every_a_long_run_records_about_150_steps_as_the_lab_does(capsys):
    from core.cli import build_parser, config_from_args
    from ui.controls.widgets import config_or_default

    def cli_config(*args):
        return config_from_args(build_parser().parse_args(["run", *args]))

    long = cli_config("--steps", "5000")  # record_every 5 would record 1002 steps, over the host's 1000
    assert long.record_every == 34 and len(long.recorded_steps) == 149
    lab = config_or_default({"lab_steps": 5000}, "lab_")  # the Lab's controls at 5000 steps
    assert lab.steps == 5000 and long.record_every == lab.record_every
    assert cli_config().record_every == 2  # the default 300 steps, as the Lab records them
    assert cli_config("--steps", "5000", "--record-every", "50").record_every == 50  # a given value is kept
    help_text = run_in_process(capsys, "run", "--help").stdout
    assert "ceil(steps / 150)" in " ".join(help_text.split())
