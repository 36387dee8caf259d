"""The single runs (those of no swarm), drawn as a few artists however many there are.

Runs drawn alike (one colour, one width, one head size: one legend entry) share one line
for their trails, broken between runs by a NaN vertex, and one line of markers for their
heads (another for the heads of those that diverged). matplotlib draws a line's markers by
stamping one rasterised marker, so four hundred runs in four entries cost four lines, not
eight hundred artists. A scene whose runs are each their own entry draws what a line per
run drew.

Each run's trail, cut to the box, is worked out once for the whole animation; a frame's
trail is a prefix of it, so nothing is cut again frame by frame.

A crowd's trails (``Drawing.crowded``) also grow instead of being drawn again: what Agg
spends on a line is the length it rasterises, and four hundred trails redrawn whole every
frame rasterise the same old segments a hundred times over. Over a still background,
each frame draws only the segments new since the frame before onto the trails so far
(``grow``); a full redraw (an orbit, a notebook's animation) draws them whole.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .base import clip_path, clip_segments


# What a run's head is at a frame (``Batches.marks``).
NONE, HEAD, CROSS, EDGE, GONE = -1, 0, 1, 2, 3


class Batches:
    """The single runs ``runs`` of ``plan``, batched by ``style(run)`` (any hashable; equal
    for runs drawn alike), in order of first appearance: earlier entries are drawn first,
    underneath. ``grows(run)`` says whether a batch's trails grow (asked of its first run).

    ``points(rows, times)`` gives the points to draw, (len(rows), len(times), dims), at
    fractional steps (``Plan.times``, ``timeline.interpolate``); ``box``
    the (lo, hi) corners they are cut to, or None for no cut (only non-finite points are
    left out then).
    """

    _marks: tuple | None = None

    def __init__(self, plan, runs, style: Callable, points: Callable, dims: int, box=None,
                 grows: Callable = lambda run: False, tail: int | None = None):
        self.plan = plan
        # Trails show only their last ``tail`` frames (None: all of them); a growing batch
        # draws them whole.
        self.tail = tail
        self.dims = dims
        self.runs = np.asarray(runs, dtype=int)
        self.points = points
        self.box = None if box is None else (np.asarray(box[0], dtype=float), np.asarray(box[1], dtype=float))
        keys = [style(int(r)) for r in self.runs]
        self.styles = list(dict.fromkeys(keys))
        # Positions (into self.runs) of each batch's members.
        self.members = [np.array([k for k, key in enumerate(keys) if key == s], dtype=int) for s in self.styles]
        self.first = [int(self.runs[m[0]]) for m in self.members]   # a run that stands for each batch
        self.grows = [bool(grows(r)) for r in self.first]
        self._diverged: dict = {}
        self._paths()

    def __len__(self):
        return len(self.styles)

    def _paths(self) -> None:
        """Each run's trail over every frame's step, cut to the box, once. A run whose
        points are all inside (``whole``) is its points; another is a chain of vertices
        (``chain[k]``, NaN rows where it leaves the box and comes back) of which the trail
        at frame f is the first ``count[k, f]``, as ``clip_path`` would cut it."""
        plan, D, n = self.plan, self.dims, len(self.runs)
        F = plan.frames
        self.P = P = np.asarray(self.points(self.runs, plan.times), dtype=float).reshape(n, F, D)
        with np.errstate(invalid="ignore"):
            inside = np.all(np.isfinite(P), axis=2)
            if self.box is not None:
                inside &= np.all((P >= self.box[0]) & (P <= self.box[1]), axis=2)
        self.inside = inside
        self.whole = inside.all(axis=1)
        self.chain, self.count = {}, {}
        for k in np.flatnonzero(~self.whole):
            self.chain[k], self.count[k] = self._cut_once(P[k], inside[k])

    def _cut_once(self, points: np.ndarray, inside: np.ndarray):
        D, F = self.dims, len(points)
        # The first frame's trail is the start alone, if inside; each segment then adds
        # its cut end, or (where the trail came back into the box) a break, start and end.
        rows = [points[0]] if F and inside[0] else []
        count = np.zeros(F, dtype=int)
        count[:1] = len(rows)
        if F >= 2:
            lo, hi = self.box if self.box is not None else (np.full(D, -np.inf), np.full(D, np.inf))
            s0, s1, seen = clip_segments(points[:-1], points[1:], lo, hi)
            made = np.zeros(F - 1, dtype=int)
            for j in np.flatnonzero(seen):
                before = len(rows)
                if not (rows and np.array_equal(s0[j], rows[-1])):     # else it goes on from there
                    if rows:
                        rows.append(np.full(D, np.nan))
                    rows.append(s0[j])
                rows.append(s1[j])
                made[j] = len(rows) - before
            count[1:] = count[0] + np.cumsum(made)
        return np.array(rows, dtype=float).reshape(-1, D), count

    def _trail(self, k: int, frame: int):
        """Run ``runs[k]``'s trail at ``frame`` and its head: where the run is (its last
        finite point once it diverged), or None when that is outside the box. A run is never
        drawn at the box's edge as if it were there (``marks`` draws an arrow there)."""
        run = int(self.runs[k])
        if self.plan.last[run, frame] >= self.plan.steps[frame]:            # still moving
            if self.whole[k]:
                return self.P[k, : frame + 1], self.P[k, frame]
            path = self.chain[k][: self.count[k][frame]]
            return path, (self.P[k, frame] if self.inside[k, frame] else None)
        # Diverged: its trail ends at its last finite step, and stays as it is from then on.
        idx, last = self.plan.trail(run, frame)
        key = (k, len(idx), last)
        if key not in self._diverged:
            points = np.asarray(self.points(self.runs[[k]], idx), dtype=float).reshape(len(idx), self.dims)
            if self.box is None:
                self._diverged[key] = points, (points[-1] if len(points) else None)
            else:
                path, _ = clip_path(points, *self.box)
                lo, hi = self.box
                there = len(points) and np.all((points[-1] >= lo) & (points[-1] <= hi))
                self._diverged[key] = path, (points[-1] if there else None)
        return self._diverged[key]

    def at(self, frame: int, grown: bool = True, whole: bool = False):
        """The runs at ``frame``: each batch's trails as one (m, D) array (runs separated by
        a NaN row; None for a growing batch unless ``grown``; only the last ``tail`` frames
        unless ``whole``), each run's head ((runs, D), NaN where it has none) and whether it
        is still moving (not yet diverged)."""
        plan, D = self.plan, self.dims
        n = len(self.runs)
        moving = plan.last[self.runs, frame] >= plan.steps[frame]
        heads = np.full((n, D), np.nan)
        easy = moving & self.whole
        heads[easy] = self.P[easy, frame]
        trails = []
        for members, grows in zip(self.members, self.grows):
            wanted = grown or not grows
            parts = []
            first = 0 if self.tail is None or grows or whole else max(0, frame - self.tail)
            for k in members:
                if easy[k]:
                    if wanted:
                        parts.append(self.P[k, first: frame + 1])
                    continue
                path, end = self._trail(k, frame)
                if end is not None:
                    heads[k] = end
                parts.append(path if first == 0 else path[-(frame - first + 1):])
            trails.append(joined(parts, D) if wanted else None)
        return trails, heads, moving

    def marks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where each run's head is at every frame, and what it is there: (kind (runs,
        frames), where (runs, frames, D), towards (runs, frames, D)). ``kind`` is HEAD (still
        moving, in the box, at ``where``), CROSS (diverged; its last finite point, in the
        box, at ``where``), EDGE (still moving, but outside the box: ``where`` is the point
        of the box's edge in the run's direction from the box's centre, ``towards`` where
        the run is), GONE (diverged outside the box: the same for its last finite point), or
        NONE (nothing to draw). A run is never drawn as if it were somewhere it is not.
        Found once: the heads' marks and the captions' arrows both ask."""
        if self._marks is None:
            self._marks = self._find_marks()
        return self._marks

    def _find_marks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        plan, D = self.plan, self.dims
        n, F = len(self.runs), plan.frames
        kind = np.full((n, F), NONE, dtype=int)
        where = np.full((n, F, D), np.nan)
        towards = np.full((n, F, D), np.nan)
        lo, hi = self.box if self.box is not None else (np.full(D, -np.inf), np.full(D, np.inf))
        for k in range(n):
            run = int(self.runs[k])
            moving = plan.last[run] >= plan.steps
            for f in range(F):
                if moving[f]:
                    point = self.P[k, f]
                    if self.whole[k] or self.inside[k, f]:
                        kind[k, f], where[k, f] = HEAD, point
                        continue
                    if np.all(np.isfinite(point)):
                        kind[k, f], where[k, f], towards[k, f] = EDGE, _bearing(point, lo, hi), point
                    continue
                last = int(plan.last[run, f])
                if last < 0:
                    continue
                # (Only where its trail ends: its last finite step.)
                end = np.asarray(self.points(self.runs[[k]], np.array([float(last)])), dtype=float).reshape(D)
                if not np.all(np.isfinite(end)):
                    continue
                if np.all((end >= lo) & (end <= hi)):
                    kind[k, f], where[k, f] = CROSS, end
                    continue
                kind[k, f], where[k, f], towards[k, f] = GONE, _bearing(end, lo, hi), end
        return kind, where, towards

    def split(self, heads: np.ndarray, moving: np.ndarray) -> list:
        """Each batch's heads (``at``'s), as (those still moving, those that diverged), the
        runs with no head left out."""
        return [tuple(somewhere(heads[members[which]]) for which in (moving[members], ~moving[members]))
                for members in self.members]

    def grow(self, frame: int) -> list:
        """Each growing batch's part new at ``frame`` (since ``frame - 1``), as one (m, D)
        array of polylines separated by NaN rows: drawn over the trails up to the frame
        before, it makes the trails up to this one."""
        plan, D = self.plan, self.dims
        parts = []
        for members, grows in zip(self.members, self.grows):
            if not grows:
                continue
            if frame == 0:
                parts.append(np.empty((0, D)))
                continue
            moving = plan.last[self.runs[members], frame] >= plan.steps[frame]
            easy = members[moving & self.whole[members]]
            pieces = []
            if len(easy):
                gaps = np.full((len(easy), 1, D), np.nan)
                pieces.append(np.concatenate([self.P[easy, frame - 1: frame + 1], gaps], axis=1).reshape(-1, D)[:-1])
            for k in members[~(moving & self.whole[members])]:
                before, _ = self._trail(k, frame - 1)
                now, _ = self._trail(k, frame)
                new = now[max(0, len(before) - 1):]
                if len(new) >= 2:
                    pieces.append(new)
            parts.append(joined(pieces, D))
        return parts


def _bearing(point: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Where the line from the centre of the box [lo, hi] to ``point`` (outside it) meets
    the box's edge: an arrow there points at the point."""
    centre = (lo + hi) / 2
    d = point - centre
    with np.errstate(divide="ignore"):
        t = np.min(np.where(d != 0, (hi - lo) / 2 / np.abs(d), np.inf))
    return centre + min(1.0, t) * d


def somewhere(points: np.ndarray) -> np.ndarray:
    """The rows of ``points`` that are not NaN (a run with no head has a NaN one)."""
    return points[~np.all(np.isnan(points), axis=1)]


def joined(parts: list, D: int) -> np.ndarray:
    """Polylines as one array of vertices, a NaN row between each two."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return np.empty((0, D))
    if len(parts) == 1:
        return parts[0]
    gap = np.full((1, D), np.nan)
    out = [parts[0]]
    for p in parts[1:]:
        out += [gap, p]
    return np.concatenate(out)
