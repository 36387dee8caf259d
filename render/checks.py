"""Field checks shared by every spec (optimizers, surfaces, scenes, views).

Each returns the normalised value or raises a one-line ``ValueError`` that names the owner,
the field and what would be valid, e.g. "Adam: lr must be in (0, inf), got -1.0".
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

_REAL = (int, float, np.integer, np.floating)


def _interval(lo, hi, lo_open, hi_open) -> str:
    left = "(" if lo_open or lo is None else "["
    right = ")" if hi_open or hi is None else "]"
    return f"{left}{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}{right}"


def number(owner: str, field: str, value: Any, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False, hi_open: bool = False) -> float:
    """A finite real number, optionally within [lo, hi] (ends open where asked)."""
    if isinstance(value, bool) or not isinstance(value, _REAL):
        raise ValueError(f"{owner}: {field} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {field} must be finite, got {value!r}")
    ok = lo is None or (value > lo if lo_open else value >= lo)
    ok = ok and (hi is None or (value < hi if hi_open else value <= hi))
    if not ok:
        raise ValueError(f"{owner}: {field} must be in {_interval(lo, hi, lo_open, hi_open)}, got {value!r}")
    return value


def integer(owner: str, field: str, value: Any, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{owner}: {field} must be a whole number, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        raise ValueError(f"{owner}: {field} must be a whole number in {_interval(lo, hi, False, False)}, "
                         f"got {value!r}")
    return int(value)


def flag(owner: str, field: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{owner}: {field} must be True or False, got {value!r}")
    return bool(value)


def text(owner: str, field: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{owner}: {field} must be a string, got {value!r}")
    return value


def point(owner: str, field: str, value: Any) -> tuple[float, float]:
    try:
        x, y = value
        result = (float(x), float(y))
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {field} must be a pair of numbers (x, y), got {value!r}") from None
    if not all(math.isfinite(v) for v in result):
        raise ValueError(f"{owner}: {field} must be finite, got {value!r}")
    return result


def window(owner: str, value: Any) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: window must be (xmin, xmax, ymin, ymax), got {value!r}") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValueError(f"{owner}: window must be four finite numbers (xmin, xmax, ymin, ymax), "
                         f"got {value!r}")
    xmin, xmax, ymin, ymax = values
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(f"{owner}: window must have xmin < xmax and ymin < ymax, got {value!r}")
    return values


def is_name(value: Any) -> bool:
    """A name that can name a file or folder as it is: letters, digits, '-' and '_' only
    (so never '.', '..', a separator or a space)."""
    return isinstance(value, str) and bool(value) and all(c.isalnum() or c in "-_" for c in value)
