"""The plan: everything the views need to draw a scene, computed once.

``build(scene, trajectories=None)`` turns a scene spec and its simulation into a ``Plan``:
which moment each frame shows and how fast frames play (``render.timeline``), the window
that frames the runs (``render.framing``), each run's colour and legend label, and each
run's visible trail at each frame. The pipeline builds one Plan per scene and hands the
same value to every view and every worker; views read it and never simulate.
"""
from __future__ import annotations

import dataclasses
import functools
import warnings
from typing import Any

import numpy as np
from matplotlib import colormaps

from . import framing, lossaxis, story, themes, timeline
from .gradient_signals import Responses
from .timeline import frame_steps
from .trajectories import Trajectories

__all__ = ["Plan", "build", "frame_steps"]


# Runs (or swarms) a status line names at most; the rest it counts.
STATUS_PARTS = 8


def _read_only(array) -> np.ndarray:
    array = np.array(array)
    array.flags.writeable = False
    return array


@dataclasses.dataclass(frozen=True, eq=False)
class Group:
    """The runs of one swarm, drawn as one collection: ``rows`` are their indices, ``name``
    their short name, ``tail`` the frames a trail takes to fade (None: never)."""

    rows: np.ndarray
    name: str
    tail: int | None


@dataclasses.dataclass(frozen=True, eq=False)
class Plan:
    """One scene, ready to draw. Immutable: its arrays are read-only.

    ``scene`` is the spec (surface, title, fps, views); ``theme`` the colours it is drawn
    in; ``trajectories`` its simulation
    (``Trajectories``, or ``Responses`` for a ResponseScene); ``times[f]`` the moment frame f
    shows, in steps (between two steps while a head glides along its step), ``steps[f]``
    the step it has reached; ``last[r, f]`` the last step of run r drawn at frame f (its
    last finite step once it has diverged, -1 if none); ``fps`` the frames per second it
    plays at; ``window`` the box that frames the runs (``render.framing.fit``).
    """

    scene: Any
    trajectories: Trajectories | Responses
    steps: np.ndarray          # (frames,)
    colors: tuple[str, ...]    # per run
    legend_labels: tuple[str, ...]   # per run: its entry in a legend, the user's label as given
    short_names: tuple[str, ...]     # per run: a short name, for status lines and labels beside heads
    last: np.ndarray           # (runs, frames)
    theme: themes.Theme = themes.THEMES["light"]
    groups: tuple[Group, ...] = ()     # the swarms, each drawn as one collection
    # A model scene's plane (``render.planes.Slice``): what its views draw.
    plane: Any = None
    # The searches that chose the scene's tuned values (``render.tuning.Search``).
    searches: tuple = ()
    times: np.ndarray | None = None    # (frames,); None: the steps themselves
    fps: float = 20.0
    window: tuple | None = None
    # What happens in the simulation (``render.story.Event``), and the notes and events as
    # drawn (``render.story.Caption``).
    events: tuple = ()
    captions: tuple = ()

    def __post_init__(self):
        if self.times is None:
            object.__setattr__(self, "times", _read_only(np.asarray(self.steps, dtype=float)))

    def loss_axis(self, scale: str = "auto") -> lossaxis.LossAxis:
        """The loss panel's axis (``render.lossaxis``) for the single runs and the swarms'
        bands, in ``scale``."""
        losses = self.paths.losses
        rows = self.singles
        shown = [losses[rows]]
        diverged = [self.trajectories.diverged_at[rows] >= 0]
        for group in self.groups:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)      # all diverged: NaN
                band = np.nanpercentile(losses[group.rows], [10, 50, 90], axis=0)
            shown.append(band)
            diverged.append(np.zeros(3, dtype=bool))
        return lossaxis.choose(np.concatenate(shown), np.concatenate(diverged), scale)

    @property
    def surface(self):
        """What the views draw: the scene's surface, or a model's loss on the plane."""
        return self.plane if self.plane is not None else getattr(self.scene, "surface", None)

    @property
    def paths(self) -> Trajectories:
        """The runs as the views draw them: the trajectories, or for a model scene their
        projections onto the plane (with the true losses)."""
        return self.plane.paths if self.plane is not None else self.trajectories

    @functools.cached_property
    def singles(self) -> list[int]:
        """The runs drawn one by one: those of no swarm."""
        grouped = {int(r) for g in self.groups for r in g.rows}
        return [i for i in range(self.runs) if i not in grouped]

    @property
    def frames(self) -> int:
        return len(self.steps)

    @property
    def runs(self) -> int:
        return len(self.colors)

    def fraction(self, frame: int) -> float:
        """How far through the animation frame ``frame`` is, 0 to 1."""
        return frame / max(1, self.frames - 1)

    def status(self, frame: int, parts: int = STATUS_PARTS, short: bool = False, said: bool = False) -> str:
        """'step k' and each run's loss at that step, in brackets after its name: the
        status line of frame ``frame`` (a view's animated title). At most ``parts`` runs or
        swarms named, the rest counted; ``short`` for the brief form; ``said`` for the form
        a page gives as text, each value after its name and a colon ("step 60 of 300. Loss
        of constant: 1.78; cosine: 0.616"), where a name ending in a number cannot be read
        as its loss."""
        step = int(self.steps[frame])
        named = []                  # (name, what its value says)
        for group in self.groups:
            # A swarm is one part: its median loss and how many of it have diverged.
            losses = self.paths.losses[group.rows, step]
            finite = losses[np.isfinite(losses)]
            lost = len(losses) - finite.size
            values = ([f"median {np.median(finite):.3g}"] if finite.size else []) + ([f"{lost} diverged"] if lost else [])
            named.append((f"{group.name} \u00d7{len(group.rows)}", ", ".join(values)))
        shown_runs = self.singles[: max(0, parts - len(named))]      # the rest are counted
        for i in shown_runs:
            if self.diverged(i, frame):
                value = f"diverged at {int(self.paths.diverged_at[i])}"
            elif self.plane is not None:
                # Over a model: the true loss, and how far from the plane drawn the run is.
                off = float(self.plane.off[i, step])
                value = f"{self.paths.losses[i, step]:.3g}, {off:.2g} {'off' if short else 'off plane'}"
            else:
                value = f"{self.paths.losses[i, step]:.3g}"
            named.append((self.short_names[i], value))
        more = len(named) + len(self.singles) - len(shown_runs) - parts
        clock = " (log time)" if getattr(self.scene, "time", "linear") == "log" else ""
        if said:
            tail = f"; {more} more" if more > 0 else ""
            return (f"step {step} of {int(self.scene.steps)}{clock}. Loss of "
                    + "; ".join(f"{name}: {value}" for name, value in named[:parts]) + tail)
        # Each run's loss in brackets after its name: a name may end in a number itself
        # ("momentum 0.9 (0.063)").
        tail = f", +{more} more" if more > 0 else ""
        return f"step {step}{clock}, loss: " + ", ".join(f"{name} ({value})" for name, value in named[:parts]) + tail

    def busiest(self, k: int) -> list[int]:
        """``k`` frames spread over the runs' motion as much as over time: where the mean
        of the fraction of the animation gone and the fraction of the distance the runs
        have moved (each step's counted up to the window's size) passes 1/2k, 3/2k, ...
        A swarm that settles early has most of them early. Empty if nothing moves or there
        is nothing to move."""
        positions = getattr(self.paths, "positions", None)
        if not k or positions is None or self.frames < 3:
            return []
        xmin, xmax, ymin, ymax = self.surface.window
        P = positions[:, self.steps]
        with np.errstate(invalid="ignore"):
            moved = np.hypot(*np.moveaxis(np.diff(P, axis=1), -1, 0))
        moved = np.minimum(np.nan_to_num(moved, nan=0.0), np.hypot(xmax - xmin, ymax - ymin)).sum(axis=0)
        total = np.concatenate([[0.0], np.cumsum(moved)])
        if not total[-1] > 0:
            return []
        # Half the weight on the motion, half on the clock: the frames between stay sampled too.
        progress = 0.5 * total / total[-1] + 0.5 * np.arange(self.frames) / (self.frames - 1)
        marks = (np.arange(k) + 0.5) / k
        return sorted({int(f) for f in np.searchsorted(progress, marks)})

    def trail(self, run: int, frame: int) -> tuple[np.ndarray, int]:
        """The moments of ``run`` drawn at ``frame`` (``times``): those of the frames so far,
        up to and always ending with its last visible step; and that step (-1 if none)."""
        last = int(self.last[run, frame])
        if last >= self.steps[frame]:                   # still going: every frame so far
            return self.times[: frame + 1], last
        shown = min(frame + 1, int(np.searchsorted(self.times, last, side="right")))
        idx = self.times[:shown]
        if last >= 0 and (shown == 0 or idx[-1] != last):
            idx = np.append(idx, last)
        return idx, last

    def diverged(self, run: int, frame: int) -> bool:
        """True once ``run`` has diverged at or before the step ``frame`` shows."""
        return int(self.last[run, frame]) < int(self.steps[frame])


