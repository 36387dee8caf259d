"""Sweeps: a grid of one optimizer's hyperparameters, expanded into runs, drawn as small
multiples in its grid and as the loss of every cell against the values."""
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from render import Multiples, Run, Scene, Sweep, SweepLoss, optimizers as opt, tuned
from render import plan as planning
from render.frames import FrameSource

START = (-1.5, 2.0)


def sweep_scene(views, steps=40, **values):
    values = values or dict(lr=[2.5e-4, 1e-3, 4e-3], momentum=[0.0, 0.9])
    return Scene("rosenbrock", [Sweep(opt.Momentum(), START, **values)], steps, views=views)


def test_a_sweep_is_one_run_per_cell_the_first_value_along_a_row():
    sweep = Sweep(opt.Momentum(dampening=0.1), START, lr=[1e-4, 1e-3, 1e-2], momentum=[0.5, 0.9])
    scene = Scene("rosenbrock", [Run(opt.GD(), START), sweep], 5)
    runs = scene.runs[1:]
    assert sweep.shape == (2, 3) and len(runs) == 6
    assert [r.label for r in runs] == ["lr=0.0001, momentum=0.5", "lr=0.001, momentum=0.5", "lr=0.01, momentum=0.5",
                                       "lr=0.0001, momentum=0.9", "lr=0.001, momentum=0.9", "lr=0.01, momentum=0.9"]
    assert [(r.optimizer.lr, r.optimizer.momentum) for r in runs] == [(a, b) for b in (0.5, 0.9)
                                                                       for a in (1e-4, 1e-3, 1e-2)]
    assert all(r.optimizer.dampening == 0.1 and r.start == START and r.sweep is sweep for r in runs)
    assert runs[4].cell == (("lr", 1e-3), ("momentum", 0.9))
    one = Sweep(opt.Adam(), START, lr=[0.1, 0.01], label="Adam")
    assert one.shape == (1, 2) and [r.label for r in one.runs()] == ["Adam, lr=0.1", "Adam, lr=0.01"]


@pytest.mark.parametrize("make,message", [
    (lambda: Sweep(opt.Momentum(), START), r"^Sweep: give one or two hyperparameters to sweep"),
    (lambda: Sweep(opt.Momentum(), START, lr=[1], momentum=[0.5], dampening=[0]),
     r"^Sweep: give one or two hyperparameters to sweep, each a list of values, such as lr=\[1e-3, 1e-2\]; got 3$"),
    (lambda: Sweep(opt.Momentum(), START, betas=[0.9]), r"^Sweep: Momentum has no hyperparameter 'betas'; it has "),
    (lambda: Sweep(opt.Momentum(), START, lr=0.1), r"^Sweep: lr must be a list of values, got 0.1$"),
    (lambda: Sweep(opt.Momentum(), START, lr=[]), r"^Sweep: lr must hold 1 to 400 values, got 0$"),
    (lambda: Sweep(opt.Momentum(), START, lr=[0.1, -1.0]), r"^Sweep: lr\[1\]: Momentum: lr must be in \(0, inf\), got -1.0$"),
    (lambda: Sweep(opt.Momentum(), START, lr=list(np.geomspace(1e-4, 1, 30)), momentum=list(np.linspace(0, 0.9, 20))),
     r"^Sweep: the grid has 600 cells; 400 at most$"),
    (lambda: Sweep(opt.Momentum(lr=tuned(1e-4, 1e-2)), START, momentum=[0.5]), r"^Sweep: optimizer cannot have tuned"),
    (lambda: Scene("bowl", [Sweep(opt.Momentum(), (1.0,), lr=[0.1])], 5),
     r"^Scene: runs\[0\] starts at a point of 1 numbers; it must be \(x, y\)$"),
    (lambda: Scene("bowl", [Run(opt.GD(), (1, 1))], 5, views=[SweepLoss()]),
     r"^Scene: views\[0\] is a SweepLoss, which draws one Sweep's cells; the scene has no sweeps$"),
])
def test_a_bad_sweep_is_one_line(make, message):
    with pytest.raises(ValueError, match=message) as error:
        make()
    assert "\n" not in str(error.value)


def test_multiples_lay_a_sweep_out_as_its_grid_with_the_values_as_headers():
    view = Multiples()
    scene = sweep_scene([view])
    d = FrameSource(planning.build(scene), view, (640, 360)).drawing
    boxes = [ax.get_position() for ax in d.axes]
    rows, columns = 2, 3
    for k, box in enumerate(boxes):
        r, c = divmod(k, columns)
        assert abs(box.x0 - boxes[c].x0) < 1e-9 and abs(box.y0 - boxes[r * columns].y0) < 1e-9
    assert boxes[1].x0 > boxes[0].x1 and boxes[columns].y1 < boxes[0].y0
    texts = [t.get_text() for t in d.figure.texts]
    assert {"lr=0.00025", "lr=0.001", "lr=0.004", "0", "0.9", "momentum"} <= set(texts)
    assert all(ax.get_title(loc="left") == "" for ax in d.axes)      # the headers name the cells


