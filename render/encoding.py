"""One view of a planned scene into its files: the view's frames, from an executor (this
process by default), streamed into one sink per format and committed all or none.

``render_view`` is the per-view step of ``render.pipeline.render_scene``; an executor
(``render.executors``, a ``render.cluster`` Cluster) calls it wherever it draws a view. A
GIF over its budget is made again, smaller, as its sink's policy says (``sinks.gif``).
"""
from __future__ import annotations

import dataclasses
from contextlib import closing, nullcontext
from typing import Callable

from . import story, themes
from .frames import FrameStream
from .options import Options
from .sinks import SINKS
from .sinks.gif import PalettedSink, first_fit, fitted, pair_frames, smaller

__all__ = ["render_view", "views_bar"]


def views_bar(plan, todo, progress):
    """One progress bar for the views of ``todo`` drawn at once, named "2d+3d": (the frames
    they draw in all, its tick or None, the bar as a context)."""
    names = "+".join(v.name for v, _ in todo)
    total = sum(_frames_drawn(plan.frames, [SINKS[f] for f in targets]) for _, targets in todo)
    tick, bar = progress(names, total) if progress else (None, nullcontext())
    return total, tick, bar


def _frame_index(sample, n: int) -> int:
    """A sink's sample as a frame index: an int (negative from the end), or a float between
    0 and 1 for a fraction of the way through."""
    if isinstance(sample, float):
        return int(round(sample * (n - 1)))
    return sample % n


def render_view(plan, view, targets: dict, options: Options, executor=None,
                progress: Callable | None = None) -> dict[str, str]:
    """Render ``view`` of a planned scene: its frames (from ``executor``, default this
    process) streamed into one sink per target (format -> path), committed all or none. A
    GIF with a budget (``options.budget``) is first made as small as it seems to need to be,
    measured on a few frames (``sinks.gif.first_fit``), and one still over it is made again,
    alone, smaller (fewer frames, then fewer pixels) until it fits or cannot shrink. The
    notes say what was done, by format."""
    return _render_view(plan, view, targets, options, executor, progress)


def _render_view(plan, view, targets, options, executor, progress, stride=1, first=None) -> dict[str, str]:
    """``render_view``, keeping every ``stride``-th frame of a GIF (its budget's second try,
    ``sinks.gif.smaller``); ``first``: the size and bytes of the first try."""
    size, fps = options.size, options.fps
    stream = executor.frames(plan, view, size) if executor is not None else FrameStream(plan, view, size)
    n = len(stream)
    sinks = [SINKS[fmt](path, size, fps, options.quality) for fmt, path in targets.items()]
    gif = next((s for s in sinks if s.format == "gif"), None)
    budget = options.budget(view)
    if gif is not None:
        gif.stride, gif.total = stride, n
    for s in sinks:
        if hasattr(s, "take_plan"):
            s.take_plan(plan, n)
    # A first try under a budget is measured on pairs of frames before it is made.
    pairs = pair_frames(n, fps) if gif is not None and budget and first is None else []
    try:
        chosen = [sorted({_frame_index(i, n) for i in s.samples} | set(plan.busiest(s.busy_samples)))
                  if s.samples else [] for s in sinks]
        sampled = stream.samples(sorted(set().union(*chosen, pairs, [0] if pairs else [])))
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
        # The GIF, the WebP and the APNG take the same samples: one palette, made once.
        paletted = [s for s in sinks if isinstance(s, PalettedSink)]
        for s in paletted[1:]:
            s.table = paletted[0].palette()
        if pairs:
            gif.scaled, gif.stride, asked = first_fit(gif.palette(), sampled, n, fps, size, budget)
            first = (size, asked, True)
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
        # Notes that hold stop the animation after their frame (none when only the final
        # frame is drawn).
        paused = story.pauses(plan.captions) if drawn == n else {}
        with bar, closing(frames) if hasattr(frames, "close") else nullcontext():
            for index, frame in enumerate(frames):
                for s in sinks:
                    s.write(frame)
                if index in paused:
                    for s in sinks:
                        if s.holds:
                            s.pause(frame, paused[index])
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
    if gif is not None and budget:
        made = gif.temp.stat().st_size
        made_at = tuple(gif.scaled or size)
        asked_at = tuple(first[0]) if first else tuple(size)
        if gif.stride == 1 and made_at == asked_at:
            first = (asked_at, made)        # made as asked: its bytes are known, not guessed
        again = smaller(made_at, fps, gif.stride, made, budget)
        if again is not None:               # (None when it fits)
            sinks.remove(gif)
            gif.abort()
        elif made > budget or gif.stride > 1 or made_at != tuple(first[0]):
            notes["gif"] = fitted(first, budget, fps, gif.stride, made_at, made)
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
        notes.update(_render_view(plan, view, {"gif": targets["gif"]}, dataclasses.replace(options, size=size),
                                  executor, progress, stride, first))
    return notes


def _frames_drawn(n: int, sinks) -> int:
    """How many of a view's ``n`` frames its sinks (or their classes) have drawn: every one,
    or the final frame alone."""
    return n if any(s.every_frame for s in sinks) else 1
