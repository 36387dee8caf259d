"""The test surfaces of the notebook and the homework, each in 3D with its minima marked and
the camera orbiting once around it, while Adam walks down from a corner.

Lesson: the shapes the other scenes race over: a bowl, a saddle and a monkey saddle with no
minimum, Beale's flat basin, the cone-tipped "mult" inside its ring of minima, Matyas' tilted
valley and Easom's single narrow well in a flat plain.
"""
from render import Camera, Run, Scene, View3D, optimizers as opt, surfaces

TOUR = [
    (surfaces.Quadratic(a=1.0, b=1.0, c=-1.0, window=(-2, 2, -2, 2)), (-1.5, 1.8), 0.1),
    (surfaces.Saddle(), (-1.8, 0.05), 0.05),
    (surfaces.MonkeySaddle(), (0.2, 0.05), 0.05),
    (surfaces.Beale(), (1.0, 1.8), 0.05),
    (surfaces.Bowl(), (6.0, 6.0), 0.5),
    (surfaces.Mult(), (0.8, 0.8), 0.3),
    (surfaces.Matyas(), (4.0, -1.0), 0.2),
    (surfaces.Easom(), (2.0, 2.5), 0.1),
]


def tour(surface, start, lr):
    return Scene(surface, [Run(opt.Adam(lr=lr), start, label="Adam", color="black")], steps=120,
                 views=[View3D(camera=Camera(elev=35, azim=-60, orbit=360), alpha=0.8)],
                 name=f"tour_{surface.name}", title=f"{surface.name}")


quadratic, saddle, monkey_saddle, beale, bowl, mult, matyas, easom = (tour(*stop) for stop in TOUR)
