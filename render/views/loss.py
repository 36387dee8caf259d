"""The loss panel: each run's loss against step, drawn as the animation advances."""
from __future__ import annotations

import numpy as np


class LossPanel:
    """Loss-vs-step curves on ``ax``, owned by a Drawing whose frames it follows.

    The y axis is logarithmic when the losses are positive and span more than two decades.
    """

    def __init__(self, drawing, ax):
        self.drawing = drawing
        self.ax = ax
        losses = drawing.trajectories.losses
        finite = losses[np.isfinite(losses)]
        steps = drawing.steps
        ax.set_xlim(0, max(1, int(steps[-1])))
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            start = np.abs(losses[:, 0][np.isfinite(losses[:, 0])])
            scale = float(start[start > 0].min()) if np.any(start > 0) else 1.0
            if lo > 0 and hi / lo > 100:
                ax.set_yscale("log")
                ax.yaxis.get_major_locator().set_params(numticks=8)
                ax.set_ylim(lo / 1.5, hi * 1.5)
            elif max(abs(lo), abs(hi)) > 1e3 * scale:
                # Losses that fall (or rise) through decades, across zero: symmetric log.
                ax.set_yscale("symlog", linthresh=scale)
                ax.yaxis.get_major_locator().set_params(numticks=8)     # not one label a decade
                ax.set_ylim(lo * 1.5 if lo < 0 else lo, hi * 1.5 if hi > 0 else hi)
            else:
                pad = 0.05 * (hi - lo) if hi > lo else max(1.0, abs(hi)) * 0.05
                ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.grid(True, alpha=0.3)
        self.lines = [ax.plot([], [], color=c, linewidth=drawing.trail_width(i))[0]
                      for i, c in enumerate(drawing.colors)]
        self.heads = [ax.plot([], [], color=c, marker="o", markersize=5, markeredgecolor="black",
                              markeredgewidth=0.5, linestyle="none")[0] for c in drawing.colors]
        drawing.animate(self.lines + self.heads)

    def update(self, frame: int) -> None:
        d = self.drawing
        for i, (line, head) in enumerate(zip(self.lines, self.heads)):
            xs, _ = d.plan.trail(i, frame)         # the steps the trail shows, the same ones
            ys = d.trajectories.losses[i, xs]
            line.set_data(xs, ys)
            if len(xs):
                head.set_data([xs[-1]], [ys[-1]])
            else:
                head.set_data([], [])
