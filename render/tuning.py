"""Tuned hyperparameters: values searched in one batch before the race, so each optimizer
races at its best setting, and the setting is stated.

``opt.Adam(lr=tuned(1e-4, 1.0))`` stands for every value of ``np.geomspace(1e-4, 1.0, n)``.
Before a scene is drawn, each tuned run is simulated from its own start, for the scene's
steps, with its own schedule and noise, once per candidate (a product of the candidates when
several hyperparameters are tuned), all candidates of all runs in one simulation. The
candidate with the lowest final loss wins; a run that diverged counts as an infinite loss,
and a tie goes to the smaller value. The run then races with the winner, named in the
legend as tuned; ``--data`` writes every candidate's final loss to ``tuning.csv``.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from . import checks

__all__ = ["Tuned", "tuned", "tuned_fields", "Search", "MAX_CANDIDATES"]

MAX_CANDIDATES = 4096        # candidates of one run, all tuned values together


@dataclasses.dataclass(frozen=True)
class Tuned:
    """A hyperparameter to search over ``np.geomspace(lo, hi, n)``; see ``tuned``."""

    lo: float
    hi: float
    n: int = 16

    def __post_init__(self):
        lo = checks.number("tuned", "lo", self.lo, 0.0, None, True)
        hi = checks.number("tuned", "hi", self.hi, 0.0, None, True)
        if lo >= hi:
            raise ValueError(f"tuned: lo must be below hi, got lo={lo:g} and hi={hi:g}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)
        object.__setattr__(self, "n", checks.integer("tuned", "n", self.n, 2, MAX_CANDIDATES))

    @property
    def values(self) -> np.ndarray:
        return np.geomspace(self.lo, self.hi, self.n)

    def __format__(self, spec: str) -> str:
        return f"tuned({self.lo:g}..{self.hi:g}, n={self.n})"


def tuned(lo: float, hi: float, n: int = 16) -> Tuned:
    """A hyperparameter value to search: every value of ``np.geomspace(lo, hi, n)``
    (0 < lo < hi, n >= 2) is tried and the one with the lowest final loss kept, e.g.
    ``opt.Adam(lr=tuned(1e-4, 1.0))``."""
    return Tuned(lo, hi, n)


def tuned_fields(obj) -> dict[str, Tuned]:
    """The fields of an optimizer or schedule that are tuned."""
    if obj is None:
        return {}
    if hasattr(obj, "tunable"):          # (an optimizer whose hyperparameters are not all fields: opt.Torch)
        return obj.tunable()
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if isinstance(getattr(obj, f.name), Tuned)}


@dataclasses.dataclass(frozen=True)
class Search:
    """The search behind one tuned run: each candidate's values and final loss."""

    run: int                          # the run's index in the scene
    names: tuple[str, ...]            # the tuned hyperparameters, "lr" or "schedule.max_lr"
    values: np.ndarray                # (candidates, len(names))
    losses: np.ndarray                # (candidates,): final loss, inf when diverged
    chosen: int                       # the winning candidate's index

    @property
    def best(self) -> dict[str, float]:
        return {name: float(v) for name, v in zip(self.names, self.values[self.chosen])}
