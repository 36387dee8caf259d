"""Many runs: batched into a few artists, a crowd's trails grown a frame at a time, and
every frame the same as the plan says, whichever frames were drawn before it."""
import dataclasses

import numpy as np
import pytest
from test_plan import DIVERGES_AT_40

from render import Run, Scene, View2D, View3D, optimizers as opt
from render import plan as planning
from render import views
from render.frames import FrameSource
from render.load import load
from render.views.base import clip_path

SIZE = (320, 180)


def crowd(n=40, singles=(), steps=30, views_=None):
    """``n`` Adam runs under one label from starts spread over (and past) Rosenbrock's
    window, a fifth of them too fast (they diverge or fly out of the box), and ``singles``."""
    rng = np.random.default_rng(3)
    starts = rng.uniform((-2.4, -1.4), (2.4, 3.4), size=(n, 2))
    runs = [Run(opt.Adam(lr=0.05 if k % 5 else 2.5), tuple(s), label="Adam") for k, s in enumerate(starts)]
    with pytest.warns(UserWarning, match="outside the surface's window"):
        return Scene("rosenbrock", list(singles) + runs, steps,
                     views=views_ or [View2D(arrows=True, loss_panel=True), View3D()])


def expected_trail(plan, batches, k, frame):
    """What one run's trail and head are at ``frame``, worked out from scratch: the plan's
    moments for it, its points, cut to the box; its head where it is, if that is inside."""
    idx, _ = plan.trail(int(batches.runs[k]), frame)
    points = np.asarray(batches.points(batches.runs[[k]], idx), float).reshape(len(idx), batches.dims)
    if batches.box is None:
        return points, (points[-1] if len(points) else None)
    path, _ = clip_path(points, *batches.box)
    lo, hi = batches.box
    inside = len(points) and np.all((points[-1] >= lo) & (points[-1] <= hi))
    return path, (points[-1] if inside else None)


@pytest.mark.parametrize("stem", ["gd_learning_rates", "beale_race", "crowd"])
def test_every_runs_trail_at_every_frame_is_its_path_cut_to_the_box(stem):
    # gd_learning_rates has runs that bounce out of the window and back and one that
    # diverges; the crowd has runs flying off and diverging; Beale's trails pass exactly
    # through the box's corners' lines.
    scenes = [crowd()] if stem == "crowd" else [s for _, s in load(f"scenes/{stem}.py")]
    checked = 0
    for scene in scenes:
        plan = planning.build(scene)
        for view in scene.views:
            d = FrameSource(plan, view, (160, 90)).drawing
            for batches in [d.batches] + ([d.loss.batches] if getattr(d, "loss", None) else []):
                for frame in range(plan.frames):
                    trails, heads, moving = batches.at(frame)
                    for members, joined in zip(batches.members, trails):
                        want = [expected_trail(plan, batches, k, frame) for k in members]
                        parts = [p for p, _ in want if len(p)]
                        gap = np.full((1, batches.dims), np.nan)
                        glued = np.concatenate(sum(([gap, p] for p in parts), [])[1:]) if parts else \
                            np.empty((0, batches.dims))
                        np.testing.assert_array_equal(joined, glued)
                        for k, (_, end) in zip(members, want):
                            if end is None:
                                assert np.all(np.isnan(heads[k]))
                            else:
                                np.testing.assert_array_equal(heads[k], end)
                            checked += 1
    assert checked > 300


def test_four_hundred_runs_in_four_entries_are_a_few_artists():
    kinds = [opt.GD(lr=0.1), opt.Momentum(lr=0.1, momentum=0.5), opt.RMSprop(lr=0.05), opt.Adam(lr=0.05)]
    starts = np.random.default_rng(0).uniform((-2, -1), (2, 3), size=(400, 2))
    runs = [Run(kinds[k % 4], tuple(s), label=f"kind {k % 4}") for k, s in enumerate(starts)]
    view = View2D(arrows=True, loss_panel=True)
    scene = Scene("rosenbrock", runs, 10, views=[view])
    source = FrameSource(planning.build(scene), view, SIZE)
    d = source.drawing
    # Per entry: a trail, heads still moving and diverged, a loss curve and its heads (in
    # range, gone over the top or under the bottom, diverged); then the status line (and no
    # arrows: a crowd's would be a thicket; no labels: a crowd is named in the legend).
    assert len(d.batches) == 4 and len(d.animated) == 4 * 8 + 1 and d.marks is None
    assert not hasattr(d, "quiver")
    for trail in d.trails:
        assert trail.get_linewidth() == 1.0 and trail.get_marker() == "none"
    assert d.heads[0].get_markersize() == 5.0
    assert d.status(0).endswith(", +392 more")
    frame = source.frame(len(source) - 1)
    # Every entry's colour is drawn.
    for color in dict.fromkeys(d.colors):
        rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
        assert np.sum(np.all(np.abs(frame.astype(int) - rgb) <= 6, axis=-1)) > 50, color


