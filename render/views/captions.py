"""Notes and events drawn in the frame (``render.story``): each caption a boxed line in a
corner of the plot, in its run's colour, with an arrow to the run's head while it is up."""
from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxTransformTo, IdentityTransform

from ..themes import readable
from ..timeline import interpolate
from .base import TEXT, wrap
from .stamps import stamp

SHORT = 7.0             # points: an arrow stops this far short of the head it points at
CORNERS = {                       # axes fraction of the first slot, and how the text hangs
    "upper left": ((0.02, 0.97), "left", "top", -1),
    "upper right": ((0.98, 0.97), "right", "top", -1),
    "lower left": ((0.02, 0.03), "left", "bottom", 1),
    "lower right": ((0.98, 0.03), "right", "bottom", 1),
}


class Captions:
    """The plan's captions over ``ax`` of ``drawing``. ``screen(run, frame)``: where the
    run's head is drawn at that frame, in display pixels (None: nowhere to point).
    ``crowd``: (n, 2) display pixels of what the captions should not cover (the paths),
    and ``heads(frame)``: every head's display pixels at a frame (the names are drawn
    beside them): the corner chosen covers the fewest. ``blocked``: display boxes (x0, y0,
    x1, y1) a caption never covers if any corner can avoid them (a legend, a key)."""

    def __init__(self, drawing, ax, screen, crowd=None, heads=None, blocked=(), region=None):
        self.drawing, self.ax, self.screen = drawing, ax, screen
        # Where the corners are: the plot's axes, or (a 3D view, whose axes reach past the
        # frame and move with its camera) a fixed region of the figure, in display pixels.
        if region is None:
            self.frame, self.area = ax.transAxes, ax.get_window_extent
        else:
            fixed = Bbox.from_extents(*region)
            self.frame, self.area = BboxTransformTo(fixed), lambda: fixed
        self.items = drawing.plan.captions
        self.artists, self.arrows = [], []
        if not self.items:
            return
        theme = drawing.theme
        # A row is the text's height and a little: at 360 pixels high, 11 points is 0.07.
        self.row = 1.45 * TEXT / 72 * drawing.figure.dpi / max(1.0, self.area().height)
        # A caption wider than the plot (a narrow frame, long names) is wrapped to it.
        renderer = drawing.figure.canvas.get_renderer()
        room = 0.94 * self.area().width - 2 * 0.25 * TEXT / 72 * drawing.figure.dpi
        self.lines = [wrap(c.text, TEXT, drawing.figure.dpi, room, renderer) for c in self.items]
        # Each slot sits below (above, in a lower corner) the tallest caption of the slots before.
        tallest: dict = {}
        for c, lines in zip(self.items, self.lines):
            tallest[c.slot] = max(tallest.get(c.slot, 1), len(lines))
        self.offset = [sum(tallest.get(k, 1) for k in range(c.slot)) for c in self.items]
        for c, lines in zip(self.items, self.lines):
            color = readable(c.color or theme.text, theme.background)
            text = Text(0.5, 0.5, "\n".join(lines), transform=self.frame, linespacing=1.2, fontsize=TEXT,
                        color=color, zorder=9, clip_on=False,
                        bbox=dict(boxstyle="round,pad=0.25", facecolor=theme.background,
                                  edgecolor=c.color or theme.grid, linewidth=1.0, alpha=0.92))
            text.set_visible(False)
            # (The figure's, not the axes': a 3D axes would project what it holds.)
            drawing.figure.add_artist(text)
            self.artists.append(text)
            # From under the box to short of the head, placed each frame (``update``).
            arrow = None
            if c.run is not None:
                arrow = FancyArrowPatch((0, 0), (1, 1), arrowstyle="-|>", mutation_scale=10, color=c.color,
                                        linewidth=1.2, shrinkA=0, shrinkB=0, transform=IdentityTransform(),
                                        zorder=8.9, clip_on=False)
                arrow.set_visible(False)
                drawing.figure.add_artist(arrow)
            self.arrows.append(arrow)
        self.corner = self._corner(crowd, heads, blocked)
        self._place(self.corner)
        # A caption never changes or moves: drawn once, then its pixels stamped each frame.
        for text in self.artists:
            stamp(text)
        drawing.animate(self.artists + [a for a in self.arrows if a is not None])

    def _place(self, corner: str) -> None:
        (x, y), ha, va, sign = CORNERS[corner]
        for offset, text in zip(self.offset, self.artists):
            text.set_position((x, y + sign * self.row * offset))
            text.set_horizontalalignment(ha)
            text.set_verticalalignment(va)

    def _corner(self, crowd, heads, blocked=()) -> str:
        """The corner whose captions, as placed there, cover the fewest of ``crowd``, and
        come near the fewest heads while they are up (a head's name is drawn beside it:
        a head within a name's size of a caption counts as 10 path points). Of corners as
        clear, the one farthest from the heads; never one over ``blocked`` if another is not."""
        renderer = self.drawing.figure.canvas.get_renderer()
        dpi = self.drawing.figure.dpi
        frames = sorted({f for c in self.items for f in range(c.first, c.last + 1, 2)})
        crowd = np.empty((0, 2)) if crowd is None else np.asarray(crowd, dtype=float).reshape(-1, 2)
        near = np.vstack([heads(f) for f in frames]) if heads is not None and frames else np.empty((0, 2))
        crowd, near = (p[np.all(np.isfinite(p), axis=1)] for p in (crowd, near))
        reach = np.array([-1.4, -0.35, 1.4, 0.35]) * dpi       # a name's size, either side
        scored = []
        for name in CORNERS:
            self._place(name)
            count, centres = 0, []
            for box in self.boxes(renderer):
                x0, y0, x1, y1 = box
                count += int(np.sum((crowd[:, 0] >= x0) & (crowd[:, 0] <= x1) & (crowd[:, 1] >= y0) & (crowd[:, 1] <= y1)))
                a0, b0, a1, b1 = np.array(box) + reach
                count += 10 * int(np.sum((near[:, 0] >= a0) & (near[:, 0] <= a1) & (near[:, 1] >= b0) & (near[:, 1] <= b1)))
                centres.append(((x0 + x1) / 2, (y0 + y1) / 2))
                hits = sum(1 for b in blocked if x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1)
                count += 10**9 * hits
            far = float(np.min(np.hypot(*(near[:, None, :] - np.array(centres)[None]).reshape(-1, 2).T))) \
                if len(near) else 0.0
            scored.append((count, -far, name))
        return min(scored)[2]

    def boxes(self, renderer) -> list:
        """The display boxes (x0, y0, x1, y1) the captions take when up, padded: for the
        runs' names to keep clear of."""
        out = []
        pad = 0.25 * TEXT / 72 * self.drawing.figure.dpi + 4          # the box's own pad, and a margin
        for text in self.artists:
            text.set_visible(True)
            out.append(tuple(Text.get_window_extent(text, renderer).padded(pad).extents))   # the text alone
            text.set_visible(False)
        return out

    def update(self, frame: int) -> None:
        for c, text, arrow in zip(self.items, self.artists, self.arrows):
            up = c.first <= frame <= c.last
            text.set_visible(up)
            if arrow is None:
                continue
            at = self.screen(c.run, frame) if up else None
            if at is None or not np.all(np.isfinite(at)):
                arrow.set_visible(False)                # nowhere to point: no arrow
                continue
            # A head outside the plot is pointed at where it left (its edge arrow).
            box = self.area()
            head = np.array([np.clip(at[0], box.x0, box.x1), np.clip(at[1], box.y0, box.y1)])
            start = self.frame.transform(text.get_position())
            way = head - start
            length = float(np.hypot(*way))
            short = SHORT * self.drawing.figure.dpi / 72                # (the head's disc shows)
            end = head - way * (short / length) if length > short else head
            arrow.set_positions(tuple(start), tuple(end))
            arrow.set_visible(True)


def head_at(plan, positions, run: int, frame: int) -> np.ndarray:
    """Where run ``run``'s head is at ``frame`` in the coordinates of ``positions`` (runs,
    steps + 1, k): gliding between steps as the heads do, at its last finite step once it
    has diverged."""
    t = float(plan.times[frame])
    last = int(plan.last[run, frame])
    if last < 0:
        return np.full(positions.shape[-1], np.nan)
    if last < int(np.floor(t)):
        return positions[run, last]
    return interpolate(positions, [run], np.array([t]))[0, 0]
