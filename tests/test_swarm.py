"""Swarms: hundreds of runs drawn as a few collections, fading, coloured by basin."""
import dataclasses

import helpers
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb, to_rgba_array
from matplotlib.path import Path
from matplotlib.text import Text
from test_plan import HIMMELBLAU_MINIMA

from render import Camera, Run, Scene, Swarm, View2D, View3D, optimizers as opt
from render import plan as planning, themes
from render.frames import FrameSource
from render.views.swarm import BASIN_TINT

BASINS = Swarm(opt.GD(lr=0.01), grid=12, color_by="basin", label="gd")


def rgb255(color):
    return np.array([round(255 * v) for v in to_rgb(color)])


def pixel(drawing, ax, x, y):
    """(row, column) of data point (x, y) in the frame."""
    px, py = ax.transData.transform((x, y))
    return int(round(drawing.figure.bbox.height - py - 0.5)), int(round(px - 0.5))


@pytest.mark.parametrize("view", [View2D(loss_panel=True), View3D()], ids=["2d", "3d"])
def test_a_swarm_is_a_few_artists_however_many_runs_it_has(view):
    counts = []
    for n in (3, 20):
        scene = Scene("himmelblau", [Swarm(opt.GD(lr=0.01), grid=n)], 10, views=[view])
        d = FrameSource(planning.build(scene), view, (320, 180)).drawing
        drawn = [a for a in d.ax.get_children() if not isinstance(a, Text)]   # contour labels vary
        counts.append((len(d.animated), len(drawn)))
    assert counts[0] == counts[1]
    # Trails, their faint history and heads on the plot, the four minima over them; the
    # median line and the band on the loss panel; the status. (In 3D: trails, heads, the
    # status.)
    assert counts[0][0] == (6 + 4 if isinstance(view, View2D) else 3)


def segments_of(collection):
    """A collection of compound paths as its segments (n, 2, 2) and each one's colour (n, 4)."""
    pairs, colours = [], []
    for path, rgba in zip(collection.get_paths(), collection.get_edgecolor()):
        assert list(path.codes[:2]) == [Path.MOVETO, Path.LINETO] and len(set(path.codes[::2])) == 1
        v = path.vertices.reshape(-1, 2, 2)
        pairs.append(v)
        colours.append(np.repeat(rgba[None], len(v), axis=0))
    return np.concatenate(pairs), np.concatenate(colours)


def head_points(lines):
    """Where a 2D swarm's head markers are (a line of markers for each colour)."""
    return np.concatenate([np.column_stack(line.get_data()) for line in lines])


def test_trails_fade_over_their_tail_and_end_at_the_heads():
    scene = Scene("himmelblau", [dataclasses.replace(BASINS, tail=5)], 40, views=[View2D()])
    frames = FrameSource(planning.build(dataclasses.replace(scene, trim=False)), scene.views[0], (320, 180))
    layer, trails, heads, history = frames.drawing.swarms[0]
    frames.frame(20)
    P = frames.drawing.trajectories.positions
    # The faint history grows by the frame's segments, drawn over those of the frames before.
    grown, rgba = segments_of(history)
    assert len(grown) == 144 and np.allclose(rgba[:, 3], 0.16)
    # The fading trails: a path for each age and colour, the oldest first.
    segments, rgba = segments_of(trails)
    assert len(segments) == 144 * 5                       # five segments a run, none older
    assert len(trails.get_paths()) == 5 * 4                # five ages, four basins' colours
    alpha = trails.get_edgecolor()[:, 3]
    np.testing.assert_allclose(alpha, np.repeat(0.9 * (1 - np.arange(4, -1, -1) / 6), 4))
    newest, oldest = segments[rgba[:, 3] == alpha.max()], segments[rgba[:, 3] == alpha.min()]
    key = lambda points: sorted(map(tuple, np.round(points, 12)))          # noqa: E731
    assert key(newest[:, 1]) == key(P[:, 20]) and key(oldest[:, 0]) == key(P[:, 15])
    # Each segment is a step of a run, in that run's colour.
    colour = {tuple(np.round(p, 12)): c for p, c in zip(P[:, 20], to_rgba_array(frames.drawing.colors))}
    for (a, b), c in zip(newest, rgba[rgba[:, 3] == alpha.max()]):
        assert np.allclose(colour[tuple(np.round(b, 12))][:3], c[:3])
    assert key(head_points(heads)) == key(P[:, 20])
    assert [tuple(line.get_markerfacecolor()) for line in heads] == [tuple(c) for c in layer.colours]
    # Whole trails are the history itself, grown by each frame's steps: nothing moves.
    whole = FrameSource(planning.build(dataclasses.replace(scene, runs=[dataclasses.replace(BASINS, tail=None)],
                                                           trim=False)), scene.views[0], (320, 180))
    whole.frame(20)
    _, trails, _, history = whole.drawing.swarms[0]
    assert trails.get_paths() == []
    grown, rgba = segments_of(history)
    assert len(grown) == 144 and np.allclose(rgba[:, 3], 1 - 0.7 * 0.84)


