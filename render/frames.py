"""Frame production: the frame plan, and RGB frames straight from the Agg buffer.

A ``FrameSource`` draws a view's static background once, then for each frame lets the
view's update function move its artists, restores the background and draws only the
animated artists over it (blitting), which is how FuncAnimation itself animates on
screen. A view whose camera moves redraws everything each frame. A ``FrameStream`` yields
the frames in order, optionally spread over worker processes in contiguous chunks, each
worker building the figure once; a frame's pixels do not depend on which process drew it.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator

import numpy as np

from . import views

__all__ = ["FrameSource", "FrameStream", "animation", "default_jobs"]


class FrameSource:
    """Frames of one view of one scene at one size, drawn on demand.

    Blitting draws the moving artists over the cached background, so they always land above
    the static ones; a full redraw would interleave them by zorder (a trail that crosses the
    legend passes over it here, under it there). That is the only difference; a test bounds it.

    Every drawing call runs inside ``views.style()``, entered and left around the call: a
    style context held open across calls would be unwound whenever the object holding it is
    garbage-collected, possibly in a forked worker in the middle of its own drawing.
    """

    def __init__(self, scene, view, size, dpi=None):
        self.size = tuple(int(v) for v in size)
        with views.style():
            self.drawing = views.build(scene, view, self.size, dpi)
            self.canvas = self.drawing.figure.canvas
            self._background = None
            if not self.drawing.moving_camera:
                self.canvas.draw()               # animated artists are left out of this draw
                self._background = self.canvas.copy_from_bbox(self.drawing.figure.bbox)

    def __len__(self):
        return len(self.drawing)

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as a (height, width, 3) uint8 array (a copy)."""
        drawing = self.drawing
        with views.style():
            changed = drawing.update(i)
            if self._background is None:
                for a in drawing.animated:
                    a.set_animated(False)
                self.canvas.draw()
            else:
                self.canvas.restore_region(self._background)
                for artist in changed:
                    drawing.figure.draw_artist(artist)
        return rgb(np.asarray(self.canvas.buffer_rgba()))

    # A source holds nothing to release; ``with`` only scopes it.
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def rgb(rgba: np.ndarray) -> np.ndarray:
    """A contiguous RGB copy of an RGBA buffer. Copying channel by channel is four times
    faster than numpy's strided copy of ``rgba[..., :3]``."""
    h, w, _ = rgba.shape
    flat = rgba.reshape(-1, 4)
    out = np.empty((h * w, 3), dtype=np.uint8)
    for c in range(3):
        out[:, c] = flat[:, c]
    return out.reshape(h, w, 3)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


# Worker processes: forked, they inherit the scene; each builds its FrameSource once.
_TASK = None
_SOURCE = None


def _draw_chunk(bounds):
    global _SOURCE
    if _SOURCE is None:
        scene, view, size = _TASK
        _SOURCE = FrameSource(scene, view, size)
    start, stop = bounds
    return [_SOURCE.frame(i) for i in range(start, stop)]


class FrameStream:
    """Every frame of a view, in order, drawn in this process or by ``jobs`` workers.

    With jobs > 1, contiguous chunks of frames are drawn by worker processes and come back
    in order. ``sample(i)`` draws one frame here, at any time (an encoder may want the
    last frame before the first).
    """

    def __init__(self, scene, view, size, jobs: int = 1, chunk: int = 8):
        self.scene, self.view, self.size = scene, view, tuple(size)
        self.n = len(scene.frame_steps())
        self.chunk = chunk
        parallel = jobs > 1 and self.n >= 2 * chunk and "fork" in multiprocessing.get_all_start_methods()
        self.jobs = jobs if parallel else 1
        scene.simulate()               # once, before any fork, so workers share the result
        self._local = None

    def __len__(self):
        return self.n

    def _source(self) -> FrameSource:
        if self._local is None:
            self._local = FrameSource(self.scene, self.view, self.size)
        return self._local

    def sample(self, i: int) -> np.ndarray:
        return self._source().frame(i)

    def __iter__(self) -> Iterator[np.ndarray]:
        if self.jobs == 1:
            source = self._source()
            for i in range(self.n):
                yield source.frame(i)
            return
        global _TASK
        _TASK = (self.scene, self.view, self.size)
        bounds = [(s, min(self.n, s + self.chunk)) for s in range(0, self.n, self.chunk)]
        # At most two chunks per worker in flight: memory stays bounded however slow the
        # encoder is. A worker that dies breaks the pool, which raises instead of hanging.
        ahead = 2 * self.jobs
        context = multiprocessing.get_context("fork")
        pending = deque()
        with ProcessPoolExecutor(self.jobs, mp_context=context) as pool:
            try:
                pending.extend(pool.submit(_draw_chunk, b) for b in bounds[:ahead])
                queued = len(pending)
                while pending:
                    batch = pending.popleft().result()
                    if queued < len(bounds):
                        pending.append(pool.submit(_draw_chunk, bounds[queued]))
                        queued += 1
                    yield from batch
            finally:
                _TASK = None
                for future in pending:
                    future.cancel()

    def close(self):
        self._local = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def animation(scene, view, size=(960, 540), dpi=None):
    """A ``matplotlib.animation.FuncAnimation`` of the view (for notebooks and ``.save``)."""
    from matplotlib.animation import FuncAnimation
    with views.style():
        drawing = views.build(scene, view, size, dpi)
    for a in drawing.animated:
        a.set_animated(False)
    return FuncAnimation(drawing.figure, drawing.update, frames=len(drawing),
                         interval=1000 / scene.fps, blit=False)
