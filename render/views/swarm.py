"""A swarm drawn as one collection: fading trails, heads, and the starts it came from.

Hundreds of runs drawn one line each are a tangle, and slow: one artist per run. A swarm is
instead two collections that change from frame to frame (every trail's segments, every
head), a faint history of every trail that only grows, and what does not change: the
starts, or, for a grid coloured by basin, the basins themselves as smooth, quiet filled
regions (each in a pale tint of its runs' colour), the map of where each start leads. A
trail's bright segments fade with age over ``tail`` frames, so the picture shows where the
swarm is going; the faint history stays, so the last frame still shows how every run went.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb, to_rgba_array
from matplotlib.path import Path

from .. import themes
from .base import clip_segments

FAINT = 0.3          # a whole trail's opacity (tail=None)
HISTORY = 0.16       # the opacity of the trails' faint history
HEAD_SIZE = 16.0     # points squared
START_SIZE = 7.0     # a start's square, points squared
BASIN_TINT = 0.4     # of a basin's colour in its region's fill, over the background
BASIN_FINE = 10      # the basins' map is drawn this many times finer than the grid of starts


class SwarmLayer:
    """The moving parts of one swarm (``plan.groups[k]``) as arrays for collections.

    ``points(rows, steps)`` gives positions (runs, steps, D): (x, y) for the 2D view, (x, y,
    loss) for the 3D one; ``box`` the (lo, hi) corners anything drawn is cut to.
    """

    def __init__(self, drawing, group, points, box):
        self.drawing = drawing
        self.plan = drawing.plan
        self.group = group
        self.points = points
        self.box = box
        self.rgba = to_rgba_array([drawing.colors[r] for r in group.rows])       # (runs, 4)
        # Each run's colour as a number: 0, 1, ... in the order of the colours.
        self.colours, self.colour_of = np.unique(self.rgba, axis=0, return_inverse=True)
        self.colour_of = self.colour_of.ravel()

    def cell(self, window) -> tuple[float, float] | None:
        """The spacing (dx, dy) of a grid swarm's starts, None for other swarms."""
        swarm = self.plan.scene.runs[int(self.group.rows[0])].swarm
        if swarm is None or swarm.grid is None:
            return None
        xmin, xmax, ymin, ymax = swarm.window or window
        return (xmax - xmin) / swarm.grid[0], (ymax - ymin) / swarm.grid[1]

    def draw_basins(self, ax, window) -> None:
        """The swarm's starts on the 2D plot: for a grid coloured by basin, each basin as a
        smooth filled region in a pale tint of its colour; otherwise each start as a small
        square in its run's colour."""
        cell = self.cell(window)
        swarm = self.plan.scene.runs[int(self.group.rows[0])].swarm
        if cell is None or swarm.color_by != "basin":
            where, rgba = self.starts()
            if len(where):
                ax.scatter(where[:, 0], where[:, 1], s=START_SIZE, marker="s", c=rgba, alpha=0.55,
                           linewidths=0, zorder=3.5)
            return
        nx, ny = swarm.grid
        starts = self.points(self.group.rows, [0])[:, 0].reshape(ny, nx, 2)
        colours = [self.drawing.colors[r] for r in self.group.rows]
        xs, ys = starts[0, :, 0], starts[:, 0, 1]
        xmin, xmax, ymin, ymax = swarm.window or window
        # The grid's cells reach the window's edges: the outer cells' values out to them.
        xs = np.concatenate([[xmin], xs, [xmax]])
        ys = np.concatenate([[ymin], ys, [ymax]])
        basins = list(dict.fromkeys(colours))
        # Each basin's share of each place, bilinear between the starts on a grid ten times
        # finer, and each place given to the basin with the most: smooth borders, no gaps.
        fine_x = np.linspace(xmin, xmax, BASIN_FINE * nx)
        fine_y = np.linspace(ymin, ymax, BASIN_FINE * ny)
        share = []
        for colour in basins:
            inside = np.pad(np.array([c == colour for c in colours], dtype=float).reshape(ny, nx), 1, mode="edge")
            rows = np.array([np.interp(fine_x, xs, row) for row in inside])
            share.append(np.array([np.interp(fine_y, ys, column) for column in rows.T]).T)
        which = np.argmax(np.array(share), axis=0)
        background = self.drawing.theme.background
        fills = np.array([to_rgb(themes.tint(c, background, BASIN_TINT)) for c in basins])
        ax.imshow(fills[which], origin="lower", extent=(xmin, xmax, ymin, ymax), interpolation="nearest",
                  alpha=0.85, aspect="auto", zorder=1.5)

    def history(self, ax):
        """The faint history of every trail (a whole trail, with ``tail=None``): a
        collection of paths the frames grow."""
        history = _strokes(0.8 if self.group.tail is not None else 1.0, 3.8)
        ax.add_collection(history, autolim=False)
        return history

    def moving(self, ax):
        """The trails' bright, fading segments: a collection of paths set at each frame."""
        trails = _strokes(1.0, 4)
        ax.add_collection(trails, autolim=False)
        return trails

    def grow(self, frame: int, history, whole: bool = False):
        """``history`` set to the trails' segments new at ``frame`` (drawn over the frames
        before, they make this frame's history), or (``whole``) to every segment up to
        ``frame`` (a figure drawn whole)."""
        first = 0 if whole else max(0, frame - 1)
        # Whole trails are the history itself, at the opacity a faint trail over the faint
        # history had.
        opacity = HISTORY if self.group.tail is not None else 1 - (1 - FAINT) * (1 - HISTORY)
        paths, rgba = _as_paths(*self._groups(first, frame, lambda age: np.full(len(age), opacity)))
        history.set_paths(paths)
        history.set_edgecolor(rgba)
        return history

    def head_markers(self, ax) -> list:
        """The heads: a line of markers for each of the swarm's colours (a marker is
        stamped, where a scatter of hundreds draws each one: a tenth of the time)."""
        size = float(np.sqrt(HEAD_SIZE))              # a scatter's points squared as a diameter
        empty = [[]] * len(self.box[0])               # (x, y), or (x, y, z) in 3D axes
        return [ax.plot(*empty, linestyle="none", marker="o", markersize=size, markerfacecolor=tuple(c),
                        markeredgecolor="black", markeredgewidth=0.4, zorder=4.8 if len(empty) == 2 else 6)[0]
                for c in self.colours]

    def place_heads(self, frame: int, markers) -> None:
        """``markers`` (``head_markers``) at the heads of ``frame`` still in the box."""
        P = self.points(self.group.rows, self.plan.times[[frame]])[:, 0]
        inside = self._inside(P)
        for c, line in enumerate(markers):
            shown = P[inside & (self.colour_of == c)]
            if P.shape[1] == 3:
                line.set_data_3d(*shown.T)
            else:
                line.set_data(shown[:, 0], shown[:, 1])

    def move(self, frame: int, trails):
        """``trails`` set to the fading segments of ``frame`` (none for whole trails: those
        are the history)."""
        paths, rgba = ([], np.empty((0, 4))) if self.group.tail is None else _as_paths(*self.fading(frame))
        trails.set_paths(paths)
        trails.set_edgecolor(rgba)

    def _groups(self, first: int, frame: int, opacity) -> tuple[list, np.ndarray]:
        """The trails' segments from frame ``first`` to ``frame`` cut to the box, gathered
        by age and colour (the oldest first: newer segments are drawn over older ones):
        each gathering's segments' ends, (2 x segments, D), and its colour (n, 4), at
        ``opacity(ages)``."""
        shown = np.arange(first, frame + 1)
        if len(shown) < 2:
            return [], np.empty((0, 4))
        P = self.points(self.group.rows, self.plan.times[shown])            # (runs, m + 1, D)
        runs, m, D = P.shape[0], P.shape[1] - 1, P.shape[2]
        a, b = P[:, :-1].reshape(-1, D), P[:, 1:].reshape(-1, D)
        a, b, seen = clip_segments(a, b, *self.box)
        if not seen.any():
            return [], np.empty((0, 4))
        k = np.tile(np.arange(m), runs)                     # each segment's place, oldest 0
        keys = (k * len(self.colours) + np.repeat(self.colour_of, m))[seen]
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        ends = np.stack([a[seen], b[seen]], axis=1)[order].reshape(-1, D)
        groups, starts = np.unique(keys, return_index=True)
        rgba = self.colours[groups % len(self.colours)].copy()
        rgba[:, 3] = opacity(frame - shown[1:][groups // len(self.colours)])
        return np.split(ends, 2 * starts[1:]), rgba

    def fading(self, frame: int, since: int = 0) -> tuple[list, np.ndarray]:
        """The trails of ``frame`` as ``_groups``: the last ``tail`` frames' segments,
        fading, or (``tail=None``, drawn so in 3D only) every segment from frame ``since``
        on, faint."""
        tail = self.group.tail
        if tail is None:
            return self._groups(since, frame, lambda age: np.full(len(age), FAINT))
        return self._groups(max(0, frame - tail), frame, lambda age: 0.9 * (1.0 - age / (tail + 1)))

    def starts(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each run starts (inside the box) and its colour."""
        P = self.points(self.group.rows, [0])[:, 0]
        inside = self._inside(P)
        return P[inside], self.rgba[inside]

    def _inside(self, P: np.ndarray) -> np.ndarray:
        """Which of the points ``P`` (runs, D) are in the box (a NaN is not)."""
        with np.errstate(invalid="ignore"):
            return np.all((P >= self.box[0]) & (P <= self.box[1]), axis=1)


def _strokes(width: float, zorder: float):
    """A collection of paths stroked (not filled) in data coordinates, as lines are."""
    return PathCollection([], facecolors="none", linewidths=width, zorder=zorder)


_SEGMENT = np.array([Path.MOVETO, Path.LINETO], dtype=Path.code_type)


def segment_path(ends: np.ndarray) -> Path:
    """Segments given by their ends, (2 x segments, >= 2), as one compound 2D path."""
    return Path(ends[:, :2], np.tile(_SEGMENT, len(ends) // 2))


def _as_paths(groups: list, rgba: np.ndarray) -> tuple[list, np.ndarray]:
    """Gathered segments (``SwarmLayer._groups``) as one compound 2D path each, and their
    colours."""
    return [segment_path(v) for v in groups], rgba


class ProjectedSegments(PathCollection):
    """A 3D swarm's trails: gathered segments (``SwarmLayer.fading``) projected as the
    camera sees them, one compound path each, when the axes draw (``do_3d_projection``).
    A ``Line3DCollection`` would make a Path of every segment: 8,000 a frame."""

    def __init__(self, **style):
        super().__init__([], facecolors="none", **style)
        self.groups: list = []

    def set_groups(self, groups: list, rgba: np.ndarray) -> None:
        self.groups = groups
        self.set_edgecolor(rgba)

    def do_3d_projection(self):
        from mpl_toolkits.mplot3d import proj3d
        if not self.groups:
            self.set_paths([])
            return np.nan
        ends = np.concatenate(self.groups)
        xs, ys, zs = proj3d.proj_transform(ends[:, 0], ends[:, 1], ends[:, 2], self.axes.get_proj())
        cuts = np.cumsum([len(g) for g in self.groups])[:-1]
        self.set_paths([segment_path(v) for v in np.split(np.column_stack([xs, ys]), cuts)])
        return float(np.min(zs))
