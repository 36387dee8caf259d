"""Views: what the pixels show, that blitted frames equal full redraws, and that every view
draws a run's trail from the Plan."""
import dataclasses
from pathlib import Path

import helpers
import numpy as np
import pytest
from matplotlib.transforms import Bbox
from test_plan import DIVERGES_AT_40

from render import Camera, Run, Scene, View2D, View3D, optimizers as opt
from render import plan as planning
from render import views
from render.frames import FrameSource
from render.views.runs import CROSS, GONE


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
            z = drawing.height(t.losses[i, -1])  # (the height it is drawn at: a log scale here)
            px, py, _ = proj3d.proj_transform(x, y, z, drawing.ax.get_proj())
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
    runs = [Run(opt.GD(lr=0.02), (-1.5, 2.0), label="too fast"), Run(opt.GD(lr=1e-3), (0.5, 1.0), label="bold")]
    view = View2D()
    scene = scene_with([view], steps=30, runs=runs)
    t = scene.simulate()
    # "bold" stops at step 12 inside the frame, as a run whose gradient turns NaN there does.
    P, L, G = (np.array(a) for a in (t.positions, t.losses, t.gradients))
    P[1, 12:], L[1, 12:], G[1, 12:] = np.nan, np.nan, np.nan
    t = dataclasses.replace(t, positions=P, losses=L, gradients=G, diverged_at=np.array([t.diverged_at[0], 12]))
    frames = source(scene, view, plan=planning.build(scene, t))
    k = t.diverged_at[0]
    assert 0 < k < 30
    last = frames.frame(len(frames) - 1)
    d = frames.drawing
    t = d.trajectories
    places = d.marks.places(len(frames) - 1)
    texts = {"".join(text for text, _ in p.text): p for p in places}
    # Each is named as given, and says when it diverged; where its last finite point is in
    # the frame it ends in a cross there, else in an arrow on the edge it left by.
    assert f"too fast diverged at step {k}" in texts and f"bold diverged at step {t.diverged_at[1]}" in texts
    lo, hi = np.array(d.box[0]), np.array(d.box[1])
    for i, run in enumerate(runs):
        place = texts[f"{run.label} diverged at step {t.diverged_at[i]}"]
        end = t.positions[i, t.diverged_at[i] - 1]
        inside = bool(np.all((end >= lo) & (end <= hi)))
        assert place.kind == (CROSS if inside else GONE) and inside == (i == 1), (run.label, end)
        if inside:
            np.testing.assert_allclose(place.at, d.ax.transData.transform(end))
        # (An arrow's colour is behind its tip, along it.)
        u, v = np.array(place.at) - (0 if inside else 6 * np.array([np.cos(place.angle), np.sin(place.angle)]))
        patch = last[int(round(240 - v)) - 2: int(round(240 - v)) + 3, int(round(u)) - 2: int(round(u)) + 3]
        want = np.array([int(d.colors[i][j:j + 2], 16) for j in (1, 3, 5)])
        assert np.min(np.abs(patch.reshape(-1, 3).astype(int) - want).sum(axis=1)) <= 12, run.label
    assert d.ax.get_legend() is None                          # named beside them, no legend
    assert d.status(len(frames) - 1).startswith(f"step 30, loss: too fast (diverged at {k})")
    assert "too fast (diverged" in d.status_text.get_text()


def test_the_loss_panel_ends_where_the_trail_ends_for_a_diverged_run():
    view = View2D(loss_panel=True, arrows=True)
    scene = dataclasses.replace(DIVERGES_AT_40, views=(view,))
    frames = source(scene, view)
    frames.frame(2)                                   # step 41: the run diverged at step 40
    d = frames.drawing
    P = d.trajectories.positions
    # The trail heads for step 39 (far outside) and stops on the frame's edge, where an
    # arrow in its colour says where it went: it diverged at step 40.
    xmin, xmax, ymin, ymax = d.window
    assert P[0, 39, 0] < xmin and P[0, 39, 1] < ymin
    end = d.trails[0].get_xydata()[-1]
    np.testing.assert_allclose(end, [xmin, ymin])
    gone, = [p for p in d.marks.places(2) if p.members == [0]]
    assert gone.kind == GONE and "".join(t for t, _ in gone.text) == "bold diverged at step 40"
    np.testing.assert_allclose(gone.at, d.ax.transData.transform(end))
    # The arrow points down and to the left, where the run went.
    assert -np.pi < gone.angle < -np.pi / 2
    steps, losses = d.loss.lines[0].get_data()
    assert steps.tolist() == [0, 20, 39]
    assert losses[-1] == d.loss.axis.drawn(d.trajectories.losses[0, 39])
    moving, up, down, cross = d.loss.heads[0]
    assert list(cross.get_data()[0]) == [40] and len(moving.get_xdata()) == 0     # where it diverged


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


