"""Time: which moment of the simulation each frame shows, and how fast frames play.

A frame shows a time ``t`` in steps, fractional between two steps when frames are added to
glide a head along its step. ``frame_times`` decides them for a scene:

- ``time="linear"``: every step, or ``max_frames`` steps spread evenly; ``"log"``: steps
  spread evenly on a log scale (step 0, then from 1 to the last), so a fast start and a slow
  end both show.
- ``smooth``: when each frame shows one step and the scene plays fewer than SMOOTH_FPS
  frames a second, frames are added between steps, each head gliding along its step, and
  the animation plays at that many times the rate: its length is unchanged.
- ``trim``: once nothing moves on screen any more (no run moves by more than STILL of the
  window, and, with a loss panel, no loss by more than STILL of its axis), the frames left
  are not played: the next frame is the last, which the final hold shows (but at least
  LEAST seconds play: a race where nothing moves is seen not moving).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["ease", "keyed", "frame_steps", "frame_times", "interpolate", "SMOOTH_FPS", "STILL"]

SMOOTH_FPS = 20.0       # below this rate, frames glide between steps
MAX_GLIDE = 8           # frames per step at most
STILL = 1 / 2000        # of the window (or the loss axis): less motion than this is none
LEAST = 1.0             # seconds of frames a trimmed animation keeps at least


def ease(t: float) -> float:
    """Smoothstep: from 0 to 1 with no jolt at either end (a camera starts and stops gently)."""
    t = min(1.0, max(0.0, float(t)))
    return t * t * (3 - 2 * t)


def keyed(start, keys, at: float) -> np.ndarray:
    """The value at fraction ``at`` (0 to 1) of an animation that starts at ``start`` and
    passes through ``keys``, (fraction, value) in increasing fractions (a key at 0 replaces
    the start): between two, eased (``ease``) from one to the next; after the last, its."""
    poses = [(0.0, np.asarray(start, dtype=float))] + [(k, np.asarray(v, dtype=float)) for k, v in keys]
    if len(poses) > 1 and poses[1][0] == 0.0:
        poses = poses[1:]
    at = min(1.0, max(0.0, float(at)))
    before = max((p for p in poses if p[0] <= at), key=lambda p: p[0])
    after = min((p for p in poses if p[0] >= at), key=lambda p: p[0], default=before)
    t = 0.0 if after[0] == before[0] else ease((at - before[0]) / (after[0] - before[0]))
    return before[1] + (after[1] - before[1]) * t


def frame_steps(steps: int, max_frames: int) -> np.ndarray:
    """The step each frame shows: every step, or ``max_frames`` of them spread evenly
    (always including the first and the last)."""
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    return np.unique(np.round(np.linspace(0, steps, max_frames)).astype(int))


def log_steps(steps: int, max_frames: int) -> np.ndarray:
    """Step 0, then up to ``max_frames - 1`` steps from 1 to ``steps`` spread evenly on a
    log scale (each at most once)."""
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    return np.unique(np.concatenate([[0], np.round(np.geomspace(1, steps, max_frames - 1)).astype(int)]))


def interpolate(values: np.ndarray, rows, times: np.ndarray) -> np.ndarray:
    """``values`` (runs, steps + 1, ...) of ``rows`` at fractional steps ``times``: between
    two steps, on the straight line from one to the next; where the next is not finite (the
    run diverged there), the step before."""
    times = np.asarray(times, dtype=float)
    lo = np.floor(times).astype(int)
    chosen = values[np.atleast_1d(rows)]
    V = chosen[:, lo]
    frac = times - lo
    if not np.any(frac):
        return V
    hi = np.minimum(lo + 1, values.shape[1] - 1)
    W = chosen[:, hi]
    shape = (1, len(times)) + (1,) * (values.ndim - 2)
    f = frac.reshape(shape)
    with np.errstate(invalid="ignore", over="ignore"):
        mixed = V + f * (W - V)
    ok = np.isfinite(mixed) if values.ndim == 2 else np.all(np.isfinite(mixed), axis=-1, keepdims=True)
    return np.where(ok, mixed, V)


def _moving(values: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(frames,): whether anything of ``values`` (runs, frames, k) moves by more than STILL
    of ``scale`` (k,) from the frame before it; frame 0 always moves."""
    with np.errstate(invalid="ignore"):
        step = np.abs(np.diff(values, axis=1)) / scale
    step = np.nan_to_num(step, nan=0.0, posinf=1.0)
    moved = np.any(step > STILL, axis=(0, 2))
    return np.concatenate([[True], moved])


def frame_times(scene, trajectories, window, fps: float, loss_axis=None):
    """(times, fps): the fractional step each frame of ``scene`` shows, and the frames per
    second to play them at. ``window`` is what the views frame (the motion that counts is
    measured against it), ``loss_axis(losses) -> (transformed losses, their span)`` that of
    a loss panel if a view has one."""
    steps, cap = scene.steps, scene.max_frames
    times = (log_steps if scene.time == "log" else frame_steps)(steps, cap).astype(float)
    if scene.smooth and scene.time == "linear" and len(times) == steps + 1 and fps < SMOOTH_FPS:
        glide = min(MAX_GLIDE, math.ceil(SMOOTH_FPS / fps - 1e-9), max(1, (4 * cap) // max(1, steps)))
        if glide > 1:
            times = np.arange(steps * glide + 1) / glide
            fps *= glide
    positions = getattr(trajectories, "positions", None)
    if scene.trim and positions is not None and len(times) > 2:
        xmin, xmax, ymin, ymax = window
        rows = np.arange(len(positions))
        P = interpolate(positions, rows, times)
        moving = _moving(P, np.array([xmax - xmin, ymax - ymin]))
        if loss_axis is not None:
            shown, span = loss_axis(interpolate(trajectories.losses, rows, times))
            moving |= _moving(shown[..., None], np.array([span]))
        last = max(int(np.flatnonzero(moving)[-1]), int(round(LEAST * fps)))
        if last < len(times) - 2:
            times = np.append(times[: last + 1], times[-1])
    return times, fps
