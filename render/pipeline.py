"""One scene to finished files: simulate once, plan once, then per view stream frames into
every sink.

The command line calls ``render_scene``; so can a script. Outputs are written atomically by
the sinks; a view whose outputs are up to date (same scene file bytes given as ``source``,
same options, same version) is skipped unless ``force``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import multiprocessing
import os
import time
import warnings
from contextlib import closing, nullcontext
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import apart, checks, memory, page, plan as planning, themes
from ._version import __version__
from .files import atomic_file, clear_debris
from .frames import FrameStream, draws_whole_frames
from .sinks import SINKS, output_path
from .tables import write_data, write_searches

__all__ = ["QUALITY", "PAGE", "Written", "render_scene", "write_gallery"]

# Quality presets: frame size; the video encoders' rate factor follows the same names.
QUALITY = {"low": (640, 360), "medium": (960, 540), "high": (1920, 1080)}
MANIFEST = ".render.json"
# A GIF past this many bytes is heavy on a page; the warning names the MP4 of the same frames.
LARGE_GIF = 5 * 2**20
# A GIF over its size budget keeps fewer frames, down to this rate, then fewer pixels, down
# to this width: a slower orbit still reads as one; a smaller frame's text soon does not.
MIN_GIF_FPS = 8.0
MIN_GIF_WIDTH = 320
# The format that is a page, not a sink: it needs each view's video and still.
PAGE = "html"
PAGE_NEEDS = ("mp4", "png")


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


def render_scene(name: str, scene, *, out="output", formats: Sequence[str] = ("gif", "mp4"),
                 views: Sequence[str] | None = None, size=None, fps=None, quality="medium",
                 theme: str | None = None, jobs: int = 1, data=False, hashes=False, force=False,
                 source: bytes = b"", progress: Callable | None = None,
                 file: Path | None = None, gif_budget: int | None = None, cluster=None) -> list[Written]:
    """Render the chosen views (names; default all) of ``scene`` into ``out/<name>/``.

    ``gif_budget`` (bytes): a GIF larger than this is made again with fewer frames, then
    fewer pixels, until it fits (or cannot shrink further); its Written says what was done.

    ``theme`` ("light", "dark") overrides the scene's. ``progress(view_name, frames)`` may
    return a callable that is called once per frame drawn and a context manager around the
    view's rendering. The ``html`` format writes ``out/<name>/index.html`` (every view's
    MP4 and still, which it renders too); ``file``, the scene file, gives it the scene's
    docstring and source.
    """
    unknown = [v for v in views or () if v not in [view.name for view in scene.views]]
    if unknown:
        raise ValueError(f"scene {name!r} has no view {unknown[0]!r}; it has "
                         f"{', '.join(v.name for v in scene.views)}")
    unknown = [f for f in formats if f not in SINKS and f != PAGE]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a format; choose from {', '.join([*SINKS, PAGE])}")
    paged = PAGE in formats
    formats = _sink_formats(formats)
    theme = theme or scene.theme        # the plan draws in it; the spec stays as it was given
    size = tuple(size or QUALITY[quality])
    fps = float(fps or scene.fps)
    folder = Path(out) / name
    if not checks.is_name(name) or folder.resolve().parent != Path(out).resolve():
        raise ValueError(f"scene name {name!r} cannot name a folder in {out} (use letters, digits, "
                         f"'-' and '_')")
    clear_debris(folder)                # what a render killed outright left here
    if hasattr(scene, "surface"):
        scene.surface.minima            # polished here, once, not in each worker (and warned once)
    written: list[Written] = []
    chosen = [v for v in scene.views if views is None or v.name in views]
    options = {"size": size, "fps": fps, "quality": quality, "theme": theme}
    if gif_budget is not None:
        options["gif_budget"] = int(gif_budget)
    manifest_path = folder / MANIFEST
    manifest = _read_manifest(manifest_path)
    plan = None

    done: dict[str, list[Written]] = {}
    todo = []
    for view in chosen:
        targets = {fmt: output_path(out, name, view.name, fmt) for fmt in formats}
        if hashes:
            targets["hashes"] = output_path(out, name, view.name, "hashes")
        key = _fingerprint(source, view, dict(options, formats=sorted(targets)), scene)
        # Only a scene read from a file can be known unchanged (its bytes are in the key).
        fresh = source and manifest.get(view.name) == key
        if not force and fresh and all(p.exists() for p in targets.values()):
            done[view.name] = [Written(p, _size_of(p), 0.0, skipped=True, note=manifest.get(f"{view.name}/{fmt}", ""))
                               for fmt, p in targets.items()]
        else:
            todo.append((view, targets, key))
    # Views that draw over a cached background are drawn side by side, each in a process
    # of its own; an orbit instead spreads its frames over workers.
    # On a cluster (``render.cluster``) every view is a task of its own, all at once.
    apart = (jobs > 1 and len(todo) > 1 and not any(draws_whole_frames(v) for v, _, _ in todo)
             and "fork" in multiprocessing.get_all_start_methods())
    if cluster is None:
        _check_memory(name, todo, size, jobs, apart)
    if data:
        start = time.perf_counter()
        plan = planning.build(scene, theme=theme, fps=fps)
        path = write_data(folder, plan)
        written.append(Written(path, _size_of(path), time.perf_counter() - start))
        searched = write_searches(folder, plan)
        if searched is not None:
            written.append(Written(searched, _size_of(searched), 0.0))
    if todo:
        plan = plan or planning.build(scene, theme=theme, fps=fps)
        fps = plan.fps                  # (more, when heads glide between steps)
    step = len(todo) if cluster is not None else jobs if apart else 1
    for k in range(0, len(todo), max(step, 1)):
        batch = todo[k:k + step]
        start = time.perf_counter()
        if cluster is not None:
            notes = cluster.render_views(plan, [(v, t) for v, t, _ in batch], size, fps, quality, gif_budget,
                                         progress)
        elif apart:
            notes = _render_views_apart(plan, [(v, t) for v, t, _ in batch], size, fps, quality, progress,
                                        gif_budget)
        else:
            view, targets, _ = batch[0]
            notes = {view.name: _render_view(plan, view, size, fps, quality, jobs, targets, progress, gif_budget)}
        seconds = time.perf_counter() - start
        for view, targets, key in batch:
            said = notes.get(view.name, {})
            done[view.name] = [Written(p, _size_of(p), seconds, note=said.get(fmt, "")) for fmt, p in targets.items()]
            manifest[view.name] = key
            for fmt in targets:
                manifest.pop(f"{view.name}/{fmt}", None)
                if said.get(fmt):
                    manifest[f"{view.name}/{fmt}"] = said[fmt]
        with atomic_file(manifest_path) as temp:
            temp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    written += [w for view in chosen for w in done[view.name]]
    if gif_budget is None:
        for view, targets, _ in todo:
            _warn_if_large(targets)
    if paged:
        files = [page.ViewFiles(v.name, {f: output_path(out, name, v.name, f) for f in formats})
                 for v in chosen]
        written.append(_write_page(folder / "index.html",
                                   page.scene_page(name, scene, folder, size, files, file)))
    return written


def _check_memory(name, todo, size, jobs, apart) -> None:
    """Refuse, before any work, views the machine has not the memory to draw: those drawn
    side by side all at once, the others one after another (an orbit with its workers)."""
    if not todo:
        return
    workers = lambda view, targets: jobs if jobs > 1 and draws_whole_frames(view) and set(targets) - {"png"} else 0
    needs = sorted(((memory.view_bytes(size, targets, workers(view, targets)),
                     view.name) for view, targets, _ in todo), key=lambda need: -need[0])
    at_once = needs[:min(jobs, len(needs))] if apart else needs[:1]
    what = (f"drawing views {', '.join(v for _, v in at_once)} of scene {name!r} side by side" if len(at_once) > 1
            else f"drawing view {at_once[0][1]!r} of scene {name!r}")
    memory.check(f"{what} at {size[0]}x{size[1]}", sum(n for n, _ in at_once),
                 "use a smaller --size" + (" or fewer --jobs" if jobs > 1 else ""))


def _sink_formats(formats) -> tuple:
    """The sinks' formats of ``formats``: the page is none, but it needs each view's MP4
    and still."""
    paged = PAGE in formats
    return tuple(dict.fromkeys([f for f in formats if f != PAGE] + (list(PAGE_NEEDS) if paged else [])))


def _frames_drawn(n: int, sinks) -> int:
    """How many of a view's ``n`` frames its sinks (or their classes) have drawn: every one,
    or the final frame alone."""
    return n if any(s.every_frame for s in sinks) else 1


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


def _write_page(path: Path, text: str) -> Written:
    """A page, atomically; one that is already as it would be written is left alone."""
    start = time.perf_counter()
    data = text.encode("utf-8")
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


def _views_bar(plan, todo, progress):
    """One progress bar for the views of ``todo`` drawn at once, named "2d+3d": (the frames
    they draw in all, its tick or None, the bar as a context)."""
    names = "+".join(v.name for v, _ in todo)
    total = sum(_frames_drawn(plan.frames, [SINKS[f] for f in targets]) for _, targets in todo)
    tick, bar = progress(names, total) if progress else (None, nullcontext())
    return total, tick, bar


def _render_views_apart(plan, todo, size, fps, quality, progress=None, gif_budget=None) -> dict:
    """Render each (view, targets) of ``todo`` in a process of its own (``apart``), side by
    side. Each commits its own outputs and reports each frame drawn (one progress bar for
    them all). The first error of one is raised here as it was raised there, once all are
    done; an interrupt here stops them all, and each removes what it had half-written.
    Returns each view's notes (``_render_view``)."""
    _, tick, bar = _views_bar(plan, todo, progress)

    def work(view, targets):
        def render(say):
            frame = (lambda: say("frame"), nullcontext())
            return _render_view(plan, view, size, fps, quality, 1, targets, lambda name, n: frame, gif_budget)
        return f"rendering view {view.name!r}", render

    notes, failure = {}, None
    outcomes = apart.side_by_side([work(v, t) for v, t in todo], len(todo), heard=lambda _: tick and tick())
    try:
        with bar, closing(outcomes):
            for (view, _), (error, said) in zip(todo, outcomes):
                failure = failure or error
                notes[view.name] = said or {}
        if failure is not None:
            raise failure
    except BaseException:
        # What a view's process stopped at any instant left (a temporary file it had just
        # made), now that it is gone.
        for folder in {path.parent for _, targets in todo for path in targets.values()}:
            clear_debris(folder)
        raise
    return notes


