r"""Curvature of a model's loss: Hessian-vector products, the top eigenpairs of the Hessian
(``Plane(directions="hessian")``), and sharpness, its top eigenvalue, along a path.

The Hessian is never formed. A product :math:`Hv` is the model's own when it has one (a
torch module: the gradient of the gradient's projection on :math:`v`, by autograd, exact,
its graph built once for a point and used for every product there); for any other model it
is the central difference of its exact gradient, :math:`(g(p + hv) - g(p - hv)) / 2h`, exact
for a quadratic and to about 1e-7 relative otherwise. The top eigenpairs come from Lanczos
iteration with full reorthogonalisation (PyHessian, Yao et al. 2020), started from a seeded
vector: exact when it runs D steps, which it does for up to ``LANCZOS_STEPS`` parameters.

Under full-batch gradient descent the top eigenvalue rises until it hovers at 2/lr, the edge
of stability (Cohen et al. 2021): a step of size lr is stable along a direction of curvature
:math:`\lambda` only while :math:`\lambda < 2/\mathrm{lr}`.
"""
from __future__ import annotations

import numpy as np

__all__ = ["as_model", "hvp", "hvps", "top_eigen", "top_eigens", "sharpness", "LANCZOS_STEPS", "SHARPNESS_STEPS"]

LANCZOS_STEPS = 40          # Krylov steps (at most D): enough for the top two of a small model
# The top eigenvalue alone converges first: 20 steps give it to 1e-12 relative (against 40)
# at every sampled point of the gallery's digits network, in half the time.
SHARPNESS_STEPS = 20
LANCZOS_BYTES = 256 << 20   # the most Krylov vectors held at once, over all points side by side


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
    return hvps(model, np.asarray(p, dtype=float)[None], np.asarray(v, dtype=float)[None])[0]


def hvps(model, P: np.ndarray, V: np.ndarray) -> np.ndarray:
    """The Hessian at each row of ``P`` (n, D) times the same row of ``V``: the model's own
    products when it has them (``hvp``), else central differences of its gradient, all 2n
    points in one call."""
    P, V = np.asarray(P, dtype=float), np.asarray(V, dtype=float)
    own = getattr(model, "hvp", None)
    if own is not None:
        return np.stack([np.asarray(own(p, v), dtype=float) for p, v in zip(P, V)])
    norms = np.linalg.norm(V, axis=1)
    # A step small against p's scale, large against rounding: the gradient's own error.
    h = 1e-5 * np.maximum(1.0, np.linalg.norm(P, axis=1) / np.sqrt(P.shape[1])) / np.where(norms > 0, norms, 1.0)
    g = model.gradient(np.concatenate([P + h[:, None] * V, P - h[:, None] * V]))
    out = (g[:len(P)] - g[len(P):]) / (2 * h[:, None])
    out[norms == 0] = 0.0
    return out


def top_eigen(model, p: np.ndarray, k: int = 2, steps: int = LANCZOS_STEPS, seed: int = 0):
    """The ``k`` largest eigenvalues of the Hessian at ``p`` (descending) and their unit
    eigenvectors, shape (k, D); each vector's sign fixed so that its largest entry is
    positive."""
    values, vectors = top_eigens(model, np.asarray(p, dtype=float)[None], k, steps, seed)
    return values[0], vectors[0]


def top_eigens(model, P: np.ndarray, k: int = 2, steps: int = LANCZOS_STEPS, seed: int = 0):
    """``top_eigen`` at each row of ``P`` (n, D): (values (n, k), vectors (n, k, D)).

    The points' iterations run side by side, so that each Lanczos step asks for every
    point's product in one call: a model that can fix its points and multiply by their
    Hessians again and again (``hvp_at(P)``, a torch module: the gradients' graph built once,
    each step one backward pass through it, ``hvp_points()`` points at a time) does so;
    any other, ``hvps`` (a numpy model: its gradient at 2n points at once). At most
    ``LANCZOS_BYTES`` of Krylov vectors are held at a time."""
    P = np.asarray(P, dtype=float)
    n, D = P.shape
    m = max(k, min(steps, D))
    values, vectors = np.zeros((n, k)), np.zeros((n, k, D))
    start = np.random.default_rng([seed, D]).standard_normal(D)
    start /= np.linalg.norm(start)
    at = getattr(model, "hvp_at", None)
    chunk = max(1, min(LANCZOS_BYTES // (8 * m * D), model.hvp_points() if at is not None else n))
    for lo in range(0, n, chunk):
        part = P[lo:lo + chunk]
        if at is not None:
            product = at(part)

            def products(live, V, part=part, product=product):
                full = np.zeros(part.shape)
                full[live] = V
                return product(full)[live]
        else:
            def products(live, V, part=part):
                return hvps(model, part[live], V)
        values[lo:lo + chunk], vectors[lo:lo + chunk] = _lanczos(products, len(part), k, m, start)
    return values, vectors


def _lanczos(products, n, k, m, start):
    """Lanczos with full reorthogonalisation at n points side by side; ``products(live, V)``
    is the Hessian at each point of ``live`` (indices) times the same row of V."""
    D = len(start)
    Q = np.zeros((n, m, D))
    alpha, beta = np.zeros((n, m)), np.zeros((n, m))
    q = np.tile(start, (n, 1))
    used = np.full(n, m)
    live = np.arange(n)
    for j in range(m):
        Q[live, j] = q[live]
        w = np.asarray(products(live, q[live]), dtype=float)
        a = np.einsum("nd,nd->n", w, q[live])
        alpha[live, j] = a
        w = w - a[:, None] * q[live] - (beta[live, j - 1, None] * Q[live, j - 1] if j else 0)
        basis = Q[live, :j + 1]
        for _ in range(2):                                 # full reorthogonalisation, twice
            w = w - np.einsum("njd,nj->nd", basis, np.einsum("njd,nd->nj", basis, w))
        b = np.linalg.norm(w, axis=1)
        stop = (b < 1e-12 * np.maximum(1.0, np.abs(a))) | (j + 1 == m)
        used[live[stop]] = j + 1                           # (an invariant subspace: exact)
        go = ~stop
        beta[live[go], j] = b[go]
        q[live[go]] = w[go] / b[go, None]
        live = live[go]
        if not len(live):
            break
    values, vectors = np.zeros((n, k)), np.zeros((n, k, D))
    for i in range(n):
        u = used[i]
        T = np.diag(alpha[i, :u]) + np.diag(beta[i, :u - 1], 1) + np.diag(beta[i, :u - 1], -1)
        found, basis = np.linalg.eigh(T)
        order = np.argsort(found)[::-1][:k]
        out = (Q[i, :u].T @ basis[:, order]).T
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        signs = np.sign(out[np.arange(len(out)), np.argmax(np.abs(out), axis=1)])
        values[i, :len(order)], vectors[i, :len(order)] = found[order], out * signs[:, None]
    return values, vectors


def sharpness(model, points, steps: int = SHARPNESS_STEPS, seed: int = 0) -> np.ndarray:
    """The top Hessian eigenvalue at each of ``points`` (n, D); NaN where a point is not
    finite (a run that diverged)."""
    points = np.asarray(points, dtype=float)
    out = np.full(len(points), np.nan)
    finite = np.isfinite(points).all(axis=1)
    if finite.any():
        out[finite] = top_eigens(model, points[finite], 1, steps, seed)[0][:, 0]
    return out
