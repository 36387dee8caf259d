"""Encoders: streaming sinks that write frames to files, atomically, registered by format.

Every sink has ``write(frame)``, ``finish()``, ``commit()`` and ``abort()`` (and is a
context manager doing the last three): frames go to a temporary file beside the target,
which is renamed into place only when the sink finishes without error. A failed or
interrupted render leaves no partial file and never touches an earlier good output.

A sink's constructor starts nothing: the temporary file is made and any encoder process
started when the first frame arrives. A sink that wants to see some frames before the
stream (the GIF's palette) names them in ``samples`` (frame indices, negative from the end,
or fractions of the way through) and is given them by ``take_samples``, with the colours
that must come out exactly (the runs', the text's, the background's).

``SINKS`` maps format names to sink classes; ``@sink("name")`` registers one, so adding a
format touches one place. ``write_data`` writes a scene's numbers as CSV.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from .signals import Responses
from .testing import frame_hash, pixel_versions

__all__ = ["SINKS", "FORMATS", "Sink", "sink", "GifSink", "VideoSink", "WebmSink", "PngSink",
           "FramesSink", "HashSink", "output_path", "atomic_file", "write_data", "write_searches", "clear_debris"]

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


# The write ends of the encoders' stdin pipes this process holds. A process forked from it
# (a drawing worker) would hold them too, and an encoder sees the end of its input only
# when every holder has closed it: if the render is killed, the encoder would wait for
# ever. A child points its copies at /dev/null as it starts.
_ENCODER_INPUTS: set[int] = set()


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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_encoder_inputs)


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
        _ENCODER_INPUTS.add(self.input)
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


@sink("gif")
class GifSink(_PipedSink):
    """An infinitely looping GIF with one global palette, encoded by ffmpeg as frames arrive.

    The palette is built once: first an entry for each colour that must stay exact (each
    run's, the text's, the background's: a run's head and legend marker keep their colour
    exactly) and for its blends a quarter, half and three quarters of the way to each
    backdrop (the edges of lines and markers), then median-cut colours of sample frames
    spanning the animation, spread over the runs' motion as much as over time (the first
    frame alone if no samples were given). Colours of the samples that ffmpeg would still
    render far off (it picks the nearest entry in OkLab) get entries of their own. Every
    frame is mapped onto the palette without dithering, so static regions keep identical
    indices; ffmpeg then stores only the rectangle that changed, with unchanged pixels
    transparent. Nothing holds more than one frame besides the samples.
    """

    holds = True
    suffix = ".gif"
    samples = (0, 0.5, -1)
    busy_samples = 3            # by the motion too: a swarm's busiest frames are early
    palette_file: Path | None = None
    held = 0.0
    held_first = 0.0
    # Every ``stride``-th frame of ``total`` is kept, and the last (a size budget's fewer
    # frames); the GIF plays at fps / stride.
    stride = 1
    total = 0
    _offered = 0

    def write(self, frame):
        k, self._offered = self._offered, self._offered + 1
        if self.stride == 1 or k % self.stride == 0 or k == self.total - 1:
            super().write(frame)

    def hold(self, frame, seconds):
        # One frame shown longer, not copies of it: its delay is lengthened once written.
        self.held = seconds

    def hold_start(self, frame, seconds):
        self.held_first = seconds

    def _start(self, first) -> FFmpegPipe:
        # 255 colours and one transparent entry: ffmpeg's GIF encoder needs a transparent
        # index to leave unchanged pixels out; without it, it stores whole rectangles.
        colors = _palette(self.sampled or [_rgb(first)], self.exact, self.backdrops)
        self.sampled = []
        table = np.zeros((256, 4), dtype=np.uint8)
        table[:255, :3] = colors
        table[:255, 3] = 255
        colors = table.reshape(16, 16, 4)                         # ffmpeg wants 16x16
        self.palette_file = _temp_beside(self.path, ".palette.png")
        Image.fromarray(colors, "RGBA").save(self.palette_file, format="PNG")
        return FFmpegPipe(self.temp, self.size, self.fps / self.stride, extra_inputs=["-i", str(self.palette_file)],
                          channels=first.shape[-1],
                          output_args=["-filter_complex",
                                       "[0:v][1:v]paletteuse=dither=none:diff_mode=rectangle",
                                       "-loop", "0", "-f", "gif"])

    def finish(self):
        try:
            super().finish()
        finally:
            self._drop_palette()
        if self.held or self.held_first:
            _lengthen_frames(self.temp, self.held_first, self.held)

    def abort(self):
        super().abort()
        self._drop_palette()

    def _drop_palette(self):
        if self.palette_file is not None:
            self.palette_file.unlink(missing_ok=True)
            self.palette_file = None


def _lengthen_frames(path: Path, first: float, last: float) -> None:
    """Add ``first`` seconds to the delay of a GIF's first frame and ``last`` to its last
    frame's, in place (one frame: both). Walks the blocks (an image's compressed bytes may
    hold anything) to the Graphic Control Extensions."""
    data = bytearray(path.read_bytes())
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)   # header, screen, table
    controls = []
    while pos < len(data) and data[pos] != 0x3B:                          # the trailer
        if data[pos] == 0x21:                                             # an extension
            if data[pos + 1] == 0xF9:
                controls.append(pos)
            pos += 2
        else:                                                             # an image
            flags = data[pos + 9]
            pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1
        while data[pos]:                                                  # its sub-blocks
            pos += data[pos] + 1
        pos += 1
    if not controls:
        raise ValueError(f"{path}: no frame delay to lengthen")
    for at, seconds in ((controls[0], first), (controls[-1], last)):
        delay = int.from_bytes(data[at + 4:at + 6], "little") + int(round(seconds * 100))
        data[at + 4:at + 6] = min(delay, 0xFFFF).to_bytes(2, "little")
    path.write_bytes(bytes(data))


def _palette(frames, exact=(), backdrops=()) -> np.ndarray:
    """255 colours, (255, 3) uint8: the ``exact`` colours, their blends with each of the
    ``backdrops`` and with each other (together at most RESERVED), then the median cut of a mosaic of frames
    (deterministic) fills the rest."""
    from matplotlib.colors import to_rgb
    exact = [np.array(to_rgb(c)) for c in exact]
    under = [np.array(to_rgb(c)) for c in backdrops]
    # Nearest first: the colours, their edges over what is under them, then where two of
    # them cross (two trails, two loss curves).
    wanted = exact + [(1 - t) * c + t * b for c in exact for b in under for t in (0.25, 0.5, 0.75)]
    pairs = [(a, b) for i, a in enumerate(exact) for b in exact[i + 1:]]
    wanted += [(a + b) / 2 for a, b in pairs] + [(1 - t) * a + t * b for a, b in pairs for t in (0.25, 0.75)]
    kept: list[tuple[int, int, int]] = []
    for rgb in wanted:
        rgb = tuple(int(round(v * 255)) for v in rgb)
        if rgb not in kept and len(kept) < RESERVED:
            kept.append(rgb)
    # Every other row and column: a quarter of the pixels, the same colours (the rare ones
    # that matter, the runs', are reserved above), four times faster.
    mosaic = np.ascontiguousarray(np.concatenate([np.asarray(f)[::2, ::2] for f in frames], axis=0))
    flat = mosaic.reshape(-1, 3).astype(np.uint32)
    packed, counts = np.unique((flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2], return_counts=True)
    colours = np.column_stack([packed >> 16, (packed >> 8) & 255, packed & 255]).astype(np.uint8)
    # The median cut leaves REPAIRS entries for colours it would still render far off
    # (lines' and trails' blends over the surface, the edges of many heads).
    table = _with_cut(kept, mosaic, 255 - len(kept) - REPAIRS)
    return _repaired(table, 255 - REPAIRS, colours, counts)


def _with_cut(kept, mosaic, n) -> np.ndarray:
    """The palette: ``kept``, then ``n`` median-cut colours of ``mosaic``, then (a frame with
    fewer colours) repeats of the first entry, which nothing maps to twice."""
    cut = Image.fromarray(mosaic).quantize(colors=n, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    found = np.array(cut.getpalette()[: 3 * n], dtype=np.uint8).reshape(-1, 3)
    table = np.zeros((255, 3), dtype=np.uint8)
    table[: len(kept)] = np.array(kept, dtype=np.uint8).reshape(-1, 3)
    table[len(kept): len(kept) + len(found)] = found
    table[len(kept) + len(found):] = table[0]
    return table


# How far (on any channel) a pixel may end from its colour before the palette is repaired.
MISS = 40
# Palette entries a repair may take for colours the median cut left far off.
REPAIRS = 32


def _oklab(rgb: np.ndarray) -> np.ndarray:
    """OkLab of sRGB colours (n, 3) in 0..255: the space ffmpeg's paletteuse measures in."""
    c = np.asarray(rgb, dtype=float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lms = np.cbrt(linear @ np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                                     [0.2119034982, 0.6806995451, 0.1073969566],
                                     [0.0883024619, 0.2817188376, 0.6299787005]]).T)
    return lms @ np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                           [1.9779984951, -2.4285922050, 0.4505937099],
                           [0.0259040371, 0.7827717662, -0.8086757660]]).T


