r"""The 2D plane a model scene is drawn on, shared by every run and every view.

A model's runs move in D dimensions; a view draws a plane through parameter space, the loss
on it, and each run's path projected onto it. One plane serves every run of a scene, so
optimizers are compared on the same landscape (each run on its own PCA plane, as other tools
do, cannot be compared). ``Plane`` says which plane; ``Slice`` is the plane computed for one
simulation: a ``Surface`` over its two coordinates, which every view draws as it draws any
surface, with the runs' projected paths and how far each run is from the plane.

The plane passes through a centre c and is spanned by orthonormal directions u and v; a
point p has coordinates :math:`(a, b) = ((p - c)\cdot u, (p - c)\cdot v)` and lies
:math:`\lVert p - c - a u - b v\rVert` off the plane. The loss drawn at (a, b) is the loss at
:math:`c + a u + b v`, which for a run off the plane is not its loss: the loss panel and
the status line show the run's true loss, and the status line its distance from the plane.

Directions:

- ``"pca"`` (default): the first two principal directions of every run's path together,
  about the centre (the plane through c nearest every point of every path); each axis
  says the share of the paths' spread about c it explains.
- ``"random"``: two seeded Gaussian directions, filter-normalised (Li et al. 2018): for an
  MLP each unit's incoming weights and bias are scaled to the norm of that unit's at the
  centre; then made orthonormal. The window spans at least the filter-normalised length.
- ``"hessian"``: the top two eigenvectors of the loss's Hessian at the centre, its sharpest
  directions (``render.curvature``: Lanczos over Hessian-vector products); each axis says
  its eigenvalue.
- two given vectors ``(u, v)``: made orthonormal (v keeps only its part across u).
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from . import checks
from .models import MLP, Model
from .surfaces import Surface
from .trajectories import Trajectories

__all__ = ["Plane", "Slice", "CENTRES", "DIRECTIONS"]

DIRECTIONS = ("pca", "random", "hessian")
CENTRES = ("start", "best")
MARGIN = 0.25        # of the paths' extent, added on each side of the window
GRID_CAP = 120       # grid points per side at most: every one is a pass over the data
# A plane over a large model on much data is drawn on fewer points: a grid's points times the
# model's parameters times its data rows at most GRID_WORK (a 64-32-10 network on 1,797
# digits: 67 a side, a fifth of the work of 120), never fewer than GRID_FLOOR a side. A loss
# over such a plane is smooth at that scale; contours are interpolated between the points.
GRID_WORK = 2e10
GRID_FLOOR = 60
POINT_BYTES = 32 << 20   # parameter vectors handed to a model at once


@dataclasses.dataclass(frozen=True)
class Plane:
    """Which plane a model scene is drawn on.

    directions: "pca" (the paths' first two principal directions, default), "random"
    (seeded, filter-normalised) or two vectors (u, v) of the model's D parameters.
    centre: "start" (the runs' common start; the mean of their starts if they differ),
    "best" (the end of the run with the lowest final loss) or a vector of D parameters.
    seed: for "random". window: (amin, amax, bmin, bmax) in plane coordinates; default
    fits every path with a margin.
    """

    directions: Any = "pca"
    centre: Any = "start"
    seed: int = 0
    window: tuple | None = None

    def __post_init__(self):
        owner = "Plane"
        if isinstance(self.directions, str):
            if self.directions not in DIRECTIONS:
                raise ValueError(f"{owner}: directions must be 'pca', 'random', 'hessian' or two vectors (u, v), "
                                 f"got {self.directions!r}")
        else:
            try:
                u, v = self.directions
            except (TypeError, ValueError):
                raise ValueError(f"{owner}: directions must be 'pca', 'random', 'hessian' or two vectors (u, v), "
                                 f"got {checks._short(self.directions)}") from None
            object.__setattr__(self, "directions", (tuple(checks.vector(owner, "directions[0]", u)),
                                                    tuple(checks.vector(owner, "directions[1]", v))))
        if isinstance(self.centre, str):
            if self.centre not in CENTRES:
                raise ValueError(f"{owner}: centre must be 'start', 'best' or a vector of parameters, "
                                 f"got {self.centre!r}")
        else:
            object.__setattr__(self, "centre", tuple(checks.vector(owner, "centre", self.centre)))
        object.__setattr__(self, "seed", checks.integer(owner, "seed", self.seed, 0))
        if self.window is not None:
            object.__setattr__(self, "window", checks.window(owner, self.window))

    def check(self, model: Model) -> None:
        """A one-line error if the plane's vectors do not fit ``model``'s D parameters."""
        D = model.dims
        given = [("centre", self.centre)] if not isinstance(self.centre, str) else []
        if not isinstance(self.directions, str):
            given += [("directions[0]", self.directions[0]), ("directions[1]", self.directions[1])]
        for name, v in given:
            if len(v) != D:
                raise ValueError(f"Plane: {name} must hold the model's {D} parameters, got {len(v)}")
        if not isinstance(self.directions, str):
            _orthonormal(np.array(self.directions[0]), np.array(self.directions[1]))

    def place(self, model: Model, trajectories: Trajectories, starts: np.ndarray) -> "Slice":
        """This plane for one simulation of ``model`` (runs starting at ``starts``)."""
        self.check(model)
        P = trajectories.positions
        final = np.where(np.isfinite(trajectories.losses[:, -1]), trajectories.losses[:, -1], np.inf)
        best = int(np.argmin(final))
        if self.centre == "best" and np.isfinite(final[best]):
            centre, said = P[best, -1], "the best end"
        elif isinstance(self.centre, str):          # the start (also when every run diverged)
            if np.all(starts == starts[0]):
                centre, said = starts[0], "the start"
            else:
                centre, said = starts.mean(axis=0), "the mean start"
        else:
            centre, said = np.array(self.centre), "the given centre"
        scale = None
        if self.directions == "pca":
            u, v, shares = _principal(P, centre)
            labels = (f"PC1 ({100 * shares[0]:.0f}% of the spread)", f"PC2 ({100 * shares[1]:.0f}%)")
            how = f"principal directions of the paths, through {said}"
        elif self.directions == "random":
            d1, d2 = _random_directions(model, centre, self.seed)
            scale = (float(np.linalg.norm(d1)), float(np.linalg.norm(d2)))
            u, v = _orthonormal(d1, d2)
            labels = ("random direction 1", "random direction 2")
            how = f"random filter-normalised directions (seed {self.seed}), through {said}"
        elif self.directions == "hessian":
            from .curvature import top_eigen
            values, (d1, d2) = top_eigen(model, centre, 2, seed=self.seed)
            u, v = _orthonormal(d1, d2)
            labels = (f"Hessian eigenvector 1 (\u03bb = {values[0]:.3g})",
                      f"Hessian eigenvector 2 (\u03bb = {values[1]:.3g})")
            how = f"the loss's sharpest two directions (the Hessian's top eigenvectors) at {said}"
        else:
            u, v = _orthonormal(np.array(self.directions[0]), np.array(self.directions[1]))
            labels = ("direction u", "direction v")
            how = f"the given directions, through {said}"
        return Slice(model, centre, u, v, trajectories, labels, how, self.window, scale)


def _orthonormal(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """u and v made orthonormal (Gram-Schmidt, twice for accuracy), or a one-line error."""
    nu = np.linalg.norm(u)
    if not nu > 0:
        raise ValueError("Plane: directions[0] must not be zero")
    u = u / nu
    w = v - (v @ u) * u
    w = w - (w @ u) * u
    nw = np.linalg.norm(w)
    if not nw > 1e-10 * max(1.0, np.linalg.norm(v)):
        raise ValueError("Plane: the two directions must not be parallel")
    return u, w / nw


def _principal(P: np.ndarray, centre: np.ndarray):
    """The first two right singular vectors of every finite path point minus the centre,
    and the share of the sum of squares each explains. A path that never leaves the centre
    (or spans one direction only) gets the coordinate axes to fill the plane."""
    X = P.reshape(-1, P.shape[-1]) - centre
    X = X[np.all(np.isfinite(X), axis=1)]
    D = P.shape[-1]
    if len(X) and np.any(X):
        _, s, Vt = np.linalg.svd(X, full_matrices=False)
        total = float(np.sum(s * s))
        dirs = [Vt[k] for k in range(min(2, len(s))) if s[k] > 1e-12 * s[0]]
        shares = [float(s[k] ** 2 / total) for k in range(len(dirs))]
    else:
        dirs, shares = [], []
    for axis in range(D):                   # fill up with the axes, made orthogonal
        if len(dirs) == 2:
            break
        e = np.zeros(D)
        e[axis] = 1.0
        for d in dirs:
            e = e - (e @ d) * d
        if np.linalg.norm(e) > 1e-6:
            dirs.append(e / np.linalg.norm(e))
            shares.append(0.0)
    u, v = dirs
    # A sign fixed by the data, not by LAPACK: the largest entry of each is positive.
    u = u if u[np.argmax(np.abs(u))] > 0 else -u
    v = v if v[np.argmax(np.abs(v))] > 0 else -v
    return u, v, shares


def _random_directions(model: Model, centre: np.ndarray, seed: int):
    """Two seeded Gaussian directions, filter-normalised at ``centre``."""
    rng = np.random.default_rng([seed, model.dims])
    out = []
    for _ in range(2):
        d = rng.standard_normal(model.dims)
        out.append(_filter_normalised(model, d, centre))
    return out


def _filter_normalised(model: Model, d: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """``d`` with each filter scaled to the norm of the same filter of ``centre``: for an
    MLP, a unit's incoming weights and its bias; for a torch module, each row of a weight
    (an output unit or channel) and each one-axis parameter; for any other model, the whole
    vector."""
    d = d.copy()
    if isinstance(model, MLP):
        for (W, b), (dW, db) in zip(model.unflatten(centre), model.unflatten(d)):
            # Column j of W and b[j] feed unit j.
            theirs = np.sqrt(np.sum(W * W, axis=0) + b * b)
            ours = np.sqrt(np.sum(dW * dW, axis=0) + db * db)
            factor = theirs / np.where(ours > 0, ours, 1.0)
            dW *= factor
            db *= factor
        return d
    if hasattr(model, "filters"):          # (a torch module: each unit's or channel's weights)
        for theirs, ours in zip(model.filters(centre), model.filters(d)):
            norm = np.linalg.norm(ours)
            ours *= np.linalg.norm(theirs) / (norm if norm > 0 else 1.0)
        return d
    norm_c, norm_d = np.linalg.norm(centre), np.linalg.norm(d)
    return d * ((norm_c if norm_c > 0 else 1.0) / norm_d)


class Slice(Surface):
    """A model's loss on a plane: a Surface over the plane's coordinates (a, b).

    ``paths`` are the runs as a view draws them: positions projected onto the plane (runs,
    steps + 1, 2), the true losses, the gradients projected onto the plane; ``off[r, s]``
    is run r's distance from the plane at step s.
    """

    def __init__(self, model: Model, centre, u, v, trajectories: Trajectories, labels, how: str,
                 window=None, scale=None):
        self.model = model
        self.centre, self.u, self.v = (np.array(a, dtype=float) for a in (centre, u, v))
        for a in (self.centre, self.u, self.v):
            a.flags.writeable = False
        self.basis = np.stack([self.u, self.v], axis=1)               # (D, 2)
        self.name = model.name
        self.axis_labels = tuple(labels)
        self.how = how
        P = trajectories.positions
        with np.errstate(invalid="ignore"):
            coords = self.project(P)
            off = np.linalg.norm(P - self.centre - coords @ self.basis.T, axis=-1)
            gradients = trajectories.gradients @ self.basis
        self.paths = Trajectories(coords, trajectories.losses, gradients, trajectories.diverged_at)
        self.off = off
        self.off.flags.writeable = False
        self.window = window if window is not None else self._fit(coords, scale)
        self._grids: dict = {}

    def project(self, P) -> np.ndarray:
        """Plane coordinates of points P (..., D): shape (..., 2)."""
        return (np.asarray(P, dtype=float) - self.centre) @ self.basis

    def point(self, a, b) -> np.ndarray:
        """The parameters at plane coordinates (a, b): shape (..., D)."""
        a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        return self.centre + a[..., None] * self.u + b[..., None] * self.v

    def _fit(self, coords, scale) -> tuple[float, float, float, float]:
        """The square (the plane's axes are alike) around every finite path point and the
        centre, a MARGIN more on each side; for random directions, around their
        filter-normalised lengths either side of the centre too."""
        C = coords.reshape(-1, 2)
        extra = [[0.0, 0.0]]
        if scale is not None:
            extra += [[scale[0], 0.0], [-scale[0], 0.0], [0.0, scale[1]], [0.0, -scale[1]]]
        C = np.vstack([C[np.all(np.isfinite(C), axis=1)], extra])
        lo, hi = C.min(axis=0), C.max(axis=0)
        mid, half = (lo + hi) / 2, (hi - lo).max() / 2
        half = half * (1 + 2 * MARGIN) if half > 0 else 1.0
        return (float(mid[0] - half), float(mid[0] + half), float(mid[1] - half), float(mid[1] + half))

    def value(self, a, b):
        return self._by_chunks(self.model.loss, a, b)

    def gradient(self, a, b):
        g = self._by_chunks(lambda P: self.model.gradient(P) @ self.basis, a, b)
        return g[..., 0], g[..., 1]

    def _by_chunks(self, f, a, b):
        """``f`` of the parameters at every (a, b), a chunk of points at a time: a grid of
        120 x 120 points of 10^4 parameters is 1.2 GB of vectors at once, 32 MiB a chunk."""
        a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        if a.size == 0:
            with np.errstate(all="ignore"):
                return np.asarray(f(self.point(a, b)))
        flat_a, flat_b = a.reshape(-1), b.reshape(-1)
        rows = max(1, POINT_BYTES // (8 * len(self.centre)))
        parts = []
        with np.errstate(all="ignore"):
            for k in range(0, len(flat_a), rows):
                parts.append(np.asarray(f(self.point(flat_a[k:k + rows], flat_b[k:k + rows]))))
        out = np.concatenate(parts) if parts else np.empty(0)
        return out.reshape(a.shape + out.shape[1:])

    def grid(self, n: int = 200, window=None):
        """X, Y, Z over the window at up to GRID_CAP points a side (each point is a pass of
        the model over its data; fewer for a large model, GRID_WORK), kept for whoever asks again in this process."""
        rows = len(getattr(self.model, "X", ())) or 1
        affordable = int(math.sqrt(GRID_WORK / (self.model.dims * rows)))
        n = min(int(n), GRID_CAP, max(affordable, GRID_FLOOR))
        window = tuple(self.window if window is None else window)
        key = (n, window)
        if key not in self._grids:
            X, Y, Z = super().grid(n, window)
            for a in (X, Y, Z):
                a.flags.writeable = False
            self._grids[key] = (X, Y, Z)
        return self._grids[key]

    @property
    def latex(self) -> str:
        return self.model.latex

    def __repr__(self):
        return f"<slice of {self.model!r}: {self.how}>"
