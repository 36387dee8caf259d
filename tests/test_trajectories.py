"""Simulation: all runs together equal each run alone; divergence; seeded noise; read-only
results."""
import numpy as np
import pytest

from render import Run, Scene, optimizers as opt, surfaces
from render.trajectories import DIVERGENCE_LIMIT, simulate, simulate_runs

MIXED = [
    opt.GD(lr=1e-3), opt.GD(lr=2e-3), opt.Momentum(lr=1e-3, momentum=0.8),
    opt.Nesterov(lr=1e-3), opt.RMSprop(lr=0.01), opt.Adam(lr=0.02), opt.Adam(lr=0.05, betas=(0.8, 0.9)),
    opt.Adagrad(lr=0.3, lr_decay=0.01), opt.Adam(lr=0.01, amsgrad=True), opt.Adadelta(),
    opt.Adamax(lr=0.01), opt.NAdam(lr=0.01), opt.SmoothedNesterov(lr=1e-3, points=3),
    opt.RMSprop(lr=0.01, centered=True), opt.Momentum(lr=5e-4, dampening=0.5),
]


def test_scene_simulate_equals_each_run_alone_bit_for_bit():
    surface = surfaces.get("himmelblau")
    starts = [(0.5 * i - 3, 2.0 - 0.3 * i) for i in range(len(MIXED))]
    together = Scene(surface, [Run(o, s) for o, s in zip(MIXED, starts)], 300).simulate()
    for i, (o, s) in enumerate(zip(MIXED, starts)):
        np.testing.assert_array_equal(together.positions[i], simulate(surface, o, s, 300),
                                      err_msg=o.describe())


def test_trajectories_hold_losses_and_gradients_at_each_position():
    surface = surfaces.get("rosenbrock")
    t = Scene(surface, [Run(opt.Adam(lr=0.05), (-1.5, 2.0)), Run(opt.GD(lr=1e-3), (0, 0))], 40).simulate()
    assert t.positions.shape == (2, 41, 2) and t.losses.shape == (2, 41)
    assert t.gradients.shape == (2, 41, 2) and t.runs == 2 and t.steps == 40
    np.testing.assert_array_equal(t.positions[:, 0], [(-1.5, 2.0), (0, 0)])
    x, y = t.positions[..., 0], t.positions[..., 1]
    np.testing.assert_array_equal(t.losses, surface(x, y))
    np.testing.assert_array_equal(t.gradients, np.stack(surface.gradient(x, y), axis=-1))
    np.testing.assert_array_equal(t.diverged_at, [-1, -1])
    # The loss falls from the wall into the banana valley, never rising above the start.
    assert t.losses[0, -1] < 0.5 * t.losses[0, 0] and np.all(t.losses[0] <= t.losses[0, 0])


def test_a_diverging_run_is_marked_and_padded_without_disturbing_the_others():
    surface = surfaces.get("quadratic")
    runs = [Run(opt.GD(lr=0.1), (-2, 4)), Run(opt.GD(lr=1.5), (-2, 4)), Run(opt.Adam(lr=0.1), (1, 1))]
    t = Scene(surface, runs, 100).simulate()
    # lr 1.5 doubles |x| each step: 4 * 2^k first exceeds the limit at k = 38.
    k = next(k for k in range(100) if 4 * 2.0 ** k > DIVERGENCE_LIMIT)
    assert t.diverged_at.tolist() == [-1, k, -1]
    assert np.all(np.isfinite(t.positions[1, :k])) and np.all(np.isnan(t.positions[1, k:]))
    assert np.all(np.isnan(t.losses[1, k:])) and np.all(np.isnan(t.gradients[1, k:]))
    np.testing.assert_array_equal(t.positions[0], simulate(surface, opt.GD(lr=0.1), (-2, 4), 100))


def test_overflow_to_infinity_is_divergence_not_an_error():
    surface = surfaces.get("monkey_saddle")
    t = simulate_runs(surface, [opt.GD(lr=0.5)], [(3.0, 0.1)], 60)
    k = t.diverged_at[0]
    assert 0 < k < 60
    assert np.all(np.isnan(t.positions[0, k:])) and np.all(np.isfinite(t.positions[0, :k]))


def test_noise_is_seeded_reproducible_and_per_run():
    surface = surfaces.get("bowl")
    noisy = opt.GD(lr=0.05, noise=1.0)
    a = simulate(surface, noisy, (3, 3), 200, seed=7)
    b = simulate(surface, noisy, (3, 3), 200, seed=7)
    c = simulate(surface, noisy, (3, 3), 200, seed=8)
    np.testing.assert_array_equal(a, b)
    assert np.max(np.abs(a - c)) > 0.01
    # A run's noise does not depend on the other runs of the scene.
    alone = Scene(surface, [Run(noisy, (3, 3))], 200, seed=7).simulate()
    crowded = Scene(surface, [Run(noisy, (3, 3)), Run(opt.Adam(lr=0.1, noise=2.0), (1, 1)),
                              Run(opt.GD(lr=0.1), (0, 1))], 200, seed=7).simulate()
    np.testing.assert_array_equal(alone.positions[0], crowded.positions[0])
    np.testing.assert_array_equal(alone.positions[0], a)


