"""What every view shares: the pinned style, the figure, the Drawing base class."""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

__all__ = ["Drawing", "PinnedAnimation", "PinnedFigure", "animation", "contour_levels", "style"]

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


class PinnedFigure(Figure):
    """A Figure that draws and saves inside ``style()``: whoever draws it (our frames,
    FuncAnimation in a notebook, ``savefig``), the user's rcParams decide no pixel."""

    def draw(self, renderer):
        with style():
            return super().draw(renderer)

    def savefig(self, *args, **kwargs):
        with style():
            return super().savefig(*args, **kwargs)


class PinnedAnimation(FuncAnimation):
    """A FuncAnimation whose files are made in the pinned style. ``Animation.save`` (behind
    ``to_jshtml`` too) reads savefig.* from rcParams and passes them on as arguments, so
    those are pinned around it; the user's animation.* settings (the encoder, embed limits)
    are left as they are."""

    def save(self, *args, **kwargs):
        pinned = {k: v for k, v in style.target().items() if k.startswith("savefig.")}
        with matplotlib.rc_context(pinned):
            return super().save(*args, **kwargs)


def animation(drawing, fps: float) -> PinnedAnimation:
    """A FuncAnimation of ``drawing``, each frame updated, drawn and saved in the pinned style."""
    def update(frame):
        with style():
            return drawing.update(frame)

    for artist in drawing.animated:
        artist.set_animated(False)
    return PinnedAnimation(drawing.figure, update, frames=len(drawing), interval=1000 / fps, blit=False)


FIGURE_WIDTH = 9.6     # inches: 960 pixels at matplotlib's default 100 dpi


class Drawing:
    """A figure and what changes in it from frame to frame.

    ``animated`` lists the artists ``update`` changes; everything else is the static
    background, drawn once and reused. ``moving_camera`` means every frame differs
    everywhere (an orbiting 3D camera), so nothing can be reused.
    """

    moving_camera = False

    def __init__(self, plan, view, size, dpi=None):
        self.plan = plan
        self.scene = plan.scene
        self.view = view
        self.trajectories = plan.trajectories
        self.steps = plan.steps
        self.colors = plan.colors
        w, h = size
        # The layout is that of a figure FIGURE_WIDTH inches wide whatever the pixel size,
        # so a small render is the large one scaled down, not a crowded one. Half a pixel
        # more keeps Agg's integer truncation from losing a row or column.
        # (Below 30 dpi FreeType cannot size the smallest text: tiny renders get crowded.)
        dpi = max(30.0, w / FIGURE_WIDTH) if dpi is None else dpi
        self.figure = PinnedFigure(figsize=((w + 0.5) / dpi, (h + 0.5) / dpi), dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.animated: list = []

    def __len__(self):
        return len(self.steps)

    def update(self, frame: int) -> list:
        raise NotImplementedError

    # Shared by the views ---------------------------------------------------------------

    def status(self, frame: int) -> str:
        """'step k' and each run's loss at that step, for the animated title."""
        plan = self.plan
        step = int(self.steps[frame])
        parts = []
        for i, short in enumerate(plan.names[:4]):
            if plan.diverged(i, frame):
                parts.append(f"{short} diverged")
            else:
                parts.append(f"{short} {self.trajectories.losses[i, step]:.3g}")
        more = plan.runs - 4
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
