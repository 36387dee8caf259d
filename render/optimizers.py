"""Update rules of gradient-descent optimizers, as pure (init, update) pairs.

Every optimizer is a frozen dataclass of hyperparameters (named and defaulted as in
``torch.optim``) with pure methods over arrays of shape ``(runs, D)``, one row per run:

- ``init(params) -> state``: the rule's state, a NamedTuple of arrays you can print.
- ``probes(params, state) -> points``: where the rule needs the gradient this step, shape
  ``(k, runs, D)``. Most rules need it at ``params`` (k = 1); Nesterov looks ahead.
- ``update(grads, state, params) -> (updates, state)``: ``grads`` holds the gradient at each
  probe, shape ``(k, runs, D)``; the new position is ``params + updates``.

Each rule's arithmetic is written out in its own class, operation by operation as in
torch.optim's single-tensor code, so positions agree with torch in float64 to the last few
bits. (The simulation advances many runs of several rules at once through a fused backend,
``render._fused``, which is tested to give these rules' results bit for bit.)
"""
from __future__ import annotations

import dataclasses
import inspect
from typing import Any, NamedTuple

import numpy as np

from . import checks
from .rules import (Optimizer, _NONNEGATIVE, _POSITIVE, _RANGES, _UNIT, _UNIT_CLOSED,  # noqa: F401
                    _betas)

__all__ = [
    "Optimizer", "GD", "Momentum", "Nesterov", "SmoothedNesterov", "Adagrad", "RMSprop",
    "Adadelta", "Adam", "Adamax", "NAdam", "AdamW", "RAdam", "Rprop", "Adafactor", "Lion", "ALL", "Torch",
]


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
    __init__.__signature__ = inspect.signature(init)
    cls.__init__ = __init__
    return cls


# Hyperparameters are numbers, except inside the fused backend, which may hand a rule
# per-run columns of them; these helpers accept both.

def _off(value) -> bool:
    """True when a hyperparameter is the plain number 0 (a column counts as on)."""
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


# --- states -------------------------------------------------------------------------------

class NoState(NamedTuple):
    """Plain gradient descent remembers nothing."""


class MomentumState(NamedTuple):
    count: int
    buffer: np.ndarray        # b in x <- x - lr b


class VelocityState(NamedTuple):
    velocity: np.ndarray      # v in x <- x - v


class AdagradState(NamedTuple):
    count: int
    sum: np.ndarray           # G: the running sum of squared gradients


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


class RAdamState(NamedTuple):
    count: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


class RpropState(NamedTuple):
    count: int
    prev: np.ndarray          # the last gradient (0 where its sign flipped)
    step_size: np.ndarray     # each coordinate's own step, starting at lr


class AdafactorState(NamedTuple):
    count: int
    variance: np.ndarray      # the running mean of g^2 (a vector parameter is not factored)


class LionState(NamedTuple):
    exp_avg: np.ndarray


# --- the rules --------------------------------------------------------------------------

@_hyperparameters
class GD(Optimizer):
    r"""Plain gradient descent (torch ``SGD`` without momentum).

    .. math:: x_{t+1} = x_t - \eta\,(\nabla f(x_t) + \lambda x_t)
    """
    lr: float = 1e-3
    weight_decay: float = 0.0
    noise: float = 0.0

    def init(self, params):
        return NoState()

    def update(self, grads, state, params):
        g = _decayed(grads[0], params, self.weight_decay)
        return -self.lr * g, state


@_hyperparameters
class Momentum(Optimizer):
    r"""Heavy-ball momentum (torch ``SGD(momentum=...)``; Polyak 1964).

    .. math:: b_t = \mu b_{t-1} + (1-\tau)(\nabla f(x_t) + \lambda x_t) \;(b_1 = g_1),
              \qquad x_{t+1} = x_t - \eta\, b_t
    """
    lr: float = 1e-3
    momentum: float = 0.9
    dampening: float = 0.0
    weight_decay: float = 0.0
    noise: float = 0.0

    def init(self, params):
        return MomentumState(0, _zeros(params))

    def update(self, grads, state, params):
        g = _decayed(grads[0], params, self.weight_decay)
        count = state.count + 1
        if count == 1:
            buffer = g.copy()     # torch starts the buffer at the first gradient, undamped
        else:
            buffer = self.momentum * state.buffer + (1 - self.dampening) * g
        return -self.lr * buffer, MomentumState(count, buffer)


