r"""Model losses in D dimensions: a multi-layer perceptron on data, or any loss you write.

A model is what a scene's runs train: ``loss(P)`` and ``gradient(P)`` for parameter vectors
``P`` of shape (..., D), vectorised over the leading axes (every run of a scene at once),
and ``init``, a start of shape (D,). A scene over a model runs its optimizers in all D
dimensions; ``render.planes`` puts their paths on one 2D plane to draw them.

- ``MLP(X, y, hidden=(16,), activation="leaky_relu", seed=0)``: mean softmax cross-entropy
  of a perceptron with a linear output layer, on integer labels ``y``; exact gradients by
  backpropagation; minibatches as an option, the same for every run of a scene.
- ``Model(loss, gradient=None, init=...)``: any loss over (runs, D); without ``gradient``
  it is differentiated exactly, by forward-mode automatic differentiation.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import autodiff, checks, datasets

__all__ = ["MLP", "Model", "ACTIVATIONS", "LEAKY_SLOPE", "minibatch", "rows"]

LEAKY_SLOPE = 0.01          # torch.nn.LeakyReLU's default negative slope
ACTIVATIONS = ("leaky_relu", "relu", "tanh")
_PRETTY = {"leaky_relu": "Leaky ReLU", "relu": "ReLU", "tanh": "tanh"}
CHUNK_BYTES = 32 << 20      # the largest array a batch of forward passes holds at once
MAX_PARAMETERS = checks.MAX_VECTOR


class Model:
    """A loss over parameter vectors of D numbers.

    ``loss(P)`` takes P of shape (runs, D) and returns (runs,); ``gradient(P)``, if given,
    returns (runs, D). Without it the gradient is exact by forward-mode automatic
    differentiation (the loss is run once for every two parameters, on dual numbers: write
    it with numpy's ufuncs, indexing, ``np.sum``/``np.mean`` and ``@``). ``init`` is the
    start, shape (D,). ``window`` is not a model's: a scene draws a model on a plane.
    """

    name = "model"
    latex = ""
    # True when the gradient at a step is of a minibatch (``gradient(P, step)``).
    stochastic = False
    # Not known in D dimensions; a surface's minima are marked, a model's are not.
    minima: tuple = ()

    def __init__(self, loss: Callable, gradient: Callable | None = None, init=None,
                 name: str = "model", latex: str = ""):
        owner = "Model"
        if not callable(loss):
            raise ValueError(f"{owner}: loss must be a function of P, shape (runs, D), got {loss!r}")
        if gradient is not None and not callable(gradient):
            raise ValueError(f"{owner}: gradient must be a function of P or None, got {gradient!r}")
        if init is None:
            raise ValueError(f"{owner}: init must be the start, a vector of the D parameters")
        self._loss, self._gradient = loss, gradient
        self.init = checks.vector(owner, "init", init, MAX_PARAMETERS)
        self.name = checks.text(owner, "name", name) or "model"
        self.latex = checks.text(owner, "latex", latex, checks.MAX_FORMULA) or ""
        # A loss that cannot run, or returns the wrong thing, fails here, not mid-render.
        out = checks.attempt(owner, "loss(P)", loss, self.init[None], advice=_advice(gradient is None))
        if out is not checks.SKIPPED:
            self._losses(out, self.init[None])

    @property
    def dims(self) -> int:
        return len(self.init)

    def loss(self, P) -> np.ndarray:
        P, shape = rows(P, self.dims)
        return self._losses(self._loss(P), P).reshape(shape[:-1])

    def gradient(self, P, step: int | None = None) -> np.ndarray:
        P, shape = rows(P, self.dims)
        if self._gradient is not None:
            out = self._gradients(self._gradient(P), P)
        else:
            out = _forward_gradient(self._loss, P)
        return out.reshape(shape)

    def check(self) -> None:
        """The gradient at the start, taken as the simulation takes it (by ``gradient``, or
        on forward-mode values): code that cannot run so is one line naming where it
        failed, before any work (a Scene asks)."""
        P = self.init[None]
        if self._gradient is not None:
            out = checks.attempt("Model", "gradient(P)", self._gradient, P, advice=_advice(False))
            if out is not checks.SKIPPED:
                self._gradients(out, P)
            return
        first = np.zeros(self.dims)
        first[0] = 1.0
        out = checks.attempt("Model", "loss(P)", self._loss, autodiff.Dual(P, first[None], 0.0),
                             advice=_advice(True))
        if out is not checks.SKIPPED:
            self._losses(out.value if isinstance(out, autodiff.Dual) else out, P)

    @staticmethod
    def _losses(out, P) -> np.ndarray:
        """What the loss returned, as one number per row of P (a writable array), or a
        one-line ValueError saying what it was instead."""
        out = _floats(out, "loss(P)", "one number per row of P", "numbers, one per row of P")
        if out.shape not in ((), (len(P),)):
            raise ValueError(f"Model: loss must return one number per row of P, got shape {out.shape} "
                             f"for P of shape {P.shape}")
        return out if out.shape == (len(P),) else np.full(len(P), out)

    @staticmethod
    def _gradients(out, P) -> np.ndarray:
        """What the given gradient returned, as one gradient per row of P, (rows, D)."""
        out = _floats(out, "gradient(P)", "one gradient per row of P", "numbers")
        if out.shape == P.shape:
            return out
        if out.shape[-1:] != P.shape[-1:] or out.ndim > 2 or (out.ndim == 2 and len(out) != 1):
            raise ValueError(f"Model: gradient(P) must return one gradient per row of P, shape {P.shape}, "
                             f"got shape {out.shape}")
        return np.broadcast_to(out, P.shape).copy()

    def __repr__(self):
        return f"<model {self.name}, {self.dims} parameters>"


def _advice(forward: bool) -> str:
    """What to do about a loss (or gradient) that cannot run as the simulation runs it."""
    return (f"it is evaluated on arrays P of shape (runs, D){' and forward-mode values' if forward else ''}: "
            f"use numpy's functions (np.sin, not math.sin; np.where, not if)")


def rows(P, dims: int) -> tuple[np.ndarray, tuple]:
    """P as (rows, D) float64, and the shape to give results back in."""
    P = np.asarray(P, dtype=float)
    if P.shape[-1:] != (dims,):
        raise ValueError(f"model: parameters must have shape (..., {dims}), got {P.shape}")
    return P.reshape(-1, dims), P.shape


def minibatch(n: int, size: int | None, seed: int, step: int) -> np.ndarray:
    """The indices, of ``n`` points, in step ``step``'s minibatch of ``size`` (steps count
    from 1; None: all of them): every epoch a shuffle seeded by ``seed`` and the epoch, taken
    ``size`` at a time. The same for every run of a scene: a fair race."""
    size = size or n
    per_epoch = -(-n // size)
    epoch, k = divmod(int(step) - 1, per_epoch)
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return order[k * size: (k + 1) * size]


def _floats(out, call: str, wanted: str, numbers: str) -> np.ndarray:
    """What ``call`` returned as float64, or a one-line ValueError: it returned None (it must
    return ``wanted``), or no numbers (it must return ``numbers``)."""
    if out is None:
        raise ValueError(f"Model: {call} returned None; it must return {wanted} (is a return missing?)")
    try:
        return np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"Model: {call} must return {numbers}, got {checks._short(out)}") from None


def _forward_gradient(loss: Callable, P: np.ndarray) -> np.ndarray:
    """The gradient of ``loss`` at each row of P, exact to rounding: forward mode, two
    parameters a pass (the dual numbers of ``render.autodiff`` carry two partials)."""
    rows, D = P.shape
    out = np.zeros((rows, D))
    for j in range(0, D, 2):
        k = min(j + 1, D - 1)
        # The unit directions of parameters j and k (no D x D identity: D may be large).
        ej, ek = np.zeros(D), np.zeros(D)
        ej[j] = 1.0
        ek[k] = 1.0 if k != j else 0.0
        dx = np.broadcast_to(ej, P.shape)
        dy = np.broadcast_to(ek, P.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = loss(autodiff.Dual(P, dx, dy))
        if value is None:
            raise ValueError("Model: loss(P) returned None; it must return one number per row of P "
                             "(is a return missing?)")
        if isinstance(value, autodiff.Dual):
            out[:, j] = np.broadcast_to(value.dx, (rows,))
            if k != j:
                out[:, k] = np.broadcast_to(value.dy, (rows,))
    return out


class MLP(Model):
    r"""A multi-layer perceptron's mean softmax cross-entropy on a classification data set.

    Layers compute :math:`h_{l+1} = \phi(h_l W_l + b_l)`, with :math:`W_l` of shape
    (fan_in, fan_out), ``activation`` :math:`\phi` between layers (Leaky ReLU of slope 0.01,
    ReLU or tanh) and none after the last, whose k outputs are the logits z:

    .. math:: L(p) = \frac{1}{n}\sum_i \Big(\log \sum_c e^{z_{ic}} - z_{i y_i}\Big)
              + \frac{\lambda}{2}\lVert p\rVert^2

    (``l2`` is :math:`\lambda`, so it adds :math:`\lambda p` to the gradient, like a weight
    decay). The parameter vector p holds each layer's W (row-major), then its b, layer by
    layer; ``unflatten`` gives them back. ``init`` is seeded like torch's ``nn.Linear``:
    uniform in :math:`\pm 1/\sqrt{\text{fan\_in}}`.

    With ``batch_size``, the gradient at step t (``gradient(P, step=t)``) is the mean over
    that step's minibatch: every epoch the points are shuffled (seeded by ``batch_seed``
    and the epoch) and taken ``batch_size`` at a time. Every run of a scene gets the same
    minibatch at the same step, so the race is fair; the loss is always the whole data's.
    """

    name = "mlp"

    def __init__(self, X, y, hidden=(16,), activation: str = "leaky_relu", seed: int = 0,
                 l2: float = 0.0, batch_size: int | None = None, batch_seed: int = 0, name: str | None = None):
        owner = "MLP"
        self.X, self.y = datasets.arrays(X, y, owner=owner)
        self.classes = int(self.y.max()) + 1
        if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
            hidden = (hidden,)
        try:
            hidden = tuple(hidden)
        except TypeError:
            raise ValueError(f"{owner}: hidden must be a list of layer widths such as (16,), got {hidden!r}") from None
        self.hidden = tuple(checks.integer(owner, f"hidden[{i}]", h, 1, 4096) for i, h in enumerate(hidden))
        if activation not in ACTIVATIONS:
            raise ValueError(f"{owner}: activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.seed = checks.integer(owner, "seed", seed, 0)
        self.l2 = checks.number(owner, "l2", l2, 0)
        n = len(self.X)
        self.batch_size = None if batch_size is None else checks.integer(owner, "batch_size", batch_size, 1, n)
        self.batch_seed = checks.integer(owner, "batch_seed", batch_seed, 0)
        self.stochastic = self.batch_size is not None and self.batch_size < n
        widths = (self.X.shape[1], *self.hidden, self.classes)
        self.name = checks.text(owner, "name", name) or \
            f"{'-'.join(str(w) for w in widths)} MLP ({_PRETTY[activation]})"
        self.shapes = tuple(zip(widths[:-1], widths[1:]))          # (fan_in, fan_out) per layer
        dims = sum(a * b + b for a, b in self.shapes)
        if dims > MAX_PARAMETERS:
            raise ValueError(f"{owner}: the network has {dims} parameters; at most {MAX_PARAMETERS}")
        rng = np.random.default_rng(self.seed)
        parts = []
        for a, b in self.shapes:
            bound = 1.0 / math.sqrt(a)
            parts += [rng.uniform(-bound, bound, a * b), rng.uniform(-bound, bound, b)]
        self.init = np.concatenate(parts)
        self.init.flags.writeable = False
        self._onehot = np.eye(self.classes)[self.y].T.copy()     # (k, n)

    latex = r"-\frac{1}{n}\sum_i \log\,\mathrm{softmax}(z_i)_{y_i}"

    def check(self) -> None:
        """Nothing to try: the network's loss and gradient are this module's own."""

    def describe(self) -> str:
        sizes = "-".join(str(w) for w in (self.X.shape[1], *self.hidden, self.classes))
        return f"{sizes} MLP ({self.activation}, {len(self.X)} points, {self.dims} parameters)"

    def unflatten(self, p) -> list[tuple[np.ndarray, np.ndarray]]:
        """The layers of parameter vector ``p`` (shape (D,), or (..., D)): [(W, b), ...], W of
        shape (..., fan_in, fan_out), b of shape (..., fan_out). Views of ``p``, not copies."""
        p = np.asarray(p, dtype=float)
        if p.shape[-1:] != (self.dims,):
            raise ValueError(f"MLP: a parameter vector must have {self.dims} numbers, got shape {p.shape}")
        layers, at = [], 0
        for a, b in self.shapes:
            W = p[..., at: at + a * b].reshape(p.shape[:-1] + (a, b))
            at += a * b
            layers.append((W, p[..., at: at + b]))
            at += b
        return layers

    # --- the network ---------------------------------------------------------------------

    # Activations are laid out (rows, width, points): the points, many, are the last axis,
    # so every elementwise pass and every per-class slice runs over contiguous memory, and the
    # first layer of every row at once is one matrix product.

    def _act(self, pre):
        if self.activation == "tanh":
            return np.tanh(pre)
        if self.activation == "relu":
            return np.maximum(pre, 0.0)
        return np.maximum(pre, LEAKY_SLOPE * pre)        # the slope is below 1

    def _act_slope(self, pre, out):
        """The activation's derivative, as torch's backward takes it (at 0: ReLU 0, Leaky
        ReLU its slope)."""
        if self.activation == "tanh":
            return 1.0 - out * out
        if self.activation == "relu":
            return (pre > 0).astype(float)
        return np.where(pre > 0, 1.0, LEAKY_SLOPE)

    def _chunks(self, rows: int, points: int):
        """Slices of the rows such that one chunk's activations stay under CHUNK_BYTES."""
        widest = max(max(b for _, b in self.shapes), self.X.shape[1])
        step = max(1, CHUNK_BYTES // (8 * points * widest * (len(self.shapes) + 2)))
        for start in range(0, rows, step):
            yield slice(start, min(rows, start + step))

    def forward(self, P, X=None) -> np.ndarray:
        """The logits of each parameter row at each point: shape (..., n, k)."""
        X = self.X if X is None else np.asarray(X, dtype=float)
        P, shape = rows(P, self.dims)
        out = np.empty((len(P), len(X), self.classes))
        for sl in self._chunks(len(P), len(X)):
            out[sl] = np.swapaxes(self._forward(P[sl], X)[-1][1], 1, 2)
        return out.reshape(shape[:-1] + out.shape[1:])

    def _forward(self, P, X):
        """Each layer's (pre-activation, output), (rows, width, points); the input first, as
        (None, X transposed)."""
        layers = self.unflatten(P)
        rows = len(P)
        h = np.ascontiguousarray(X.T)
        trace = [(None, h)]
        for i, (W, b) in enumerate(layers):
            Wt = np.swapaxes(W, 1, 2)                            # (rows, fan_out, fan_in)
            if i == 0:
                pre = (Wt.reshape(-1, Wt.shape[2]) @ h).reshape(rows, Wt.shape[1], -1)
            else:
                pre = np.matmul(Wt, h)
            pre += b[:, :, None]
            h = pre if i == len(layers) - 1 else self._act(pre)
            trace.append((pre, h))
        return trace

    def _cross_entropy(self, z, onehot):
        """Per row, the mean cross-entropy of logits z (rows, k, n), and softmax(z)."""
        top = z.max(axis=1, keepdims=True)
        e = np.exp(z - top)
        total = e.sum(axis=1, keepdims=True)
        lse = np.log(total[:, 0]) + top[:, 0]
        picked = np.sum(z * onehot, axis=1)
        return (lse - picked).mean(axis=-1), e / total

    def loss(self, P) -> np.ndarray:
        P, shape = rows(P, self.dims)
        out = np.empty(len(P))
        with np.errstate(over="ignore", invalid="ignore"):
            for sl in self._chunks(len(P), len(self.X)):
                z = self._forward(P[sl], self.X)[-1][1]
                out[sl] = self._cross_entropy(z, self._onehot)[0]
            if self.l2:
                out += 0.5 * self.l2 * np.sum(P * P, axis=-1)
        return out.reshape(shape[:-1])

    def batch(self, step: int) -> np.ndarray:
        """The indices of the points in step ``step``'s minibatch (steps count from 1)."""
        return minibatch(len(self.X), self.batch_size, self.batch_seed, step)

    def gradient(self, P, step: int | None = None) -> np.ndarray:
        """The exact gradient of the loss (of step ``step``'s minibatch when the model has
        ``batch_size`` and a step is given; of the whole data otherwise), by backpropagation."""
        P, shape = rows(P, self.dims)
        X, onehot = self.X, self._onehot
        if self.stochastic and step is not None:
            chosen = self.batch(step)
            X, onehot = X[chosen], onehot[:, chosen]
        out = np.empty_like(P)
        with np.errstate(over="ignore", invalid="ignore"):
            for sl in self._chunks(len(P), len(X)):
                out[sl] = self._backward(P[sl], X, onehot)
            if self.l2:
                out += self.l2 * P
        return out.reshape(shape)

    def _backward(self, P, X, onehot) -> np.ndarray:
        trace = self._forward(P, X)
        layers = self.unflatten(P)
        rows = len(P)
        _, soft = self._cross_entropy(trace[-1][1], onehot)
        delta = (soft - onehot) / len(X)                      # dL/dz, (rows, k, n)
        grads = []
        for i in range(len(layers) - 1, -1, -1):
            W, _ = layers[i]
            h = trace[i][1]
            if i == 0:                                        # h is X transposed, (features, n)
                dWt = (delta.reshape(-1, delta.shape[2]) @ h.T).reshape(rows, delta.shape[1], -1)
            else:
                dWt = np.matmul(delta, np.swapaxes(h, 1, 2))
            grads.append((np.swapaxes(dWt, 1, 2), delta.sum(axis=2)))
            if i:
                pre, out = trace[i]
                delta = np.matmul(W, delta) * self._act_slope(pre, out)
        flat = []
        for dW, db in reversed(grads):
            flat += [dW.reshape(rows, -1), db]
        return np.concatenate(flat, axis=1)

    def predict(self, p, X) -> np.ndarray:
        """The class each point of X gets from parameter vector ``p``: shape (n,)."""
        return np.argmax(self.forward(np.asarray(p, dtype=float)[None], X)[0], axis=-1)

    def __repr__(self):
        return f"<model {self.describe()}>"
