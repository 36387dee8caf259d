"""The story told in the frame: notes an author places at steps, and events found in the
simulation, each a short caption shown at its step.

- ``Note(step, text, run=None, hold=0)``: a caption from ``step`` on, pointing at the run's
  head when ``run`` names one (its label, its optimizer's name, or its index); ``hold``
  stops the animation there that many seconds (GIF, MP4, WebM).
- Events (``Scene(show_events=True)``, the default; ``scene.events()`` gives them as data):
  a run *diverges* (its loss or position stops being finite, or its position passes 10^12:
  ``diverged_at``); it *reaches* a minimum of the surface (first comes within ``REACH`` of
  the window's diagonal of one of ``surface.minima``); it *overtakes* the run that had the lowest loss (the lead changes
  and the new leader keeps it ``LEAD`` of the steps, at least 3); it *leaves* the window
  the views frame (first finite position outside it). Swarms and sweeps are left out: a
  crowd's events are the swarm's picture itself. At most ``MOST_EVENTS`` are drawn, the
  earliest of the most telling kinds first (diverges, reaches, overtakes, leaves).

A caption stays ``SHOW`` seconds of playback (longer if a note holds there; never into the
final frame, unless it is that frame's own), in a corner of
the plot that the runs, their heads and the legend take least, stacked when several are up
at once (events only up to ``MOST_AT_ONCE``; notes always). ``vtt`` and
``txt`` outputs say the same without pixels (``captions_vtt``, ``alt_text``).
"""
from __future__ import annotations

import dataclasses
import html
import math
from typing import Any

import numpy as np

from . import checks

__all__ = ["Note", "Event", "Caption", "KINDS", "find_events", "scene_events", "captions", "pauses", "captions_vtt",
           "alt_text", "REACH", "LEAD", "SHOW", "MOST_EVENTS"]

KINDS = ("diverges", "reaches", "overtakes", "leaves")
RANK = {kind: k for k, kind in enumerate(KINDS)}        # the most telling first
REACH = 0.005           # of the window's diagonal: this close to a minimum has reached it
LEAD = 0.05             # of the steps (at least 3): how long a new leader must keep the lead
SHOW = 2.0              # seconds a caption stays up
MOST_EVENTS = 6         # events drawn at most (all are in scene.events() and events.csv)
MOST_AT_ONCE = 3        # event captions up at once at most (more wait for no one: not drawn)
MOST_NOTES = 50
RUNS_FOR_EVENTS = 8     # a race of more single runs than this gets no event captions


@dataclasses.dataclass(frozen=True)
class Note:
    """A caption at ``step``: ``text`` (one short line), pointing at ``run``'s head when
    given (its label, its optimizer's name, or its index); ``hold``: seconds the animation
    stops at that step (0 to 10)."""

    step: int
    text: str
    run: Any = None
    hold: float = 0.0

    def __post_init__(self):
        owner = "Note"
        object.__setattr__(self, "step", checks.integer(owner, "step", self.step, 0, 10_000_000))
        text = checks.text(owner, "text", self.text)
        if not text or not text.strip():
            raise ValueError(f"{owner}: text must be a short line of text, got {checks._short(self.text)}")
        if len(text) > 120:
            raise ValueError(f"{owner}: text must be at most 120 characters (a caption, read in passing), "
                             f"got {len(text)}")
        object.__setattr__(self, "text", " ".join(text.split()))
        if self.run is not None and not isinstance(self.run, (str, int)) or isinstance(self.run, bool):
            raise ValueError(f"{owner}: run must be a run's label, its optimizer's name or its index, "
                             f"got {checks._short(self.run)}")
        object.__setattr__(self, "hold", checks.number(owner, "hold", self.hold, 0, 10))


@dataclasses.dataclass(frozen=True)
class Event:
    """Something that happened in the simulation: at ``step``, run ``run`` (its index)
    ``kind`` (one of KINDS); ``text`` says it in words."""

    step: int
    run: int
    kind: str
    text: str


@dataclasses.dataclass(frozen=True)
class Caption:
    """A note or an event as drawn: shown from frame ``first`` to frame ``last``, pointing
    at run ``run``'s head (None: at nothing), in ``color``, in row ``slot`` of its corner."""

    step: int
    text: str
    run: int | None
    color: str | None
    first: int
    last: int
    slot: int
    kind: str             # "note" or an event's kind
    hold: float = 0.0


