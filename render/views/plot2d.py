"""The 2D view: filled contours, dashed labelled levels, minima, and each run's trail."""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm

from matplotlib.transforms import offset_copy

from .base import Drawing, contour_levels
from .glyphs import GlyphText
from .data import DataPanel
from .loss import LossPanel
from .runs import Batches
from .swarm import HEAD_SIZE, START_FILL, START_SIZE, SwarmLayer

GRID = 300          # contour grid points per side
FIELD = 21          # quiver arrows per side


class Plot2D(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        fig = self.figure
        self.grid = None
        sides = [kind for kind, wanted in (("loss", view.loss_panel), ("data", view.data_panel is not False))
                 if wanted]
        if sides and self.portrait:
            # A portrait frame stacks the panels under the plot rather than squeezing them.
            grid = self.grid = fig.add_gridspec(1 + len(sides), 1, height_ratios=(1.5,) + (1,) * len(sides),
                                                hspace=0.22, left=0.13, right=0.95, bottom=0.05, top=0.9)
        elif sides:
            grid = self.grid = fig.add_gridspec(1, 1 + len(sides), width_ratios=(1.5,) + (1,) * len(sides),
                                                wspace=0.25, left=0.07 if len(sides) == 1 else 0.085,
                                                right=0.97 if len(sides) == 1 else 0.98, bottom=0.1, top=0.88)
        if sides:
            self.ax = fig.add_subplot(grid[0])
            axes = dict(zip(sides, (fig.add_subplot(grid[1 + k]) for k in range(len(sides)))))
        else:
            self.ax = fig.add_axes(self._frame)
            axes = {}
        self.panes = [self.ax] + list(axes.values())     # the plot and its panels, in grid order
        self.loss = LossPanel(self, axes["loss"]) if "loss" in axes else None
        self.data = DataPanel(self, axes["data"]) if "data" in axes else None
        self.window = self.resolve_window()
        self._background()
        self._runs()
        if view.arrows:
            self._arrows()
        self._inside()
        above = offset_copy(self.ax.transAxes, fig=fig, y=4, units="points")
        self.status_text = GlyphText(0, 1, self.status(0), fontsize=8, color=self.theme.text,
                                     transform=above)
        fig.add_artist(self.status_text)
        self.status_text.set_text(self.fitted_status(0))
        self.animate([self.status_text])
        fig.suptitle(self.title(), fontsize=11)

    # static -----------------------------------------------------------------------------
    def _background(self):
        ax, surface = self.ax, self.surface
        xmin, xmax, ymin, ymax = self.window
        X, Y, Z = surface.grid(GRID, self.window)
        Z = np.ma.masked_invalid(Z)
        levels = contour_levels(Z.filled(np.nan), self.view.levels, self.view.contours)
        cmap = self.cmap
        norm = BoundaryNorm(levels, cmap.N, extend="both")
        ax.contourf(X, Y, Z, levels=levels, cmap=cmap, norm=norm, extend="both")
        # Limits and aspect first: the contour labels are placed on screen.
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        if self.view.aspect == "equal":
            ax.set_aspect("equal", adjustable="box")
            ax.apply_aspect()
        self.box = ((xmin, ymin), (xmax, ymax))
        P = self.trajectories.positions[:, self.steps].reshape(-1, 2)
        with np.errstate(all="ignore"):
            self.path_pixels = ax.transData.transform(P[np.all(np.isfinite(P), axis=1)])
        shown = levels[:: max(1, len(levels) // 10)]
        lines = ax.contour(X, Y, Z, levels=shown, colors=self.theme.contour, linestyles="dashed",
                           linewidths=0.6, alpha=0.6)
        self._label_contours(lines)
        for mx, my in surface.minima:
            if xmin <= mx <= xmax and ymin <= my <= ymax:
                ax.plot([mx], [my], marker="*", markersize=13, color="white",
                        markeredgecolor="black", markeredgewidth=0.8, linestyle="none", zorder=3)
        if self.view.field:
            fx, fy = np.meshgrid(np.linspace(xmin, xmax, FIELD), np.linspace(ymin, ymax, FIELD))
            with np.errstate(all="ignore"):
                gx, gy = surface.gradient(fx, fy)
                norm_g = np.hypot(gx, gy)
            sloped = np.isfinite(norm_g) & (norm_g > 0)
            if np.any(sloped):          # a flat surface has no field to draw
                ax.quiver(fx[sloped], fy[sloped], -gx[sloped] / norm_g[sloped],
                          -gy[sloped] / norm_g[sloped], color=self.theme.field, alpha=0.45, angles="xy",
                          pivot="mid", width=0.0025, headwidth=4, zorder=2)
        labels = getattr(surface, "axis_labels", ("x", "y"))
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])

    def _label_contours(self, lines) -> None:
        """Label the dashed levels where the labels do not crowd: matplotlib puts one on
        every line, and where the surface is steep they pile up. Labels are placed once
        without cutting the lines; those that would overlap a kept one, a run's path or
        the frame's edge are dropped, and the rest placed again, cutting their lines."""
        fmt = lambda v: f"{v:.3g}"
        renderer = self.figure.canvas.get_renderer()
        texts = lines.clabel(fmt=fmt, fontsize=7, inline=False)
        inside = self.ax.get_window_extent(renderer)
        kept, boxes = [], []
        for text in list(texts):
            box = text.get_window_extent(renderer).padded(3)
            clear = all(not box.overlaps(b) for b in boxes) and not box.count_contains(self.path_pixels)
            within = inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
            if clear and within:
                kept.append(text.get_position())
                boxes.append(box)
        for text in list(texts):
            text.remove()
        lines.labelTexts.clear()
        lines.labelCValues.clear()
        if kept:
            lines.clabel(fmt=fmt, fontsize=7, inline=True, manual=kept)

    # moving -----------------------------------------------------------------------------
    def _runs(self):
        ax = self.ax
        self.singles = self.plan.singles
        P = self.trajectories.positions
        style = lambda i: (self.colors[i], self.trail_width(i), self.trail_marker(i), self.head_size(i))
        self.batches = Batches(self.plan, self.singles, style, lambda rows, steps: P[np.ix_(rows, steps)], 2,
                               self.box, grows=self.crowded)
        self.trails, self.heads = [], []
        for i, grows in zip(self.batches.first, self.batches.grows):
            color = self.colors[i]
            # A growing trail is drawn a segment at a time: round caps make the pieces one line.
            trail, = ax.plot([], [], color=color, linewidth=self.trail_width(i), marker=self.trail_marker(i),
                             markersize=2.5, zorder=4, solid_capstyle="round" if grows else None)
            self.trails.append(trail)
            if grows:
                self.growing.append(trail)
            for marker in "oX":         # still moving, diverged
                head, = ax.plot([], [], color=color, marker=marker, markersize=self.head_size(i),
                                markeredgecolor="black", markeredgewidth=0.8, linestyle="none", zorder=5)
                self.heads.append(head)
        self.animate(self.trails + self.heads)
        self.swarms = []
        for group in self.plan.groups:
            layer = SwarmLayer(self, group, lambda rows, steps: P[np.ix_(rows, steps)], self.box)
            where, rgba = layer.starts()
            size, alpha, cell = START_SIZE, 0.55, layer.cell(self.surface.window)
            if cell is not None:
                # A grid's starts tile the plot: coloured by basin, they are its map, quiet
                # enough for the trails to stand out over it.
                pixels = np.abs(ax.transData.transform(cell) - ax.transData.transform((0, 0)))
                size, alpha = max(size, (START_FILL * pixels.min() * 72 / self.figure.dpi) ** 2), 0.3
            if len(where):
                ax.scatter(where[:, 0], where[:, 1], s=size, marker="s", c=rgba, alpha=alpha,
                           linewidths=0, zorder=3.5)
            trails = LineCollection([], linewidths=1.0, zorder=4)
            heads = ax.scatter([], [], s=HEAD_SIZE, edgecolors="black", linewidths=0.4, zorder=4.8)
            ax.add_collection(trails, autolim=False)
            self.swarms.append((layer, trails, heads))
            self.animate([trails, heads])
        if self.view.legend:
            entries = self.legend_entries()
            legend = ax.legend(self.legend_handles(entries), [t for _, t in entries], loc="upper right",
                               framealpha=0.85)
            corner, hides = self._clearest_corner(legend)
            if self.view.legend == "outside" or hides:
                self._beside(legend)
            else:
                legend.set_loc(corner)

    def _clearest_corner(self, legend) -> tuple[str, bool]:
        """The corner where the legend hides the fewest trail points, and whether even there
        it would hide a start, an end or a minimum."""
        P, last = self.trajectories.positions, self.plan.last[:, -1]
        ends = np.array([P[i, k] for i, k in enumerate(last) if k >= 0]).reshape(-1, 2)
        minima = np.array(self.surface.minima, dtype=float).reshape(-1, 2)
        with np.errstate(all="ignore"):
            key = self.ax.transData.transform(np.vstack([P[:, 0], ends, minima]))
        corners = [(corner, None) for corner in ("upper right", "upper left", "lower left", "lower right")]
        counts = self.corner_counts(legend, corners, [self.path_pixels, key])
        corner, _, (_, hidden) = min(counts, key=lambda c: (c[2][1] > 0, c[2][0]))
        return corner, hidden > 0

    @property
    def _frame(self) -> tuple[float, float, float, float]:
        """The plot's box (left, bottom, width, height) in figure fractions, without a loss panel."""
        return (0.13, 0.06, 0.82, 0.84) if self.portrait else (0.08, 0.1, 0.88, 0.78)

    def _beside(self, legend) -> None:
        """The legend right of the plot (of the loss panel, if any), the axes narrowed to
        make room; in a portrait frame, under them, the axes raised."""
        renderer = self.figure.canvas.get_renderer()
        if self.portrait:
            legend.set_loc("lower center")
            legend.set_bbox_to_anchor((0.5, 0.01), transform=self.figure.transFigure)
            height = legend.get_window_extent(renderer).height / self.figure.bbox.height + 0.05
            if self.grid is not None:
                self.grid.update(bottom=0.06 + height)
                self._regrid()
            else:
                left, bottom, width, tall = self._frame
                self.ax.set_position((left, bottom + height, width, tall - height))
            if self.view.aspect == "equal":
                # The plot shrank to keep its aspect: the legend follows it up.
                self.ax.apply_aspect()
                legend.set_visible(False)                 # (the axes' box counts their legend)
                lowest = self.panes[-1].get_tightbbox(renderer)
                legend.set_visible(True)
                legend.set_loc("upper center")
                legend.set_bbox_to_anchor((0.5, (lowest.y0 - 6) / self.figure.bbox.height),
                                          transform=self.figure.transFigure)
            return
        legend.set_loc("upper left")
        legend.set_bbox_to_anchor((1.02, 1.0), transform=self.panes[-1].transAxes)
        width = legend.get_window_extent(renderer).width / self.figure.bbox.width + 0.02
        if self.grid is not None:
            self.grid.update(right=0.97 - width)
            self._regrid()
        else:
            left, bottom, full, height = self._frame
            self.ax.set_position((left, bottom, full - width, height))

    def _inside(self) -> None:
        """Widen the margins until the labels at the left and right are inside the frame (a
        narrow frame's long tick labels, "-10.0" beside "PC2 (10%)", reached past its left
        edge; a learning-rate axis, past its right)."""
        renderer = self.figure.canvas.get_renderer()
        width = self.figure.bbox.width
        boxes = [ax.get_tightbbox(renderer) for ax in self.figure.axes]
        left = max(0.0, (2 - min(b.x0 for b in boxes)) / width)
        right = max(0.0, (max(b.x1 for b in boxes) - (width - 2)) / width)
        if not left and not right:
            return
        # At most until the plot keeps a third of the frame (a frame of a few dozen pixels
        # cannot hold the labels at all).
        if self.grid is not None:
            g = self.grid
            room = max(0.0, g.right - g.left - 0.33)
            left, right = min(left, room), min(right, max(0.0, room - left))
            g.update(left=g.left + left, right=g.right - right)
            self._regrid()
        else:
            box = self.ax.get_position()
            left = min(left, max(0.0, box.width - 0.33))
            self.ax.set_position((box.x0 + left, box.y0, box.width - left, box.height))

    def _regrid(self) -> None:
        """Move the plot and its panels to their changed grid (``GridSpec.update`` moves
        only pyplot's figures), a panel's twin axis with it."""
        for ax in self.panes:
            ax.set_position(ax.get_subplotspec().get_position(self.figure))
        rate_ax = getattr(self.loss, "rate_ax", None)
        if rate_ax is not None:
            rate_ax.set_position(self.loss.ax.get_position())

    def _arrows(self):
        # A crowd's arrows would be a thicket: the runs of entries drawn one by one get them.
        self.pointed = np.array([k for k, i in enumerate(self.singles) if not self.crowded(i)], dtype=int)
        runs = [self.singles[k] for k in self.pointed]
        # The steepest start sets the scale: its arrow spans 15% of the width; later arrows
        # shrink with the gradient, and none grows past a quarter of the width.
        g0 = self.trajectories.gradients[runs, 0]
        start = np.hypot(g0[:, 0], g0[:, 1])
        start = start[np.isfinite(start) & (start > 0)]
        width = self.window[1] - self.window[0]
        self.arrow_scale = 0.15 * width / (start.max() if start.size else 1.0)
        self.arrow_cap = 0.25 * width
        n = len(runs)
        if not n:
            return                  # a swarm's arrows would be a field; View2D(field=True) draws one
        self.quiver = self.ax.quiver(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n),
                                     color=[self.colors[i] for i in runs], angles="xy",
                                     scale_units="xy", scale=1,
                                     width=0.004, edgecolor="black", linewidth=0.4, zorder=4.5)
        self.animate([self.quiver])

    def update(self, frame: int) -> list:
        step = int(self.steps[frame])
        trails, heads, moving = self.batches.at(frame, grown=not self.baking)
        for k, (points, ends) in enumerate(zip(trails, self.batches.split(heads, moving))):
            if points is not None:
                self.trails[k].set_data(points[:, 0], points[:, 1])
            for head, where in zip(self.heads[2 * k: 2 * k + 2], ends):
                head.set_data(where[:, 0], where[:, 1])
        for layer, trails, dots in self.swarms:
            segments, rgba = layer.trails(frame)
            trails.set_segments(segments)
            trails.set_color(rgba)
            where, rgba = layer.heads(frame)
            dots.set_offsets(where)
            dots.set_facecolors(rgba)
        if self.view.arrows and len(self.pointed):
            runs, heads, moving = np.asarray(self.singles)[self.pointed], heads[self.pointed], moving[self.pointed]
            vectors = np.zeros_like(heads)
            vectors[moving] = -self.trajectories.gradients[runs, step][moving] * self.arrow_scale
            length = np.hypot(vectors[:, 0], vectors[:, 1])
            too_long = length > self.arrow_cap
            vectors[too_long] *= (self.arrow_cap / length[too_long])[:, None]
            self.quiver.set_offsets(np.nan_to_num(heads))
            self.quiver.set_UVC(vectors[:, 0], vectors[:, 1])
        self.status_text.set_text(self.fitted_status(frame))
        if self.loss is not None:
            self.loss.update(frame)
        if self.data is not None:
            self.data.update(frame)
        return self.animated

    def grow(self, frame: int) -> list:
        trails = [t for t, grows in zip(self.trails, self.batches.grows) if grows]
        for trail, points in zip(trails, self.batches.grow(frame)):
            trail.set_data(points[:, 0], points[:, 1])
        return trails + (self.loss.grow(frame) if self.loss is not None else [])
