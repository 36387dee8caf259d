"""Views: what the pixels show, that blitted frames equal full redraws, and that every view
draws a run's trail from the Plan."""
import dataclasses

import numpy as np
import pytest
from test_plan import DIVERGES_AT_40

from render import Camera, Run, Scene, View2D, View3D, optimizers as opt
from render import plan as planning
from render import views
from render.frames import FrameSource


def scene_with(views, steps=20, runs=None):
    runs = runs or [Run(opt.Adam(lr=0.3), (-1.5, 2.0), color="#ff00ff"),
                    Run(opt.GD(lr=1e-3), (1.0, -0.5), color="#00ffff")]
    return Scene("rosenbrock", runs, steps, views=views)


def source(scene, view, size=(320, 240), plan=None):
    return FrameSource(plan or planning.build(scene), view, size)


@pytest.mark.parametrize("view", [View2D(legend=False), View2D(levels="sqrt", arrows=True),
                                  View2D(loss_panel=True, field=True), View3D(shadow=True)],
                         ids=["plain", "arrows", "panel-field", "3d-shadow"])
def test_head_marker_sits_at_the_pixel_of_the_final_position(view):
    scene = scene_with([view])
    frames = source(scene, view)
    last = frames.frame(len(frames) - 1)
    drawing = frames.drawing
    t = drawing.trajectories
    for i, color in enumerate(drawing.colors):
        x, y = t.positions[i, -1]
        if hasattr(drawing.ax, "get_proj"):      # 3D: project the point on the surface
            from mpl_toolkits.mplot3d import proj3d
            px, py, _ = proj3d.proj_transform(x, y, t.losses[i, -1], drawing.ax.get_proj())
            u, v = drawing.ax.transData.transform((px, py))
        else:
            u, v = drawing.ax.transData.transform((x, y))
        row, col = int(round(240 - v)), int(round(u))
        patch = last[row - 1:row + 2, col - 1:col + 2].reshape(-1, 3).astype(int)
        want = np.array([int(color[k:k + 2], 16) for k in (1, 3, 5)])
        assert np.min(np.abs(patch - want).sum(axis=1)) <= 12, (i, patch, want)


@pytest.mark.parametrize("view", [View2D(arrows=True, loss_panel=True), View3D()], ids=["2d", "3d"])
def test_blitted_frames_equal_full_redraws_but_for_stacking(view):
    """Blitting draws the moving artists over the cached background; a full redraw
    interleaves them with static artists by zorder (the legend, contour labels). They may
    differ only where a moving artist crosses such a static one."""
    scene = scene_with([view], steps=12)
    fast = source(scene, view)
    blitted = [fast.frame(i) for i in range(len(fast))]
    d = source(scene, view).drawing
    for a in d.animated:
        a.set_animated(False)
    for i, frame in enumerate(blitted):
        with views.style():
            d.update(i)
        d.figure.canvas.draw()
        full = np.asarray(d.figure.canvas.buffer_rgba())[:, :, :3]
        differ = np.any(full != frame, axis=-1)
        assert differ.mean() < 0.01, f"frame {i}: {differ.mean():.2%} of pixels differ"


def test_orbiting_camera_moves_every_frame():
    view = View3D(camera=Camera(elev=30, azim=0, orbit=90))
    scene = scene_with([view], steps=4)
    frames = source(scene, view, (160, 120))
    assert frames.drawing.moving_camera
    drawn = [frames.frame(i) for i in range(len(frames))]
    assert frames.drawing.ax.azim == pytest.approx(90)
    assert all(np.any(a != b) for a, b in zip(drawn, drawn[1:]))


def test_a_diverged_run_ends_with_a_cross_and_says_so():
    runs = [Run(opt.GD(lr=0.02), (-1.5, 2.0), label="too fast")]
    view = View2D()
    scene = scene_with([view], steps=30, runs=runs)
    frames = source(scene, view)
    k = frames.drawing.trajectories.diverged_at[0]
    assert 0 < k < 30
    frames.frame(len(frames) - 1)
    d = frames.drawing
    assert d.heads[0].get_marker() == "X"
    assert d.ax.get_legend().get_texts()[0].get_text() == f"too fast: GD(lr=0.02), diverged at step {k}"
    assert "too fast diverged" in d.status_text.get_text()


def test_the_loss_panel_ends_where_the_trail_ends_for_a_diverged_run():
    view = View2D(loss_panel=True, arrows=True)
    scene = dataclasses.replace(DIVERGES_AT_40, views=(view,))
    frames = source(scene, view)
    frames.frame(2)                                   # step 41: the run diverged at step 40
    d = frames.drawing
    P = d.trajectories.positions
    np.testing.assert_array_equal(d.trails[0].get_xydata()[-1], P[0, 39])
    steps, losses = d.loss.lines[0].get_data()
    assert steps.tolist() == [0, 20, 39]
    assert losses[-1] == d.trajectories.losses[0, 39]
    assert list(d.loss.heads[0].get_data()[0]) == [39]


def drawn_points(drawing, run):
    """How many points of ``run``'s trail each animated line of a drawing shows."""
    if hasattr(drawing, "trails"):                     # 2D: the trail and the loss panel
        return [len(drawing.trails[run].get_xdata()), len(drawing.loss.lines[run].get_xdata())]
    return [len(drawing.paths[run].get_data_3d()[0]), len(drawing.shadows[run].get_data_3d()[0])]


@pytest.mark.parametrize("view", [View2D(loss_panel=True), View3D(shadow=True)], ids=["2d", "3d"])
def test_every_view_draws_the_trails_the_plan_gives(view):
    scene = scene_with([view], steps=12)
    plan = planning.build(scene)
    hidden = plan.last.copy()
    hidden[0] = -1                                     # run 0 shows nothing at any frame
    frames = source(scene, view, plan=dataclasses.replace(plan, last=hidden))
    frames.frame(len(frames) - 1)
    assert drawn_points(frames.drawing, 0) == [0, 0]
    assert drawn_points(frames.drawing, 1) == [13, 13]


def test_glyph_text_uses_matplotlibs_fork_safe_font_cache():
    # An FT2Font reads its file lazily; forked workers sharing one inherited font object (and
    # file offset) read each other's glyphs. matplotlib's get_font cache is emptied on fork.
    from matplotlib.font_manager import FontProperties, findfont, get_font
    from render.views import glyphs
    assert glyphs._font("DejaVu Sans") is get_font(findfont(FontProperties(family="DejaVu Sans")))
