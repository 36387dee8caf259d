"""The loss panel: each run's loss against step, drawn as the animation advances."""
from __future__ import annotations

import warnings

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.ticker import Locator

from .runs import Batches, somewhere


class LossPanel:
    """Loss-vs-step curves on ``ax``, owned by a Drawing whose frames it follows.

    The y axis is logarithmic when the losses are positive and span more than two decades.
    """

    def __init__(self, drawing, ax):
        self.drawing = drawing
        self.ax = ax
        plan, colors, steps = drawing.plan, drawing.colors, drawing.steps
        losses = drawing.trajectories.losses
        self.singles = plan.singles
        # A swarm, per colour (per basin): the median loss, and a band from the 10th to the
        # 90th percentile. Hundreds of curves drawn one by one would be a tangle.
        bands = []
        for group in plan.groups:
            for color in dict.fromkeys(colors[r] for r in group.rows):
                rows = np.array([r for r in group.rows if colors[r] == color])
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore", RuntimeWarning)      # all diverged: NaN
                    bands.append((color, np.nanpercentile(losses[rows][:, steps], [10, 50, 90], axis=0)))
        # The axis fits what is drawn: the single runs' curves and the swarms' bands.
        shown = [losses[self.singles].ravel()] + [b.ravel() for _, b in bands]
        self._limits(np.concatenate(shown), losses[:, 0], int(steps[-1]))
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.grid(True, alpha=0.3)
        # Step against loss, batched as the runs' trails are: a line per legend entry.
        curve = lambda rows, shown: np.stack(np.broadcast_arrays(shown[None, :].astype(float), losses[np.ix_(rows, shown)]),
                                             axis=2)
        self.batches = Batches(plan, self.singles, lambda i: (colors[i], drawing.trail_width(i)), curve, 2,
                               grows=drawing.crowded)
        self.lines = [ax.plot([], [], color=colors[i], linewidth=drawing.trail_width(i),
                              solid_capstyle="round" if grows else None)[0]
                      for i, grows in zip(self.batches.first, self.batches.grows)]
        drawing.growing.extend(line for line, grows in zip(self.lines, self.batches.grows) if grows)
        self.heads = [ax.plot([], [], color=colors[i], marker="o", markersize=5, markeredgecolor="black",
                              markeredgewidth=0.5, linestyle="none")[0] for i in self.batches.first]
        self.bands = []
        for color, values in bands:
            band = PolyCollection([], facecolors=color, alpha=0.25, linewidths=0)
            ax.add_collection(band, autolim=False)
            line, = ax.plot([], [], color=color, linewidth=1.4)
            self.bands.append((values, band, line))
        drawing.animate(self.lines + self.heads + [a for _, band, line in self.bands for a in (band, line)])
        self._rates()

    def _rates(self) -> None:
        """When runs have schedules: each run's learning rate against step (a constant one
        flat), dashed in its colour, on an axis of its own at the right."""
        d = self.drawing
        runs = d.plan.scene.runs
        self.rates = []
        if not any(getattr(runs[i], "schedule", None) is not None for i in self.singles):
            return
        steps = d.plan.scene.steps
        ax = self.rate_ax = self.ax.twinx()
        tables = {i: runs[i].learning_rates(steps) for i in self.singles}
        hi = float(np.concatenate(list(tables.values())).max())
        ax.set_xlim(self.ax.get_xlim())
        # Linear from zero: schedules are made of steps, lines and cosines, read as such
        # (a log axis turned a cosine's last steps into a cliff).
        ax.set_ylim(0, hi * 1.1 if hi > 0 else 1)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
        ax.set_ylabel("learning rate (dashed)")
        for i, table in tables.items():
            line, = ax.plot([], [], color=d.colors[i], linewidth=1.2, linestyle=(0, (4, 2)))
            # Optimizer step t (from 1) uses rate t - 1 of the table: drawn at x = t.
            self.rates.append((np.arange(1, steps + 1), table, line))
        d.animate([line for _, _, line in self.rates])

    def _limits(self, values: np.ndarray, starts: np.ndarray, last_step: int) -> None:
        ax = self.ax
        ax.set_xlim(0, max(1, last_step))
        finite = values[np.isfinite(values)]
        if not finite.size:
            return
        lo, hi = float(finite.min()), float(finite.max())
        start = np.abs(starts[np.isfinite(starts)])
        scale = float(start[start > 0].min()) if np.any(start > 0) else 1.0
        if lo > 0 and hi / lo > 100:
            ax.set_yscale("log")
            ax.yaxis.get_major_locator().set_params(numticks=8)
            ax.set_ylim(lo / 1.5, hi * 1.5)
        elif max(abs(lo), abs(hi)) > 1e3 * scale:
            # Losses that fall (or rise) through decades, across zero: symmetric log.
            ax.set_yscale("symlog", linthresh=scale)
            locator = ax.yaxis.get_major_locator()
            locator.set_params(numticks=8)                          # not one label a decade
            ax.yaxis.set_major_locator(Spaced(locator))             # nor three on top of each other at 0
            ax.set_ylim(lo * 1.5 if lo < 0 else lo, hi * 1.5 if hi > 0 else hi)
        else:
            pad = 0.05 * (hi - lo) if hi > lo else max(1.0, abs(hi)) * 0.05
            ax.set_ylim(lo - pad, hi + pad)

    def update(self, frame: int) -> None:
        d = self.drawing
        step = int(d.steps[frame])
        for x, rates, line in self.rates:
            line.set_data(x[:step], rates[:step])
        trails, heads, _ = self.batches.at(frame, grown=not d.baking)
        for members, points, line, head in zip(self.batches.members, trails, self.lines, self.heads):
            if points is not None:
                line.set_data(points[:, 0], points[:, 1])
            ends = somewhere(heads[members])           # every run's, in their order
            head.set_data(ends[:, 0], ends[:, 1])
        steps = d.steps[: frame + 1]
        for (lo, mid, hi), band, line in self.bands:
            n = len(steps)
            line.set_data(steps, mid[:n])
            ok = np.isfinite(lo[:n]) & np.isfinite(hi[:n])
            x = steps[ok]
            band.set_verts([np.column_stack([np.r_[x, x[::-1]], np.r_[lo[:n][ok], hi[:n][ok][::-1]]])]
                           if len(x) > 1 else [])

    def grow(self, frame: int) -> list:
        lines = [line for line, grows in zip(self.lines, self.batches.grows) if grows]
        for line, points in zip(lines, self.batches.grow(frame)):
            line.set_data(points[:, 0], points[:, 1])
        return lines


