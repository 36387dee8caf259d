"""The master plot of the OLS blog post: SGD, momentum, RMSprop and Adam racing from one
start on the mean-squared-error surface of a fitted line, in 2D and in 3D.

Captions say it as it happens: the events the simulation finds (momentum, then SGD, reach
the minimum) and a note that stops a second on Adam's steady pace.

Lesson: with the same learning rate, momentum reaches the bottom first, while RMSprop and
Adam move by about lr per step whatever the slope, so they creep along the valley.
"""
from render import Camera, Note, Run, Scene, View2D, View3D, optimizers as opt, surfaces

ols = surfaces.LeastSquares.line(intercept=-2.0, slope=2.0, n=1000, noise=0.001, x=(-5, 5), seed=0)
start = (9.0, 2.0)

scene = Scene(
    surface=ols,
    steps=100,
    runs=[
        Run(opt.GD(lr=0.1), start, label="SGD"),
        Run(opt.Momentum(lr=0.1, momentum=0.2), start, label="SGD-momentum"),
        Run(opt.RMSprop(lr=0.1), start, label="RMSprop"),
        Run(opt.Adam(lr=0.1), start, label="Adam"),
    ],
    views=[View2D(levels="sqrt", arrows=True), View3D(camera=Camera(elev=60, azim=35))],
    fps=20,
    notes=[Note(30, "Adam: about lr = 0.1 a step, whatever the gradient's size", run="Adam", hold=1.0)],
    title="Least squares: SGD, momentum, RMSprop and Adam at lr 0.1 from (9, 2)",
)
