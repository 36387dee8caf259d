"""The homework's Matyas experiment: SGD against SGD with momentum (lr 0.01, momentum 0.99)
from (4, -4) for 20 steps, both with unit Gaussian gradient noise.

An inset magnifies the start: SGD's twenty noisy steps, which at the plot's scale are a
smudge beside the start's square.

Lesson: with lr 0.01, SGD's steps are tiny and after 20 it has covered a sixth of the way to
the minimum; momentum's velocity builds up step after step and carries it past the minimum
within the same 20 (it ends within about 2 of it, over every noise seed tried). Starting on
the valley's steep axis, the "taco shell" is not what slows SGD here: the learning rate is.
"""
from render import Inset, Run, Scene, View2D, optimizers as opt

start = (4.0, -4.0)
scene = Scene(
    surface="matyas",
    steps=20,
    runs=[
        Run(opt.GD(lr=0.01, noise=1.0), start, label="SGD"),
        Run(opt.Momentum(lr=0.01, momentum=0.99, noise=1.0), start, label="momentum 0.99"),
    ],
    views=[View2D(field=True, inset=Inset((3.15, 4.15, -4.15, -3.15)))],
    fps=5,
    title="Matyas: SGD against momentum",
)
