"""Four optimizers train one small network on the spirals, drawn on one shared plane.

A 2-16-2 perceptron (Leaky ReLU) learns to tell two spiral arms apart. Every optimizer
trains all 82 parameters from the same start; the views draw the loss on the plane of the
paths' two principal directions, each run's path projected onto it, and beside it the data
with the first run's decision regions. The loss panel and the status line give each run's
true loss, and how far it is from the plane drawn.

Lesson: on the same network from the same start, the adaptive methods (RMSprop, Adam) bring
the loss under a fifth of GD's within 300 steps, and Adam's decision regions follow the
spiral arms; the plane holds most of the paths' spread (its first direction alone most of
it), yet every run ends more than 1 off it, so its true loss is not the loss drawn beneath it.
"""
from render import Camera, Run, Scene, View2D, View3D, datasets, optimizers as opt, surfaces

X, y = datasets.spirals(300, noise=0.2, seed=0)
model = surfaces.MLP(X, y, hidden=(16,), activation="leaky_relu", seed=0)

scene = Scene(
    surface=model,
    steps=300,
    runs=[
        Run(opt.GD(lr=0.5), model.init, label="GD"),
        Run(opt.Momentum(lr=0.1, momentum=0.9), model.init, label="Momentum"),
        Run(opt.RMSprop(lr=0.01), model.init, label="RMSprop"),
        Run(opt.Adam(lr=0.02), model.init, label="Adam"),
    ],
    views=[View2D(loss_panel=True, data_panel="Adam", levels="log"), View3D(camera=Camera(elev=40, azim=-60))],
    fps=20,
)
