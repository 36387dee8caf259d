"""Learning-rate schedules, with torch.optim.lr_scheduler's names, parameters and rules.

Attach one to a run, ``Run(opt.Adam(lr=0.1), start, schedule=CosineAnnealingLR(T_max=100))``:
it is stepped once after every optimizer step, as torch users do (``optimizer.step()`` then
``scheduler.step()``), so optimizer step t (from 1) uses the learning rate of epoch t - 1.

Each schedule computes its rates as torch does, recursively from the previous rate in
float64 (``StepLR`` multiplies by gamma at each milestone rather than raising gamma to a
power), so a scheduled run's positions equal torch's to the last few bits.
``learning_rates(lr, steps)`` gives them all at once, for every run's own base rate.

``OneCycleLR`` also cycles the optimizer's momentum (``momentum``, or ``betas[0]``) between
``max_momentum`` and ``base_momentum`` unless ``cycle_momentum=False``, again as torch does.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from . import checks
from .tuning import Tuned

__all__ = ["Schedule", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "OneCycleLR", "ALL",
           "Torch", "run_rates"]


# A learning rate past this is refused: any run leaves the finite numbers at once, and past
# 1e308 the rate itself is no float (an overflow, found after all the work).
MAX_RATE = 1e100


class Schedule:
    """Base of every schedule: validation, naming, and the rates over a run."""

    def describe(self) -> str:
        """The name and every parameter that differs from its default,
        e.g. 'CosineAnnealingLR(T_max=100)'."""
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.default is not dataclasses.MISSING and value == f.default:
                continue
            parts.append(f"{f.name}={value:g}" if isinstance(value, float) else f"{f.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    uses_lr = True        # whether the optimizer's own lr is the base rate

    @property
    def short(self) -> str:
        """A few words for a legend: 'cosine over 100', 'step x0.1 every 30', ..."""
        return type(self).__name__

    def learning_rates(self, lr, steps: int) -> np.ndarray:
        """The rate each optimizer step 1..steps uses, from base rate(s) ``lr`` (a number, or
        an array of one per run): shape (steps,) + shape(lr)."""
        base = np.asarray(lr, dtype=float)
        out = np.empty((steps,) + base.shape)
        current = base.copy()
        for epoch in range(steps):
            current = self._next(current, base, epoch)
            out[epoch] = current
        return out

    def momenta(self, steps: int) -> np.ndarray | None:
        """The momentum (or beta1) each optimizer step uses, shape (steps,), when the schedule
        sets it; None when it leaves the optimizer's own."""
        return None

    def check(self, optimizer, steps: int, owner: str = "Run") -> None:
        """Raise ValueError (one line) if this schedule cannot drive ``optimizer`` for ``steps``."""

    def _next(self, lr: np.ndarray, base: np.ndarray, epoch: int) -> np.ndarray:
        """The rate at ``epoch`` from the rate at ``epoch - 1`` (at epoch 0: the base)."""
        raise NotImplementedError


def _schedule(cls):
    """A frozen dataclass whose parameters are given by name (as torch's are, after the
    optimizer), checked in ``_check``."""
    cls = dataclasses.dataclass(frozen=True)(cls)
    init = cls.__init__
    names = [f.name for f in dataclasses.fields(cls)]

    def __init__(self, *args, **kwargs):
        for key in kwargs:
            if key not in names:
                raise ValueError(f"{cls.__name__}: unknown parameter {key!r}; valid ones are {', '.join(names)}")
        if len(args) > len(names):
            raise ValueError(f"{cls.__name__}: takes at most {len(names)} parameters ({', '.join(names)}), "
                             f"got {len(args)}")
        twice = set(names[:len(args)]) & set(kwargs)
        if twice:
            raise ValueError(f"{cls.__name__}: {', '.join(sorted(twice))} given twice, by position and by name")
        given = set(names[:len(args)]) | set(kwargs)
        missing = [f.name for f in dataclasses.fields(cls)
                   if f.default is dataclasses.MISSING and f.name not in given]
        if missing:
            raise ValueError(f"{cls.__name__}: {' and '.join(missing)} must be given")
        init(self, *args, **kwargs)
        self._check()

    __init__.__doc__ = init.__doc__
    cls.__init__ = __init__
    return cls


def _set(obj, name, value):
    object.__setattr__(obj, name, value)


