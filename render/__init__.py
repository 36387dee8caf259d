"""render: declarative animations of gradient-descent optimizers.

    from render import Scene, Run, View2D, View3D, Camera, surfaces, optimizers as opt

The names below are the public API; scene files import them. Each loads when it is first
asked for, so the ``render`` program is in charge (of Ctrl-C, say) from its first instant;
drawing and encoding (matplotlib, ffmpeg) load only when something is rendered.
"""
import importlib

from ._version import __version__  # noqa: F401  (public)

# Where each public name lives.
_NAMES = {
    "Plane": "planes",
    "Note": "story",
    "render_scene": "pipeline",
    "Trajectories": "trajectories", "simulate": "trajectories",
    "tuned": "tuning",
    **{name: "scene" for name in ("Camera", "Inset", "Interpolation", "Key", "Multiples", "Response", "ResponseScene", "ResponseView", "Run", "Sharpness",
                                  "Scene", "Swarm", "Sweep", "SweepLoss", "View2D", "View3D")},
}
# Public modules, by the name they go by here (render.signals: the gradient signals of the
# response figures, render/gradient_signals.py).
_MODULES = {"datasets": "datasets", "optimizers": "optimizers", "schedules": "schedules",
            "signals": "gradient_signals", "surfaces": "surfaces"}

__all__ = sorted([*_NAMES, *_MODULES])


def __getattr__(name):
    if name in _NAMES:
        value = getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(f".{_MODULES[name]}", __name__)
    else:
        raise AttributeError(f"module 'render' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *__all__})
