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

from .signals import Responses
from .trajectories import Trajectories

__all__ = ["Plan", "build", "frame_steps", "PALETTE"]

# Distinct on dark and light backgrounds, in the order runs get them.
PALETTE = ("#ffffff", "#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd", "#e377c2",
           "#17becf", "#bcbd22", "#8c564b")


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

    ``scene`` is the spec (surface, title, fps, views); ``trajectories`` its simulation
    (``Trajectories``, or ``Responses`` for a ResponseScene); ``steps[f]`` the step frame f
    shows; ``last[r, f]`` the last step of run r drawn at frame f (its last finite step once
    it has diverged, -1 if none).
    """

    scene: Any
    trajectories: Trajectories | Responses
    steps: np.ndarray          # (frames,)
    colors: tuple[str, ...]    # per run
    labels: tuple[str, ...]    # per run: the legend entry
    names: tuple[str, ...]     # per run: a short name for status lines
    last: np.ndarray           # (runs, frames)
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


def build(scene, trajectories=None) -> Plan:
    """The Plan of ``scene``; simulates it unless its ``trajectories`` are given."""
    if trajectories is None:
        trajectories = scene.simulate()
    steps = frame_steps(scene.steps, scene.max_frames)
    runs = scene.runs
    diverged_at = getattr(trajectories, "diverged_at", np.full(len(runs), -1))
    last = np.repeat(steps[None, :], len(runs), axis=0)
    for run, k in enumerate(diverged_at):
        if k >= 0:
            last[run] = np.minimum(steps, k - 1)
    if isinstance(trajectories, Trajectories):
        palette, labels = PALETTE, _labels(runs, diverged_at)
    else:
        # Responses are drawn on white panels, where white would vanish; nothing diverges.
        palette, labels = PALETTE[1:], [run.name for run in runs]
    return Plan(scene=scene, trajectories=trajectories, steps=_read_only(steps),
                colors=tuple(_colors(runs, palette)), labels=tuple(labels),
                names=tuple(_names(runs)), last=_read_only(last))


def _colors(runs, palette) -> list[str]:
    """Each run's color: its own, else the next palette color not taken by another run."""
    taken = {r.color for r in runs if r.color is not None}
    free = iter([c for c in palette if c not in taken] + list(palette) * len(runs))
    return [r.color if r.color is not None else next(free) for r in runs]


def _labels(runs, diverged_at) -> list[str]:
    """Each run's label and optimizer with its hyperparameters, and its fate (a race's
    legend)."""
    labels = []
    for run, k in zip(runs, diverged_at):
        described = run.optimizer.describe()
        plain = run.label in (None, described, run.optimizer.name)
        name = described if plain else f"{run.label}: {described}"
        labels.append(name if k < 0 else f"{name}, diverged at step {k}")
    return labels


def _names(runs) -> list[str]:
    return [run.label if run.label is not None else run.optimizer.name for run in runs]
