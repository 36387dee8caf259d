"""Tuned hyperparameters: a value searched over a range, in one batch, before the race."""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Tuned:
    lo: float
    hi: float
    n: int = 16
