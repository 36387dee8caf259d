"""One scene to finished files: simulate once, plan once, then per view stream frames into
every sink.

``render_scene`` is the one way through, for the command line, a script, a notebook's
display, ``--watch`` and a cluster alike; ``render_view`` is its step for one view of a
planned scene. What is asked for travels as one ``Options`` value; where the work runs is an
``Executor`` (``render.executors``). Outputs are written atomically by the sinks; a view whose
outputs are up to date (same scene file bytes given as ``source``, same options, same
version) is skipped unless ``force``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
import warnings
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import checks, memory, page, plan as planning, slides
from ._version import __version__
from .encoding import render_view
from .executors import Executor, executor as as_executor
from .files import atomic_file, clear_debris
from .options import QUALITY, Options
from .sinks import SINKS, output_path
from .tables import write_data, write_events, write_searches

__all__ = ["QUALITY", "PAGE", "PAGES", "Options", "Written", "render_scene", "render_view", "write_gallery"]
MANIFEST = ".render.json"
# A GIF past this many bytes is heavy on a page; the warning names the MP4 of the same frames.
LARGE_GIF = 5 * 2**20
# The formats that are a scene's, not a view's (no sink makes them): each is made from its
# views' outputs, which it renders too. The page: each view's video, its poster, its
# captions, its alt text, its player's record.
PAGE = "html"
PAGES = {PAGE: ("mp4", "png", "vtt", "txt", "player"),
         "slides": ("mp4", "player"),              # a deck in one file
         "pptx": ("mp4", "png", "txt")}             # a slide a view, its movie, its poster, its notes
PAGE_FILES = {PAGE: "index.html", "slides": "slides.html", "pptx": "slides.pptx"}


@dataclasses.dataclass
class Written:
    path: Path
    bytes: int
    seconds: float
    skipped: bool = False
    note: str = ""              # how it was made to fit (a GIF's size budget)


def _size_of(path: Path) -> int:
    """Bytes of a file, or of the files in a folder. Another render of the same frames
    folder may swap it for its own while it is counted: what vanishes counts for nothing."""
    try:
        if not path.is_dir():
            return path.stat().st_size
        total = 0
        with os.scandir(path) as entries:
            for entry in entries:
                try:
                    total += entry.stat().st_size
                except FileNotFoundError:
                    pass
        return total
    except FileNotFoundError:
        return 0


def _fingerprint(source: bytes, view, options: dict, scene=None) -> str:
    h = hashlib.sha256()
    h.update(source)
    # A scene's data may come from a file the source only names (datasets.csv): the
    # numbers its surface or model holds count too.
    surface = getattr(scene, "surface", None)
    for value in (vars(surface).values() if surface is not None else ()):
        if isinstance(value, np.ndarray):
            h.update(np.ascontiguousarray(value).tobytes())
    h.update(repr(view).encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    h.update(__version__.encode())
    return h.hexdigest()


def render_scene(scene, *, out="output", name: str | None = None, formats: Sequence[str] = ("gif", "mp4"),
                 views: Sequence[str] | None = None, size=None, fps=None, quality="medium",
                 theme: str | None = None, gif_budget: int | None = None, executor=None, data=False,
                 hashes=False, force=False, source: bytes = b"", file: Path | None = None,
                 progress: Callable | None = None) -> list[Written]:
    """Render the chosen views (names; default all) of ``scene`` into ``out/<name>/``
    (``name``: the scene's own name, else "scene"); the files written, as ``Written``.

    ``size`` (default ``quality``'s), ``fps`` (default the scene's), ``quality``, ``theme``
    (default the scene's) and ``gif_budget`` (bytes a GIF must fit in: it is made with fewer
    frames, then fewer pixels, until it fits, and its Written says what was done; 0 for none;
    by default 5 MiB for a view whose frames change whole, an orbit, and none for others) become
    one ``Options``. ``executor``: where the work runs, an ``Executor`` (``render.executors``,
    a ``render.cluster`` Cluster) or a number of local jobs; default this process.

    The ``html`` format writes ``out/<name>/index.html`` (a player for every view, from its
    MP4, still and player record, which it renders too); ``slides`` writes ``slides.html``
    (a deck in one file) and ``pptx`` ``slides.pptx`` (``render.slides``); ``file``, the
    scene file, gives them the scene's docstring and source.
    ``data`` writes the numbers as CSV, ``hashes`` each view's frame hashes.
    ``progress(view_name, frames)`` may return a callable that is called once per frame drawn
    and a context manager around the view's rendering.
    """
    if name is None:
        name = getattr(scene, "name", None) or "scene"
    runner = as_executor(executor)
    options = _options(name, scene, out, views, formats, size, fps, quality, theme, gif_budget)
    folder = Path(out) / name
    clear_debris(folder)                # what a render killed outright left here
    if hasattr(scene, "surface"):
        scene.surface.minima            # polished here, once, not in each worker (and warned once)
    written: list[Written] = []
    chosen = [v for v in scene.views if views is None or v.name in views]
    manifest_path = folder / MANIFEST
    manifest = _read_manifest(manifest_path)
    plan = None
    done, todo = _up_to_date(scene, name, chosen, out, options, hashes, source, manifest, force)
    batches = runner.batches([(v, t) for v, t, _ in todo], scene)
    if not runner.remote:
        _check_memory(name, todo, options.size, runner, max(map(len, batches), default=1), scene)
    if data:
        start = time.perf_counter()
        plan = planning.build(scene, theme=options.theme, fps=options.fps)
        path = write_data(folder, plan)
        written.append(Written(path, _size_of(path), time.perf_counter() - start))
        for extra in (write_events(folder, plan), write_searches(folder, plan)):
            if extra is not None:
                written.append(Written(extra, _size_of(extra), 0.0))
    if todo:
        plan = plan or planning.build(scene, theme=options.theme, fps=options.fps)
        # (more frames a second, when heads glide between steps)
        options = dataclasses.replace(options, fps=plan.fps)
    keys = {view.name: key for view, _, key in todo}
    for batch in batches:
        start = time.perf_counter()
        notes = runner.views(plan, batch, options, progress)
        seconds = time.perf_counter() - start
        for view, targets in batch:
            said = notes.get(view.name, {})
            done[view.name] = [Written(p, _size_of(p), seconds, note=said.get(fmt, "")) for fmt, p in targets.items()]
            manifest[view.name] = keys[view.name]
            for fmt in targets:
                manifest.pop(f"{view.name}/{fmt}", None)
                if said.get(fmt):
                    manifest[f"{view.name}/{fmt}"] = said[fmt]
        with atomic_file(manifest_path) as temp:
            temp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    written += [w for view in chosen for w in done[view.name]]
    if gif_budget is None:                  # (a GIF that moves has a budget of its own)
        for view, targets, _ in todo:
            _warn_if_large(targets)
    files = [page.ViewFiles(v.name, {f: output_path(out, name, v.name, f) for f in options.formats})
             for v in chosen]
    for kind in PAGES:
        if kind not in formats:
            continue
        if kind == PAGE:
            made = page.scene_page(name, scene, folder, options.size, files, file).encode("utf-8")
        elif kind == "slides":
            made = slides.deck_page(name, scene, options.size, files, file).encode("utf-8")
        else:
            made = slides.pptx_bytes(name, scene, options.size, files)
        written.append(_write_page(folder / PAGE_FILES[kind], made))
    return written


def _options(name, scene, out, views, formats, size, fps, quality, theme, gif_budget) -> Options:
    """The options of a render, checked with the names it is asked for, before any work."""
    unknown = [v for v in views or () if v not in [view.name for view in scene.views]]
    if unknown:
        raise ValueError(f"scene {name!r} has no view {unknown[0]!r}; it has "
                         f"{', '.join(v.name for v in scene.views)}")
    unknown = [f for f in formats if f not in SINKS and f not in PAGES]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a format; choose from {', '.join([*SINKS, *PAGES])}")
    if "pptx" in formats and not slides.has_pptx():
        raise ValueError(slides.PPTX_NEEDS)
    if not checks.is_name(name) or (Path(out) / name).resolve().parent != Path(out).resolve():
        raise ValueError(f"scene name {name!r} cannot name a folder in {out} (use letters, digits, "
                         f"'-' and '_')")
    return Options(size=tuple(size or QUALITY[quality]), fps=float(fps or scene.fps), quality=quality,
                   theme=theme or scene.theme,      # the plan draws in it; the spec stays as it was given
                   formats=_sink_formats(formats), gif_budget=gif_budget)


def _up_to_date(scene, name, chosen, out, options, hashes, source, manifest, force):
    """``(done, todo)``: the Written of each chosen view whose outputs are up to date (by
    view name), and (view, targets, key) for each of the others."""
    done: dict[str, list[Written]] = {}
    todo = []
    for view in chosen:
        targets = {fmt: output_path(out, name, view.name, fmt) for fmt in options.formats}
        if hashes:
            targets["hashes"] = output_path(out, name, view.name, "hashes")
        key = _fingerprint(source, view, dict(options.key(view), formats=sorted(targets)), scene)
        # Only a scene read from a file can be known unchanged (its bytes are in the key).
        fresh = source and manifest.get(view.name) == key
        if not force and fresh and all(p.exists() for p in targets.values()):
            done[view.name] = [Written(p, _size_of(p), 0.0, skipped=True, note=manifest.get(f"{view.name}/{fmt}", ""))
                               for fmt, p in targets.items()]
        else:
            todo.append((view, targets, key))
    return done, todo


def _check_memory(name, todo, size, runner: Executor, at_once: int, scene=None) -> None:
    """Refuse, before any work, views the machine has not the memory to draw: ``at_once`` of
    them side by side, the others one after another (an orbit with its workers)."""
    if not todo:
        return
    needs = sorted(((memory.view_bytes(size, targets, runner.drawing_workers(view, targets, scene)), view.name)
                    for view, targets, _ in todo), key=lambda need: -need[0])
    at_once = needs[:at_once]
    what = (f"drawing views {', '.join(v for _, v in at_once)} of scene {name!r} side by side" if len(at_once) > 1
            else f"drawing view {at_once[0][1]!r} of scene {name!r}")
    memory.check(f"{what} at {size[0]}x{size[1]}", sum(n for n, _ in at_once),
                 "use a smaller --size" + (" or fewer --jobs" if runner.jobs > 1 else ""))


def _sink_formats(formats) -> tuple:
    """The sinks' formats of ``formats``: a page is none, but it needs some of each view's
    outputs (``PAGES``)."""
    needs = [f for kind in PAGES if kind in formats for f in PAGES[kind]]
    return tuple(dict.fromkeys([f for f in formats if f not in PAGES] + needs))


def _warn_if_large(targets: dict) -> None:
    """A warning for a GIF heavier than ``LARGE_GIF``, naming its MP4 (or how to get one)."""
    gif = targets.get("gif")
    if gif is None or not gif.exists() or (size := gif.stat().st_size) <= LARGE_GIF:
        return
    mp4 = targets.get("mp4")
    if mp4 is not None and mp4.exists():
        other = mp4.stat().st_size
        advice = (f"{size / max(other, 1):.0f}x its MP4 ({page.human_size(other)}); on a page prefer {mp4} "
                  f"in a <video autoplay loop muted playsinline>")
    else:
        advice = "an MP4 of the same frames is usually a tenth of that or less (--format mp4)"
    warnings.warn(f"{gif} is {page.human_size(size)}, {advice}; or fit it with --gif-budget 5MiB",
                  stacklevel=2)


def _write_page(path: Path, data: bytes | str) -> Written:
    """A page, atomically; one that is already as it would be written is left alone."""
    start = time.perf_counter()
    data = data.encode("utf-8") if isinstance(data, str) else data
    try:
        same = path.read_bytes() == data
    except OSError:
        same = False
    if not same:
        with atomic_file(path) as temp:
            temp.write_bytes(data)
    return Written(path, len(data), time.perf_counter() - start, skipped=same)


def write_gallery(out, scenes, size=None, quality="medium", formats: Sequence[str] = (PAGE,),
                  views: Sequence[str] | None = None) -> Written:
    """``out/index.html``: a page linking the pages of ``scenes`` (``[(name, scene, file)]``,
    rendered with the html format), each with its first view (of ``views``) playing."""
    size = tuple(size or QUALITY[quality])
    formats = _sink_formats((*formats, PAGE))
    entries = []
    for name, scene, file in scenes:
        text = page.source_text(file)
        first = next(v.name for v in scene.views if not views or v.name in views)
        files = {f: output_path(out, name, first, f) for f in formats if f in ("mp4", "webm", "png")}
        entries.append(page.Entry(name, page.plain_title(scene), page.summary(text),
                                  page.ViewFiles(first, files), size))
    return _write_page(Path(out) / "index.html", page.gallery_page(Path(out), entries))


def _read_manifest(path: Path) -> dict:
    """What was rendered here, by view; anything unreadable or not a JSON object is nothing."""
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


