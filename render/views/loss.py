"""The loss panel: each run's loss against step, drawn as the animation advances.

The axis is the plan's (``render.lossaxis``): log when losses span decades, loss minus the
lowest when they cross zero, linear otherwise, fitted to the runs that stay in range. A run
that leaves the axis (it diverged, or ran away) is drawn until it leaves and marked where it
did, a triangle on the edge; a run that diverged ends in a cross at the step it did.
When runs have schedules, their learning rates have a strip of their own under the losses,
sharing the step axis, so no rate line crosses a loss curve.
"""
from __future__ import annotations

import warnings

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.ticker import FuncFormatter

from ..timeline import interpolate
from .runs import Batches, somewhere

STRIP = 0.3         # of the panel's height: the learning-rate strip under the losses
STRIP_GAP = 0.04    # ... and the gap above it


class LossPanel:
    """Loss-vs-step curves on ``ax``, owned by a Drawing whose frames it follows."""

    def __init__(self, drawing, ax):
        self.drawing = drawing
        self.ax = ax
        plan, colors = drawing.plan, drawing.colors
        losses = drawing.trajectories.losses
        self.singles = plan.singles
        self.axis = axis = plan.loss_axis(getattr(drawing.view, "loss_scale", "auto"))
        # A swarm, per colour (per basin): the median loss, and a band from the 10th to the
        # 90th percentile. Hundreds of curves drawn one by one would be a tangle.
        bands = []
        for group in plan.groups:
            for color in dict.fromkeys(colors[r] for r in group.rows):
                rows = np.array([r for r in group.rows if colors[r] == color])
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore", RuntimeWarning)      # all diverged: NaN
                    band = np.nanpercentile(interpolate(losses, rows, plan.times), [10, 50, 90], axis=0)
                bands.append((color, axis.drawn(band)))
        ax.set_xlim(0, max(1, int(plan.scene.steps)))
        if axis.log:
            ax.set_yscale("log")
            ax.yaxis.get_major_locator().set_params(numticks=6)
        ax.set_ylim(axis.lo, axis.hi)
        ax.set_xlabel("step")
        ax.set_ylabel(axis.label)
        ax.grid(True, alpha=0.3)
        # Step against loss, batched as the runs' trails are: a line per legend entry.
        curve = lambda rows, times: np.stack(np.broadcast_arrays(
            np.asarray(times, dtype=float)[None, :], axis.drawn(interpolate(losses, rows, times))), axis=2)
        self.batches = Batches(plan, self.singles, lambda i: (colors[i], drawing.trail_width(i)), curve, 2,
                               grows=drawing.crowded)
        self.diverged_at = np.asarray(plan.trajectories.diverged_at)[self.batches.runs]
        self.lines = [ax.plot([], [], color=colors[i], linewidth=drawing.trail_width(i),
                              solid_capstyle="round" if grows else None)[0]
                      for i, grows in zip(self.batches.first, self.batches.grows)]
        drawing.growing.extend(line for line, grows in zip(self.lines, self.batches.grows) if grows)
        marker = dict(markeredgecolor="black", markeredgewidth=0.5, linestyle="none", clip_on=False)
        self.heads = [[ax.plot([], [], color=colors[i], marker=m, markersize=s, **marker)[0]
                       for m, s in (("o", 6), ("^", 8), ("v", 8), ("X", 8))] for i in self.batches.first]
        self.bands = []
        for color, values in bands:
            band = PolyCollection([], facecolors=color, alpha=0.25, linewidths=0)
            ax.add_collection(band, autolim=False)
            line, = ax.plot([], [], color=color, linewidth=1.4)
            self.bands.append((values, band, line))
        drawing.animate(self.lines + [h for heads in self.heads for h in heads]
                        + [a for _, band, line in self.bands for a in (band, line)])
        self._rates()

    def _rates(self) -> None:
        """When runs have schedules: each run's learning rate against step (a constant one
        flat) in its colour, in a strip of its own under the losses."""
        d = self.drawing
        runs = d.plan.scene.runs
        self.rates, self.rate_ax = [], None
        if not any(getattr(runs[i], "schedule", None) is not None for i in self.singles):
            return
        steps = d.plan.scene.steps
        ax = self.rate_ax = d.figure.add_axes(self.ax.get_position(), sharex=self.ax)
        self.placed()
        tables = {i: runs[i].learning_rates(steps) for i in self.singles}
        hi = float(np.concatenate(list(tables.values())).max())
        # Linear from zero: schedules are made of steps, lines and cosines, read as such
        # (a log axis turned a cosine's last steps into a cliff).
        ax.set_ylim(0, hi * 1.15 if hi > 0 else 1)
        ax.yaxis.get_major_locator().set_params(nbins=3)
        # Rates as they are written (0.02), without an offset text that would sit on the
        # losses above.
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_ylabel("lr")
        ax.set_xlabel("step")
        ax.grid(True, alpha=0.3)
        self.ax.set_xlabel("")
        self.ax.tick_params(labelbottom=False)
        for i, table in tables.items():
            line, = ax.plot([], [], color=d.colors[i], linewidth=1.4)
            # Optimizer step t (from 1) uses rate t - 1 of the table: drawn at x = t.
            self.rates.append((np.arange(1, steps + 1), table, line))
        d.animate([line for _, _, line in self.rates])

    def placed(self) -> None:
        """Split the panel's place between the losses and the rate strip (after the plot's
        grid moved)."""
        if self.rate_ax is None:
            return
        box = self.ax.get_subplotspec().get_position(self.drawing.figure)
        strip = STRIP * box.height
        self.rate_ax.set_position((box.x0, box.y0, box.width, strip))
        self.ax.set_position((box.x0, box.y0 + strip + STRIP_GAP * box.height, box.width,
                              box.height - strip - STRIP_GAP * box.height))

    def update(self, frame: int) -> None:
        d = self.drawing
        shown = int(np.floor(d.plan.times[frame]))
        for x, rates, line in self.rates:
            line.set_data(x[:shown], rates[:shown])
        trails, heads, moving = self.batches.at(frame, grown=not d.baking)
        lo, hi = self.axis.lo, self.axis.hi
        for members, points, line, (dot, up, down, cross) in zip(self.batches.members, trails, self.lines,
                                                                  self.heads):
            if points is not None:
                line.set_data(points[:, 0], points[:, 1])
            ends = heads[members]
            going = moving[members]
            finite = np.all(np.isfinite(ends), axis=1)
            # A curve now over the top or under the bottom is marked on the edge where it
            # left; one still going and in range ends in a dot; a run that diverged ends in
            # a cross where it did (on the edge if that is beyond it).
            with np.errstate(invalid="ignore"):
                over, under = finite & (ends[:, 1] > hi), finite & (ends[:, 1] < lo)
            dot.set_data(*somewhere(ends[going & finite & ~over & ~under]).T)
            for marker, which, edge in ((up, over, hi), (down, under, lo)):
                left = self._left(members[which], frame, edge)
                marker.set_data(left[:, 0], np.full(len(left), edge))
            # (At the step it diverged, as its name says, one after its last finite loss.)
            gone = ~going & finite
            steps = self.diverged_at[members[gone]]
            cross.set_data(steps, np.clip(ends[gone, 1], lo, hi))
        times = d.plan.times[: frame + 1]
        for (lo, mid, hi), band, line in self.bands:
            n = len(times)
            line.set_data(times, mid[:n])
            ok = np.isfinite(lo[:n]) & np.isfinite(hi[:n])
            x = times[ok]
            band.set_verts([np.column_stack([np.r_[x, x[::-1]], np.r_[lo[:n][ok], hi[:n][ok][::-1]]])]
                           if len(x) > 1 else [])

    def _left(self, members, frame: int, edge: float) -> np.ndarray:
        """Where each of the curves ``members`` (into the batches' runs) crossed ``edge``
        (the axis' top or bottom), by ``frame``: (n, 2)."""
        out = []
        for k in members:
            ys = self.batches.P[k, : frame + 1, 1]
            with np.errstate(invalid="ignore"):
                beyond = np.flatnonzero(ys > edge if edge == self.axis.hi else ys < edge)
            j = int(beyond[0]) if len(beyond) else frame
            out.append((self.batches.P[k, j, 0], edge))
        return np.array(out, dtype=float).reshape(-1, 2)

    def grow(self, frame: int) -> list:
        lines = [line for line, grows in zip(self.lines, self.batches.grows) if grows]
        for line, points in zip(lines, self.batches.grow(frame)):
            line.set_data(points[:, 0], points[:, 1])
        return lines
