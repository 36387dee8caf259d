"""Every update rule, step by step against torch.optim in float64, and the rules' contract.

These drive each rule's own readable init / probes / update; the simulation's fused backend
is tested against these rules bit for bit in test_fused.py.
"""
import dataclasses

import numpy as np
import pytest
from helpers import rule_path as drive, surface_gradient

from render import optimizers as opt
from render import surfaces

torch = pytest.importorskip("torch", reason="torch is the reference: pip install -e '.[test]'")
pytestmark = pytest.mark.usefixtures("torch_float64")    # (tensors made in a test are float64)

STEPS = 250
# Three surfaces of different character, each with a start that keeps every rule busy.
SURFACES = {
    "rosenbrock": (-1.5, 2.0),
    "beale": (1.0, 1.0),
    "himmelblau": (0.0, 0.0),
}

# (ours, torch class, torch keyword arguments): defaults and non-default hyperparameters.
CASES = [
    (opt.GD(lr=1e-3), torch.optim.SGD, dict(lr=1e-3)),
    (opt.GD(lr=2e-3, weight_decay=0.1), torch.optim.SGD, dict(lr=2e-3, weight_decay=0.1)),
    (opt.Momentum(lr=1e-3), torch.optim.SGD, dict(lr=1e-3, momentum=0.9)),
    (opt.Momentum(lr=1e-3, momentum=0.5, dampening=0.3, weight_decay=0.01), torch.optim.SGD,
     dict(lr=1e-3, momentum=0.5, dampening=0.3, weight_decay=0.01)),
    (opt.Adagrad(), torch.optim.Adagrad, dict()),
    (opt.Adagrad(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5, eps=1e-6, weight_decay=0.01),
     torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5, eps=1e-6,
                               weight_decay=0.01)),
    (opt.RMSprop(), torch.optim.RMSprop, dict()),
    (opt.RMSprop(lr=0.003, alpha=0.9, eps=1e-6, weight_decay=0.01), torch.optim.RMSprop,
     dict(lr=0.003, alpha=0.9, eps=1e-6, weight_decay=0.01)),
    (opt.RMSprop(lr=0.001, centered=True, momentum=0.5), torch.optim.RMSprop,
     dict(lr=0.001, centered=True, momentum=0.5)),
    (opt.RMSprop(lr=0.0005, alpha=0.95, centered=True, momentum=0.3), torch.optim.RMSprop,
     dict(lr=0.0005, alpha=0.95, centered=True, momentum=0.3)),
    (opt.RMSprop(lr=0.001, alpha=0.9, momentum=0.5), torch.optim.RMSprop,
     dict(lr=0.001, alpha=0.9, momentum=0.5)),
    (opt.Adadelta(), torch.optim.Adadelta, dict()),
    (opt.Adadelta(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01), torch.optim.Adadelta,
     dict(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.01)),
    (opt.Adam(lr=0.01), torch.optim.Adam, dict(lr=0.01)),
    (opt.Adam(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01), torch.optim.Adam,
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    (opt.Adam(lr=0.01, betas=(0.8, 0.99), amsgrad=True), torch.optim.Adam,
     dict(lr=0.01, betas=(0.8, 0.99), amsgrad=True)),
    (opt.Adamax(), torch.optim.Adamax, dict()),
    (opt.Adamax(lr=0.003, betas=(0.5, 0.9), weight_decay=0.01), torch.optim.Adamax,
     dict(lr=0.003, betas=(0.5, 0.9), weight_decay=0.01)),
    (opt.NAdam(), torch.optim.NAdam, dict()),
    (opt.NAdam(lr=0.01, betas=(0.8, 0.99), momentum_decay=0.01, weight_decay=0.01), torch.optim.NAdam,
     dict(lr=0.01, betas=(0.8, 0.99), momentum_decay=0.01, weight_decay=0.01)),
    (opt.AdamW(lr=0.01), torch.optim.AdamW, dict(lr=0.01)),
    (opt.AdamW(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), torch.optim.AdamW,
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    (opt.AdamW(lr=0.01, weight_decay=0.05, amsgrad=True), torch.optim.AdamW,
     dict(lr=0.01, weight_decay=0.05, amsgrad=True)),
    (opt.RAdam(lr=0.01), torch.optim.RAdam, dict(lr=0.01)),
    (opt.RAdam(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01), torch.optim.RAdam,
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    (opt.RAdam(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True), torch.optim.RAdam,
     dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True)),
    (opt.Rprop(lr=1e-3), torch.optim.Rprop, dict(lr=1e-3)),
    (opt.Rprop(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05)), torch.optim.Rprop,
     dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05))),
    (opt.Adafactor(lr=0.01), torch.optim.Adafactor, dict(lr=0.01)),
    (opt.Adafactor(lr=0.005, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0, weight_decay=0.01), torch.optim.Adafactor,
     dict(lr=0.005, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0, weight_decay=0.01)),
]
# Pairs not compared: Adafactor's default lr makes steps of fixed relative size that zigzag
# across Rosenbrock's narrow valley, where any difference doubles each step; torch adds its
# update with a fused multiply-add, one ulp from numpy's at step 20, 1e-3 apart by step 100.
# The same rule is compared on the two other surfaces and over many coordinates.
CHAOTIC = {("Adafactor(lr=0.01)", "rosenbrock")}