# --- what a reader sees: every run visible, in its colour, the frame filled ------------------

RACE = [Run(opt.GD(lr=1e-3), (-1.5, 2.0), label="GD"),
        Run(opt.Momentum(lr=1e-3, momentum=0.9), (-1.5, 2.0), label="Momentum"),
        Run(opt.Nesterov(lr=1e-3, momentum=0.9), (-1.5, 2.0), label="Nesterov"),
        Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam")]


def final_frame(scene, view, size=(640, 360)):
    return helpers.final_frame(scene, view, size)


@pytest.mark.parametrize("run", range(4))
def test_each_3d_run_is_visible_in_its_own_colour(run):
    # Momentum and Nesterov follow nearly the same path; GD barely moves. Recolouring one run
    # must change hundreds of pixels strongly: the run is drawn, not a tint under the surface.
    view = View3D(camera=Camera(elev=35, azim=-70))
    scene = Scene("rosenbrock", RACE, 150, views=[view])
    _, before = final_frame(scene, view)
    runs = list(RACE)
    theirs = planning.build(scene).colors[run]
    other = "#000000" if theirs != "#000000" else "#ffffff"
    runs[run] = dataclasses.replace(runs[run], color=other)
    _, after = final_frame(dataclasses.replace(scene, runs=runs), view)
    changed = np.max(np.abs(before.astype(int) - after.astype(int)), axis=-1) > 80
    assert changed.sum() >= 200, changed.sum()


def head_pixel(drawing, run):
    """Where run's head is drawn at the last frame, as (row, column) in the frame: the
    centre of its disc (or of the disc it shares with runs at the same place)."""
    marked = drawing.marks.runs.index(run)
    place, = [p for p in drawing.marks.places(len(drawing) - 1) if marked in p.members]
    u, v = place.at
    return int(round(drawing.figure.bbox.height - v - 0.5)), int(round(u - 0.5))


def legend_marker_pixels(drawing):
    """Where each legend entry's marker is drawn, as (row, column) in the frame."""
    legend = drawing.ax.get_legend() or drawing.figure.legends[0]
    pixels = []
    for handle in legend.legend_handles:
        marker = handle._legmarker if hasattr(handle, "_legmarker") else handle
        xy = marker.get_transform().transform(marker.get_xydata())
        x, y = xy[len(xy) // 2]
        pixels.append((int(round(drawing.figure.bbox.height - y - 0.5)), int(round(x - 0.5))))
    return pixels


@pytest.mark.parametrize("view", [View2D(legend=True), View3D(camera=Camera(elev=35, azim=-70), legend=True)],
                         ids=["2d", "3d"])
def test_a_3d_run_ends_in_a_clean_head_of_its_colour_and_its_legend_marker_matches(view):
    scene = Scene("rosenbrock", RACE, 60, views=[view])
    frames, last = final_frame(scene, view)
    d = frames.drawing
    colours = [tuple(int(round(255 * v)) for v in __import__("matplotlib").colors.to_rgb(c)) for c in d.colors]
    for run in (0, 3):          # the widest head, and the last drawn (on top)
        r, c = head_pixel(d, run)
        assert tuple(last[r, c]) == colours[run], (run, tuple(last[r, c]))
    for run, (r, c) in enumerate(legend_marker_pixels(d)):
        assert tuple(last[r, c]) == colours[run], (run, tuple(last[r, c]))


@pytest.mark.parametrize("camera,window", [(Camera(), None), (Camera(elev=60, azim=35), None),
                                           (Camera(elev=15, azim=-120), (-2, 2, -1, 3)),
                                           (Camera(orbit=360), None)],
                         ids=["default", "high", "low-window", "orbit"])
def test_the_3d_view_fills_the_frame_and_cuts_no_label(camera, window):
    view = View3D(camera=camera, window=window)
    scene = Scene("rosenbrock", RACE, 12, views=[view])
    frames = source(scene, view, (640, 360))
    d = frames.drawing
    W, H = d.figure.bbox.width, d.figure.bbox.height
    renderer = d.figure.canvas.get_renderer()
    extents = []
    for frame in range(0, len(frames), 3):
        frames.frame(frame)
        content = d._extent(renderer)
        extents.append(content)
        assert content.x0 >= 0 and content.y0 >= 0 and content.x1 <= W and content.y1 <= H
        for axis in (d.ax.xaxis, d.ax.yaxis, d.ax.zaxis):
            box = axis.get_tightbbox(renderer)        # the drawn ticks, their labels, the axis label
            assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= W and box.y1 <= H, (axis, box)
    # A static camera fills the width at every frame; an orbit's size stays constant, so it
    # fills the width over its turn.
    spans = [e.width for e in extents] if not camera.orbit else [Bbox.union(extents).width]
    assert min(spans) >= 0.75 * W, spans


@pytest.mark.parametrize("view", [View2D(), View3D()], ids=["2d", "3d"])
def test_a_swarm_of_one_optimizer_is_one_legend_entry_inside_the_figure(view):
    starts = [(x, y) for x in np.linspace(-1.8, 1.8, 12) for y in np.linspace(-0.8, 2.8, 12)]
    scene = Scene("rosenbrock", [Run(opt.Adam(lr=0.05), s) for s in starts], 5, views=[view])
    frames, _ = final_frame(scene, view)
    d = frames.drawing
    legend = d.ax.get_legend() or d.figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Adam(lr=0.05) \u00d7144"]
    box = legend.get_window_extent(d.figure.canvas.get_renderer())
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= d.figure.bbox.width and box.y1 <= d.figure.bbox.height


def test_a_legend_of_many_kinds_stops_at_eight_entries():
    runs = [Run(opt.GD(lr=0.01 * (i + 1)), (-1.5, 2.0)) for i in range(12)]
    view = View2D()
    frames, _ = final_frame(Scene("rosenbrock", runs, 3, views=[view]), view)
    texts = [t.get_text() for t in frames.drawing.ax.get_legend().get_texts()]
    assert texts[:7] == [f"GD(lr={0.01 * (i + 1):g})" for i in range(7)] and texts[7] == "+5 more"


def legend_and_axes(scene, view):
    frames, _ = final_frame(scene, view)
    d = frames.drawing
    renderer = d.figure.canvas.get_renderer()
    return d, d.ax.get_legend().get_window_extent(renderer), d.ax.get_window_extent(renderer)


def test_the_legend_moves_to_a_corner_where_it_hides_no_run():
    # Both runs start in the upper right, where the legend would go first.
    runs = [Run(opt.GD(lr=1e-3), (1.8, 2.8), label="a"), Run(opt.GD(lr=2e-3), (1.5, 2.6), label="b")]
    view = View2D(legend=True, window="surface")
    d, legend, _ = legend_and_axes(Scene("rosenbrock", runs, 30, views=[view]), view)
    points = d.ax.transData.transform(d.trajectories.positions.reshape(-1, 2))
    assert legend.count_contains(points) == 0
    assert legend.x0 < d.figure.bbox.width / 2            # not the upper right


@pytest.mark.parametrize("legend", [True, "outside"])
def test_the_legend_goes_beside_the_plot_when_every_corner_holds_a_start(legend):
    corners = [(-1.9, 2.9), (1.9, 2.9), (-1.9, -0.9), (1.9, -0.9)]
    runs = [Run(opt.GD(lr=1e-4), c, label=f"from {c}") for c in corners]
    view = View2D(legend=legend, loss_panel=legend == "outside")
    d, box, axes = legend_and_axes(Scene("rosenbrock", runs, 5, views=[view]), view)
    right = (d.loss.ax if d.loss else d.ax).get_window_extent(d.figure.canvas.get_renderer())
    assert box.x0 >= right.x1 and box.x0 > axes.x1
    assert box.x1 <= d.figure.bbox.width and box.y0 >= 0 and box.y1 <= d.figure.bbox.height


@pytest.mark.parametrize("view", [View2D(window="auto"), View3D(window="auto")], ids=["2d", "3d"])
def test_an_auto_window_fits_the_runs_with_a_margin(view):
    # Both runs stay near (-1, 1) .. (-0.5, 1.5); Rosenbrock's own window is (-2, 2, -1, 3).
    runs = [Run(opt.GD(lr=1e-4), (-1.0, 1.0)), Run(opt.GD(lr=1e-4), (-0.5, 1.5))]
    scene = Scene("rosenbrock", runs, 20, views=[view])
    frames, _ = final_frame(scene, view)
    P = frames.drawing.trajectories.positions.reshape(-1, 2)
    xmin, xmax, ymin, ymax = frames.drawing.window
    lo, hi = P.min(axis=0), P.max(axis=0)
    assert xmin < lo[0] and xmax > hi[0] and ymin < lo[1] and ymax > hi[1]
    np.testing.assert_allclose([xmax - hi[0], lo[0] - xmin], 0.1 * (hi[0] - lo[0]), rtol=1e-9)
    assert xmax - xmin < 1.0 and ymax - ymin < 1.0
    if hasattr(frames.drawing.ax, "get_proj"):
        assert frames.drawing.ax.get_xlim3d() == (xmin, xmax)
    else:
        assert frames.drawing.ax.get_xlim() == (xmin, xmax)


def test_an_equal_aspect_keeps_circles_round():
    view = View2D(aspect="equal")
    scene = Scene("bowl", [Run(opt.GD(lr=0.1), (3, 3))], 5, views=[view])
    frames, _ = final_frame(scene, view)
    ax = frames.drawing.ax
    (x0, y0), (x1, y1) = ax.transData.transform([(0, 0), (1, 1)])
    assert abs((x1 - x0) - (y1 - y0)) < 0.01
    stretched, _ = final_frame(dataclasses.replace(scene, views=(View2D(),)), View2D())
    (x0, y0), (x1, y1) = stretched.drawing.ax.transData.transform([(0, 0), (1, 1)])
    assert abs((x1 - x0) - (y1 - y0)) > 5


@pytest.mark.parametrize("size", [(640, 360), (960, 540), (1920, 1080)], ids=["low", "medium", "high"])
def test_text_is_legible_at_every_preset(size):
    # 8-point tick labels at least 9 pixels tall; at 640 wide a 9.6-inch layout gave 7.4.
    view = View2D(loss_panel=True)
    frames, _ = final_frame(Scene("rosenbrock", RACE, 5, views=[view]), view, size)
    d = frames.drawing
    renderer = d.figure.canvas.get_renderer()
    labels = [t for ax in (d.ax, d.loss.ax) for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    assert min(t.get_window_extent(renderer).height for t in labels) >= 9
    from render.views.glyphs import compose
    mask, _ = compose("step 5: Adam", 8, d.figure.dpi)          # the status line's size
    rows = np.flatnonzero(mask.max(axis=1) > 0)
    assert rows[-1] - rows[0] + 1 >= 9                         # from the top of "A" to the foot of "p"


def test_contour_labels_do_not_crowd_or_cover_a_run():
    view = View2D(contours=40, window="surface")     # Rosenbrock's walls: many levels close together
    frames, _ = final_frame(Scene("rosenbrock", RACE, 150, views=[view]), view)
    d = frames.drawing
    renderer = d.figure.canvas.get_renderer()
    labels = [t for t in d.ax.texts if t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert len(boxes) >= 2
    inside = d.ax.get_window_extent(renderer)
    P = d.trajectories.positions[:, d.steps].reshape(-1, 2)
    paths = d.ax.transData.transform(P)
    for i, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[i + 1:]), labels[i].get_text()
        assert box.count_contains(paths) == 0, labels[i].get_text()
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1


CORNERS = [Run(opt.GD(lr=1e-5), (-1.95, -0.95), label="steep corner"),
           Run(opt.GD(lr=1e-5), (1.95, -0.95), label="other corner"), Run(opt.Adam(lr=0.05), (-1.5, 2.0), label="Adam")]


@pytest.mark.parametrize("camera", [Camera(elev=20, azim=90), Camera(), Camera(elev=60, azim=35)],
                         ids=["start-upper-left", "default", "high"])
def test_the_3d_legend_hides_no_start_or_end(camera):
    # Seen from azimuth 90, the steep corner's start is drawn in the frame's upper left,
    # where the legend goes first.
    from mpl_toolkits.mplot3d import proj3d
    view = View3D(camera=camera, legend=True)
    frames, _ = final_frame(Scene("rosenbrock", CORNERS, 20, views=[view]), view)
    d = frames.drawing
    box = d.legend.get_window_extent(d.figure.canvas.get_renderer())
    t = d.trajectories
    ends = np.array([(t.positions[i, s, 0], t.positions[i, s, 1], d.height(t.losses[i, s]))
                     for i in range(len(CORNERS)) for s in (0, -1)])
    px, py, _ = proj3d.proj_transform(*ends.T, d.ax.get_proj())
    assert box.count_contains(d.ax.transData.transform(np.column_stack([px, py]))) == 0
    assert 0 <= box.x0 and box.x1 <= d.figure.bbox.width and 0 <= box.y0 and box.y1 <= d.figure.bbox.height


@pytest.mark.parametrize("camera", [Camera(), Camera(orbit=90)], ids=["still", "orbit"])
def test_the_3d_status_line_is_drawn_above_the_scaled_axes(camera):
    view = View3D(camera=camera)
    frames, last = final_frame(Scene("rosenbrock", RACE, 12, views=[view]), view)
    d = frames.drawing
    row = int(round(d.figure.bbox.height * (1 - 0.875)))        # the status line's baseline row
    band = last[row - 12:row + 3].astype(int)
    text, background = (np.array([int(c[k:k + 2], 16) for k in (1, 3, 5)]) for c in (d.theme.text, d.theme.background))
    nearer_text = np.abs(band - text).sum(axis=-1) < np.abs(band - background).sum(axis=-1)
    assert nearer_text.sum() >= 100                                # the glyphs of "step 12: GD ..."


@pytest.mark.parametrize("size", [(360, 640), (540, 960), (1080, 1920)])
def test_a_portrait_frame_stacks_the_loss_under_the_plot_in_legible_text(size):
    view = View2D(loss_panel=True, legend="outside")
    frames, _ = final_frame(Scene("rosenbrock", RACE, 5, views=[view]), view, size)
    d = frames.drawing
    renderer = d.figure.canvas.get_renderer()
    plot, loss = d.ax.get_window_extent(renderer), d.loss.ax.get_window_extent(renderer)
    assert loss.y1 < plot.y0 and abs(loss.x0 - plot.x0) < 1 and plot.width > 0.75 * d.figure.bbox.width
    legend = d.ax.get_legend().get_window_extent(renderer)
    below = d.loss.ax.get_tightbbox(renderer, bbox_extra_artists=[])
    assert legend.y1 <= below.y0 and legend.y0 >= 0 and legend.x0 >= 0 and legend.x1 <= d.figure.bbox.width
    labels = [t for ax in (d.ax, d.loss.ax) for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    assert min(t.get_window_extent(renderer).height for t in labels) >= 9


def test_a_portrait_3d_view_is_a_taller_box_that_fills_the_width():
    view = View3D(camera=Camera(elev=35, azim=-70))
    scene = Scene("rosenbrock", RACE, 5, views=[view])
    frames = source(scene, view, (540, 960))
    d = frames.drawing
    content = d._extent(d.figure.canvas.get_renderer())
    W, H = d.figure.bbox.width, d.figure.bbox.height
    assert content.width >= 0.9 * W and content.x0 >= 0 and content.x1 <= W
    assert content.height >= 0.5 * H and d.ax.get_box_aspect()[2] > d.ax.get_box_aspect()[0]
    wide = source(scene, view, (960, 540)).drawing
    assert wide.ax.get_box_aspect()[2] <= wide.ax.get_box_aspect()[0]


def test_a_diverged_run_does_not_stretch_the_loss_axis_and_its_labels_never_overlap():
    # The gallery's monkey saddle: losses from about 1e-3 down to -786 (Adagrad), and one run
    # that runs off to -1e30 and diverges. A symmetric-log axis was unreadable.
    from render.load import load
    (_, scene), = load(Path(__file__).resolve().parent.parent / "scenes" / "monkey_saddle.py")
    frames, _ = final_frame(scene, scene.views[0])
    d = frames.drawing
    ax = d.loss.ax
    t = d.trajectories
    assert ax.get_yscale() == "linear"
    kept = t.losses[t.diverged_at < 0]
    lo, hi = ax.get_ylim()
    assert lo < kept.min() and lo > 1.2 * kept.min() and hi > kept.max()     # the kept runs fit, snugly
    gone = int(np.flatnonzero(t.diverged_at > 0)[0])
    assert t.losses[gone, t.diverged_at[gone] - 1] < 1e6 * lo                  # far below it
    crosses = [heads[3] for heads in d.loss.heads if len(heads[3].get_xdata())]
    assert len(crosses) == 1 and crosses[0].get_ydata()[0] == lo              # marked on the edge
    renderer = d.figure.canvas.get_renderer()
    labels = [t for t in ax.get_yticklabels() if t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert len(labels) >= 4
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_losses_that_cross_zero_are_drawn_as_the_loss_above_the_lowest_on_a_log_axis():
    # x^2 + y^2 - 1: the run at lr 0.1 falls to -1 as fast as 0.64 a step; on a linear axis
    # its last 90 steps were a flat line at the bottom.
    from render.load import load
    (_, scene), = load(Path(__file__).resolve().parent.parent / "scenes" / "gd_learning_rates.py")
    frames, _ = final_frame(scene, scene.views[0])
    axis = frames.drawing.loss.axis
    assert axis.kind == "above" and axis.floor == -1.0
    assert frames.drawing.loss.ax.get_yscale() == "log"
    assert frames.drawing.loss.ax.get_ylabel() == "loss − lowest (-1)"
    np.testing.assert_allclose(axis.drawn([-0.5, 3.0]), [0.5, 4.0])
    with pytest.raises(ValueError, match="loss_scale"):
        View2D(loss_scale="symlog")
    linear = dataclasses.replace(scene, views=(View2D(loss_panel=True, loss_scale="linear"),))
    frames, _ = final_frame(linear, linear.views[0])
    assert frames.drawing.loss.ax.get_yscale() == "linear" and frames.drawing.loss.ax.get_ylabel() == "loss"


def test_large_3d_losses_keep_their_ticks_off_the_axis_label():
    # Beale reaches 1.8e5 in its window: six-digit tick labels ran into "loss".
    view = View3D()
    frames = source(Scene("beale", [Run(opt.Adam(lr=0.1), (1.0, 1.0))], 3, views=[view]), view, (960, 540))
    frames.frame(0)
    d = frames.drawing
    renderer = d.figure.canvas.get_renderer()
    label = d.ax.zaxis.label.get_window_extent(renderer)
    ticks = [t.get_window_extent(renderer) for t in d.ax.zaxis.get_ticklabels() if t.get_text()]
    assert ticks and max(len(t.get_text()) for t in d.ax.zaxis.get_ticklabels()) <= 5
    assert not any(label.overlaps(t) for t in ticks)


# --- the data panel --------------------------------------------------------------------------------

def rgb(color):
    from matplotlib.colors import to_rgb
    return np.array(to_rgb(color)) * 255


def panel_pixel(drawing, x, y):
    """The (row, column) in the frame where the data panel draws the point (x, y)."""
    u, v = drawing.data.ax.transData.transform((x, y))
    return int(round(drawing.figure.bbox.height - v - 0.5)), int(round(u - 0.5))


def step_of(frames, run, frame):
    return int(frames.drawing.plan.last[run, frame])


def check_regions(frames, image, frame, predict, X):
    """Away from points and boundaries, each pixel of the panel is the tint of the class the
    run's model predicts there, at this frame's step. Returns the classes checked."""
    from render.views.data import CLASS_COLORS, REGION_TINT
    d = frames.drawing
    x0, x1, y0, y1 = d.data.box
    cell = ((x1 - x0) / 120, (y1 - y0) / 120)
    points = d.data.ax.transData.transform(X)
    checked = []
    for x in np.linspace(x0, x1, 16)[1:-1]:
        for y in np.linspace(y0, y1, 16)[1:-1]:
            near = [(x + dx * cell[0], y + dy * cell[1]) for dx in (-2, 0, 2) for dy in (-2, 0, 2)]
            classes = predict(np.array(near))
            here = d.data.ax.transData.transform((x, y))
            if len(set(classes)) > 1 or np.min(np.hypot(*(points - here).T)) < 8:
                continue
            r, c = panel_pixel(d, x, y)
            want = (1 - REGION_TINT) * rgb(d.theme.background) + REGION_TINT * rgb(CLASS_COLORS[classes[0]])
            assert np.max(np.abs(image[r, c] - want)) <= 2, (frame, x, y, image[r, c], want)
            checked.append(classes[0])
    assert len(checked) >= 60, len(checked)
    return checked


def test_the_data_panel_tints_each_place_with_the_class_the_runs_network_predicts():
    from render import datasets
    from render.models import MLP
    X, y = datasets.spirals(60, seed=0)
    model = MLP(X, y, hidden=(5,), seed=1)
    view = View2D(data_panel="Adam")
    scene = Scene(surface=model, steps=30, views=[view],
                  runs=[Run(opt.GD(lr=0.5), model.init), Run(opt.Adam(lr=0.05), model.init, label="Adam")])
    frames = source(scene, view, (640, 360))
    P = frames.drawing.plan.trajectories.positions[1]
    seen = []
    for frame in (0, len(frames) - 1):
        image = frames.frame(frame).astype(int)
        p = P[step_of(frames, 1, frame)]
        seen.append(check_regions(frames, image, frame, lambda cells: model.predict(p, cells), X))
    assert seen[0] != seen[1]                  # the regions follow the training
    assert set(seen[1]) == {0, 1}


@pytest.mark.parametrize("kind", ["line", "logistic"])
def test_the_data_panel_draws_the_runs_line_or_boundary_in_its_colour(kind):
    from render import surfaces
    if kind == "line":
        surface = surfaces.LeastSquares.line(intercept=-2.0, slope=2.0, n=200, noise=0.5, x=(-5, 5), seed=0)
        start, X = (6.0, -3.0), surface.shown_X[:, 1:]
    else:
        surface = surfaces.Logistic.blobs(n=100, distance=3.0, seed=0)
        start, X = (-2.0, 3.0), surface.X
    view = View2D(data_panel=1)
    scene = Scene(surface=surface, steps=20, views=[view],
                  runs=[Run(opt.GD(lr=0.1), start), Run(opt.Adam(lr=0.2), start, color="#ff00ff")])
    frames = source(scene, view, (640, 360))
    d = frames.drawing
    x0, x1, y0, y1 = d.data.box
    P = d.plan.trajectories.positions[1]
    for frame in (0, len(frames) // 2, len(frames) - 1):
        image = frames.frame(frame).astype(int)
        a, b = P[step_of(frames, 1, frame)]
        on_line = 0
        for t in np.linspace(0.1, 0.9, 9):
            if kind == "line":
                x, y = x0 + t * (x1 - x0), a + b * (x0 + t * (x1 - x0))
            else:                       # along w . x = 0, through the origin
                scale = min(abs(x1), abs(x0), abs(y1), abs(y0))
                x, y = scale * (2 * t - 1) * np.array([-b, a]) / np.hypot(a, b)
            if not (x0 < x < x1 and y0 < y < y1):
                continue
            r, c = panel_pixel(d, x, y)
            patch = image[r - 1:r + 2, c - 1:c + 2].reshape(-1, 3)
            assert np.min(np.abs(patch - rgb("#ff00ff")).sum(axis=1)) <= 12, (frame, t, patch)
            on_line += 1
        assert on_line >= 3
        if kind == "logistic":
            check_regions(frames, image, frame, lambda cells: (cells @ np.array([a, b]) > 0).astype(int), X)


@pytest.mark.parametrize("size", [(360, 640), (540, 960)])
def test_a_portrait_frame_stacks_loss_and_data_panels_inside_the_frame(size):
    from render import datasets
    from render.models import MLP
    X, y = datasets.spirals(60, seed=0)
    model = MLP(X, y, hidden=(5,), seed=1)
    runs = [Run(opt.GD(lr=0.5), model.init, label="GD"), Run(opt.Adam(lr=0.05), model.init, label="Adam")]
    for view in (View2D(loss_panel=True, data_panel=True, legend=True), View2D(data_panel=True, legend="outside")):
        frames, _ = final_frame(Scene(surface=model, steps=10, runs=runs, views=[view]), view, size)
        d = frames.drawing
        renderer = d.figure.canvas.get_renderer()
        W, H = d.figure.bbox.width, d.figure.bbox.height
        boxes = [ax.get_tightbbox(renderer, bbox_extra_artists=[]) for ax in d.panes]
        legend = d.ax.get_legend().get_window_extent(renderer)
        assert len(boxes) == 1 + bool(view.loss_panel) + 1
        assert legend.y0 >= 0 and (legend.y1 <= boxes[-1].y0 if view.legend == "outside" else legend.y0 > boxes[1].y1)
        for upper, lower in zip(boxes, boxes[1:]):
            assert lower.y1 < upper.y0                        # stacked, apart
        for box in boxes:
            assert box.x0 >= 0 and box.x1 <= W and box.y0 >= 0 and box.y1 <= H
        assert d.panes[-1] is d.data.ax and d.ax.get_window_extent(renderer).width > 0.75 * W


def test_the_status_line_fits_its_frame_briefer_and_naming_fewer_runs_when_narrow():
    from render import datasets
    from render.models import MLP
    X, y = datasets.spirals(60, seed=0)
    model = MLP(X, y, hidden=(5,), seed=1)
    runs = [Run(rule, model.init) for rule in (opt.GD(lr=0.5), opt.Momentum(lr=0.1, momentum=0.9),
                                               opt.RMSprop(lr=0.01), opt.Adam(lr=0.05))]
    view = View2D(loss_panel=True)
    scene = Scene(surface=model, steps=10, runs=runs, views=[view])
    texts = {}
    for size in ((1280, 720), (640, 360), (360, 640)):
        frames, _ = final_frame(scene, view, size)
        d = frames.drawing
        line = d.status_text.get_text()
        x, _ = d.status_text.get_transform().transform((0, 1))
        assert x + d.status_text.width(line, d.figure.dpi) <= d.figure.bbox.width - 4, (size, line)
        assert line.startswith("step 10, loss: ") and line.count("(") >= 1
        texts[size] = line
    wide, low, narrow = texts.values()
    # Wide, three runs are named (in the brief form: the full one does not fit at this type
    # size), the fourth counted; narrower, fewer are.
    assert wide.count(" off)") == 3 and wide.endswith(", +1 more")
    assert len(narrow) < len(wide) and narrow.count(" off)") < 3 and narrow.endswith("more")


# --- small multiples -------------------------------------------------------------------------------

def test_multiples_draw_each_run_in_its_own_panel_with_its_name_loss_and_head():
    from render import Multiples
    runs = [Run(opt.Adam(lr=0.3), (-1.5, 2.0), color="#ff00ff", label="Adam"),
            Run(opt.GD(lr=1e-3), (1.0, -0.5), color="#00ffff"),
            Run(opt.GD(lr=0.02), (-1.0, 1.5), color="#00aa00", label="too fast")]
    view = Multiples(window=(-2, 2, -1, 3), columns=2)
    scene = Scene("rosenbrock", runs, 30, views=[view])
    frames, last = final_frame(scene, view, (640, 360))
    d = frames.drawing
    t = d.trajectories
    assert len(d.axes) == 3 and [ax.get_title(loc="left") for ax in d.axes] == ["Adam", "GD(lr=0.001)", "too fast"]
    # Two columns: the third panel starts a second row, under the first.
    boxes = [ax.get_position() for ax in d.axes]
    assert boxes[1].x0 > boxes[0].x1 and boxes[2].y1 < boxes[0].y0 and abs(boxes[2].x0 - boxes[0].x0) < 1e-9
    for k in (0, 1):
        x, y = t.positions[k, -1]
        u, v = d.axes[k].transData.transform((x, y))
        row, col = int(round(360 - v - 0.5)), int(round(u - 0.5))
        patch = last[row - 1:row + 2, col - 1:col + 2].reshape(-1, 3).astype(int)
        want = np.array([int(runs[k].color[j:j + 2], 16) for j in (1, 3, 5)])
        assert np.min(np.abs(patch - want).sum(axis=1)) <= 12, (k, patch)
        assert d.losses[k].get_text() == f"{t.losses[k, -1]:.3g}"
        # Each panel draws its own run only: the others' ends are not in its trail.
        assert np.array_equal(d.trails[k].get_xydata()[-1], t.positions[k, -1])
    assert t.diverged_at[2] > 0
    assert d.losses[2].get_text() == f"diverged at {t.diverged_at[2]}"
    assert len(d.crosses[2].get_xdata()) == 1 and len(d.heads[2].get_xdata()) == 0
    assert d.status_text.get_text() == "step 30"


def test_multiples_refuse_more_panels_than_they_can_show():
    from render import Multiples, Swarm
    with pytest.raises(ValueError, match=r"^Scene: views\[0\] draws a panel a run, and 49 runs are more than 36 panels; "
                                         r"draw a crowd with View2D$"):
        Scene("bowl", [Swarm(opt.GD(lr=0.1), grid=7)], 5, views=[Multiples()])
    with pytest.raises(ValueError, match=r"^Multiples: columns must be a whole number in \[1, 36\], got 0$"):
        Multiples(columns=0)
    with pytest.raises(ValueError, match=r"^Multiples: levels must be one of"):
        Multiples(levels="cubic")
