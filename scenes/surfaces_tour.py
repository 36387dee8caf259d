"""The test surfaces of the notebook and the homework, each in 3D with its minima marked and
the camera orbiting once around it, while Adam walks down from a corner.

Lesson: the shapes the other scenes race over: a bowl, a saddle and a monkey saddle with no
minimum, Beale's flat basin, the cone-tipped "mult" inside its ring of minima, Matyas' tilted
valley and Easom's single narrow well in a flat plain.
"""
from render import Camera, Run, Scene, View3D, optimizers as opt, surfaces

TOUR = [
    (surfaces.Quadratic(a=1.0, b=1.0, c=-1.0, window=(-2, 2, -2, 2)), (-1.5, 1.8), 0.1, "A quadratic bowl"),
    (surfaces.Saddle(), (-1.8, 0.05), 0.05, "A saddle"),
    (surfaces.MonkeySaddle(), (0.2, 0.05), 0.05, "The monkey saddle"),
    (surfaces.Beale(), (1.0, 1.8), 0.05, "Beale's function"),
    (surfaces.Bowl(), (6.0, 6.0), 0.5, "The bowl"),
    (surfaces.Mult(), (0.8, 0.8), 0.3, "“Mult”"),
    (surfaces.Matyas(), (4.0, -1.0), 0.2, "Matyas' function"),
    (surfaces.Easom(), (2.0, 2.5), 0.1, "Easom's function"),
]


def tour(surface, start, lr, name):
    # The whole surface (this is a tour of shapes), its height on a log scale where the loss
    # spans decades (Beale's would be a flat sheet with one spike).
    return Scene(surface, [Run(opt.Adam(lr=lr), start, label="Adam", color="black")], steps=120,
                 views=[View3D(camera=Camera(elev=35, azim=-60, orbit=360), alpha=0.8, window="surface")],
                 name=f"tour_{surface.name}", title=f"{name}: ${surface.latex}$")


quadratic, saddle, monkey_saddle, beale, bowl, mult, matyas, easom = (tour(*stop) for stop in TOUR)
