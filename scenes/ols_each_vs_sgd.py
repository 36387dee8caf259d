"""The blog post's three duels: momentum, RMSprop and Adam, each against plain SGD on the
least-squares loss of a line fit, with an arrow for each step's gradient, 100 steps at lr 0.1.

Lesson: momentum follows SGD's path, a little faster. Adam divides the gradient by its running
size, so it steps about lr per coordinate whatever the slope: it moves evenly in intercept and
slope instead of down the steepest direction. RMSprop does the same without Adam's bias
correction, so its first steps are ten times lr (its average of squares starts at zero) and
then shrink. After 100 steps both are still on their way (RMSprop 0.25 from the minimum,
Adam 3), where SGD arrived long before.
"""
from render import Run, Scene, View2D, optimizers as opt, surfaces

ols = surfaces.LeastSquares.line(intercept=-2.0, slope=2.0, n=1000, noise=0.001, x=(-5, 5), seed=0)
start = (9.0, 2.0)
sgd = Run(opt.GD(lr=0.1), start, label="SGD")
view = View2D(levels="sqrt", arrows=True)


def duel(rival, color, name):
    return Scene(ols, [sgd, Run(rival, start, color=color)], steps=100, views=[view],
                 name=name, title=f"SGD against {rival.name} on least squares")


# Each rival in its colour of the master plot (ols_compare.py), the default palette's.
momentum = duel(opt.Momentum(lr=0.1, momentum=0.2), "#d55e00", "ols_momentum_vs_sgd")
rmsprop = duel(opt.RMSprop(lr=0.1), "#009e73", "ols_rmsprop_vs_sgd")
adam = duel(opt.Adam(lr=0.1), "#cc79a7", "ols_adam_vs_sgd")
