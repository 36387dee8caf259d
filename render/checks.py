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
        raise ValueError(f"{owner}: {field} must be a number, got {_short(value)}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{owner}: {field} must be finite, got a number too large for a float") from None
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


def choice(owner: str, field: str, value: Any, options) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{owner}: {field} must be one of {', '.join(options)}, got {_short(value)}")
    return value


def text(owner: str, field: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{owner}: {field} must be a string, got {value!r}")
    return value


def point(owner: str, field: str, value: Any) -> tuple[float, float]:
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{owner}: {field} must be a pair of numbers (x, y), got {_short(value)}")
    try:
        x, y = value
        result = (float(x), float(y))
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{owner}: {field} must be a pair of numbers (x, y), got {_short(value)}") from None
    if not all(math.isfinite(v) for v in result):
        raise ValueError(f"{owner}: {field} must be finite, got {value!r}")
    return result


MAX_VECTOR = 1_000_000      # numbers in a vector: a model's parameters at most


def vector(owner: str, field: str, value: Any, most: int = MAX_VECTOR) -> np.ndarray:
    """A finite vector of 1 to ``most`` numbers, read-only (a model's parameters, a start or a
    direction in them)."""
    try:
        v = np.array(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {field} must be a vector of numbers, got {_short(value)}") from None
    if not 1 <= len(v) <= most:
        raise ValueError(f"{owner}: {field} must hold 1 to {most} numbers, got {len(v)}")
    bad = np.flatnonzero(~np.isfinite(v))
    if len(bad):
        raise ValueError(f"{owner}: {field} must be finite, got {v[bad[0]]} at {int(bad[0])}")
    v.flags.writeable = False
    return v


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


MAX_NAME = 100      # characters of a name: a file name has room for it and our suffixes


def is_name(value: Any) -> bool:
    """A name that can name a file or folder as it is: 1 to MAX_NAME letters, digits, '-'
    and '_' (so never '.', '..', a separator or a space)."""
    return (isinstance(value, str) and 0 < len(value) <= MAX_NAME
            and all(c.isalnum() or c in "-_" for c in value))


MAX_MESSAGE = 300                              # characters of an error's own message shown


def one_line(value) -> str | None:
    """A one-line, bounded rendering of an exception's message (None if it cannot be had)."""
    try:
        text = str(value)
    except BaseException:
        return None
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def _short(value: Any, limit: int = 60) -> str:
    """repr(value), cut to ``limit`` characters: an error stays one readable line."""
    try:
        text = repr(value)
    except Exception:
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."
