"""Heavy-ball momentum on Rosenbrock's valley over a grid of learning rates and momenta.

Twenty-five runs from (-1.5, 2), one for each learning rate (0.00025 to 0.004, doubling)
and momentum (0, 0.5, 0.9, 0.95, 0.99), 300 steps each. One view draws each run in its
cell of the grid; the other, every cell's loss as a heatmap that darkens as the runs descend.

Lesson: the learning rate has a hard ceiling that momentum does not move: at 0.004 every run
diverges within six steps, whatever its momentum, because the valley's steep walls bound the
stable step. Below it, momentum acts as a larger rate along the valley's gentle floor (about
lr / (1 - momentum)): at lr 0.001 the loss after 300 steps falls from 5 without momentum to
1e-5 at 0.95, and the lowest cell is the largest stable rate with momentum 0.95. At 0.99 the
runs overshoot and swing along the valley, and end worse than at 0.95 at every rate.
"""
from render import Multiples, Scene, Sweep, SweepLoss, optimizers as opt

scene = Scene(
    surface="rosenbrock",
    steps=300,
    runs=[Sweep(opt.Momentum(), (-1.5, 2.0), lr=[2.5e-4, 5e-4, 1e-3, 2e-3, 4e-3],
                momentum=[0.0, 0.5, 0.9, 0.95, 0.99])],
    views=[Multiples(levels="log", window=(-2, 2, -1, 3)), SweepLoss()],
    fps=20,
    title="Momentum on Rosenbrock: learning rate against momentum",
)
