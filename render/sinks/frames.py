"""The frames sink: every frame as a PNG of its own, in a folder that replaces any earlier one whole."""
from __future__ import annotations

import shutil

from PIL import Image

from ..files import folder_into_place, temp_folder_beside
from .base import Sink, _rgb, sink

__all__ = ["FramesSink"]


@sink("frames")
class FramesSink(Sink):
    """Every frame as DIR/<view>/frame_0000.png; the folder replaces any earlier one whole."""

    rgba = True

    def open(self, first):
        self.temp = temp_folder_beside(self.path)

    def write(self, frame):
        super().write(frame)
        Image.fromarray(_rgb(frame)).save(self.temp / f"frame_{self.frames - 1:04d}.png", format="PNG")

    def commit(self):
        folder_into_place(self.temp, self.path)

    def abort(self):
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)
