"""An inset: a magnified region of a 2D view's plot in one of its corners, with the same
runs, its frame marked on the plot (``View2D(inset=Inset(window, at, size))``)."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import BoundaryNorm
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from .base import contour_levels
from .captions import head_at

PAD = 0.02          # of the plot: between an inset and the plot's edges


def corners(size: float) -> dict[str, tuple[float, float, float, float]]:
    """Each corner's inset box (x, y, width, height) in the plot's axes fraction."""
    far = 1 - PAD - size
    return {"upper left": (PAD, far, size, size), "upper right": (far, far, size, size),
            "lower left": (PAD, PAD, size, size), "lower right": (far, PAD, size, size)}


class InsetPanel:
    """The inset of ``drawing`` (a Plot2D) as its view asks: drawn in the corner given, or
    in the one whose box covers the fewest of the paths' points (``drawing.path_pixels``)."""

    hole = None         # the plot's area without the inset's (``clip``), made once

    def __init__(self, drawing, spec, cmap, grid: int):
        self.drawing, self.spec = drawing, spec
        ax, theme = drawing.ax, drawing.theme
        boxes = corners(spec.size)
        if spec.at == "auto":
            box = ax.get_window_extent()
            P = drawing.path_pixels
            u, v = (P[:, 0] - box.x0) / box.width, (P[:, 1] - box.y0) / box.height

            def covered(b):
                x, y, w, h = b
                return int(np.sum((u >= x) & (u <= x + w) & (v >= y) & (v <= y + h)))
            self.corner = min(boxes, key=lambda name: (covered(boxes[name]), list(boxes).index(name)))
        else:
            self.corner = spec.at
        self.place = boxes[self.corner]
        inner = self.ax = ax.inset_axes(self.place, zorder=4.5)
        xmin, xmax, ymin, ymax = spec.window
        X, Y, Z = drawing.surface.grid(grid, spec.window)
        Z = np.ma.masked_invalid(Z)
        # Its own levels: magnified, the region's own shape shows (the plot's levels would
        # leave a small region one colour).
        levels = contour_levels(Z.filled(np.nan), drawing.view.levels, drawing.view.contours)
        inner.contourf(X, Y, Z, levels=levels, cmap=cmap, norm=BoundaryNorm(levels, cmap.N, extend="both"),
                       extend="both")
        inner.contour(X, Y, Z, levels=levels[:: max(1, len(levels) // 8)], colors=theme.contour,
                      linestyles="dashed", linewidths=0.5, alpha=0.6)
        inner.set_xlim(xmin, xmax)
        inner.set_ylim(ymin, ymax)
        inner.set_xticks([])
        inner.set_yticks([])
        for side in inner.spines.values():
            side.set_edgecolor(theme.text)
            side.set_linewidth(1.0)
        for mx, my, best in drawing.minima_in(spec.window, Z.filled(np.nan)):
            drawing.star(inner, (mx, my), best, 16, zorder=3)
        # The region's frame on the plot, and lines from it to the inset.
        ax.indicate_inset((xmin, ymin, xmax - xmin, ymax - ymin), inner, edgecolor=theme.text, alpha=0.8,
                          linewidth=1.0)
        self.runs = list(drawing.plan.singles)
        self.trails, self.heads = [], []
        for r in self.runs:
            color = drawing.colors[r]
            self.trails.append(inner.plot([], [], color=color, linewidth=1.6, zorder=4)[0])
            self.heads.append(inner.plot([], [], color=color, marker="o", markersize=7, markeredgecolor="black",
                                         markeredgewidth=0.8, linestyle="none", zorder=5)[0])
        drawing.animate(self.trails + self.heads)
        # What covers the plot there: the paths' points, for the legend, the key, the
        # captions and the contour labels to keep clear of it.
        pixels = inner.get_window_extent()
        gu, gv = np.meshgrid(np.linspace(pixels.x0, pixels.x1, 16), np.linspace(pixels.y0, pixels.y1, 16))
        drawing.path_pixels = np.vstack([drawing.path_pixels,
                                         np.repeat(np.column_stack([gu.ravel(), gv.ravel()]), 8, axis=0)])

    @property
    def box(self) -> tuple:
        """The inset's display box (x0, y0, x1, y1), as laid out now, a little padded."""
        return tuple(self.ax.get_window_extent().padded(3).extents)

    def clip(self, artists) -> None:
        """Keep ``artists`` of the plot off the inset: clipped to the plot's area without the
        inset's box (the plot's box one way round, the inset's the other), in the plot's
        axes coordinates, so that it follows the plot wherever its layout moves it."""
        if self.hole is None:
            x, y, w, h = self.place
            vertices = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0), (x, y), (x, y + h), (x + w, y + h), (x + w, y),
                        (x, y)]
            codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY] * 2
            self.hole = PathPatch(Path(vertices, codes), transform=self.drawing.ax.transAxes)
        for a in artists:
            a.set_clip_path(self.hole)

    def update(self, frame: int) -> None:
        plan = self.drawing.plan
        P = self.drawing.trajectories.positions
        for r, trail, head in zip(self.runs, self.trails, self.heads):
            last = int(plan.last[r, frame])
            if last < 0:
                trail.set_data([], [])
                head.set_data([], [])
                continue
            at = head_at(plan, P, r, frame)
            path = P[r, :last + 1]
            if np.all(np.isfinite(at)):
                path = np.vstack([path, at[None]])
                head.set_data([at[0]], [at[1]])
            else:
                head.set_data([], [])
            trail.set_data(path[:, 0], path[:, 1])