def torch_path(gradient, cls, kwargs, start, steps):
    """Positions of torch's optimizer on one parameter vector fed ``gradient``'s values."""
    x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = cls([x], **kwargs)
    path = [x.detach().numpy().copy()]
    for _ in range(steps):
        x.grad = torch.tensor(gradient(x.detach().numpy()))
        optimizer.step()
        path.append(x.detach().numpy().copy())
    return np.array(path)


def rule_path(surface, rule, start, steps):
    """Positions (steps + 1, 2) and states of one run of our rule."""
    path, states = drive(surface_gradient(surface), rule, [start], steps)
    return path[:, 0], states


def assert_same_path(ours, theirs):
    # Rounding may differ in the last bit per step (torch.lerp versus a multiply-add);
    # anything beyond a few hundred ulps over the run is a different rule.
    scale = np.maximum(1.0, np.abs(theirs))
    worst = np.max(np.abs(ours - theirs) / scale)
    assert worst < 1e-12, f"largest relative deviation from torch: {worst:.3g}"


@pytest.mark.parametrize("surface_name,ours,cls,kwargs",
                         [(name, *case) for case in CASES for name in SURFACES
                          if (case[0].describe(), name) not in CHAOTIC],
                         ids=lambda v: v.describe() if isinstance(v, opt.Optimizer) else
                         v if isinstance(v, str) else "")
def test_positions_equal_torch(surface_name, ours, cls, kwargs):
    surface = surfaces.get(surface_name)
    start = SURFACES[surface_name]
    theirs = torch_path(surface_gradient(surface), cls, kwargs, start, STEPS)
    assert np.all(np.isfinite(theirs)), "the case must stay finite to be a comparison"
    assert np.max(np.abs(theirs[-1] - theirs[0])) > 1e-3, "the case must move"
    assert_same_path(rule_path(surface, ours, start, STEPS)[0], theirs)


def lion_reference(gradient, start, steps, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
    """Lion written from its paper's three lines, one coordinate at a time in Python floats."""
    x, m = [float(v) for v in start], [0.0] * len(start)
    path = [list(x)]
    sign = lambda v: (v > 0) - (v < 0)
    for _ in range(steps):
        g = [float(v) for v in gradient(np.array(x))]
        for i in range(len(x)):
            c = betas[0] * m[i] + (1 - betas[0]) * g[i]
            x[i] = x[i] - lr * (sign(c) + weight_decay * x[i])
            m[i] = betas[1] * m[i] + (1 - betas[1]) * g[i]
        path.append(list(x))
    return np.array(path)


@pytest.mark.parametrize("surface_name", SURFACES)
@pytest.mark.parametrize("kwargs", [dict(), dict(lr=3e-3), dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1)],
                         ids=["defaults", "lr", "all"])
