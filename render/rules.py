"""The base of every update rule: its hyperparameters checked when it is built, and its
name for legends and CSV files. The rules themselves are in ``render.optimizers`` (numpy)
and ``render.torch_optimizer`` (any torch.optim class)."""
from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np

from . import checks
from .tuning import Tuned

__all__ = ["Optimizer"]


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
    "beta2_decay": (None, 0.0, False, False), "d": (1.0, None, False, False),
}


class Optimizer:
    """Base of every rule: validation and naming."""

    # Fields whose value changes the arithmetic (not just a number in it).
    structural: tuple[str, ...] = ()
    # True when the rule needs gradients elsewhere than at params (see ``probes``).
    looks_ahead: bool = False
    # Fields holding a pair of values, with the function that checks them.
    pairs: dict = {}

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Tuned):
                if f.name not in _RANGES or f.name in self.structural or f.name == "noise":
                    raise ValueError(f"{owner}: {f.name} cannot be tuned; tune a number such as lr")
                for end in (value.lo, value.hi):
                    checks.number(owner, f"{f.name} (tuned)", end, *_RANGES[f.name])
            elif f.name in self.pairs:
                value = self.pairs[f.name](owner, f.name, value)
            elif f.name == "betas":
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

    # Naming, for legends and CSV files.
    @property
    def name(self) -> str:
        return type(self).__name__

    def describe(self, digits: int = 6, skip: tuple[str, ...] = ()) -> str:
        """Name, learning rate and every other hyperparameter that differs from its default,
        e.g. 'Adam(lr=0.1, amsgrad=True)', numbers to ``digits`` significant digits, the
        fields in ``skip`` left out (and the brackets, if nothing is left)."""
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in skip:
                continue
            if f.name != "lr" and f.default is not dataclasses.MISSING and value == f.default:
                continue
            if isinstance(value, tuple):
                text = "(" + ", ".join("None" if v is None else f"{v:.{digits}g}" for v in value) + ")"
            elif isinstance(value, bool):
                text = str(value)
            else:
                text = f"{value:.{digits}g}"
            parts.append(f"{f.name}={text}")
        return f"{self.name}({', '.join(parts)})" if parts or not skip else self.name

    def hyperparameters(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _betas(owner: str, value: Any) -> tuple[float, float]:
    try:
        b1, b2 = value
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {value!r}") from None
    return (checks.number(owner, "betas[0]", b1, *_UNIT), checks.number(owner, "betas[1]", b2, *_UNIT))
