"""Figures that tell their lesson: every run seen (runs at one place too), the frame fitted to
what the runs do, a run off the frame marked on the edge it left by, time that follows
motion, and type that can be read at 960x540 and at 640x360."""
import dataclasses
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.text import Text

from render import Camera, Run, Scene, View2D, View3D, optimizers as opt
from render import plan as planning
from render.frames import FrameSource
from render.load import load
from render.scene import ResponseScene
from render.views.base import TEXT
from render.views.glyphs import GlyphText, compose
from render.views.marks import Marks
from render.views.runs import EDGE, HEAD

SCENES = Path(__file__).resolve().parent.parent / "scenes"


@lru_cache(maxsize=None)
def gallery(stem):
    return dict(load(SCENES / f"{stem}.py"))


def rgb255(color):
    return np.array([round(255 * v) for v in to_rgb(color)])


def final(scene, view, size=(640, 360)):
    source = FrameSource(planning.build(scene), view, size)
    return source, source.frame(len(source) - 1).astype(int)


# --- every run seen --------------------------------------------------------------------------------

FEW = [(stem, name, view.name) for stem in sorted(p.stem for p in SCENES.glob("*.py"))
       for name, scene in load(SCENES / f"{stem}.py") if not isinstance(scene, ResponseScene)
       and len(scene.runs) <= 8 for view in scene.views if isinstance(view, View2D)]


@pytest.mark.parametrize("stem,name,view", FEW, ids=[f"{n}-{v}" for _, n, v in FEW])
def test_in_the_final_frame_of_a_gallery_2d_view_every_run_shows_its_colour(stem, name, view):
    scene = gallery(stem)[name]
    source, last = final(scene, scene.view(view))
    d = source.drawing
    plot = d.ax.get_window_extent(d.figure.canvas.get_renderer())
    rows = slice(int(360 - plot.y1), int(360 - plot.y0))
    cols = slice(int(plot.x0), int(plot.x1))
    inside = last[rows, cols]
    for run, colour in enumerate(d.colors):
        exact = np.all(np.abs(inside - rgb255(colour)) <= 6, axis=-1).sum()
        assert exact >= 12, (name, scene.runs[run].label, colour, exact)


def test_runs_at_one_place_share_a_split_disc_and_one_label():
    # The blog's master plot: SGD and SGD-momentum end at the minimum together.
    scene = gallery("ols_compare")["ols_compare"]
    source, last = final(scene, scene.views[0])
    d = source.drawing
    together, = [p for p in d.marks.places(len(source) - 1) if len(p.members) > 1]
    assert [d.plan.short_names[d.marked_runs[k]] for k in together.members] == ["SGD", "SGD-momentum"]
    assert "".join(t for t, _ in together.text) == "SGD = SGD-momentum"
    # Each name in its run's colour (as text, made readable), one disc with a wedge of each.
    u, v = together.at
    r, c = int(round(360 - v)), int(round(u))
    disc = last[r - 5:r + 6, c - 5:c + 6].reshape(-1, 3)
    for run in together.members:
        colour = rgb255(d.colors[d.marked_runs[run]])
        assert np.all(np.abs(disc - colour) <= 6, axis=-1).sum() >= 15, d.colors[run]
    # The label is beside it, clear of every other label and head.
    others = [p for p in d.marks.places(len(source) - 1) if p is not together]
    x0, y0, x1, y1 = together.box
    for p in others:
        a0, b0, a1, b1 = p.box
        assert a1 <= x0 or x1 <= a0 or b1 <= y0 or y1 <= b0


def test_where_paths_coincide_the_earlier_colour_is_dashed_over_the_later():
    start = (-1.5, 2.0)
    twins = [Run(opt.Adam(lr=0.05), start, label="Adam", color="#0072b2"),
             Run(opt.Adam(lr=0.05), start, label="twin", color="#d55e00")]
    view = View2D(window="surface")
    scene = Scene("rosenbrock", twins, 40, views=[view])
    source, last = final(scene, view)
    d = source.drawing
    (over, line), = d.overlays
    assert line.get_color() == "#0072b2" and line.get_linestyle() == "--"
    # Along the shared path (away from the heads and the start) both colours show, each in
    # about half of it.
    P = d.ax.transData.transform(d.trajectories.positions[1, 5:30])
    along = np.concatenate([a + np.linspace(0, 1, 8)[:, None] * (b - a) for a, b in zip(P[:-1], P[1:])])
    seen = {tuple(rgb255(c)): 0 for c in ("#0072b2", "#d55e00")}
    for u, v in along:
        patch = last[int(round(360 - v)) - 1:int(round(360 - v)) + 2, int(round(u)) - 1:int(round(u)) + 2]
        for colour in seen:
            seen[colour] += int(np.any(np.all(np.abs(patch.reshape(-1, 3) - colour) <= 6, axis=-1)))
    assert all(n >= 0.25 * len(along) for n in seen.values()), (seen, len(along))


