"""Drawing: each view turns a scene's Plan into a matplotlib figure plus an update function
in the FuncAnimation style (set the data of what moves, return those artists).

``build(plan, view, size)`` returns a ``Drawing``. Views read the Plan; they never run
optimizers, open files or encode anything. One module per view: ``plot2d`` (contours),
``plot3d`` (the surface), ``loss`` (the loss panel), ``responses``; ``base`` holds what they
share and ``glyphs`` the per-frame status line.
"""
from __future__ import annotations

from .base import Drawing, PinnedFigure, animation, style

__all__ = ["Drawing", "PinnedFigure", "animation", "build", "style"]


def build(plan, view, size, dpi=None) -> Drawing:
    """The drawing of ``view`` (a View2D, View3D or ResponseView) of the planned scene."""
    from .plot2d import Plot2D
    from .plot3d import Plot3D
    from .responses import ResponsePlot
    # By the spec's class name: drawing code reads specs but never imports their module.
    drawings = {"View2D": Plot2D, "View3D": Plot3D, "ResponseView": ResponsePlot}
    with style(plan.theme):
        return drawings[type(view).__name__](plan, view, size, dpi)
