"""A swarm drawn as one collection: fading trails, heads, and the starts it came from.

Hundreds of runs drawn one line each are a tangle, and slow: one artist per run. A swarm is
instead two collections that change from frame to frame (every trail's segments, every
head) and one that does not (the starts, in each run's colour: coloured by basin, they are
the map of where each start leads). A trail's segments fade with age over ``tail`` frames,
so the picture shows where the swarm is going, not everywhere it has been.
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba_array

from .base import clip_segments

FAINT = 0.3          # a whole trail's opacity (tail=None)
HEAD_SIZE = 16.0     # points squared
START_SIZE = 7.0     # a start's square, points squared; a grid's fills most of its cell
START_FILL = 0.6     # ... this much of the cell's side


class SwarmLayer:
    """The moving parts of one swarm (``plan.groups[k]``) as arrays for collections.

    ``points(rows, steps)`` gives positions (runs, steps, D): (x, y) for the 2D view, (x, y,
    loss) for the 3D one; ``box`` the (lo, hi) corners anything drawn is cut to.
    """

    def __init__(self, drawing, group, points, box):
        self.plan = drawing.plan
        self.group = group
        self.points = points
        self.box = box
        self.rgba = to_rgba_array([drawing.colors[r] for r in group.rows])       # (runs, 4)

    def cell(self, window) -> tuple[float, float] | None:
        """The spacing (dx, dy) of a grid swarm's starts, None for other swarms."""
        swarm = self.plan.scene.runs[int(self.group.rows[0])].swarm
        if swarm is None or swarm.grid is None:
            return None
        xmin, xmax, ymin, ymax = swarm.window or window
        return (xmax - xmin) / swarm.grid[0], (ymax - ymin) / swarm.grid[1]

    def starts(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each run starts (inside the box) and its colour."""
        P = self.points(self.group.rows, [0])[:, 0]
        inside = np.all((P >= self.box[0]) & (P <= self.box[1]), axis=1)
        return P[inside], self.rgba[inside]

    def trails(self, frame: int) -> tuple[np.ndarray, np.ndarray]:
        """The segments (n, 2, D) the trails show at ``frame`` and their colours (n, 4),
        the newest most opaque."""
        tail = self.group.tail
        first = 0 if tail is None else max(0, frame - tail)
        shown = np.arange(first, frame + 1)
        if len(shown) < 2:
            return np.empty((0, 2, len(self.box[0]))), np.empty((0, 4))
        P = self.points(self.group.rows, self.plan.steps[shown])          # (runs, m, D)
        a, b = P[:, :-1].reshape(-1, P.shape[2]), P[:, 1:].reshape(-1, P.shape[2])
        a, b, seen = clip_segments(a, b, *self.box)
        age = frame - shown[1:]                                           # 0 for the newest
        alpha = np.full(len(age), FAINT) if tail is None else 0.9 * (1.0 - age / (tail + 1))
        rgba = np.repeat(self.rgba[:, None, :], len(age), axis=1)
        rgba[..., 3] = alpha[None, :]
        return np.stack([a, b], axis=1)[seen], rgba.reshape(-1, 4)[seen]

    def heads(self, frame: int) -> tuple[np.ndarray, np.ndarray]:
        """Where each run still in the box is at ``frame``, and its colour."""
        P = self.points(self.group.rows, self.plan.steps[[frame]])[:, 0]
        with np.errstate(invalid="ignore"):
            inside = np.all((P >= self.box[0]) & (P <= self.box[1]), axis=1)
        return P[inside], self.rgba[inside]
