"""The loss of every cell of a Sweep against its values, at each frame's step.

Over one hyperparameter, a line: the loss at each value (a log axis for values spread over
decades), a cross at the top for a cell that diverged, the lowest ringed. Over two, a
heatmap: a row per value of the second, a column per value of the first, each cell's loss
written in it ("diverged at k" where it left), the lowest outlined. The colour scale is
fixed for the whole animation, from the start's loss down to the lowest reached, so a cell
darkens as its run descends.
"""
from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import LogNorm, Normalize
from matplotlib.patches import Rectangle

from .base import TEXT, Drawing
from .glyphs import GlyphText


class SweepLoss(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        fig = self.figure
        runs = plan.scene.runs
        sweep = runs[0].sweep if runs[0].sweep is not None else next(r.sweep for r in runs if r.sweep is not None)
        self.sweep = sweep
        self.rows = np.array([i for i, r in enumerate(runs) if r.sweep is sweep])
        losses = self.trajectories.losses[self.rows]
        finite = losses[np.isfinite(losses)]
        lo = float(finite.min()) if finite.size else 1.0
        hi = float(np.nanmax(losses[:, 0])) if np.any(np.isfinite(losses[:, 0])) else lo * 10
        hi = max(hi, lo * (1 + 1e-9) + 1e-300)
        log = view.log if view.log is not None else (lo > 0 and hi / lo > 100)
        self.log = bool(log) and lo > 0
        names = list(sweep.values)
        own = f"{sweep.label + ': ' if sweep.label else ''}{sweep.optimizer.name} over {' and '.join(names)}"
        self.put_title(self.title() if self.scene.title is not None else own)
        bottom = self.inches(0.6)
        self.ax = fig.add_axes((0.12, bottom, 0.76, self.head_bottom() - bottom))
        self.put_status()
        if len(names) == 1:
            self._line(names[0], lo, hi)
        else:
            self._heatmap(names, lo, hi)
        self.animate([self.status_text])
        self.update(0)

    # one hyperparameter: a line ---------------------------------------------------------------
    def _line(self, name, lo, hi):
        ax = self.ax
        xs = np.array(self.sweep.values[name], dtype=float)
        self.xs = xs
        if np.all(xs > 0) and xs.max() / xs.min() >= 10:
            ax.set_xscale("log")
        if self.log:
            ax.set_yscale("log")
            ax.set_ylim(lo / 1.5, hi * 1.5)
        else:
            pad = 0.05 * (hi - lo)
            ax.set_ylim(lo - pad, hi + pad)
        span = (xs.min(), xs.max())
        margin = (span[1] / span[0]) ** 0.05 if ax.get_xscale() == "log" else None
        if margin:
            ax.set_xlim(span[0] / margin, span[1] * margin)
        ax.set_xlabel(name)
        ax.set_ylabel("loss")
        ax.grid(True, alpha=0.3)
        color = self.colors[self.rows[0]]
        self.curve, = ax.plot([], [], color=color, linewidth=1.6, marker="o", markersize=5,
                              markeredgecolor="black", markeredgewidth=0.5)
        self.lost, = ax.plot([], [], color=color, marker="X", markersize=8, markeredgecolor="black",
                             markeredgewidth=0.6, linestyle="none", clip_on=False)
        self.best, = ax.plot([], [], marker="o", markersize=13, markerfacecolor="none",
                             markeredgecolor=self.theme.text, markeredgewidth=1.4, linestyle="none")
        self.animate([self.curve, self.lost, self.best])

    # two hyperparameters: a heatmap -----------------------------------------------------------
    def _heatmap(self, names, lo, hi):
        ax = self.ax
        (across, xs), (down, ys) = self.sweep.values.items()
        self.shape = (len(ys), len(xs))
        norm = LogNorm(lo, hi) if self.log else Normalize(lo, hi)
        # A perceptual map from light to dark; a cell without a loss (diverged) in the pane's grey.
        cmap = colormaps["viridis"].with_extremes(bad=self.theme.pane)
        self.image = ax.imshow(np.zeros(self.shape), origin="lower", cmap=cmap, norm=norm, aspect="auto",
                               interpolation="nearest")
        ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
        ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
        ax.set_xlabel(across)
        ax.set_ylabel(down)
        colorbar = self.figure.colorbar(self.image, ax=ax, fraction=0.05, pad=0.02)
        colorbar.set_label("loss")
        self.cells = []
        for r in range(len(ys)):
            for c in range(len(xs)):
                text = GlyphText(c, r - 0.15, "", fontsize=TEXT, ha="center", color="white", transform=ax.transData)
                self.figure.add_artist(text)
                self.cells.append(text)
        self.outline = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=self.theme.text, linewidth=2.2)
        ax.add_patch(self.outline)
        self.animate([self.image, *self.cells, self.outline])

    # each frame ---------------------------------------------------------------------------------
    def at(self, frame: int) -> tuple[np.ndarray, np.ndarray]:
        """Each cell's loss at the frame's step (NaN once diverged) and whether it diverged."""
        step = int(self.steps[frame])
        losses = self.trajectories.losses[self.rows, step]
        gone = np.array([self.plan.diverged(int(r), frame) for r in self.rows])
        return np.where(gone, np.nan, losses), gone

    def update(self, frame: int) -> list:
        losses, gone = self.at(frame)
        step = int(self.steps[frame])
        finite = np.where(np.isfinite(losses), losses, np.inf)
        best = int(np.argmin(finite)) if np.isfinite(finite).any() else None
        if hasattr(self, "curve"):
            top = self.ax.get_ylim()[1]
            ok = ~gone
            self.curve.set_data(self.xs[ok], losses[ok])
            self.lost.set_data(self.xs[gone], np.full(gone.sum(), top))
            self.best.set_data(*(([self.xs[best]], [losses[best]]) if best is not None else ([], [])))
        else:
            self.image.set_data(losses.reshape(self.shape))
            # Each cell's text in black or white, whichever stands out from the cell's colour.
            with np.errstate(all="ignore"):
                shades = self.image.cmap(self.image.norm(losses))
            light = shades[:, :3] @ np.array([0.2126, 0.7152, 0.0722]) > 0.5
            for k, text in enumerate(self.cells):
                r = self.rows[k]
                if gone[k] or not np.isfinite(losses[k]):
                    text.set_color(self.theme.text)
                    text.set_text(f"diverged at {int(self.trajectories.diverged_at[r])}" if gone[k] else "-")
                else:
                    text.set_color("black" if light[k] else "white")
                    text.set_text(f"{losses[k]:.2g}")
            if best is not None:
                r, c = divmod(best, self.shape[1])
                self.outline.set_xy((c - 0.5, r - 0.5))
                self.outline.set_visible(True)
            else:
                self.outline.set_visible(False)
        label = self.plan.legend_labels[self.rows[best]] if best is not None else "none"
        self.status_text.set_text(f"step {step}: lowest {label}")
        return self.animated
