"""The memory a render will take, estimated before any work: a render the machine cannot
hold is refused with one line giving the figure, not left to crash or swap.

The estimate is linear in a frame's pixels, fitted to the peak memory (the proportional set
size of the render and every process it starts, summed) of an orbit at 1920x1080 and
3840x2160 in each format, with one job and two: the drawing (its canvas, its cached
background, the frame handed on) takes about 57 bytes a pixel, each encoder its own buffers
on top (ffmpeg's x264 keeps some 40 frames ahead in its lookahead), each worker 120 MiB and
12 bytes a pixel more. ``python benchmarks/memory.py --estimates`` measures them again. The
WebP and the APNG are the GIF's figure plus what ffmpeg's encoder holds on top of its GIF
encoder at 1920x1080 (libwebp's animation encoder its canvases, 35 bytes a pixel; the APNG
encoder 20).
"""
from __future__ import annotations

from pathlib import Path

from . import checks

__all__ = ["MemoryLimit", "available", "check", "view_bytes"]

BASE = 110 * 2**20                 # the interpreter, numpy, matplotlib, a scene's plan
DRAWING = 57                       # bytes a pixel: a figure drawn at that size, and its frame
ENCODERS = {"gif": 51, "mp4": 146, "webm": 200, "webp": 86, "apng": 71, "png": 0, "pdf": 0, "frames": 0, "hashes": 0}
# Each worker drawing an orbit's frames: the pages it makes its own after the fork, and its
# figure's buffers beyond those it shares (the frames come back through shared memory).
WORKER_BASE, WORKER = 120 * 2**20, 12


class MemoryLimit(ValueError):
    """A render that needs more memory than the machine has available."""


def view_bytes(size, formats, workers: int = 0) -> int:
    """About how many bytes drawing one view at ``size`` into ``formats`` takes at its
    peak, with ``workers`` processes drawing its frames besides (an orbit with --jobs)."""
    w, h = size
    per_pixel = DRAWING + WORKER * workers + sum(ENCODERS.get(f, max(ENCODERS.values())) for f in formats)
    return BASE + WORKER_BASE * workers + w * h * per_pixel


def available() -> int | None:
    """Bytes this process may still take: the system's available memory, or what is left
    under its control group's limit if that is less; None where neither can be read."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            found.append(int(limit) - int(Path("/sys/fs/cgroup/memory.current").read_text()))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def check(what: str, need: int, advice: str) -> None:
    """Raise MemoryLimit when ``need`` bytes (for ``what``) exceed what is available."""
    have = available()
    if have is not None and need > have:
        raise MemoryLimit(f"{what} needs about {checks.size(need)} of memory and {checks.size(max(have, 0))} is "
                          f"available; {advice}")

