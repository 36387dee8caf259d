"""render: declarative animations of gradient-descent optimizers.

    from render import Scene, Run, View2D, View3D, Camera, surfaces, optimizers as opt

The names below are the public API; scene files import them. Drawing and encoding
(matplotlib, ffmpeg) load only when something is rendered.
"""
from ._version import __version__

from . import datasets, optimizers, schedules, signals, surfaces
from .planes import Plane
from .scene import (Camera, Multiples, Response, ResponseScene, ResponseView, Run, Scene, Swarm, Sweep,
                    SweepLoss, View2D, View3D)
from .trajectories import Trajectories, simulate
from .tuning import tuned

__all__ = ["Camera", "Multiples", "Plane", "Response", "ResponseScene", "ResponseView", "Run",
           "Scene", "Swarm", "Sweep", "SweepLoss", "Trajectories", "View2D", "View3D", "datasets",
           "optimizers", "schedules", "signals", "simulate", "surfaces", "tuned"]
