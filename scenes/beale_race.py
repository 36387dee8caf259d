"""The notebook's race on Beale's function: GD, momentum, NAG, RMSprop and Adam from three
starts, 100,000 steps each (learning rate 1e-8 for the first three, 1e-3 for the adaptive two).

Lesson: Beale's walls are so steep (gradients of 10^4 at the starts) that plain and momentum
methods need a tiny learning rate not to blow up, and then they hardly move; RMSprop and Adam
scale each step to about the learning rate and reach the minimum at (3, 0.5) from (4, 3) and
(-2, -4). From (-1, 4) they instead slide off along Beale's flat valley y = 1 towards x = -inf,
which the notebook's figure does not show.
"""
from render import Run, Scene, View2D, optimizers as opt

SMALL, LARGE = 1e-8, 1e-3
runs = []
for start in [(4.0, 3.0), (-1.0, 4.0), (-2.0, -4.0)]:
    runs += [
        Run(opt.GD(lr=SMALL), start, label="GD"),
        Run(opt.Momentum(lr=SMALL, momentum=0.9), start, label="momentum"),
        Run(opt.Nesterov(lr=SMALL, momentum=0.9), start, label="NAG"),
        Run(opt.RMSprop(lr=LARGE, alpha=0.9), start, label="RMSprop"),
        Run(opt.Adam(lr=LARGE, betas=(0.9, 0.99)), start, label="Adam"),
    ]

# Time on a log scale: the adaptive runs arrive within a few thousand steps, the others
# crawl for all 100,000.
scene = Scene("beale", runs, steps=100_000, views=[View2D(levels="log")], time="log",
              title="Beale's function: GD, momentum, NAG, RMSprop and Adam from three starts")
