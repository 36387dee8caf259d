"""Three optimizers train a tanh network on the moons, seen on a random plane.

Li et al. (2018) look at a network's loss along two random directions, each filter scaled
to the weights it perturbs, so that the picture does not depend on how the weights happen
to be scaled. Here the plane passes through the best end point; the paths arrive at its
centre from far off the plane (the status line says how far), which is exactly why the
landscape they cross on the way is not the one drawn.

Lesson: a random plane through the best end shows a basin around it, but says little about
the way there: only the run that ended at the centre is on the plane; the others end 5 or
more off it, although their losses are close.
"""
from render import Camera, Plane, Run, Scene, View2D, View3D, datasets, optimizers as opt, surfaces

X, y = datasets.moons(200, noise=0.15, seed=0)
model = surfaces.MLP(X, y, hidden=(8,), activation="tanh", seed=1)

scene = Scene(
    surface=model,
    steps=200,
    runs=[
        Run(opt.Momentum(lr=0.2, momentum=0.9), model.init, label="Momentum"),
        Run(opt.RMSprop(lr=0.01), model.init, label="RMSprop"),
        Run(opt.Adam(lr=0.03), model.init, label="Adam"),
    ],
    plane=Plane("random", centre="best", seed=0, window=(-5, 5, -5, 5)),
    views=[View2D(loss_panel=True, data_panel="Adam", levels="sqrt"), View3D(camera=Camera(elev=35, azim=-50))],
    fps=20,
)