@_hyperparameters
class Nesterov(Optimizer):
    r"""Nesterov accelerated gradient in its classical look-ahead form (Sutskever et al. 2013).

    .. math:: v_t = \mu v_{t-1} + \eta \nabla f(x_t - \mu v_{t-1}), \qquad x_{t+1} = x_t - v_t

    torch's ``SGD(nesterov=True)`` tracks the look-ahead points :math:`x_t - \mu v_t` of the
    same sequence.
    """
    lr: float = 1e-3
    momentum: float = 0.9
    noise: float = 0.0

    looks_ahead = True

    def init(self, params):
        return VelocityState(_zeros(params))

    def probes(self, params, state):
        return (params - self.momentum * state.velocity)[None]

    def update(self, grads, state, params):
        velocity = self.momentum * state.velocity + self.lr * grads[0]
        return -velocity, VelocityState(velocity)


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
class Adagrad(Optimizer):
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

    def init(self, params):
        return AdagradState(0, _zeros(params) + self.initial_accumulator_value)

    def update(self, grads, state, params):
        g = _decayed(grads[0], params, self.weight_decay)
        count = state.count + 1
        clr = self.lr / (1 + (count - 1) * self.lr_decay)
        total = state.sum + g * g
        std = np.sqrt(total) + self.eps
        return -clr * (g / std), AdagradState(count, total)


