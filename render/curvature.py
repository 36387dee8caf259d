r"""Curvature of a model's loss: Hessian-vector products, the top eigenpairs of the Hessian
(``Plane(directions="hessian")``), and sharpness, its top eigenvalue, along a path.

The Hessian is never formed. A product :math:`Hv` is the model's own when it has one (a
torch module: forward-over-reverse, ``torch.func.jvp`` of ``torch.func.grad``, exact); for
any other model it is the central difference of its exact gradient,
:math:`(g(p + hv) - g(p - hv)) / 2h`, exact for a quadratic and to about 1e-7 relative
otherwise. The top eigenpairs come from Lanczos iteration with full reorthogonalisation
(PyHessian, Yao et al. 2020), started from a seeded vector: exact when it runs D steps, which
it does for up to ``LANCZOS_STEPS`` parameters.

Under full-batch gradient descent the top eigenvalue rises until it hovers at 2/lr, the edge
of stability (Cohen et al. 2021): a step of size lr is stable along a direction of curvature
:math:`\lambda` only while :math:`\lambda < 2/\mathrm{lr}`.
"""
from __future__ import annotations

import numpy as np

__all__ = ["as_model", "hvp", "top_eigen", "sharpness", "LANCZOS_STEPS"]

LANCZOS_STEPS = 40          # Krylov steps (at most D): enough for the top two of a small model


class _Plane2D:
    """A surface of (x, y) as a model of two parameters: ``gradient(P)`` of rows (x, y)."""

    def __init__(self, surface):
        self.surface = surface

    def gradient(self, P, step=None):
        P = np.asarray(P, dtype=float)
        gx, gy = self.surface.gradient(P[:, 0], P[:, 1])
        return np.stack(np.broadcast_arrays(gx, gy, P[:, 0])[:2], axis=1)


def as_model(surface):
    """``surface`` as curvature reads it: a model as it is, a surface of (x, y) as a model
    of two parameters."""
    return surface if hasattr(surface, "dims") else _Plane2D(surface)


def hvp(model, p: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The Hessian of ``model``'s loss at ``p`` times ``v`` (both of D numbers)."""
    p, v = np.asarray(p, dtype=float), np.asarray(v, dtype=float)
    own = getattr(model, "hvp", None)
    if own is not None:
        return np.asarray(own(p, v), dtype=float)
    norm = np.linalg.norm(v)
    if norm == 0:
        return np.zeros_like(v)
    # A step small against p's scale, large against rounding: the gradient's own error.
    h = 1e-5 * max(1.0, np.linalg.norm(p) / np.sqrt(len(p))) / norm
    g = model.gradient(np.stack([p + h * v, p - h * v]))
    return (g[0] - g[1]) / (2 * h)


def top_eigen(model, p: np.ndarray, k: int = 2, steps: int = LANCZOS_STEPS, seed: int = 0):
    """The ``k`` largest eigenvalues of the Hessian at ``p`` (descending) and their unit
    eigenvectors, shape (k, D); each vector's sign fixed so that its largest entry is
    positive."""
    p = np.asarray(p, dtype=float)
    D = len(p)
    m = max(k, min(steps, D))
    Q = np.zeros((m, D))
    alpha, beta = np.zeros(m), np.zeros(m)
    q = np.random.default_rng([seed, D]).standard_normal(D)
    q /= np.linalg.norm(q)
    used = m
    for j in range(m):
        Q[j] = q
        w = hvp(model, p, q)
        alpha[j] = w @ q
        w = w - alpha[j] * q - (beta[j - 1] * Q[j - 1] if j else 0)
        w = w - Q[:j + 1].T @ (Q[:j + 1] @ w)          # full reorthogonalisation, twice
        w = w - Q[:j + 1].T @ (Q[:j + 1] @ w)
        b = np.linalg.norm(w)
        if j + 1 == m or b < 1e-12 * max(1.0, abs(alpha[j])):
            used = j + 1                                   # (an invariant subspace: exact)
            break
        beta[j] = b
        q = w / b
    T = np.diag(alpha[:used]) + np.diag(beta[:used - 1], 1) + np.diag(beta[:used - 1], -1)
    values, vectors = np.linalg.eigh(T)
    order = np.argsort(values)[::-1][:k]
    out = (Q[:used].T @ vectors[:, order]).T
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    signs = np.sign(out[np.arange(len(out)), np.argmax(np.abs(out), axis=1)])
    return values[order], out * signs[:, None]


def sharpness(model, points, steps: int = LANCZOS_STEPS, seed: int = 0) -> np.ndarray:
    """The top Hessian eigenvalue at each of ``points`` (n, D); NaN where a point is not
    finite (a run that diverged)."""
    points = np.asarray(points, dtype=float)
    out = np.full(len(points), np.nan)
    for i, p in enumerate(points):
        if np.isfinite(p).all():
            out[i] = top_eigen(model, p, 1, steps, seed)[0][0]
    return out
