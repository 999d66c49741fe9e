"""Mean-field predictions against closed forms, and `python -m core theory` on good and bad flags."""
import json
import math

import numpy as np
import pytest
from scipy.stats import norm

from core import theory
from core.cli import main
from core.activation_table import ACTIVATIONS
from core.theory.cli import predictions
from core.theory import initializers as theory_initializers
from core.theory.gaussian import expectation
from core.theory.meanfield import second_moment, slope_moment

SIGMAS = [0.5, 1.0, 1.4142135623730951, 2.0, 3.0]


@pytest.mark.parametrize("sigma_w", SIGMAS)
@pytest.mark.parametrize("q", [1e-4, 0.3, 1.0, 25.0])
def test_relu_chi_is_half_sigma_w_squared_at_every_q(sigma_w, q):
    assert theory.chi("relu", sigma_w, q) == pytest.approx(sigma_w ** 2 / 2, rel=1e-12)


@pytest.mark.parametrize("sigma_w", SIGMAS)
def test_linear_chi_is_sigma_w_squared(sigma_w):
    assert theory.chi("linear", sigma_w, 0.7) == pytest.approx(sigma_w ** 2, rel=1e-12)


def test_kink_safe_quadrature_matches_relu_closed_forms_to_one_percent_and_better():
    # The quadrature (not the closed forms the theory uses for ReLU) on ReLU's kink, centred and shifted.
    for mean, variance in [(0.0, 1.0), (0.0, 1e-3), (0.7, 2.0), (-3.0, 0.5)]:
        std = math.sqrt(variance)
        ratio = mean / std
        positive = (mean ** 2 + variance) * norm.cdf(ratio) + mean * std * norm.pdf(ratio)
        assert expectation(lambda v: np.maximum(v, 0.0) ** 2, mean, variance) == pytest.approx(positive, rel=1e-9)
        assert expectation(lambda v: (v > 0).astype(float), mean, variance) == pytest.approx(norm.cdf(ratio), rel=1e-9)


def test_gauss_hermite_with_a_node_on_the_kink_is_far_off_where_the_split_rule_is_not():
    nodes, weights = np.polynomial.hermite_e.hermegauss(21)  # odd count: a node at 0
    hermite = np.sum(weights * (nodes > 0)) / np.sqrt(2 * np.pi)
    assert abs(hermite - 0.5) / 0.5 > 0.1  # the warning, reproduced
    assert expectation(lambda v: (v > 0).astype(float), 0.0, 1.0) == pytest.approx(0.5, rel=1e-12)


def test_leaky_and_necro_relu_chi_use_the_backward_slope():
    alpha = 0.2
    assert theory.chi("leaky_relu", 1.0, 1.0, alpha) == pytest.approx((1 + alpha ** 2) / 2, rel=1e-12)
    assert theory.chi("necro_relu", 1.0, 1.0, alpha) == pytest.approx((1 + alpha ** 2) / 2, rel=1e-12)
    # ... while NecroReLU's forward map is ReLU's
    assert second_moment("necro_relu", 0.0, 2.0, alpha) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "elu", "selu", "gelu", "swish", "softplus"])
def test_smooth_expectations_agree_with_a_fine_midpoint_rule(activation):
    from core.engine import reference

    cells = 400_000
    z = -12.0 + (np.arange(cells) + 0.5) * (24.0 / cells)
    w = np.exp(-0.5 * z * z)
    w /= w.sum()
    for q in [0.05, 1.0, 9.0]:
        midpoint = np.sum(w * reference.derivative(activation, np.sqrt(q) * z) ** 2)
        assert slope_moment(activation, 0.0, q) == pytest.approx(midpoint, rel=1e-6)
        midpoint = np.sum(w * reference.activation(activation, np.sqrt(q) * z) ** 2)
        assert second_moment(activation, 0.0, q) == pytest.approx(midpoint, rel=1e-6)


def test_tanh_is_critical_at_sigma_w_1_sigma_b_0():
    assert theory.fixed_point("tanh", 1.0, 0.0) == 0.0
    assert theory.chi_at_fixed_point("tanh", 1.0, 0.0) == pytest.approx(1.0, rel=1e-6)
    assert theory.chi_at_fixed_point("tanh", 0.9, 0.0) < 0.99  # ordered below
    assert theory.chi_at_fixed_point("tanh", 1.1, 0.0) > 1.0  # chaotic above
    assert math.isinf(theory.depth_scale(theory.chi_at_fixed_point("tanh", 1.0, 0.0)))


