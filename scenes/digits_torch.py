"""A torch network on real handwritten digits, trained by SGD, Adam and Lion, an optimizer
written in this file; beside the race, how sharply the loss curves where each run stands.

The network is a plain torch.nn module: 64 pixels, 32 tanh units, 10 digits (2,410
parameters). The data are the 1,797 8x8 digits of UCI (CC BY 4.0, shipped with render).
Each run trains every parameter on all the digits at each step (full batch), from the same
start. SGD and Adam are torch.optim's own; Lion (Chen et al. 2023) is defined below as one
would write it for torch, and raced as it is (render's own opt.Lion takes the same path).
The first view is sharpness: the top eigenvalue of the loss's Hessian at each run's position,
with SGD's 2/lr dashed, the edge of stability (Cohen et al. 2021); the second, the race on
the plane of the paths, with the loss.

Lesson: gradient descent cannot stay where the loss curves more sharply than 2/lr. SGD at
lr 1.5 is past its edge (1.33) within 5 steps and sharpens on to 5.4; its loss jumps from 0.8
back up to 2.2, and from step 50 on its sharpness stays just under its edge. Adam and Lion
have no such edge: they curve past 1.33 with their losses falling all the way, then flatten;
Adam ends lowest.
"""
import torch

from render import Run, Scene, Sharpness, View2D, datasets, optimizers as opt, surfaces


class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023): a step of lr in the sign of a blend of the gradient and its
    running average; the average itself follows the gradient more slowly."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99)):
        super().__init__(params, dict(lr=lr, betas=betas))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                p.add_(torch.sign(b1 * m + (1 - b1) * p.grad), alpha=-group["lr"])
                m.mul_(b2).add_(p.grad, alpha=1 - b2)


X, y = datasets.digits()
torch.manual_seed(0)
network = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Tanh(), torch.nn.Linear(32, 10))
model = surfaces.Torch(network, torch.nn.CrossEntropyLoss(), (torch.tensor(X), torch.tensor(y)),
                       name="A 64-32-10 torch network on 1,797 handwritten digits")

scene = Scene(
    surface=model,
    steps=200,
    runs=[
        Run(opt.Torch(torch.optim.SGD, lr=1.5), model.init),
        Run(opt.Torch(torch.optim.Adam, lr=0.01), model.init),
        Run(opt.Torch(Lion, lr=0.003), model.init),
    ],
    views=[Sharpness(points=41), View2D(loss_panel=True, levels="log")],
    fps=20,
)
