"""render: declarative animations of gradient-descent optimizers."""
__version__ = "0.1.0"

from . import optimizers, surfaces  # noqa: E402
from .scene import (Camera, Response, ResponseScene, ResponseView, Run, Scene, View2D,  # noqa: E402
                    View3D)
from .simulate import Trajectories, simulate  # noqa: E402

__all__ = ["Camera", "Response", "ResponseScene", "ResponseView", "Run", "Scene", "Trajectories",
           "View2D", "View3D", "optimizers", "simulate", "surfaces"]