class Spaced(Locator):
    """Another locator's ticks, thinned so that no two labels are closer than 1.6 label
    heights on screen. Around zero a symmetric-log axis puts -1, 0 and 1e-3 within a few
    pixels of each other; their labels overlapped."""

    def __init__(self, base: Locator):
        self.base = base

    def set_axis(self, axis):
        super().set_axis(axis)
        self.base.set_axis(axis)

    def __call__(self):
        lo, hi = sorted(self.axis.get_view_interval())
        return self.tick_values(lo, hi)

    def tick_values(self, vmin, vmax):
        ticks = np.asarray(self.base.tick_values(vmin, vmax))
        lo, hi = sorted((vmin, vmax))
        ticks = np.sort(ticks[(ticks >= lo) & (ticks <= hi)])
        axes = self.axis.axes
        pixels = axes.transData.transform(np.column_stack([np.zeros_like(ticks), ticks]))[:, 1]
        size = self.axis.majorTicks[0].label1.get_fontsize()
        gap = 1.6 * size * axes.figure.dpi / 72
        # Zero first, then the largest magnitudes: the labels that say the most.
        kept: list[int] = []
        for i in sorted(range(len(ticks)), key=lambda i: (ticks[i] != 0, -abs(ticks[i]))):
            if all(abs(pixels[i] - pixels[k]) >= gap for k in kept):
                kept.append(i)
        return ticks[sorted(kept)]
