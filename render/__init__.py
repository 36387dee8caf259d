"""render: declarative animations of gradient-descent optimizers."""
__version__ = "0.1.0"

from . import optimizers, surfaces  # noqa: E402
from .scene import Camera, Run, Scene, View2D, View3D  # noqa: E402
from .simulate import Trajectories, simulate  # noqa: E402

__all__ = ["Camera", "Run", "Scene", "Trajectories", "View2D", "View3D", "optimizers",
           "simulate", "surfaces"]