def test_noise_has_the_requested_spread():
    flat = surfaces.Function(lambda x, y: 0 * x + 0 * y)
    sigma, lr, steps = 0.5, 0.1, 20_000
    path = simulate(flat, opt.GD(lr=lr, noise=sigma), (0, 0), steps, seed=1)
    moves = np.diff(path, axis=0) / lr          # each move is -noise
    assert np.std(moves) == pytest.approx(sigma, rel=0.02)
    assert abs(np.mean(moves)) < 4 * sigma / np.sqrt(2 * steps)
    # Noise draws come in blocks; the stream must not depend on where a block starts.
    np.testing.assert_array_equal(path[:1500], simulate(flat, opt.GD(lr=lr, noise=sigma), (0, 0), 1499, seed=1))


def test_trajectories_are_read_only_and_a_write_changes_nothing():
    scene = Scene("rosenbrock", [Run(opt.Adam(lr=0.05), (-1.5, 2.0)), Run(opt.GD(lr=2e-2), (0, 0))], 30)
    t = scene.simulate()
    before = {name: getattr(t, name).copy() for name in ("positions", "losses", "gradients", "diverged_at")}
    writes = [lambda: t.positions.__setitem__((0, 5, 0), 99.0), lambda: t.losses.fill(0.0),
              lambda: t.gradients.__setitem__(Ellipsis, 1.0), lambda: t.diverged_at.__setitem__(0, 3),
              lambda: np.add(t.positions, 1.0, out=t.positions)]
    for write in writes:
        with pytest.raises(ValueError, match="read-only"):
            write()
    for name, values in before.items():
        np.testing.assert_array_equal(getattr(t, name), values)
    again = scene.simulate()
    assert again.positions is not t.positions                          # no cache to share
    np.testing.assert_array_equal(again.positions, before["positions"])
    assert t.diverged_at.tolist() == [-1, 11]            # GD at lr 0.02 leaves the window


def test_zero_steps_and_bad_arguments():
    t = simulate_runs(surfaces.get("bowl"), [opt.GD()], [(1, 2)], 0)
    assert t.positions.shape == (1, 1, 2)
    with pytest.raises(ValueError, match="2 optimizers but 1 starts"):
        simulate_runs(surfaces.get("bowl"), [opt.GD(), opt.GD()], [(1, 2)], 5)


def test_scene_validates_its_fields():
    run = Run(opt.GD(lr=0.1), (1, 1))
    with pytest.raises(ValueError, match="unknown surface 'rosenbrok'; did you mean 'rosenbrock'"):
        Scene("rosenbrok", [run], 10)
    with pytest.raises(ValueError, match="Scene: steps must be a whole number"):
        Scene("bowl", [run], 10.5)
    with pytest.raises(ValueError, match="Scene: runs must hold at least one Run"):
        Scene("bowl", [], 10)
    with pytest.raises(ValueError, match=r"Scene: runs\[1\] must be a Run"):
        Scene("bowl", [run, opt.GD()], 10)
    with pytest.raises(ValueError, match="Run: start must be finite"):
        Run(opt.GD(), (float("nan"), 1))
    with pytest.raises(ValueError, match="Run: optimizer must be an optimizer"):
        Run("adam", (0, 1))
    assert Scene("bowl", [run], 10).surface.name == "bowl"


def test_a_scheduled_rule_is_a_value_that_no_step_changes(monkeypatch):
    # Each step's rates go into a copy of the stacked rule made for that step: the rule the
    # simulation was given, and the scene's optimizers, are as they were.
    from render import _fused, schedules, trajectories
    stacked = []
    real = _fused.stack
    monkeypatch.setattr(_fused, "stack", lambda *a, **k: stacked.append(real(*a, **k)) or stacked[-1])
    momentum = opt.Momentum(lr=0.01, momentum=0.9)
    runs = [momentum, opt.Adam(lr=0.02)]
    cycle = [schedules.OneCycleLR(max_lr=0.002, total_steps=30), schedules.StepLR(step_size=5, gamma=0.5)]
    before = [(vars(r).copy()) for r in runs]
    paths = trajectories.simulate_runs(surfaces.get("rosenbrock"), runs, [(-1.5, 2.0), (-1.5, 2.0)], 30,
                                       schedules=cycle)
    assert [vars(r) for r in runs] == before
    assert len(stacked) == 2
    firsts = sorted(float(np.ravel(rule.lr)[0]) for rule in stacked)
    assert firsts == [0.01, 0.02]                    # the lr they were built with, not step 30's
    assert np.isfinite(paths.positions).all() and not np.allclose(paths.positions[0, -1], (-1.5, 2.0))
