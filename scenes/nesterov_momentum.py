"""The article's Nesterov figures: Nesterov's accelerated gradient with momentum 0.25, 0.9
and 0.975 (lr 0.01) from (-2.8, -2.5) for 125 steps, on the article's surfaces.

Lesson: small momentum behaves like plain gradient descent; large momentum carries the run
past where the gradient points. On "basins and walls" momentum 0.25 stops in the first basin
in its way, 0.9 in the next and 0.975 crosses one more wall; on "hills and canyon" only 0.975
escapes the local minimum and reaches the deep canyon floor; on the giant plateau the gradient
at the start is 1e-5 and no momentum helps; on "two minima" all three settle in the shallow
minimum near the bad start.
"""
from render import Run, Scene, View2D, optimizers as opt

start = (-2.8, -2.5)
runs = [Run(opt.Nesterov(lr=0.01, momentum=m), start, label=f"momentum {m}")
        for m in (0.25, 0.9, 0.975)]


# Where the runs stay near their start, the whole surface: its lesson is what they never reach.
WHOLE = ("giant_plateau", "two_minima")


def figure(surface):
    view = View2D(contours=24, window="surface" if surface in WHOLE else None)
    return Scene(surface, runs, steps=125, views=[view], fps=12,
                 name=f"nesterov_{surface}", title=f"Nesterov on {surface.replace('_', ' ')}")


wobbly = figure("wobbly")
basins_and_walls = figure("basins_and_walls")
giant_plateau = figure("giant_plateau")
hills_and_canyon = figure("hills_and_canyon")
two_minima = figure("two_minima")
