"""Every lesson preset's claim, checked on the records of its own configurations (real TensorFlow runs)."""
import numpy as np
import pytest

from core.config import RunConfig
from core.diagnosis import diagnose
from core.lessons.presets import BY_NAME, PRESETS, by_topic


@pytest.fixture
def records(preset_records):
    """records(name) -> the preset's records, trained once per test session on the shared trainer pool."""
    return preset_records


def first_over_last(record, metric, index=0):
    values = record.metric(metric)[index]
    return values[0] / values[-1]


def test_every_preset_is_a_valid_comparison_of_two_to_four_runs_on_the_same_data():
    assert len(PRESETS) >= 11 and len(BY_NAME) == len(PRESETS)
    for preset in PRESETS:
        assert 2 <= len(preset.runs) <= 4 and preset.look_for and preset.paper, preset.name
        # what Compare gives every run (ui/controls/lessons.py SHARED): the same data, batch and steps
        data = {(c.dataset, c.samples, c.noise, c.seed, c.batch_size, c.steps) for c in preset.configs}
        assert len(data) == 1, f"{preset.name} compares runs on different data or steps"
        for config in preset.configs:
            assert RunConfig.from_dict(config.to_dict()) == config
    assert sum(len(group) for group in by_topic().values()) == len(PRESETS)


def test_sigmoid_vanishes_below_one_percent_while_relu_with_he_does_not(records):
    sigmoid, relu = records("sigmoid_vs_relu")
    for step in range(len(sigmoid.steps)):
        assert first_over_last(sigmoid, "grad_norm", step) < 1e-2
    assert first_over_last(relu, "grad_norm") > 1e-2 and first_over_last(relu, "grad_norm", -1) > 1e-2
    assert diagnose(sigmoid)[0].kind == "vanishing"
    assert relu.loss[-1] < relu.loss[0] - 0.05, "ReLU with He learns"
    assert abs(sigmoid.loss[-1] - sigmoid.loss[0]) < 0.05, "the sigmoid barely moves"


def test_tanh_standard_init_shrinks_activations_and_back_propagated_signal_and_glorot_keeps_them(records):
    standard, glorot = records("tanh_standard_vs_glorot")
    std_standard, std_glorot = standard.metric("act_std")[0], glorot.metric("act_std")[0]
    assert std_standard[-1] < 0.05 * std_standard[0]
    assert std_glorot[-1] > 0.5 * std_glorot[0]
    assert first_over_last(standard, "delta_ms") < 1e-2
    assert 0.1 < first_over_last(glorot, "delta_ms") < 10


def test_thirty_relu_layers_with_glorot_lose_the_signal_and_do_not_train_while_he_trains(records):
    glorot, he = records("relu30_glorot_vs_he")
    assert len(glorot.layers) == 30
    # The second moment halves per layer: after 29 layers about 2^-29 of it (a std of ~2^-14.5) is left.
    assert glorot.metric("act_std")[0][-1] < 1e-3 * glorot.metric("act_std")[0][0]
    assert he.metric("act_std")[0][-1] > 0.05 * he.metric("act_std")[0][0]
    assert (he.metric("grad_norm")[0] > 1e3 * glorot.metric("grad_norm")[0]).all()
    assert abs(glorot.loss[-1] - glorot.loss[0]) < 0.01
    # He's net trains, noisily at this learning rate (its last steps wander with the platform's rounding):
    # over any 5 recorded steps in a row its loss falls well below where it started, Glorot's never moves.
    he_smoothed = np.convolve(he.loss, np.ones(5) / 5, mode="valid")
    glorot_smoothed = np.convolve(glorot.loss, np.ones(5) / 5, mode="valid")
    assert he_smoothed.min() < he.loss[0] - 0.05
    assert glorot_smoothed.min() > glorot.loss[0] - 0.01


def test_too_large_init_explodes_over_a_hundredfold_and_glorot_does_not(records):
    large, glorot = records("exploding_too_large_init")
    assert first_over_last(large, "grad_norm") > 100
    assert first_over_last(glorot, "grad_norm") < 10
    assert diagnose(large, 0)[0].kind == "exploding"
    assert large.metric("saturation")[0][1:].min() > 0.5, "the tanh units past layer 1 are mostly saturated"


