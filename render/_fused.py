"""Private: many runs of many rules advanced as one array, for the simulation.

The readable rules live in ``render.optimizers``, one class each. This module only makes
them fast in bulk, and is tested to give their results bit for bit:

- GD, Momentum, Nesterov, Adagrad, plain RMSprop and Adam are one arithmetic with different
  coefficients (``Moments``), so runs of all six kinds stack into one (runs, D) array and a
  mixed race costs one set of array operations per step. Stages whose coefficients are
  neutral for every run are skipped, and bias corrections stop once they round to exactly 1.
- Runs of any other rule stack with their hyperparameters as per-run columns, except those
  that enter a power (betas, momentum_decay), which must agree within a stack (see
  ``_Powers`` for why).

``stack(optimizers, dims)`` returns a rule with the optimizers' ``init / probes / update``
interface over all their runs; ``group_key`` says which optimizers may share a stack.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, NamedTuple

import numpy as np

from . import optimizers as opt

__all__ = ["Moments", "coefficients", "group_key", "stack"]


class Moments(NamedTuple):
    r"""Coefficients of the one arithmetic behind GD, Momentum, Nesterov, Adagrad, RMSprop and Adam.

    .. math::
        p_t = x_t - \ell\, m_{t-1}, \qquad g_t = \nabla f(p_t) + \lambda x_t \\
        m_t = a_1 m_{t-1} + b_1 g_t \;(m_1 = f_1 g_1), \qquad s_t = a_2 s_{t-1} + b_2 g_t^2 \;(s_0 = \sigma_0) \\
        c_{1,t} = 1 - \beta_1^t + (t-1)\,\delta, \qquad c_{2,t} = 1 - \beta_2^t \\
        x_{t+1} = x_t - \frac{\eta}{c_{1,t}}\,\frac{m_t}{\sqrt{s_t}/\sqrt{c_{2,t}} + \epsilon}

    A stage whose coefficients are neutral is skipped (no first moment: m = g; no second
    moment: the denominator is 1).
    """
    lr: Any                      # eta
    look: Any = 0.0              # ell: look-ahead along the first moment (Nesterov)
    weight_decay: Any = 0.0      # lambda
    a1: Any = 0.0
    b1: Any = 1.0
    first: Any = 1.0             # f_1: the first step's b1 (torch's momentum buffer starts at g)
    a2: Any = 0.0
    b2: Any = 0.0
    s0: Any = 0.0
    beta1: Any = 0.0
    decay: Any = 0.0             # delta: Adagrad's learning-rate decay
    beta2: Any = 0.0
    eps: Any = 0.0

    def stages(self) -> dict[str, bool]:
        """Which stages do any work (False means every run has the neutral coefficients)."""
        def on(name, neutral):
            return bool(np.any(np.asarray(getattr(self, name)) != neutral))
        return {
            "look": on("look", 0.0),
            "weight_decay": on("weight_decay", 0.0),
            "first": on("a1", 0.0) or on("b1", 1.0) or on("first", 1.0),
            "second": on("a2", 0.0) or on("b2", 0.0) or on("s0", 0.0),
            "bias1": on("beta1", 0.0) or on("decay", 0.0),
            "bias2": on("beta2", 0.0),
        }


def coefficients(o: opt.Optimizer) -> Moments | None:
    """The optimizer as Moments coefficients, or None when its rule is not of that form."""
    kind = type(o)
    if kind is opt.GD:
        return Moments(lr=o.lr, weight_decay=o.weight_decay)
    if kind is opt.Momentum:
        return Moments(lr=o.lr, weight_decay=o.weight_decay, a1=o.momentum, b1=1 - o.dampening,
                       first=1.0)
    if kind is opt.Nesterov:
        return Moments(lr=1.0, look=o.momentum, a1=o.momentum, b1=o.lr, first=o.lr)
    if kind is opt.Adagrad:
        return Moments(lr=o.lr, weight_decay=o.weight_decay, a2=1.0, b2=1.0,
                       s0=o.initial_accumulator_value, decay=o.lr_decay, eps=o.eps)
    if kind is opt.RMSprop and not o.centered and o.momentum == 0:
        return Moments(lr=o.lr, weight_decay=o.weight_decay, a2=o.alpha, b2=1 - o.alpha, eps=o.eps)
    if kind is opt.Adam and not o.amsgrad:
        b1, b2 = o.betas
        return Moments(lr=o.lr, weight_decay=o.weight_decay, a1=b1, b1=1 - b1, first=1 - b1,
                       a2=b2, b2=1 - b2, beta1=b1, beta2=b2, eps=o.eps)
    return None


# Hyperparameters that enter a power: runs stacked as columns must share them.
_POWERED = ("betas", "momentum_decay", "beta2_decay")


def group_key(o: opt.Optimizer, readable: bool = False) -> tuple:
    """Runs whose optimizers share this key can advance as one array.

    Every rule that is a choice of ``Moments`` shares one key, whatever its class, unless
    ``readable`` asks for the rule's own class (whose hyperparameters may then change
    between steps: a schedule's learning rate).
    """
    if not readable and coefficients(o) is not None:
        return (Moments,)
    return ((type(o),) + tuple(getattr(o, name) for name in o.structural)
            + tuple(getattr(o, name, None) for name in _POWERED))


class _Powers:
    """f(beta) for a scalar beta or a column of per-run betas, evaluated in Python floats
    once per distinct value.

    numpy picks SIMD code for ``power`` by CPU at run time, and on some CPUs it rounds the
    last bit differently from the C library, so a stacked run would drift from the same run
    alone (and from torch, which uses Python floats here).
    """

    def __init__(self, beta):
        if np.ndim(beta) == 0:
            self.values, self.index = (float(beta),), None
        else:
            values, index = np.unique(np.asarray(beta)[:, 0], return_inverse=True)
            self.values, self.index = tuple(values.tolist()), index

    def __call__(self, f):
        if self.index is None:
            return f(self.values[0])
        return np.array([f(v) for v in self.values])[self.index][:, None]


def _settled(beta) -> int:
    """First step t from which 1 - beta**t rounds to exactly 1.0 for every beta given.

    From then on a bias correction is a multiplication by one, so skipping it changes no bit.
    """
    worst = float(np.max(beta))
    if worst <= 0.0:
        return 1
    t = max(1, int(math.log(2.0 ** -54) / math.log(worst)) - 2)
    while 1 - worst ** t != 1.0:
        t += 1
    return t


class MomentState(NamedTuple):
    count: int
    m: np.ndarray             # first moment (Nesterov: the velocity)
    s: np.ndarray             # second moment


class _Kernel:
    """Moments coefficients with their active stages resolved once, applied every step."""

    # Coefficients that multiply arrays every step. numpy combines an array with a 0-d array
    # faster than with a Python float (no scalar conversion per call), same bits.
    _ARRAY_FACING = ("look", "weight_decay", "a1", "b1", "first", "a2", "b2", "s0", "eps")

    def __init__(self, moments: Moments):
        self.k = moments._replace(**{name: np.asarray(getattr(moments, name), dtype=float)
                                     for name in self._ARRAY_FACING})
        st = moments.stages()
        self.looks_ahead = st["look"]
        self.wd, self.first, self.second = st["weight_decay"], st["first"], st["second"]
        self.decay = bool(np.any(np.asarray(moments.decay) != 0.0))
        # Bias corrections fade to exactly 1; past these steps they are skipped.
        self.bias1_until = 0 if not st["bias1"] else (
            math.inf if self.decay else _settled(moments.beta1))
        self.bias2_until = _settled(moments.beta2) if st["bias2"] else 0
        self.beta1, self.beta2 = _Powers(moments.beta1), _Powers(moments.beta2)
        self.neg_lr = np.asarray(-moments.lr, dtype=float)

    def init(self, params):
        s = _zeros(params) + self.k.s0 if self.second else _zeros(params)
        return MomentState(0, _zeros(params), s)

    def probes(self, params, state):
        if self.looks_ahead:
            return (params - self.k.look * state.m)[None]
        return params[None]

    def update(self, grads, state, params):
        k = self.k
        g = grads[0]
        if self.wd:
            g = g + k.weight_decay * params
        count = state.count + 1
        if not self.first:
            m = g
        elif count == 1:
            m = k.first * g
        else:
            m = k.a1 * state.m + k.b1 * g
        step = self.neg_lr
        if count < self.bias1_until:
            c1 = self.beta1(lambda b: 1 - b ** count)
            step = step / (c1 + (count - 1) * k.decay if self.decay else c1)
        s = state.s
        if not self.second:
            return step * m, MomentState(count, m, s)
        s = k.a2 * s + k.b2 * g * g
        if count < self.bias2_until:
            denom = np.sqrt(s) / self.beta2(lambda b: (1 - b ** count) ** 0.5) + k.eps
        else:
            denom = np.sqrt(s) + k.eps
        return step * (m / denom), MomentState(count, m, s)


def _zeros(params: np.ndarray) -> np.ndarray:
    return np.zeros_like(params, dtype=float)


def _column(values: list, dims: int):
    """A shared value stays a number (cheapest per step); differing ones become a
    (runs, dims) array, the shape of the positions, which numpy combines fastest."""
    if all(v == values[0] for v in values):
        return values[0]
    return np.repeat(np.asarray(values, dtype=float).reshape(-1, 1), dims, axis=1)


def stack(optimizers: list[opt.Optimizer], dims: int, readable: bool = False):
    """One rule over every run of ``optimizers`` (which share a group key), for parameters
    of ``dims`` coordinates. ``readable``: the rules' own class, always a private copy (its
    caller may set its hyperparameters between steps)."""
    first = optimizers[0]
    key = group_key(first, readable)
    if any(group_key(o, readable) != key for o in optimizers):
        raise ValueError("stack: optimizers must share a group key (see group_key)")
    if key == (Moments,):
        moments = [coefficients(o) for o in optimizers]
        if any(m.stages()["second"] for m in moments):
            # A run without a second moment still divides by sqrt(0) + eps: make that 1.
            moments = [m if m.stages()["second"] else m._replace(eps=1.0) for m in moments]
        return _Kernel(Moments(*(_column(list(v), dims) for v in zip(*moments))))
    if len(optimizers) == 1 and not readable:
        return first
    # The rule's own class, its hyperparameters as per-run columns (not validated: they are
    # the validated values of the optimizers given).
    stacked = object.__new__(type(first))
    for f in dataclasses.fields(first):
        values = [getattr(o, f.name) for o in optimizers]
        if f.name in first.structural or f.name in _POWERED:
            value = values[0]
        else:
            value = _column(values, dims)
        object.__setattr__(stacked, f.name, value)
    return stacked
