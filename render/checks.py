"""Field checks shared by every spec (optimizers, surfaces, scenes, views).

Each returns the normalised value or raises a one-line ``ValueError`` that names the owner,
the field and what would be valid, e.g. "Adam: lr must be in (0, inf), got -1.0".
"""
from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from .interrupts import Interrupted

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


MAX_TEXT = 200         # characters of a label, a title or a name: what a figure has room for
MAX_FORMULA = 1000     # characters of a formula's LaTeX source


def text(owner: str, field: str, value: Any, most: int = MAX_TEXT) -> str | None:
    """None or a string of at most ``most`` characters (a figure draws it whole)."""
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{owner}: {field} must be a string, got {_short(value)}")
    if value is not None and len(value) > most:
        raise ValueError(f"{owner}: {field} must be at most {most} characters, got {len(value)}")
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


MAX_MEMORY = 2 << 30      # bytes a simulation (or a search) may keep: more is refused before any work


def size(n: float) -> str:
    """Bytes for a message: '5.6 GiB', '300 MiB'."""
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def memory(owner: str, what: str, need: float, advice: str) -> None:
    """Refuse, in one line, work whose estimate ``need`` (bytes) is above MAX_MEMORY."""
    if need > MAX_MEMORY:
        raise ValueError(f"{owner}: {what} would take about {size(need)} of memory, more than the "
                         f"{size(MAX_MEMORY)} allowed; {advice}")


def where(error: BaseException, function: Any) -> str | None:
    """'file.py:line' where ``function`` (the user's code) raised ``error``: the innermost
    frame of the traceback in the file that defines it; else where it is defined; None for
    a callable with no Python source (a numpy ufunc)."""
    function = getattr(function, "__func__", function)
    code = getattr(function, "__code__", None) or getattr(getattr(function, "__call__", None), "__code__", None)
    if code is None:
        return None
    line = code.co_firstlineno
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == code.co_filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{os.path.basename(code.co_filename)}:{line}"


SKIPPED = object()        # what ``attempt`` gives when the call ended without an error to say


def attempt(owner: str, what: str, function, *args, advice: str = ""):
    """``function(*args)``, tried before any work as the simulation will call it: an
    exception it raises is one ValueError naming ``what`` failed, where in the user's file,
    and ``advice``. An interruption (a KeyboardInterrupt, SystemExit or GeneratorExit that
    the user's code raises) gives SKIPPED: the simulation meets it again and says so; a
    Ctrl-C is passed on."""
    try:
        with np.errstate(all="ignore"):
            return function(*args)
    except Exception as error:
        at = where(error, function)
        message = one_line(error)
        if message and len(message) > 80:            # room for the advice in a one-line message
            message = message[:77] + "..."
        raise ValueError(f"{owner}: {what} failed{f' at {at}' if at else ''} with {type(error).__name__}"
                         f"{': ' + message if message else ''}{'; ' + advice if advice else ''}") from None
    except KeyboardInterrupt as error:
        if Interrupted.is_users(error):
            raise
        return SKIPPED
    except (SystemExit, GeneratorExit):
        return SKIPPED


def _short(value: Any, limit: int = 60) -> str:
    """repr(value), cut to ``limit`` characters: an error stays one readable line."""
    try:
        text = repr(value)
    except Exception:
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def torch(what: str):
    """The torch module, for ``what`` (a name such as "opt.Torch") that needs it; without
    it, one line saying what to install."""
    try:
        import torch
    except ImportError:
        raise ValueError(f"{what} needs PyTorch: pip install -e '.[torch]' (or pip install torch)") from None
    return torch
