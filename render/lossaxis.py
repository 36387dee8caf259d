"""The loss axis: how losses are drawn against step, chosen once for a scene.

- ``"log"``: losses that are all positive and span more than two decades.
- ``"above"``: losses that reach zero or below but whose distance above the lowest spans
  more than three decades: drawn as loss minus the lowest loss reached, on a log axis, and
  the axis says so. A symmetric-log axis of losses around zero was unreadable.
- ``"linear"``: the rest, or whatever the scene asks for with ``loss_scale``.

The axis fits the runs that stay in range. A run that diverged (or whose loss grows past
RUNAWAY times the largest start) is drawn until it leaves the axis and marked where it
does, without stretching the axis to 1e49. A log axis spans at most DECADES decades; losses
below it are drawn along its floor.
"""
from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["LossAxis", "choose", "SCALES"]

SCALES = ("auto", "log", "linear")
DECADES = 12          # the most decades a log axis spans
RUNAWAY = 1e3         # a run past this many times the largest start is out of range (log axes)


@dataclasses.dataclass(frozen=True)
class LossAxis:
    kind: str               # "log", "above" or "linear"
    floor: float            # subtracted before drawing ("above"), else 0
    lo: float               # the axis' limits, in drawn units
    hi: float

    @property
    def log(self) -> bool:
        return self.kind != "linear"

    @property
    def label(self) -> str:
        if self.kind == "above":
            return f"loss \u2212 lowest ({self.floor:.3g})"
        return "loss"

    def drawn(self, losses) -> np.ndarray:
        """Losses as drawn: minus the floor, and on a log axis never below its bottom."""
        with np.errstate(invalid="ignore"):
            values = np.asarray(losses, dtype=float) - self.floor
            return np.maximum(values, self.lo) if self.log else values

    def position(self, losses) -> np.ndarray:
        """Where losses sit along the axis, 0 at the bottom and 1 at the top (beyond for
        what leaves it)."""
        values = self.drawn(losses)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.log:
                return (np.log10(values) - np.log10(self.lo)) / (np.log10(self.hi) - np.log10(self.lo))
            return (values - self.lo) / (self.hi - self.lo)


def choose(losses: np.ndarray, diverged: np.ndarray, scale: str = "auto") -> LossAxis:
    """The axis for runs whose losses are ``losses`` (runs, steps) (NaN where none) and
    which diverged where ``diverged`` (runs,) is True."""
    losses = np.asarray(losses, dtype=float)
    finite = losses[np.isfinite(losses)]
    if not finite.size:
        return LossAxis("linear", 0.0, -1.0, 1.0)
    starts = losses[:, 0][np.isfinite(losses[:, 0])]
    # What sets the axis: runs that did not diverge.
    diverged = np.asarray(diverged, dtype=bool)
    kept = losses if diverged.all() else losses[~diverged]
    kept = kept[np.isfinite(kept)]
    if not kept.size:
        kept = finite
    lowest = float(min(kept.min(), starts.min() if starts.size else kept.min()))
    kind = scale
    if scale == "auto":
        if lowest > 0 and kept.max() / lowest > 100:
            kind = "log"
        elif lowest > 0:
            kind = "linear"
        else:
            above = kept - lowest
            positive = above[above > 0]
            spread = positive.max() / np.percentile(positive, 5) if positive.size else 1.0
            kind = "above" if spread > 1000 else "linear"
    elif scale == "log":
        kind = "log" if lowest > 0 else "above"
    floor = lowest if kind == "above" else 0.0
    if kind == "linear":
        lo, hi = float(kept.min()), float(kept.max())
        pad = 0.05 * (hi - lo) if hi > lo else max(1.0, abs(hi)) * 0.05
        return LossAxis("linear", 0.0, lo - pad, hi + pad)
    values = kept - floor
    top = float(values.max())
    if starts.size:                      # a run that runs away upwards does not set the top
        start_top = float((starts - floor).max())
        if start_top > 0:
            top = min(top, start_top * RUNAWAY)
    positive = values[(values > 0) & (values <= top)]
    bottom = float(positive.min()) if positive.size else top * 1e-3
    bottom = max(bottom, top * 10.0 ** -DECADES)
    return LossAxis(kind, floor, bottom / 1.5, top * 1.5)
