"""The homework's learning rates on the bowl x^2 + y^2: stochastic gradient descent (the
gradient plus unit Gaussian noise) from (6, 6) for 20 steps with lr 2, 0.01 and 0.1.

Lesson: too high (2) multiplies the distance to the minimum by 3 every step and flies off;
too low (0.01) keeps 98% of it per step and is still far away after 20; 0.1 keeps 80% and
arrives, then jitters around the minimum at the scale the noise and lr set.
"""
from render import Run, Scene, View2D, optimizers as opt

start = (6.0, 6.0)
scene = Scene(
    surface="bowl",
    steps=20,
    runs=[
        Run(opt.GD(lr=2.0, noise=1.0), start, label="lr 2: too high"),
        Run(opt.GD(lr=0.01, noise=1.0), start, label="lr 0.01: too low"),
        Run(opt.GD(lr=0.1, noise=1.0), start, label="lr 0.1: right"),
    ],
    # The whole bowl: the run at lr 2 leaps across it, further each time.
    views=[View2D(field=True, loss_panel=True, window="surface")],
    fps=5,
    title="SGD on the bowl: learning rate too high, too low, right",
)
