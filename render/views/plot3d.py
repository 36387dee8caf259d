"""The 3D view: the surface, each run drawn on it, an optional contour floor with shadows."""
from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from .base import Drawing
from .glyphs import GlyphText


class Plot3D(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        self.camera = view.camera
        self.moving_camera = self.camera.orbit != 0
        fig = self.figure
        self.ax = fig.add_axes((0.0, 0.0, 1.0, 0.86), projection="3d")
        self.window = view.window or self.scene.surface.window
        self._surface()
        self._runs()
        self._place_camera(0)
        self.status_text = GlyphText(0.5, 0.875, self.status(0), fontsize=8, ha="center",
                                     transform=fig.transFigure)
        fig.add_artist(self.status_text)
        self.animate([self.status_text])
        fig.suptitle(self.title(), fontsize=11)

    def _surface(self):
        ax, view, surface = self.ax, self.view, self.scene.surface
        X, Y, Z = surface.grid(view.resolution, self.window)
        finite = Z[np.isfinite(Z)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        Z = np.where(np.isfinite(Z), Z, np.nan)
        ax.plot_surface(X, Y, Z, cmap=view.cmap, alpha=view.alpha, linewidth=0,
                        antialiased=True, rstride=1, cstride=1, vmin=lo, vmax=hi)
        self.floor = lo - 0.25 * (hi - lo) if view.shadow else lo
        if view.shadow:
            ax.contourf(X, Y, np.nan_to_num(Z, nan=hi), zdir="z", offset=self.floor,
                        levels=15, cmap=view.cmap, alpha=0.7)
        for mx, my in surface.minima:
            xmin, xmax, ymin, ymax = self.window
            if xmin <= mx <= xmax and ymin <= my <= ymax:
                ax.plot([mx], [my], [float(surface(mx, my))], marker="*", markersize=12,
                        color="white", markeredgecolor="black", linestyle="none")
        ax.set_xlim(self.window[0], self.window[1])
        ax.set_ylim(self.window[2], self.window[3])
        ax.set_zlim(self.floor, hi)
        labels = getattr(surface, "axis_labels", ("x", "y"))
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_zlabel("loss")
        if self.camera.distance is not None:
            ax.set_box_aspect(None, zoom=10.0 / self.camera.distance)

    def _runs(self):
        ax = self.ax
        self.paths, self.heads, self.shadows = [], [], []
        for color in self.colors:
            self.paths.append(ax.plot([], [], [], color=color, linewidth=1.6, marker="o",
                                      markersize=2.5)[0])
            self.heads.append(ax.plot([], [], [], color=color, marker="o", markersize=8,
                                      markeredgecolor="black", markeredgewidth=0.8, linestyle="none")[0])
            if self.view.shadow:
                self.shadows.append(ax.plot([], [], [], color=color, linewidth=1.2, alpha=0.8)[0])
        self.animate(self.paths + self.shadows + self.heads)
        if self.view.legend:
            handles = [Line2D([], [], color=c, marker="o", markersize=5, markeredgecolor="black",
                              markeredgewidth=0.5, linewidth=1.4) for c in self.colors]
            ax.legend(handles, self.plan.labels, loc="upper left", framealpha=0.8)

    def _place_camera(self, frame: int):
        self.ax.view_init(elev=self.camera.elev, azim=self.camera.azimuth(self.plan.fraction(frame)))

    def update(self, frame: int) -> list:
        P, L = self.trajectories.positions, self.trajectories.losses
        for i, (path, head) in enumerate(zip(self.paths, self.heads)):
            idx, last = self.plan.trail(i, frame)
            xs, ys, zs = P[i, idx, 0], P[i, idx, 1], L[i, idx]
            path.set_data_3d(xs, ys, zs)
            head.set_data_3d(xs[-1:], ys[-1:], zs[-1:])
            head.set_marker("X" if self.plan.diverged(i, frame) else "o")
            if self.shadows:
                self.shadows[i].set_data_3d(xs, ys, np.full_like(xs, self.floor))
        if self.moving_camera:
            self._place_camera(frame)
        self.status_text.set_text(self.status(frame))
        return self.animated
