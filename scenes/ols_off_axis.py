"""The blog's master plot again (SGD, momentum, RMSprop and Adam at lr 0.1 on the loss of a
fitted line), but from (8, -4), off the valley's long axis, with the loss beside the paths.

Lesson: the blog's start (9, 2) lies on the valley's axis, so there all four paths are one
line; from here they part. SGD and momentum zig-zag across the valley's steep direction and
are at the bottom within 40 steps, momentum first (its loss under 1e-3 at step 19, SGD's at
26); RMSprop and Adam move by about lr per coordinate whatever the slope, so they slide down
one smooth curve and are still on their way after 100 steps (Adam's loss still above 4).
"""
from render import Run, Scene, View2D, optimizers as opt, surfaces

ols = surfaces.LeastSquares.line(intercept=-2.0, slope=2.0, n=1000, noise=0.001, x=(-5, 5), seed=0)
start = (8.0, -4.0)

scene = Scene(
    surface=ols,
    steps=100,
    runs=[
        Run(opt.GD(lr=0.1), start, label="SGD"),
        Run(opt.Momentum(lr=0.1, momentum=0.2), start, label="SGD-momentum"),
        Run(opt.RMSprop(lr=0.1), start, label="RMSprop"),
        Run(opt.Adam(lr=0.1), start, label="Adam"),
    ],
    views=[View2D(levels="sqrt", loss_panel=True)],
    fps=20,
    title="Off the valley's axis, from (8, -4): SGD, momentum, RMSprop and Adam at lr 0.1",
)
