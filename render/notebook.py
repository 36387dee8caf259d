"""How a scene shows itself in a notebook.

A bare ``scene`` at the end of a cell plays: ``_repr_html_`` is the page's player (play,
a step slider, keys, speed, the status line as text) around an inline MP4 of its first view
at notebook size, made by the same pipeline as the command (seconds, and a few hundred KiB,
where ``FuncAnimation.to_jshtml`` takes minutes and megabytes). While it renders, a
progress bar says how far it is, and goes when the player comes.
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
import contextlib
import hashlib
import html
import json
import tempfile
import time
from pathlib import Path

__all__ = ["Media", "NOTEBOOK_SIZE", "SHOWN", "animation", "repr_html", "show"]

# The size a notebook shows a scene at: wide enough to read, small enough to embed.
NOTEBOOK_SIZE = (640, 360)
# The formats a notebook can show inline: a video, or a GIF for where video is not played.
SHOWN = ("mp4", "gif")


class Media:
    """An encoded animation that shows itself in a notebook (``_repr_html_``): ``data``
    holds its bytes, ``format`` is "mp4" or "gif"; ``save(path)`` writes it to a file. An
    MP4 with its player record (``record``) shows as the page's player."""

    def __init__(self, data: bytes, format: str, size: tuple[int, int], label: str = "",
                 record: dict | None = None):
        self.data, self.format, self.size, self.label = data, format, tuple(size), label
        self.record = record

    def __repr__(self) -> str:
        return f"<Media {self.format} {self.size[0]}x{self.size[1]}, {len(self.data)} bytes>"

    def _repr_html_(self) -> str:
        from .page import printable
        w, h = self.size
        text = base64.b64encode(self.data).decode("ascii")
        label = printable(html.escape(self.label, quote=True))
        if self.format == "gif":
            return f'<img src="data:image/gif;base64,{text}" width="{w}" height="{h}" alt="{label}">'
        if self.record is not None:
            from .page import PLAYER_SCRIPT, PLAYER_STYLE, player
            # Ids unique among a notebook's outputs: the bytes shown make them.
            key = "render-" + hashlib.sha256(self.data).hexdigest()[:12]
            return printable(f"<style>{PLAYER_STYLE}</style>\n"
                             + player(key, self.size, self.label, self.record, f"data:video/mp4;base64,{text}")
                             + f"\n<script>{PLAYER_SCRIPT}</script>")
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
    formats = (format, "player") if format == "mp4" else (format,)
    with tempfile.TemporaryDirectory(prefix="render-show-") as out, _progress() as progress:
        written = render_scene(scene, name="scene", out=out, formats=formats, views=[chosen.name],
                               size=size, theme=theme, executor=Processes(jobs), progress=progress)
        data = written[0].path.read_bytes()
        records = [w.path for w in written if w.path.name.endswith(".player.json")]
        record = json.loads(records[0].read_text()) if records else None
    return Media(data, format, size, f"{plain_title(scene)}, view {chosen.name}", record)


class _Progress:
    """A progress bar in the notebook's output while a view renders (``render_scene``'s
    ``progress``), updated a few times a second and cleared when the result is shown.
    Outside a notebook's kernel it does nothing."""

    EVERY = 0.2             # seconds between updates

    def __init__(self, display):
        self.display = display          # IPython.display's (display, HTML, clear_output), or None
        self.handle = None

    def __enter__(self):
        return self if self.display is not None else None

    def __exit__(self, *exc):
        if self.handle is not None:
            self.display[2](wait=True)  # the result, when it comes, takes the bar's place
        return False

    def __call__(self, name: str, total: int):
        done, last = 0, 0.0

        def tick():
            nonlocal done, last
            done += 1
            now = time.monotonic()
            if now - last >= self.EVERY or done == total:
                last = now
                self.show(name, done, total)

        self.show(name, 0, total)
        return tick, contextlib.nullcontext()

    def show(self, name: str, done: int, total: int) -> None:
        show, html_ = self.display[0], self.display[1]
        text = (f'<progress value="{done}" max="{total}" aria-label="Rendering {html.escape(name, quote=True)}">'
                f'</progress> <span>rendering {html.escape(name)}: {done} of {total} frames</span>')
        if self.handle is None:
            self.handle = show(html_(text), display_id=True)
        else:
            self.handle.update(html_(text))


def _progress() -> _Progress:
    """A progress bar if this runs in a notebook's kernel, else one that does nothing."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, clear_output, display
    except ImportError:
        return _Progress(None)
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return _Progress(None)
    return _Progress((display, HTML, clear_output))


def repr_html(scene) -> str:
    """What a notebook shows for a bare ``scene``: its first view, playing."""
    return show(scene)._repr_html_()
