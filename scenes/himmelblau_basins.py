"""Basins of attraction: a swarm of 400 runs from a 20 x 20 grid of starts over Himmelblau's
function, each start coloured by the minimum its run reaches. Two scenes: momentum 0.9
(lr 0.004), then plain gradient descent (lr 0.005), 150 steps each.

Lesson: Himmelblau's function has four minima of equal depth. Gradient descent follows the
slope down, so 391 of the 400 starts end at the minimum nearest them and the basins are four
smooth regions (45 pairs of neighbouring starts along their borders end apart). Momentum
carries a run started high on a wall past the nearest minimum and over the ridge beyond: only
305 starts end at their nearest minimum, 88 end somewhere other than gradient descent takes
them, and the basins interleave in stripes near the walls (141 borders). Every run of both
swarms arrives, and the swarm's fading trails show the momentum runs swinging about before
they settle.
"""
from render import Camera, Scene, Swarm, View2D, View3D, optimizers as opt

momentum = Scene(
    surface="himmelblau",
    steps=150,
    runs=[Swarm(opt.Momentum(lr=0.004, momentum=0.9), grid=20, color_by="basin", label="momentum",
                 tail=10)],
    views=[View2D(aspect="equal"), View3D(camera=Camera(elev=50, azim=-60))],
    max_frames=100,
    name="himmelblau_basins_momentum",
    title="Where 400 momentum runs end on Himmelblau's function",
)

gd = Scene(
    surface="himmelblau",
    steps=150,
    runs=[Swarm(opt.GD(lr=0.005), grid=20, color_by="basin", label="gradient descent")],
    views=[View2D(aspect="equal")],
    max_frames=100,
    name="himmelblau_basins_gd",
    title="Where 400 gradient-descent runs end on Himmelblau's function",
)