def test_lion_equals_its_paper(surface_name, kwargs):
    surface = surfaces.get(surface_name)
    start = SURFACES[surface_name]
    theirs = lion_reference(surface_gradient(surface), start, STEPS, **kwargs)
    ours = rule_path(surface, opt.Lion(**kwargs), start, STEPS)[0]
    assert np.max(np.abs(theirs[-1] - theirs[0])) > 0.02
    assert_same_path(ours, theirs)
    steps = np.abs(np.diff(ours, axis=0))
    if not kwargs.get("weight_decay"):             # a sign step: every coordinate moves by lr
        np.testing.assert_allclose(steps[steps > 0], kwargs.get("lr", 1e-4), rtol=1e-9)


def coupled(p):
    """The gradient of sum_i x_i^2 - x_i x_{i+1} / 2 - cos(x_i) / 2 + x_i / 4 over the last
    axis: coupled coordinates, not a quadratic, mild enough for every default."""
    g = 2 * p + 0.5 * np.sin(p) + 0.25
    g[..., :-1] -= 0.5 * p[..., 1:]
    g[..., 1:] -= 0.5 * p[..., :-1]
    return g


@pytest.mark.parametrize("ours,cls,kwargs", CASES, ids=[c[0].describe() for c in CASES])
def test_rules_work_over_many_runs_of_many_coordinates(ours, cls, kwargs):
    # Three runs of a 5-parameter problem in one array, each row equal to torch on its own.
    starts = np.array([[-1.2, 1.0, 0.5, -0.5, 0.8], [0.3, -0.7, 1.1, 0.9, -1.0], [1.5, 1.5, -1.5, 0.2, -1.3]])
    path, _ = drive(coupled, ours, starts, 100)
    assert path.shape == (101, 3, 5)
    for run, start in enumerate(starts):
        theirs = torch_path(coupled, cls, kwargs, start, 100)
        assert np.max(np.abs(theirs[-1] - start)) > 1e-4, "the case must move"
        assert_same_path(path[:, run], theirs)


@pytest.mark.parametrize("surface_name", SURFACES)
@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_nesterov_lookahead_points_equal_torch(surface_name, momentum):
    surface = surfaces.get(surface_name)
    start = SURFACES[surface_name]
    rule = opt.Nesterov(lr=1e-3, momentum=momentum)
    path, states = rule_path(surface, rule, start, STEPS)
    velocity = np.array([s.velocity[0] for s in states])
    theirs = torch_path(surface_gradient(surface), torch.optim.SGD,
                        dict(lr=1e-3, momentum=momentum, nesterov=True), start, STEPS)
    assert_same_path(path - momentum * velocity, theirs)
    # ... while the rule itself reports the classical iterates x_t.
    assert np.max(np.abs(path - theirs)) > 1e-6


def test_nesterov_is_the_classical_look_ahead_rule():
    surface = surfaces.get("beale")
    lr, mu = 1e-3, 0.9
    x, v = np.array([1.0, 1.0]), np.zeros(2)
    expected = [x]
    for _ in range(100):
        v = mu * v + lr * np.array(surface.gradient(*(x - mu * v)))
        x = x - v
        expected.append(x)
    np.testing.assert_allclose(rule_path(surface, opt.Nesterov(lr=lr, momentum=mu), (1.0, 1.0), 100)[0],
                               np.array(expected), rtol=1e-14, atol=0)


def test_smoothed_nesterov_averages_gradients_along_the_step():
    surface = surfaces.get("himmelblau")
    lr, mu, points = 1e-3, 0.9, 3
    x, v = np.array([0.0, 0.0]), np.zeros(2)
    expected = [x]
    for _ in range(STEPS):
        grads = [np.array(surface.gradient(*(x - k / points * mu * v))) for k in (1, 2, 3)]
        v = mu * v + lr * sum(grads) / points
        x = x - v
        expected.append(x)
    ours = rule_path(surface, opt.SmoothedNesterov(lr=lr, momentum=mu, points=points), (0, 0), STEPS)[0]
    np.testing.assert_allclose(ours, np.array(expected), rtol=1e-12, atol=1e-15)
    # With one point it is plain Nesterov, bit for bit.
    np.testing.assert_array_equal(
        rule_path(surface, opt.SmoothedNesterov(lr=lr, momentum=mu, points=1), (0, 0), 50)[0],
        rule_path(surface, opt.Nesterov(lr=lr, momentum=mu), (0, 0), 50)[0])


