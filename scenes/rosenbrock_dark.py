"""The README's example race on Rosenbrock's valley, drawn in the dark theme for slides: plain
gradient descent, momentum and Adam from (-1.5, 2), 500 steps, in 2D with the loss beside it
and in 3D with the camera turning a little.

Lesson: the valley is narrow and curved, so a learning rate small enough for gradient descent to
stay stable (1e-3) leaves it crawling: after 500 steps it has barely entered the valley (loss
above 4). Momentum, with the same learning rate, builds up speed along the valley floor and ends
within 0.15 of the minimum at (1, 1). Adam steps about its learning rate per coordinate whatever
the slope, so it follows the floor too, but is still on its way (loss between 0.01 and 1).
"""
from render import Camera, Run, Scene, View2D, View3D, optimizers as opt

start = (-1.5, 2.0)
scene = Scene(
    surface="rosenbrock",
    steps=500,
    runs=[
        Run(opt.GD(lr=1e-3), start, label="gradient descent"),
        Run(opt.Momentum(lr=1e-3, momentum=0.9), start, label="momentum 0.9"),
        Run(opt.Adam(lr=0.05), start, label="Adam"),
    ],
    views=[View2D(levels="log", loss_panel=True), View3D(camera=Camera(elev=35, azim=-70, orbit=60))],
    theme="dark",
    max_frames=200,
    title="Rosenbrock's valley: gradient descent, momentum and Adam",
)
