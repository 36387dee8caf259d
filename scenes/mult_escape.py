"""The homework's escape from the local minimum of "mult", sin(sqrt(x^2 + y^2)): Adam,
Adagrad, momentum and SGD from (0.8, 0.8) with lr 0.7, unit Gaussian gradient noise, 20 steps.

The origin is a cone-tipped local minimum; the global minima form the ring r = 3 pi / 2 and
the crest between them is r = pi / 2. Lesson: with the homework's noise (as large as the gradient
itself) and lr 0.7 the noise alone kicks runs over the crest, so escaping is partly luck:
over eight noise seeds Adam always escapes and usually stops near the ring; SGD escapes in
seven; Adagrad, braked by its accumulated squares, in about half; momentum 0.99 always
leaves and never settles, flying far past the ring.
"""
from render import Run, Scene, View2D, optimizers as opt

start = (0.8, 0.8)
scene = Scene(
    surface="mult",
    steps=20,
    runs=[
        Run(opt.Adam(lr=0.7, betas=(0.99, 0.9), eps=1e-7, noise=1.0), start, label="Adam"),
        Run(opt.Adagrad(lr=0.7, eps=1e-7, noise=1.0), start, label="Adagrad"),
        Run(opt.Momentum(lr=0.7, momentum=0.99, noise=1.0), start, label="momentum"),
        Run(opt.GD(lr=0.7, noise=1.0), start, label="SGD"),
    ],
    # The whole window: the ring of minima the runs escape to, and the edge momentum leaves by.
    views=[View2D(loss_panel=True, window="surface")],
    fps=5,
    seed=1,
    title="Escaping the local minimum of mult",
)