def test_adadelta_initial_delta_starts_the_update_accumulator():
    surface = surfaces.get("quadratic")
    lr, rho, eps, u0 = 1.0, 0.9, 1e-6, 0.5
    x, s, u = np.array([2.0, -1.0]), np.zeros(2), np.full(2, u0)
    expected = [x]
    for _ in range(50):
        g = np.array(surface.gradient(*x))
        s = rho * s + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        x = x - lr * delta
        expected.append(x)
    ours = rule_path(surface, opt.Adadelta(lr=lr, rho=rho, eps=eps, initial_delta=u0), (2, -1), 50)[0]
    np.testing.assert_allclose(ours, np.array(expected), rtol=1e-14)
    # A big start takes far bolder first steps than torch's zero start.
    timid = rule_path(surface, opt.Adadelta(), (2, -1), 1)[0]
    assert np.linalg.norm(ours[1] - ours[0]) > 100 * np.linalg.norm(timid[1] - timid[0])


# --- the notebook's learning-rate regimes on a x^2 + b y^2 -----------------------------------

def simulate(surface, rule, start, steps):
    return rule_path(surface, rule, start, steps)[0]


def test_gd_lr_half_lands_on_the_minimum_in_one_step():
    path = simulate(surfaces.Quadratic(a=1, b=1), opt.GD(lr=0.5), (-1.7, 4.0), 5)
    np.testing.assert_array_equal(path[1:], np.zeros((5, 2)))


def test_gd_lr_one_oscillates_between_two_points():
    start = np.array([-1.5, 4.0])
    path = simulate(surfaces.Quadratic(a=1, b=1), opt.GD(lr=1.0), start, 100)
    signs = np.where(np.arange(101) % 2 == 0, 1.0, -1.0)[:, None]
    np.testing.assert_array_equal(path, signs * start)


def test_gd_lr_just_over_one_diverges():
    surface = surfaces.Quadratic(a=1, b=1)
    path = simulate(surface, opt.GD(lr=1.01), (-3.0, 4.5), 10)
    # Each step multiplies the position by 1 - 2 * 1.01 = -1.02.
    np.testing.assert_allclose(path[10], (-1.02) ** 10 * np.array([-3.0, 4.5]), rtol=1e-13)
    from render.trajectories import simulate_runs, DIVERGENCE_LIMIT
    trajectories = simulate_runs(surface, [opt.GD(lr=1.01)], [(-3.0, 4.5)], 2000)
    expected = next(t for t in range(2001) if 4.5 * 1.02 ** t > DIVERGENCE_LIMIT)
    assert abs(trajectories.diverged_at[0] - expected) <= 1


def test_gd_learning_rate_regimes_scale_with_curvature():
    # On a x^2 one step lands at lr = 1/(2a) and oscillation starts at 1/a, so anisotropy
    # puts the steep direction into a regime the shallow one has not reached.
    surface = surfaces.Quadratic(a=4, b=1)
    path = simulate(surface, opt.GD(lr=0.125), (1.0, 1.0), 3)
    np.testing.assert_array_equal(path[1:, 0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(path[1:, 1], [0.75, 0.5625, 0.421875])
    path = simulate(surface, opt.GD(lr=0.25), (1.0, 1.0), 2)
    np.testing.assert_array_equal(path[:, 0], [1.0, -1.0, 1.0])
    np.testing.assert_allclose(path[1:, 1], [0.5, 0.25])


# --- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize("make,field,valid", [
    (lambda: opt.GD(lr=0), "lr", "(0, inf)"),
    (lambda: opt.Adam(lr=-1e-3), "lr", "(0, inf)"),
    (lambda: opt.Adam(betas=(0.9, 1.0)), "betas[1]", "[0, 1)"),
    (lambda: opt.Adam(betas=(-0.1, 0.9)), "betas[0]", "[0, 1)"),
    (lambda: opt.NAdam(betas=(0.9,)), "betas", "pair"),
    (lambda: opt.RMSprop(eps=0), "eps", "(0, inf)"),
    (lambda: opt.Adagrad(eps=-1e-10), "eps", "(0, inf)"),
    (lambda: opt.Momentum(momentum=1.0), "momentum", "[0, 1)"),
    (lambda: opt.Adadelta(rho=1.5), "rho", "[0, 1]"),
    (lambda: opt.RMSprop(alpha=1.0), "alpha", "[0, 1)"),
    (lambda: opt.GD(lr=0.1, noise=-1), "noise", "[0, inf)"),
    (lambda: opt.GD(lr=float("nan")), "lr", "finite"),
    (lambda: opt.GD(lr="fast"), "lr", "number"),
    (lambda: opt.Adam(amsgrad="yes"), "amsgrad", "True or False"),
    (lambda: opt.SmoothedNesterov(points=0), "points", "[1, 64]"),
])
def test_invalid_hyperparameters_name_the_field_and_range(make, field, valid):
    with pytest.raises(ValueError) as error:
        make()
    assert field in str(error.value)
    assert valid in str(error.value)