def test_each_basin_shows_in_its_colour_around_its_minimum_and_on_its_starts():
    view = View2D(legend="outside")
    scene = Scene("himmelblau", [BASINS], 150, views=[view])
    frames, last = helpers.final_frame(scene, view, (640, 360))
    d = frames.drawing
    by_label = dict(zip(d.plan.legend_labels, d.colors))
    assert len(by_label) == 4
    heads = {to_hex(line.get_markerfacecolor()): np.column_stack(line.get_data()) for line in d.swarms[0][2]}
    for x, y in HIMMELBLAU_MINIMA:
        colour = by_label[f"gd \u2192 ({x:.3g}, {y:.3g})"]
        # Its runs' heads are there, under the minimum's star (drawn over a swarm's heads,
        # so the minima stay seen); its colour all around.
        own = heads[to_hex(colour)]
        assert len(own) == sum(c == colour for c in d.colors) and np.allclose(own, (x, y), atol=0.01)
        r, c = pixel(d, d.ax, x, y)
        assert np.array_equal(last[r, c], rgb255(d.theme.text)), (x, y, last[r, c])
        ring = last[r - 20:r + 21, c - 20:c + 21].reshape(-1, 3).astype(float)
        tints = np.array([rgb255(themes.tint(c, d.theme.background, BASIN_TINT)) for c in by_label.values()])
        nearest = np.argmin(np.linalg.norm(ring[:, None] - tints[None], axis=-1), axis=1)
        assert np.bincount(nearest, minlength=4).argmax() == list(by_label.values()).index(colour)
    # Each basin is a filled region, its colour's pale tint laid over the surface: at every
    # start away from the minima, of the four basins' tints so laid, its own is the nearest.
    animated = [a for a in d.animated]
    for a in animated:
        a.set_visible(False)
    d.figure.canvas.draw()
    regions = np.asarray(d.figure.canvas.buffer_rgba())[..., :3].astype(float)
    fills = [c for c in d.ax.images if c.get_zorder() == 1.5]
    assert len(fills) == 1
    for c in fills:
        c.set_visible(False)
    d.figure.canvas.draw()
    under = np.asarray(d.figure.canvas.buffer_rgba())[..., :3].astype(float)
    tints = np.array([rgb255(themes.tint(c, d.theme.background, BASIN_TINT)) for c in by_label.values()])
    P0 = d.trajectories.positions[:, 0]
    far = [run for run in range(144) if np.min(np.hypot(*(P0[run] - HIMMELBLAU_MINIMA).T)) > 0.5]
    for run in far:
        r, c = pixel(d, d.ax, *P0[run])
        # (The median of the pixels around it: a dashed level or its label may pass there.)
        seen, beneath = (np.median(a[r - 3:r + 4, c - 3:c + 4].reshape(-1, 3), axis=0) for a in (regions, under))
        distance = np.linalg.norm(0.85 * tints + 0.15 * beneath - seen, axis=1)
        own = list(by_label.values()).index(d.colors[run])
        assert np.argmin(distance) == own and distance[own] < 6, (run, distance)
    # The regions are smooth: no start is marked on its own (no quilt of tiles).
    assert not [c for c in d.ax.collections if len(c.get_offsets()) == 144 and c.get_zorder() < 4]
    # At the end the runs are still there: their faint history of every trail, over the map.
    for c in fills + animated:
        c.set_visible(True)
    history = d.swarms[0][3]
    history.set_visible(False)
    with_history = last.astype(int)
    without = helpers.final_frame(scene, view, (640, 360))[0]
    without.drawing.swarms[0][3].set_visible(False)
    bare = without.frame(len(without) - 1).astype(int)
    assert (np.abs(with_history - bare).max(axis=-1) > 12).sum() > 2000


def test_the_legend_has_one_entry_a_basin_and_the_status_line_one_part_a_swarm():
    view = View2D()
    lone = Run(opt.Adam(lr=0.1), (0.0, 0.0), label="lone")
    scene = Scene("himmelblau", [BASINS, lone], 150, views=[view])
    frames, _ = helpers.final_frame(scene, view, (640, 360))
    d = frames.drawing
    texts = [t.get_text() for t in d.ax.get_legend().get_texts()]
    counts = sorted(int(t.split("\u00d7")[1]) for t in texts if t.startswith("gd"))
    assert len(counts) == 4 and sum(counts) == 144 and "lone" in texts
    losses = d.trajectories.losses[:144, -1]
    assert d.status_text.get_text() == (f"step 150, loss: gd \u00d7144 (median {np.median(losses):.3g}), "
                                        f"lone ({d.trajectories.losses[144, -1]:.3g})")


