"""Any ``torch.optim.Optimizer`` as a run's optimizer: ``opt.Torch(torch.optim.Adam, lr=0.1)``,
a third-party package's, or one defined in the scene file.

Each run's parameters are a float64 tensor of their own, in a param group of its own, so a
rule that looks at a whole tensor (a norm, a trust ratio) sees one run at a time, and a
schedule sets each run's learning rate in its group. Every step the simulation hands the
gradient it computed (with the run's noise, if any) to ``optimizer.step()`` as ``p.grad``;
the run moves where the step puts it. torch is imported when a run starts, not with render.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from . import checks
from .rules import Optimizer
from .tuning import Tuned

__all__ = ["Torch"]



@dataclasses.dataclass(frozen=True, init=False, eq=False)
class Torch(Optimizer):
    """``Torch(cls, lr=..., noise=0.0, **hyperparameters)``: the torch optimizer class ``cls``
    with its hyperparameters as its constructor takes them (any may be ``tuned(...)`` if it is
    a number). Its name in a legend is the class's name with the hyperparameters given."""

    # A process forked after torch's thread pool has run hangs when it uses torch: a scene
    # with this is rendered without forking (``render.executors.forkable``).
    fork_safe = False

    cls: Any
    lr: Any
    hyper: tuple                    # ((name, value), ...) as given, but lr and noise
    noise: float = 0.0

    # Runs share a torch optimizer when their class and hyperparameters agree; their learning
    # rates may differ (each run has a param group of its own).
    structural = ("cls", "hyper")

    def __init__(self, cls, lr=1e-3, noise=0.0, **hyper):
        object.__setattr__(self, "cls", cls)
        object.__setattr__(self, "lr", lr)
        object.__setattr__(self, "hyper", tuple(hyper.items()))
        object.__setattr__(self, "noise", noise)
        self.__post_init__()

    def _validate(self) -> None:
        torch = checks.torch("opt.Torch")
        cls = self.cls
        if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
            raise ValueError(f"Torch: the first argument must be a torch.optim.Optimizer class such as "
                             f"torch.optim.Adam, got {checks._short(cls)}")
        hyper = {}
        for name, value in self.hyper:
            if isinstance(value, Tuned):
                for end in (value.lo, value.hi):
                    checks.number(self.name, f"{name} (tuned)", end)
                value = value.lo
            hyper[name] = value
        lr = self.lr.lo if isinstance(self.lr, Tuned) else self.lr
        try:                            # (what the class itself says of its hyperparameters)
            cls([torch.zeros(2, dtype=torch.float64, requires_grad=True)], lr=lr, **hyper)
        except Exception as e:
            raise ValueError(f"{self.name}: {type(e).__name__}: {checks.one_line(e)}") from None

    # Tuned values: lr by its field, the others inside ``hyper``.
    def tunable(self) -> dict[str, Tuned]:
        found = {"lr": self.lr} if isinstance(self.lr, Tuned) else {}
        return found | {name: v for name, v in self.hyper if isinstance(v, Tuned)}

    def replace(self, **values) -> "Torch":
        given = dict(self.hyper, lr=self.lr, noise=self.noise)
        given.update(values)
        return Torch(self.cls, **given)

    @property
    def name(self) -> str:
        return self.cls.__name__

    def describe(self, digits: int = 6, skip: tuple[str, ...] = ()) -> str:
        parts = [] if "lr" in skip else [f"lr={_text(self.lr, digits)}"]
        parts += [f"{name}={_text(value, digits)}" for name, value in self.hyper if name not in skip]
        return f"{self.name}({', '.join(parts)})" if parts or not skip else self.name

    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.hyper, lr=self.lr, noise=self.noise)

    # The rule: a torch optimizer over one float64 tensor a run.
    def init(self, params):
        torch = checks.torch("opt.Torch")
        tensors = [torch.tensor(row, dtype=torch.float64, requires_grad=True) for row in np.asarray(params)]
        lrs = _rates(self.lr, len(tensors))
        optimizer = self.cls([{"params": [t], "lr": float(lr)} for t, lr in zip(tensors, lrs)],
                             lr=float(lrs[0]), **dict(self.hyper))
        return _State(optimizer, tensors)

    def update(self, grads, state, params):
        torch = checks.torch("opt.Torch")
        optimizer, tensors = state.optimizer, state.tensors
        lrs = _rates(self.lr, len(tensors))
        with torch.no_grad():
            for t, row, g, group, lr in zip(tensors, params, grads[0], optimizer.param_groups, lrs):
                t.copy_(torch.from_numpy(np.ascontiguousarray(row)))
                t.grad = torch.from_numpy(np.array(g, dtype=float))
                group["lr"] = float(lr)       # (a schedule's rate for this step)
        optimizer.step()
        moved = np.stack([t.detach().numpy() for t in tensors])
        return moved - params, state


@dataclasses.dataclass(frozen=True)
class _State:
    """A torch optimizer and the tensors it steps, one a run: its state is torch's own."""

    optimizer: Any
    tensors: list


def _rates(lr, runs: int) -> np.ndarray:
    """Each run's learning rate: one number, or a column a run (stacked runs, a schedule's step)."""
    rates = np.asarray(lr, dtype=float)
    return np.full(runs, float(rates)) if rates.ndim == 0 else rates.reshape(runs, -1)[:, 0]


def _text(value, digits) -> str:
    if isinstance(value, Tuned):
        return format(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        if isinstance(value, tuple):
            return "(" + ", ".join(_text(v, digits) for v in value) + ")"
        return repr(value) if isinstance(value, str) else str(value)
    return f"{value:.{digits}g}"
