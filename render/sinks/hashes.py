"""The hashes sink: each frame's sha256, written on request (``--hashes``) beside the
animation, in the record the snapshot tests compare."""
from __future__ import annotations

import json

from ..hashing import frame_hash, pixel_versions
from .base import Sink, _rgb, sink

__all__ = ["HashSink"]


@sink("hashes", option=False)
class HashSink(Sink):
    """<view>.hashes.json: the sha256 of each frame's raw RGB bytes, the size, and the
    versions of what decides pixels."""

    rgba = True

    suffix = ".hashes.json"

    def __init__(self, path, size, fps, quality="medium"):
        super().__init__(path, size, fps, quality)
        self.hashes: list[str] = []

    def write(self, frame):
        super().write(frame)
        self.hashes.append(frame_hash(_rgb(frame)))

    def finish(self):
        super().finish()
        record = {"size": list(self.size), "frames": self.hashes, "versions": pixel_versions()}
        self.temp.write_text(json.dumps(record, indent=1) + "\n")
