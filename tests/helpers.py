"""Shared by the tests: an optimizer driven through its readable rule, step by step; the
final frame of a view."""
import numpy as np


def rule_path(gradient, rule, start, steps):
    """Positions (steps + 1, runs, D) and states of ``rule`` from ``start`` (runs, D), driven
    through its own init / probes / update; ``gradient`` maps points (..., D) to gradients."""
    params = np.array(start, dtype=float)
    state = rule.init(params)
    path, states = [params.copy()], [state]
    for _ in range(steps):
        updates, state = rule.update(gradient(rule.probes(params, state)), state, params)
        params = params + updates
        path.append(params.copy())
        states.append(state)
    return np.array(path), states


def surface_gradient(surface):
    """A 2D surface's gradient as a function of points (..., 2)."""
    return lambda p: np.stack(surface.gradient(p[..., 0], p[..., 1]), axis=-1)


def final_frame(scene, view, size):
    """A FrameSource of ``view`` of ``scene`` and its last frame."""
    from render import plan
    from render.frames import FrameSource
    source = FrameSource(plan.build(scene), view, size)
    return source, source.frame(len(source) - 1)