# --- the frame fits the action -------------------------------------------------------------------------

def test_runs_using_a_tenth_of_the_window_are_framed_to_span_half_the_plot():
    # The bowl's window is 14 wide; these runs stay within 1.4 of it.
    runs = [Run(opt.GD(lr=0.05), (1.0, 1.2)), Run(opt.Adam(lr=0.05), (1.2, 0.6))]
    for view in (View2D(), View3D()):
        scene = Scene("bowl", runs, 40, views=[view])
        source, _ = final(scene, view)
        d = source.drawing
        xmin, xmax, ymin, ymax = scene.surface.window
        P = d.trajectories.positions.reshape(-1, 2)
        assert np.ptp(P[:, 0]) <= 0.1 * (xmax - xmin) and np.ptp(P[:, 1]) <= 0.1 * (ymax - ymin)
        if isinstance(view, View2D):
            pixels = d.ax.transData.transform(P)
            plot = d.ax.get_window_extent(d.figure.canvas.get_renderer())
            assert np.ptp(pixels[:, 0]) >= 0.5 * plot.width or np.ptp(pixels[:, 1]) >= 0.5 * plot.height
        else:
            wx0, wx1, wy0, wy1 = d.window
            assert max(np.ptp(P[:, 0]) / (wx1 - wx0), np.ptp(P[:, 1]) / (wy1 - wy0)) >= 0.5
        # The minimum they approach is framed with them.
        assert d.window[0] <= 0 <= d.window[1] and d.window[2] <= 0 <= d.window[3]
    # Runs that use most of the window keep it; window= overrides.
    wide = Scene("bowl", [Run(opt.GD(lr=0.05), (6.0, 6.0)), Run(opt.GD(lr=0.05), (-6.0, -5.0))], 40)
    assert planning.build(wide).window == wide.surface.window
    chosen = View2D(window=(0, 2, 0, 2))
    assert final(dataclasses.replace(scene, views=(chosen,)), chosen)[0].drawing.window == (0, 2, 0, 2)


def test_a_straight_valley_is_not_magnified_into_a_feature():
    # The blog's runs move along slope = 2 with wobbles of a hundredth: the frame keeps a
    # third of the intercept's magnification at least for the slope.
    scene = gallery("ols_compare")["ols_compare"]
    window = planning.build(scene).window
    xmin, xmax, ymin, ymax = scene.surface.window
    (x0, x1, y0, y1) = window
    rel_x, rel_y = (x1 - x0) / (xmax - xmin), (y1 - y0) / (ymax - ymin)
    assert rel_x < 0.7 and rel_y >= rel_x / 3 - 1e-9


# --- a run off the frame is never drawn as if it were in it ---------------------------------------------

def test_a_run_leaving_the_window_is_marked_on_the_side_it_left_in_its_colour():
    # Gradient descent at lr 0.6 on x^2 + y^2 from (3, 0.5) overshoots more each step: it
    # leaves the bowl's window by its right or left side, later by the other.
    runs = [Run(opt.GD(lr=1.1), (3.0, 0.5), label="leaves", color="#d55e00"),
            Run(opt.GD(lr=0.1), (3.0, 3.0), label="stays", color="#0072b2")]
    view = View2D(window="surface")
    scene = Scene("bowl", runs, 12, views=[view], smooth=False)
    source = FrameSource(planning.build(scene), view, (640, 360))
    d = source.drawing
    t = d.trajectories
    xmin, xmax, _, _ = d.window
    out = [f for f in range(len(source)) if not xmin <= t.positions[0, d.steps[f], 0] <= xmax]
    assert out
    for f in out[:2] + out[-1:]:
        image = source.frame(f).astype(int)
        x, y = t.positions[0, d.steps[f]]
        place, = [p for p in d.marks.places(f) if p.members == [0]]
        assert place.kind == EDGE
        # On the side it left by: the arrow's tip on that edge, pointing outwards.
        side = xmax if x > xmax else xmin
        tip = d.ax.transData.inverted().transform(place.at)
        assert abs(tip[0] - side) < 1e-6 * (xmax - xmin)
        assert (np.cos(place.angle) > 0.5) == (x > xmax)
        # In its colour, just inside the edge; no head drawn there.
        u, v = place.at
        r = int(round(360 - v))
        back = int(round(u - np.sign(np.cos(place.angle)) * 8))
        patch = image[r - 3:r + 4, min(back, int(u)) - 1:max(back, int(u)) + 2].reshape(-1, 3)
        assert np.all(np.abs(patch - rgb255("#d55e00")) <= 6, axis=-1).sum() >= 6, f
        # Its label says where it really is.
        text = "".join(s for s, _ in place.text)
        assert text == f"leaves at ({x:.3g}, {y:.3g})"


