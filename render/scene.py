"""Scenes: what to animate, as frozen, validated dataclasses.

A ``Scene`` names a surface, the runs racing over it and how many steps they take; a ``Run``
is one optimizer from one start. ``Scene.simulate()`` advances every run at once.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from . import surfaces
from .optimizers import Optimizer
from .simulate import Trajectories, simulate_runs

__all__ = ["Scene", "Run"]


def _point(owner: str, field: str, value: Any) -> tuple[float, float]:
    try:
        x, y = value
        point = (float(x), float(y))
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {field} must be a pair of numbers (x, y), got {value!r}") from None
    if not all(math.isfinite(v) for v in point):
        raise ValueError(f"{owner}: {field} must be finite, got {value!r}")
    return point


def _integer(owner: str, field: str, value: Any, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{owner}: {field} must be a whole number, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        bound = f">= {lo}" if hi is None else f"between {lo} and {hi}"
        raise ValueError(f"{owner}: {field} must be {bound}, got {value!r}")
    return int(value)


@dataclasses.dataclass(frozen=True)
class Run:
    """One optimizer starting from one point."""

    optimizer: Optimizer
    start: tuple[float, float]
    label: str | None = None
    color: Any = None

    def __post_init__(self):
        if not isinstance(self.optimizer, Optimizer):
            raise ValueError(f"Run: optimizer must be an optimizer such as opt.Adam(lr=0.1), "
                             f"got {self.optimizer!r}")
        object.__setattr__(self, "start", _point("Run", "start", self.start))
        if self.label is not None and not isinstance(self.label, str):
            raise ValueError(f"Run: label must be a string, got {self.label!r}")

    @property
    def name(self) -> str:
        """The legend's name: the label, else the optimizer with its hyperparameters."""
        return self.label if self.label is not None else self.optimizer.describe()


@dataclasses.dataclass(frozen=True)
class Scene:
    """Runs racing over one surface for ``steps`` steps."""

    surface: Any
    runs: tuple
    steps: int
    name: str | None = None
    title: str | None = None
    seed: int = 0

    def __post_init__(self):
        surface = self.surface
        if isinstance(surface, str):
            surface = surfaces.get(surface)
        if not isinstance(surface, surfaces.Surface):
            raise ValueError(f"Scene: surface must be a surface or a registered name such as "
                             f"'rosenbrock', got {self.surface!r}")
        object.__setattr__(self, "surface", surface)
        try:
            runs = tuple(self.runs)
        except TypeError:
            raise ValueError(f"Scene: runs must be a list of Run(...), got {self.runs!r}") from None
        if not runs:
            raise ValueError("Scene: runs must hold at least one Run(...)")
        for i, run in enumerate(runs):
            if not isinstance(run, Run):
                raise ValueError(f"Scene: runs[{i}] must be a Run(...), got {run!r}")
        object.__setattr__(self, "runs", runs)
        object.__setattr__(self, "steps", _integer("Scene", "steps", self.steps, 1, 10_000_000))
        object.__setattr__(self, "seed", _integer("Scene", "seed", self.seed, 0))

    def simulate(self) -> Trajectories:
        """Every run, advanced together (runs of one optimizer kind as one array)."""
        return simulate_runs(self.surface, [r.optimizer for r in self.runs],
                             [r.start for r in self.runs], self.steps, seed=self.seed)