def test_a_negative_bias_kills_whole_layers_and_a_too_large_learning_rate_kills_units_during_training(records):
    healthy, biased, fast = records("dying_relu")
    dead_biased = biased.metric("dead_fraction")
    assert (dead_biased[:, 1:] == 1.0).all(), "layers 2 to 6 are dead at every step"
    assert (biased.metric("grad_norm")[:, 1:] == 0).all(), "and receive exactly zero gradient"
    dead_fast = fast.metric("dead_fraction")
    assert (dead_fast[0] <= 0.25).all()
    assert (dead_fast[-1, 1:] > 0.6).all(), "big steps killed most units from layer 2 on"
    assert fast.status == "finished"
    dead_healthy = healthy.metric("dead_fraction")
    assert dead_healthy[-1].max() <= dead_healthy[0].max() + 0.1


def test_necro_relu_revives_dead_units_relu_does_not_and_leaky_relu_never_has_any(records):
    relu, necro, leaky = records("necro_leaky_relu")
    assert (relu.metric("dead_fraction")[:, 2:] == 1.0).all(), "ReLU's dead layers stay dead"
    necro_dead = necro.metric("dead_fraction")
    assert (necro_dead[0, 2:] == 1.0).all(), "NecroReLU starts as dead as ReLU (same forward pass)"
    assert necro_dead[-1].max() < 0.5
    assert necro.metric("sparsity")[-1].mean() > 0.3, "and stays sparse"
    assert (leaky.metric("dead_fraction") == 0).all()
    assert necro.loss[-1] < relu.loss[-1] - 0.2


def test_batch_norm_before_relu_cancels_a_negative_bias_and_keeps_every_unit_alive(records):
    plain, normalized = records("batchnorm_before_relu")
    assert (plain.metric("dead_fraction")[:, 1:] == 1.0).all()
    assert normalized.metric("dead_fraction").max() < 0.05
    assert normalized.loss[-1] < 0.5 * normalized.loss[0]


def test_dead_layers_stay_frozen_under_sgd_and_momentum_and_weight_decay_moves_them_by_lr_times_decay(records):
    sgd, momentum, decay = records("momentum_weight_decay_dead_units")
    ratio = lambda record: record.metric("update_ratio")[:-1, 1:]  # the last recorded step takes no update
    assert (ratio(sgd) == 0).all() and (ratio(momentum) == 0).all()
    config = BY_NAME["momentum_weight_decay_dead_units"].configs[2]
    # Decoupled weight decay with a zero gradient: W <- W - lr * decay * W, so ||dW|| / ||W|| = lr * decay.
    np.testing.assert_allclose(ratio(decay), config.learning_rate * config.weight_decay, rtol=1e-3)
    assert (decay.metric("dead_fraction")[:, 1:] == 1.0).all(), "shrinking the weights does not revive them"


def test_zero_init_never_moves_a_hidden_kernel_and_random_init_does(records):
    zeros, glorot = records("zero_init_symmetry")
    assert (zeros.metric("grad_norm") == 0).all()
    assert (zeros.metric("act_std")[:, :-1] == 0).all(), "every unit of a layer is identical (all 0)"
    assert (glorot.metric("grad_norm") > 0).all()
    assert max(zeros.accuracy[-10:]) < 0.6


def test_selu_keeps_every_layer_near_mean_zero_and_unit_variance_and_relu_does_not_centre(records):
    selu, relu = records("selu_self_normalizing")
    assert np.abs(selu.metric("act_mean")[0]).max() < 0.15
    assert (0.7 < selu.metric("act_std")[0]).all() and (selu.metric("act_std")[0] < 1.3).all()
    assert (relu.metric("act_mean")[0] > 0.1).all()


def test_float16_rounds_the_first_layers_gradient_to_exactly_zero_and_float32_keeps_it(records):
    single, half = records("float16_underflow")
    assert half.metric("grad_norm")[0][0] == 0 and single.metric("grad_norm")[0][0] > 0
    zeros_half = np.asarray(half.histograms["delta"]["zeros"][0])
    zeros_single = np.asarray(single.histograms["delta"]["zeros"][0])
    assert zeros_half[0] == 64 * 32, "every ∂loss/∂z of layer 1 in the batch is exactly 0 in float16"
    assert zeros_single[0] == 0