def _nearest(table_lab: np.ndarray, lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each colour, the nearest palette entry (as paletteuse picks it) and its distance."""
    best = np.empty(len(lab), dtype=int)
    distance = np.empty(len(lab))
    for start in range(0, len(lab), 4096):                    # bounded memory
        d = ((lab[start:start + 4096, None, :] - table_lab[None]) ** 2).sum(axis=-1)
        best[start:start + 4096] = d.argmin(axis=1)
        distance[start:start + 4096] = d.min(axis=1)
    return best, distance


def _repaired(table, free: int, colours, counts) -> np.ndarray:
    """Fill entries ``free``.. one at a time with the most common colour the palette
    renders far off, until none is left or the entries run out."""
    table = table.copy()
    lab, table_lab = _oklab(colours), _oklab(table[:free])
    best, distance = _nearest(table_lab, lab)
    chosen = table[best].astype(int)
    for entry in range(free, 255):
        far = np.abs(chosen - colours).max(axis=1) > MISS
        if not far.any():
            table[entry:] = table[0]
            break
        pick = int(np.flatnonzero(far)[np.argmax(counts[far])])
        table[entry] = colours[pick]
        d = ((lab - lab[pick]) ** 2).sum(axis=1)
        closer = d < distance
        distance[closer] = d[closer]
        chosen[closer] = colours[pick]
    return table


# GIF palette entries kept for exact colours and their blends; the frames get the rest.
RESERVED = 128


# Constant rate factor of the video encoders per quality preset: lower is better and larger.
CRF = {"low": 30, "medium": 23, "high": 18}


@sink("mp4")
class VideoSink(_PipedSink):
    """MP4 (H.264) or WebM (VP9) through the bundled ffmpeg, frames piped as raw RGB.
    yuv420p with even dimensions, so that every browser plays it; +faststart puts the index
    first so playback starts before the download ends; bitexact leaves out the encoder's
    version string, so the same frames give the same bytes."""

    codec = "libx264"
    holds = True
    suffix = ".mp4"

    def __init__(self, path, size, fps, quality="medium"):
        w, h = size
        if w % 2 or h % 2:
            raise ValueError(f"video size must be even, got {w}x{h}")
        super().__init__(path, size, fps, quality)

    def _start(self, first) -> FFmpegPipe:
        return FFmpegPipe(self.temp, self.size, self.fps,
                          ["-an", "-c:v", self.codec, "-pix_fmt", "yuv420p", *self.output_params()],
                          channels=first.shape[-1])

    def output_params(self):
        # One encoder thread: x264's output depends on its thread count, and the same frames
        # must give the same bytes on any machine. "veryfast" against "faster", on the master
        # plot at 960x540: 19-29% less encoder CPU (the encoder sets an MP4's pace), 4-8%
        # fewer bytes, 0.8-1.1 dB lower PSNR (39-41 dB).
        return ["-crf", str(CRF[self.quality]), "-preset", "veryfast", "-movflags", "+faststart",
                "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
                "-threads", "1"]


@sink("webm")
class WebmSink(VideoSink):
    codec = "libvpx-vp9"
    suffix = ".webm"

    def output_params(self):
        return ["-crf", str(CRF[self.quality] + 8), "-b:v", "0", "-deadline", "good",
                "-cpu-used", "4", "-row-mt", "0", "-fflags", "+bitexact",
                "-flags:v", "+bitexact", "-map_metadata", "-1", "-threads", "1"]


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


def _rgb(frame: np.ndarray) -> np.ndarray:
    """A frame's colour channels (a frame comes as RGB, or RGBA from the canvas)."""
    return frame[..., :3] if frame.shape[-1] == 4 else frame


# The formats a user can ask for with --format.
FORMATS = tuple(name for name, cls in SINKS.items() if cls.option)


def output_path(out_dir, scene_name: str, view_name: str, fmt: str) -> Path:
    """DIR/<scene>/<view>.<ext>; the frames format is the folder DIR/<scene>/<view>/."""
    return SINKS[fmt].target(Path(out_dir) / scene_name, view_name)


# --- a scene's numbers ------------------------------------------------------------------------

def data_name(plan) -> str:
    """The CSV file a scene's numbers go to in its folder."""
    return "responses.csv" if isinstance(plan.trajectories, Responses) else "trajectories.csv"


def write_data(folder, plan) -> Path:
    """The scene's numbers as CSV, atomically, in its folder; 17 significant digits, so the
    numbers read back exactly. A race: run, label, optimizer, step, x, y, loss. Responses:
    signal, run, label, optimizer, step, gradient, update."""
    path = Path(folder) / data_name(plan)
    with atomic_file(path) as temp, open(temp, "w", encoding="utf-8", newline="") as f:
        if isinstance(plan.trajectories, Responses):
            _responses_csv(f, plan)
        else:
            _trajectories_csv(f, plan)
    return path


def write_searches(folder, plan) -> Path | None:
    """The searches of the scene's tuned runs as CSV, atomically, in its folder
    (``tuning.csv``), or None when nothing was tuned. A row per candidate and tuned value:
    run, label, candidate, parameter, value, final_loss (inf: diverged), chosen (1 or 0)."""
    searches = plan.searches
    if not searches:
        return None
    path = Path(folder) / "tuning.csv"
    with atomic_file(path) as temp, open(temp, "w", encoding="utf-8", newline="") as f:
        f.write("run,label,candidate,parameter,value,final_loss,chosen\n")
        for search in searches:
            label = _csv(plan.scene.runs[search.run].name)
            for k, (values, loss) in enumerate(zip(search.values, search.losses)):
                for name, value in zip(search.names, values):
                    f.write(f"{search.run},{label},{k},{name},{value:.17g},{loss:.17g},{int(k == search.chosen)}\n")
    return path


def _trajectories_csv(f, plan) -> None:
    """Over a model: the plane's coordinates a, b, the distance off it, the true loss, then
    every parameter p0, p1, ..."""
    t = plan.trajectories
    steps = np.arange(t.steps + 1)
    plane = plan.plane
    if plane is None:
        f.write("run,label,optimizer,step,x,y,loss\n")
    else:
        f.write("run,label,optimizer,step,a,b,off_plane,loss," + ",".join(f"p{k}" for k in range(t.positions.shape[2]))
                + "\n")
    for i, run in enumerate(plan.scene.runs):
        prefix = f"{i},{_csv(run.name)},{_csv(run.optimizer.describe())}"
        if plane is None:
            block = np.column_stack([steps, t.positions[i, :, 0], t.positions[i, :, 1], t.losses[i]])
        else:
            block = np.column_stack([steps, plane.paths.positions[i], plane.off[i], t.losses[i], t.positions[i]])
        _rows(f, prefix, block)


def _responses_csv(f, plan) -> None:
    r = plan.trajectories
    steps = np.arange(r.steps + 1)
    f.write("signal,run,label,optimizer,step,gradient,update\n")
    for s, name in enumerate(r.names):
        for i, run in enumerate(plan.scene.runs):
            prefix = f"{_csv(name)},{i},{_csv(run.name)},{_csv(run.optimizer.describe())}"
            block = np.column_stack([steps, r.gradients[s], r.updates[i, s]])
            _rows(f, prefix, block)


def _rows(f, prefix: str, block: np.ndarray) -> None:
    """A row per row of ``block`` (the step, then numbers to 17 significant digits), each
    after ``prefix``, the row's text fields, which are written as they are (a '%' in a label
    is a '%')."""
    fmt = ",%d" + ",%.17g" * (block.shape[1] - 1) + "\n"
    for start in range(0, len(block), 4096):
        f.write("".join(prefix + fmt % tuple(row) for row in block[start:start + 4096].tolist()))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _csv(text: str) -> str:
    """A text field as the csv module reads it back: quoted when it holds a separator, a
    quote or a line break; a lone surrogate (which no UTF-8 holds) is U+FFFD."""
    text = _SURROGATE.sub("\ufffd", text)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


class atomic_file:
    """``with atomic_file(path) as temp:`` write temp; it replaces path only on success."""

    def __init__(self, path):
        self.path = Path(path)

    def __enter__(self) -> Path:
        self.temp = _temp_beside(self.path, ".part" + _extension(self.path))
        return self.temp

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                _readable(self.temp)
                _into_place(self.temp, self.path)
        finally:
            self.temp.unlink(missing_ok=True)         # (gone already if it was moved into place)
        return False


def folder_into_place(temp: Path, path: Path) -> None:
    """Move the finished folder ``temp`` to ``path``, replacing any folder there whole."""
    _readable(temp, folder=True)
    # Move what is there aside (under this process's name), then ours into place. A
    # render writing the same folder at the same moment may put its own there in
    # between: then that is moved aside too and we try again; the last one in wins.
    for attempt in range(20):
        old = None
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                raise ValueError(f"{path} is a file where the frames' folder would go; move it "
                                 f"away or choose another --out")
            old = path.with_name(f"{_temp_prefix(path)}{os.urandom(4).hex()}.old")
            try:
                os.replace(path, old)
            except FileNotFoundError:
                old = None                   # the other render moved it first
        try:
            os.replace(temp, path)
        except OSError as e:
            if e.errno not in (errno.ENOTEMPTY, errno.EEXIST) or attempt == 19:
                raise
            continue
        finally:
            if old is not None:
                _remove(old)
        return


def temp_folder_beside(path: Path) -> Path:
    """A new private folder beside ``path`` (its parent made if missing), named so that
    ``clear_debris`` knows it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=".part", dir=path.parent))


def _into_place(temp: Path, path: Path) -> None:
    """Rename a finished file over ``path``; a folder in the way is an error that says so
    (the temporary file is the caller's to remove)."""
    if path.is_dir() and not path.is_symlink():
        raise ValueError(f"{path} is a folder where a file would go; move it away or choose another --out")
    os.replace(temp, path)


def _temp_beside(path: Path, suffix: str) -> Path:
    """A new private file in ``path``'s folder (made if missing), hidden and named after it
    and after this process (``clear_debris`` knows it by that); ``suffix`` is one of the
    kinds ``_DEBRIS`` knows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(temp)


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.render-{os.getpid()}."


def _extension(path: Path) -> str:
    """A target's extension as its temporary file ends with it: ".json", ".gif" ('' for none)."""
    return path.suffix if _EXTENSION.fullmatch(path.suffix) else ""


# Every temporary name is ``.<target>.render-<pid>.<token><kind>``: hidden, named after the
# output it becomes and the process writing it, then a random token (tempfile's, or 8 hex
# digits) and one of these kinds:
#   .part<ext>    a file becoming <target>, which ends with <ext> (".gif", ".hashes.json", ".csv")
#   .palette.png  the palette of a GIF (<target> ends with ".gif")
#   .part         a folder becoming the frames folder <target>
#   .old          the earlier frames folder <target> (or a link), moved aside to be removed;
#                 its token is 8 hex digits
# ``clear_debris`` removes an entry only if its whole name has this form, its kind fits both
# the target and what the entry is (a file, a folder), and its process is gone: a name that
# merely looks like one (".notes.render-999999.backup") is left alone.
_EXTENSION = re.compile(r"(\.[a-z0-9]{1,8}){1,2}")
_DEBRIS = re.compile(r"\.(?P<target>.+)\.render-(?P<pid>[1-9][0-9]{0,9})\.(?P<token>[a-z0-9_]{1,16})"
                     r"(?P<kind>\.part(?P<ext>(?:\.[a-z0-9]{1,8}){0,2})|\.palette\.png|\.old)")


def _is_debris(entry: Path) -> bool:
    """Whether ``entry`` is a temporary file or folder of a render whose process is gone."""
    match = _DEBRIS.fullmatch(entry.name)
    if match is None:
        return False
    target, token, kind, ext = match.group("target", "token", "kind", "ext")
    try:
        link = entry.is_symlink()
        folder = entry.is_dir() and not link
    except OSError:
        return False
    if kind == ".palette.png":
        fits = not folder and target.endswith(".gif")
    elif kind == ".old":                               # a frames folder, or a link to one
        fits = (folder or link) and re.fullmatch(r"[0-9a-f]{8}", token) is not None
    elif ext:
        fits = not folder and target.endswith(ext)
    else:
        fits = folder
    return fits and not _alive(int(match.group("pid")))


def clear_debris(folder: Path) -> None:
    """Remove what a render killed outright (a KILL, a power cut) left in ``folder``: its
    temporary files and folders, known by their names (``_DEBRIS``), made by a process that
    no longer exists. Those of a render still running, here or in another process, and
    anything else, are left alone."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return
    for entry in entries:
        if _is_debris(entry):
            _remove(entry)


def _remove(path: Path) -> None:
    """A file, a folder, or a symlink (not what it points to), gone."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True             # someone else's process (or not a pid): not ours to judge
    return True


def _readable(path: Path, folder: bool = False) -> None:
    """Temporary files are private (0600); a finished output gets the usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if folder else 0o666) & ~umask)