def test_unknown_hyperparameter_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Adam: unknown hyperparameter 'beta1'; valid ones are "
                                         r"lr, betas, eps, weight_decay, amsgrad, noise"):
        opt.Adam(beta1=0.9)
    with pytest.raises(ValueError, match="only lr may be given by position"):
        opt.Momentum(0.1, 0.9)


def test_defaults_follow_torch():
    for ours, cls in [(opt.GD(), torch.optim.SGD), (opt.Adagrad(), torch.optim.Adagrad),
                      (opt.RMSprop(), torch.optim.RMSprop), (opt.Adadelta(), torch.optim.Adadelta),
                      (opt.Adam(), torch.optim.Adam), (opt.Adamax(), torch.optim.Adamax),
                      (opt.NAdam(), torch.optim.NAdam)]:
        x = torch.zeros(2, requires_grad=True)
        defaults = cls([x]).defaults
        for name, value in ours.hyperparameters().items():
            if name in defaults and name != "lr" or (name == "lr" and cls is not torch.optim.SGD):
                assert defaults[name] == value, f"{ours.name}.{name}"


def test_describe_names_the_non_default_hyperparameters():
    assert opt.Adam(lr=0.1).describe() == "Adam(lr=0.1)"
    assert opt.Momentum(lr=0.1, momentum=0.2).describe() == "Momentum(lr=0.1, momentum=0.2)"
    assert opt.Adam(lr=0.1, betas=(0.8, 0.99), amsgrad=True).describe() == \
        "Adam(lr=0.1, betas=(0.8, 0.99), amsgrad=True)"
    assert opt.RMSprop().describe() == "RMSprop(lr=0.01)"
    assert opt.GD(lr=0.1, noise=0.5).describe() == "GD(lr=0.1, noise=0.5)"


def test_optimizers_are_frozen_values():
    a = opt.Adam(lr=0.1)
    assert a == opt.Adam(lr=0.1) and hash(a) == hash(opt.Adam(lr=0.1)) and a != opt.Adam(lr=0.2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.lr = 0.2
    assert a.lr == 0.1


def test_state_is_printable_data():
    rule = opt.Adam(lr=0.1)
    state = rule.init(np.zeros((3, 2)))
    assert state.count == 0 and state.exp_avg.shape == (3, 2) and state.exp_avg_sq.shape == (3, 2)
    assert repr(state).startswith("AdamState(count=0, exp_avg=array(")
    _, state = rule.update(np.ones((1, 3, 2)), state, np.zeros((3, 2)))
    np.testing.assert_allclose(state.exp_avg, 0.1)        # (1 - beta1) * g
    assert state.count == 1


def test_optimizers_have_no_step_shortcut_and_every_public_name_describes_itself():
    assert not hasattr(opt.Optimizer, "step")
    # (Torch: any torch.optim class, which names itself by that class: tests/test_torch_optimizer.py)
    assert set(opt.__all__) == {"Optimizer", "ALL", "Torch"} | {c.__name__ for c in opt.ALL}
    for cls in opt.ALL:
        assert cls().describe().startswith(f"{cls.__name__}(lr=")
