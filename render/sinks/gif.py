"""The GIF sink and its palette: one global palette built from sample frames before the
stream (the colours that must stay exact and their blends, a median cut of the samples,
entries for what ffmpeg would still render far off), and the first and last frames' delays
lengthened in place for the hold. ``PalettedSink`` is what the GIF shares with the
animated WebP and APNG (``sinks.animated``): the palette and the pipe through it."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image

from ..files import _temp_beside
from ..page import human_size
from .base import _rgb, sink
from .ffmpeg import FFmpegPipe, _PipedSink

__all__ = ["GifSink", "PalettedSink", "MIN_GIF_FPS", "MIN_GIF_WIDTH", "MOVING_GIF_BUDGET", "first_fit", "fitted",
           "pair_frames", "smaller"]


class PalettedSink(_PipedSink):
    """A sink whose frames are mapped onto one global palette before ffmpeg encodes them
    (the GIF; the WebP and the APNG, which share its palette, so their colours are the
    GIF's).

    The palette is built once: first an entry for each colour that must stay exact (each
    run's, the text's, the background's: a run's head and legend marker keep their colour
    exactly) and for its blends a quarter, half and three quarters of the way to each
    backdrop (the edges of lines and markers), then median-cut colours of sample frames
    spanning the animation, spread over the runs' motion as much as over time (the first
    frame alone if no samples were given). Colours of the samples that ffmpeg would still
    render far off (it picks the nearest entry in OkLab) get entries of their own. Every
    frame is mapped onto the palette without dithering, so static regions keep identical
    indices; an encoder stores only what changed. Nothing holds more than one frame
    besides the samples.
    """

    holds = True
    samples = (0, 0.5, -1)
    busy_samples = 3            # by the motion too: a swarm's busiest frames are early
    palette_file: Path | None = None
    table: np.ndarray | None = None         # the palette, (255, 3), once made
    # The size frames are scaled to before the palette (ffmpeg's area average), if not the
    # size they are drawn at: a budget's fewer pixels, known before the stream.
    scaled: tuple | None = None
    # What follows the mapping onto the palette (a pixel format the encoder takes), and
    # the encoder's own arguments.
    after_palette = ""
    encoder_args: tuple = ()

    def rate(self) -> float:
        return self.fps

    def palette(self, first=None) -> np.ndarray:
        """The palette (255, 3): made once, from the samples (or the first frame)."""
        if self.table is None:
            self.table = _palette(self.sampled or [_rgb(first)], self.exact, self.backdrops)
        return self.table

    def _start(self, first) -> FFmpegPipe:
        # 255 colours and one transparent entry: ffmpeg's GIF encoder needs a transparent
        # index to leave unchanged pixels out; without it, it stores whole rectangles.
        colors = self.palette(first)
        self.sampled = []
        table = np.zeros((256, 4), dtype=np.uint8)
        table[:255, :3] = colors
        table[:255, 3] = 255
        colors = table.reshape(16, 16, 4)                         # ffmpeg wants 16x16
        self.palette_file = _temp_beside(self.path, ".palette.png")
        Image.fromarray(colors, "RGBA").save(self.palette_file, format="PNG")
        return FFmpegPipe(self.temp, self.size, self.rate(), extra_inputs=["-i", str(self.palette_file)],
                          channels=first.shape[-1],
                          output_args=["-filter_complex",
                                       self._scaling() + "[1:v]paletteuse=dither=none:diff_mode=rectangle"
                                       + self.after_palette,
                                       *self.encoder_args])

    def _scaling(self) -> str:
        if self.scaled is None or tuple(self.scaled) == tuple(self.size):
            return "[0:v]"
        w, h = self.scaled
        return f"[0:v]scale={w}:{h}:flags=area[scaled];[scaled]"

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


@sink("gif")
class GifSink(PalettedSink):
    """An infinitely looping GIF with one global palette (``PalettedSink``), encoded by
    ffmpeg as frames arrive: it stores only the rectangle that changed, with unchanged
    pixels transparent. The first and last frames' delays (the holds) and those of notes
    that hold are lengthened in place once it is written."""

    suffix = ".gif"
    encoder_args = ("-loop", "0", "-f", "gif")
    held = 0.0
    held_first = 0.0
    paused: dict | None = None      # seconds added to frames of the GIF (notes that hold)
    # Every ``stride``-th frame of ``total`` is kept, and the last (a size budget's fewer
    # frames); the GIF plays at fps / stride.
    stride = 1
    total = 0
    _offered = 0

    def rate(self) -> float:
        return self.fps / self.stride

    def write(self, frame):
        k, self._offered = self._offered, self._offered + 1
        if self.stride == 1 or k % self.stride == 0 or k == self.total - 1:
            super().write(frame)

    def hold(self, frame, seconds):
        # One frame shown longer, not copies of it: its delay is lengthened once written.
        self.held = seconds

    def hold_start(self, frame, seconds):
        self.held_first = seconds

    def pause(self, frame, seconds):
        # The frame just written (or the last kept, under a stride) shown longer.
        self.paused = dict(self.paused or {})
        at = max(0, self.frames - 1)
        self.paused[at] = self.paused.get(at, 0.0) + seconds

    def finish(self):
        super().finish()
        if self.held or self.held_first or self.paused:
            _lengthen_frames(self.temp, self.held_first, self.held, self.paused)


def _lengthen_frames(path: Path, first: float, last: float, paused: dict | None = None) -> None:
    """Add ``first`` seconds to the delay of a GIF's first frame, ``last`` to its last
    frame's and ``paused[k]`` to frame k's, in place (one frame: first and last both). Walks
    the blocks (an image's compressed bytes may hold anything) to the Graphic Control
    Extensions."""
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
    lengthen = [(controls[0], first), (controls[-1], last)]
    lengthen += [(controls[min(k, len(controls) - 1)], seconds) for k, seconds in (paused or {}).items()]
    for at, seconds in lengthen:
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
    # Every third row and column: a ninth of the pixels, the same colours (the rare ones
    # that matter, the runs', are reserved above; what the cut misses, the repair finds).
    # Against every other row and column on the master plot, 2D and 3D, the swarm and the
    # spirals network at 640x360: the same PSNR to 0.5 dB and the same bytes to 1%, the
    # palette in 37 ms instead of 70.
    mosaic = np.ascontiguousarray(np.concatenate([np.asarray(f)[::3, ::3] for f in frames], axis=0))
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


# A GIF whose frames change whole (a camera that orbits or moves between keys, a 2D window
# that moves) changes nearly every pixel every frame: the gallery's are 7.4 to 18.1 MiB at
# 960x540, ten times their MP4s. Unless a budget is given (render --gif-budget), such a GIF
# is fitted to this one, to embed in a page; the output line says how.
MOVING_GIF_BUDGET = 5 * 2**20

# Where a budget's first guess measures the GIF: pairs of frames a quarter, half and three
# quarters of the way through (an orbit changes evenly; a camera between keys does not).
PAIR_POINTS = (0.25, 0.5, 0.75)


def pair_frames(n: int, fps: float) -> list[int]:
    """The frames ``first_fit`` measures a GIF of ``n`` frames at ``fps`` by: at each of
    PAIR_POINTS a frame, the next, and the one a budget's fewest frames would keep next
    (strides in between are taken as between the two); none for a GIF too short to
    measure that way."""
    most = _most_stride(fps)
    if n < 2 * (most + 1):
        return []
    return sorted({i for m in _pair_starts(n, most) for i in (m, m + 1, m + most)})


def _pair_starts(n: int, most: int) -> list[int]:
    return [int(round(p * (n - 1 - most))) for p in PAIR_POINTS]


def first_fit(table: np.ndarray, frames: dict, n: int, fps: float, size, budget: int):
    """The first try of a GIF of ``n`` frames at ``fps`` and ``size`` under ``budget`` bytes,
    chosen before it is drawn: ``(size, stride, bytes)``, the fewest pixels and frames it
    seems to need (``smaller``'s order: frames first, down to MIN_GIF_FPS, then pixels, down
    to MIN_GIF_WIDTH), and about the bytes it would be as asked. ``frames``: the frames of
    ``pair_frames`` and frame 0, by index; ``table``: the palette.

    Each candidate's bytes are its first frame's and, for every frame it keeps, the mean of
    the measured differences between the pairs' frames that far apart (scaled as the
    candidate would be), each encoded as the GIF stores it: only the rectangle that changed,
    unchanged pixels transparent. Pillow's LZW writes 5 to 17% more than ffmpeg's (six
    orbits of the gallery), so a guess errs towards fitting; the GIF made is measured, and
    one still over is made again (``smaller``). A second drawing of an orbit costs about
    what the first did; this guess, about a quarter of a second at 960x540."""
    most = _most_stride(fps)
    quantize = _Indexer(table)
    starts = _pair_starts(n, most)
    w, h = size
    indexed: dict = {}

    def picture(i, shape):
        # Frame i at ``shape``, as palette indices (each frame and size once).
        if (i, shape) not in indexed:
            frame = np.ascontiguousarray(frames[i][..., :3])
            if shape != (w, h):
                frame = np.asarray(Image.fromarray(frame).resize(shape, Image.Resampling.BOX))
            indexed[i, shape] = quantize(frame)
        return indexed[i, shape]

    def measured(stride, scale) -> tuple[float, float]:
        # The first frame's bytes and the mean of the pairs' differences, ``stride`` apart.
        shape = (w, h) if scale == 1 else _even(w * scale, h * scale)
        changes = [_delta_bytes(picture(m, shape), picture(m + stride, shape)) for m in starts]
        return _gif_bytes(picture(0, shape)), float(np.mean(changes))

    def total(stride, first, change) -> float:
        kept = len(range(0, n, stride)) + (1 if (n - 1) % stride else 0)
        return first + (kept - 1) * change

    first, step = measured(1, 1)
    full = total(1, first, step)
    if full <= budget:
        return tuple(size), 1, int(full)
    # Strides between the next frame and the farthest: their differences in between.
    widest = measured(most, 1)[1] if most > 1 else step
    for stride in range(2, most + 1):
        change = step + (widest - step) * (stride - 1) / (most - 1)
        if total(stride, first, change) <= budget:
            return tuple(size), stride, int(full)
    stride, scale, least = most, 1.0, min(1.0, MIN_GIF_WIDTH / w)
    made = total(stride, first, widest)
    for _ in range(4):                     # bytes go nearly as the pixels; a few steps settle it
        scale = max(least, min(1.0, scale * math.sqrt(budget / made) * 0.98))
        made = total(stride, *measured(stride, scale))
        if made <= budget or scale <= least:
            break
    return _even(w * scale, h * scale), stride, int(full)


class _Indexer:
    """Frames as palette indices, each colour mapped to its nearest entry as ffmpeg's
    paletteuse maps it (in OkLab); colours met in an earlier frame are not measured again."""

    def __init__(self, table):
        self.lab = _oklab(table)
        self.known = np.empty(0, dtype=np.uint32)          # packed colours, sorted
        self.index = np.empty(0, dtype=np.uint8)            # their entries

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        flat = frame.reshape(-1, 3).astype(np.uint32)
        keys = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
        colours, where = np.unique(keys, return_inverse=True)
        new = colours[~np.isin(colours, self.known, assume_unique=True)]
        if new.size:
            best, _ = _nearest(self.lab, _oklab(np.column_stack([new >> 16, (new >> 8) & 255, new & 255])))
            known = np.concatenate([self.known, new])
            order = np.argsort(known, kind="stable")
            self.known, self.index = known[order], np.concatenate([self.index, best.astype(np.uint8)])[order]
        return self.index[np.searchsorted(self.known, colours)][where.ravel()].reshape(frame.shape[:2])


def _gif_bytes(indices: np.ndarray) -> int:
    """Bytes of ``indices`` (8-bit palette indices, 255 transparent) as an image in a GIF:
    its compressed pixels, without the file's header and palette."""
    return _encoded(indices) - _encoded(np.zeros((1, 1), dtype=np.uint8))


