"""What every sink shares: the ``Sink`` base class, the registry ``SINKS`` and the
``@sink`` decorator that fills it."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..files import _into_place, _readable, _temp_beside

__all__ = ["SINKS", "Sink", "sink"]

SINKS: dict[str, type["Sink"]] = {}


def sink(name: str, option: bool = True):
    """Class decorator: register a sink under ``name`` (``option=False``: not a --format
    choice, but written on request, like hashes)."""
    def register(cls):
        cls.format = name
        cls.option = option
        SINKS[name] = cls
        return cls
    return register


class Sink:
    """Collects frames for one output. Subclasses write to ``self.temp`` (made by ``open``
    at the first frame) and may override ``open`` (start an encoder), ``finish`` (write
    the last bytes) and ``commit`` (move into place)."""

    format = ""
    option = True
    suffix = ""
    # False for a sink that only keeps the final frame: then no other frame is drawn.
    every_frame = True
    # True for an animation that plays: it shows the final frame a moment longer.
    holds = False
    # True for a sink that takes frames as the canvas holds them, (height, width, 4) RGBA,
    # valid only until the next frame is drawn; otherwise frames are RGB arrays of their own.
    # The built-in sinks take both; when every sink of a view takes RGBA, no frame is copied.
    rgba = False
    # Frames this sink wants before the stream: indices (negative from the end), or floats
    # between 0 and 1 for a fraction of the way through; and how many more of those where
    # the runs move the most (``Plan.busiest``).
    samples: tuple = ()
    busy_samples = 0

    def __init__(self, path, size, fps, quality="medium"):
        self.path = Path(path)
        self.size = tuple(size)
        self.fps = fps
        self.quality = quality
        self.frames = 0
        self.temp: Path | None = None
        self.sampled: list[np.ndarray] = []
        self.exact: list[str] = []
        self.backdrops: list[str] = []

    @classmethod
    def target(cls, folder: Path, view: str) -> Path:
        """Where this format's output of ``view`` goes in the scene's folder."""
        return Path(folder) / f"{view}{cls.suffix}"

    def take_samples(self, frames: list[np.ndarray], exact=(), backdrops=()) -> None:
        """Given before the first ``write``: the frames named by ``samples``, the colours
        that must stay exact, and the colours they are mostly drawn over (their
        anti-aliased edges are blends of the two)."""
        self.sampled = list(frames)
        self.exact = list(exact)
        self.backdrops = list(backdrops)

    def hold(self, frame: np.ndarray, seconds: float) -> None:
        """Show ``frame``, the last, ``seconds`` longer (an animation that ``holds``)."""
        for _ in range(int(round(seconds * self.fps))):
            self.write(frame)

    def hold_start(self, frame: np.ndarray, seconds: float) -> None:
        """Show ``frame``, the first, ``seconds`` longer (an animation that ``holds``)."""
        self.hold(frame, seconds)

    def pause(self, frame: np.ndarray, seconds: float) -> None:
        """Show ``frame``, just written, ``seconds`` longer: a note that holds the
        animation there (an animation that ``holds``)."""
        self.hold(frame, seconds)

    def open(self, first: np.ndarray) -> None:
        """Called with the first frame: make the temporary file (and start an encoder)."""
        self.temp = _temp_beside(self.path, f".part{self.suffix}")

    def write(self, frame: np.ndarray) -> None:
        if self.temp is None:
            self.open(frame)
        self.frames += 1

    def finish(self) -> None:
        """Flush everything to ``self.temp``."""
        if self.temp is None:
            raise ValueError(f"{self.path}: no frames to write")

    def commit(self) -> None:
        _readable(self.temp)
        _into_place(self.temp, self.path)

    def abort(self) -> None:
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.finish()
                self.commit()
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()
        return False


def _rgb(frame: np.ndarray) -> np.ndarray:
    """A frame's colour channels (a frame comes as RGB, or RGBA from the canvas)."""
    return frame[..., :3] if frame.shape[-1] == 4 else frame
