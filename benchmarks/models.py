"""Real-model scenes: the loss on a plane, and a whole render of the spirals race.

    python benchmarks/models.py              # both
    python benchmarks/models.py --repeat 5

1. A 100 x 100 slice of a 2-16-2 MLP (Leaky ReLU) on 1000 spiral points: 10^4 forward
   passes, batched (``MLP.loss`` on every grid point at once), against the same loss
   written plainly, one grid point at a time (numpy, timed on a sample of points and scaled
   up, the output says so). Alternately, medians.
2. ``render scenes/spirals_mlp.py --quality medium`` (2D with loss and data panels, and 3D;
   GIF and MP4): the whole process, imports included, medians of ``--repeat``.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

# The package, not benchmarks/render.py beside this file.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from render import datasets, surfaces  # noqa: E402


def plain_loss(model, p):
    """The loss at one parameter vector, written as one would by hand."""
    h = model.X
    layers = model.unflatten(p)
    for i, (W, b) in enumerate(layers):
        h = h @ W + b
        if i < len(layers) - 1:
            h = np.where(h > 0, h, 0.01 * h)
    z = h - h.max(axis=1, keepdims=True)
    log_soft = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_soft[np.arange(len(model.y)), model.y].mean()


def slice_timing(repeat: int, sample: int = 500):
    X, y = datasets.spirals(1000, seed=0)
    model = surfaces.MLP(X, y, hidden=(16,), seed=0)
    rng = np.random.default_rng(0)
    u, v = (w / np.linalg.norm(w) for w in rng.standard_normal((2, model.dims)))
    a, b = np.meshgrid(np.linspace(-5, 5, 100), np.linspace(-5, 5, 100))
    P = model.init + a[..., None] * u + b[..., None] * v           # (100, 100, D)
    flat = P.reshape(-1, model.dims)
    ours, plain = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        Z = model.loss(P)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        Z_plain = [plain_loss(model, p) for p in flat[:sample]]
        plain.append((time.perf_counter() - t) * len(flat) / sample)
    assert np.allclose(Z.reshape(-1)[:sample], Z_plain, rtol=1e-12, atol=1e-14)
    o, p = statistics.median(ours), statistics.median(plain)
    print(f"100x100 slice of a 2-16-2 MLP on 1000 points: batched {o:.2f} s, one point at a time "
          f"{p:.2f} s (timed on {sample} points, scaled x{len(flat) // sample}), {p / o:.1f}x "
          f"(medians of {repeat})")


def render_timing(repeat: int):
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "render", os.path.join(ROOT, "scenes", "spirals_mlp.py"), "--quality",
                   "medium", "--out", out, "--force", "--no-progress"]
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - t)
    print(f"render scenes/spirals_mlp.py --quality medium (2D + 3D, GIF + MP4, 300 steps): "
          f"{statistics.median(times):.2f} s (median of {repeat}, {os.cpu_count()} cores)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    slice_timing(args.repeat)
    render_timing(args.repeat)


if __name__ == "__main__":
    main()
