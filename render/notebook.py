"""How a scene shows itself in a notebook.

A bare ``scene`` at the end of a cell plays: ``_repr_html_`` is an inline MP4 ``<video>`` of
its first view at notebook size, made by the same pipeline as the command (seconds, and a
few hundred KiB, where ``FuncAnimation.to_jshtml`` takes minutes and megabytes).
``scene.show(view, size, format)`` makes other choices; ``scene.animation(view)`` is a
matplotlib ``FuncAnimation`` for those who want one.

This is one of the faces (with the command line, its watch and the scene loader): a scene
kind's ``_repr_html_``, ``show`` and ``animation`` call ``repr_html``, ``show`` and ``animation``
here, importing this module only when called, so a spec neither imports it nor loads drawing
code; ``show`` renders through ``render.render_scene`` like the command. Nothing here needs
IPython.
"""
from __future__ import annotations

import base64
import html
import tempfile
from pathlib import Path

__all__ = ["Media", "NOTEBOOK_SIZE", "SHOWN", "animation", "repr_html", "show"]

# The size a notebook shows a scene at: wide enough to read, small enough to embed.
NOTEBOOK_SIZE = (640, 360)
# The formats a notebook can show inline: a video, or a GIF for where video is not played.
SHOWN = ("mp4", "gif")


class Media:
    """An encoded animation that shows itself in a notebook (``_repr_html_``): ``data``
    holds its bytes, ``format`` is "mp4" or "gif"; ``save(path)`` writes it to a file."""

    def __init__(self, data: bytes, format: str, size: tuple[int, int], label: str = ""):
        self.data, self.format, self.size, self.label = data, format, tuple(size), label

    def __repr__(self) -> str:
        return f"<Media {self.format} {self.size[0]}x{self.size[1]}, {len(self.data)} bytes>"

    def _repr_html_(self) -> str:
        from .page import printable
        w, h = self.size
        text = base64.b64encode(self.data).decode("ascii")
        label = printable(html.escape(self.label, quote=True))
        if self.format == "gif":
            return f'<img src="data:image/gif;base64,{text}" width="{w}" height="{h}" alt="{label}">'
        return (f'<video width="{w}" height="{h}" autoplay loop muted playsinline controls '
                f'aria-label="{label}" src="data:video/mp4;base64,{text}"></video>')

    def save(self, path) -> Path:
        """Write the animation to ``path`` (its format is this one's, whatever the suffix)."""
        path = Path(path)
        path.write_bytes(self.data)
        return path


def _size(size) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height) in pixels, got {size!r}") from None
    if not (16 <= w <= 7680 and 16 <= h <= 4320) or w % 2 or h % 2 or (w, h) != tuple(size):
        raise ValueError(f"size must be two even whole numbers from 16x16 to 7680x4320, got {size!r}")
    return w, h


def animation(scene, view=None, size=(960, 540), dpi=None):
    """A matplotlib ``FuncAnimation`` of one view (a view or its name; default the first),
    for notebooks: ``scene.animation("3d").to_jshtml()`` or ``.save(...)``.

    Every frame is drawn in render's pinned style, whatever the notebook's rcParams.
    """
    from . import plan, views
    chosen = scene.views[0] if view is None else scene.view(view)
    planned = plan.build(scene)
    return views.animation(views.build(planned, chosen, size, dpi), planned.fps)

def show(scene, view=None, size=None, format="mp4", theme=None, jobs=None) -> Media:
    """One view (a view or its name; default the first) encoded as ``format`` ("mp4" or
    "gif") at ``size`` (default 640x360): the last expression of a notebook cell plays it;
    elsewhere ``IPython.display.display(scene.show(...))``, or ``.save(path)``.
    ``jobs``: processes drawing frames (default: cores)."""
    from .executors import Processes
    from .page import plain_title
    from .pipeline import render_scene
    if format not in SHOWN:
        raise ValueError(f"format must be one of {', '.join(SHOWN)}, got {format!r}")
    chosen = scene.views[0] if view is None else scene.view(view)
    size = _size(NOTEBOOK_SIZE if size is None else size)
    with tempfile.TemporaryDirectory(prefix="render-show-") as out:
        written = render_scene(scene, name="scene", out=out, formats=(format,), views=[chosen.name],
                               size=size, theme=theme, executor=Processes(jobs))
        data = written[0].path.read_bytes()
    return Media(data, format, size, f"{plain_title(scene)}, view {chosen.name}")

def repr_html(scene) -> str:
    """What a notebook shows for a bare ``scene``: its first view, playing."""
    return show(scene)._repr_html_()
