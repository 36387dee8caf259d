"""Update rules of gradient-descent optimizers, as pure (init, update) pairs.

Every optimizer is a frozen dataclass of hyperparameters (named and defaulted as in
``torch.optim``) with three pure methods over arrays of shape ``(runs, 2)``:

- ``init(params) -> state``: the rule's state, a NamedTuple of arrays you can print.
- ``probes(params, state) -> points``: where the rule needs the gradient this step, shape
  ``(k, runs, 2)``. Most rules need it at ``params`` (k = 1); Nesterov looks ahead.
- ``update(grads, state, params) -> (updates, state)``: ``grads`` holds the gradient at each
  probe, shape ``(k, runs, 2)``; the new position is ``params + updates``.

One call advances every run at once. Hyperparameters may be numbers or, when a scene stacks
runs of one kind with different settings, columns of shape ``(runs, 1)`` (see ``stack``).
The arithmetic follows torch.optim's single-tensor code operation by operation, so positions
agree with torch in float64 to the last few bits.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any, Callable, NamedTuple

import numpy as np

from . import checks

__all__ = [
    "Optimizer", "GD", "Momentum", "Nesterov", "SmoothedNesterov", "Adagrad", "RMSprop",
    "Adadelta", "Adam", "Adamax", "NAdam", "stack", "ALL",
]


# --- validation -------------------------------------------------------------------------

# Checks shared by several rules: (lo, hi, lo_open, hi_open).
_POSITIVE = (0.0, None, True, False)       # (0, inf)
_NONNEGATIVE = (0.0, None, False, False)   # [0, inf)
_UNIT = (0.0, 1.0, False, True)            # [0, 1)
_UNIT_CLOSED = (0.0, 1.0, False, False)    # [0, 1]

_RANGES: dict[str, tuple] = {
    "lr": _POSITIVE, "eps": _POSITIVE, "noise": _NONNEGATIVE, "weight_decay": _NONNEGATIVE,
    "momentum": _UNIT, "dampening": _UNIT_CLOSED, "alpha": _UNIT, "rho": _UNIT_CLOSED,
    "lr_decay": _NONNEGATIVE, "initial_accumulator_value": _NONNEGATIVE,
    "initial_delta": _NONNEGATIVE, "momentum_decay": _NONNEGATIVE,
}


class Optimizer:
    """Base of every rule: validation, naming, and the one-call ``step`` convenience."""

    # Fields whose value changes the arithmetic (not just a number in it); runs are only
    # stacked together when these agree.
    structural: tuple[str, ...] = ()
    # True when the rule needs gradients elsewhere than at params (see ``probes``).
    looks_ahead: bool = False

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "betas":
                value = _betas(owner, value)
            elif f.name in self.structural and f.type in ("bool", bool):
                value = checks.flag(owner, f.name, value)
            elif f.name in _RANGES:
                value = checks.number(owner, f.name, value, *_RANGES[f.name])
            object.__setattr__(self, f.name, value)
        self._validate()

    def _validate(self) -> None:
        """Checks beyond one field's range."""

    # The rule itself (overridden by each optimizer).
    def init(self, params: np.ndarray) -> NamedTuple:
        raise NotImplementedError

    def probes(self, params: np.ndarray, state: NamedTuple) -> np.ndarray:
        return params[None]

    def update(self, grads: np.ndarray, state: NamedTuple,
               params: np.ndarray) -> tuple[np.ndarray, NamedTuple]:
        raise NotImplementedError

    def step(self, gradient: Callable[[np.ndarray], np.ndarray], params: np.ndarray,
             state: NamedTuple) -> tuple[np.ndarray, NamedTuple]:
        """Advance once: ``gradient`` maps points (..., 2) to gradients (..., 2)."""
        grads = gradient(self.probes(params, state))
        updates, state = self.update(grads, state, params)
        return params + updates, state

    # Naming, for legends and CSV files.
    @property
    def name(self) -> str:
        return type(self).__name__

    def describe(self) -> str:
        """Name, learning rate and every other hyperparameter that differs from its default,
        e.g. 'Adam(lr=0.1, amsgrad=True)'."""
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "lr" and f.default is not dataclasses.MISSING and value == f.default:
                continue
            if isinstance(value, tuple):
                text = "(" + ", ".join(f"{v:g}" for v in value) + ")"
            elif isinstance(value, bool):
                text = str(value)
            else:
                text = f"{value:g}"
            parts.append(f"{f.name}={text}")
        return f"{self.name}({', '.join(parts)})"

    def hyperparameters(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _betas(owner: str, value: Any) -> tuple[float, float]:
    try:
        b1, b2 = value
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {value!r}") from None
    return (checks.number(owner, "betas[0]", b1, *_UNIT), checks.number(owner, "betas[1]", b2, *_UNIT))


def _hyperparameters(cls):
    """Make ``cls`` a frozen dataclass whose constructor names unknown hyperparameters.

    Only ``lr`` may be given by position; everything else by name, as in torch.optim.
    """
    cls = dataclasses.dataclass(frozen=True)(cls)
    init = cls.__init__
    names = [f.name for f in dataclasses.fields(cls)]

    def __init__(self, *args, **kwargs):
        if len(args) > 1:
            raise ValueError(f"{cls.__name__}: only lr may be given by position; "
                             f"name the others ({', '.join(names[1:])})")
        for key in kwargs:
            if key not in names:
                raise ValueError(f"{cls.__name__}: unknown hyperparameter {key!r}; "
                                 f"valid ones are {', '.join(names)}")
        init(self, *args, **kwargs)

    __init__.__doc__ = init.__doc__
    __init__.__signature__ = __import__("inspect").signature(init)
    cls.__init__ = __init__
    return cls

def _off(value) -> bool:
    """True when a hyperparameter is the plain number 0 (a stacked column counts as on).

    Checked every step, so it avoids numpy calls.
    """
    return value.__class__ is float and value == 0.0


def _decayed(grad: np.ndarray, params: np.ndarray, weight_decay) -> np.ndarray:
    """torch's L2 penalty: grad + weight_decay * params."""
    if _off(weight_decay):
        return grad
    return grad + weight_decay * params


def _zeros(params: np.ndarray) -> np.ndarray:
    return np.zeros_like(params, dtype=float)


def _lerp(start: np.ndarray, end: np.ndarray, weight) -> np.ndarray:
    """torch.lerp, including its switch of formula at weight 0.5 (it decides the last bit)."""
    if weight.__class__ is float:
        if weight < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1 - weight)
    return np.where(weight < 0.5, start + weight * (end - start), end - (end - start) * (1 - weight))


