"""Notes and events drawn in the frame (``render.story``): each caption a boxed line in a
corner of the plot, in its run's colour, with an arrow to the run's head while it is up."""
from __future__ import annotations

import numpy as np

from ..themes import readable
from ..timeline import interpolate
from .base import TEXT

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

    def __init__(self, drawing, ax, screen, crowd=None, heads=None, blocked=()):
        self.drawing, self.ax, self.screen = drawing, ax, screen
        self.items = drawing.plan.captions
        self.artists = []
        if not self.items:
            return
        theme = drawing.theme
        # A row is the text's height and a little: at 360 pixels high, 11 points is 0.07.
        self.row = 1.45 * TEXT / 72 * drawing.figure.dpi / max(1.0, ax.get_window_extent().height)
        for c in self.items:
            color = readable(c.color or theme.text, theme.background)
            a = ax.annotate(c.text, xy=(0.5, 0.5), xycoords="axes fraction", xytext=(0.5, 0.5),
                            textcoords="axes fraction", fontsize=TEXT, color=color, zorder=9,
                            annotation_clip=False,
                            bbox=dict(boxstyle="round,pad=0.25", facecolor=theme.background,
                                      edgecolor=c.color or theme.grid, linewidth=1.0, alpha=0.92),
                            arrowprops=None if c.run is None else
                            dict(arrowstyle="-|>", color=c.color, linewidth=1.2, shrinkA=2, shrinkB=7,
                                 mutation_scale=10))
            a.set_visible(False)
            self.artists.append(a)
        self.corner = self._corner(crowd, heads, blocked)
        self._place(self.corner)
        drawing.animate(self.artists)

    def _place(self, corner: str) -> None:
        (x, y), ha, va, sign = CORNERS[corner]
        for c, a in zip(self.items, self.artists):
            at = (x, y + sign * self.row * c.slot)
            a.xy = a.xyann = at
            a.set_horizontalalignment(ha)
            a.set_verticalalignment(va)

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
        from matplotlib.text import Text
        out = []
        pad = 0.25 * TEXT / 72 * self.drawing.figure.dpi + 4          # the box's own pad, and a margin
        for a in self.artists:
            a.set_visible(True)
            a.update_positions(renderer)
            out.append(tuple(Text.get_window_extent(a, renderer).padded(pad).extents))   # the text alone
            a.set_visible(False)
        return out

    def update(self, frame: int) -> None:
        for c, a in zip(self.items, self.artists):
            up = c.first <= frame <= c.last
            a.set_visible(up)
            if up and c.run is not None:
                at = self.screen(c.run, frame)
                if at is None or not np.all(np.isfinite(at)):
                    a.xy, a.xycoords = a.xyann, "axes fraction"      # nowhere to point: no arrow
                    a.arrow_patch.set_visible(False)
                else:
                    # A head outside the plot is pointed at where it left (its edge arrow).
                    box = self.ax.get_window_extent()
                    x, y = float(np.clip(at[0], box.x0, box.x1)), float(np.clip(at[1], box.y0, box.y1))
                    a.xy, a.xycoords = (x, y), "figure pixels"
                    a.arrow_patch.set_visible(True)


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