def test_skips_carry_a_deep_sigmoid_nets_gradient_to_layer_1_and_a_residual_tanh_net_learns_more(records):
    sigmoid, residual_sigmoid, tanh, residual_tanh = records("residual_vs_plain")
    assert first_over_last(sigmoid, "grad_norm") < 1e-20 and first_over_last(residual_sigmoid, "grad_norm") > 1e-2
    updated = slice(0, -1)  # the last recorded step is measured before an update it never makes (NaN)
    assert (sigmoid.metric("update_ratio")[updated, 0] == 0).all(), "the plain net's layer 1 never moves"
    assert np.median(residual_sigmoid.metric("update_ratio")[updated, 0]) > 1e-4
    assert residual_sigmoid.loss[0] > 10 * sigmoid.loss[0], "the stream grows: the residual sigmoid starts far off"
    assert diagnose(residual_sigmoid, 0)[0].kind == "growing_signal"
    assert residual_tanh.accuracy[-1] > tanh.accuracy[-1] + 0.1 and residual_tanh.loss[-1] < tanh.loss[-1]


def test_ten_times_more_steps_leave_a_deep_sigmoid_nets_first_layer_still_while_relu_he_learns_in_a_tenth(records):
    sigmoid, relu = records("more_steps_vs_better_architecture")
    assert sigmoid.steps[-1] == relu.steps[-1] == 1500
    ratio = lambda record: record.metric("update_ratio")[:-1, 0]  # layer 1; the last recorded step takes no update
    assert ratio(sigmoid).max() < 1e-6 and (ratio(sigmoid) == 0).all(), "below float32's resolution of the weights"
    late = lambda values: np.mean(values[-10:])  # the last ten recorded steps: each is one noisy minibatch
    assert abs(late(sigmoid.loss) - np.log(2)) < 0.02 and late(sigmoid.accuracy) < 0.55
    steps = np.asarray(relu.steps)
    tenth = (steps > 100) & (steps <= 150)  # the ReLU net's steps 110 to 150: a tenth of the sigmoid's
    assert np.median(relu.metric("update_ratio")[steps <= 150, 0]) > 1e-4
    # below chance's ln 2, where the sigmoid net stays; one minibatch's loss swings by ±0.2 here, and a CPU
    # whose kernels round differently moves the mean by 0.05 (0.654 on one machine, under 0.6 on another)
    assert np.mean(np.asarray(relu.loss)[tenth]) < np.log(2) - 0.03  # while the sigmoid net stays at ln 2 (above)
    # by step 1500 it has learned the spirals: how far below depends on the CPU (< 0.01 on one machine, 0.34 on
    # an AMD EPYC: a deep ReLU net at learning rate 0.1 is chaotic in its rounding), never at chance
    assert np.mean(np.asarray(relu.accuracy)[tenth]) > 0.62
    assert late(relu.loss) < late(sigmoid.loss) / 2 and late(relu.accuracy) > 0.8


def test_relu_starts_half_sparse_and_the_step_size_decides_how_sparse_it_ends_while_softplus_is_never_zero(records):
    slow, fast, softplus = records("relu_sparsity_after_training")
    for record in (slow, fast):
        start = record.metric("sparsity")[0]
        assert (0.45 <= start).all() and (start <= 0.65).all()
    end = lambda record: record.metric("sparsity")[-5:].mean()
    assert end(fast) > 0.6 and end(fast) > fast.metric("sparsity")[0].mean() + 0.08
    assert fast.metric("dead_fraction")[-1].max() > 0, "with some units dead"
    assert abs(end(slow) - slow.metric("sparsity")[0].mean()) < 0.05
    assert max(np.mean(slow.loss[-5:]), np.mean(fast.loss[-5:])) < 0.1, "both nets fit the spirals"
    assert (softplus.metric("sparsity") == 0).all()


def test_units_alive_on_part_of_the_batch_still_learn_and_units_dead_on_all_of_it_do_not(records):
    alive, dead = records("zero_gradient_still_learns")
    units = np.asarray(alive.histograms["units"]["counts"])[:, 0]  # layer 1, every unit (width 32)
    examples = alive.histograms["units"]["examples"]
    assert (units[0] > 0).all() and (units[0] < examples).all(), "each unit is 0 on some examples, on none for all"
    assert 0.4 < alive.metric("slope_zeros")[0, 0] < 0.6
    assert (alive.metric("update_ratio")[:-1, 0] > 0).all()
    assert np.mean(alive.loss[-5:]) < alive.loss[0] - 0.1
    assert (dead.metric("dead_fraction")[:, 1:] == 1).all() and (dead.metric("grad_norm")[:, 1:] == 0).all()
    assert (dead.metric("update_ratio")[:-1, 1:] == 0).all()
    assert abs(np.mean(dead.loss[-5:]) - np.log(2)) < 0.01