def test_a_run_that_goes_off_and_diverges_says_so_on_the_edge():
    (_, scene), = load(SCENES / "monkey_saddle.py")
    source, _ = final(scene, scene.views[0])
    d = source.drawing
    k = int(d.trajectories.diverged_at[1])
    gone, = [p for p in d.marks.places(len(source) - 1) if p.members == [1]]
    assert "".join(s for s, _ in gone.text).startswith("momentum")
    assert gone.kind != HEAD and k > 0


# --- time that follows motion ------------------------------------------------------------------------------

def test_the_first_frame_is_held_and_a_still_tail_is_cut():
    # Gradient descent at lr 0.25 on x^2 + y^2 halves the distance each step: after about 20
    # steps nothing moves on screen, though the scene runs 300.
    scene = Scene("bowl", [Run(opt.GD(lr=0.25), (6.0, 5.0))], 300)
    plan = planning.build(scene)
    assert scene.hold_start == 0.5
    assert plan.steps[-1] == 300 and plan.frames <= 30
    still = plan.steps[-2]
    P = plan.trajectories.positions[0]
    xmin, xmax, ymin, ymax = plan.window
    # What was cut would not have moved by a thousandth of the frame.
    assert np.max(np.abs(P[still:] - P[-1]) / (xmax - xmin, ymax - ymin)) < 1e-3
    whole = planning.build(dataclasses.replace(scene, trim=False))
    assert whole.frames == 200 and whole.steps[-1] == 300


def test_log_time_samples_steps_evenly_on_a_log_scale_and_says_so():
    scene = Scene("rosenbrock", [Run(opt.Adam(lr=0.01), (-1.5, 2.0))], 10_000, time="log", trim=False)
    plan = planning.build(scene)
    steps = plan.steps
    assert steps[0] == 0 and steps[1] == 1 and steps[-1] == 10_000 and len(steps) <= 200
    ratios = steps[60:-1][1:] / steps[60:-1][:-1]
    assert np.allclose(ratios, ratios.mean(), rtol=0.1)
    source = FrameSource(plan, scene.views[0], (320, 180))
    assert source.drawing.status(100).startswith(f"step {steps[100]} (log time), loss: ")


def test_few_steps_a_second_glide_along_each_step():
    # 20 steps at 5 a second: each step is drawn in four frames, at 20 frames a second.
    scene = Scene("bowl", [Run(opt.GD(lr=0.1), (6.0, 6.0), label="GD")], 20, fps=5, trim=False)
    plan = planning.build(scene)
    assert plan.fps == 20 and plan.frames == 81
    np.testing.assert_allclose(plan.times[:5], [0, 0.25, 0.5, 0.75, 1])
    source = FrameSource(plan, scene.views[0], (320, 180))
    source.frame(6)
    P = plan.trajectories.positions[0]
    head, = [p for p in source.drawing.marks.places(6)]
    want = P[1] + 0.5 * (P[2] - P[1])                              # halfway along step 2
    np.testing.assert_allclose(head.at, source.drawing.ax.transData.transform(want))
    assert source.drawing.status(6).startswith("step 1, loss: GD")
    still = planning.build(dataclasses.replace(scene, smooth=False))
    assert still.fps == 5 and still.frames == 21


# --- type that can be read -------------------------------------------------------------------------------

def cap_height(size: float, dpi: float) -> int:
    """The height in pixels of a capital as drawn at ``size`` points and ``dpi``."""
    mask, _ = compose("H", size, dpi)
    rows = np.flatnonzero(mask.max(axis=1) > 96)
    return int(rows[-1] - rows[0] + 1)


def texts(drawing) -> list:
    """(size in points, text) of everything drawn as text in a frame: matplotlib's texts,
    tick labels and legends, the status lines, and the runs' names."""
    fig = drawing.figure
    renderer = fig.canvas.get_renderer()
    found = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and t.get_window_extent(renderer).width > 0:
            found.append((t.get_fontsize(), t.get_text()))
    for a in fig.findobj(GlyphText):
        if a.get_text():
            found.append((a._size, a.get_text()))
    for marks in fig.findobj(Marks):
        found += [(TEXT, "".join(s for s, _ in p.text)) for p in marks.current if p.box is not None]
    return found


