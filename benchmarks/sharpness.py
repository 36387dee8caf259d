"""Sharpness along paths: render's batched Lanczos against one point at a time with autograd.

    python benchmarks/sharpness.py [--repeat 3] [--points 60]

The gallery's digits network (64-32-10, Tanh; 2,410 parameters) on the 1,797 digits, float64
on the CPU: the top Hessian eigenvalue at ``--points`` parameter vectors along the path of
full-batch SGD (lr 1.5) from the network's start. Ours: ``render.curvature.sharpness``, every
point's Lanczos iteration side by side, each step one batched call for every point's
Hessian-vector product (``torch.func.vmap``). The baseline: what loss-landscape tools such
as PyHessian do, a point at a time: write the point into the module, build the gradient's
graph once (``create_graph=True``) and take each product as the gradient of its projection
(``torch.autograd.grad``); the same 20 Lanczos steps with full reorthogonalisation, in torch.
Alternately, medians; both give the same values (checked to 1e-9 relative).
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from render import Run, Scene, datasets, optimizers as opt, surfaces  # noqa: E402
from render.curvature import SHARPNESS_STEPS, sharpness  # noqa: E402


def plain_sharpness(net, X, y, points, steps=SHARPNESS_STEPS):
    """Lanczos at each point with torch.autograd, one point at a time."""
    params = list(net.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    out = []
    for p in points:
        torch.nn.utils.vector_to_parameters(torch.from_numpy(p), params)
        grads = torch.autograd.grad(loss_fn(net(X), y), params, create_graph=True)
        flat = torch.cat([g.reshape(-1) for g in grads])
        g = torch.Generator().manual_seed(0)
        q = torch.randn(len(flat), generator=g, dtype=torch.float64)
        q /= q.norm()
        Q, alpha, beta = [], [], []
        for j in range(steps):
            Q.append(q)
            w = torch.cat([h.reshape(-1) for h in torch.autograd.grad(flat @ q, params, retain_graph=True)])
            alpha.append(float(w @ q))
            w = w - alpha[-1] * q - (beta[-1] * Q[-2] if j else 0)
            basis = torch.stack(Q)
            for _ in range(2):
                w = w - basis.T @ (basis @ w)
            b = float(w.norm())
            if j + 1 == steps or b < 1e-12:
                break
            beta.append(b)
            q = w / b
        T = np.diag(alpha) + np.diag(beta[:len(alpha) - 1], 1) + np.diag(beta[:len(alpha) - 1], -1)
        out.append(np.linalg.eigvalsh(T)[-1])
    return np.array(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--points", type=int, default=60)
    args = parser.parse_args()
    X, y = datasets.digits()
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Tanh(), torch.nn.Linear(32, 10))
    model = surfaces.Torch(net, torch.nn.CrossEntropyLoss(), (torch.tensor(X), torch.tensor(y)))
    path = Scene(model, [Run(opt.Torch(torch.optim.SGD, lr=1.5), model.init)], 200).simulate()
    points = path.positions[0, np.linspace(0, 200, args.points).round().astype(int)]
    plain_net = net.double()
    Xd, yd = torch.tensor(X), torch.tensor(y)
    ours, plain = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        a = sharpness(model, points)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = plain_sharpness(plain_net, Xd, yd, points)
        plain.append(time.perf_counter() - t)
    np.testing.assert_allclose(a, b, rtol=1e-9)
    o, p = statistics.median(ours), statistics.median(plain)
    print(f"sharpness at {args.points} points of a 64-32-10 network ({model.dims} parameters) on "
          f"{len(X)} digits, {SHARPNESS_STEPS} Lanczos steps, {torch.get_num_threads()} torch threads: "
          f"ours {o:.2f} s, one point at a time with autograd {p:.2f} s, {p / o:.2f}x (medians of {args.repeat})")


if __name__ == "__main__":
    main()
