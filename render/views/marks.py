"""The runs' heads and their names, drawn so that every run is seen and none is misplaced.

- A head is a disc in its run's colour. Runs whose heads fall within a few pixels of each
  other are one place: one disc split into a wedge per run, so every colour stays visible,
  and one label naming them together ("SGD = SGD-momentum").
- A run that diverged ends in a cross at its last finite point, labelled "diverged at step k".
- A run outside the frame is never drawn at its edge as if it were there: an arrow on the
  edge where its trail left, in its colour, points where it went, labelled with its true
  position (or "diverged at step k").
- Each place is named beside it (direct labels, read faster than a legend's key): placed
  for every frame before the first is drawn, each label at the candidate spot around its
  place that covers the least of the other labels, heads, starts, minima, contour labels
  and the trails drawn so far, preferring the spot it had the frame before (labels do not
  flicker), and tied to its place by a leader line when it had to move away.

Everything is worked out once for all frames (``Marks.plan``): a frame's pixels depend on
the frame alone, whichever process draws it and whatever it drew before.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.artist import Artist
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from .. import themes
from .base import TEXT
from .glyphs import _label, pens, shown
from .runs import CROSS, EDGE, GONE, HEAD

__all__ = ["Marks", "HEAD_SIZE", "LABEL_CAP"]

HEAD_SIZE = 10.0       # points: a head's diameter
CLOSE = 0.6            # of a head's diameter: heads nearer than this on screen are one place
LABEL_CAP = 8          # places named at most in a frame
SEARCHES = 100         # frames whose labels weigh every spot, at most (spread over the animation)
KEEP = 0.1             # a label keeps its spot while trails cover no more than this share of it
EDGE_SIZE = 12.0       # points: an edge arrow's length
CELL = 4               # pixels a side of a cell of the trails' occupancy grid
HALO = 1.6             # points of background around a label's letters
# The spots tried around a place: eight directions (the first preferred), three distances.
DIRECTIONS = [(1, 0), (1, 1), (1, -1), (0, 1), (0, -1), (-1, 0), (-1, 1), (-1, -1)]
TIERS = 3


_CIRCLE = Path.unit_circle()
_CROSS = MarkerStyle("X").get_path().transformed(MarkerStyle("X").get_transform())


def _arrow(angle: float, length: float) -> Path:
    """A filled triangle of ``length`` pixels whose tip is at the origin, pointing at
    ``angle`` (radians)."""
    tip, back = np.array([0.0, 0.0]), -length
    points = np.array([tip, (back, 0.42 * length), (back * 0.78, 0.0), (back, -0.42 * length), tip])
    c, s = math.cos(angle), math.sin(angle)
    rotated = points @ np.array([[c, s], [-s, c]])
    return Path(rotated, [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY])


class Place:
    """Runs drawn at one spot of one frame: ``kind`` (HEAD, CROSS, EDGE, GONE), ``members``
    (indices into the marked runs), ``at`` (pixels), ``angle`` (an edge arrow's), ``text``
    segments [(text, colour)] and, once placed, ``box`` (x0, y0, x1, y1) and ``leader``."""

    __slots__ = ("kind", "members", "at", "angle", "text", "box", "leader", "key", "spot")

    def __init__(self, kind, members, at, angle=0.0):
        self.kind, self.members, self.at, self.angle = kind, members, at, angle
        self.text, self.box, self.leader, self.spot = [], None, None, None
        self.key = (kind, tuple(members))


class Marks(Artist):
    """The heads, crosses, edge arrows and labels of runs ``runs`` (the plan's indices) of
    ``drawing``, from ``Batches.marks``' arrays (``kind``, ``where``, ``towards``), drawn in
    display pixels: ``screen(frame, points)`` projects data points of a frame to them.

    ``screen(None, points)`` is asked of every frame's points at once when ``still`` (the
    camera does not move). ``box`` (lo, hi) is the box the runs are cut to, in data units;
    ``area`` (x0, y0, x1, y1) where labels may go, in pixels; ``obstacles`` boxes (n, 4) they should not cover
    (contour labels, a legend, starts, minima); ``trails`` (optional) the pixels of the
    trails and the frame each is first drawn at, (points (m, 2), frames (m,)).
    """

    def __init__(self, drawing, runs, kind, where, towards, screen, box, area, obstacles=(), trails=None,
                 labels=True, joint_only=False, still=True):
        super().__init__()
        self.drawing = drawing
        self.plan = drawing.plan
        self.runs = list(runs)
        self.kind, self.where, self.towards = kind, where, towards
        self.screen = screen
        self.still = still
        self.span = float(np.linalg.norm(np.asarray(box[1], dtype=float) - np.asarray(box[0], dtype=float)))
        self.dpi = drawing.figure.dpi
        self.px = self.dpi / 72.0
        theme = drawing.theme
        self.background = theme.background
        self.text_rgb = np.array(mcolors.to_rgb(theme.text)) * 255
        self.rgb = {i: np.array(mcolors.to_rgb(drawing.colors[i])) for i in self.runs}
        self.ink = {i: np.array(mcolors.to_rgb(themes.readable(drawing.colors[i], theme.background))) * 255
                    for i in self.runs}
        self.area = np.asarray(area, dtype=float)
        self.obstacles = np.asarray(obstacles, dtype=float).reshape(-1, 4)
        self.labelled = labels
        # (With a legend keying each colour: only places where runs of several names meet.)
        self.joint_only = joint_only
        self.frames: list[list[Place]] = []
        self.current: list[Place] = []
        self._images: dict = {}
        self._sizes: dict = {}
        self._texts: dict = {}
        self.plan_all(trails)

    # working it out ----------------------------------------------------------------------

    def plan_all(self, trails) -> None:
        radius = HEAD_SIZE * self.px / 2
        F = self.plan.frames
        occupancy = _Occupancy(self.area, trails, F) if trails is not None else None
        previous: dict = {}
        # Every frame's heads on screen at once where the camera stands still.
        n, D = self.where.shape[0], self.where.shape[2]
        self.pixels = self.screen(None, self.where.reshape(-1, D)).reshape(n, F, 2) if self.still else None
        # A long animation weighs every spot once every few frames; between, a label keeps
        # its spot, moved with its place (what it covers changes little in a few frames).
        every = max(1, -(-F // SEARCHES))
        for f in range(F):
            places = self._places(f, radius)
            if self.labelled:
                named = [p for p in places if not self.joint_only or len({self.plan.short_names[self.runs[k]]
                                                                          for k in p.members}) > 1]
                heads = np.array([p.at for p in places]).reshape(-1, 2)
                boxes = [] if not len(heads) else [np.column_stack([heads - radius - 1, heads + radius + 1])]
                blocked = np.concatenate([self.obstacles] + boxes) if boxes else self.obstacles
                grid = occupancy.at(f) if occupancy is not None and f % every == 0 else None
                taken: list = []
                for place in named[:LABEL_CAP]:
                    before = previous.get(place.key)
                    kept = None
                    if f % every and before is not None:
                        w, h = self._size(place.text)
                        kept = self._box(*place.at, w, h, radius + 2 * self.px, h, before)
                        if self._outside(kept[None])[0]:
                            kept = None                  # (it would leave the frame: weigh again)
                    if kept is not None:
                        place.box, place.spot = kept, before
                        self._lead(place, radius)
                    else:
                        self._place_label(place, radius, blocked, taken, grid, before)
                    taken.append(place.box)
                previous = {p.key: p.spot for p in places if p.box is not None}
            self.frames.append(places)

    def _places(self, f: int, radius: float) -> list[Place]:
        """The frame's places: heads within CLOSE of a head's diameter joined, then the
        crosses, then the edge arrows (those leaving at one spot joined)."""
        kind = self.kind[:, f]
        every = self.pixels[:, f] if self.pixels is not None else self.screen(f, self.where[:, f])
        places = []
        for wanted in (HEAD, CROSS, (EDGE, GONE)):
            members = [k for k in range(len(self.runs)) if kind[k] in np.atleast_1d(wanted)]
            if not members:
                continue
            pixels = every[members]
            for group in _clusters(pixels, CLOSE * 2 * radius):
                ks = [members[g] for g in group]
                at = pixels[group].mean(axis=0)
                if not np.all(np.isfinite(at)):
                    continue
                k0 = ks[0]
                angle = 0.0
                if kind[k0] in (EDGE, GONE):
                    angle = self._direction(f, k0, pixels[group[0]])
                place = Place(HEAD if wanted == HEAD else CROSS if wanted == CROSS else int(kind[k0]), ks, at, angle)
                place.text = self._text(place, f)
                places.append(place)
        return places

    def _direction(self, f: int, k: int, at: np.ndarray) -> float:
        """The screen angle from run k's edge point to where it is (or was last)."""
        a, b = self.where[k, f], self.towards[k, f]
        d = b - a
        norm = np.linalg.norm(d)
        if not norm > 0 or not np.isfinite(norm):
            return 0.0
        # A small step towards it, in the data's units, seen on screen.
        ahead = self.screen(f, (a + d / norm * 1e-3 * self.span)[None])[0]
        v = ahead - at
        return math.atan2(v[1], v[0]) if np.all(np.isfinite(v)) and np.any(v) else 0.0

    def _text(self, place: Place, f: int) -> list:
        """A place's label as (text, colour) segments: the names of the runs there, each in
        its colour (joined by "=" where their losses agree, else by "&"), and for a cross or
        an edge arrow what happened (diverged at step k) or where the run is."""
        runs = [self.runs[k] for k in place.members]
        same = True
        if len(runs) > 1:
            losses = self.plan.paths.losses[runs, int(self.plan.steps[f])]
            same = bool(np.all(np.isclose(losses, losses[0], rtol=0.1, atol=1e-12)))
        key = (place.kind, tuple(runs), same)
        if place.kind == EDGE:
            return self._said(place, f, runs, same)
        if key not in self._texts:
            self._texts[key] = self._said(place, f, runs, same)
        return self._texts[key]

    def _said(self, place: Place, f: int, runs: list, same: bool) -> list:
        plan, names = self.plan, self.plan.short_names
        unique = []
        for r in runs:
            if names[r] not in [names[u] for u in unique]:
                unique.append(r)
        if place.kind == HEAD and len(unique) >= 3 and len(runs) == len(self.runs):
            return [(f"all {len(runs)} runs", self.text_rgb)]
        # "=" where the runs there are one (their losses agree to a tenth), else "&": two
        # runs passing the same place are not equal.
        join = " = " if same and not any("=" in names[r] for r in unique) else " & "
        out = []
        for j, r in enumerate(unique):
            if j:
                out.append((join, self.text_rgb))
            out.append((shown(names[r], math=False), self.ink[r]))
        if place.kind == HEAD:
            return out
        if place.kind in (CROSS, GONE):
            steps = sorted({int(plan.trajectories.diverged_at[r]) for r in runs})
            when = ", ".join(str(k) for k in steps)
            return out + [(f" diverged at step{'s' if len(steps) > 1 else ''} {when}", self.text_rgb)]
        where = [self.towards[k, f][:2] for k in place.members]
        if len(where) == 1:
            (x, y), = where
            return out + [(f" at ({x:.3g}, {y:.3g})", self.text_rgb)]
        return out + [(" off the frame", self.text_rgb)]

    def _size(self, text: list) -> tuple[float, float]:
        line = "".join(t for t, _ in text)
        if line not in self._sizes:
            mask, _ = _label(line, TEXT, self.dpi, "bold", _halo(self.dpi))
            self._sizes[line] = mask.shape[1], mask.shape[0]
        return self._sizes[line]

    def _place_label(self, place: Place, radius: float, blocked, taken, grid, before) -> None:
        w, h = self._size(place.text)
        cx, cy = place.at
        gap = radius + 2 * self.px
        if before is not None and before[0] == 0:
            # The spot of the frame before, if it is still clear, without trying the others.
            box = self._box(cx, cy, w, h, gap, h, before)
            if self._clear(box, blocked, taken, grid):
                place.box, place.spot = box, before
                return
        boxes, spots = [], []
        for tier in range(TIERS):
            for d in range(len(DIRECTIONS)):
                boxes.append(self._box(cx, cy, w, h, gap, h, (tier, d)))
                spots.append((tier, d))
        boxes = np.array(boxes)
        cost = np.array([30.0 * t + 2.0 * d for t, d in spots])
        outside = self._outside(boxes)
        cost += 1e6 * outside
        if len(taken):
            cost += 1e5 * _overlap(boxes, np.array(taken)).sum(axis=1)
        if len(blocked):
            cost += 1e3 * (_overlap(boxes, blocked) > 0.02).sum(axis=1)
        if grid is not None:
            cost += 60.0 * grid.share(boxes)
        if before is not None:
            cost[spots.index(before)] -= 45.0
        best = int(np.argmin(cost))
        if outside[best] and len(place.text) > 1:
            # Too long to fit anywhere near its place: say less.
            place.text = [(f"{len(place.members)} runs", self.text_rgb)] if place.kind == HEAD else place.text[:1]
            return self._place_label(place, radius, blocked, taken, grid, before)
        place.box = boxes[best]
        place.spot = spots[best]
        self._lead(place, radius)

    @staticmethod
    def _lead(place: Place, radius: float) -> None:
        """A line from a place to its label, when the label had to move away from it."""
        if place.spot[0] > 0:
            x0, y0, x1, y1 = place.box
            cx, cy = place.at
            near = np.array([np.clip(cx, x0, x1), np.clip(cy, y0, y1)])
            v = near - place.at
            length = np.linalg.norm(v)
            if length > radius:
                place.leader = (place.at + v / length * radius, near)

    @staticmethod
    def _box(cx, cy, w, h, gap, line, spot) -> np.ndarray:
        """The label box (x0, y0, x1, y1) of ``spot`` (tier, direction) around (cx, cy): its
        side (or corner) facing the place, ``gap`` and ``tier`` lines away from it."""
        tier, d = spot
        dx, dy = DIRECTIONS[d]
        reach = gap + tier * 1.4 * line
        ux, uy = (dx, dy) if not (dx and dy) else (dx * 0.72, dy * 0.72)
        ax, ay = cx + ux * reach, cy + uy * reach
        x0 = ax if dx > 0 else ax - w if dx < 0 else ax - w / 2
        y0 = ay if dy > 0 else ay - h if dy < 0 else ay - h / 2
        return np.array([x0, y0, x0 + w, y0 + h])

    def _outside(self, boxes: np.ndarray) -> np.ndarray:
        """(n,): whether each label box (n, 4) reaches out of the area labels may take."""
        a = self.area
        return (boxes[:, 0] < a[0]) | (boxes[:, 1] < a[1]) | (boxes[:, 2] > a[2]) | (boxes[:, 3] > a[3])

    def _clear(self, box, blocked, taken, grid) -> bool:
        """Whether a label box is inside the area and covers no label, obstacle or trail."""
        boxes = box[None]
        if self._outside(boxes)[0]:
            return False
        if len(taken) and _overlap(boxes, np.array(taken)).max() > 0:
            return False
        if len(blocked) and _overlap(boxes, blocked).max() > 0.02:
            return False
        return grid is None or grid.share(boxes)[0] <= KEEP

    # drawing -------------------------------------------------------------------------------

    def update(self, frame: int) -> None:
        self.current = self.frames[frame]
        self.stale = True

    def places(self, frame: int) -> list[Place]:
        return self.frames[frame]

    def draw(self, renderer):
        if not self.get_visible():
            return
        gc = renderer.new_gc()
        gc.set_clip_rectangle(None)
        gc.set_antialiased(True)
        px = renderer.points_to_pixels(1.0)
        r = HEAD_SIZE * px / 2
        for place in self.current:
            if place.leader is not None:
                start, end = place.leader
                gc.set_linewidth(1.0)
                gc.set_foreground(self.rgb[self.runs[place.members[0]]])
                renderer.draw_path(gc, Path([start, end]), Affine2D())
        for place in self.current:
            x, y = place.at
            colours = [self.rgb[self.runs[k]] for k in place.members]
            gc.set_linewidth(0.8)
            gc.set_foreground("black")
            if place.kind == HEAD:
                move = Affine2D().scale(r).translate(x, y)
                if len(colours) == 1:
                    renderer.draw_path(gc, _CIRCLE, move, tuple(colours[0]))
                    continue
                # One wedge a run, from the top, clockwise; then the outline over them.
                share = 360.0 / len(colours)
                gc.set_linewidth(0.0)
                for j, c in enumerate(colours):
                    start = 90.0 - (j + 1) * share
                    renderer.draw_path(gc, Path.wedge(start, start + share), move, tuple(c))
                gc.set_linewidth(0.8)
                renderer.draw_path(gc, _CIRCLE, move, None)
            elif place.kind == CROSS:
                move = Affine2D().scale(HEAD_SIZE * 1.1 * px).translate(x, y)
                for c in colours[::-1]:
                    renderer.draw_path(gc, _CROSS, move, tuple(c))
            else:
                arrow = _arrow(place.angle, EDGE_SIZE * px)
                for c in colours[::-1]:
                    renderer.draw_path(gc, arrow, Affine2D().translate(x, y), tuple(c))
        gc.restore()
        for place in self.current:
            if place.box is not None:
                self._draw_label(renderer, place)
        self.stale = False

    def _draw_label(self, renderer, place: Place) -> None:
        dpi = renderer.points_to_pixels(72.0)
        key = (tuple((t, tuple(c)) for t, c in place.text), dpi)
        if key not in self._images:
            self._images[key] = self._images_of(place.text, dpi)
        gc = renderer.new_gc()
        gc.set_clip_rectangle(None)
        x0, y0 = int(round(place.box[0])), int(round(place.box[1]))
        for image in self._images[key]:
            renderer.draw_image(gc, x0, y0, image)
        gc.restore()

    def _images_of(self, text, dpi: float) -> list:
        """A label's rim and letters as RGBA images (rows bottom to top, as Agg takes them)."""
        line = "".join(t for t, _ in text)
        halo = _halo(dpi)
        mask, rim = _label(line, TEXT, dpi, "bold", halo)
        starts = pens(line, TEXT, dpi, "bold")
        # Each column in its segment's colour (the names in their runs' colours).
        rgb = np.empty((mask.shape[1], 3))
        rgb[:] = text[0][1]
        cut = 0
        for part, colour in text:
            left = int(round(starts[cut])) + halo
            rgb[left:] = colour
            cut += len(part)
        # The letters over their rim, as one image: one blend a frame, not two.
        behind = np.array(mcolors.to_rgb(self.background)) * 255
        a_text, a_rim = mask / 255.0, rim / 255.0
        alpha = a_text + a_rim * (1 - a_text)
        with np.errstate(invalid="ignore", divide="ignore"):
            colour = (rgb[None, :, :] * a_text[..., None] + behind * (a_rim * (1 - a_text))[..., None]) \
                / alpha[..., None]
        image = np.empty(mask.shape + (4,), dtype=np.uint8)
        image[..., :3] = np.round(np.nan_to_num(colour)).astype(np.uint8)
        image[..., 3] = np.round(alpha * 255).astype(np.uint8)
        return [np.ascontiguousarray(image[::-1])]


def _halo(dpi: float) -> int:
    return max(1, int(round(HALO * dpi / 72)))


def _groups(n: int, pairs) -> list[list[int]]:
    """0..n-1 grouped where ``pairs`` (i, j) join them (transitively), each group in index
    order, the groups by their first index."""
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[root(j)] = root(i)
    groups: dict = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _clusters(points: np.ndarray, within: float) -> list[list[int]]:
    """Groups of ``points`` (n, 2) joined where two are nearer than ``within`` (single
    linkage)."""
    n = len(points)
    near = [(i, j) for i in range(n) for j in range(i + 1, n)
            if np.all(np.isfinite(points[i] - points[j])) and math.hypot(*(points[i] - points[j])) < within]
    return _groups(n, near)


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)): the share of each box of ``a`` that each box of ``b`` covers."""
    w = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    h = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    area = ((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]))[:, None]
    return w * h / np.maximum(area, 1e-9)


class _Occupancy:
    """Which cells of the label area the trails cover by each frame: a grid of CELL-pixel
    cells, each holding the first frame a trail crosses it."""

    def __init__(self, area, trails, frames: int):
        x0, y0, x1, y1 = area
        self.origin = np.array([x0, y0])
        self.shape = (max(1, int((y1 - y0) // CELL) + 1), max(1, int((x1 - x0) // CELL) + 1))
        first = np.full(self.shape, frames + 1, dtype=int)
        points, when = trails
        if len(points):
            cells = np.floor((points - self.origin) / CELL).astype(int)
            ok = (cells[:, 0] >= 0) & (cells[:, 1] >= 0) & (cells[:, 0] < self.shape[1]) & (cells[:, 1] < self.shape[0])
            np.minimum.at(first, (cells[ok, 1], cells[ok, 0]), when[ok])
        self.first = first
        self._at, self._table = None, None

    def at(self, frame: int) -> "_Occupancy":
        self._frame = frame                 # (its table is summed when first asked)
        return self

    def share(self, boxes: np.ndarray) -> np.ndarray:
        """The share of each box's cells that a trail covers."""
        if self._at != self._frame:
            covered = (self.first <= self._frame).astype(np.int32)
            table = np.zeros((self.shape[0] + 1, self.shape[1] + 1), dtype=np.int32)
            table[1:, 1:] = covered.cumsum(axis=0).cumsum(axis=1)
            self._at, self._table = self._frame, table
        t = self._table
        c = np.floor((boxes - np.tile(self.origin, 2)) / CELL).astype(int)
        c0 = np.clip(c[:, [0, 1]], 0, [self.shape[1], self.shape[0]])
        c1 = np.clip(c[:, [2, 3]] + 1, 0, [self.shape[1], self.shape[0]])
        total = t[c1[:, 1], c1[:, 0]] - t[c0[:, 1], c1[:, 0]] - t[c1[:, 1], c0[:, 0]] + t[c0[:, 1], c0[:, 0]]
        cells = np.maximum((c1[:, 0] - c0[:, 0]) * (c1[:, 1] - c0[:, 1]), 1)
        return total / cells