def _encoded(indices: np.ndarray) -> int:
    import io
    image = Image.fromarray(np.ascontiguousarray(indices), "P")
    image.putpalette(bytes(range(256)) * 3)          # (its colours do not change its size)
    out = io.BytesIO()
    image.save(out, "GIF", transparency=255)
    return len(out.getvalue())


def _delta_bytes(before: np.ndarray, after: np.ndarray) -> int:
    """Bytes of ``after`` stored over ``before``: the rectangle that changed, with the
    pixels that did not transparent."""
    changed = before != after
    if not changed.any():
        return 0
    rows, columns = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    box = (slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1))
    return _gif_bytes(np.where(changed[box], after[box], 255).astype(np.uint8))


def _even(w: float, h: float) -> tuple[int, int]:
    return max(2, int(round(w / 2)) * 2), max(2, int(round(h / 2)) * 2)


def _most_stride(fps: float) -> int:
    return max(1, int(fps // MIN_GIF_FPS))


# The GIF's budget (render --gif-budget): a GIF over it is made again keeping fewer frames,
# down to this rate, then fewer pixels, down to this width: a slower orbit still reads as
# one; a smaller frame's text soon does not.
MIN_GIF_FPS = 8.0
MIN_GIF_WIDTH = 320


def smaller(size, fps, stride, made: int, budget: int):
    """The (size, stride) to try next for a GIF of ``made`` bytes at ``size`` keeping every
    ``stride``-th frame, to fit ``budget`` bytes: fewer frames first (bytes go about as the
    frames kept), down to MIN_GIF_FPS, then fewer pixels (as their number), down to
    MIN_GIF_WIDTH. None if it fits, or nothing is left to take."""
    if made <= budget:
        return None
    need = 0.9 * budget / made               # a margin: bytes do not shrink quite in proportion
    most = _most_stride(fps)
    wider = min(most, max(stride + 1, math.ceil(stride / need))) if stride < most else stride
    need *= wider / stride
    w, h = size
    scale = max(MIN_GIF_WIDTH / w, math.sqrt(need)) if need < 1 else 1.0
    smaller = (max(2, int(round(w * scale / 2)) * 2), max(2, int(round(h * scale / 2)) * 2)) if scale < 1 else size
    return None if (smaller, wider) == (tuple(size), stride) else (smaller, wider)


def fitted(first, budget, fps, stride, size, made) -> str:
    """What a GIF's budget made of it, in a few words. ``first``: the size asked for and
    the bytes the GIF was there, or (a third item, true) about would have been."""
    (w0, h0), before, *guessed = first
    how = []
    if stride > 1:
        how.append(f"every {_ordinal(stride)} frame, {fps / stride:g} fps")
    if tuple(size) != (w0, h0):
        how.append(f"{size[0]}x{size[1]}")
    limit = human_size(budget)
    asked = f"as asked, {'about ' if any(guessed) else ''}{human_size(before)} at {w0}x{h0}, {fps:g} fps"
    if not how:
        return (f"over the {limit} budget, with no frames or pixels left to take: at least "
                f"{MIN_GIF_FPS:g} fps and {MIN_GIF_WIDTH} pixels wide")
    if made <= budget:
        return f"{limit} budget: {', '.join(how)}; {asked}"
    return f"over the {limit} budget even at {', '.join(how)}; {asked}"


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"