VIEWS = {
    "2d": lambda: (gallery("gd_learning_rates")["gd_learning_rates"], "2d"),
    "2d-data": lambda: (gallery("spirals_mlp")["spirals_mlp"], "2d"),
    "3d": lambda: (gallery("rosenbrock_dark")["rosenbrock_dark"], "3d"),
    "multiples": lambda: (gallery("momentum_sweep")["momentum_sweep"], "multiples"),
    "sweep": lambda: (gallery("momentum_sweep")["momentum_sweep"], "sweep"),
    "responses": lambda: (gallery("gradient_response")["response_adam"], "responses"),
    "schedules": lambda: (gallery("schedules")["schedules"], "2d"),
}


@pytest.mark.parametrize("size,least", [((960, 540), 11), ((640, 360), 9)], ids=["960", "640"])
@pytest.mark.parametrize("kind", list(VIEWS))
def test_no_text_is_smaller_than_can_be_read(kind, size, least):
    scene, view = VIEWS[kind]()
    source = FrameSource(planning.build(scene), scene.view(view), size)
    source.frame(len(source) // 2)
    d = source.drawing
    found = texts(d)
    assert len(found) >= 10, found
    small = [(s, t) for s, t in found if cap_height(s, d.figure.dpi) < least]
    assert not small, small
    # The same figure at twice the resolution: twice the pixels, the same layout.
    if size == (960, 540) and kind == "2d":
        big = FrameSource(planning.build(scene), scene.view(view), (1920, 1080)).drawing
        assert big.figure.dpi == 2 * d.figure.dpi
        assert big.figure.get_size_inches().tolist() == pytest.approx(d.figure.get_size_inches().tolist(), rel=1e-3)


def test_a_long_title_wraps_instead_of_shrinking():
    title = "A title far longer than a frame of six hundred and forty pixels can hold on one line of it"
    scene = Scene("bowl", [Run(opt.GD(lr=0.1), (3.0, 3.0))], 5, title=title)
    d = FrameSource(planning.build(scene), scene.views[0], (640, 360)).drawing
    suptitle = d.figure._suptitle
    assert suptitle.get_fontsize() == 14 and suptitle.get_text().count("\n") >= 1
    assert suptitle.get_text().replace("\n", " ") == title
    box = suptitle.get_window_extent(d.figure.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= 640
    # The status line and the plot make room under it.
    assert d.ax.get_window_extent(d.figure.canvas.get_renderer()).y1 < box.y0


# --- colour that means one thing ---------------------------------------------------------------------------

def test_a_run_keeps_its_colour_in_every_panel():
    scene = gallery("schedules")["schedules"]
    source, _ = final(scene, scene.views[0], (320, 180))
    d = source.drawing
    trails = [t.get_color() for t in d.trails]
    assert [line.get_color() for line in d.loss.lines] == trails == list(d.colors)
    assert [line.get_color() for _, _, line in d.loss.rates] == trails
    # Small multiples of ten tuned optimizers: ten colours, none repeated.
    fair = gallery("fair_race")["fair_race"]
    colours = planning.build(fair).colors
    assert len(set(colours)) == len(colours) == 10
    # The cells of a sweep are one optimizer: one colour.
    sweep = gallery("momentum_sweep")["momentum_sweep"]
    assert len(set(planning.build(sweep).colors)) == 1


# --- 3D that reads -----------------------------------------------------------------------------------------

def test_a_loss_spanning_decades_is_drawn_on_a_log_height_with_ticks_in_loss_units():
    view = View3D(camera=Camera(elev=35, azim=-70))
    scene = Scene("rosenbrock", [Run(opt.Adam(lr=0.05), (-1.5, 2.0), label="Adam")], 100, views=[view])
    d = FrameSource(planning.build(scene), view, (640, 360)).drawing
    height = d.height
    assert height.log and d.ax.get_zlabel() == "loss (log scale)"
    d.figure.canvas.draw()
    ticks = [(t.get_position(), t.get_text()) for t in d.ax.zaxis.get_ticklabels() if t.get_text()]
    assert len(ticks) >= 3
    floor, *decades = zip(d.ax.zaxis.get_ticklocs(), (t for _, t in ticks))
    for tick, text in decades:
        assert float(text.replace(",", "")) == pytest.approx(height.loss(tick), rel=0.05)
    # The scale's floor says that lower losses are drawn there.
    assert floor[1].startswith("\u2264 ") and float(floor[1][2:]) == pytest.approx(height.floor + height.eps, rel=0.05)
    linear = dataclasses.replace(view, z="linear")
    flat = FrameSource(planning.build(dataclasses.replace(scene, views=(linear,))), linear, (640, 360)).drawing
    assert not flat.height.log and flat.ax.get_zlabel() == "loss"
    # Lit: cells of one height differ in colour by the slope they face.
    colours = d.mesh.colors[..., :3].reshape(-1, 3)
    assert np.ptp(colours.sum(axis=1)) > 0.3
    # The run's path has a halo.
    assert d.paths[0].get_path_effects()
