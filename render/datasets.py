"""Small deterministic data sets for model scenes, and your own data checked the same way.

Each maker returns ``(X, y)``: ``X`` of shape (n, 2) (``digits``: (1797, 64)), float64, and ``y`` of shape (n,), the
integer class labels 0..k-1. The same arguments give the same arrays on every machine (one
``numpy.random.default_rng(seed)`` draws everything, in a fixed order).

    X, y = datasets.spirals(300, classes=3, noise=0.2, seed=0)
    X, y = datasets.arrays(my_X, my_y)                 # checked: finite X, labels 0..k-1
    X, y = datasets.csv("points.csv", label="class")   # a header row; label column by name or index
    X, y = datasets.digits()                           # 1,797 real 8x8 handwritten digits (64 features)
"""
from __future__ import annotations

import array
import math
import os
import stat
from pathlib import Path

import numpy as np

from . import checks

__all__ = ["arrays", "blobs", "csv", "digits", "moons", "spirals"]

MAX_POINTS = 1_000_000
MAX_CLASSES = 100
# The largest file ``csv`` reads: a million points of two features at full precision are
# about 40 MiB; a larger file is refused before it is read.
MAX_BYTES = 50 * 2**20


def _made(owner: str, n, classes, noise, seed, noise_max: float = 10.0):
    """The checked arguments of a maker: (points per class, noise, its generator). Points
    per class are as even as can be, the first classes one more."""
    n = checks.integer(owner, "n", n, 1, MAX_POINTS)
    classes = checks.integer(owner, "classes", classes, 2, MAX_CLASSES)
    if n < classes:
        raise ValueError(f"{owner}: n must be at least classes ({classes}), got {n}")
    per = [n // classes + (k < n % classes) for k in range(classes)]
    noise = checks.number(owner, "noise", noise, 0, noise_max)
    return per, noise, np.random.default_rng(checks.integer(owner, "seed", seed, 0))


def _labelled(parts) -> tuple[np.ndarray, np.ndarray]:
    """Each class's points, in order, as (X, y)."""
    return np.concatenate(parts), np.concatenate([np.full(len(p), k) for k, p in enumerate(parts)]).astype(np.int64)


def spirals(n: int = 300, classes: int = 2, noise: float = 0.2, seed: int = 0):
    """``classes`` arms of a spiral winding out from the origin, ``n`` points in all: arm k
    at radius r in [0, 1] turns through angle 4 r + 2 pi k / classes, plus Gaussian noise of
    ``noise`` radians on the angle. A classic that a linear model cannot separate."""
    per, noise, rng = _made("spirals", n, classes, noise, seed)
    arms = []
    for k, m in enumerate(per):
        r = np.linspace(0.0, 1.0, m)
        t = 4.0 * r + 2.0 * math.pi * k / len(per) + noise * rng.standard_normal(m)
        arms.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    return _labelled(arms)


def moons(n: int = 300, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles (radius 1, the second shifted by (1, -0.5) and turned
    over), ``n`` points in all, with Gaussian noise of standard deviation ``noise``."""
    (a, b), noise, rng = _made("moons", n, 2, noise, seed)
    t0, t1 = np.linspace(0.0, math.pi, a), np.linspace(0.0, math.pi, b)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])])
    X = X + noise * rng.standard_normal(X.shape)
    return _labelled([X[:a], X[a:]])


# The shipped copy of the digits, as its README in render/data describes it.
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def digits():
    """The 1,797 handwritten digits of the UCI optical digits test set (Alpaydin and Kaynak
    1998, CC BY 4.0; shipped with render, its source and license in ``render/data``):
    ``X`` (1797, 64), each row an 8x8 image's pixels row by row, scaled from 0..16 to 0..1;
    ``y`` the digit, 0..9. A real data set small enough for a model scene to train on in
    full at every step."""
    import gzip
    import hashlib
    from importlib import resources
    raw = (resources.files(__package__) / "data" / "digits.csv.gz").read_bytes()
    if hashlib.sha256(raw).hexdigest() != DIGITS_SHA256:
        raise ValueError("digits: the shipped render/data/digits.csv.gz is damaged; reinstall render-descent")
    table = np.loadtxt(gzip.decompress(raw).decode("ascii").splitlines(), delimiter=",", dtype=np.int64)
    return table[:, :64] / 16.0, table[:, 64].copy()


def blobs(n: int = 300, classes: int = 3, noise: float = 0.5, seed: int = 0):
    """``classes`` round Gaussian clusters of standard deviation ``noise``, their centres
    evenly spaced on a circle of radius 2, ``n`` points in all."""
    per, noise, rng = _made("blobs", n, classes, noise, seed, noise_max=100.0)
    clusters = []
    for k, m in enumerate(per):
        angle = 2.0 * math.pi * k / len(per)
        centre = 2.0 * np.array([math.cos(angle), math.sin(angle)])
        clusters.append(centre + noise * rng.standard_normal((m, 2)))
    return _labelled(clusters)


def arrays(X, y, owner: str = "data"):
    """Your own data, checked: ``X`` finite numbers of shape (n, features), ``y`` n integer
    class labels that use every value 0..k-1 (k >= 2). Returns float64 ``X`` and int64 ``y``;
    bad data raises a one-line ValueError naming the field."""
    try:
        X = np.array(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: X must be an array of numbers, shape (n, features)") from None
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{owner}: X must have shape (n, features), got shape {X.shape}")
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        row, col = bad[0]
        raise ValueError(f"{owner}: X must be finite, got {X[row, col]} at row {row}, column {col}")
    y = labels(owner, y, len(X))
    return X, y


def labels(owner: str, y, n: int) -> np.ndarray:
    """``y`` as n integer class labels 0..k-1 with every class present, or a one-line error."""
    try:
        values = np.asarray(y)
        if values.dtype == object or values.dtype.kind not in "biuf":
            raise TypeError
        values = values.astype(float).reshape(-1) if values.ndim else values.astype(float).reshape(1)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: y must be integer class labels 0..k-1, got {checks._short(y)}") from None
    if len(values) != n:
        raise ValueError(f"{owner}: y must hold one label per row of X ({n}), got {len(values)}")
    bad = np.flatnonzero(~np.isfinite(values) | (values != np.round(values)) | (values < 0))
    if len(bad):
        raise ValueError(f"{owner}: y must be integer class labels 0..k-1, got {values[bad[0]]:g} at row {bad[0]}")
    values = values.astype(np.int64)
    k = int(values.max()) + 1
    missing = sorted(set(range(k)) - set(np.unique(values).tolist()))
    if k < 2 or missing:
        what = f"class {missing[0]} has no point" if missing else "only one class"
        raise ValueError(f"{owner}: y must use every class label 0..k-1 with k >= 2; {what}")
    return values


def csv(path, label=-1, delimiter: str = ","):
    """A CSV file as ``(X, y)``: one point a row, numbers only; ``label`` is the label
    column, by index (default the last) or, when the first row is a header, by name. Every
    other column is a feature. The file is UTF-8 (a BOM is allowed), at most ``MAX_BYTES``,
    and read a line at a time."""
    owner = f"csv {Path(path).name or path}"
    if not isinstance(delimiter, str) or not delimiter or "\n" in delimiter or "\r" in delimiter:
        raise ValueError(f"{owner}: delimiter must be text such as ',' or ';', got {checks._short(delimiter)}")
    header, width, column, read = None, 0, 0, 0
    data = array.array("d")
    try:
        with _open(path, owner) as f:
            for number, line in enumerate(f, 1):
                read += len(line)
                if read > MAX_BYTES:            # (a file that grew since it was measured)
                    raise ValueError(_too_large(owner, read))
                if not line.strip():
                    continue
                row = [cell.strip() for cell in line.split(delimiter)]
                if not width:                   # the first row: a header, unless all numbers
                    width = len(row)
                    if width < 2:
                        raise ValueError(f"{owner}: needs at least two columns (features and a label)")
                    try:
                        [float(v) for v in row]
                    except ValueError:
                        header = row
                    column = _label_column(owner, label, header, width)
                    if header is not None:
                        continue
                if len(row) != width:
                    raise ValueError(f"{owner}: line {number} has {len(row)} columns, the first has {width}")
                try:
                    data.extend([float(v) for v in row])
                except ValueError:
                    raise ValueError(f"{owner}: line {number} holds something that is not a number: "
                                     f"{checks._short(delimiter.join(row))}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{owner}: cannot be read ({type(e).__name__}: {checks.one_line(e)})") from None
    if not width:
        raise ValueError(f"{owner}: the file is empty")
    data = np.frombuffer(data, dtype=float).reshape(-1, width).copy()
    return arrays(np.delete(data, column, axis=1), data[:, column], owner=owner)


_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFDIR: "a folder", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


def _open(path, owner: str):
    """The data file at ``path``, open to read as text, or a one-line ValueError: it must be
    a regular file (a named pipe would wait for a writer for ever, a device may never end)
    of at most ``MAX_BYTES``. The file is checked before it is opened, and once open (it may
    have been replaced in between); opening does not wait for a pipe's writer."""
    _regular(owner, os.stat(path))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        _regular(owner, os.fstat(fd))
        return open(fd, encoding="utf-8-sig")
    except BaseException:
        os.close(fd)
        raise


def _regular(owner: str, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
        raise ValueError(f"{owner}: is {kind}, not a regular file; give the path of a CSV file")
    if info.st_size > MAX_BYTES:
        raise ValueError(_too_large(owner, info.st_size))


def _too_large(owner: str, size: int) -> str:
    from .page import human_size
    return (f"{owner}: the file is {human_size(size)}, more than the {human_size(MAX_BYTES)} a data file may "
            f"be (datasets.MAX_BYTES); keep fewer points")


def _label_column(owner: str, label, header, width: int) -> int:
    """The index of the label column: ``label`` by index, or by name in the header."""
    if isinstance(label, str):
        if header is None or label not in header:
            raise ValueError(f"{owner}: label {label!r} names no column of the header "
                             f"{header if header else '(there is none)'}")
        return header.index(label)
    return checks.integer(owner, "label", label, -width, width - 1) % width