def test_a_crowd_beside_single_runs_leaves_them_their_dots_and_arrows():
    singles = [Run(opt.GD(lr=1e-3), (-1.5, 2.0), label="GD"), Run(opt.Momentum(lr=1e-3, momentum=0.9),
                                                                   (-1.5, 2.0), label="momentum")]
    scene = crowd(n=12, singles=singles, views_=[View2D(arrows=True)])
    d = FrameSource(planning.build(scene), scene.views[0], SIZE).drawing
    gd, momentum, adam = d.trails
    assert gd.get_marker() == momentum.get_marker() == "o" and adam.get_marker() == "none"
    assert gd.get_linewidth() == momentum.get_linewidth() > adam.get_linewidth() == 1.0
    assert d.growing == [adam]
    assert len(d.quiver.get_offsets()) == 2              # arrows for the two single runs only
    assert d.marked_runs == [0, 1]                            # and heads and names


def full_redraw(scene, view, frame):
    """Frame ``frame`` drawn whole, as an orbit or a notebook's animation draws it: every
    trail as one line, nothing kept from the frames before."""
    d = views.build(planning.build(scene), view, SIZE)
    for a in d.animated:
        a.set_animated(False)
    with views.style(d.theme):
        d.update(frame)
        d.figure.canvas.draw()
    return np.asarray(d.figure.canvas.buffer_rgba())[..., :3].copy()


@pytest.mark.parametrize("view", [View2D(loss_panel=True), View3D()], ids=["2d", "3d"])
def test_a_grown_crowd_looks_like_its_trails_drawn_whole(view):
    scene = crowd(views_=[view])
    source = FrameSource(planning.build(scene), view, SIZE)
    assert source.drawing.growing                       # the crowd's trails grow
    for frame in (5, 17, len(source) - 1):
        grown = source.frame(frame)
        whole = full_redraw(scene, view, frame)
        # Drawn a segment at a time, a trail blends its edge pixels twice where segments
        # meet or overlap (a run that bounces back along its path looks a little bolder);
        # the trails are otherwise where and what they are drawn whole.
        off = np.max(np.abs(grown.astype(int) - whole.astype(int)), axis=-1)
        assert (off > 48).mean() < 0.004, f"frame {frame}: {(off > 48).mean():.3%} far off"
        assert off.mean() < 1.5, f"frame {frame}: {off.mean():.2f} off on average"


def test_a_frame_is_the_same_whichever_frames_were_drawn_before_it():
    scene = crowd()
    plan = planning.build(scene)
    for view in scene.views:
        in_order = FrameSource(plan, view, SIZE)
        frames = [in_order.frame(i).copy() for i in range(len(in_order))]
        alone = FrameSource(plan, view, SIZE)
        for i in (20, 3, 3, 29, 0, 11):                  # forwards, backwards, again
            assert np.array_equal(alone.frame(i), frames[i]), (view.name, i)


def test_a_crowd_diverging_ends_its_trails_where_the_plan_says():
    view = View2D(loss_panel=True)
    diverging = DIVERGES_AT_40.runs[0]
    runs = [dataclasses.replace(diverging, label="fast")] * 10
    scene = dataclasses.replace(DIVERGES_AT_40, runs=runs, views=(view,))
    source = FrameSource(planning.build(scene), view, SIZE)
    d = source.drawing
    assert d.growing
    source.frame(2)
    xmin, _, ymin, _ = d.window
    # The trails stop on the window's edge, where the runs left it; no head waits there as if
    # the runs were (they diverged far outside); the loss curves stop at step 39, crossed at
    # step 40, where they diverged.
    np.testing.assert_allclose(d.trails[0].get_xydata()[-1], [xmin, ymin])
    assert len(d.heads[1].get_xdata()) == 0 and len(d.heads[0].get_xdata()) == 0
    moving, up, down, crossed = d.loss.heads[0]
    assert crossed.get_xdata().tolist() == [40] * 10 and len(moving.get_xdata()) == 0
