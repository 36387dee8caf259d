"""Four learning-rate schedules for one noisy optimizer: constant, step, cosine and one cycle.

Momentum (lr 0.02, 0.9) descends an elongated bowl, 1x^2 + 6y^2, with Gaussian noise of
standard deviation 4 in every gradient, as a minibatch gradient has. The four runs differ
only in their schedule; the loss panel draws each run's rate in a strip under its loss, and
the plot shows each run's last 40 steps brightly over its whole path, faint.

Lesson: with noisy gradients a constant rate never settles: the run keeps bouncing around the
minimum at the size of rate times noise. The step schedule (x0.3 every 100 steps) and the
cosine, whose rates fall to a tenth and to nothing, settle it: over the last 50 steps their
loss averages under a fifth of the constant rate's, whatever the noise's seed. One cycle
climbs to twice the rate first, so its middle is the wildest, then ends calm too.
"""
from render import Run, Scene, View2D, optimizers as opt, schedules as sch, surfaces

bowl = surfaces.get("quadratic", a=1.0, b=6.0)
start = (-4.0, 3.0)


def noisy():
    return opt.Momentum(lr=0.02, momentum=0.9, noise=4.0)


scene = Scene(
    surface=bowl,
    steps=300,
    runs=[
        Run(noisy(), start, label="constant"),
        Run(noisy(), start, schedule=sch.StepLR(step_size=100, gamma=0.3), label="step x0.3 every 100"),
        Run(noisy(), start, schedule=sch.CosineAnnealingLR(T_max=300), label="cosine"),
        Run(noisy(), start, schedule=sch.OneCycleLR(max_lr=0.04, total_steps=300, cycle_momentum=False),
            label="one cycle to 0.04"),
    ],
    # The last 40 steps of each trail: a rate that does not settle is seen bouncing.
    views=[View2D(loss_panel=True, levels="sqrt", tail=40)],
    fps=20,
    title="Momentum with noisy gradients, under four learning-rate schedules",
)
