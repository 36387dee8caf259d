"""Frames: the plan, what the pixels show, and that fast drawing equals full drawing."""
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation

from render import Camera, Run, Scene, View2D, View3D, optimizers as opt
from render import views
from render.frames import FrameSource, FrameStream
from render.scene import frame_steps


def test_frame_plan_keeps_every_step_or_samples_evenly():
    np.testing.assert_array_equal(frame_steps(10, 300), np.arange(11))
    plan = frame_steps(200_000, 300)
    assert len(plan) == 300 and plan[0] == 0 and plan[-1] == 200_000
    gaps = np.diff(plan)
    assert gaps.min() >= 668 and gaps.max() <= 670


def scene_with(views, steps=20, runs=None):
    runs = runs or [Run(opt.Adam(lr=0.3), (-1.5, 2.0), color="#ff00ff"),
                    Run(opt.GD(lr=1e-3), (1.0, -0.5), color="#00ffff")]
    return Scene("rosenbrock", runs, steps, views=views)


@pytest.mark.parametrize("view", [View2D(legend=False), View2D(levels="sqrt", arrows=True),
                                  View2D(loss_panel=True, field=True), View3D(shadow=True)],
                         ids=["plain", "arrows", "panel-field", "3d-shadow"])
def test_head_marker_sits_at_the_pixel_of_the_final_position(view):
    scene = scene_with([view])
    with FrameSource(scene, view, (320, 240)) as source:
        last = source.frame(len(source) - 1)
        drawing = source.drawing
        t = scene.simulate()
        for i, color in enumerate(scene.colors()):
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
    with FrameSource(scene, view, (320, 240)) as fast:
        blitted = [fast.frame(i) for i in range(len(fast))]
    with FrameSource(scene, view, (320, 240)) as slow:
        d = slow.drawing
        for a in d.animated:
            a.set_animated(False)
        for i, frame in enumerate(blitted):
            with views.style():
                d.update(i)
                d.figure.canvas.draw()
            full = np.asarray(d.figure.canvas.buffer_rgba())[:, :, :3]
            differ = np.any(full != frame, axis=-1)
            assert differ.mean() < 0.01, f"frame {i}: {differ.mean():.2%} of pixels differ"


def test_parallel_frames_are_identical_to_serial_ones():
    view = View2D(arrows=True)
    scene = scene_with([view], steps=40)
    serial = list(FrameStream(scene, view, (160, 120), jobs=1))
    stream = FrameStream(scene, view, (160, 120), jobs=2, chunk=8)
    assert stream.jobs == 2
    parallel = list(stream)
    assert len(parallel) == len(serial) == 41
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


def test_orbiting_camera_moves_every_frame():
    view = View3D(camera=Camera(elev=30, azim=0, orbit=90))
    scene = scene_with([view], steps=4)
    with FrameSource(scene, view, (160, 120)) as source:
        assert source.drawing.moving_camera
        frames = [source.frame(i) for i in range(len(source))]
        assert source.drawing.ax.azim == pytest.approx(90)
    assert all(np.any(a != b) for a, b in zip(frames, frames[1:]))


def test_a_diverged_run_ends_with_a_cross_and_says_so():
    runs = [Run(opt.GD(lr=0.02), (-1.5, 2.0), label="too fast")]
    view = View2D()
    scene = scene_with([view], steps=30, runs=runs)
    k = scene.simulate().diverged_at[0]
    assert 0 < k < 30
    with FrameSource(scene, view, (320, 240)) as source:
        source.frame(len(source) - 1)
        d = source.drawing
        assert d.heads[0].get_marker() == "X"
        assert d.ax.get_legend().get_texts()[0].get_text() == f"too fast: GD(lr=0.02), diverged at step {k}"
        assert "too fast diverged" in d.status_text.get_text()


def test_animation_serves_notebooks():
    scene = scene_with([View2D()], steps=5)
    anim = scene.animation(size=(160, 120))
    assert isinstance(anim, FuncAnimation)
    assert len(list(anim.new_frame_seq())) == 6
    html = anim.to_jshtml()
    assert html.count("data:image/png;base64") == 6


def test_glyph_text_uses_matplotlibs_fork_safe_font_cache():
    # An FT2Font reads its file lazily; forked workers sharing one inherited font object (and
    # file offset) read each other's glyphs. matplotlib's get_font cache is emptied on fork.
    from matplotlib.font_manager import FontProperties, findfont, get_font
    from render.views import glyphs
    assert glyphs._font("DejaVu Sans") is get_font(findfont(FontProperties(family="DejaVu Sans")))
