"""Synthetic gradient signals, and how an optimizer's update responds to them.

The optimizer article shows each rule's update as a function of time when the gradient is a
given signal: isolated spikes, a square wave, noisy sines, an uneven sawtooth, a signal that
switches on and off. ``signal(name, steps, seed)`` makes one; ``respond`` feeds signals to
update rules and records each step's update.
"""
from __future__ import annotations

import dataclasses
import difflib
from typing import Callable, Sequence

import numpy as np

from .optimizers import Optimizer

__all__ = ["SIGNALS", "names", "signal", "Responses", "respond"]


def _spikes(t, rng):
    return (t % 60 == 0).astype(float)


def _rectangles(t, rng):
    return np.where(t % 40 < 20, 1.0, -1.0)


def _noisy_sine(t, rng):
    return np.sin(t / 20) + rng.uniform(-0.5, 0.5, t.shape)


def _very_noisy_sine(t, rng):
    return np.sin(t / 20) / 5 + rng.uniform(-0.5, 0.5, t.shape)


def _uneven_sawtooth(t, rng):
    return (t % 20) / np.where(t > 80, 20.0, 5.0)


def _saturation(t, rng):
    return (t % 80 < 40).astype(float)


# name -> (make(t, rng), what it shows)
SIGNALS: dict[str, tuple[Callable, str]] = {
    "spikes": (_spikes, "a unit spike every 60 steps"),
    "rectangles": (_rectangles, "a square wave between +1 and -1, period 40"),
    "noisy_sine": (_noisy_sine, "sin(t/20) plus uniform noise of width 1"),
    "very_noisy_sine": (_very_noisy_sine, "sin(t/20)/5 plus uniform noise of width 1"),
    "uneven_sawtooth": (_uneven_sawtooth, "teeth of period 20, steep until step 80, then shallow"),
    "saturation": (_saturation, "1 for 40 steps, then 0 for 40"),
}


def names() -> list[str]:
    return list(SIGNALS)


def signal(name: str, steps: int, seed: int = 0) -> np.ndarray:
    """The gradient signal ``name`` over steps 0 .. steps-1 (noise seeded by name and seed)."""
    if name not in SIGNALS:
        close = difflib.get_close_matches(str(name), SIGNALS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(SIGNALS)}"
        raise ValueError(f"unknown signal {name!r}{hint}")
    rng = np.random.default_rng([seed, list(SIGNALS).index(name)])
    return SIGNALS[name][0](np.arange(steps), rng)


@dataclasses.dataclass(frozen=True, eq=False)
class Responses:
    """Gradient signals and each run's update in response, step by step."""

    names: tuple[str, ...]
    gradients: np.ndarray       # (signals, steps)
    updates: np.ndarray         # (runs, signals, steps): the step taken against the gradient

    @property
    def steps(self) -> int:
        return self.gradients.shape[1] - 1


def respond(optimizers: Sequence[Optimizer], signal_names: Sequence[str], steps: int,
            seed: int = 0) -> Responses:
    """Feed each signal, as the gradient at step t, to each optimizer's update rule.

    All signals go through one rule at once (a batch of one-coordinate parameters). The
    recorded update is the step against the gradient, -(x_{t+1} - x_t): positive when the
    gradient is. The gradient depends on time only, so a look-ahead changes nothing:
    Nesterov responds exactly as momentum with the same coefficients.
    """
    gradients = np.stack([signal(name, steps + 1, seed) for name in signal_names])
    updates = np.empty((len(optimizers),) + gradients.shape)
    for i, rule in enumerate(optimizers):
        params = np.zeros((len(signal_names), 1))
        state = rule.init(params)
        rng = np.random.default_rng([seed, 1000 + i])
        k = rule.probes(params, state).shape[0]
        for t in range(steps + 1):
            g = gradients[:, t, None]
            if rule.noise > 0:
                g = g + rule.noise * rng.standard_normal(g.shape)
            step, state = rule.update(np.broadcast_to(g, (k,) + g.shape), state, params)
            params = params + step
            updates[i, :, t] = -step[:, 0]
    return Responses(tuple(signal_names), gradients, updates)
