"""The notebook's learning-rate regimes: gradient descent on x^2 + y^2 - 1 with learning
rates 0.1, 0.5, 1 and 1.01.

Lesson: on a x^2 + b y^2 the step multiplies each coordinate by 1 - 2 a lr. At 0.1 it shrinks
smoothly; at 0.5 it lands on the minimum in one step; at 1 it flips sign forever, bouncing
between two points; just past it, at 1.01, every bounce is 2% wider and the run diverges.
"""
from render import Run, Scene, View2D, optimizers as opt, surfaces

scene = Scene(
    surface=surfaces.Quadratic(a=1.0, b=1.0, c=-1.0),
    steps=100,
    runs=[
        Run(opt.GD(lr=0.1), (-2.0, 4.0), label="lr = 0.1"),
        Run(opt.GD(lr=0.5), (-1.7, 4.0), label="lr = 0.5"),
        Run(opt.GD(lr=1.0), (-1.5, 4.0), label="lr = 1"),
        Run(opt.GD(lr=1.01), (-3.0, 4.5), label="lr = 1.01"),
    ],
    views=[View2D(levels="log", loss_panel=True)],
    fps=10,
    title="Gradient descent on x² + y² − 1: four learning rates",
)