def test_the_loss_panel_shows_each_basins_median_and_middle_eight_tenths():
    view = View2D(loss_panel=True)
    scene = Scene("himmelblau", [BASINS], 30, views=[view])
    frames = FrameSource(planning.build(scene), view, (320, 180))
    frames.frame(12)
    d = frames.drawing
    (values, band, line), *_ = d.loss.bands
    rows = [i for i, c in enumerate(d.colors) if c == line.get_color()]
    losses = d.trajectories.losses[rows][:, d.plan.steps[:13]]
    drawn = d.loss.axis.drawn                     # (on a log axis, nothing below its floor)
    np.testing.assert_allclose(line.get_ydata(), drawn(np.median(losses, axis=0)))
    outline = band.get_paths()[0].vertices
    np.testing.assert_allclose(outline[:13, 1], drawn(np.percentile(losses, 10, axis=0)))
    np.testing.assert_allclose(outline[13:26, 1], drawn(np.percentile(losses, 90, axis=0))[::-1])


def test_a_3d_swarm_is_drawn_over_the_surface_in_its_colour():
    view = View3D(camera=Camera(elev=50, azim=-60))
    swarm = Swarm(opt.GD(lr=0.01), grid=8, color="#0072b2")
    scene = Scene("himmelblau", [swarm], 40, views=[view])
    _, before = helpers.final_frame(scene, view, (640, 360))
    recoloured = dataclasses.replace(scene, runs=[dataclasses.replace(swarm, color="#000000")])
    _, after = helpers.final_frame(recoloured, view, (640, 360))
    changed = np.max(np.abs(before.astype(int) - after.astype(int)), axis=-1) > 80
    assert changed.sum() >= 300, changed.sum()
    # Its heads sit at the minima, in exactly its colour.
    frames, last = helpers.final_frame(scene, view, (640, 360))
    d = frames.drawing
    heads = d.swarms[0][2]
    from mpl_toolkits.mplot3d import proj3d
    x, y, z = np.concatenate([np.column_stack(line.get_data_3d()) for line in heads]).T
    px, py, _ = proj3d.proj_transform(x, y, z, d.ax.get_proj())
    xy = d.ax.transData.transform(np.column_stack([px, py]))
    hits = [tuple(last[int(round(d.figure.bbox.height - v - 0.5)), int(round(u - 0.5))]) for u, v in xy]
    # Every head is there at the end, its run arrived below the grid's lowest point.
    assert len(hits) == len(scene.runs)
    assert sum(h == tuple(rgb255("#0072b2")) for h in hits) >= 0.9 * len(hits)


def test_a_3d_swarms_trails_are_a_projected_path_for_each_age_and_colour_and_whole_trails_grow():
    view = View3D(camera=Camera(elev=50, azim=-60))
    scene = Scene("himmelblau", [dataclasses.replace(BASINS, tail=5)], 40, views=[view])
    frames = FrameSource(planning.build(dataclasses.replace(scene, trim=False)), view, (320, 180))
    frames.frame(20)
    _, trails, heads, grows = frames.drawing.swarms[0]
    # (Steps below the surface's lowest point are cut: the box is the surface's.)
    assert not grows and 10 < len(trails.groups) <= 5 * 4 and len(trails.get_paths()) == len(trails.groups)
    assert 2 * 144 * 4 < sum(len(g) for g in trails.groups) <= 2 * 144 * 5    # both ends of each step
    fade = np.round(0.9 * (1 - np.arange(4, -1, -1) / 6), 9)
    alpha = np.round(trails.get_edgecolor()[:, 3], 9)
    assert set(alpha) <= set(fade) and list(alpha) == sorted(alpha)         # the oldest first
    P = frames.drawing.trajectories.positions
    ends = np.concatenate([np.column_stack(line.get_data_3d()) for line in heads])
    key = lambda points: sorted(map(tuple, np.round(points, 12)))          # noqa: E731
    assert key(ends[:, :2]) == key(P[:, 20])
    whole = dataclasses.replace(scene, runs=[dataclasses.replace(BASINS, tail=None)], trim=False)
    source = FrameSource(planning.build(whole), view, (320, 180))
    again = FrameSource(planning.build(whole), view, (320, 180))
    _, trails, _, grows = source.drawing.swarms[0]
    assert grows and trails in source.drawing.growing
    # Grown frame by frame or drawn at once, the same pixels.
    for k in range(0, 21, 5):
        source.frame(k)
    np.testing.assert_array_equal(source.frame(20), again.frame(20))