def build(scene, trajectories=None, theme: str | None = None, fps: float | None = None) -> Plan:
    """The Plan of ``scene``; simulates it unless its ``trajectories`` are given. ``theme``
    (a name) overrides the scene's, ``fps`` its frames per second."""
    searches = ()
    if hasattr(scene, "search"):
        scene, searches = scene.search()     # tuned values searched: the legend names the winners
    if trajectories is None:
        trajectories = scene.simulate()
    runs = scene.runs
    diverged_at = getattr(trajectories, "diverged_at", np.full(len(runs), -1))
    theme = themes.get(theme or scene.theme)
    chosen = [colormaps[v.cmap] for v in scene.views if getattr(v, "cmap", None) is not None]
    palette = themes.palette_for(theme, chosen)
    colors, labels, names = _colors(runs, palette), [run.name for run in runs], story.short_names(runs)
    groups = _groups(runs, names)
    plane = None
    if getattr(scene, "plane", None) is not None:
        plane = scene.plane.place(scene.surface, trajectories, np.array([r.start for r in runs]))
    for group in groups:
        swarm = runs[group.rows[0]].swarm
        if swarm.color_by == "basin":
            _by_basin(group, swarm, trajectories, scene.surface, colors, labels, palette, theme)
    fps = float(fps or scene.fps)
    plan = Plan(scene=scene, trajectories=trajectories, steps=_read_only(np.arange(scene.steps + 1)),
                colors=tuple(colors), legend_labels=tuple(labels), short_names=tuple(names),
                last=_read_only(np.zeros((len(runs), scene.steps + 1), dtype=int)), theme=theme,
                groups=tuple(groups), plane=plane, searches=searches, fps=fps)
    window = None
    paths = plan.paths
    if isinstance(paths, Trajectories):
        surface = plan.surface
        window = framing.fit_race(surface, paths.positions, scene.steps)
    panel = next((v for v in scene.views if getattr(v, "loss_panel", False)), None)
    loss_axis = None
    if panel is not None:
        axis = plan.loss_axis(panel.loss_scale)
        loss_axis = lambda losses: (axis.position(losses), 1.0)
    times, fps = timeline.frame_times(scene, paths, window or (0, 1, 0, 1), fps, loss_axis)
    steps = np.floor(times).astype(int)
    last = np.repeat(steps[None, :], len(runs), axis=0)
    for run, k in enumerate(diverged_at):
        if k >= 0:
            last[run] = np.minimum(steps, k - 1)
    events, caps = (), ()
    if isinstance(paths, Trajectories):
        events = story.find_events(scene, paths, window, names)
        caps = story.captions(scene, events, times, fps, colors, theme.text)
    return dataclasses.replace(plan, steps=_read_only(steps), times=_read_only(times), last=_read_only(last),
                               fps=fps, window=window, events=events, captions=caps)


