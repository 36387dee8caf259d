"""Two linear models learning their data, each drawn beside its loss: a line fitted by least
squares, and a logistic classifier's boundary between two overlapping classes.

Each scene has two views of the same race, one with the data panel of each run, so the step
in the parameters and the change in the model it makes are seen together.

Lesson: on the line, SGD's first step swings the slope past the points' (from -3 to 4.9),
the next few bring it back, and within 20 steps its line lies on the points; Adam moves
intercept and slope by about lr each step, so its line turns and slides at an even pace and
is still short of the points' slope after 40 steps. On the classes, GD turns the boundary
round within 10 steps (its loss from 1.84 to under 0.2), while Adam, at about lr a step,
needs 50; both end on the boundary of the loss's minimum.
"""
from render import Run, Scene, View2D, optimizers as opt, surfaces

ols = surfaces.LeastSquares.line(intercept=-2.0, slope=2.0, n=1000, noise=0.001, x=(-5, 5), seed=0)
line = Scene(
    surface=ols,
    steps=100,
    runs=[Run(opt.GD(lr=0.1), (6.0, -3.0), label="SGD"), Run(opt.Adam(lr=0.1), (6.0, -3.0), label="Adam")],
    views=[View2D(levels="sqrt", loss_panel=True, data_panel="SGD"),
           View2D(levels="sqrt", loss_panel=True, data_panel="Adam", name="adam")],
    fps=20,
    name="line_fit",
    title="A line fit: SGD and Adam from intercept 6, slope -3",
)

classes = surfaces.Logistic.blobs(n=200, distance=3.0, seed=0)
boundary = Scene(
    surface=classes,
    steps=200,
    runs=[Run(opt.GD(lr=1.0), (-2.0, 3.0), label="GD"), Run(opt.Adam(lr=0.1), (-2.0, 3.0), label="Adam")],
    views=[View2D(levels="log", loss_panel=True, data_panel="GD", window=(-4, 6, -1, 5)),
           View2D(levels="log", loss_panel=True, data_panel="Adam", window=(-4, 6, -1, 5), name="adam")],
    fps=20,
    name="logistic_boundary",
    title="A logistic classifier: GD and Adam turn its boundary",
)
