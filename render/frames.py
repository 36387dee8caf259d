"""Frame production: RGB frames of a planned view, straight from the Agg buffer.

A ``FrameSource`` draws a view's static background once, then for each frame lets the
view's update function move its artists, restores the background and draws only the
animated artists over it (blitting), which is how FuncAnimation itself animates on
screen. A view whose camera moves redraws everything each frame. A ``FrameStream`` yields
the frames in order, optionally spread over worker processes in contiguous chunks, each
worker building the figure once; a frame's pixels do not depend on which process drew it.
"""
from __future__ import annotations

import mmap
import multiprocessing
import os
import signal
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Iterator

import numpy as np

from . import views

__all__ = ["FrameSource", "FrameStream", "default_jobs", "draws_whole_frames"]

# The most memory frames in flight from workers may take, shared with them.
SHARED_BYTES = 256 * 2**20


class FrameSource:
    """Frames of one view of a planned scene at one size, drawn on demand.

    Blitting draws the moving artists over the cached background, so they always land above
    the static ones; a full redraw would interleave them by zorder (a trail that crosses the
    legend passes over it here, under it there). That is the only difference; a test bounds it.

    Every drawing call runs inside ``views.style(theme)``, entered and left around the call: a
    style context held open across calls would be unwound whenever the object holding it is
    garbage-collected, possibly in a forked worker in the middle of its own drawing.
    """

    def __init__(self, plan, view, size, dpi=None):
        self.size = tuple(int(v) for v in size)
        self.theme = plan.theme
        with views.style(self.theme):
            self.drawing = views.build(plan, view, self.size, dpi)
            self.canvas = self.drawing.figure.canvas
            self._background = None
            if not self.drawing.moving_camera:
                self.canvas.draw()               # animated artists are left out of this draw
                self._background = self.canvas.copy_from_bbox(self.drawing.figure.bbox)
                # The background with the growing artists drawn up to frame _at over it.
                self.drawing.baking = bool(self.drawing.growing)
                self._grown, self._at = self._background, -1

    def __len__(self):
        return len(self.drawing)

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as a (height, width, 3) uint8 array (a copy)."""
        return rgb(self.pixels(i))

    def pixels(self, i: int) -> np.ndarray:
        """Frame ``i`` as the canvas's own (height, width, 4) RGBA buffer, not a copy: it
        holds the frame until the next one is drawn. Encoders take RGBA as it is, which
        saves a copy a frame."""
        drawing = self.drawing
        with views.style(self.theme):
            changed = drawing.update(i)
            if self._background is None:
                for a in drawing.animated:
                    a.set_animated(False)
                self.canvas.draw()
            else:
                self.canvas.restore_region(self._grow(i) if drawing.growing else self._background)
                # In zorder, as a full draw stacks them (within an axes).
                growing = set(map(id, drawing.growing))
                for artist in sorted(changed, key=lambda a: a.get_zorder()):
                    if id(artist) not in growing:
                        drawing.figure.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())

    def _grow(self, i: int):
        """The background with the growing artists drawn to frame ``i``: each frame's
        growth drawn over the last, kept, and taken up from there by the next frame. Going
        back starts again from the first frame, so a frame's pixels never depend on which
        frames were drawn before it."""
        drawing = self.drawing
        if i <= self._at:
            self._grown, self._at = self._background, -1
        self.canvas.restore_region(self._grown)
        for k in range(self._at + 1, i + 1):
            for artist in sorted(drawing.grow(k), key=lambda a: a.get_zorder()):
                drawing.figure.draw_artist(artist)
        self._grown, self._at = self.canvas.copy_from_bbox(drawing.figure.bbox), i
        return self._grown


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


def draws_whole_frames(view) -> bool:
    """Whether every frame of ``view`` is drawn whole: a moving camera (an orbit, keys) or
    a moving 2D window changes every pixel. Only such views are spread over worker processes. The others redraw a few
    artists over a cached background, a few milliseconds a frame: less than it costs to
    send the frame back from a worker (2 MB at 960x540) and to build the figure once more
    in each worker, so they are drawn in this process, whatever ``jobs`` allows."""
    camera = getattr(view, "camera", None)
    return (camera is not None and camera.moves) or bool(getattr(view, "moves", False))


# A worker process draws with the FrameSource its pool's initializer built from the plan
# handed to it; this is that process's own, set once when it starts. A worker forked from a
# process that already built one for the same view (to draw a GIF's palette samples) takes
# that copy instead of building the figure again: frames are drawn whole, so what the
# source drew before does not show.
_SOURCE: FrameSource | None = None
_INHERITED: FrameSource | None = None


def fresh_fonts() -> None:
    """Forget the fonts this process inherited with its parent's mathtext: a forked process
    reads glyphs through the font files its parent opened, whose read offsets it shares with
    the parent and every sibling, so two processes loading glyphs at once read each other's
    bytes (FreeType: "invalid outline", "too many hints"). matplotlib empties its own font
    cache in a forked child, but a formula parsed before the fork (a title's) keeps its
    fonts in the mathtext parser's cache: emptied here, each is opened again, its own.
    Called where render's forked processes start (importing render installs no fork hook)."""
    from matplotlib import mathtext
    mathtext.MathTextParser._parse_cached.cache_clear()


def _start_worker(plan, view, size):
    global _SOURCE
    _bound_to_parent()
    fresh_fonts()
    inherited = _INHERITED
    if inherited is not None and inherited.drawing.plan is plan and inherited.drawing.view is view \
            and inherited.size == tuple(size):
        _SOURCE = inherited
    else:
        _SOURCE = FrameSource(plan, view, size)


def _bound_to_parent(death: int = signal.SIGKILL) -> None:
    """A worker lives and dies with the render: the render alone decides what an interrupt
    means (the worker ignores Ctrl-C and dies of a TERM or HUP), and on Linux the kernel
    sends it ``death`` if the render is killed outright."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes
        parent = os.getppid()
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, death)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:          # the render died before the request was made
            os._exit(1)


PR_SET_PDEATHSIG = 1


# Frames come back from workers through memory shared with the render, mapped before the
# workers fork: a worker copies each frame it draws into its chunk's slot, and only the
# slot's number goes back through the pool. (Pickled, a 960x540 frame was 2 MB copied four
# times on its way: into the pickle, through the pipe, out of it, into an array.)
_SHARED = None


def _draw_chunk(bounds, rgba, base, frame_bytes):
    """Draw frames ``bounds`` into the shared memory from frame place ``base`` on."""
    start, stop = bounds
    for k, i in enumerate(range(start, stop)):
        pixels = _SOURCE.pixels(i) if rgba else _SOURCE.frame(i)
        into = np.frombuffer(_SHARED, dtype=np.uint8, count=frame_bytes, offset=(base + k) * frame_bytes)
        into[:] = pixels.reshape(-1)
    return stop - start


class FrameStream:
    """Every frame of a planned view, in order, drawn in this process or by up to ``jobs``
    workers.

    A view that draws whole frames (``draws_whole_frames``) with jobs > 1 has contiguous
    chunks of frames drawn by worker processes, which come back in order; any other is
    drawn here. ``sample(i)`` draws one frame here, at any time (an encoder may want the
    last frame before the first).
    """

    def __init__(self, plan, view, size, jobs: int = 1, chunk: int = 8):
        self.plan, self.view, self.size = plan, view, tuple(size)
        self.n = plan.frames
        self.chunk = chunk
        parallel = (jobs > 1 and draws_whole_frames(view) and self.n >= 2 * chunk
                    and "fork" in multiprocessing.get_all_start_methods())
        self.jobs = jobs if parallel else 1
        self._local = None

    def __len__(self):
        return self.n

    def _source(self) -> FrameSource:
        if self._local is None:
            self._local = FrameSource(self.plan, self.view, self.size)
        return self._local

    def sample(self, i: int) -> np.ndarray:
        return self._source().frame(i)

    def samples(self, indices) -> dict[int, np.ndarray]:
        """Frames ``indices``, drawn here, by index (RGB, each its own)."""
        return {i: self.sample(i) for i in indices}

    def __iter__(self) -> Iterator[np.ndarray]:
        """Every frame, in order, as RGB arrays of its own."""
        return self._frames(rgba=False)

    def pixels(self) -> Iterator[np.ndarray]:
        """Every frame, in order, as RGBA, for encoders: each is valid until the next is
        asked for (drawn here, it is the canvas's own buffer). Frames are the same whatever
        draws them, this process or workers, so the encoders' input is too."""
        return self._frames(rgba=True)

    def _frames(self, rgba: bool) -> Iterator[np.ndarray]:
        if self.jobs == 1:
            source = self._source()
            for i in range(self.n):
                yield source.pixels(i) if rgba else source.frame(i)
            return
        w, h = self.size
        channels = 4 if rgba else 3
        frame_bytes = w * h * channels
        # At most two chunks per worker in flight, and one being read: memory stays bounded
        # however slow the encoder is (and under SHARED_BYTES, fewer frames a chunk if need
        # be). A worker that dies breaks the pool, which raises instead of hanging.
        ahead = 2 * self.jobs
        slots = ahead + 1
        chunk = max(1, min(self.chunk, SHARED_BYTES // (slots * frame_bytes)))
        bounds = [(s, min(self.n, s + chunk)) for s in range(0, self.n, chunk)]
        context = multiprocessing.get_context("fork")
        pending = deque()
        global _INHERITED, _SHARED
        shared = mmap.mmap(-1, slots * chunk * frame_bytes)
        _INHERITED, _SHARED = self._local, shared      # (workers fork when the pool starts them)
        submit = lambda pool, q: pool.submit(_draw_chunk, bounds[q], rgba, (q % slots) * chunk, frame_bytes)
        with ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker,
                                 initargs=(self.plan, self.view, self.size)) as pool:
            try:
                pending.extend(submit(pool, q) for q in range(min(ahead, len(bounds))))
                queued = len(pending)
                for q in range(len(bounds)):
                    count = pending.popleft().result()
                    base = (q % slots) * chunk
                    for k in range(count):
                        frame = np.frombuffer(shared, dtype=np.uint8, count=frame_bytes,
                                              offset=(base + k) * frame_bytes).reshape(h, w, channels)
                        # RGBA frames are read where they lie (valid until their slot is
                        # drawn into again, chunks later); RGB ones are each their own.
                        yield frame if rgba else frame.copy()
                    # Read: the next chunk may take a slot.
                    if queued < len(bounds):
                        pending.append(submit(pool, queued))
                        queued += 1
            finally:
                _INHERITED = _SHARED = None
                for future in pending:
                    future.cancel()
