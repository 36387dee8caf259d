"""render: declarative animations of gradient-descent optimizers."""
from . import optimizers, surfaces
from .scene import Run, Scene
from .simulate import Trajectories, simulate

__all__ = ["Run", "Scene", "Trajectories", "optimizers", "simulate", "surfaces"]
__version__ = "0.1.0"
