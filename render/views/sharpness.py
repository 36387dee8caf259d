"""The sharpness view: the top eigenvalue of the loss's Hessian at each run's position against
step, with each run's 2/lr, the edge of stability (Cohen et al. 2021): under full-batch
gradient descent sharpness rises until it hovers there."""
from __future__ import annotations

import numpy as np

from ..curvature import as_model, sharpness
from ..schedules import run_rates
from .base import TEXT, Drawing
from .glyphs import shown


def edge_factor(optimizer) -> float | None:
    """The edge of stability of a run as a multiple of 1/lr: 2 for gradient descent, 2 + 2m
    for heavy-ball momentum m (Cohen et al. 2021); None for a rule without such a simple
    edge (an adaptive one: its edge is of the preconditioned Hessian)."""
    from .. import optimizers as opt
    name = type(optimizer).__name__
    hyper = optimizer.hyperparameters()
    if isinstance(optimizer, opt.GD) or (name == "Torch" and optimizer.name == "SGD" and not hyper.get("momentum")):
        return 2.0
    if isinstance(optimizer, opt.Momentum) and optimizer.dampening == 0:
        return 2.0 + 2.0 * optimizer.momentum
    return None


def sharpness_along(scene, trajectories, view):
    """(steps sampled, sharpness of each run at them (runs, samples), each run's edge of
    stability at every step (runs, steps + 1): 2/lr for gradient descent, (2 + 2m)/lr for
    momentum m, NaN for a rule without such an edge)."""
    steps = np.unique(np.linspace(0, scene.steps, view.points).round().astype(int))
    model = as_model(scene.surface)
    values = np.stack([sharpness(model, trajectories.positions[r, steps]) for r in range(len(scene.runs))])
    edges = []
    for run in scene.runs:
        factor = edge_factor(run.optimizer)
        rates = run_rates(run.optimizer.lr, run.schedule, scene.steps)       # step t uses rates[t - 1]
        rates = np.asarray(np.concatenate([rates[:1], rates]), dtype=float).reshape(scene.steps + 1, -1)[:, 0]
        edges.append(np.full(len(rates), np.nan) if factor is None else factor / rates)
    return steps, values, np.stack(edges)


class SharpnessPlot(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        scene = plan.scene
        self.sampled, self.values, self.edges = sharpness_along(scene, plan.trajectories, view)
        self.put_title(shown(scene.title) if scene.title else "Sharpness and the edge of stability")
        ax = self.ax = self.figure.add_axes([0.1, self.inches(0.55), 0.66,
                                             self.head_bottom() - self.inches(0.55) - self.inches(0.15)])
        every = np.arange(scene.steps + 1)
        for r, color in enumerate(self.colors):
            ax.plot(every, self.edges[r], color=color, linewidth=1.0, linestyle=(0, (4, 3)), alpha=0.8)
        seen = np.concatenate([self.values.ravel(), self.edges.ravel()])
        seen = seen[np.isfinite(seen) & (seen > 0)]
        lo, hi = (float(seen.min()), float(seen.max())) if seen.size else (0.1, 1.0)
        log = view.log if view.log is not None else hi / lo > 20
        if log:
            ax.set_yscale("log")
            ax.set_ylim(lo / 1.5, hi * 1.5)
        else:
            top = max(hi, 1e-12)
            low = min(0.0, float(np.nanmin(self.values))) if np.isfinite(self.values).any() else 0.0
            ax.set_ylim(low - 0.05 * (top - low), top * 1.08)
        ax.set_xlim(0, max(scene.steps, 1))
        ax.set_xlabel("step", fontsize=TEXT)
        ax.set_ylabel("top Hessian eigenvalue", fontsize=TEXT)
        ax.grid(True, alpha=0.3)
        self.lines = [ax.plot([], [], color=c, linewidth=1.6, marker="o", markersize=2.5)[0] for c in self.colors]
        ax.legend(self.lines, [plan.legend_labels[r] for r in range(len(self.colors))], loc="upper left",
                  bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=TEXT, labelcolor="linecolor",
                  title=self.key(scene), title_fontsize=TEXT,
                  alignment="left")
        self.name_edges(ax)
        self.animate(self.lines)
        self.put_status()
        self.animate([self.status_text])

    @staticmethod
    def key(scene) -> str:
        """The legend's title: what the dashed lines are, for the kinds of run drawn."""
        factors = [edge_factor(run.optimizer) for run in scene.runs]
        if all(f is None for f in factors):
            return "no simple edge of\nstability for\nadaptive rules"
        lines = ["dashed: the edge", "of stability, 2/lr"]
        if any(f is not None and f != 2.0 for f in factors):
            lines += ["(momentum m:", "(2 + 2m)/lr)"]
        if any(f is None for f in factors):
            lines += ["(adaptive rules:", "none so simple)"]
        return "\n".join(lines)

    def name_edges(self, ax) -> None:
        """Each dashed line named at its right end, in its colour, by the runs it belongs to
        (runs with the same edge there named together): the line is theirs alone."""
        ends: dict = {}
        for r in range(len(self.colors)):
            end = self.edges[r, -1]
            if np.isfinite(end):
                ends.setdefault(float(f"{end:.3g}"), []).append(r)
        for end, runs in ends.items():
            names = " = ".join(self.plan.short_names[r] for r in runs)
            ax.annotate(f"{names}: 2/lr" if all(edge_factor(self.plan.scene.runs[r].optimizer) == 2.0 for r in runs)
                        else f"{names}: edge", (1.0, end), xycoords=("axes fraction", "data"),
                        xytext=(-3, 3), textcoords="offset points", ha="right", va="bottom",
                        fontsize=TEXT, color=self.colors[runs[0]])

    def status(self, frame: int) -> str:
        step = int(self.steps[frame])
        k = int(np.searchsorted(self.sampled, step, side="right")) - 1
        groups: dict = {}                      # runs at the same value (a common start) said once
        for r in range(len(self.colors)):
            value = self.values[r, k] if k >= 0 else np.nan
            if np.isfinite(value):
                groups.setdefault(f"{value:#.3g}".rstrip("."), []).append(r)
        said = []
        for value, runs in groups.items():
            edges = [f"{self.edges[r, step]:#.3g}".rstrip(".") for r in runs if np.isfinite(self.edges[r, step])]
            edge = f" (edge {edges[0]})" if len(set(edges)) == 1 and len(edges) == len(runs) else \
                (f" (edge of {self.plan.short_names[runs[0]]} {edges[0]})" if len(edges) == 1 else "")
            said.append(" = ".join(self.plan.short_names[r] for r in runs) + f" {value}{edge}")
        at = f" at step {self.sampled[k]}" if k >= 0 and self.sampled[k] != step else ""
        return f"step {step}, sharpness{at}: " + ", ".join(said[:3]) + (f", +{len(said) - 3} more" if len(said) > 3 else "")

    def update(self, frame: int) -> list:
        step = int(self.steps[frame])
        k = int(np.searchsorted(self.sampled, step, side="right"))
        for line, row in zip(self.lines, self.values):
            line.set_data(self.sampled[:k], row[:k])
        self.status_text.set_text(self.status(frame))
        return self.animated