def note_run(note: Note, runs, owner: str = "Scene") -> int | None:
    """The index of the run a note names, or a one-line error."""
    return find_run(runs, note.run, f"{owner}: a Note's run", f"{owner}: a Note names no run")


def short_names(runs) -> list[str]:
    """Each run's short name: its label, else its optimizer's name (status lines, names
    beside heads, captions)."""
    return [run.label if run.label is not None else run.optimizer.name for run in runs]


def find_run(runs, which, index_said: str, name_said: str) -> int | None:
    """The index of the run ``which`` names (its label, its optimizer's name if that is
    unique, or its index), or a one-line error starting ``index_said`` (a bad index) or
    ``name_said`` (an unknown name)."""
    if which is None:
        return None
    if isinstance(which, int):
        if not 0 <= which < len(runs):
            raise ValueError(f"{index_said} must be a run's index below {len(runs)}, got {which}")
        return which
    labels = [r.label for r in runs]
    if which in labels:
        return labels.index(which)
    names = [r.optimizer.name for r in runs]
    if names.count(which) == 1:
        return names.index(which)
    known = ", ".join(dict.fromkeys(map(str, short_names(runs))))
    raise ValueError(f"{name_said} {which!r}; name one of {known}, or give its index")


def _singles(scene) -> list[int]:
    """The runs events speak of: those in no swarm and no sweep."""
    return [i for i, r in enumerate(scene.runs)
            if getattr(r, "swarm", None) is None and getattr(r, "sweep", None) is None]


def find_events(scene, trajectories, window, names) -> tuple[Event, ...]:
    """Every event of the simulation (see the module's docstring), by step, then run."""
    runs = _singles(scene)
    if not runs:
        return ()
    P, L = trajectories.positions, trajectories.losses
    steps = L.shape[1] - 1
    found: list[Event] = []
    # Minima and the window are a surface's: over a model's plane, only divergence and the lead.
    on_surface = window is not None and getattr(scene, "plane", None) is None
    minima = [np.asarray(m, dtype=float) for m in getattr(scene.surface, "minima", ())] if on_surface else []
    diagonal = math.hypot(window[1] - window[0], window[3] - window[2]) if on_surface else 0.0
    best = _global(scene.surface, minima, window) if minima else []
    for r in runs:
        k = int(trajectories.diverged_at[r])
        if k >= 0:
            found.append(Event(k, r, "diverges", f"{names[r]} diverges"))
        if minima and diagonal > 0:
            with np.errstate(invalid="ignore"):
                near = [np.hypot(*(P[r] - m).T) <= REACH * diagonal for m in minima]
            first = [int(np.argmax(n)) if n.any() else -1 for n in near]
            hits = [(s, j) for j, s in enumerate(first) if s >= 0]
            if hits:
                s, j = min(hits)
                kind = "the minimum" if best[j] else "a local minimum"
                where = kind if len(minima) == 1 else f"{kind} at ({minima[j][0]:.3g}, {minima[j][1]:.3g})"
                if s > 0:
                    found.append(Event(s, r, "reaches", f"{names[r]} reaches {where}"))
        if on_surface:
            xmin, xmax, ymin, ymax = window
            with np.errstate(invalid="ignore"):
                out = np.isfinite(P[r]).all(axis=1) & ((P[r, :, 0] < xmin) | (P[r, :, 0] > xmax)
                                                       | (P[r, :, 1] < ymin) | (P[r, :, 1] > ymax))
            inside = ~out[0]
            if inside and out.any():
                s = int(np.argmax(out))
                found.append(Event(s, r, "leaves", f"{names[r]} leaves the frame"))
    if len(runs) > 1:
        found += _overtakes(L[runs], runs, names, steps)
    return tuple(sorted(found, key=lambda e: (e.step, RANK[e.kind], e.run)))


def _global(surface, minima, window) -> list[bool]:
    """Whether each minimum is a global one in ``window``: no higher than the lowest of the
    surface there by more than a thousandth of its span (as the views draw it, solid)."""
    from .surfaces import global_level
    level = global_level(surface.grid(100, window)[2])
    return [float(surface(m[0], m[1])) <= level for m in minima]


