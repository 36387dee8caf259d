"""Learning-rate schedules: their rates equal torch.optim.lr_scheduler's bit for bit, and a
scheduled run's positions equal torch's optimizer stepped with the scheduler."""
import numpy as np
import pytest
from test_optimizers import SURFACES, assert_same_path

from render import Run, Scene, optimizers as opt, schedules as sch, surfaces
from render.trajectories import simulate_runs

torch = pytest.importorskip("torch", reason="torch is the reference: pip install -e '.[test]'")
pytestmark = pytest.mark.usefixtures("torch_float64")    # (tensors made in a test are float64)
LR = torch.optim.lr_scheduler
STEPS = 240

# (ours, a maker of torch's for an optimizer)
SCHEDULES = [
    (sch.StepLR(step_size=40, gamma=0.5), lambda o: LR.StepLR(o, step_size=40, gamma=0.5)),
    (sch.StepLR(step_size=7), lambda o: LR.StepLR(o, step_size=7)),
    (sch.ExponentialLR(gamma=0.99), lambda o: LR.ExponentialLR(o, gamma=0.99)),
    (sch.CosineAnnealingLR(T_max=STEPS), lambda o: LR.CosineAnnealingLR(o, T_max=STEPS)),
    (sch.CosineAnnealingLR(T_max=50, eta_min=1e-4), lambda o: LR.CosineAnnealingLR(o, T_max=50, eta_min=1e-4)),
    (sch.LinearLR(), lambda o: LR.LinearLR(o)),
    (sch.LinearLR(start_factor=0.05, end_factor=0.5, total_iters=60),
     lambda o: LR.LinearLR(o, start_factor=0.05, end_factor=0.5, total_iters=60)),
    (sch.OneCycleLR(max_lr=2e-3, total_steps=STEPS), lambda o: LR.OneCycleLR(o, max_lr=2e-3, total_steps=STEPS)),
    (sch.OneCycleLR(max_lr=2e-3, total_steps=300, pct_start=0.2, anneal_strategy="linear", three_phase=True,
                    cycle_momentum=False, div_factor=10.0, final_div_factor=100.0),
     lambda o: LR.OneCycleLR(o, max_lr=2e-3, total_steps=300, pct_start=0.2, anneal_strategy="linear",
                             three_phase=True, cycle_momentum=False, div_factor=10.0, final_div_factor=100.0)),
]
# (ours, torch's class and arguments): each schedule drives every one of these.
OPTIMIZERS = [
    (opt.Momentum(lr=1e-3, momentum=0.9), torch.optim.SGD, dict(lr=1e-3, momentum=0.9)),
    (opt.Adam(lr=0.01), torch.optim.Adam, dict(lr=0.01)),
    (opt.RMSprop(lr=0.005, momentum=0.5), torch.optim.RMSprop, dict(lr=0.005, momentum=0.5)),
    (opt.Rprop(lr=1e-3), torch.optim.Rprop, dict(lr=1e-3)),
]


def torch_scheduled(gradient, cls, kwargs, make, start, steps):
    x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = cls([x], **kwargs)
    scheduler = make(optimizer)
    path, rates = [x.detach().numpy().copy()], []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        x.grad = torch.tensor(gradient(x.detach().numpy()))
        optimizer.step()
        scheduler.step()
        path.append(x.detach().numpy().copy())
    return np.array(path), np.array(rates)


def gradient_of(surface):
    return lambda p: np.array(surface.gradient(p[0], p[1]), dtype=float)


# Rprop has no momentum for OneCycleLR to cycle: refused, as torch refuses it (tested below).
PAIRS = [(s, o) for s in SCHEDULES for o in OPTIMIZERS
         if not (isinstance(s[0], sch.OneCycleLR) and s[0].cycle_momentum and o[0].name == "Rprop")]


@pytest.mark.parametrize("surface_name", ["rosenbrock", "beale"])
@pytest.mark.parametrize("schedule,make,ours,cls,kwargs", [(*s, *o) for s, o in PAIRS],
                         ids=[f"{s[0].describe()}-{o[0].name}" for s, o in PAIRS])
