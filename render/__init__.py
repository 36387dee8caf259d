"""render: declarative animations of gradient-descent optimizers.

The public names are imported on first use, so that the ``render`` command starts (and can
be interrupted) before numpy and matplotlib load.
"""
__version__ = "0.1.0"

_PUBLIC = {
    "Camera": "scene", "Response": "scene", "ResponseScene": "scene", "ResponseView": "scene",
    "Run": "scene", "Scene": "scene", "View2D": "scene", "View3D": "scene",
    "Trajectories": "simulate", "simulate": "simulate",
}
_MODULES = ("optimizers", "surfaces", "signals", "testing")

__all__ = sorted(_PUBLIC) + ["optimizers", "surfaces"]


def __getattr__(name):
    import importlib
    if name in _PUBLIC:
        return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'render' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
