"""Drawing: each view turns a scene's trajectories into a matplotlib figure plus an update
function in the FuncAnimation style (set the data of what moves, return those artists).

``build(scene, view, size)`` returns a ``Drawing``. Views read trajectories; they never run
optimizers, open files or encode anything.
"""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

__all__ = ["Drawing", "build", "style"]

# What decides pixels is pinned here rather than inherited from a user's matplotlibrc.
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "text.hinting": "default",
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "path.simplify": True,
    "svg.hashsalt": "render",
    "image.interpolation": "antialiased",
}


class style:
    """``with style():`` matplotlib's defaults plus STYLE, whatever the user's configuration
    says, restored on exit. Entered around every drawing call, so it is kept cheap: the
    target values are computed once and swapped in without re-validation."""

    _target: dict | None = None

    @classmethod
    def target(cls) -> dict:
        if cls._target is None:
            with matplotlib.rc_context():
                matplotlib.rcdefaults()
                matplotlib.rcParams.update(STYLE)
                cls._target = {k: v for k, v in dict.items(matplotlib.rcParams) if k != "backend"}
        return cls._target

    def __enter__(self):
        params, target = matplotlib.rcParams, self.target()
        self._saved = {k: dict.__getitem__(params, k) for k in target}
        dict.update(params, target)
        return self

    def __exit__(self, *exc):
        dict.update(matplotlib.rcParams, self._saved)
        return False


class Drawing:
    """A figure and what changes in it from frame to frame.

    ``animated`` lists the artists ``update`` changes; everything else is the static
    background, drawn once and reused. ``moving_camera`` means every frame differs
    everywhere (an orbiting 3D camera), so nothing can be reused.
    """

    moving_camera = False

    def __init__(self, scene, view, size, dpi=100):
        self.scene = scene
        self.view = view
        self.trajectories = scene.simulate()
        self.steps = scene.frame_steps()
        self.colors = scene.colors()
        w, h = size
        self.figure = Figure(figsize=(w / dpi, h / dpi), dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.animated: list = []

    def __len__(self):
        return len(self.steps)

    def update(self, frame: int) -> list:
        raise NotImplementedError

    # Shared by the views ---------------------------------------------------------------

    def visible(self, run: int, step: int) -> int:
        """The last step of ``run`` that can be drawn at ``step`` (its last finite one)."""
        k = self.trajectories.diverged_at[run]
        return step if k < 0 or step < k else k - 1

    def legend_labels(self) -> list[str]:
        """Each run's label and optimizer with its hyperparameters, and its fate."""
        labels = []
        for i, run in enumerate(self.scene.runs):
            described = run.optimizer.describe()
            name = described if run.label in (None, described) else f"{run.label}: {described}"
            k = self.trajectories.diverged_at[i]
            labels.append(name if k < 0 else f"{name}, diverged at step {k}")
        return labels

    def status(self, frame: int) -> str:
        """'step k' and each run's loss at that step, for the animated title."""
        step = int(self.steps[frame])
        parts = []
        for i, run in enumerate(self.scene.runs[:4]):
            short = run.label if run.label is not None else run.optimizer.name
            if 0 <= self.trajectories.diverged_at[i] <= step:
                parts.append(f"{short} diverged")
            else:
                parts.append(f"{short} {self.trajectories.losses[i, step]:.3g}")
        more = len(self.scene.runs) - 4
        tail = f", +{more} more" if more > 0 else ""
        return f"step {step}: " + ", ".join(parts) + tail

    def title(self) -> str:
        if self.scene.title is not None:
            return self.scene.title
        surface = self.scene.surface
        formula = f"${surface.latex}$" if surface.latex and _parses(surface.latex) else ""
        return f"{surface.name}   {formula}".strip() if len(formula) < 90 else surface.name

    def animate(self, artists) -> None:
        for a in artists:
            a.set_animated(True)
        self.animated.extend(artists)


def _parses(latex: str) -> bool:
    from matplotlib.mathtext import MathTextParser
    try:
        MathTextParser("path").parse(f"${latex}$")
        return True
    except ValueError:
        return False


def contour_levels(Z: np.ndarray, spec, n: int) -> np.ndarray:
    """Level values for the filled contours: explicit, or n bands spaced linearly, by square
    root or logarithmically above the surface's minimum in the window. A flat surface gets
    one band around its value."""
    if not isinstance(spec, str):
        return np.asarray(spec, dtype=float)
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        return np.array([-1.0, 1.0])
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo
    if not span > 1e-12 * max(1.0, abs(hi)):
        return np.array([lo - 0.5, lo + 0.5]) if lo == hi else np.array([lo, hi])
    if spec == "linear":
        return np.linspace(lo, hi, n + 1)
    if spec == "sqrt":
        return lo + np.linspace(0.0, np.sqrt(span), n + 1) ** 2
    # log: bands grow geometrically from a thousandth of a percent of the span.
    floor = span * 1e-5
    return lo - floor + np.geomspace(floor, span + floor, n + 1)


def build(scene, view, size, dpi=100) -> Drawing:
    from ..scene import View2D, View3D
    from .plot2d import Plot2D
    from .plot3d import Plot3D
    with style():
        if isinstance(view, View2D):
            return Plot2D(scene, view, size, dpi)
        if isinstance(view, View3D):
            return Plot3D(scene, view, size, dpi)
    raise TypeError(f"no drawing for {view!r}")