def scene_events(scene) -> list[Event]:
    """``scene.events()``: its tuned values searched, simulated, and its events found over
    the window the views frame (as the plan finds them, without planning a drawing)."""
    from .framing import fit_race
    if hasattr(scene, "search"):
        scene = scene.search()[0]
    t = scene.simulate()
    window = fit_race(scene.surface, t.positions, scene.steps) if getattr(scene, "plane", None) is None else None
    return list(find_events(scene, t, window, short_names(scene.runs)))


def _overtakes(L, runs, names, steps) -> list[Event]:
    """Each change of the run with the lowest loss that lasts LEAD of the steps."""
    with np.errstate(invalid="ignore"):
        finite = np.where(np.isfinite(L), L, np.inf)
    leader = np.argmin(finite, axis=0)
    tied = np.sum(finite == finite[leader, np.arange(finite.shape[1])], axis=0) > 1
    keep = max(3, int(math.ceil(LEAD * steps)))
    found, current = [], None
    s = 1
    while s <= steps:
        if tied[s] or not np.isfinite(finite[leader[s], s]):
            s += 1
            continue
        who = int(leader[s])
        end = min(steps + 1, s + keep)
        lasting = np.all((leader[s:end] == who) & ~tied[s:end]) and end - s == keep
        if who != current and lasting:
            if current is not None:
                found.append(Event(s, runs[who], "overtakes", f"{names[runs[who]]} overtakes {names[runs[current]]}"))
            current = who
        s += 1
    return found


def captions(scene, events, frame_times, fps: float, colors, text_color: str) -> tuple[Caption, ...]:
    """The notes and events as drawn: each from the first frame at or after its step for
    SHOW seconds, in slots so that captions up at once do not overlap."""
    times = np.asarray(frame_times, dtype=float)
    n = len(times)
    show = max(1, int(round(SHOW * fps)))
    wanted = []
    for note in getattr(scene, "notes", ()):
        run = note_run(note, scene.runs)
        wanted.append((note.step, note.text, run, text_color if run is None else colors[run], "note", note.hold))
    if getattr(scene, "show_events", False) and len(_singles(scene)) <= RUNS_FOR_EVENTS:
        chosen = sorted(events, key=lambda e: (RANK[e.kind], e.step))[:MOST_EVENTS]
        wanted += [(e.step, e.text, e.run, colors[e.run], e.kind, 0.0)
                   for e in sorted(chosen, key=lambda e: (e.step, RANK[e.kind], e.run))]
    out: list[Caption] = []
    taken: list[list[tuple[int, int]]] = []     # each slot's (first, last) frames
    # Notes first: an author's caption always has a place; an event only where one is free.
    for step, text, run, color, kind, hold in sorted(wanted, key=lambda w: (w[4] != "note", w[0])):
        if step > times[-1]:
            continue
        first = int(np.searchsorted(times, step - 1e-9))
        # Up SHOW seconds, but off before the final frame (the still a PNG keeps, held at
        # the end) unless it is the final frame's own.
        last = n - 1 if first >= n - 1 else min(n - 2, first + show)
        slot = next((k for k, spans in enumerate(taken) if all(b < first or a > last for a, b in spans)),
                    len(taken))
        if kind != "note" and slot >= MOST_AT_ONCE:
            continue
        if slot == len(taken):
            taken.append([])
        taken[slot].append((first, last))
        out.append(Caption(step, text, run, color, first, last, slot, kind, hold))
    return tuple(sorted(out, key=lambda c: (c.first, c.slot)))


def pauses(caps) -> dict[int, float]:
    """Seconds the animation stops after each frame, by frame: the notes that hold."""
    out: dict[int, float] = {}
    for c in caps:
        if c.hold:
            out[c.first] = out.get(c.first, 0.0) + c.hold
    return out


def frame_clock(n: int, fps: float, hold_start: float, held: dict[int, float]) -> np.ndarray:
    """The moment (seconds) each of ``n`` frames comes up, with the first frame held
    ``hold_start`` and the pauses after frames: what a player shows at that time."""
    at = np.arange(n, dtype=float) / fps
    extra = np.zeros(n)
    if n > 1:
        extra[1:] += hold_start
    for frame, seconds in held.items():
        extra[frame + 1:] += seconds
    return at + extra


