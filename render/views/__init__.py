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


FIGURE_WIDTH = 9.6     # inches: 960 pixels at matplotlib's default 100 dpi


class Drawing:
    """A figure and what changes in it from frame to frame.

    ``animated`` lists the artists ``update`` changes; everything else is the static
    background, drawn once and reused. ``moving_camera`` means every frame differs
    everywhere (an orbiting 3D camera), so nothing can be reused.
    """

    moving_camera = False

    def __init__(self, scene, view, size, dpi=None):
        self.scene = scene
        self.view = view
        self.trajectories = scene.simulate()
        self.steps = scene.frame_steps()
        self.colors = scene.colors()
        w, h = size
        # The layout is that of a figure FIGURE_WIDTH inches wide whatever the pixel size,
        # so a small render is the large one scaled down, not a crowded one. Half a pixel
        # more keeps Agg's integer truncation from losing a row or column.
        # (Below 30 dpi FreeType cannot size the smallest text: tiny renders get crowded.)
        dpi = max(30.0, w / FIGURE_WIDTH) if dpi is None else dpi
        self.figure = Figure(figsize=((w + 0.5) / dpi, (h + 0.5) / dpi), dpi=dpi)
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

    def trail(self, run: int, frame: int) -> tuple[np.ndarray, int]:
        """The steps of ``run`` drawn at ``frame`` (the sampled ones, ending at its last
        visible step) and that last visible step (-1 if none)."""
        step = int(self.steps[frame])
        last = self.visible(run, step)
        shown = self.steps[: frame + 1]
        idx = shown[shown <= last]
        if last >= 0 and (len(idx) == 0 or idx[-1] != last):
            idx = np.append(idx, last)
        return idx, last

    def legend_labels(self) -> list[str]:
        """Each run's label and optimizer with its hyperparameters, and its fate."""
        labels = []
        for i, run in enumerate(self.scene.runs):
            described = run.optimizer.describe()
            plain = run.label in (None, described, run.optimizer.name)
            name = described if plain else f"{run.label}: {described}"
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


def build(scene, view, size, dpi=None) -> Drawing:
    from ..scene import ResponseView, View2D, View3D
    from .plot2d import Plot2D
    from .plot3d import Plot3D
    from .responses import ResponsePlot
    drawings = {View2D: Plot2D, View3D: Plot3D, ResponseView: ResponsePlot}
    with style():
        return drawings[type(view)](scene, view, size, dpi)