def _colors(runs, palette) -> list[str]:
    """Each run's colour: its own, else its legend entry's. Runs that share a label (or,
    unlabelled, an optimizer and its hyperparameters) share a colour and one legend entry;
    each entry takes the next palette colour no run has asked for. The cells of a sweep are
    one optimizer, in one colour. A swarm coloured by basin takes its colours later
    (``_by_basin``), from those left."""
    taken = {r.color for r in runs if r.color is not None}
    free = [c for c in palette if c not in taken]
    free = iter(free + list(palette) * len(runs))
    given: dict = {}
    key = lambda r: ("sweep", id(r.sweep)) if getattr(r, "sweep", None) is not None else r.name
    for r in runs:
        if r.color is None and key(r) not in given and not _basins(r):
            given[key(r)] = next(free)
    return [r.color if r.color is not None else given.get(key(r), "") for r in runs]


def _swarm(run):
    """The Swarm a run belongs to (a Response belongs to none)."""
    return getattr(run, "swarm", None)


def _basins(run) -> bool:
    return _swarm(run) is not None and _swarm(run).color_by == "basin"


def _groups(runs, names) -> list[Group]:
    """Each swarm's runs (consecutive in the scene) as a Group, named as its runs are."""
    groups, i = [], 0
    while i < len(runs):
        swarm = _swarm(runs[i])
        j = i + 1
        while swarm is not None and j < len(runs) and _swarm(runs[j]) is swarm:
            j += 1
        if swarm is not None:
            groups.append(Group(rows=_read_only(np.arange(i, j)), name=names[i], tail=swarm.tail))
        i = j
    return groups


