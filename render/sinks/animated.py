"""Animated WebP and APNG: the GIF's frames (its palette, so every run's colour is as exact
as in the GIF) stored losslessly, looping for ever, encoded by the bundled ffmpeg as frames
arrive (libwebp's animation encoder, ffmpeg's APNG encoder): nothing holds more than a
frame besides the palette's samples. The WebP is about two thirds of the GIF's size, the
APNG larger than the GIF (its frames are stored as full colour with unchanged pixels
transparent); the APNG is there for where WebP is not shown.

The holds (the first frame, the last, the frames of notes that hold) are not frames sent
again: once the file is written, the delay of the frame showing that moment is lengthened
in place, as the GIF's are. libwebp merges identical consecutive frames into one longer
frame, so frames are found by the time they come up, not by their index.
"""
from __future__ import annotations

import zlib
from pathlib import Path

from .base import sink
from .gif import PalettedSink

__all__ = ["WebpSink", "ApngSink", "frame_delays"]


class _LosslessSink(PalettedSink):

    def __init__(self, path, size, fps, quality="medium"):
        super().__init__(path, size, fps, quality)
        self.longer: list[tuple[float, float]] = []      # (a moment of the stream, seconds added)

    def hold(self, frame, seconds):
        self.longer.append((float("inf"), seconds))

    def hold_start(self, frame, seconds):
        self.longer.append((0.0, seconds))

    def pause(self, frame, seconds):
        # The frame just written: it comes up at (frames - 1) / fps in the stream.
        self.longer.append(((self.frames - 0.5) / self.fps, seconds))

    def finish(self):
        super().finish()
        if self.longer:
            data = bytearray(self.temp.read_bytes())
            delays = self.delays(data)
            if not delays:                                   # one picture: a still has no delay
                return
            starts, t = [], 0.0
            for _, ms in delays:
                starts.append(t)
                t += ms / 1000
            for moment, seconds in self.longer:
                k = max(i for i, s in enumerate(starts) if s <= moment)
                at, ms = delays[k]
                delays[k] = (at, ms + seconds * 1000)
            for at, ms in delays:
                self.set_delay(data, at, ms)
            self.temp.write_bytes(bytes(data))

    @staticmethod
    def delays(data: bytearray) -> list[tuple[int, float]]:
        """Each frame's (where its delay is written, the delay in ms)."""
        raise NotImplementedError

    @staticmethod
    def set_delay(data: bytearray, at: int, ms: float) -> None:
        raise NotImplementedError


@sink("webp")
class WebpSink(_LosslessSink):
    """An animated lossless WebP (``<view>.webp``): smaller than the GIF, every colour exact."""

    suffix = ".webp"
    # ffmpeg's libwebp wrapper takes BGRA. Compression levels 2 and 4 give the same bytes
    # within 1% on the master plot; 4 takes ten times as long.
    after_palette = ",format=bgra"
    encoder_args = ("-c:v", "libwebp_anim", "-lossless", "1", "-compression_level", "2", "-loop", "0",
                    "-threads", "1", "-fflags", "+bitexact", "-map_metadata", "-1", "-f", "webp")

    @staticmethod
    def delays(data):
        found, pos = [], 12                                  # "RIFF" size "WEBP"
        while pos + 8 <= len(data):
            kind, size = bytes(data[pos:pos + 4]), int.from_bytes(data[pos + 4:pos + 8], "little")
            if kind == b"ANMF":
                at = pos + 8 + 12                            # x, y, width - 1, height - 1: 3 bytes each
                found.append((at, float(int.from_bytes(data[at:at + 3], "little"))))
            pos += 8 + size + (size & 1)
        return found

    @staticmethod
    def set_delay(data, at, ms):
        data[at:at + 3] = min(int(round(ms)), 0xFFFFFF).to_bytes(3, "little")


@sink("apng")
class ApngSink(_LosslessSink):
    """An animated PNG (``<view>.apng``): every colour exact, shown by every browser; larger
    than the WebP."""

    suffix = ".apng"
    # With an alpha channel the encoder leaves unchanged pixels transparent: a fifth of the
    # bytes of opaque frames on the master plot; filtering rows ("-pred") only adds bytes.
    after_palette = ",format=rgba"
    encoder_args = ("-plays", "0", "-pred", "none", "-fflags", "+bitexact", "-map_metadata", "-1", "-f", "apng")

    @staticmethod
    def delays(data):
        found, pos = [], 8                                   # the PNG signature
        while pos + 8 <= len(data):
            size, kind = int.from_bytes(data[pos:pos + 4], "big"), bytes(data[pos + 4:pos + 8])
            if kind == b"fcTL":
                at = pos + 8 + 20                            # sequence, width, height, x, y: 4 bytes each
                num, den = int.from_bytes(data[at:at + 2], "big"), int.from_bytes(data[at + 2:at + 4], "big")
                found.append((at, 1000 * num / (den or 100)))
            pos += 12 + size
        return found

    @staticmethod
    def set_delay(data, at, ms):
        ms = min(int(round(ms)), 0xFFFF)
        data[at:at + 4] = ms.to_bytes(2, "big") + (1000).to_bytes(2, "big")
        start = at - 20 - 4                                  # the chunk's type, then its data
        end = start + 4 + 26
        data[end:end + 4] = zlib.crc32(data[start:end]).to_bytes(4, "big")


def frame_delays(path) -> list[float]:
    """The delay of each frame (ms) of a WebP or APNG written here."""
    path = Path(path)
    data = bytearray(path.read_bytes())
    sink = WebpSink if data[:4] == b"RIFF" else ApngSink
    return [ms for _, ms in sink.delays(data)]