def test_the_heatmap_shows_each_cells_loss_at_the_frames_step_and_outlines_the_lowest():
    view = SweepLoss()
    scene = sweep_scene([view])
    frames = FrameSource(planning.build(scene), view, (640, 360))
    d = frames.drawing
    t = d.trajectories
    for frame in (10, len(frames) - 1):
        image = frames.frame(frame).astype(int)
        step = int(d.steps[frame])
        gone = np.array([d.plan.diverged(r, frame) for r in range(6)])
        want = np.where(gone, np.nan, t.losses[:, step]).reshape(2, 3)
        np.testing.assert_array_equal(d.image.get_array().filled(np.nan), want)
        assert gone[2] and gone[5]                                        # lr 0.004 diverges at once
        assert [c.get_text() for c in d.cells][2] == f"diverged at {t.diverged_at[2]}"
        best = int(np.nanargmin(want))
        assert d.cells[best].get_text() == f"{want.flat[best]:.2g}"
        assert d.outline.get_xy() == (best % 3 - 0.5, best // 3 - 0.5)
        # A cell's colour, away from its text, is the loss's on the colour scale.
        r, c = divmod(best, 3)
        u, v = d.ax.transData.transform((c - 0.35, r + 0.3))
        pixel = image[int(round(360 - v - 0.5)), int(round(u - 0.5))]
        expected = np.array(d.image.cmap(d.image.norm(want.flat[best]))[:3]) * 255
        assert np.max(np.abs(pixel - expected)) <= 2, (pixel, expected)
        assert d.status_text.get_text() == f"step {step}: lowest {d.plan.legend_labels[best]}"
    empty = d.ax.transData.transform((2 + 0.35, 0 + 0.3))     # a diverged cell: the pane's colour
    pixel = image[int(round(360 - empty[1] - 0.5)), int(round(empty[0] - 0.5))]
    assert np.max(np.abs(pixel - np.array(to_rgb(d.theme.pane)) * 255)) <= 2


def test_the_line_of_one_hyperparameter_gives_each_values_loss_and_rings_the_lowest():
    view = SweepLoss()
    scene = Scene("rosenbrock", [Sweep(opt.Adam(), START, lr=[1e-3, 1e-2, 0.1, 1.0, 100.0])], 60, views=[view])
    frames = FrameSource(planning.build(scene), view, (640, 360))
    frames.frame(len(frames) - 1)
    d = frames.drawing
    final = d.trajectories.losses[:, -1]
    ok = d.trajectories.diverged_at < 0
    assert d.ax.get_xscale() == "log"
    np.testing.assert_array_equal(d.curve.get_ydata(), final[ok])
    assert len(d.lost.get_xdata()) == int((~ok).sum())
    best = int(np.nanargmin(np.where(ok, final, np.nan)))
    assert list(d.best.get_xdata()) == [d.xs[best]] and list(d.best.get_ydata()) == [final[best]]


@pytest.mark.parametrize("size", [(640, 360), (960, 540), (540, 960)])
def test_multiples_keep_title_status_headers_and_losses_apart_at_every_size(size):
    from render.load import load
    from pathlib import Path
    scenes = Path(__file__).resolve().parent.parent / "scenes"
    for stem in ("fair_race", "momentum_sweep"):
        (_, scene), = load(scenes / f"{stem}.py")
        view = scene.views[0]
        frames = FrameSource(planning.build(scene), view, size)
        frames.frame(len(frames) - 1)
        d = frames.drawing
        renderer = d.figure.canvas.get_renderer()
        W, H = size
        dpi = d.figure.dpi
        title = d.figure._suptitle.get_window_extent(renderer)
        status_bottom = d.status_y() * H
        status_top = status_bottom + 11 * dpi / 72
        assert title.y0 > status_top, (stem, title, status_top)
        above = [t.get_window_extent(renderer) for t in d.figure.texts if t.get_rotation() == 0
                 and t.get_text().startswith("lr=")]
        above += [ax._left_title.get_window_extent(renderer) for ax in d.axes if ax._left_title.get_text()]
        assert above and max(b.y1 for b in above) < status_bottom, stem
        for ax, loss in zip(d.axes, d.losses):
            # The loss inside its panel's lower right corner; the title above the panel.
            box = ax.get_window_extent(renderer)
            x, y = loss.get_transform().transform((1, 0))
            left = x - loss.width(loss.get_text(), dpi)
            assert box.x0 < left and x <= box.x1 and box.y0 <= y < box.y0 + box.height / 2, (stem, loss.get_text())
            if ax._left_title.get_text():
                assert ax._left_title.get_window_extent(renderer).x1 <= box.x1 + 1, (stem, ax._left_title.get_text())
        for b in above:
            assert b.x0 >= 0 and b.x1 <= W