@_hyperparameters
class RMSprop(Optimizer):
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

    def init(self, params):
        return RMSpropState(_zeros(params), _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        g = _decayed(grads[0], params, self.weight_decay)
        square_avg = self.alpha * state.square_avg + (1 - self.alpha) * g * g
        grad_avg = state.grad_avg
        if self.centered:
            grad_avg = _lerp(grad_avg, g, 1 - self.alpha)
            avg = np.sqrt(square_avg - grad_avg * grad_avg) + self.eps
        else:
            avg = np.sqrt(square_avg) + self.eps
        buffer = state.buffer
        if _off(self.momentum):
            updates = -self.lr * (g / avg)
        else:
            buffer = self.momentum * buffer + g / avg
            updates = -self.lr * buffer
        return updates, RMSpropState(square_avg, grad_avg, buffer)


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
class Adam(Optimizer):
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

    def init(self, params):
        return AdamState(0, _zeros(params), _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        return _adam(self, _decayed(grads[0], params, self.weight_decay), state)


def _adam(rule, g, state):
    """Adam's step for the gradient ``g`` (Adam's and AdamW's), and its new state."""
    b1, b2 = rule.betas
    count = state.count + 1
    exp_avg = b1 * state.exp_avg + (1 - b1) * g
    exp_avg_sq = b2 * state.exp_avg_sq + (1 - b2) * g * g
    step_size = rule.lr / (1 - b1 ** count)
    bias_correction2_sqrt = (1 - b2 ** count) ** 0.5
    if rule.amsgrad:
        max_sq = np.maximum(state.max_exp_avg_sq, exp_avg_sq)
        denom = np.sqrt(max_sq) / bias_correction2_sqrt + rule.eps
    else:
        max_sq = state.max_exp_avg_sq
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + rule.eps
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


def _decoupled(params: np.ndarray, lr, weight_decay) -> np.ndarray:
    """The change of torch's decoupled weight decay, params * (1 - lr * weight_decay) - params."""
    if _off(weight_decay):
        return 0.0
    return params * (1 - lr * weight_decay) - params


@_hyperparameters
class AdamW(Optimizer):
    r"""AdamW, Adam with decoupled weight decay (Loshchilov & Hutter 2019), as torch.optim.AdamW.

    .. math:: x_t' = x_t (1 - \eta\lambda), \quad
              x_{t+1} = x_t' - \frac{\eta}{1-\beta_1^t}\,
              \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    with Adam's moments of the plain gradient: the decay shrinks the parameters and never
    enters the moments. ``amsgrad=True`` uses :math:`\max_{s\le t} v_s`.
    """
    lr: float = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 1e-2
    amsgrad: bool = False
    noise: float = 0.0

    structural = ("amsgrad",)

    def init(self, params):
        return AdamState(0, _zeros(params), _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        step, state = _adam(self, grads[0], state)
        return _decoupled(params, self.lr, self.weight_decay) + step, state


@_hyperparameters
class RAdam(Optimizer):
    r"""RAdam, Adam with a rectified adaptive step (Liu et al. 2020), as torch.optim.RAdam.

    .. math:: \rho_\infty = \frac{2}{1-\beta_2} - 1, \quad
              \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}, \quad
              \hat m_t = \frac{m_t}{1-\beta_1^t}

    While :math:`\rho_t \le 5` the variance is too uncertain and the step is momentum
    alone, :math:`x_{t+1} = x_t - \eta \hat m_t`; after, it is Adam's scaled by the
    rectification :math:`r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}
    {(\rho_\infty-4)(\rho_\infty-2)\rho_t}}`:
    :math:`x_{t+1} = x_t - \eta\, \hat m_t\, r_t \sqrt{1-\beta_2^t} / (\sqrt{v_t} + \epsilon)`.
    ``decoupled_weight_decay`` shrinks the parameters as AdamW does instead of adding
    :math:`\lambda x_t` to the gradient.
    """
    lr: float = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    decoupled_weight_decay: bool = False
    noise: float = 0.0

    structural = ("decoupled_weight_decay",)

    def init(self, params):
        return RAdamState(0, _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        b1, b2 = self.betas
        g, decay = grads[0], 0.0
        if self.decoupled_weight_decay:
            decay = _decoupled(params, self.lr, self.weight_decay)
        else:
            g = _decayed(g, params, self.weight_decay)
        count = state.count + 1
        exp_avg = _lerp(state.exp_avg, g, 1 - b1)
        exp_avg_sq = b2 * state.exp_avg_sq + (1 - b2) * g * g
        bias_correction1 = 1 - b1 ** count
        bias_correction2 = 1 - b2 ** count
        corrected = exp_avg / bias_correction1
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * count * (b2 ** count) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = bias_correction2 ** 0.5 / (np.sqrt(exp_avg_sq) + self.eps)
            step = corrected * self.lr * adaptive * rect
        else:
            step = corrected * self.lr
        return decay - step, RAdamState(count, exp_avg, exp_avg_sq)


def _etas(owner: str, field: str, value: Any) -> tuple[float, float]:
    lo, hi = _pair(owner, field, value)
    if not 0.0 < lo < 1.0 < hi:
        raise ValueError(f"{owner}: {field} must be (etaminus, etaplus) with 0 < etaminus < 1 < etaplus, "
                         f"got {value!r}")
    return lo, hi


def _step_sizes(owner: str, field: str, value: Any) -> tuple[float, float]:
    lo, hi = _pair(owner, field, value)
    if not 0.0 <= lo <= hi:
        raise ValueError(f"{owner}: {field} must be (smallest, largest) with 0 <= smallest <= largest, "
                         f"got {value!r}")
    return lo, hi


def _pair(owner: str, field: str, value: Any) -> tuple[float, float]:
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{owner}: {field} must be a pair of numbers, got {value!r}")
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {field} must be a pair of numbers, got {value!r}") from None
    return checks.number(owner, f"{field}[0]", a), checks.number(owner, f"{field}[1]", b)


@_hyperparameters
class Rprop(Optimizer):
    r"""Rprop, resilient backpropagation (Riedmiller & Braun 1993), as torch.optim.Rprop.

    Each coordinate keeps its own step :math:`\Delta` (starting at lr) and moves by it
    against the gradient's sign alone:

    .. math:: \Delta_t = \operatorname{clip}(\eta_\pm \Delta_{t-1},\ \Delta_{\min},\ \Delta_{\max}),
              \qquad x_{t+1} = x_t - \operatorname{sign}(g_t)\,\Delta_t

    with :math:`\eta_+` where the gradient kept its sign, :math:`\eta_-` where it flipped
    (and that coordinate then stands still for one step), 1 where either was zero.
    """
    lr: float = 1e-2
    etas: tuple = (0.5, 1.2)
    step_sizes: tuple = (1e-6, 50.0)
    noise: float = 0.0

    structural = ("etas", "step_sizes")
    pairs = {"etas": _etas, "step_sizes": _step_sizes}

    def init(self, params):
        return RpropState(0, _zeros(params), _zeros(params))

    def update(self, grads, state, params):
        etaminus, etaplus = self.etas
        smallest, largest = self.step_sizes
        g = grads[0]
        # torch sets each step to lr when the first step is taken (a schedule's lr then).
        step_size = state.step_size if state.count else _zeros(params) + self.lr
        sign = np.sign(g * state.prev)
        factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0))
        step_size = np.clip(step_size * factor, smallest, largest)
        g = np.where(sign < 0, 0.0, g)
        return -(np.sign(g) * step_size), RpropState(state.count + 1, g, step_size)


def _adafactor_eps(owner: str, field: str, value: Any) -> tuple[float | None, float]:
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{owner}: {field} must be a pair (eps1 or None, eps2), got {value!r}")
    try:
        eps1, eps2 = value
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: {field} must be a pair (eps1 or None, eps2), got {value!r}") from None
    eps1 = None if eps1 is None else checks.number(owner, f"{field}[0]", eps1, 0.0)
    return eps1, checks.number(owner, f"{field}[1]", eps2, 0.0)


@_hyperparameters
class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern 2018), as torch.optim.Adafactor on a vector parameter (each
    run's D numbers are one vector, so its second moment is not factored).

    .. math:: \hat\beta_{2,t} = 1 - t^{c}, \quad
              v_t = \hat\beta_{2,t} v_{t-1} + (1-\hat\beta_{2,t})\, g_t^2, \quad
              u_t = \frac{g_t}{\sqrt{\max(v_t, \epsilon_1^2)}}

    .. math:: \alpha_t = \max\!\left(\epsilon_2, \operatorname{RMS}(x_t)\right) \min\!\left(\eta, \tfrac{1}{\sqrt t}\right),
              \quad x_{t+1} = x_t(1 - \eta\lambda) - \frac{\alpha_t\, u_t}{\max(1, \operatorname{RMS}(u_t)/d)}

    with :math:`c` = ``beta2_decay`` and ``eps`` = :math:`(\epsilon_1, \epsilon_2)`;
    :math:`\epsilon_1` None is the float's machine epsilon. The step is relative to the
    parameters' size: at :math:`x = 0` it is :math:`\epsilon_2 \min(\eta, 1/\sqrt t)`.
    """
    lr: float = 1e-2
    beta2_decay: float = -0.8
    eps: tuple = (None, 1e-3)
    d: float = 1.0
    weight_decay: float = 0.0
    noise: float = 0.0

    structural = ("eps",)
    pairs = {"eps": _adafactor_eps}

    def init(self, params):
        return AdafactorState(0, _zeros(params))

    def update(self, grads, state, params):
        eps1, eps2 = self.eps
        eps1 = np.finfo(float).eps if eps1 is None else eps1
        g = grads[0]
        count = state.count + 1
        one_minus_beta2 = count ** self.beta2_decay
        rho = np.minimum(self.lr, 1 / (count ** 0.5))
        size = params.shape[-1] ** 0.5
        alpha = np.maximum(eps2, np.linalg.norm(params, axis=-1, keepdims=True) / size) * rho
        decay = _decoupled(params, self.lr, self.weight_decay)
        variance = _lerp(state.variance, g * g, one_minus_beta2)
        update = (1 / np.sqrt(np.maximum(variance, eps1 * eps1))) * g      # torch: rsqrt, then times g
        denom = np.maximum(1.0, np.linalg.norm(update, axis=-1, keepdims=True) / (size * self.d))
        return decay + update * (-alpha / denom), AdafactorState(count, variance)


@_hyperparameters
class Lion(Optimizer):
    r"""Lion, evolved sign momentum (Chen et al. 2023; not in torch.optim).

    .. math:: c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
              x_{t+1} = x_t - \eta\left(\operatorname{sign}(c_t) + \lambda x_t\right), \quad
              m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t

    Every coordinate moves by exactly lr (plus the decay) each step, so its lr is typically
    3-10 times smaller than AdamW's.
    """
    lr: float = 1e-4
    betas: tuple = (0.9, 0.99)
    weight_decay: float = 0.0
    noise: float = 0.0

    def init(self, params):
        return LionState(_zeros(params))

    def update(self, grads, state, params):
        b1, b2 = self.betas
        g = grads[0]
        c = b1 * state.exp_avg + (1 - b1) * g
        step = np.sign(c) if _off(self.weight_decay) else np.sign(c) + self.weight_decay * params
        return -self.lr * step, LionState(b2 * state.exp_avg + (1 - b2) * g)


ALL = (GD, Momentum, Nesterov, SmoothedNesterov, Adagrad, RMSprop, Adadelta, Adam, Adamax, NAdam,
       AdamW, RAdam, Rprop, Adafactor, Lion)


def __getattr__(name):
    # opt.Torch: any torch.optim optimizer; its module loads only when it is asked for.
    if name == "Torch":
        from .torch_optimizer import Torch
        return Torch
    raise AttributeError(f"module 'render.optimizers' has no attribute {name!r}")