# --- the adaptive-moment rule shared by six optimizers ------------------------------------

class Moments(NamedTuple):
    r"""Coefficients of the one rule behind GD, Momentum, Nesterov, Adagrad, RMSprop and Adam.

    .. math::
        p_t = x_t - \ell\, m_{t-1}, \qquad g_t = \nabla f(p_t) + \lambda x_t \\
        m_t = a_1 m_{t-1} + b_1 g_t \;(m_1 = f_1 g_1), \qquad s_t = a_2 s_{t-1} + b_2 g_t^2 \;(s_0 = \sigma_0) \\
        c_{1,t} = 1 - \beta_1^t + (t-1)\,\delta, \qquad c_{2,t} = 1 - \beta_2^t \\
        x_{t+1} = x_t - \frac{\eta}{c_{1,t}}\,\frac{m_t}{\sqrt{s_t}/\sqrt{c_{2,t}} + \epsilon}

    Each optimizer is a choice of coefficients; a stage whose coefficients are neutral is
    skipped (no first moment: m = g; no second moment: the denominator is 1). Because the
    arithmetic is shared, runs of all six kinds can be stacked into one array and advanced
    together, which is what makes a mixed race cost one set of array operations per step.
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


class MomentState(NamedTuple):
    count: int
    m: np.ndarray             # first moment (Nesterov: the velocity)
    s: np.ndarray             # second moment


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


class _Kernel:
    """A Moments with its active stages resolved once, applied every step."""

    # Coefficients that multiply arrays every step. numpy combines an array with a 0-d array
    # faster than with a Python float (no scalar conversion per call), same bits.
    _ARRAY_FACING = ("look", "weight_decay", "a1", "b1", "first", "a2", "b2", "s0", "eps")

    def __init__(self, moments: Moments):
        self.k = moments._replace(**{name: np.asarray(getattr(moments, name), dtype=float)
                                     for name in self._ARRAY_FACING})
        st = moments.stages()
        self.look, self.wd, self.first = st["look"], st["weight_decay"], st["first"]
        self.second = st["second"]
        self.decay = bool(np.any(np.asarray(moments.decay) != 0.0))
        # Bias corrections fade to exactly 1; past these steps they are skipped.
        self.bias1_until = 0 if not st["bias1"] else (
            math.inf if self.decay else _settled(moments.beta1))
        self.bias2_until = _settled(moments.beta2) if st["bias2"] else 0
        self.neg_lr = np.asarray(-moments.lr, dtype=float)

    def init(self, params):
        s = _zeros(params) + self.k.s0 if self.second else _zeros(params)
        return MomentState(0, _zeros(params), s)

    def probes(self, params, state):
        if self.look:
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
            c1 = 1 - k.beta1 ** count
            step = step / (c1 + (count - 1) * k.decay if self.decay else c1)
        s = state.s
        if not self.second:
            return step * m, MomentState(count, m, s)
        s = k.a2 * s + k.b2 * g * g
        if count < self.bias2_until:
            denom = np.sqrt(s) / (1 - k.beta2 ** count) ** 0.5 + k.eps
        else:
            denom = np.sqrt(s) + k.eps
        return step * (m / denom), MomentState(count, m, s)


class MomentRule(Optimizer):
    """An optimizer that is a choice of ``Moments`` coefficients (see ``Moments``).

    ``moments()`` returns None for the variants that fall outside the shared rule (AMSGrad,
    centered RMSprop, RMSprop with momentum); those implement their own update.
    """

    def moments(self) -> Moments | None:
        raise NotImplementedError

    @functools.cached_property
    def _kernel(self) -> _Kernel | None:
        m = self.moments()
        return None if m is None else _Kernel(m)

    @property
    def looks_ahead(self) -> bool:
        return self._kernel is not None and self._kernel.look

    def init(self, params):
        return self._kernel.init(params)

    def probes(self, params, state):
        kernel = self._kernel
        return params[None] if kernel is None else kernel.probes(params, state)

    def update(self, grads, state, params):
        return self._kernel.update(grads, state, params)


# --- states of the rules outside the shared one --------------------------------------------

class VelocityState(NamedTuple):
    velocity: np.ndarray      # v in x <- x - v


class RMSpropState(NamedTuple):
    square_avg: np.ndarray
    grad_avg: np.ndarray      # used when centered
    buffer: np.ndarray        # used when momentum > 0


class AdadeltaState(NamedTuple):
    square_avg: np.ndarray    # E[g^2]
    acc_delta: np.ndarray     # E[dx^2]


class AdamState(NamedTuple):
    count: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray


class AdamaxState(NamedTuple):
    count: int
    exp_avg: np.ndarray
    exp_inf: np.ndarray


class NAdamState(NamedTuple):
    count: int
    mu_product: Any            # product of the momentum schedule so far
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


# --- the rules --------------------------------------------------------------------------

@_hyperparameters
class GD(MomentRule):
    r"""Plain gradient descent (torch ``SGD`` without momentum).

    .. math:: x_{t+1} = x_t - \eta\,(\nabla f(x_t) + \lambda x_t)
    """
    lr: float = 1e-3
    weight_decay: float = 0.0
    noise: float = 0.0

    def moments(self):
        return Moments(lr=self.lr, weight_decay=self.weight_decay)


@_hyperparameters
class Momentum(MomentRule):
    r"""Heavy-ball momentum (torch ``SGD(momentum=...)``; Polyak 1964).

    .. math:: b_t = \mu b_{t-1} + (1-\tau)(\nabla f(x_t) + \lambda x_t) \;(b_1 = g_1),
              \qquad x_{t+1} = x_t - \eta\, b_t
    """
    lr: float = 1e-3
    momentum: float = 0.9
    dampening: float = 0.0
    weight_decay: float = 0.0
    noise: float = 0.0

    def moments(self):
        return Moments(lr=self.lr, weight_decay=self.weight_decay, a1=self.momentum,
                       b1=1 - self.dampening, first=1.0)


@_hyperparameters
class Nesterov(MomentRule):
    r"""Nesterov accelerated gradient in its classical look-ahead form (Sutskever et al. 2013).

    .. math:: v_t = \mu v_{t-1} + \eta \nabla f(x_t - \mu v_{t-1}), \qquad x_{t+1} = x_t - v_t

    torch's ``SGD(nesterov=True)`` tracks the look-ahead points :math:`x_t - \mu v_t` of the
    same sequence. The state's ``m`` is the velocity v.
    """
    lr: float = 1e-3
    momentum: float = 0.9
    noise: float = 0.0

    def moments(self):
        return Moments(lr=1.0, look=self.momentum, a1=self.momentum, b1=self.lr, first=self.lr)


@_hyperparameters
class SmoothedNesterov(Optimizer):
    r"""Nesterov with the look-ahead gradient averaged along the momentum step.

    .. math:: v_t = \mu v_{t-1} + \frac{\eta}{K}\sum_{k=1}^{K}
              \nabla f\!\left(x_t - \tfrac{k}{K}\mu v_{t-1}\right), \qquad x_{t+1} = x_t - v_t

    Averaging over several points on the step steadies the update on noisy or rippled
    surfaces; ``points=1`` is plain Nesterov.
    """
    lr: float = 1e-3
    momentum: float = 0.9
    points: int = 4
    noise: float = 0.0

    structural = ("points",)
    looks_ahead = True

    def _validate(self):
        if isinstance(self.points, bool) or not isinstance(self.points, (int, np.integer)) \
                or not 1 <= self.points <= 64:
            raise ValueError(f"SmoothedNesterov: points must be an integer in [1, 64], "
                             f"got {self.points!r}")
        object.__setattr__(self, "points", int(self.points))

    def init(self, params):
        return VelocityState(_zeros(params))

    def probes(self, params, state):
        fractions = np.arange(1, self.points + 1).reshape(-1, 1, 1) / self.points
        return params - fractions * (self.momentum * state.velocity)

    def update(self, grads, state, params):
        v = self.momentum * state.velocity + self.lr * grads.mean(axis=0)
        return -v, VelocityState(v)


@_hyperparameters
class Adagrad(MomentRule):
    r"""Adagrad (Duchi et al. 2011), as torch.optim.Adagrad.

    .. math:: G_t = G_{t-1} + g_t^2 \;(G_0 = \text{initial\_accumulator\_value}), \qquad
              x_{t+1} = x_t - \frac{\eta}{1 + (t-1)\,\delta}\,\frac{g_t}{\sqrt{G_t} + \epsilon}
    """
    lr: float = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10
    noise: float = 0.0

    def moments(self):
        return Moments(lr=self.lr, weight_decay=self.weight_decay, a2=1.0, b2=1.0,
                       s0=self.initial_accumulator_value, decay=self.lr_decay, eps=self.eps)


@_hyperparameters
class RMSprop(MomentRule):
    r"""RMSprop (Hinton 2012), as torch.optim.RMSprop.

    .. math:: s_t = \alpha s_{t-1} + (1-\alpha) g_t^2, \qquad
              x_{t+1} = x_t - \eta\,\frac{g_t}{\sqrt{s_t} + \epsilon}

    ``centered`` subtracts the squared running mean of g under the root; ``momentum`` > 0
    accumulates :math:`b_t = \mu b_{t-1} + g_t / (\sqrt{s_t} + \epsilon)` and steps by
    :math:`-\eta b_t`.
    """
    lr: float = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False
    noise: float = 0.0

    structural = ("centered",)

    def moments(self):
        if self.centered or self.momentum != 0:
            return None
        return Moments(lr=self.lr, weight_decay=self.weight_decay, a2=self.alpha,
                       b2=1 - self.alpha, eps=self.eps)

    def init(self, params):
        if self._kernel is not None:
            return self._kernel.init(params)
        return RMSpropState(_zeros(params), _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        if self._kernel is not None:
            return self._kernel.update(grads, state, params)
        g = _decayed(grads[0], params, self.weight_decay)
        square_avg = self.alpha * state.square_avg + (1 - self.alpha) * g * g
        grad_avg = state.grad_avg
        if self.centered:
            grad_avg = _lerp(grad_avg, g, 1 - self.alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg) + self.eps
        else:
            avg = np.sqrt(square_avg) + self.eps
        buf = state.buffer
        if not _off(self.momentum):
            buf = self.momentum * buf + g / avg
            updates = -self.lr * buf
        else:
            updates = -self.lr * (g / avg)
        return updates, RMSpropState(square_avg, grad_avg, buf)


@_hyperparameters
class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012), as torch.optim.Adadelta.

    .. math:: s_t = \rho s_{t-1} + (1-\rho) g_t^2, \quad
              \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}}\, g_t, \quad
              u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2, \quad x_{t+1} = x_t - \eta \Delta_t

    ``initial_delta`` sets :math:`u_0` (torch starts from 0); a large value gives the
    "big start" variant whose first steps are bold instead of timid.
    """
    lr: float = 1.0
    rho: float = 0.9
    eps: float = 1e-6
    weight_decay: float = 0.0
    initial_delta: float = 0.0
    noise: float = 0.0

    def init(self, params):
        return AdadeltaState(_zeros(params), _zeros(params) + self.initial_delta)

    def update(self, grads, state, params):
        g = _decayed(grads[0], params, self.weight_decay)
        square_avg = self.rho * state.square_avg + (1 - self.rho) * g * g
        std = np.sqrt(square_avg + self.eps)
        delta = np.sqrt(state.acc_delta + self.eps) / std * g
        acc_delta = self.rho * state.acc_delta + (1 - self.rho) * delta * delta
        return -self.lr * delta, AdadeltaState(square_avg, acc_delta)