def test_a_scheduled_run_equals_torch_with_its_scheduler(schedule, make, ours, cls, kwargs, surface_name):
    surface = surfaces.get(surface_name)
    start = SURFACES[surface_name]
    theirs, rates = torch_scheduled(gradient_of(surface), cls, kwargs, make, start, STEPS)
    assert np.all(np.isfinite(theirs)) and np.max(np.abs(theirs[-1] - start)) > 1e-3
    np.testing.assert_array_equal(schedule.learning_rates(ours.lr, STEPS), rates)
    together = simulate_runs(surface, [ours, ours], [start, start], STEPS, schedules=[schedule, None]).positions
    assert_same_path(together[0], theirs)
    # The unscheduled twin goes its own way (Rprop reads lr once: its first step's size).
    if (rates[0] != ours.lr) if cls is torch.optim.Rprop else not np.allclose(rates, ours.lr):
        assert np.max(np.abs(together[1] - theirs)) > 1e-9


@pytest.mark.parametrize("make,message", [
    (lambda: sch.StepLR(step_size=-1), r"^StepLR: step_size must be a whole number in \[1, inf\), got -1$"),
    (lambda: sch.StepLR(step_size=0), r"^StepLR: step_size must be a whole number in \[1, inf\), got 0$"),
    (lambda: sch.StepLR(), r"^StepLR: step_size must be given$"),
    (lambda: sch.ExponentialLR(gamma=-0.5), r"^ExponentialLR: gamma must be in \(0, inf\), got -0.5$"),
    (lambda: sch.CosineAnnealingLR(T_max=0), r"^CosineAnnealingLR: T_max must be a whole number in \[1, inf\), got 0$"),
    (lambda: sch.CosineAnnealingLR(T_max=10, eta_min=-1), r"^CosineAnnealingLR: eta_min must be in \[0, inf\)"),
    (lambda: sch.LinearLR(start_factor=0), r"^LinearLR: start_factor must be in \(0, 1\], got 0.0$"),
    (lambda: sch.LinearLR(end_factor=1.5), r"^LinearLR: end_factor must be in \[0, 1\], got 1.5$"),
    (lambda: sch.OneCycleLR(max_lr=0.1, total_steps=0), r"^OneCycleLR: total_steps must be a whole number"),
    (lambda: sch.OneCycleLR(max_lr=0.1, total_steps=100, anneal_strategy="cosine"),
     r"^OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'cosine'$"),
    (lambda: sch.OneCycleLR(max_lr=0.1, total_steps=10, pct_start=0.1), r"^OneCycleLR: pct_start 0.1 of total_steps 10 "),
    (lambda: sch.StepLR(3, warmup=2), r"^StepLR: unknown parameter 'warmup'; valid ones are step_size, gamma$"),
    (lambda: Run(opt.GD(), (0, 0), schedule="cosine"), r"^Run: schedule must be a schedule such as"),
    (lambda: Scene("bowl", [Run(opt.Adam(lr=0.1), (1, 1), schedule=sch.OneCycleLR(max_lr=0.1, total_steps=50))], 100),
     r"^Scene: runs\[0\]: OneCycleLR's total_steps \(50\) is smaller than the scene's steps \(100\); "
     r"give total_steps=100 or more$"),
    (lambda: Scene("bowl", [Run(opt.GD(), (1, 1)), Run(opt.Rprop(), (1, 1), schedule=sch.OneCycleLR(max_lr=0.1, total_steps=100))], 100),
     r"^Scene: runs\[1\]: OneCycleLR cycles momentum, and Rprop has neither momentum nor betas; "
     r"give cycle_momentum=False$"),
], ids=lambda v: "" if callable(v) else v[:40])
def test_a_schedule_torch_would_reject_is_one_line(make, message):
    with pytest.raises(ValueError, match=message) as error:
        make()
    assert "\n" not in str(error.value)


# torch rejects these too, or fails at the first step. (It takes StepLR(step_size=-1), where
# every epoch is then a multiple of the step and the rate falls by gamma at every step:
# refused here, as surely not what was meant.)
@pytest.mark.parametrize("make", [lambda o: LR.CosineAnnealingLR(o, T_max=0), lambda o: LR.LinearLR(o, start_factor=0),
                                  lambda o: LR.OneCycleLR(o, 0.1, total_steps=0),
                                  lambda o: LR.OneCycleLR(o, 0.1, total_steps=10, pct_start=0.1)])
