"""Drawing: each view turns a scene's Plan into a matplotlib figure plus an update function
in the FuncAnimation style (set the data of what moves, return those artists).

``build(plan, view, size)`` returns a ``Drawing``. Views read the Plan; they never run
optimizers, open files or encode anything. One module per view: ``plot2d`` (contours),
``plot3d`` (the surface), ``loss`` (the loss panel), ``data`` (the data panel), ``responses``; ``base`` holds what they
share (the type scale, the header, the window), ``glyphs`` the per-frame status line and
labels, ``runs`` the single runs batched by legend entry (a crowd's trails grown frame by
frame) and where each head is, ``marks`` the heads, edge arrows and names of the runs not in
a crowd (placed for every frame before the first), ``swarm`` a swarm's collections and
basins, ``mesh`` the 3D surface drawn as one mesh and ``stamps`` the text an orbit draws
once.
"""
from __future__ import annotations

from .base import Drawing, PinnedFigure, animation, style

__all__ = ["Drawing", "PinnedFigure", "animation", "build", "style"]


def build(plan, view, size, dpi=None) -> Drawing:
    """The drawing of ``view`` (a View2D, View3D, Multiples or ResponseView) of the planned scene."""
    # By the spec's class name: drawing code reads specs but never imports their module.
    # Only the view's own module is imported (a 2D render has no need of mplot3d).
    kind = type(view).__name__
    if kind == "View2D":
        from .plot2d import Plot2D as drawing
    elif kind == "View3D":
        from .plot3d import Plot3D as drawing
    elif kind == "Multiples":
        from .multiples import Multiples as drawing
    elif kind == "SweepLoss":
        from .sweep import SweepLoss as drawing
    elif kind == "ResponseView":
        from .responses import ResponsePlot as drawing
    elif kind == "Interpolation":
        from .interpolation import InterpolationPlot as drawing
    elif kind == "Sharpness":
        from .sharpness import SharpnessPlot as drawing
    else:
        raise KeyError(kind)
    with style(plan.theme):
        return drawing(plan, view, size, dpi)
