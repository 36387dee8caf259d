"""The fused backend gives the readable rules' results bit for bit, however runs are stacked."""
import numpy as np
import pytest
from helpers import rule_path, surface_gradient

from render import _fused, optimizers as opt, surfaces
from render.trajectories import simulate_runs

SURFACE = surfaces.get("himmelblau")
STEPS = 400        # past the step where beta1 = 0.9's bias correction settles (356)

# Every rule of the shared arithmetic, with non-default values of each coefficient.
MOMENT_RULES = [
    opt.GD(lr=1e-3), opt.GD(lr=2e-3, weight_decay=0.1),
    opt.Momentum(lr=1e-3), opt.Momentum(lr=1e-3, momentum=0.5, dampening=0.3, weight_decay=0.01),
    opt.Nesterov(lr=1e-3), opt.Nesterov(lr=5e-4, momentum=0.5),
    opt.Adagrad(lr=0.3), opt.Adagrad(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5, eps=1e-6,
                                     weight_decay=0.01),
    opt.RMSprop(lr=0.01), opt.RMSprop(lr=0.003, alpha=0.9, eps=1e-6, weight_decay=0.01),
    opt.Adam(lr=0.02), opt.Adam(lr=0.05, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.01),
    opt.Adam(lr=0.01, betas=(0.95, 0.99)),
]
OTHER_RULES = [
    opt.SmoothedNesterov(lr=1e-3, points=3), opt.Adadelta(), opt.Adadelta(lr=0.5, initial_delta=0.1),
    opt.Adam(lr=0.01, amsgrad=True), opt.Adamax(lr=0.01), opt.Adamax(lr=0.02, betas=(0.8, 0.99)),
    opt.NAdam(lr=0.01), opt.RMSprop(lr=0.01, centered=True), opt.RMSprop(lr=0.001, momentum=0.5),
    opt.AdamW(lr=0.02), opt.AdamW(lr=0.01, weight_decay=0.1, amsgrad=True), opt.RAdam(lr=0.02),
    opt.RAdam(lr=0.02, weight_decay=0.05, decoupled_weight_decay=True), opt.Rprop(lr=1e-3),
    opt.Rprop(lr=0.01, etas=(0.3, 1.5)), opt.Adafactor(lr=0.01), opt.Adafactor(lr=0.02, weight_decay=0.01),
    opt.Lion(lr=1e-3), opt.Lion(lr=3e-3, weight_decay=0.1),
]


def starts(n):
    """n starts spread over [-3, 3] x [-2.5, 2.5], where every rule here stays finite."""
    return [(6.0 * i / max(n - 1, 1) - 3.0, 2.5 - 5.0 * i / max(n - 1, 1)) for i in range(n)]


def alone(rule, start, steps=STEPS):
    return rule_path(surface_gradient(SURFACE), rule, [start], steps)[0][:, 0]


@pytest.mark.parametrize("rule", MOMENT_RULES + OTHER_RULES, ids=lambda r: r.describe())
def test_each_rule_alone_equals_its_readable_form(rule):
    start = (0.5, -1.5)
    fused = simulate_runs(SURFACE, [rule], [start], STEPS).positions[0]
    np.testing.assert_array_equal(fused, alone(rule, start))
    assert np.max(np.abs(fused[-1] - fused[0])) > 1e-3


def test_a_mixed_race_stacked_in_one_array_equals_each_rule_alone():
    rules = MOMENT_RULES + OTHER_RULES
    assert len({_fused.group_key(r) for r in MOMENT_RULES}) == 1       # one array for these
    together = simulate_runs(SURFACE, rules, starts(len(rules)), STEPS).positions
    for i, (rule, start) in enumerate(zip(rules, starts(len(rules)))):
        np.testing.assert_array_equal(together[i], alone(rule, start), err_msg=rule.describe())


def test_runs_of_one_rule_with_different_values_stack_as_columns():
    for make in (opt.Adamax, opt.Adafactor, opt.Lion, opt.Rprop, opt.RAdam):
        rules = [make(lr=lr) for lr in (0.01, 0.02, 0.005)]
        stacked = _fused.stack(rules, dims=2)
        assert type(stacked) is make and stacked.lr.shape == (3, 2)
        together = simulate_runs(SURFACE, rules, starts(3), STEPS).positions
        for i, rule in enumerate(rules):
            np.testing.assert_array_equal(together[i], alone(rule, starts(3)[i]), err_msg=rule.describe())


def test_values_that_enter_a_power_split_a_stack():
    # numpy's power on arrays may round differently from Python's on scalars.
    assert _fused.group_key(opt.Adamax(betas=(0.9, 0.99))) != _fused.group_key(opt.Adamax(betas=(0.8, 0.99)))
    assert _fused.group_key(opt.Adamax(lr=0.1)) == _fused.group_key(opt.Adamax(lr=0.2))
    with pytest.raises(ValueError, match="must share a group key"):
        _fused.stack([opt.Adamax(), opt.NAdam()], dims=2)


def test_powers_of_a_column_are_pythons_powers_of_each_value():
    betas = np.repeat(np.array([[0.9], [0.999], [0.9], [0.99]]), 2, axis=1)
    powers = _fused._Powers(betas)
    for t in (1, 7, 23, 300):
        got = powers(lambda b: 1 - b ** t)
        assert got.shape == (4, 1)
        assert got[:, 0].tolist() == [1 - b ** t for b in (0.9, 0.999, 0.9, 0.99)]
    assert _fused._Powers(0.9)(lambda b: b ** 3) == 0.9 ** 3


def test_parameters_of_any_dimension_stack():
    rules = [opt.Adam(lr=0.1), opt.GD(lr=0.05), opt.Nesterov(lr=0.05)]
    params = np.arange(15, dtype=float).reshape(3, 5) / 10
    grads = np.cos(params)[None]
    kernel = _fused.stack(rules, dims=5)
    updates, _ = kernel.update(grads, kernel.init(params), params)
    for i, rule in enumerate(rules):
        expected, _ = rule.update(grads[:, i:i + 1], rule.init(params[i:i + 1]), params[i:i + 1])
        np.testing.assert_array_equal(updates[i], expected[0])


def test_bias_correction_is_skipped_only_once_it_is_exactly_one():
    for beta in (0.5, 0.9, 0.99, 0.999):
        t = _fused._settled(beta)
        assert 1 - beta ** t == 1.0 and 1 - beta ** (t - 1) != 1.0
    assert _fused._settled(np.array([0.0, 0.9])) == _fused._settled(0.9)
    assert _fused._settled(0.0) == 1
