"""The article's response curves: how each optimizer's update follows a synthetic gradient
signal (spikes, rectangles, noisy sine, very noisy sine, uneven sawtooth, saturation), for
three values of its main coefficient, drawn as time runs.

Lesson: momentum turns each spike into a decaying tail as long as 1 / (1 - momentum); Adagrad's
updates shrink for good as squares accumulate, while RMSprop's recover; Adadelta started at zero
is timid and grows into its steps, started large it is bold at once; Adam's bias correction
makes its first steps full-sized. The article's Nesterov looked ahead in time along the signal,
which no optimizer can do: with a gradient that depends on time only, Nesterov equals momentum,
so it is not drawn separately.
"""
from render import Response, ResponseScene, optimizers as opt

PARAMETERS = (0.25, 0.9, 0.975)


def figure(name, title, make, parameters=PARAMETERS, label="{}"):
    return ResponseScene(
        runs=[Response(make(p), label=label.format(p)) for p in parameters],
        steps=300, fps=30, name=f"response_{name}", title=title)


momentum = figure("momentum", "Momentum (lr 0.25)",
                  lambda m: opt.Momentum(lr=0.25, momentum=m, dampening=0.0), label="momentum {}")
smoothed = figure("smoothed_nesterov", "Smoothed Nesterov (lr 0.25, 4 points)",
                  lambda m: opt.SmoothedNesterov(lr=0.25, momentum=m), label="momentum {}")
adagrad = figure("adagrad", "Adagrad (lr 2.5)", lambda e: opt.Adagrad(lr=2.5, eps=e),
                 parameters=(1e-7, 0.1, 10.0), label="eps {}")
rmsprop = figure("rmsprop", "RMSprop (lr 0.25, eps 1e-5)",
                 lambda a: opt.RMSprop(lr=0.25, alpha=a, eps=1e-5), label="alpha {}")
adadelta_zero = figure("adadelta_zero", "Adadelta started at zero",
                       lambda r: opt.Adadelta(lr=1.0, rho=r, eps=1e-3), label="rho {}")
adadelta_big = figure("adadelta_big", "Adadelta started large (initial delta 50)",
                      lambda r: opt.Adadelta(lr=1.0, rho=r, eps=1e-3, initial_delta=50.0),
                      label="rho {}")
adam = figure("adam", "Adam (lr 0.25, eps 1e-7)",
              lambda b: opt.Adam(lr=0.25, betas=(b, 0.999), eps=1e-7), label="beta1 {}")