def trail_pixels(screen_points: list, frames: int, spacing: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Points along polylines every ``spacing`` pixels, each with the frame its segment is
    first drawn at: ``screen_points`` holds one (frames, 2) array of pixels per run (NaN
    where it has none)."""
    points, when = [], []
    for P in screen_points:
        a, b = P[:-1], P[1:]
        ok = np.all(np.isfinite(a) & np.isfinite(b), axis=1)
        if not ok.any():
            continue
        a, b = a[ok], b[ok]
        frame = np.arange(1, frames)[ok]
        n = np.clip(np.ceil(np.hypot(*(b - a).T) / spacing).astype(int), 1, 200)
        t = np.concatenate([np.arange(k + 1) / k for k in n])
        seg = np.repeat(np.arange(len(a)), n + 1)
        points.append(a[seg] + t[:, None] * (b[seg] - a[seg]))
        when.append(frame[seg])
    if not points:
        return np.empty((0, 2)), np.empty(0, dtype=int)
    return np.concatenate(points), np.concatenate(when)


COVERED = 2.5          # pixels (at 100 dpi): a segment this near an earlier run's path is drawn over it
DASH = 4.0             # points: a dash of the colours of runs whose paths coincide


COARSE = 600           # segments of a path compared at most (a longer one every k-th frame)


def coverage(pixels: list, within: float) -> list:
    """Where a later run's path runs over an earlier one's: for each pair (later j,
    earlier q) whose paths meet, (j, q, frames), ``frames[s]`` the frame from which j's
    segment s (from frame s to s + 1) lies within ``within`` pixels of q's path as drawn
    by then (a large number where never). ``pixels`` holds each run's (frames, 2) points
    on screen, in drawing order. A long path is compared every k-th frame, so the work
    stays that of COARSE segments a path."""
    pairs = []
    F = len(pixels[0]) if pixels else 0
    k = max(1, -(-(F - 1) // COARSE))
    coarse = [p[::k] if (F - 1) % k == 0 else np.vstack([p[::k], p[-1:]]) for p in pixels]
    for j in range(1, len(pixels)):
        a, b = coarse[j][:-1], coarse[j][1:]
        mid = (a + b) / 2
        if not np.all(np.isfinite(mid)):
            continue
        for q in range(j):
            p0, p1 = coarse[q][:-1], coarse[q][1:]
            if not np.all(np.isfinite(p0)) or not np.all(np.isfinite(p1)):
                continue
            d = _to_segments(mid, p0, p1)                       # (segments of j, segments of q)
            near = d < within
            if not near.any():
                continue
            first = np.where(near.any(axis=1), (np.argmax(near, axis=1) + 1) * k, 1 << 30)
            # Back to every frame's segment; drawn over q only once j itself has reached it.
            first = np.repeat(first, k)[: F - 1]
            frames = np.maximum(first, np.arange(1, F))
            pairs.append((j, q, frames))
    return pairs


def _to_segments(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(points), len(a)): each point's distance to each segment a -> b."""
    d = b - a
    length = np.maximum((d ** 2).sum(axis=1), 1e-12)
    rel = points[:, None, :] - a[None, :, :]
    t = np.clip((rel * d[None]).sum(axis=2) / length[None], 0.0, 1.0)
    nearest = a[None] + t[..., None] * d[None]
    return np.hypot(*(points[:, None, :] - nearest).transpose(2, 0, 1))


def families(pairs: list, n: int) -> tuple[dict, dict]:
    """The runs whose paths meet, grouped (connected through ``coverage``'s pairs): each
    run's rank in its family and the family's size."""
    rank, size = {}, {}
    for group in _groups(n, [(q, j) for j, q, _ in pairs]):
        for k, i in enumerate(group):
            rank[i], size[i] = k, len(group)
    return rank, size