def _frame_index(sample, n: int) -> int:
    """A sink's sample as a frame index: an int (negative from the end), or a float between
    0 and 1 for a fraction of the way through."""
    if isinstance(sample, float):
        return int(round(sample * (n - 1)))
    return sample % n


def _render_view(plan, view, size, fps, quality, jobs, targets, progress, gif_budget=None,
                 stride=1, first=None, streams=None) -> dict[str, str]:
    """Stream the view's frames into one sink per target; commit them all or none. A GIF
    over ``gif_budget`` bytes is made again, alone, smaller (``_smaller``: keeping every
    ``stride``-th frame, at a smaller size) until it fits or cannot shrink; the notes say
    how, by format. ``first``: the size and bytes of the first try. ``streams(size)``: where
    the frames come from (default a ``FrameStream`` of ``jobs``; on a cluster, its workers)."""
    stream = streams(size) if streams is not None else FrameStream(plan, view, size, jobs)
    n = len(stream)
    sinks = [SINKS[fmt](path, size, fps, quality) for fmt, path in targets.items()]
    for s in sinks:
        if s.format == "gif":
            s.stride, s.total = stride, n
    try:
        chosen = [sorted({_frame_index(i, n) for i in s.samples} | set(plan.busiest(s.busy_samples)))
                  if s.samples else [] for s in sinks]
        sampled = stream.samples(sorted(set().union(*chosen)))
        theme = plan.theme
        # Each run's colour first (a swarm's one colour once), then the text's and the
        # background's, then the runs' names' (a colour darkened to be read as text); runs
        # are drawn over the background, black edges and the surface.
        inks = [themes.readable(c, theme.background) for c in dict.fromkeys(plan.colors) if c]
        exact = list(dict.fromkeys([*plan.colors, theme.text, theme.background, *inks]))
        backdrops = [theme.background, "black", theme.high]
        for s, frames in zip(sinks, chosen):
            if frames:
                s.take_samples([sampled[i] for i in frames], exact, backdrops)
        # Frames as the canvas holds them (RGBA, each valid until the next is drawn) when
        # every sink takes them so; otherwise RGB copies.
        drawn = _frames_drawn(n, sinks)
        if drawn < n:
            frames = [stream.sample(n - 1)]
        else:
            frames = stream.pixels() if all(s.rgba for s in sinks) else iter(stream)
        tick, bar = progress(view.name, drawn) if progress else (None, nullcontext())
        # (Closed here if a sink fails: a stream's frames may hold work elsewhere, a cluster's.)
        opening = plan.scene.hold_start
        with bar, closing(frames) if hasattr(frames, "close") else nullcontext():
            for frame in frames:
                for s in sinks:
                    s.write(frame)
                if opening:
                    # The first frame is held a moment: the start is seen before it moves.
                    for s in sinks:
                        if s.holds:
                            s.hold_start(frame, opening)
                    opening = 0
                if tick:
                    tick()
            # Animations hold the result a moment before they loop or end.
            for s in sinks:
                if s.holds and plan.scene.hold:
                    s.hold(frame, plan.scene.hold)
        # All frames are in: finish every sink, then move them all into place.
        for s in sinks:
            s.finish()
    except BaseException:
        for s in sinks:
            s.abort()
        raise
    # A GIF over its budget is made again, smaller, once the rest are in place.
    notes, again = {}, None
    gif = next((s for s in sinks if s.format == "gif"), None)
    if gif is not None and gif_budget is not None:
        made = gif.temp.stat().st_size
        first = first or (size, made)
        smaller = _smaller(size, fps, stride, made, gif_budget)
        if smaller is not None:             # (None when it fits)
            again = smaller
            sinks.remove(gif)
            gif.abort()
        elif made > gif_budget or stride > 1 or size != first[0]:
            notes["gif"] = _fitted(first, gif_budget, fps, stride, size, made)
    # Into place, one by one; if one cannot go (a folder in its way), none of the rest's
    # temporary files stay behind.
    for k, s in enumerate(sinks):
        try:
            s.commit()
        except BaseException:
            for rest in sinks[k:]:
                rest.abort()
            raise
    if again is not None:
        size, stride = again
        notes.update(_render_view(plan, view, size, fps, quality, jobs, {"gif": targets["gif"]}, progress,
                                  gif_budget, stride, first, streams))
    return notes