def test_elu_like_tanh_is_critical_at_sigma_w_1_sigma_b_0_where_its_signal_dies_out():
    # q* = 0 and chi's limit as q -> 0 is sigma_w^2 (slope 1 on both sides of 0): critical, not ordered with a
    # depth scale of a million layers (chi near q = 1e-12 is 1 - 1e-6: ELU's correction grows as sqrt(q))
    assert theory.fixed_point("elu", 1.0, 0.0) == 0.0
    assert theory.regime(theory.chi_at_fixed_point("elu", 1.0, 0.0)) == "critical"
    assert math.isinf(theory.depth_scale(theory.chi_at_fixed_point("elu", 1.0, 0.0)))
    assert theory.regime(theory.chi_at_fixed_point("elu", 0.9, 0.0)) == "ordered"


def test_the_fixed_point_solves_the_q_map():
    for activation, sigma_w, sigma_b in [("tanh", 1.5, 0.3), ("sigmoid", 1.0, 0.0), ("selu", 1.0, 0.0), ("gelu", 1.2, 0.5)]:
        q_star = theory.fixed_point(activation, sigma_w, sigma_b)
        assert theory.q_map(activation, sigma_w, sigma_b, q_star) == pytest.approx(q_star, rel=1e-8)
    assert theory.fixed_point("relu", 1.0, 0.5) == pytest.approx(0.25 / 0.5)  # sigma_b^2 / (1 - sigma_w^2 / 2)
    assert math.isinf(theory.fixed_point("relu", 2.0, 0.1))  # chi > 1: the signal grows without bound


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_registry_activation_gets_a_q_map_chi_fixed_point_and_depth_scale(activation):
    for sigma_w, sigma_b in [(0.8, 0.2), (1.5, 0.3)]:
        data = predictions(activation, sigma_w, sigma_b, 6)
        q = np.asarray(data["q"])
        for before, after in zip(q[:-1], q[1:]):  # layer to layer, the q map
            assert after == pytest.approx(theory.q_map(activation, sigma_w, sigma_b, before), rel=1e-9)
        np.testing.assert_allclose(data["chi"], [theory.chi(activation, sigma_w, v) for v in q], rtol=1e-12)
        if data["q_star"] is None:  # no finite fixed point: the signal grows, so gradients explode
            assert data["chi_star"] > 1 and q[-1] > q[0]
        else:
            assert theory.q_map(activation, sigma_w, sigma_b, data["q_star"]) == pytest.approx(data["q_star"], rel=1e-8)
            assert data["chi_star"] == pytest.approx(theory.chi(activation, sigma_w, data["q_star"]), rel=1e-9)
        assert data["depth_scale"] == pytest.approx(1 / abs(math.log(data["chi_star"])), rel=1e-9)


def test_depth_scale_is_one_over_the_log_of_chi_both_ways():
    assert theory.depth_scale(math.exp(-0.1)) == pytest.approx(10.0)
    assert theory.depth_scale(math.exp(0.05)) == pytest.approx(20.0)
    assert theory.depth_scale(0.0) == 0.0


def test_constant_bias_shifts_the_gaussian_instead_of_widening_it():
    # ReLU with weights of sigma_w = sqrt 2 and a bias of -3: most units are off, far fewer than a random bias
    # of spread 3 would switch off.
    q_shift, chi_shift = theory.propagate("relu", 2 ** 0.5, 0.0, 2, 9.0 + 1.0, bias_mean=-3.0)
    assert chi_shift[0, 0] == pytest.approx(2 * norm.cdf(-3.0), rel=1e-9)
    q_random, chi_random = theory.propagate("relu", 2 ** 0.5, 3.0, 2, 10.0)
    assert chi_random[0, 0] == pytest.approx(1.0)