@_hyperparameters
class Adam(MomentRule):
    r"""Adam (Kingma & Ba 2015), as torch.optim.Adam; ``amsgrad=True`` is AMSGrad (Reddi et al. 2018).

    .. math:: m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
              \quad x_{t+1} = x_t - \frac{\eta}{1-\beta_1^t}\,
              \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    (AMSGrad uses :math:`\max_{s\le t} v_s` in place of :math:`v_t`.)
    """
    lr: float = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False
    noise: float = 0.0

    structural = ("amsgrad",)

    def moments(self):
        if self.amsgrad:
            return None
        b1, b2 = self.betas
        return Moments(lr=self.lr, weight_decay=self.weight_decay, a1=b1, b1=1 - b1, first=1 - b1,
                       a2=b2, b2=1 - b2, beta1=b1, beta2=b2, eps=self.eps)

    def init(self, params):
        if self._kernel is not None:
            return self._kernel.init(params)
        return AdamState(0, _zeros(params), _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        if self._kernel is not None:
            return self._kernel.update(grads, state, params)
        b1, b2 = self.betas
        g = _decayed(grads[0], params, self.weight_decay)
        count = state.count + 1
        exp_avg = _lerp(state.exp_avg, g, 1 - b1)
        exp_avg_sq = b2 * state.exp_avg_sq + (1 - b2) * g * g
        step_size = self.lr / (1 - b1 ** count)
        max_sq = np.maximum(state.max_exp_avg_sq, exp_avg_sq)
        denom = np.sqrt(max_sq) / (1 - b2 ** count) ** 0.5 + self.eps
        return -step_size * (exp_avg / denom), AdamState(count, exp_avg, exp_avg_sq, max_sq)


@_hyperparameters
class Adamax(Optimizer):
    r"""Adamax, Adam's infinity-norm variant (Kingma & Ba 2015), as torch.optim.Adamax.

    .. math:: m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
              u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon), \quad
              x_{t+1} = x_t - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}
    """
    lr: float = 2e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    noise: float = 0.0

    def init(self, params):
        return AdamaxState(0, _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        b1, b2 = self.betas
        g = _decayed(grads[0], params, self.weight_decay)
        count = state.count + 1
        exp_avg = _lerp(state.exp_avg, g, 1 - b1)
        exp_inf = np.maximum(b2 * state.exp_inf, np.abs(g) + self.eps)
        clr = self.lr / (1 - b1 ** count)
        return -clr * (exp_avg / exp_inf), AdamaxState(count, exp_avg, exp_inf)


@_hyperparameters
class NAdam(Optimizer):
    r"""NAdam, Adam with Nesterov momentum (Dozat 2016), as torch.optim.NAdam.

    .. math:: \mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{t\psi}\right), \quad
              x_{t+1} = x_t - \eta\left[\frac{(1-\mu_t)\, g_t}{1-\prod_{i\le t}\mu_i}
              + \frac{\mu_{t+1}\, m_t}{1-\prod_{i\le t+1}\mu_i}\right]
              \Big/ \left(\sqrt{v_t/(1-\beta_2^t)} + \epsilon\right)
    """
    lr: float = 2e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum_decay: float = 4e-3
    noise: float = 0.0

    def init(self, params):
        return NAdamState(0, 1.0, _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        b1, b2 = self.betas
        g = _decayed(grads[0], params, self.weight_decay)
        count = state.count + 1
        bias_correction2 = 1 - b2 ** count
        mu = b1 * (1.0 - 0.5 * (0.96 ** (count * self.momentum_decay)))
        mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((count + 1) * self.momentum_decay)))
        mu_product = state.mu_product * mu
        exp_avg = _lerp(state.exp_avg, g, 1 - b1)
        exp_avg_sq = b2 * state.exp_avg_sq + (1 - b2) * g * g
        denom = np.sqrt(exp_avg_sq / bias_correction2) + self.eps
        first = (-self.lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
        second = ((-self.lr * mu_next) / (1.0 - mu_product * mu_next)) * (exp_avg / denom)
        return first + second, NAdamState(count, mu_product, exp_avg, exp_avg_sq)


ALL = (GD, Momentum, Nesterov, SmoothedNesterov, Adagrad, RMSprop, Adadelta, Adam, Adamax, NAdam)


# --- stacking runs ------------------------------------------------------------------------

def _moments(optimizer: Optimizer) -> Moments | None:
    return optimizer.moments() if isinstance(optimizer, MomentRule) else None


def group_key(optimizer: Optimizer) -> tuple:
    """Runs whose optimizers share this key can advance as one array.

    Every rule that is a choice of ``Moments`` shares one key, whatever its class.
    """
    if _moments(optimizer) is not None:
        return (Moments,)
    return (type(optimizer),) + tuple(getattr(optimizer, name) for name in optimizer.structural)


def _column(values: list, runs: int):
    """A shared value stays a number (cheapest per step); differing ones become a (runs, 2)
    array, the shape of the positions, which numpy combines fastest."""
    if all(v == values[0] for v in values):
        return values[0]
    return np.repeat(np.asarray(values, dtype=float).reshape(-1, 1), 2, axis=1)


class _StackedMoments(MomentRule):
    """Runs of any moment-rule optimizers, stacked coefficient by coefficient."""

    def __init__(self, moments: list[Moments]):
        if any(m.stages()["second"] for m in moments):
            # A run without a second moment still divides by sqrt(0) + eps: make that 1.
            moments = [m if m.stages()["second"] else m._replace(eps=1.0) for m in moments]
        self._stacked = Moments(*(_column(list(v), len(moments)) for v in zip(*moments)))

    def moments(self):
        return self._stacked


def stack(optimizers: list[Optimizer]) -> Optimizer:
    """One rule whose hyperparameters are per-run columns, for runs that share a group key."""
    first = optimizers[0]
    key = group_key(first)
    if any(group_key(o) != key for o in optimizers):
        raise ValueError("stack: optimizers must share a group key (see group_key)")
    if len(optimizers) == 1:
        return first
    if key == (Moments,):
        return _StackedMoments([o.moments() for o in optimizers])

    stacked = object.__new__(type(first))
    for f in dataclasses.fields(first):
        values = [getattr(o, f.name) for o in optimizers]
        if f.name in first.structural:
            value = values[0]
        elif isinstance(values[0], tuple):
            value = tuple(_column([v[i] for v in values], len(values)) for i in range(len(values[0])))
        else:
            value = _column(values, len(values))
        object.__setattr__(stacked, f.name, value)
    return stacked