@_schedule
class StepLR(Schedule):
    """lr times ``gamma`` every ``step_size`` epochs."""

    step_size: int
    gamma: float = 0.1

    def _check(self):
        _set(self, "step_size", checks.integer("StepLR", "step_size", self.step_size, 1))
        _set(self, "gamma", checks.number("StepLR", "gamma", self.gamma, 0.0, None, True))

    @property
    def short(self):
        return f"step x{self.gamma:g} every {self.step_size}"

    def check(self, optimizer, steps, owner="Run"):
        _growth(owner, self, optimizer, steps, self.step_size, "a larger step_size")

    def _next(self, lr, base, epoch):
        if epoch == 0 or epoch % self.step_size != 0:
            return lr
        return lr * self.gamma


@_schedule
class ExponentialLR(Schedule):
    """lr times ``gamma`` every epoch."""

    gamma: float

    def _check(self):
        _set(self, "gamma", checks.number("ExponentialLR", "gamma", self.gamma, 0.0, None, True))

    @property
    def short(self):
        return f"x{self.gamma:g} a step"

    def check(self, optimizer, steps, owner="Run"):
        _growth(owner, self, optimizer, steps, 1)

    def _next(self, lr, base, epoch):
        return lr if epoch == 0 else lr * self.gamma


@_schedule
class CosineAnnealingLR(Schedule):
    r"""Half a cosine from lr down to ``eta_min`` over ``T_max`` epochs, then back up (SGDR
    without restarts), in torch's recursive form:

    .. math:: \eta_e = \eta_{min} + (\eta_{e-1} - \eta_{min})
              \frac{1 + \cos(\pi e / T)}{1 + \cos(\pi (e-1) / T)}
    """

    T_max: int
    eta_min: float = 0.0

    def _check(self):
        _set(self, "T_max", checks.integer("CosineAnnealingLR", "T_max", self.T_max, 1))
        _set(self, "eta_min", checks.number("CosineAnnealingLR", "eta_min", self.eta_min, 0.0))

    @property
    def short(self):
        return f"cosine over {self.T_max}"

    def _next(self, lr, base, epoch):
        T, low = self.T_max, self.eta_min
        if epoch == 0:
            return lr
        if (epoch - 1 - T) % (2 * T) == 0:
            return lr + (base - low) * (1 - math.cos(math.pi / T)) / 2
        return (1 + math.cos(math.pi * epoch / T)) / (1 + math.cos(math.pi * (epoch - 1) / T)) * (lr - low) + low


@_schedule
class LinearLR(Schedule):
    """lr times a factor going linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs (a warm-up with the defaults), then held."""

    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_iters: int = 5

    def _check(self):
        _set(self, "start_factor", checks.number("LinearLR", "start_factor", self.start_factor, 0.0, 1.0, True))
        _set(self, "end_factor", checks.number("LinearLR", "end_factor", self.end_factor, 0.0, 1.0))
        _set(self, "total_iters", checks.integer("LinearLR", "total_iters", self.total_iters, 1))

    @property
    def short(self):
        return f"linear x{self.start_factor:.3g} to x{self.end_factor:.3g} over {self.total_iters}"

    def _next(self, lr, base, epoch):
        if epoch == 0:
            return lr * self.start_factor
        if epoch > self.total_iters:
            return lr
        change = self.end_factor - self.start_factor
        return lr * (1.0 + change / (self.total_iters * self.start_factor + (epoch - 1) * change))