def test_initializers_map_to_sigma_w():
    assert theory_initializers.sigma_w("he_normal", 32, 32) == pytest.approx(2 ** 0.5)
    assert theory_initializers.sigma_w("glorot_uniform", 32, 32) == pytest.approx(1.0)
    assert theory_initializers.sigma_w("glorot_normal", 2, 32) == pytest.approx((2 * 2 / 34) ** 0.5)
    assert theory_initializers.sigma_w("too_large", 64, 64) == pytest.approx(8.0)  # N(0, 1): stddev^2 fan_in
    with pytest.raises(theory_initializers.NotCovered, match="Orthogonal"):
        theory_initializers.sigma_w("orthogonal", 32, 32)


def test_cli_writes_the_predictions_as_json(tmp_path, capsys):
    out = tmp_path / "theory.json"
    assert main(["theory", "--activation", "relu", "--sigma-w", "1.2", "--sigma-b", "0.1", "--depth", "4",
                 "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    q = [1.44 + 0.01]
    for _ in range(3):
        q.append(1.44 * q[-1] / 2 + 0.01)
    np.testing.assert_allclose(data["q"], q, rtol=1e-12)
    np.testing.assert_allclose(data["chi"], [0.72] * 4, rtol=1e-12)
    assert data["q_star"] == pytest.approx(0.01 / (1 - 0.72))
    assert data["chi_star"] == pytest.approx(0.72)
    assert data["depth_scale"] == pytest.approx(-1 / math.log(0.72))
    assert data["regime"] == "ordered"


def test_cli_writes_null_for_an_infinite_depth_scale(capsys):
    assert main(["theory", "--activation", "linear", "--sigma-w", "1", "--depth", "2", "--out", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["depth_scale"] is None and data["regime"] == "critical"


@pytest.mark.parametrize("flags, named", [
    (["--activation", "tanhh", "--sigma-w", "1"], "--activation"),
    (["--activation", "tanh", "--sigma-w", "-1"], "--sigma-w"),
    (["--activation", "tanh", "--sigma-w", "nan"], "--sigma-w"),
    (["--activation", "tanh", "--sigma-w", "1", "--sigma-b", "x"], "--sigma-b"),
    (["--activation", "tanh", "--sigma-w", "1", "--depth", "0"], "--depth"),
    (["--activation", "tanh", "--sigma-w", "1", "--out", "/no/such/dir/x.json"], "--out"),
])
def test_cli_refuses_bad_flags_with_status_2_naming_the_flag(flags, named, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["theory", *flags])
    assert exit_info.value.code == 2
    assert named in capsys.readouterr().err


def test_the_residual_recursion_of_a_linear_net_is_its_closed_form():
    # linear φ, zero bias: q_l = σ² m_(l-1), m_l = m_(l-1) (1 + σ²) so m_l = q_1 (1 + σ²)^(l-1), and each layer's
    # factor of E[g²] is 1 + σ², of δ too (s = 1)
    from core.theory.residual import propagate_residual

    sigma = 0.7
    q, m, stream_factor, delta_factor = propagate_residual("linear", sigma, 0.0, 6, 2.0)
    layers = np.arange(6)
    np.testing.assert_allclose(m[:, 0], 2.0 * (1 + sigma ** 2) ** layers, rtol=1e-12)
    np.testing.assert_allclose(q[1:, 0], sigma ** 2 * m[:-1, 0], rtol=1e-12)
    np.testing.assert_allclose(delta_factor[:-1, 0], 1 + sigma ** 2, rtol=1e-12)
    assert np.isnan(stream_factor[-1, 0])


def test_the_residual_recursion_keeps_a_relu_branchs_mean_in_the_stream():
    # ReLU, q_1 = 1: E[φ] = 1/√(2π), E[φ²] = 1/2; with σ_w = √2 layer 2 has q_2 = 2 m_1 = 1 and adds
    # 2 μ_1 E[φ] + E[φ²] = 2/(2π) + 1/2
    from core.theory.residual import propagate_residual

    q, m, _, _ = propagate_residual("relu", np.sqrt(2.0), 0.0, 2, 1.0)
    assert m[0, 0] == pytest.approx(0.5, rel=1e-9) and q[1, 0] == pytest.approx(1.0, rel=1e-9)
    assert m[1, 0] == pytest.approx(0.5 + 1 / np.pi + 0.5, rel=1e-9)
