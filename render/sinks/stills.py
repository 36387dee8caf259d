"""The still sink: the final frame as a PNG."""
from __future__ import annotations

import numpy as np
from PIL import Image

from .base import Sink, _rgb, sink

__all__ = ["PngSink"]


@sink("png")
class PngSink(Sink):
    """The final frame as a PNG: a still for slides."""

    rgba = True

    suffix = ".png"
    every_frame = False
    last: np.ndarray | None = None

    def write(self, frame):
        super().write(frame)
        self.last = frame

    def finish(self):
        super().finish()
        Image.fromarray(_rgb(self.last)).save(self.temp, format="PNG", optimize=True)
