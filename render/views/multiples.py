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

from .base import Drawing, contour_levels
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
            columns = view.columns or max(1, min(n, round(math.sqrt(n * w / h))))
            rows = math.ceil(n / columns)
        # Above the panels, in inches (the same at every size): the title, the status line,
        # then the panels' titles or the sweep's headers.
        tall = self.tall = fig.get_figheight()
        self.status_y = 1 - 0.55 / tall
        top = 1 - (0.62 + (0.32 if self.sweep is not None else 0.2)) / tall
        left = 0.06 if self.sweep is not None else 0.02
        grid = fig.add_gridspec(rows, columns, left=left, right=0.98, bottom=0.03, top=top,
                                wspace=0.05, hspace=0.28)
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
            for mx, my in self.surface.minima:
                ax.plot([mx], [my], marker="*", markersize=7, markerfacecolor="white",
                        markeredgecolor="black", markeredgewidth=0.6, linestyle="none")
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
            # The loss above the panel's right end, across from its title: nothing covers it.
            corner = offset_copy(ax.transAxes, fig=fig, y=3, units="points")
            loss = GlyphText(1, 1, "", fontsize=7, color=self.theme.text, ha="right", transform=corner)
            fig.add_artist(loss)
            self.axes.append(ax)
            self.trails.append(trail)
            self.heads.append(head)
            self.crosses.append(cross)
            self.losses.append(loss)
        self.animate(self.trails + self.heads + self.crosses + self.losses)
        if self.sweep is not None:
            self._headers(columns)
        self.status_text = GlyphText(0.5, self.status_y, f"step {int(self.steps[0])}", fontsize=8, ha="center",
                                     color=self.theme.text, transform=fig.transFigure)
        fig.add_artist(self.status_text)
        self.animate([self.status_text])
        fig.suptitle(self.title(), fontsize=11, y=1 - 0.08 / self.tall)
        self.update(0)

    def _title(self, ax, run: int) -> None:
        """The run's name over its panel, smaller (down to 6 points) where it would run into
        the widest loss shown across from it (narrow panels, long names)."""
        title = ax.set_title(self.plan.labels[run], fontsize=7.5, color=self.theme.text, pad=3, loc="left")
        renderer = self.figure.canvas.get_renderer()
        probe, dpi = GlyphText(0, 0, fontsize=7), self.figure.dpi
        shown = {self._loss_text(run, frame) for frame in range(len(self.steps))}
        room = ax.get_window_extent(renderer).width - max(probe.width(t, dpi) for t in shown) - 6
        size = 7.5
        while size > 6.0 and title.get_window_extent(renderer).width > room:
            size -= 0.5
            title.set_fontsize(size)

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
            above = offset_copy(ax.transAxes, fig=fig, y=13, units="points")
            fig.text(0.5, 1, f"{across}={value:g}", transform=above, ha="center", va="bottom",
                     fontsize=8, fontweight="bold", color=self.theme.text)
        for r, value in enumerate(ys):
            ax = self.axes[r * columns]
            beside = offset_copy(ax.transAxes, fig=fig, x=-4, units="points")
            fig.text(0, 0.5, f"{value:g}", transform=beside, ha="right", va="center",
                     fontsize=8, fontweight="bold", color=self.theme.text)
        # The second hyperparameter's name once, at the far left, along the rows.
        top, bottom = self.axes[0].get_position(), self.axes[-1].get_position()
        fig.text(0.006, (top.y1 + bottom.y0) / 2, down, rotation=90, ha="left", va="center",
                 fontsize=9, fontweight="bold", color=self.theme.text)

    def update(self, frame: int) -> list:
        plan = self.plan
        positions = self.trajectories.positions
        step = int(self.steps[frame])
        for k, run in enumerate(self.runs):
            last = int(plan.last[run, frame])
            path = positions[run, : max(last, 0) + 1]
            self.trails[k].set_data(path[:, 0], path[:, 1])
            x, y = path[-1]
            gone = plan.diverged(run, frame)
            self.heads[k].set_data(*(([], []) if gone else ([x], [y])))
            self.crosses[k].set_data(*(([x], [y]) if gone else ([], [])))
            self.losses[k].set_text(self._loss_text(run, frame))
        self.status_text.set_text(f"step {step}")
        return self.animated
