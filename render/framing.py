"""The frame that fits the action: the window a view draws by default.

A surface's window is the author's choice of domain, and the runs often use a small part of
it (the blog's least-squares runs cover 4% of their 20 x 20 window). ``fit`` gives the box
around what the runs do: their paths, their starts and the minima they approach, with a
margin. Two rules keep it honest:

- It never magnifies a direction past what it shows: each side spans at least MIN_SPAN of
  the surface's window, and one direction is never stretched more than MAX_STRETCH times the
  other relative to the surface's own proportions, so a wobble of a run along a straight
  valley stays a wobble instead of filling the frame.
- It does not chase a run that leaves: only what lies within REACH of the surface's window
  counts. A run beyond the window is drawn leaving it, and marked on the edge it left by.

When the box would span most of the surface's window (FULL on both sides), the surface's
window is kept: a frame a little tighter than the author's says nothing new.
"""
from __future__ import annotations

import numpy as np

__all__ = ["fit", "tight"]

MARGIN = 0.1           # of the box's span, added on each side
MIN_SPAN = 0.15        # of the surface window's span: the most a side is magnified is 1 / MIN_SPAN
MAX_STRETCH = 3.0      # the most one direction is magnified against the other
REACH = 0.25           # of the surface window's span, beyond each side: what counts
FULL = 0.7             # a box spanning this much of the window on both sides is the window
EDGE = 0.04            # of the window's span: room kept around a start at its edge


def _approached(minima, starts, ends) -> list:
    """The minima some run ends at least halfway closer to than it started."""
    chosen = []
    for m in minima:
        m = np.asarray(m, dtype=float)
        for s, e in zip(starts, ends):
            if np.all(np.isfinite(e)) and np.hypot(*(e - m)) <= 0.5 * np.hypot(*(s - m)):
                chosen.append(m)
                break
    return chosen


def fit_race(surface, positions: np.ndarray, steps: int) -> tuple[float, float, float, float]:
    """``fit`` for a race over ``surface`` of ``steps`` steps, its runs' ``positions`` (runs,
    steps + 1, 2) sampled at no more than 2,000 of them."""
    from .timeline import frame_steps
    return fit(surface.window, positions[:, frame_steps(steps, 2000)], getattr(surface, "minima", ()))


def fit(window, positions: np.ndarray, minima=()) -> tuple[float, float, float, float]:
    """The window to draw runs whose positions at each frame are ``positions`` (runs,
    frames, 2; NaN where a run has none) over a surface whose window is ``window``."""
    xmin, xmax, ymin, ymax = (float(v) for v in window)
    W, H = xmax - xmin, ymax - ymin
    P = np.asarray(positions, dtype=float).reshape(len(positions), -1, 2)
    lo_reach = np.array([xmin - REACH * W, ymin - REACH * H])
    hi_reach = np.array([xmax + REACH * W, ymax + REACH * H])
    with np.errstate(invalid="ignore"):
        near = np.all(np.isfinite(P), axis=2) & np.all((P >= lo_reach) & (P <= hi_reach), axis=2)
    if not near.any():
        return window
    points = [P[near]]
    starts = P[:, 0]
    # Each run's last point that counts: the minimum it heads for is framed with it.
    ends = np.array([P[r, np.flatnonzero(near[r])[-1]] if near[r].any() else np.full(2, np.nan)
                     for r in range(len(P))])
    approached = _approached(minima, starts, ends)
    if approached:
        points.append(np.array(approached))
    points = np.concatenate(points)
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = (hi - lo) * (1 + 2 * MARGIN)
    # The least each side may span: MIN_SPAN of the window, and a third of the other side's
    # magnification.
    span = np.maximum(span, MIN_SPAN * np.array([W, H]))
    rel = span / (W, H)
    rel = np.maximum(rel, rel[::-1] / MAX_STRETCH)
    span = rel * (W, H)
    if np.all(rel >= FULL):
        # The author's window, widened a little where a start lies on or past its edge (a
        # run that starts on the frame's edge is half hidden).
        inner = starts[np.all(np.isfinite(starts), axis=1) & np.all((starts >= lo_reach) & (starts <= hi_reach), axis=1)]
        if not len(inner):
            return window
        pad = EDGE * np.array([W, H])
        low = np.minimum([xmin, ymin], inner.min(axis=0) - pad)
        high = np.maximum([xmax, ymax], inner.max(axis=0) + pad)
        return float(low[0]), float(high[0]), float(low[1]), float(high[1])
    centre = (lo + hi) / 2
    # Not beyond the window by more than the margin: a run at the window's edge is at the
    # frame's edge, as the author framed it. A box that would cross that limit is moved
    # back inside it first, then cut.
    allowed_lo = np.array([xmin, ymin]) - MARGIN * span
    allowed_hi = np.array([xmax, ymax]) + MARGIN * span
    box_lo, box_hi = centre - span / 2, centre + span / 2
    shift = np.maximum(0.0, allowed_lo - box_lo) - np.maximum(0.0, box_hi - allowed_hi)
    box_lo, box_hi = np.maximum(box_lo + shift, allowed_lo), np.minimum(box_hi + shift, allowed_hi)
    return float(box_lo[0]), float(box_hi[0]), float(box_lo[1]), float(box_hi[1])


def tight(window, positions: np.ndarray) -> tuple[float, float, float, float]:
    """``View(window="auto")``: the box around every run's path with a tenth more on each
    side, whatever part of the window it is. Points far outside the surface's window (a run
    flying off) are left out, as are parts of paths after they diverge."""
    xmin, xmax, ymin, ymax = window
    cx, cy, w, h = (xmin + xmax) / 2, (ymin + ymax) / 2, xmax - xmin, ymax - ymin
    P = np.asarray(positions, dtype=float).reshape(-1, 2)
    with np.errstate(invalid="ignore"):
        near = np.all(np.isfinite(P), axis=1) & (np.abs(P[:, 0] - cx) <= 2 * w) & (np.abs(P[:, 1] - cy) <= 2 * h)
    if not near.any():
        return window
    lo, hi = P[near].min(axis=0), P[near].max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * np.array([w, h]))
    lo, hi = lo - 0.1 * span, hi + 0.1 * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