BASIN_COLORS = 6        # basins with a colour of their own; the rest share "elsewhere"
BASIN_RADIUS = 0.03     # of the window's diagonal: ends this close share a basin


def _by_basin(group, swarm, trajectories, surface, colors, labels, palette, theme) -> None:
    """Colour and label each run of ``group`` by where it ends: the surface's minimum it
    reached, or another place where runs gather (ends within BASIN_RADIUS of the window's
    diagonal of each other). The most populous basins get a colour each; runs that end
    elsewhere share a quiet grey, runs that diverged the text's colour."""
    rows = group.rows
    ends = trajectories.positions[rows, -1]
    xmin, xmax, ymin, ymax = swarm.window or surface.window
    radius = BASIN_RADIUS * float(np.hypot(xmax - xmin, ymax - ymin))
    centres = [np.asarray(m, dtype=float) for m in surface.minima]
    which = np.full(len(rows), -1)
    for k, end in enumerate(ends):
        if not np.all(np.isfinite(end)):
            continue
        if centres:
            d = np.hypot(*(np.array(centres) - end).T)
            if d.min() <= radius:
                which[k] = int(d.argmin())
                continue
        centres.append(end)
        which[k] = len(centres) - 1
    counts = np.bincount(which[which >= 0], minlength=len(centres))
    ranked = [b for b in np.argsort(-counts, kind="stable") if counts[b] > 0]
    # Fewer than 2 runs is not a basin, unless it is a known minimum.
    known = len(surface.minima)
    shown = [b for b in ranked if counts[b] > 1 or b < known][:BASIN_COLORS]
    taken = set(c for c in colors if c)
    free = [c for c in palette if c not in taken] + list(palette)
    # A known minimum's colour is its place in the surface's list, so two swarms over one
    # surface colour its basins alike; other gathering places take the colours left.
    slot = {b: b % len(free) for b in shown if b < known}
    spare = (i for i in range(len(free)) if i not in slot.values())
    slot.update({b: next(spare, 0) for b in shown if b >= known})
    name = swarm.name
    for k, row in enumerate(rows):
        b = which[k]
        if b == -1:
            colors[row], labels[row] = theme.text, f"{name}: diverged"
        elif b in shown:
            x, y = centres[b]
            colors[row] = free[slot[b]]
            labels[row] = f"{name} \u2192 ({x:.3g}, {y:.3g})"
        else:
            colors[row], labels[row] = theme.field, f"{name}: elsewhere"

