"""Mean-field theory on the command line says where q overflows float64, and is null from there on, instead of
restarting (ReLU's map has a closed form: q_l = sigma_w^2 q_(l-1) / 2 + sigma_b^2)."""
import json
import sys

from core.cli import main


def theory(capsys, *argv) -> tuple:
    assert main(["theory", *argv]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_relu_q_is_null_from_the_layer_where_the_closed_form_passes_float64s_largest(capsys):
    sigma_w, sigma_b, depth = 100.0, 100.0, 200
    result, note = theory(capsys, "--activation", "relu", "--sigma-w", str(sigma_w), "--sigma-b", str(sigma_b),
                          "--depth", str(depth))
    exact, q = [], sigma_w ** 2 + sigma_b ** 2  # layer 1 from unit-variance inputs
    while q <= sys.float_info.max and len(exact) < depth:
        exact.append(q)
        q = sigma_w ** 2 * q / 2 + sigma_b ** 2
    first_overflow = len(exact) + 1
    assert first_overflow < depth
    assert all(abs(got - want) <= 1e-9 * want for got, want in zip(result["q"][:len(exact)], exact))
    assert result["q"][len(exact):] == [None] * (depth - len(exact))
    assert result["chi"][len(exact):] == [None] * (depth - len(exact))
    assert result["overflow"]["layer"] == first_overflow
    assert f"q overflows at layer {first_overflow}" in note


def test_gelu_and_swish_no_longer_restart_after_overflowing(capsys):
    for activation in ("gelu", "swish"):
        result, note = theory(capsys, "--activation", activation, "--sigma-w", "100", "--sigma-b", "100",
                              "--depth", "300")
        layer = result["overflow"]["layer"]
        assert all(value is not None for value in result["q"][:layer - 1])
        assert result["q"][layer - 1:] == [None] * (300 - layer + 1), activation  # no restart at 10000
        assert "q overflows at layer" in note


def test_a_run_that_does_not_overflow_says_so(capsys):
    result, note = theory(capsys, "--activation", "tanh", "--sigma-w", "1.5", "--depth", "50")
    assert result["overflow"] is None and None not in result["q"] and note == ""
