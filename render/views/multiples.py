"""Small multiples: each run in a contour panel of its own, all on one colour scale.

One plot cannot tell ten runs apart: the palette has eight colours, a legend eight entries,
and ten trails over one valley are a tangle. Here each run has its panel, titled with its
name (its tuned value, its schedule), its trail in its colour from its start, its head, and
its current loss across from its title; the panels share the surface's window, levels and
colours, so they compare at a glance.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import BoundaryNorm
from matplotlib.transforms import offset_copy

from ..timeline import interpolate
from .base import TEXT, Drawing, contour_levels
from .glyphs import GlyphText
from .swarm import START_SIZE

GRID = 160          # contour grid points per side of a panel


class Multiples(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        fig = self.figure
        runs = list(range(len(plan.scene.runs)))
        self.runs = runs
        n = len(runs)
        w, h = fig.bbox.width, fig.bbox.height
        # A sweep of two hyperparameters is its grid: the first along a row, the second down
        # a column, the values as headers. Otherwise as square panels as the frame allows.
        sweep = plan.scene.runs[0].sweep
        self.sweep = sweep if sweep is not None and len(sweep.values) == 2 and \
            all(r.sweep is sweep for r in plan.scene.runs) else None
        if self.sweep is not None:
            rows, columns = self.sweep.shape
        else:
            columns = view.columns or self._columns(n, w, h)
            rows = math.ceil(n / columns)
        # Above the panels (in inches, the same at every size): the title, the status line,
        # then the panels' titles or the sweep's headers.
        self.put_title()
        tall = self.tall = fig.get_figheight()
        line = TEXT * 1.3 / 72
        top = self.head_bottom() - (line + 0.04) / tall
        left = (0.42 + line) / fig.get_figwidth() if self.sweep is not None else 0.02
        hspace = (line + 0.06) / tall * rows / max(top - 0.03, 0.1)
        grid = fig.add_gridspec(rows, columns, left=left, right=0.98, bottom=0.03, top=top,
                                wspace=0.05, hspace=hspace if self.sweep is None else 0.12)
        self.window = self.resolve_window()
        xmin, xmax, ymin, ymax = self.window
        X, Y, Z = self.surface.grid(GRID, self.window)
        Z = np.ma.masked_invalid(Z)
        levels = contour_levels(Z.filled(np.nan), view.levels, view.contours)
        norm = BoundaryNorm(levels, self.cmap.N, extend="both")
        positions = self.trajectories.positions
        self.axes, self.trails, self.heads, self.crosses, self.losses = [], [], [], [], []
        for k, run in enumerate(runs):
            ax = fig.add_subplot(grid[k // columns, k % columns])
            ax.contourf(X, Y, Z, levels=levels, cmap=self.cmap, norm=norm, extend="both")
            ax.contour(X, Y, Z, levels=levels[:: max(1, len(levels) // 6)], colors=self.theme.contour,
                       linestyles="dashed", linewidths=0.4, alpha=0.5)
            for mx, my, best in self.minima_in(self.window, Z.filled(np.nan)):
                self.star(ax, (mx, my), best, 9)
            ax.set_xlim(xmin, xmax)
            ax.set_ylim(ymin, ymax)
            ax.set_xticks([])
            ax.set_yticks([])
            if self.sweep is None:
                self._title(ax, run)
            color = self.colors[run]
            x0, y0 = positions[run, 0]
            ax.scatter([x0], [y0], s=START_SIZE, marker="s", color=color, edgecolors="black",
                       linewidths=0.5, zorder=3)
            trail, = ax.plot([], [], color=color, linewidth=1.6, zorder=4)
            head, = ax.plot([], [], color=color, marker="o", markersize=6, markeredgecolor="black",
                            markeredgewidth=0.7, linestyle="none", zorder=5)
            cross, = ax.plot([], [], color=color, marker="X", markersize=7, markeredgecolor="black",
                             markeredgewidth=0.7, linestyle="none", zorder=5)
            # The loss in the panel's lower right corner, on a halo: the title has the room above.
            corner = offset_copy(ax.transAxes, fig=fig, x=-3, y=3, units="points")
            loss = GlyphText(1, 0, "", fontsize=TEXT, color=self.theme.text, ha="right", transform=corner,
                             halo=1.6, behind=self.theme.background)
            fig.add_artist(loss)
            self.axes.append(ax)
            self.trails.append(trail)
            self.heads.append(head)
            self.crosses.append(cross)
            self.losses.append(loss)
        self.animate(self.trails + self.heads + self.crosses + self.losses)
        if self.sweep is not None:
            self._headers(columns)
        self.put_status(f"step {int(self.steps[0])}")
        self.animate([self.status_text])
        self.update(0)

    def _columns(self, n: int, w: float, h: float) -> int:
        """As square panels as the frame allows, but no more columns than leave each panel
        as wide as its run's name (a tuned value cut off would lose the point)."""
        from matplotlib.font_manager import FontProperties
        renderer = self.figure.canvas.get_renderer()
        prop = FontProperties(family="DejaVu Sans", size=TEXT)
        widest = max(renderer.get_text_width_height_descent(label, prop, ismath=False)[0]
                     for label in self.plan.legend_labels)
        columns = max(1, min(n, round(math.sqrt(n * w / h))))
        while columns > 1 and 0.96 * w / columns - 6 < widest:
            columns -= 1
        return columns

    def _title(self, ax, run: int) -> None:
        """The run's name over its panel, in the run's colour made readable; a name too wide
        for its panel loses its last words (never its size), ending in an ellipsis."""
        from .. import themes
        color = themes.readable(self.colors[run], self.theme.background)
        text = self.plan.legend_labels[run]
        title = ax.set_title(text, fontsize=TEXT, color=color, pad=3, loc="left")
        renderer = self.figure.canvas.get_renderer()
        room = ax.get_window_extent(renderer).width
        words = text.split(" ")
        while len(words) > 1 and title.get_window_extent(renderer).width > room:
            words = words[:-1]
            title.set_text(" ".join(words).rstrip(",") + "\u2026")

    def _loss_text(self, run: int, frame: int) -> str:
        """What the panel of ``run`` says across from its title at ``frame``."""
        if self.plan.diverged(run, frame):
            return f"diverged at {int(self.trajectories.diverged_at[run])}"
        return f"{self.trajectories.losses[run, int(self.steps[frame])]:.3g}"

    def _headers(self, columns: int) -> None:
        """The sweep's values: the first hyperparameter's over the columns, the second's
        beside the rows."""
        (across, xs), (down, ys) = self.sweep.values.items()
        fig = self.figure
        for c, value in enumerate(xs):
            ax = self.axes[c]
            above = offset_copy(ax.transAxes, fig=fig, y=3, units="points")
            fig.text(0.5, 1, f"{across}={value:g}", transform=above, ha="center", va="bottom",
                     fontsize=TEXT, fontweight="bold", color=self.theme.text)
        for r, value in enumerate(ys):
            ax = self.axes[r * columns]
            beside = offset_copy(ax.transAxes, fig=fig, x=-4, units="points")
            fig.text(0, 0.5, f"{value:g}", transform=beside, ha="right", va="center",
                     fontsize=TEXT, fontweight="bold", color=self.theme.text)
        # The second hyperparameter's name once, at the far left, along the rows.
        top, bottom = self.axes[0].get_position(), self.axes[-1].get_position()
        fig.text(0.006, (top.y1 + bottom.y0) / 2, down, rotation=90, ha="left", va="center",
                 fontsize=TEXT, fontweight="bold", color=self.theme.text)

    def update(self, frame: int) -> list:
        plan = self.plan
        positions = self.trajectories.positions
        step = int(self.steps[frame])
        now = plan.times[frame]
        for k, run in enumerate(self.runs):
            last = int(plan.last[run, frame])
            path = positions[run, : max(last, 0) + 1]
            gone = plan.diverged(run, frame)
            if not gone and now > last:             # between two steps: the head glides
                path = np.vstack([path, interpolate(positions, [run], [now])[0]])
            self.trails[k].set_data(path[:, 0], path[:, 1])
            x, y = path[-1]
            self.heads[k].set_data(*(([], []) if gone else ([x], [y])))
            self.crosses[k].set_data(*(([x], [y]) if gone else ([], [])))
            self.losses[k].set_text(self._loss_text(run, frame))
        self.status_text.set_text(f"step {step}")
        return self.animated
