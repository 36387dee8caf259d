"""The article's race: Nesterov (lr 0.01), RMSprop (0.25), Adadelta (100), Adagrad (1.0) and
Adam (0.25) from (-2.8, -2.5) for 125 steps on its five surfaces, "bad init" included.

The article used lasagne's rules (its RMSprop and Adagrad add eps inside the root); these are
torch's, with lasagne's coefficients (RMSprop alpha 0.9, Adadelta rho 0.95, eps 1e-6).
Lesson: the adaptive methods scale a tiny gradient up to a full step, so on the giant plateau
all but Nesterov cross the flat plain to the well; on "hills and canyon" the article's claim
holds: apart from Adam, every method is caught by the local minimum; on "two minima" the bad
start dooms every method to the shallow minimum at (-2.5, -2.5).
"""
from render import Run, Scene, View2D, optimizers as opt

start = (-2.8, -2.5)
runs = [
    Run(opt.Nesterov(lr=0.01, momentum=0.9), start, label="Nesterov"),
    Run(opt.RMSprop(lr=0.25, alpha=0.9, eps=1e-6), start, label="RMSprop"),
    Run(opt.Adadelta(lr=100.0, rho=0.95, eps=1e-6), start, label="Adadelta"),
    Run(opt.Adagrad(lr=1.0, eps=1e-6), start, label="Adagrad"),
    Run(opt.Adam(lr=0.25), start, label="Adam"),
]


# Where the runs stay near their start, the whole surface: its lesson is what they never reach.
WHOLE = ("giant_plateau", "two_minima")


def race(surface):
    view = View2D(contours=24, window="surface" if surface in WHOLE else None)
    return Scene(surface, runs, steps=125, views=[view], fps=12,
                 name=f"race_{surface}", title=f"Five optimizers on {surface.replace('_', ' ')}")


wobbly = race("wobbly")
basins_and_walls = race("basins_and_walls")
giant_plateau = race("giant_plateau")
hills_and_canyon = race("hills_and_canyon")
bad_init = race("two_minima")
