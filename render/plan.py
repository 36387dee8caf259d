"""The plan: everything the views need to draw a scene, computed once.

``build(scene, trajectories=None)`` turns a scene spec and its simulation into a ``Plan``:
which step each frame shows, each run's colour and legend label, and each run's visible
trail at each frame. The pipeline builds one Plan per scene and hands the same value to
every view and every worker; views read it and never simulate.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from matplotlib import colormaps

from . import themes
from .signals import Responses
from .trajectories import Trajectories

__all__ = ["Plan", "build", "frame_steps"]


def frame_steps(steps: int, max_frames: int) -> np.ndarray:
    """The step each frame shows: every step, or ``max_frames`` of them spread evenly
    (always including the first and the last)."""
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    return np.unique(np.round(np.linspace(0, steps, max_frames)).astype(int))


def _read_only(array) -> np.ndarray:
    array = np.array(array)
    array.flags.writeable = False
    return array


@dataclasses.dataclass(frozen=True, eq=False)
class Plan:
    """One scene, ready to draw. Immutable: its arrays are read-only.

    ``scene`` is the spec (surface, title, fps, views); ``theme`` the colours it is drawn
    in; ``trajectories`` its simulation
    (``Trajectories``, or ``Responses`` for a ResponseScene); ``steps[f]`` the step frame f
    shows; ``last[r, f]`` the last step of run r drawn at frame f (its last finite step once
    it has diverged, -1 if none).
    """

    scene: Any
    trajectories: Trajectories | Responses
    steps: np.ndarray          # (frames,)
    colors: tuple[str, ...]    # per run
    labels: tuple[str, ...]    # per run: the legend entry, the user's label as given
    names: tuple[str, ...]     # per run: a short name for status lines
    last: np.ndarray           # (runs, frames)
    theme: themes.Theme = themes.THEMES["light"]
    # Room for what later kinds of scene add: a model's 2D plane, groups of a swarm.
    plane: Any = None
    groups: tuple = ()

    @property
    def frames(self) -> int:
        return len(self.steps)

    @property
    def runs(self) -> int:
        return len(self.colors)

    def fraction(self, frame: int) -> float:
        """How far through the animation frame ``frame`` is, 0 to 1."""
        return frame / max(1, self.frames - 1)

    def trail(self, run: int, frame: int) -> tuple[np.ndarray, int]:
        """The steps of ``run`` drawn at ``frame``: the steps of the frames so far, up to and
        always ending with its last visible step; and that step (-1 if none)."""
        last = int(self.last[run, frame])
        shown = min(frame + 1, int(np.searchsorted(self.steps, last, side="right")))
        idx = self.steps[:shown]
        if last >= 0 and (shown == 0 or idx[-1] != last):
            idx = np.append(idx, last)
        return idx, last

    def diverged(self, run: int, frame: int) -> bool:
        """True once ``run`` has diverged at or before the step ``frame`` shows."""
        return int(self.last[run, frame]) < int(self.steps[frame])


def build(scene, trajectories=None, theme: str | None = None) -> Plan:
    """The Plan of ``scene``; simulates it unless its ``trajectories`` are given. ``theme``
    (a name) overrides the scene's."""
    if trajectories is None:
        trajectories = scene.simulate()
    steps = frame_steps(scene.steps, scene.max_frames)
    runs = scene.runs
    diverged_at = getattr(trajectories, "diverged_at", np.full(len(runs), -1))
    last = np.repeat(steps[None, :], len(runs), axis=0)
    for run, k in enumerate(diverged_at):
        if k >= 0:
            last[run] = np.minimum(steps, k - 1)
    theme = themes.get(theme or scene.theme)
    chosen = [colormaps[v.cmap] for v in scene.views if getattr(v, "cmap", None) is not None]
    return Plan(scene=scene, trajectories=trajectories, steps=_read_only(steps),
                colors=tuple(_colors(runs, themes.palette_for(theme, chosen))),
                labels=tuple(run.name for run in runs), names=tuple(_names(runs)),
                last=_read_only(last), theme=theme)


def _colors(runs, palette) -> list[str]:
    """Each run's colour: its own, else its legend entry's. Runs that share a label (or,
    unlabelled, an optimizer and its hyperparameters) share a colour and one legend entry;
    each entry takes the next palette colour no run has asked for."""
    taken = {r.color for r in runs if r.color is not None}
    free = [c for c in palette if c not in taken]
    free = iter(free + list(palette) * len(runs))
    given: dict[str, str] = {}
    for r in runs:
        if r.color is None and r.name not in given:
            given[r.name] = next(free)
    return [r.color if r.color is not None else given[r.name] for r in runs]


def _names(runs) -> list[str]:
    return [run.label if run.label is not None else run.optimizer.name for run in runs]