def test_torch_rejects_the_same_values(make):
    x = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=0.1, momentum=0.9)
    with pytest.raises((ValueError, ZeroDivisionError)):
        scheduler = make(optimizer)
        for _ in range(3):
            x.grad = torch.ones(2)
            optimizer.step()
            scheduler.step()


def test_a_scene_runs_its_schedules_and_names_them():
    start = (-1.0, 1.5)
    runs = [Run(opt.Momentum(lr=1e-3), start), Run(opt.Momentum(lr=1e-3), start, schedule=sch.StepLR(step_size=10)),
            Run(opt.Adam(lr=0.05), start, schedule=sch.CosineAnnealingLR(T_max=30), label="Adam, cosine")]
    scene = Scene("rosenbrock", runs, 30)
    t = scene.simulate()
    alone = simulate_runs(scene.surface, [runs[1].optimizer], [start], 30, schedules=[runs[1].schedule]).positions[0]
    np.testing.assert_array_equal(t.positions[1], alone)
    assert not np.allclose(t.positions[0], t.positions[1])
    assert [r.name for r in scene.runs] == ["Momentum(lr=0.001)", "Momentum(lr=0.001), step x0.1 every 10",
                                            "Adam, cosine"]


def test_the_loss_panel_draws_each_runs_rate_up_to_the_frame_inside_the_frame():
    from render import View2D
    from test_views import final_frame, source
    start = (-1.5, 2.0)
    runs = [Run(opt.Momentum(lr=1e-3), start, label="constant"),
            Run(opt.Momentum(lr=1e-3), start, schedule=sch.StepLR(step_size=10, gamma=0.5), label="step"),
            Run(opt.Adam(), start, schedule=sch.OneCycleLR(max_lr=0.05, total_steps=40), label="one cycle")]
    view = View2D(loss_panel=True)
    scene = Scene("rosenbrock", runs, 40, views=[view])
    frames, image = final_frame(scene, view, (640, 360))
    d = frames.drawing
    rates = [line.get_ydata() for _, _, line in d.loss.rates]
    np.testing.assert_array_equal(rates[0], np.full(40, 1e-3))
    np.testing.assert_array_equal(rates[1], sch.StepLR(step_size=10, gamma=0.5).learning_rates(1e-3, 40))
    np.testing.assert_array_equal(rates[2], runs[2].schedule.learning_rates(0.001, 40))
    assert [line.get_color() for _, _, line in d.loss.rates] == list(d.colors)
    renderer = d.figure.canvas.get_renderer()
    assert d.loss.rate_ax.get_tightbbox(renderer).x1 <= d.figure.bbox.width
    assert d.loss.rate_ax.get_ylabel() == "lr"
    # The rates have a strip of their own under the losses: no rate line crosses a loss curve.
    strip, losses = d.loss.rate_ax.get_window_extent(renderer), d.loss.ax.get_window_extent(renderer)
    assert strip.y1 < losses.y0 and abs(strip.x0 - losses.x0) < 1 and abs(strip.x1 - losses.x1) < 1
    # Midway, the lines stop at the frame's step; the rate drawn there is the step's colour.
    frames = source(scene, view, (640, 360))
    middle = len(frames) // 2
    image = frames.frame(middle).astype(int)
    step = int(frames.drawing.steps[middle])
    x, y, line = frames.drawing.loss.rates[1]
    assert len(line.get_xdata()) == step and line.get_xdata()[-1] == step
    u, v = frames.drawing.loss.rate_ax.transData.transform((step - 3, y[step - 4]))
    r, c = int(round(360 - v - 0.5)), int(round(u - 0.5))
    patch = image[r - 2:r + 3, c - 2:c + 3].reshape(-1, 3)
    want = np.array([int(frames.drawing.colors[1][k:k + 2], 16) for k in (1, 3, 5)])
    assert np.min(np.abs(patch - want).sum(axis=1)) <= 12
    # A scene without schedules has no rate axis.
    plain = Scene("rosenbrock", runs[:1], 10, views=[view])
    assert final_frame(plain, view, (320, 180))[0].drawing.loss.rates == []
