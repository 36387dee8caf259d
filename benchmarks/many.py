"""The master plot with many runs, as a scene file's text, for the many-runs benchmarks."""


def many_runs(runs: int, orbit: int = 0) -> str:
    """The master plot's scene with ``runs`` runs: its four optimizers, each from runs/4
    starts spread over the window, with the master plot's steps, frames and views (the 3D
    camera orbiting ``orbit`` degrees)."""
    return f"""
import numpy as np
from render import Camera, Run, Scene, View2D, View3D, optimizers as opt, surfaces

ols = surfaces.LeastSquares.line(intercept=-2.0, slope=2.0, n=1000, noise=0.001, x=(-5, 5), seed=0)
kinds = [("SGD", lambda: opt.GD(lr=0.1)), ("SGD-momentum", lambda: opt.Momentum(lr=0.1, momentum=0.2)),
         ("RMSprop", lambda: opt.RMSprop(lr=0.1)), ("Adam", lambda: opt.Adam(lr=0.1))]
starts = np.random.default_rng(0).uniform((-8, -6), (9, 8), size=({runs}, 2))
scene = Scene(
    surface=ols, steps=100, fps=20,
    runs=[Run(kinds[k % 4][1](), tuple(s), label=kinds[k % 4][0]) for k, s in enumerate(starts)],
    views=[View2D(levels="sqrt", arrows=True), View3D(camera=Camera(elev=60, azim=35, orbit={orbit}))],
)
"""
