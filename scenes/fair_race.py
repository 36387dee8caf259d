"""Ten optimizers race on Rosenbrock's function, each at its own best learning rate.

Before the race, each optimizer's learning rate is searched over 64 values spread evenly on a
log scale over four decades or more (one batched simulation of 640 candidates); the value
that ends lowest after 300 steps races. Ten runs are more than a plot's colours and legend
can tell apart, so each runs in a panel of its own, titled with the value found, its loss
across from the title.

Lesson: tuned, plain gradient descent and heavy-ball momentum (both at lr 0.002, the largest
rate the valley's steep walls allow) end nearer the minimum than Adam at its own best rate,
and than RMSprop or Lion: the adaptive methods' usual lead comes from comparing them at one
shared rate, not from their rules. RAdam's first steps are plain momentum steps (its
variance estimate is not trusted yet), so its rate must be small enough for those, and it
is still far from the minimum at the end; Adadelta, even at its best, ends farthest.
"""
from render import Multiples, Run, Scene, View2D, optimizers as opt, tuned

start = (-1.5, 2.0)
# Each optimizer's search: 64 learning rates over four decades or more around its usual ones.
ranges = [
    (opt.GD, 1e-6, 1e-2), (opt.Momentum, 1e-6, 1e-2), (opt.Nesterov, 1e-6, 1e-2),
    (opt.Adagrad, 1e-3, 10.0), (opt.RMSprop, 1e-4, 1.0), (opt.Adadelta, 1e-2, 100.0),
    (opt.Adam, 1e-4, 1.0), (opt.AdamW, 1e-4, 1.0), (opt.RAdam, 1e-4, 1.0), (opt.Lion, 1e-5, 0.1),
]

scene = Scene(
    surface="rosenbrock",
    steps=300,
    runs=[Run(make(lr=tuned(lo, hi, n=64)), start, label=make.__name__) for make, lo, hi in ranges],
    views=[Multiples(levels="log", window=(-2, 2, -1, 3))],
    fps=20,
    title="Ten optimizers on Rosenbrock, each at its best learning rate",
)
