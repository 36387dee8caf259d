"""The data panel: the data a model learns, and one run's model of it at the current step.

- ``surfaces.MLP`` on 2 features: each point in its class's colour over the decision
  regions of the run's network (the class it predicts at each place, lightly tinted).
- ``surfaces.LeastSquares`` of a line (its first column all ones): the points and the line
  of the run's (intercept, slope).
- ``surfaces.Logistic``: the points by label over the regions the run's classifier gives each
  class, and its decision boundary w . x = 0 in the run's colour.
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap, to_rgb

from .. import themes
from ..models import MLP
from ..timeline import interpolate
from ..surfaces import LeastSquares, Logistic

REGIONS = 120        # decision-region cells per side
# Class colours: the pale set no run ever takes (``themes.LIGHT``), points edged in the
# text's colour, so a class is never read as a run.
CLASS_COLORS = themes.LIGHT
REGION_TINT = 0.45   # of a class's colour in its region, over the background


class DataPanel:
    """The data on ``ax`` and the chosen run's model at each frame, for a Drawing."""

    def __init__(self, drawing, ax):
        self.drawing = drawing
        self.ax = ax
        plan = drawing.plan
        self.model = plan.scene.surface
        self.run = plan.scene.data_run(drawing.view)
        self.positions = plan.trajectories.positions[self.run]
        color = plan.colors[self.run]
        model, theme = self.model, drawing.theme
        name = plan.short_names[self.run]
        ax.set_xlabel(f"{name}'s model of the data")
        if isinstance(model, MLP):
            X, labels = model.X, model.y
        elif isinstance(model, LeastSquares):
            X, labels = np.column_stack([model.shown_X[:, 1], model.shown_y]), None
        else:
            X, labels = model.X, model.labels
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.08 * np.maximum(hi - lo, 1e-9)
        (x0, y0), (x1, y1) = lo - pad, hi + pad
        self.box = (x0, x1, y0, y1)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xticks([])
        ax.set_yticks([])
        animated = []
        if isinstance(model, (MLP, Logistic)):
            k = model.classes if isinstance(model, MLP) else 2
            colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(k)]
            # Regions: the class's colour faded into the background.
            tints = [tuple((1 - REGION_TINT) * np.array(to_rgb(theme.background)) + REGION_TINT * np.array(to_rgb(c)))
                     for c in colors]
            xs, ys = np.linspace(x0, x1, REGIONS), np.linspace(y0, y1, REGIONS)
            GX, GY = np.meshgrid(xs, ys)
            self.cells = np.column_stack([GX.ravel(), GY.ravel()])
            self.regions = ax.imshow(np.zeros((REGIONS, REGIONS)), origin="lower", extent=(x0, x1, y0, y1),
                                     cmap=ListedColormap(tints), vmin=-0.5, vmax=k - 0.5, aspect="auto",
                                     interpolation="nearest", zorder=0)
            animated.append(self.regions)
            # The points go over the regions, which change: they are redrawn with them.
            classes = labels if isinstance(model, MLP) else (labels > 0).astype(int)   # 0 or -1, then 1
            for c in range(k):
                mine = classes == c
                animated.append(ax.scatter(X[mine, 0], X[mine, 1], s=14, color=colors[c], edgecolors=theme.text,
                                           linewidths=0.5, zorder=2))
        else:
            ax.scatter(X[:, 0], X[:, 1], s=6, color=theme.text, alpha=0.5, linewidths=0, zorder=2)
        if not isinstance(model, MLP):
            self.line, = ax.plot([], [], color=color, linewidth=2.2, zorder=3)
            animated.append(self.line)
        drawing.animate(animated)

    def update(self, frame: int) -> None:
        plan = self.drawing.plan
        step = int(plan.last[self.run, frame])
        if step < plan.steps[frame]:                # diverged: its last finite step
            p = self.positions[max(step, 0)]
        else:                                       # (between two steps while heads glide)
            p = interpolate(plan.trajectories.positions, [self.run], plan.times[[frame]])[0, 0]
        model = self.model
        if not np.all(np.isfinite(p)):
            return
        if isinstance(model, MLP):
            self.regions.set_data(model.predict(p, self.cells).reshape(REGIONS, REGIONS))
            return
        x0, x1, y0, y1 = self.box
        a, b = p
        if isinstance(model, LeastSquares):
            xs = np.array([x0, x1])
            self.line.set_data(xs, a + b * xs)
            return
        self.regions.set_data((self.cells @ p > 0).astype(int).reshape(REGIONS, REGIONS))
        if a == b == 0:                 # w = 0: no boundary
            self.line.set_data([], [])
        elif abs(b) >= abs(a):          # w . x = 0: y = -(w1 / w2) x
            xs = np.array([x0, x1])
            self.line.set_data(xs, -(a / b) * xs)
        else:
            ys = np.array([y0, y1])
            self.line.set_data(-(b / a) * ys, ys)
