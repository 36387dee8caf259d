"""Your own torch network: the loss on a 100 x 100 plane, batched against a point-by-point loop.

    python benchmarks/torch_models.py [--repeat 3] [--sample 200]

Two networks, float64 on the CPU: a 16-128-64-10 MLP (Tanh; 11,082 parameters) on 1000
points, and a 2-16-2 MLP (82 parameters) on 200. Ours: ``surfaces.Torch(...).loss`` on all
10^4 grid points at once (``torch.func.vmap`` over the flat parameter vector, in chunks
bounded by ``render.torch_model.CHUNK_BYTES``, for the small network; a point at a time for
the large one, past ``render.torch_model.VMAP_WORK``). The
baseline: the loop other loss-landscape tools use, one grid point at a time: write the point
into the module with ``vector_to_parameters`` and run a forward pass under ``no_grad``
(timed on ``--sample`` points and scaled up; the output says so). Alternately, medians. The
peak resident memory of the process after each is printed too (it only grows: read the
batched figure as "at most").
"""
import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from render import surfaces  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plane(widths, n, repeat, sample):
    torch.manual_seed(0)
    X = torch.randn(n, widths[0])
    y = torch.randint(0, widths[-1], (n,))
    layers = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.Tanh()]
    net = torch.nn.Sequential(*layers[:-1])
    model = surfaces.Torch(net, torch.nn.CrossEntropyLoss(), (X, y))
    rng = np.random.default_rng(0)
    u, v = (w / np.linalg.norm(w) for w in rng.standard_normal((2, model.dims)))
    a, b = (g.reshape(-1) for g in np.meshgrid(np.linspace(-1, 1, 100), np.linspace(-1, 1, 100)))
    # As a plane hands them to a model: 32 MiB of parameter vectors at a time (planes.POINT_BYTES).
    rows = max(1, (32 << 20) // (8 * model.dims))
    chunks = [(a[k:k + rows], b[k:k + rows]) for k in range(0, len(a), rows)]
    point = lambda a, b: model.init + np.asarray(a)[..., None] * u + np.asarray(b)[..., None] * v
    loop_net = net.double().eval()
    Xd = X.double()
    loss_fn = torch.nn.CrossEntropyLoss()

    def loop(count):
        out = []
        with torch.no_grad():
            for k in range(count):
                torch.nn.utils.vector_to_parameters(torch.from_numpy(point(a[k], b[k])), loop_net.parameters())
                out.append(loss_fn(loop_net(Xd), y).item())
        return np.array(out)

    ours, plain = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        Z = np.concatenate([model.loss(point(ca, cb)) for ca, cb in chunks])
        ours.append(time.perf_counter() - t)
        after_batched = peak_mib()
        t = time.perf_counter()
        Z_loop = loop(sample)
        plain.append((time.perf_counter() - t) * len(a) / sample)
    assert np.allclose(Z[:sample], Z_loop, rtol=1e-12, atol=1e-14)
    o, p = statistics.median(ours), statistics.median(plain)
    name = "-".join(map(str, widths))
    print(f"100x100 plane over a {name} MLP ({model.dims} parameters) on {n} points, "
          f"{torch.get_num_threads()} torch threads: ours {o:.2f} s, one point at a time {p:.2f} s "
          f"(timed on {sample} points, scaled x{len(a) // sample}), {p / o:.2f}x (medians of "
          f"{repeat}); peak resident memory {after_batched:.0f} MiB after ours, {peak_mib():.0f} MiB at the end")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    plane((2, 16, 2), 200, args.repeat, 10_000)          # (small: the loop on every point)
    plane((16, 128, 64, 10), 1000, args.repeat, args.sample)


if __name__ == "__main__":
    main()
