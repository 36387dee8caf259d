"""The response view: one panel per gradient signal, each run's update drawn as time runs."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.lines import Line2D

from .base import TEXT, Drawing
from .glyphs import shown


class ResponsePlot(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        r = self.trajectories              # a gradient_signals.Responses
        panels = len(r.names)
        cols = min(view.columns, panels)
        rows = math.ceil(panels / cols)
        self.put_title(shown(self.scene.title or "Updates in response to gradient signals"))
        line = TEXT * 1.3 / 72
        grid = self.figure.add_gridspec(rows, cols, left=0.07, right=0.98,
                                        bottom=self.inches(0.4 + (line + 0.1 if view.legend else 0)),
                                        top=self.head_bottom() - self.inches(line),
                                        hspace=0.55, wspace=0.25)
        self.lines = []                    # per panel, per run
        t = np.arange(r.steps + 1)
        for p, name in enumerate(r.names):
            ax = self.figure.add_subplot(grid[p // cols, p % cols])
            ax.plot(t, r.gradients[p], color="0.6", linewidth=0.9)
            ys = np.concatenate([r.gradients[p], r.updates[:, p].ravel()])
            ys = ys[np.isfinite(ys)]
            lo, hi = (ys.min(), ys.max()) if ys.size else (-1, 1)
            pad = 0.08 * (hi - lo) if hi > lo else 1.0
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_xlim(0, r.steps)
            ax.set_title(name.replace("_", " "), fontsize=TEXT, pad=3)
            ax.yaxis.get_major_locator().set_params(nbins=3)
            ax.xaxis.get_major_locator().set_params(nbins=4)
            ax.grid(True, alpha=0.3)
            self.lines.append([ax.plot([], [], color=c, linewidth=1.3)[0] for c in self.colors])
        self.animate([line for panel in self.lines for line in panel])
        if view.legend:
            entries = self.legend_entries()
            handles = [Line2D([], [], color="0.6")] + self.legend_handles(entries, marker=False)
            labels = ["gradient"] + [t for _, t in entries]
            self.figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5),
                               frameon=False, fontsize=TEXT)
        self.put_status(self.status(0))
        self.animate([self.status_text])

    def status(self, frame: int) -> str:
        return f"step {int(self.steps[frame])}"

    def update(self, frame: int) -> list:
        step = int(self.steps[frame])
        r = self.trajectories
        t = np.arange(step + 1)
        for p, panel in enumerate(self.lines):
            for i, line in enumerate(panel):
                line.set_data(t, r.updates[i, p, : step + 1])
        self.status_text.set_text(self.status(frame))
        return self.animated
