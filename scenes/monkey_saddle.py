"""The homework's saddle experiment: SGD, momentum and Adagrad near the monkey saddle
x^3 - 3 x y^2, all with unit Gaussian gradient noise, 60 steps.

The homework's formula, x^3 + 3 x y^2, is not a monkey saddle (its only critical point is a
degenerate fold), and its start (4, 4) lies far from the flat region; this scene uses the true
monkey saddle and starts on its flat plateau near the origin. Lesson: where the gradient
nearly vanishes SGD (lr 0.01) creeps and is pushed around by the noise, staying near the
saddle; momentum builds speed and, on a surface with no bottom, runs off downhill until it is
marked diverged (in most noise draws); Adagrad scales the tiny gradients up to full steps and
leaves steadily.
"""
from render import Run, Scene, View2D, optimizers as opt

start = (0.3, 0.2)
scene = Scene(
    surface="monkey_saddle",
    steps=60,
    runs=[
        Run(opt.GD(lr=0.01, noise=1.0), start, label="SGD"),
        Run(opt.Momentum(lr=0.01, momentum=0.9, noise=1.0), start, label="momentum"),
        Run(opt.Adagrad(lr=0.3, eps=1e-7, noise=1.0), start, label="Adagrad"),
    ],
    views=[View2D(field=True, loss_panel=True)],
    fps=10,
    seed=3,
    title="Leaving the monkey saddle",
)
