"""Easom's function: one deep, narrow well at (pi, pi) in a plain flat to 1e-8. Momentum
from inside the well's rim, and from the plain.

The 3D camera starts wide and comes round to look down into the well while the runs fall
in, then back out over the plain.

Lesson (the homework's warning that momentum "might settle in extremely deep minima"): started
on the rim, momentum falls in and settles at the bottom whatever its coefficient, the higher
one after swinging through; started on the plain, the gradient is so small that nothing moves.
"""
from render import Camera, Key, Run, Scene, View2D, View3D, optimizers as opt

scene = Scene(
    surface="easom",
    steps=150,
    runs=[
        Run(opt.Momentum(lr=0.1, momentum=0.5), (2.2, 2.0), label="momentum 0.5, on the rim"),
        Run(opt.Momentum(lr=0.1, momentum=0.9), (4.2, 2.3), label="momentum 0.9, on the rim"),
        Run(opt.Momentum(lr=0.1, momentum=0.9), (-0.5, 0.0), label="momentum 0.9, on the plain"),
    ],
    views=[View2D(levels="linear"), View3D(camera=Camera(elev=40, azim=-50, keys=[Key(0.3, elev=65, azim=-20),
                                                                             Key(1.0, elev=35, azim=-70)]))],
    fps=15,
    title="Easom: momentum and a deep, narrow well",
)
