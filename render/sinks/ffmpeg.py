"""The pipe into ffmpeg: ``FFmpegPipe`` streams raw frames into imageio-ffmpeg's bundled
ffmpeg, a process of its own; ``_PipedSink`` is a sink whose frames go through one (the
GIF, the videos)."""
from __future__ import annotations

import os
import subprocess
import tempfile

import numpy as np

from .base import Sink

__all__ = ["FFmpegPipe"]


# The write ends of the encoders' stdin pipes this process holds. A process forked from it
# (a drawing worker) would hold them too, and an encoder sees the end of its input only
# when every holder has closed it: if the render is killed, the encoder would wait for
# ever. A child points its copies at /dev/null as it starts (a fork hook, added when the
# first encoder starts, not when this module is imported).
_ENCODER_INPUTS: set[int] = set()
_hooked = False


def _forget_encoder_inputs() -> None:
    if not _ENCODER_INPUTS:
        return
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in _ENCODER_INPUTS:
        try:
            os.dup2(null, fd)
        except OSError:
            pass
    os.close(null)
    _ENCODER_INPUTS.clear()


def _remember_encoder_input(fd: int) -> None:
    global _hooked
    if not _hooked and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forget_encoder_inputs)
        _hooked = True
    _ENCODER_INPUTS.add(fd)


# A frame is megabytes; a pipe holds 64 KiB unless told otherwise (Linux): a wider one
# moves a frame in fewer turns between the two processes.
PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    F_SETPIPE_SZ = 1031
    try:
        import fcntl
        fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, OSError):
        pass                    # another system, or a smaller limit: the default works


class FFmpegPipe:
    """Raw RGB or RGBA frames (``channels``) piped into imageio-ffmpeg's bundled ffmpeg, which
    writes ``path``.

    ffmpeg runs as its own process, so encoding overlaps with drawing. Its messages go to a
    temporary file (a full pipe would stall it) and become the error if it fails.
    """

    def __init__(self, path, size, fps, output_args, extra_inputs=(), channels=3):
        import imageio_ffmpeg
        w, h = size
        self.channels = channels
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo",
                   "-pix_fmt", {3: "rgb24", 4: "rgba"}[channels], "-s", f"{w}x{h}", "-r", f"{fps:g}", "-i", "-",
                   *extra_inputs, *output_args, str(path)]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stderr=self.log)
        self.input = self.process.stdin.fileno()
        _remember_encoder_input(self.input)
        _widen(self.input)

    def write(self, frame: np.ndarray) -> None:
        if frame.shape[-1] != self.channels:
            raise ValueError(f"frames must all have {self.channels} channels, got {frame.shape}")
        try:
            self.process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).data)
        except BrokenPipeError:
            self.close()            # raises with ffmpeg's own message

    def close(self) -> None:
        _ENCODER_INPUTS.discard(self.input)
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except BrokenPipeError:
                pass
        code = self.process.wait()
        with self.log:
            if code != 0:
                self.log.seek(0)
                message = self.log.read().decode(errors="replace").strip().splitlines()
                raise RuntimeError(f"ffmpeg failed ({code}): {message[-1] if message else 'no message'}")

    def kill(self) -> None:
        _ENCODER_INPUTS.discard(self.input)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        self.log.close()


class _PipedSink(Sink):
    """A sink whose frames go into an ``FFmpegPipe`` (``self.pipe``), started by ``open``."""

    rgba = True

    pipe: FFmpegPipe | None = None

    def open(self, first):
        super().open(first)
        self.pipe = self._start(first)

    def _start(self, first) -> FFmpegPipe:
        raise NotImplementedError

    def write(self, frame):
        super().write(frame)
        self.pipe.write(frame)

    def finish(self):
        super().finish()
        pipe, self.pipe = self.pipe, None
        pipe.close()

    def abort(self):
        if self.pipe is not None:
            self.pipe.kill()
            self.pipe = None
        super().abort()