def _smaller(size, fps, stride, made: int, budget: int):
    """The (size, stride) to try next for a GIF of ``made`` bytes at ``size`` keeping every
    ``stride``-th frame, to fit ``budget`` bytes: fewer frames first (bytes go about as the
    frames kept), down to MIN_GIF_FPS, then fewer pixels (as their number), down to
    MIN_GIF_WIDTH. None if it fits, or nothing is left to take."""
    if made <= budget:
        return None
    need = 0.9 * budget / made               # a margin: bytes do not shrink quite in proportion
    most = max(1, int(fps // MIN_GIF_FPS))
    wider = min(most, max(stride + 1, math.ceil(stride / need))) if stride < most else stride
    need *= wider / stride
    w, h = size
    scale = max(MIN_GIF_WIDTH / w, math.sqrt(need)) if need < 1 else 1.0
    smaller = (max(2, int(round(w * scale / 2)) * 2), max(2, int(round(h * scale / 2)) * 2)) if scale < 1 else size
    return None if (smaller, wider) == (tuple(size), stride) else (smaller, wider)


def _fitted(first, budget, fps, stride, size, made) -> str:
    """What a GIF's budget made of it, in a few words."""
    (w0, h0), before = first
    how = []
    if stride > 1:
        how.append(f"every {_ordinal(stride)} frame, {fps / stride:g} fps")
    if tuple(size) != (w0, h0):
        how.append(f"{size[0]}x{size[1]}")
    limit = page.human_size(budget)
    asked = f"as asked, {page.human_size(before)} at {w0}x{h0}, {fps:g} fps"
    if not how:
        return (f"over the {limit} budget, with no frames or pixels left to take: at least "
                f"{MIN_GIF_FPS:g} fps and {MIN_GIF_WIDTH} pixels wide")
    if made <= budget:
        return f"{limit} budget: {', '.join(how)}; {asked}"
    return f"over the {limit} budget even at {', '.join(how)}; {asked}"


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"