def video_frames(n: int, fps: float, hold_start: float, paused: dict[int, float]) -> list[int]:
    """Where each of a view's ``n`` frames comes up in its video, in frame times: a hold or
    a pause lasts round(seconds x fps) frame times (as ``Sink.hold`` writes copies)."""
    out, at = [], 0
    for k in range(n):
        out.append(at)
        at += 1 + int(round(paused.get(k, 0.0) * fps)) + (int(round(hold_start * fps)) if k == 0 else 0)
    return out


def _stamp(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def captions_vtt(caps, n: int, fps: float, hold_start: float, hold_end: float) -> str:
    """The captions as WebVTT: a cue each, from when its first frame comes up to when the
    frame after its last does (the end of the animation for the last frame)."""
    clock = frame_clock(n, fps, hold_start, pauses(caps))
    end_of_all = clock[-1] + 1 / fps + hold_end
    lines = ["WEBVTT", ""]
    for k, c in enumerate(sorted(caps, key=lambda c: (c.first, c.slot)), 1):
        start = clock[c.first]
        stop = clock[c.last + 1] if c.last + 1 < n else end_of_all
        lines += [str(k), f"{_stamp(start)} --> {_stamp(stop)}", html.escape(c.text, quote=False), ""]
    return "\n".join(lines)


def alt_text(plan) -> str:
    """One paragraph saying what the animation shows, from the simulation: the surface, the
    runs, who reaches a minimum first, who diverges, and the final losses."""
    scene, t = plan.scene, plan.trajectories
    if not hasattr(scene, "surface"):
        return _responses_alt_text(plan)
    names = plan.short_names
    surface = scene.surface
    what = getattr(surface, "name", None) or type(surface).__name__
    count = len(scene.runs)
    singles = _singles(scene)
    parts = [f"An animation of {count} gradient-descent run{'s' if count != 1 else ''} over "
             f"{what}, {scene.steps} steps."]
    if len(singles) <= RUNS_FOR_EVENTS and singles:
        parts.append("The runs: " + ", ".join(plan.legend_labels[i] for i in singles) + ".")
    events = plan.events
    reached = [e for e in events if e.kind == "reaches"]
    if reached:
        first = min(reached, key=lambda e: e.step)
        parts.append(f"{names[first.run]} reaches a minimum first, at step {first.step}"
                     + (f"; then {', '.join(f'{names[e.run]} (step {e.step})' for e in sorted(reached, key=lambda e: e.step)[1:])}"
                        if len(reached) > 1 else "") + ".")
    diverged = [e for e in events if e.kind == "diverges"]
    if diverged:
        parts.append("Diverging: " + ", ".join(f"{names[e.run]} at step {e.step}" for e in diverged) + ".")
    finals = [(i, t.losses[i, -1]) for i in singles if np.isfinite(t.losses[i, -1])]
    if finals and len(finals) <= RUNS_FOR_EVENTS:
        finals.sort(key=lambda p: p[1])
        parts.append("Final losses, lowest first: " + ", ".join(f"{names[i]} {v:.3g}" for i, v in finals) + ".")
    notes = [c for c in plan.captions if c.kind == "note"]
    if notes:
        parts.append("Notes: " + " ".join(f"step {c.step}: {c.text}" + ("" if c.text.endswith((".", "!", "?")) else ".")
                                          for c in notes))
    return " ".join(parts)


def _responses_alt_text(plan) -> str:
    """Alt text for a scene of responses (``ResponseScene``): whose updates, to which
    signals, over how many steps."""
    scene = plan.scene
    runs, signals = list(plan.legend_labels), [str(s).replace("_", " ") for s in scene.signals]
    what = f"{scene.title}: " if scene.title else ""
    return (f"{what}an animation of the updates of {len(runs)} optimizer{'s' * (len(runs) != 1)} "
            f"({', '.join(runs)}) in response to {len(signals)} synthetic gradient signal"
            f"{'s' * (len(signals) != 1)} ({', '.join(signals)}), drawn as {scene.steps} steps pass.")
