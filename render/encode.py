"""Encoders: streaming sinks that write frames to files, atomically.

Every sink is a context manager with ``write(frame)``: frames go to a temporary file beside
the target, which is renamed into place only when the sink closes without error. A failed
or interrupted render leaves no partial file and never touches an earlier good output.
``SINKS`` maps format names to sink classes.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from .testing import frame_hash, pixel_versions

__all__ = ["SINKS", "FORMATS", "Sink", "GifSink", "VideoSink", "PngSink", "FramesSink",
           "HashSink", "output_path", "atomic_file"]


class Sink:
    """Collects frames for one output. Subclasses write to ``self.temp`` and may override
    ``finish`` (write the last bytes) and ``commit`` (move into place)."""

    suffix = ""
    # False for a sink that only keeps the final frame: then no other frame is drawn.
    needs_every_frame = True

    def __init__(self, path, size, fps, quality="medium"):
        self.path = Path(path)
        self.size = tuple(size)
        self.fps = fps
        self.quality = quality
        self.frames = 0
        self.temp = _temp_beside(self.path, f".part{self.suffix}")

    def write(self, frame: np.ndarray) -> None:
        self.frames += 1

    def finish(self) -> None:
        """Flush everything to ``self.temp``."""

    def commit(self) -> None:
        _readable(self.temp)
        os.replace(self.temp, self.path)

    def abort(self) -> None:
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


class FFmpegPipe:
    """Raw RGB frames piped into imageio-ffmpeg's bundled ffmpeg, which writes ``path``.

    ffmpeg runs as its own process, so encoding overlaps with drawing. Its messages go to a
    temporary file (a full pipe would stall it) and become the error if it fails.
    """

    def __init__(self, path, size, fps, output_args, extra_inputs=()):
        import imageio_ffmpeg
        w, h = size
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo",
                   "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", f"{fps:g}", "-i", "-",
                   *extra_inputs, *output_args, str(path)]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stderr=self.log)

    def write(self, frame: np.ndarray) -> None:
        try:
            self.process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).data)
        except BrokenPipeError:
            self.close()            # raises with ffmpeg's own message

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except BrokenPipeError:
                pass
        code = self.process.wait()
        if code != 0:
            self.log.seek(0)
            message = self.log.read().decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"ffmpeg failed ({code}): {message[-1] if message else 'no message'}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class _PipedSink(Sink):
    """A sink whose frames go into an ``FFmpegPipe`` (``self.pipe``)."""

    pipe: FFmpegPipe | None = None

    def _open_pipe(self, start) -> None:
        """Set ``self.pipe = start()``; if that fails, remove what this sink already made
        (a caller never holds a sink whose constructor raised, so cannot abort it)."""
        try:
            self.pipe = start()
        except BaseException:
            self.abort()
            raise

    def write(self, frame):
        super().write(frame)
        self.pipe.write(frame)

    def finish(self):
        if self.pipe is None:
            raise ValueError("no frames to write")
        pipe, self.pipe = self.pipe, None
        pipe.close()

    def abort(self):
        if self.pipe is not None:
            self.pipe.kill()
            self.pipe = None
        super().abort()


class GifSink(_PipedSink):
    """An infinitely looping GIF with one global palette, encoded by ffmpeg as frames arrive.

    The palette is built once from sample frames (``palette_frames``: typically the first
    and the last, which between them hold every colour of the animation) and every frame is
    mapped onto it without dithering, so static regions keep identical indices; ffmpeg then
    stores only the rectangle that changed, with unchanged pixels transparent. Nothing holds
    more than one frame.
    """

    suffix = ".gif"

    def __init__(self, path, size, fps, quality="medium", palette_frames=()):
        super().__init__(path, size, fps, quality)
        self.palette_file = None
        if len(palette_frames):
            self._open_pipe(lambda: self._start(palette_frames))

    def _start(self, frames) -> FFmpegPipe:
        # 255 colours and one transparent entry: ffmpeg's GIF encoder needs a transparent
        # index to leave unchanged pixels out; without it, it stores whole rectangles.
        colors = np.array(_palette(frames).getpalette()[: 3 * 255], dtype=np.uint8)
        table = np.zeros((256, 4), dtype=np.uint8)
        table[:255, :3] = np.resize(colors, 3 * 255).reshape(255, 3)
        table[:255, 3] = 255
        colors = table.reshape(16, 16, 4)                         # ffmpeg wants 16x16
        self.palette_file = _temp_beside(self.path, ".palette.png")
        Image.fromarray(colors, "RGBA").save(self.palette_file, format="PNG")
        return FFmpegPipe(self.temp, self.size, self.fps, extra_inputs=["-i", str(self.palette_file)],
                          output_args=["-filter_complex",
                                       "[0:v][1:v]paletteuse=dither=none:diff_mode=rectangle",
                                       "-loop", "0", "-f", "gif"])

    def write(self, frame):
        if self.pipe is None:
            self.pipe = self._start([frame])
        super().write(frame)

    def finish(self):
        try:
            super().finish()
        finally:
            self._drop_palette()

    def abort(self):
        super().abort()
        self._drop_palette()

    def _drop_palette(self):
        if self.palette_file is not None:
            self.palette_file.unlink(missing_ok=True)
            self.palette_file = None


def _palette(frames) -> Image.Image:
    """A 255-colour palette image for a mosaic of frames (median cut, deterministic)."""
    mosaic = np.concatenate([np.asarray(f) for f in frames], axis=0)
    return Image.fromarray(mosaic).quantize(colors=255, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)


# Constant rate factor of the video encoders per quality preset: lower is better and larger.
CRF = {"low": 30, "medium": 23, "high": 18}


class VideoSink(_PipedSink):
    """MP4 (H.264) or WebM (VP9) through the bundled ffmpeg, frames piped as raw RGB.
    yuv420p with even dimensions, so that every browser plays it; +faststart puts the index
    first so playback starts before the download ends; bitexact leaves out the encoder's
    version string, so the same frames give the same bytes."""

    codec = "libx264"
    suffix = ".mp4"

    def __init__(self, path, size, fps, quality="medium"):
        w, h = size
        if w % 2 or h % 2:          # checked before the temporary file exists
            raise ValueError(f"video size must be even, got {w}x{h}")
        super().__init__(path, size, fps, quality)
        self._open_pipe(lambda: FFmpegPipe(
            self.temp, self.size, self.fps,
            ["-an", "-c:v", self.codec, "-pix_fmt", "yuv420p", *self.output_params()]))

    def output_params(self):
        # One encoder thread: x264's output depends on its thread count, and the same frames
        # must give the same bytes on any machine. "faster" costs ~5% in size against
        # "medium" and encodes several times faster.
        return ["-crf", str(CRF[self.quality]), "-preset", "faster", "-movflags", "+faststart",
                "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
                "-threads", "1"]


class WebmSink(VideoSink):
    codec = "libvpx-vp9"
    suffix = ".webm"

    def output_params(self):
        return ["-crf", str(CRF[self.quality] + 8), "-b:v", "0", "-deadline", "good",
                "-cpu-used", "4", "-row-mt", "0", "-fflags", "+bitexact",
                "-flags:v", "+bitexact", "-map_metadata", "-1", "-threads", "1"]


class PngSink(Sink):
    """The final frame as a PNG: a still for slides."""

    suffix = ".png"
    needs_every_frame = False

    def __init__(self, path, size, fps, quality="medium"):
        super().__init__(path, size, fps, quality)
        self.last = None

    def write(self, frame):
        super().write(frame)
        self.last = frame

    def finish(self):
        Image.fromarray(self.last).save(self.temp, format="PNG", optimize=True)


class FramesSink(Sink):
    """Every frame as DIR/<view>/frame_0000.png; the folder replaces any earlier one whole."""

    def __init__(self, path, size, fps, quality="medium"):
        self.path = Path(path)
        self.size, self.fps, self.quality, self.frames = tuple(size), fps, quality, 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".part",
                                          dir=self.path.parent))

    def write(self, frame):
        Image.fromarray(frame).save(self.temp / f"frame_{self.frames:04d}.png", format="PNG")
        self.frames += 1

    def commit(self):
        _readable(self.temp, folder=True)
        old = None
        if self.path.exists():
            old = self.path.with_name(f".{self.path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(self.path, old)
        os.replace(self.temp, self.path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self):
        shutil.rmtree(self.temp, ignore_errors=True)


class HashSink(Sink):
    """<view>.hashes.json: the sha256 of each frame's raw RGB bytes, the size, and the
    versions of what decides pixels."""

    suffix = ".json"

    def __init__(self, path, size, fps, quality="medium"):
        super().__init__(path, size, fps, quality)
        self.hashes: list[str] = []

    def write(self, frame):
        super().write(frame)
        self.hashes.append(frame_hash(frame))

    def finish(self):
        record = {"size": list(self.size), "frames": self.hashes, "versions": pixel_versions()}
        self.temp.write_text(json.dumps(record, indent=1) + "\n")


SINKS = {"gif": GifSink, "mp4": VideoSink, "webm": WebmSink, "png": PngSink, "frames": FramesSink}
FORMATS = tuple(SINKS)


def output_path(out_dir, scene_name: str, view_name: str, fmt: str) -> Path:
    """DIR/<scene>/<view>.<ext>; the frames format is the folder DIR/<scene>/<view>/."""
    base = Path(out_dir) / scene_name
    if fmt == "frames":
        return base / view_name
    if fmt == "hashes":
        return base / f"{view_name}.hashes.json"
    return base / f"{view_name}.{fmt}"


class atomic_file:
    """``with atomic_file(path) as temp:`` write temp; it replaces path only on success."""

    def __init__(self, path):
        self.path = Path(path)

    def __enter__(self) -> Path:
        self.temp = _temp_beside(self.path, ".part")
        return self.temp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            _readable(self.temp)
            os.replace(self.temp, self.path)
        else:
            self.temp.unlink(missing_ok=True)
        return False


def _temp_beside(path: Path, suffix: str) -> Path:
    """A new private file in ``path``'s folder (made if missing), hidden and named after it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(temp)


def _readable(path: Path, folder: bool = False) -> None:
    """Temporary files are private (0600); a finished output gets the usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if folder else 0o666) & ~umask)
