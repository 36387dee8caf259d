"""The 2D view: filled contours, dashed labelled levels, minima, and each run's trail, its
head and its name (``marks``)."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import BoundaryNorm
from matplotlib.transforms import blended_transform_factory

from ..story import find_run
from ..timeline import interpolate, keyed
from .captions import Captions, head_at
from .inset import InsetPanel
from .base import TEXT, Drawing, contour_levels
from .data import DataPanel
from .glyphs import GlyphText
from .loss import LossPanel
from .marks import COVERED, DASH, Marks, coverage, families, trail_pixels
from .runs import HEAD, Batches, joined
from .swarm import SwarmLayer

GRID = 300          # contour grid points per side
FIELD = 21          # quiver arrows per side
# Margins of the plot's frame, in inches: left of it the tick labels and the axis label,
# under it the same, right of it a little air.
LEFT, BOTTOM, RIGHT = 0.78, 0.56, 0.2


class Plot2D(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        fig = self.figure
        self.put_title()
        self.grid = None
        top = self.head_bottom()
        bottom = self.inches(BOTTOM)
        width = fig.get_figwidth()
        sides = [kind for kind, wanted in (("loss", view.loss_panel), ("data", view.data_panel is not False))
                 if wanted]
        if sides and self.portrait:
            # A portrait frame stacks the panels under the plot rather than squeezing them.
            grid = self.grid = fig.add_gridspec(1 + len(sides), 1, height_ratios=(1.5,) + (1,) * len(sides),
                                                hspace=0.3, left=LEFT / width, right=1 - RIGHT / width,
                                                bottom=bottom, top=top)
        elif sides:
            grid = self.grid = fig.add_gridspec(1, 1 + len(sides), width_ratios=(1.5,) + (1,) * len(sides),
                                                wspace=0.3, left=LEFT / width, right=1 - RIGHT / width,
                                                bottom=bottom, top=top)
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
        self.windows = self._moving_windows() if view.moves else None
        if self.windows is not None:
            # Every frame drawn whole, the background over every window the view will show.
            self.moving_camera = True
            w = self.windows
            self.window = (float(w[:, 0].min()), float(w[:, 1].max()), float(w[:, 2].min()), float(w[:, 3].max()))
        self._background()
        self._inside()
        self.inset = None
        if view.inset is not None:
            self.inset = InsetPanel(self, view.inset, self.cmap, GRID)
        self._runs()
        self.status_text = GlyphText(0, self.status_y(), self.status(0), fontsize=TEXT, color=self.theme.text,
                                     transform=blended_transform_factory(self.ax.transAxes, fig.transFigure))
        fig.add_artist(self.status_text)
        self.status_text.set_text(self.fitted_status(0))
        self.animate([self.status_text])
        if self.windows is not None:
            self._show(0)

    def _moving_windows(self) -> np.ndarray:
        """The window at each frame (frames, 4) of a view whose window moves: eased between
        its keys (from its own window at the start), or following a run's head."""
        plan, view = self.plan, self.view
        base = np.array(self.window, dtype=float)
        frames = plan.frames
        if view.keys:
            keys = [(k.at, k.window) for k in view.keys]
            return np.array([keyed(base, keys, plan.fraction(f)) for f in range(frames)])
        run = find_run(plan.scene.runs, view.follow, "View2D: follow", "View2D: follow names no run")
        P = self.trajectories.positions
        heads = np.array([head_at(plan, P, run, f) for f in range(frames)], dtype=float).reshape(-1, 2)
        finite = np.all(np.isfinite(heads), axis=1)
        if not finite.any():
            return np.tile(base, (frames, 1))
        # A head that is gone (diverged) is where it was last seen.
        last = np.maximum.accumulate(np.where(finite, np.arange(frames), -1))
        heads = np.where(last[:, None] >= 0, heads[np.maximum(last, 0)], heads[np.argmax(finite)])
        # Smoothed forwards and backwards (no lag, no jump): half a second's time constant.
        keep = 1.0 - 1.0 / max(1.0, 0.5 * plan.fps)
        centre = heads.copy()
        for f in range(1, frames):
            centre[f] = keep * centre[f - 1] + (1 - keep) * heads[f]
        for f in range(frames - 2, -1, -1):
            centre[f] = keep * centre[f + 1] + (1 - keep) * centre[f]
        half = np.array([base[1] - base[0], base[3] - base[2]]) * view.follow_size / 2
        # The head never leaves the middle four fifths of the window.
        room = 0.8 * half
        centre = np.clip(centre, heads - room, heads + room)
        return np.column_stack([centre[:, 0] - half[0], centre[:, 0] + half[0],
                                centre[:, 1] - half[1], centre[:, 1] + half[1]])

    def _show(self, frame: int) -> None:
        """The axes at the frame's window (a view whose window moves)."""
        xmin, xmax, ymin, ymax = self.windows[frame]
        self.ax.set_xlim(xmin, xmax)
        self.ax.set_ylim(ymin, ymax)

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
        shown = levels[:: max(1, len(levels) // 8)]
        lines = ax.contour(X, Y, Z, levels=shown, colors=self.theme.contour, linestyles="dashed",
                           linewidths=0.6, alpha=0.6)
        self._label_contours(lines)
        self.minima = []
        # (Over a swarm's tiny heads the minima are drawn above them; a race's heads cover
        # them, the star's points showing around.)
        self.minima_kinds = self.minima_in(self.window, Z.filled(np.nan))
        for mx, my, best in self.minima_kinds:
            self.minima.append((mx, my))
            star = self.star(ax, (mx, my), best, 18, zorder=5.5 if self.plan.groups else 3)
            if self.plan.groups:
                self.animate([star])           # drawn each frame, over the swarm's heads
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
        texts = lines.clabel(fmt=fmt, fontsize=TEXT, inline=False)
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
        self.contour_boxes = []
        if kept:
            placed = lines.clabel(fmt=fmt, fontsize=TEXT, inline=True, manual=kept)
            self.contour_boxes = [t.get_window_extent(renderer).extents for t in placed]

    # moving -----------------------------------------------------------------------------
    def _runs(self):
        ax, plan = self.ax, self.plan
        self.singles = plan.singles
        P = self.trajectories.positions
        points = lambda rows, times: interpolate(P, rows, times)
        style = lambda i: (self.colors[i], self.trail_width(i), self.trail_marker(i), self.head_size(i))
        self.batches = Batches(plan, self.singles, style, points, 2, self.box, grows=self.crowded,
                               tail=self.view.tail)
        self.named = self.labelled()
        self.trails, self.heads, self.crowd_heads = [], [], {}
        for i, grows in zip(self.batches.first, self.batches.grows):
            color = self.colors[i]
            # A growing trail is drawn a segment at a time: round caps make the pieces one line.
            trail, = ax.plot([], [], color=color, linewidth=self.trail_width(i), marker=self.trail_marker(i),
                             markersize=3.0, zorder=4, solid_capstyle="round" if grows else None)
            self.trails.append(trail)
            if grows:
                self.growing.append(trail)
            # A crowd's heads, as markers (the others are the marks' discs).
            if self.crowded(i):
                self.crowd_heads[len(self.trails) - 1] = len(self.heads)
                for marker in "oX":         # still moving, diverged
                    head, = ax.plot([], [], color=color, marker=marker, markersize=self.head_size(i),
                                    markeredgecolor="black", markeredgewidth=0.6, linestyle="none", zorder=5)
                    self.heads.append(head)
        self.animate(self.trails + self.heads)
        if self.inset is not None:
            self.inset.clip(self.trails + self.heads)
        # With a tail, the whole path stays too, faint and thin: where each run has been.
        self.faint = []
        if self.view.tail is not None:
            for i in self.batches.first:
                self.faint.append(ax.plot([], [], color=self.colors[i], linewidth=0.8, alpha=0.35, zorder=3.9)[0])
            self.animate(self.faint)
            if self.inset is not None:
                self.inset.clip(self.faint)
        self._starts()
        self.swarms = []
        for group in plan.groups:
            layer = SwarmLayer(self, group, points, self.box)
            layer.draw_basins(ax, self.window)
            history = layer.history(ax)
            trails = layer.moving(ax)
            heads = layer.head_markers(ax)
            self.growing.append(history)
            self.swarms.append((layer, trails, heads, history))
            self.animate([history, trails, *heads])
            if self.inset is not None:
                self.inset.clip([history, trails, *heads])
        self.legend = None
        if self.wants_legend():
            entries = self.legend_entries()
            legend = self.legend = ax.legend(self.legend_handles(entries), [t for _, t in entries],
                                             loc="upper right", framealpha=0.85)
            corner, hides = self._clearest_corner(legend)
            if self.view.legend == "outside" or hides:
                self._beside(legend)
            else:
                legend.set_loc(corner)
        if self.view.arrows:
            self._arrows()
        self._key()
        self._captions()
        self._marks()

    def _captions(self) -> None:
        """The notes and events, in the corner the paths, the heads (and the names beside
        them), the legend and the key leave clearest, each pointing at its run's head."""
        renderer = self.figure.canvas.get_renderer()
        blocked = [box.get_window_extent(renderer).extents for box in (self.legend, self.key)
                   if box is not None and box.get_visible()]
        if self.inset is not None:
            blocked.append(self.inset.box)
        positions = self.trajectories.positions
        area = self.ax.get_window_extent(renderer)
        runs = list(self.plan.singles)

        def screen(run, frame):
            at = head_at(self.plan, positions, run, frame)
            return None if not np.all(np.isfinite(at)) else self.ax.transData.transform(at[None])[0]

        def heads(frame):
            at = np.array([head_at(self.plan, positions, r, frame) for r in runs]).reshape(-1, 2)
            with np.errstate(invalid="ignore"):
                at = self.ax.transData.transform(at)
            # (a head outside the plot is named at its edge)
            return np.column_stack([np.clip(at[:, 0], area.x0, area.x1), np.clip(at[:, 1], area.y0, area.y1)])
        self.captions = Captions(self, self.ax, screen, self.path_pixels, heads, blocked)

    def _starts(self) -> None:
        """Where the single runs start: a small open square (one for runs that share a
        start), under everything that moves."""
        P = self.trajectories.positions
        starts = np.unique(P[self.singles, 0].reshape(-1, 2), axis=0) if self.singles else np.empty((0, 2))
        (x0, y0), (x1, y1) = self.box
        inside = (starts[:, 0] >= x0) & (starts[:, 0] <= x1) & (starts[:, 1] >= y0) & (starts[:, 1] <= y1)
        self.start_points = starts[inside]
        if len(self.start_points):
            self.ax.plot(*self.start_points.T, marker="s", markersize=7, markerfacecolor=self.theme.background,
                         markeredgecolor=self.theme.text, markeredgewidth=1.0, linestyle="none", zorder=3.6)

    def _marks(self) -> None:
        """Heads, crosses, edge arrows and names of the runs not in a crowd (``marks``)."""
        self.marks, self.marked_runs = None, []
        marked = self.marked()
        if marked is None:
            return
        named, where, kind, at, towards = marked
        self.marked_runs = named
        transform = self.ax.transData.transform
        screen = lambda frame, points: transform(np.asarray(points, dtype=float).reshape(-1, 2))
        if self.windows is not None:
            def screen(frame, points):                  # (where the window is at that frame)
                self._show(frame)
                return transform(np.asarray(points, dtype=float).reshape(-1, 2))
        renderer = self.figure.canvas.get_renderer()
        area = self.ax.get_window_extent(renderer).extents + np.array([3, 3, -3, -3])
        obstacles = list(self.contour_boxes)
        r = 5 * self.figure.dpi / 72
        obstacles += [(u - r, v - r, u + r, v + r) for u, v in transform(np.array(self.minima).reshape(-1, 2))]
        obstacles += [(u - r, v - r, u + r, v + r) for u, v in transform(self.start_points.reshape(-1, 2))]
        if self.legend is not None and self.legend.get_visible():
            obstacles.append(self.legend.get_window_extent(renderer).padded(4).extents)
        if self.key is not None:
            obstacles.append(self.key_box)
        obstacles += self.captions.boxes(renderer)        # names stay clear of the captions
        if self.inset is not None:
            obstacles.append(self.inset.box)
        with np.errstate(invalid="ignore"):
            pixels = [transform(self.batches.P[k]) for k in where]
        trails = trail_pixels(pixels, self.plan.frames)
        self.marks = Marks(self, named, kind, at, towards, screen, self.box, area, obstacles, trails,
                           labels=bool(self.view.labels), joint_only=not self.named_alone(),
                           still=self.windows is None)
        self.marks.set_zorder(6)
        self.figure.add_artist(self.marks)
        self.animate([self.marks])
        self.mark_kind = kind
        self._coincident(named, where, pixels)

    def _coincident(self, named, where, pixels) -> None:
        """Where a run's path lies on an earlier run's, that run's colour is dashed over it:
        both colours show along the shared stretch (SGD under SGD-momentum)."""
        self.overlays = []
        whole = [bool(self.batches.whole[k]) for k in where]
        shown = [p if w else np.full_like(p, np.nan) for p, w in zip(pixels, whole)]
        pairs = coverage(shown, COVERED * self.figure.dpi / 100)
        if not pairs:
            return
        rank, size = families(pairs, len(named))
        # One dashed line per covered run's colour, over every path that runs on its.
        for q in dict.fromkeys(q for _, q, _ in pairs):
            dashes = (rank[q] * DASH, (DASH, (size[q] - 1) * DASH))
            line, = self.ax.plot([], [], color=self.colors[named[q]], linewidth=self.trail_width(named[q]),
                                 linestyle=dashes, zorder=4.2, solid_capstyle="butt", dash_capstyle="butt")
            over = [(self.batches.P[where[j]], frames) for j, k, frames in pairs if k == q]
            self.overlays.append((over, line))
        self.animate([line for _, line in self.overlays])

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
        """The plot's box (left, bottom, width, height) in figure fractions, without panels."""
        fig = self.figure
        w, h = fig.get_figwidth(), fig.get_figheight()
        left, right, bottom = LEFT / w, RIGHT / w, BOTTOM / h
        return (left, bottom, 1 - left - right, self.head_bottom() - bottom)

    def _beside(self, legend) -> None:
        """The legend right of the plot (of the last panel, if any), the axes narrowed to
        make room; in a portrait frame, under them, the axes raised."""
        renderer = self.figure.canvas.get_renderer()
        if self.portrait:
            legend.set_loc("lower center")
            legend.set_bbox_to_anchor((0.5, 0.01), transform=self.figure.transFigure)
            height = legend.get_window_extent(renderer).height / self.figure.bbox.height + 0.05
            if self.grid is not None:
                self.grid.update(bottom=self.grid.bottom + height)
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
            self.grid.update(right=self.grid.right - width)
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
        only pyplot's figures), a panel's strip with it."""
        for ax in self.panes:
            ax.set_position(ax.get_subplotspec().get_position(self.figure))
        if self.loss is not None:
            self.loss.placed()

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
        if self.inset is not None:
            self.inset.clip([self.quiver])

    def _key(self) -> None:
        """What the marks that are not runs mean, said once, in the corner of the plot the
        paths cross least: the arrows ("step direction (−gradient)"), and where a local
        minimum is drawn (hollow), which star is which."""
        from matplotlib.legend import Legend
        from matplotlib.legend_handler import HandlerPatch
        from matplotlib.lines import Line2D
        from matplotlib.patches import FancyArrow
        ink = self.theme.text
        entries = []
        if self.view.arrows and getattr(self, "quiver", None) is not None:
            entries.append((FancyArrow(0, 0, 1, 0, color=ink), "step direction (\u2212gradient)"))
        if not all(best for _, _, best in self.minima_kinds):
            if any(best for _, _, best in self.minima_kinds):
                entries.append((Line2D([], [], linestyle="none", **self.star_style(True, 14)), "minimum"))
            entries.append((Line2D([], [], linestyle="none", **self.star_style(False, 14)), "local minimum"))
        self.key = None
        if not entries:
            return
        def arrow(legend, orig_handle, xdescent, ydescent, width, height, fontsize):
            # An arrow across the handle's box, as the runs' arrows are drawn.
            return FancyArrow(-xdescent, height / 2 - ydescent, width, 0, width=0.2 * height,
                              head_width=0.7 * height, head_length=0.6 * height, length_includes_head=True,
                              color=ink)
        key = Legend(self.ax, [h for h, _ in entries], [t for _, t in entries], loc="lower left",
                     framealpha=0.85, handlelength=1.6, borderpad=0.3, labelspacing=0.2,
                     handler_map={FancyArrow: HandlerPatch(patch_func=arrow)})
        key.set_zorder(5.5)
        corners = [(c, None) for c in ("lower left", "lower right", "upper left", "upper right")]
        taken = [] if self.legend is None else [self.legend.get_window_extent(self.figure.canvas.get_renderer())]
        counts = self.corner_counts(key, corners, [self.path_pixels])
        renderer = self.figure.canvas.get_renderer()

        def cost(entry):
            loc, _, (paths,) = entry
            key.set_loc(loc)
            box = key.get_window_extent(renderer)
            return (any(box.overlaps(t) for t in taken), paths)
        loc = min(counts, key=cost)[0]
        key.set_loc(loc)
        self.ax.add_artist(key)
        self.key = key
        self.key_box = key.get_window_extent(renderer).padded(4).extents

    def update(self, frame: int) -> list:
        step = int(self.steps[frame])
        if self.windows is not None:
            self._show(frame)
        trails, heads, moving = self.batches.at(frame, grown=not self.baking)
        if self.faint:
            for line, points in zip(self.faint, self.batches.at(frame, whole=True)[0]):
                line.set_data(points[:, 0], points[:, 1])
        for k, (points, ends) in enumerate(zip(trails, self.batches.split(heads, moving))):
            if points is not None:
                self.trails[k].set_data(points[:, 0], points[:, 1])
            if k in self.crowd_heads:
                h = self.crowd_heads[k]
                for head, where in zip(self.heads[h: h + 2], ends):
                    head.set_data(where[:, 0], where[:, 1])
        if self.marks is not None:
            self.marks.update(frame)
        self.captions.update(frame)
        if self.inset is not None:
            self.inset.update(frame)
        first = 0 if self.view.tail is None else max(0, frame - self.view.tail)
        for over, line in getattr(self, "overlays", ()):
            stretch = joined([_stretches(points, (frames[:frame] <= frame) & (np.arange(frame) >= first))
                              for points, frames in over], 2)
            line.set_data(stretch[:, 0], stretch[:, 1])
        for layer, trails, dots, history in self.swarms:
            if not self.baking:
                layer.grow(frame, history, whole=True)
            layer.move(frame, trails)
            layer.place_heads(frame, dots)
        if self.view.arrows and len(self.pointed):
            # (The batches' runs are the singles; the marked ones are those pointed at.)
            runs = np.asarray(self.singles)[self.pointed]
            at = heads[self.pointed]
            shown = self.mark_kind[:, frame] == HEAD
            vectors = np.zeros_like(at)
            vectors[shown] = -self.trajectories.gradients[runs, step][shown] * self.arrow_scale
            length = np.hypot(vectors[:, 0], vectors[:, 1])
            too_long = length > self.arrow_cap
            vectors[too_long] *= (self.arrow_cap / length[too_long])[:, None]
            # A head that is not drawn (diverged, outside) gets no arrow, not even a dot.
            at = np.where(shown[:, None], at, np.nan)
            self.quiver.set_offsets(at)
            self.quiver.set_UVC(np.nan_to_num(vectors[:, 0]), np.nan_to_num(vectors[:, 1]))
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
        grown = [layer.grow(frame, history) for layer, _, _, history in self.swarms]
        return trails + grown + (self.loss.grow(frame) if self.loss is not None else [])


def _stretches(points: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """The segments of a polyline ``points`` (n, 2) where ``segments`` (up to n - 1) is
    True, as one polyline with NaN rows between the stretches."""
    idx = np.flatnonzero(segments)
    pieces = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1) if len(idx) else []
    return joined([points[piece[0]: piece[-1] + 2] for piece in pieces], 2)
