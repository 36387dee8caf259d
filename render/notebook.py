"""How a scene shows itself in a notebook: ``scene.animation(view)``.

Scene kinds inherit ``Notebook``; its methods hand the scene to the pipeline's stages (plan,
views), which are imported only when called, so a spec never loads drawing code.
"""
from __future__ import annotations

__all__ = ["Notebook"]


class Notebook:
    """Notebook conveniences shared by every scene kind."""

    def animation(self, view=None, size=(960, 540), dpi=None):
        """A matplotlib ``FuncAnimation`` of one view (a view or its name; default the first),
        for notebooks: ``scene.animation("3d").to_jshtml()`` or ``.save(...)``.

        Every frame is drawn in render's pinned style, whatever the notebook's rcParams.
        """
        from . import plan, views
        chosen = self.views[0] if view is None else self.view(view)
        return views.animation(views.build(plan.build(self), chosen, size, dpi), self.fps)