@_schedule
class OneCycleLR(Schedule):
    """The one-cycle policy (Smith & Topin 2019): from ``max_lr / div_factor`` up to
    ``max_lr`` over the first ``pct_start`` of ``total_steps``, then down to
    ``max_lr / (div_factor * final_div_factor)``, by cosine (or ``anneal_strategy="linear"``);
    ``three_phase`` comes back to the start before the final descent. The optimizer's own
    lr is not used. With ``cycle_momentum`` the momentum (or beta1) moves the other way,
    between ``max_momentum`` and ``base_momentum``. ``total_steps`` must cover the scene's
    steps."""

    max_lr: Any
    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    cycle_momentum: bool = True
    base_momentum: float = 0.85
    max_momentum: float = 0.95
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False

    def _check(self):
        owner = "OneCycleLR"
        if not _is_tuned(self.max_lr):
            _set(self, "max_lr", checks.number(owner, "max_lr", self.max_lr, 0.0, None, True))
        _set(self, "total_steps", checks.integer(owner, "total_steps", self.total_steps, 1))
        _set(self, "pct_start", checks.number(owner, "pct_start", self.pct_start, 0.0, 1.0))
        if self.anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {self.anneal_strategy!r}")
        _set(self, "cycle_momentum", checks.flag(owner, "cycle_momentum", self.cycle_momentum))
        _set(self, "base_momentum", checks.number(owner, "base_momentum", self.base_momentum, 0.0, 1.0, False, True))
        _set(self, "max_momentum", checks.number(owner, "max_momentum", self.max_momentum, 0.0, 1.0, False, True))
        _set(self, "div_factor", checks.number(owner, "div_factor", self.div_factor, 0.0, None, True))
        _set(self, "final_div_factor", checks.number(owner, "final_div_factor", self.final_div_factor, 0.0, None, True))
        _set(self, "three_phase", checks.flag(owner, "three_phase", self.three_phase))
        top = self.max_lr.hi if _is_tuned(self.max_lr) else self.max_lr
        with np.errstate(over="ignore"):
            start = np.float64(top) / self.div_factor
        if not start <= MAX_RATE:
            raise ValueError(f"OneCycleLR: max_lr / div_factor, the rate it starts at, is {start:g}, past "
                             f"{MAX_RATE:g}; give a larger div_factor or a smaller max_lr")
        ends = [p[0] for p in self._phases()]
        if any(b == a for a, b in zip([0.0] + ends, ends)):
            # torch divides by the phase's length, and fails at its first step.
            raise ValueError(f"OneCycleLR: pct_start {self.pct_start:g} of total_steps {self.total_steps} leaves "
                             f"a phase of no steps; give more total_steps or another pct_start")

    uses_lr = False       # the optimizer's lr is not used

    @property
    def short(self):
        return f"one cycle to {self.max_lr:.3g}"

    def check(self, optimizer, steps, owner="Run"):
        if steps > self.total_steps:
            raise ValueError(f"{owner}: OneCycleLR's total_steps ({self.total_steps}) is smaller than the "
                             f"scene's steps ({steps}); give total_steps={steps} or more")
        if self.cycle_momentum and _momentum_field(optimizer) is None:
            raise ValueError(f"{owner}: OneCycleLR cycles momentum, and {optimizer.name} has neither momentum "
                             f"nor betas; give cycle_momentum=False")

    def _phases(self):
        """(end step, start, end) of each phase, as names of the three rates (and momenta)."""
        n, p = self.total_steps, self.pct_start
        if self.three_phase:
            return [(float(p * n) - 1, "initial", "max", "max_m", "base_m"),
                    (float(2 * p * n) - 2, "max", "initial", "base_m", "max_m"),
                    (n - 1, "initial", "min", "max_m", "max_m")]
        return [(float(p * n) - 1, "initial", "max", "max_m", "base_m"),
                (n - 1, "max", "min", "base_m", "max_m")]

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _at(self, epoch, values):
        start_step = 0.0
        phases = self._phases()
        for i, (end_step, a, b, ma, mb) in enumerate(phases):
            if epoch <= end_step or i == len(phases) - 1:
                pct = (epoch - start_step) / (end_step - start_step)
                return self._anneal(values[a], values[b], pct), self._anneal(values[ma], values[mb], pct)
            start_step = end_step

    def learning_rates(self, lr, steps):
        # The optimizer's lr is not used: every run's rates are the schedule's.
        shape = np.shape(lr)
        initial = self.max_lr / self.div_factor
        values = dict(initial=initial, max=self.max_lr, min=initial / self.final_div_factor,
                      max_m=self.max_momentum, base_m=self.base_momentum)
        rates = np.array([self._at(epoch, values)[0] for epoch in range(steps)])
        return np.broadcast_to(rates.reshape((steps,) + (1,) * len(shape)), (steps,) + shape).copy()

    def momenta(self, steps):
        if not self.cycle_momentum:
            return None
        values = dict(initial=0.0, max=0.0, min=0.0, max_m=self.max_momentum, base_m=self.base_momentum)
        return np.array([self._at(epoch, values)[1] for epoch in range(steps)])


def _growth(owner: str, schedule, optimizer, steps: int, every: int, longer: str = "") -> None:
    """Refuse, before any work, a ``gamma`` above 1 that would raise the learning rate past
    MAX_RATE within ``steps`` (it multiplies the rate ``every`` epochs)."""
    gamma = schedule.gamma
    lr = optimizer.lr.hi if _is_tuned(optimizer.lr) else optimizer.lr
    if gamma <= 1 or steps < 2:
        return
    times = (steps - 1) // every                      # optimizer step t takes epoch t - 1's rate
    peak = round(math.log10(lr) + times * math.log10(gamma), 9)      # log10 of the last rate, past any float maybe
    if peak > math.log10(MAX_RATE):
        past = max(0, math.floor((math.log10(MAX_RATE) - math.log10(lr)) / math.log10(gamma)) + 1)
        ways = f"a gamma nearer 1, {longer} or fewer steps" if longer else "a gamma nearer 1 or fewer steps"
        last = f"{10 ** (peak - math.floor(peak)):.2g}e+{math.floor(peak)}"
        raise ValueError(f"{owner}: {type(schedule).__name__}'s gamma {gamma:g} raises the learning rate "
                         f"{lr:g} past {MAX_RATE:g} at step {past * every + 1} of {steps} (to {last} by "
                         f"the last); give {ways}")


