"""One scene to finished files: simulate once, then per view stream frames into every sink.

The command line calls ``render_scene``; so can a script. Outputs are written atomically by
the sinks; a view whose outputs are up to date (same scene file bytes given as ``source``,
same options, same version) is skipped unless ``force``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .encode import SINKS, HashSink, atomic_file, output_path
from .frames import FrameStream

__all__ = ["QUALITY", "Written", "render_scene", "write_csv"]

# Quality presets: frame size; the video encoders' rate factor follows the same names.
QUALITY = {"low": (640, 360), "medium": (960, 540), "high": (1920, 1080)}
MANIFEST = ".render.json"


@dataclasses.dataclass
class Written:
    path: Path
    bytes: int
    seconds: float
    skipped: bool = False


def _size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir())
    return path.stat().st_size


def write_csv(path: Path, scene) -> None:
    """The scene's numbers as CSV (see each scene kind's ``write_data``), atomically."""
    with atomic_file(path) as temp, open(temp, "w", newline="") as f:
        scene.write_data(f)


def _fingerprint(source: bytes, view, options: dict) -> str:
    h = hashlib.sha256()
    h.update(source)
    h.update(repr(view).encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    h.update(__version__.encode())
    return h.hexdigest()


def render_scene(name: str, scene, *, out="output", formats: Sequence[str] = ("gif", "mp4"),
                 views: Sequence[str] | None = None, size=None, fps=None, quality="medium",
                 jobs: int = 1, data=False, hashes=False, force=False, source: bytes = b"",
                 progress: Callable | None = None) -> list[Written]:
    """Render the chosen views (default all) of ``scene`` into ``out/<name>/``.

    ``progress(view_name, frames)`` may return a callable that is called once per frame
    drawn and a context manager around the view's rendering.
    """
    size = tuple(size or QUALITY[quality])
    fps = float(fps or scene.fps)
    folder = Path(out) / name
    written: list[Written] = []
    chosen = [v for v in scene.views if views is None or v.name in views]
    options = {"size": size, "fps": fps, "quality": quality}
    manifest_path = folder / MANIFEST
    manifest = _read_manifest(manifest_path)

    if data:
        start = time.perf_counter()
        path = folder / scene.data_name
        write_csv(path, scene)
        written.append(Written(path, _size_of(path), time.perf_counter() - start))

    for view in chosen:
        targets = {fmt: output_path(out, name, view.name, fmt) for fmt in formats}
        if hashes:
            targets["hashes"] = output_path(out, name, view.name, "hashes")
        key = _fingerprint(source, view, dict(options, formats=sorted(targets)))
        # Only a scene read from a file can be known unchanged (its bytes are in the key).
        fresh = source and manifest.get(view.name) == key
        if not force and fresh and all(p.exists() for p in targets.values()):
            written += [Written(p, _size_of(p), 0.0, skipped=True) for p in targets.values()]
            continue
        start = time.perf_counter()
        _render_view(scene, view, size, fps, quality, jobs, targets, progress)
        seconds = time.perf_counter() - start
        written += [Written(p, _size_of(p), seconds) for p in targets.values()]
        manifest[view.name] = key
        with atomic_file(manifest_path) as temp:
            temp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return written


def _read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _render_view(scene, view, size, fps, quality, jobs, targets, progress) -> None:
    with FrameStream(scene, view, size, jobs) as stream:
        n = len(stream)
        sinks = []
        try:
            for fmt, path in targets.items():
                if fmt == "hashes":
                    sinks.append(HashSink(path, size, fps, quality))
                elif fmt == "gif":
                    samples = [stream.sample(0), stream.sample(n - 1)]
                    sinks.append(SINKS[fmt](path, size, fps, quality, palette_frames=samples))
                else:
                    sinks.append(SINKS[fmt](path, size, fps, quality))
            frames = stream if any(s.needs_every_frame for s in sinks) else [stream.sample(n - 1)]
            tick, bar = progress(view.name, len(frames)) if progress else (None, nullcontext())
            with bar:
                for frame in frames:
                    for sink in sinks:
                        sink.write(frame)
                    if tick:
                        tick()
            # All frames are in: finish every sink, then move them all into place.
            for sink in sinks:
                sink.finish()
        except BaseException:
            for sink in sinks:
                sink.abort()
            raise
        for sink in sinks:
            sink.commit()
