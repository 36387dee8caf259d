"""opt.Torch: any torch.optim optimizer as a run's optimizer, on surfaces and models, with
schedules, tuned values and noise, in float64."""
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from render import Run, Scene, optimizers as opt, schedules, surfaces, tuned
from render.cli import main

torch = pytest.importorskip("torch", reason="opt.Torch is checked against torch: pip install -e '.[test]'")


class SignDescent(torch.optim.Optimizer):
    """A rule defined here: x <- x - lr * sign(grad)."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                p -= group["lr"] * torch.sign(p.grad)


def paths(runs, surface="rosenbrock", steps=120, **scene):
    return Scene(surface, runs, steps, trim=False, **scene).simulate()


@pytest.mark.parametrize("ours,theirs", [
    (opt.Adam(lr=0.05), opt.Torch(torch.optim.Adam, lr=0.05)),
    (opt.Momentum(lr=1e-3, momentum=0.9, dampening=0.1), opt.Torch(torch.optim.SGD, lr=1e-3, momentum=0.9,
                                                                    dampening=0.1)),
    (opt.RMSprop(lr=0.01, alpha=0.9, centered=True), opt.Torch(torch.optim.RMSprop, lr=0.01, alpha=0.9,
                                                                centered=True)),
], ids=["adam", "momentum", "rmsprop-centered"])
def test_a_torch_optimizer_takes_the_path_of_the_same_rule_on_a_surface(ours, theirs):
    starts = [(-1.5, 2.0), (1.2, -0.4)]
    a = paths([Run(ours, s) for s in starts])
    b = paths([Run(theirs, s) for s in starts])
    assert np.isfinite(a.positions).all() and not np.allclose(a.positions[:, -1], a.positions[:, 0])
    np.testing.assert_allclose(b.positions, a.positions, rtol=0, atol=1e-10)


def test_a_torch_optimizer_takes_the_path_of_the_same_rule_on_a_model():
    model = surfaces.Model(lambda P: np.sum((P - [1.0, -2.0, 0.5]) ** 2 * [1.0, 4.0, 9.0], axis=-1),
                           init=[0.0, 0.0, 0.0])
    a = Scene(model, [Run(opt.Adam(lr=0.1, amsgrad=True), model.init)], 60).simulate()
    b = Scene(model, [Run(opt.Torch(torch.optim.Adam, lr=0.1, amsgrad=True), model.init)], 60).simulate()
    assert a.positions.shape == (1, 61, 3)
    np.testing.assert_allclose(b.positions, a.positions, rtol=0, atol=1e-10)


def test_an_optimizer_class_defined_here_takes_the_path_its_rule_implies():
    surface = surfaces.Function(lambda x, y: x * x + 3 * y * y, window=(-2, 2, -2, 2))
    got = Scene(surface, [Run(opt.Torch(SignDescent, lr=0.25), (1.1, -0.6))], 6).simulate().positions[0]
    x, y, want = 1.1, -0.6, [(1.1, -0.6)]
    for _ in range(6):
        x, y = x - 0.25 * np.sign(2 * x), y - 0.25 * np.sign(6 * y)
        want.append((x, y))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)


def test_a_schedule_tuned_values_and_noise_work_as_for_the_built_in_rules():
    step = schedules.StepLR(step_size=10, gamma=0.5)
    a = paths([Run(opt.Momentum(lr=1e-3, momentum=0.9, noise=0.5), (-1.5, 2.0), schedule=step),
               Run(opt.Adam(lr=tuned(1e-3, 0.3, n=5)), (1.0, -0.5))], seed=3)
    b = paths([Run(opt.Torch(torch.optim.SGD, lr=1e-3, momentum=0.9, noise=0.5), (-1.5, 2.0), schedule=step),
               Run(opt.Torch(torch.optim.Adam, lr=tuned(1e-3, 0.3, n=5)), (1.0, -0.5))], seed=3)
    np.testing.assert_allclose(b.positions, a.positions, rtol=0, atol=1e-10)
    race = Scene("rosenbrock", [Run(opt.Torch(torch.optim.Adam, lr=tuned(1e-3, 0.3, n=5)), (1.0, -0.5))], 120)
    (search,) = race.search()[1]
    assert search.names == ("lr",) and search.values.shape == (5, 1)
    assert race.resolved().runs[0].optimizer.lr == search.best["lr"]


def test_its_name_is_the_class_with_the_hyperparameters_given():
    run = Run(opt.Torch(torch.optim.SGD, lr=0.01, momentum=0.9, nesterov=True), (0, 0))
    assert run.name == "SGD(lr=0.01, momentum=0.9, nesterov=True)"
    assert Run(opt.Torch(SignDescent, lr=0.25), (0, 0)).name == "SignDescent(lr=0.25)"


@pytest.mark.parametrize("cls,given,said", [
    (torch.optim.Adam, {"betaz": (0.9, 0.99)}, "Adam: TypeError: Adam.__init__() got an unexpected keyword argument "
                                                "'betaz'"),
    (torch.optim.Adam, {"betas": (2.0, 0.9)}, "Adam: ValueError: Invalid beta parameter at index 0: 2.0"),
    (torch.optim.Adam, {"lr": -1.0}, "Torch: lr must be in (0, inf), got -1.0"),
    (int, {}, "Torch: the first argument must be a torch.optim.Optimizer class such as torch.optim.Adam, got "
              "<class 'int'>"),
], ids=["unknown-name", "bad-beta", "bad-lr", "not-an-optimizer"])
def test_a_bad_torch_optimizer_is_one_line_when_built(cls, given, said):
    with pytest.raises(ValueError) as error:
        opt.Torch(cls, **given)
    assert str(error.value) == said


def test_without_torch_the_name_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)           # (import torch raises ImportError)
    with pytest.raises(ValueError, match=r"^opt.Torch needs PyTorch: pip install -e '.\[torch\]' \(or pip "
                                         r"install torch\)$"):
        opt.Torch(object, lr=0.1)


def test_a_scene_file_racing_its_own_torch_optimizer_renders(tmp_path):
    (tmp_path / "own.py").write_text(
        "import torch\n"
        "from render import Run, Scene, optimizers as opt\n"
        "class Halving(torch.optim.Optimizer):\n"
        "    def __init__(self, params, lr=0.1):\n"
        "        super().__init__(params, {'lr': lr})\n"
        "    @torch.no_grad()\n"
        "    def step(self):\n"
        "        for group in self.param_groups:\n"
        "            for p in group['params']:\n"
        "                p -= group['lr'] * p.grad / (1 + p.grad.norm())\n"
        "scene = Scene('rosenbrock', [Run(opt.Torch(Halving, lr=0.05), (-1.5, 2.0)),\n"
        "                             Run(opt.Torch(torch.optim.Adam, lr=0.05), (-1.5, 2.0))], 20)\n")
    result = CliRunner().invoke(main, [str(tmp_path / "own.py"), "--out", str(tmp_path / "o"), "--size", "96x54",
                                       "--format", "gif", "--data", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "o" / "own" / "trajectories.csv").read_text().splitlines()
    assert rows[1].startswith("0,Halving(lr=0.05),Halving(lr=0.05),0,-1.5,2,") and len(rows) == 1 + 2 * 21


@pytest.mark.parametrize("theirs,ours", [
    (schedules.Torch(torch.optim.lr_scheduler.StepLR, step_size=7, gamma=0.5), schedules.StepLR(step_size=7, gamma=0.5)),
    (schedules.Torch(torch.optim.lr_scheduler.CosineAnnealingLR, T_max=25, eta_min=1e-4),
     schedules.CosineAnnealingLR(T_max=25, eta_min=1e-4)),
    (schedules.Torch(torch.optim.lr_scheduler.LinearLR, start_factor=0.1, total_iters=10),
     schedules.LinearLR(start_factor=0.1, total_iters=10)),
], ids=["step", "cosine", "linear"])
def test_a_torch_lr_scheduler_gives_torchs_rates_and_paths(theirs, ours):
    np.testing.assert_array_equal(theirs.learning_rates(np.array([0.05, 0.01]), 40),
                                  ours.learning_rates(np.array([0.05, 0.01]), 40))
    a = paths([Run(opt.Adam(lr=0.05), (-1.5, 2.0), schedule=ours)], steps=40)
    b = paths([Run(opt.Torch(torch.optim.Adam, lr=0.05), (-1.5, 2.0), schedule=theirs)], steps=40)
    np.testing.assert_allclose(b.positions, a.positions, rtol=0, atol=1e-10)


def test_a_bad_torch_scheduler_is_one_line_when_built():
    with pytest.raises(ValueError) as error:
        schedules.Torch(torch.optim.lr_scheduler.StepLR, stepsize=3)
    assert str(error.value) == "StepLR: TypeError: StepLR.__init__() got an unexpected keyword argument 'stepsize'"
    with pytest.raises(ValueError, match=r"^Torch: the first argument must be a torch.optim.lr_scheduler class"):
        schedules.Torch(torch.optim.Adam)


def test_a_torch_one_cycle_cycles_the_momentum_as_render_does():
    theirs = schedules.Torch(torch.optim.lr_scheduler.OneCycleLR, max_lr=1e-3, total_steps=60)
    ours = schedules.OneCycleLR(max_lr=1e-3, total_steps=60)
    np.testing.assert_array_equal(theirs.momenta(60), ours.momenta(60))
    assert schedules.Torch(torch.optim.lr_scheduler.StepLR, step_size=3).momenta(10) is None
    runs = lambda s: [Run(opt.Momentum(lr=1e-3, momentum=0.9), (-1.5, 2.0), schedule=s),
                      Run(opt.Adam(lr=1e-3), (-1.5, 2.0), schedule=s)]
    a, b = paths(runs(ours), steps=60), paths(runs(theirs), steps=60)
    assert np.isfinite(a.positions).all()
    np.testing.assert_array_equal(b.positions, a.positions)
    with pytest.raises(ValueError) as error:
        Scene("rosenbrock", runs(theirs), 80)
    assert str(error.value) == ("Scene: runs[0]: OneCycleLR(max_lr=0.001, total_steps=60) cannot run 80 steps: "
                                "ValueError: Tried to step 61 times. The specified number of total steps is 60")