def run_rates(lr, schedule, steps: int) -> np.ndarray:
    """The rate each optimizer step 1..steps of a run uses from its base rate ``lr``: its
    ``schedule``'s, or ``lr`` throughout when it has none. The simulation steps with these,
    and the loss panel draws them."""
    if schedule is None:
        return np.full(steps, float(lr))
    return schedule.learning_rates(lr, steps)


def _momentum_field(optimizer) -> str | None:
    """Which hyperparameter a momentum-cycling schedule sets: 'betas' (its first), 'momentum',
    or None."""
    names = {f.name for f in dataclasses.fields(optimizer)}
    return "betas" if "betas" in names else "momentum" if "momentum" in names else None


def _is_tuned(value) -> bool:
    return isinstance(value, Tuned)


ALL = (StepLR, ExponentialLR, CosineAnnealingLR, LinearLR, OneCycleLR)


@dataclasses.dataclass(frozen=True, init=False, eq=False)
class Torch(Schedule):
    """``Torch(cls, **parameters)``: any ``torch.optim.lr_scheduler`` class (or your own
    ``LRScheduler``) as a run's schedule. Its rates are torch's own: an optimizer at the run's
    base rate is stepped, with the scheduler after it, once a step. A momentum it cycles
    (torch's ``OneCycleLR``) is taken too, as render's ``OneCycleLR`` sets it. Needs PyTorch."""

    cls: Any
    params: tuple

    def __init__(self, cls, **params):
        _set(self, "cls", cls)
        _set(self, "params", tuple(params.items()))
        torch = checks.torch("schedules.Torch")
        if not (isinstance(cls, type) and issubclass(cls, torch.optim.lr_scheduler.LRScheduler)):
            raise ValueError(f"Torch: the first argument must be a torch.optim.lr_scheduler class such as "
                             f"torch.optim.lr_scheduler.StepLR, got {checks._short(cls)}")
        try:
            self._rates(1e-3, 2)
        except Exception as e:
            raise ValueError(f"{cls.__name__}: {type(e).__name__}: {checks.one_line(e)}") from None

    def describe(self) -> str:
        return f"{self.cls.__name__}({', '.join(f'{k}={v!r}' for k, v in self.params)})"

    @property
    def short(self) -> str:
        return self.cls.__name__

    def _rates(self, lr: float, steps: int, momenta: bool = False) -> np.ndarray:
        """The rate (or, with ``momenta``, the momentum) each optimizer step uses."""
        import warnings
        torch = checks.torch("schedules.Torch")
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.SGD([p], lr=float(lr), momentum=0.9)
        key = "momentum" if momenta else "lr"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # (torch's advice on its own step order)
            scheduler = self.cls(optimizer, **dict(self.params))
            out = np.empty(steps)
            for epoch in range(steps):
                out[epoch] = optimizer.param_groups[0][key]
                optimizer.step()
                scheduler.step()
        return out

    def momenta(self, steps):
        """The momentum each step uses when the scheduler cycles it, else None."""
        values = self._rates(1e-3, steps, momenta=True)
        return None if np.all(values == 0.9) else values

    def learning_rates(self, lr, steps):
        base = np.asarray(lr, dtype=float)
        out = np.empty((steps,) + base.shape)
        flat = out.reshape(steps, -1)
        for value in np.unique(base):
            flat[:, base.reshape(-1) == value] = self._rates(float(value), steps)[:, None]
        return out

    def check(self, optimizer, steps, owner="Run"):
        try:
            rates = self.learning_rates(optimizer.lr.hi if _is_tuned(optimizer.lr) else optimizer.lr, steps)
        except Exception as e:                   # (torch's own word: too many steps for total_steps, say)
            raise ValueError(f"{owner}: {self.describe()} cannot run {steps} steps: {type(e).__name__}: "
                             f"{checks.one_line(e)}") from None
        if self.momenta(steps) is not None and _momentum_field(optimizer) is None:
            raise ValueError(f"{owner}: {self.describe()} cycles the momentum, and {optimizer.describe()} has "
                             f"none; give it cycle_momentum=False")
        if not (np.isfinite(rates).all() and np.all(rates <= MAX_RATE)):
            raise ValueError(f"{owner}: {self.describe()} takes the learning rate past {MAX_RATE:g} within "
                             f"{steps} steps")

