"""The interpolation view: the loss along straight lines through parameter space, as the
runs train. Each run's line from its start to where it is (a run that went straight down
shows a line falling all the way), or one line between two runs (a bump is a barrier between
the two solutions that a 2D plane can hide)."""
from __future__ import annotations

import numpy as np

from .base import TEXT, Drawing
from .glyphs import shown

# Frames whose lines set the loss axis (before the first is drawn, so it never moves).
SCALE_FRAMES = 12


def line_losses(scene, trajectories, view, step: int) -> np.ndarray:
    """The loss at ``view.points`` evenly spaced points of each line at ``step``, shape
    (lines, points): a row a run (from its start), or one row (between two runs). NaN where
    a run has diverged by then."""
    t = np.linspace(0.0, 1.0, view.points)
    P = trajectories.positions
    ends = view.ends(scene.runs)
    pairs = [(P[r, 0], P[r, step]) for r in range(len(P))] if ends is None else [(P[ends[0], step], P[ends[1], step])]
    out = np.full((len(pairs), len(t)), np.nan)
    surface = scene.surface
    for k, (a, b) in enumerate(pairs):
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            continue
        points = a + t[:, None] * (b - a)
        with np.errstate(all="ignore"):
            if hasattr(surface, "dims"):                 # a model: D parameters a point
                out[k] = surface.loss(points)
            else:
                out[k] = np.asarray(surface(points[:, 0], points[:, 1]), dtype=float) + np.zeros(len(t))
    return out


class InterpolationPlot(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        scene, self.t = plan.scene, np.linspace(0.0, 1.0, view.points)
        self.pair = view.ends(scene.runs)
        self.put_title(shown(scene.title) if scene.title else "The loss along straight lines")
        self.ax = self.figure.add_axes([0.1, self.inches(0.55),
                                        0.84, self.head_bottom() - self.inches(0.55) - self.inches(0.15)])
        ax = self.ax
        # The loss axis from a few frames' lines, so that it never moves.
        frames = np.unique(np.linspace(0, len(self.steps) - 1, min(SCALE_FRAMES, len(self.steps))).astype(int))
        seen = np.concatenate([self.losses(f).ravel() for f in frames])
        seen = seen[np.isfinite(seen)]
        lo, hi = (float(seen.min()), float(seen.max())) if seen.size else (0.0, 1.0)
        log = view.log if view.log is not None else (lo > 0 and hi / lo > 100)
        if log and lo > 0:
            ax.set_yscale("log")
            ax.set_ylim(lo / 1.3, hi * 1.3)
        else:
            pad = 0.06 * (hi - lo) if hi > lo else 1.0
            ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.5, 1])
        if self.pair is None:
            ax.set_xticklabels(["start", "halfway", "now"])
            ax.set_xlabel("along each run's line from its start to where it is", fontsize=TEXT)
        else:
            a, b = (plan.short_names[r] for r in self.pair)
            ax.set_xticklabels([a, "halfway", b])
            ax.set_xlabel(f"along the line from {a} to {b}", fontsize=TEXT)
        ax.set_ylabel("loss", fontsize=TEXT)
        ax.grid(True, alpha=0.3)
        rows = range(len(self.colors)) if self.pair is None else [self.pair[0]]
        # A line between two runs is neither's: drawn in the text's colour, its ends in theirs.
        self.lines = [ax.plot([], [], color=self.colors[r] if self.pair is None else self.theme.text,
                              linewidth=1.6)[0] for r in rows]
        if self.pair is not None:                       # the line takes both runs' colours at its ends
            self.ends = [ax.plot([], [], "o", color=self.colors[r], markersize=6)[0] for r in self.pair]
        else:
            self.ends = [ax.plot([], [], "o", color=c, markersize=5)[0] for c in self.colors]
        if self.pair is None:                           # each line named, in its run's colour
            ax.legend(self.lines, [plan.short_names[r] for r in rows], loc="lower left", frameon=False,
                      fontsize=TEXT, labelcolor="linecolor")
        self.animate(self.lines + self.ends)
        self.put_status()
        self.animate([self.status_text])

    def losses(self, frame: int) -> np.ndarray:
        """The lines' losses at ``frame`` (``line_losses`` at its step)."""
        return line_losses(self.scene, self.plan.trajectories, self.view, int(self.steps[frame]))

    def status(self, frame: int, values=None) -> str:
        """The status line of ``frame`` (``values``: its lines' losses, if computed already)."""
        step = int(self.steps[frame])
        values = self.losses(frame) if values is None else values
        if self.pair is None:
            return f"step {step}: each run's line from its start"
        P = self.plan.trajectories.positions
        if np.array_equal(P[self.pair[0], step], P[self.pair[1], step]):
            return f"step {step}: the two runs are at one point"
        inner = values[0, 1:-1]
        ends = max(values[0, 0], values[0, -1])
        barrier = float(np.nanmax(inner) - ends) if np.isfinite(inner).any() else float("nan")
        said = f"a barrier of {barrier:.3g}" if barrier > 0 else "no barrier"
        return f"step {step}: {said} between them"

    def update(self, frame: int) -> list:
        values = self.losses(frame)
        for i, (line, row) in enumerate(zip(self.lines, values)):
            line.set_data(self.t, row)
            # A line on an earlier one is dashed over it: both colours show where they meet.
            same = any(np.allclose(row, values[j], rtol=1e-3, atol=0, equal_nan=True) for j in range(i))
            line.set_linestyle((0, (5, 5)) if same else "-")
        if self.pair is None:
            for dot, row in zip(self.ends, values):
                dot.set_data([1.0], [row[-1]])
        else:
            self.ends[0].set_data([0.0], [values[0, 0]])
            self.ends[1].set_data([1.0], [values[0, -1]])
        self.status_text.set_text(self.status(frame, values))
        return self.animated
