"""A tuned race: ten optimizers, each with 64 candidate learning rates, on Rosenbrock.

    python benchmarks/tuning.py              # 5 repeats
    python benchmarks/tuning.py --repeat 9 --steps 500

Ours: ``Scene.search()``, every candidate of every optimizer in one batched simulation
(640 runs). Baseline: the same 640 candidates run one by one, each its own simulation of
one run (``render.simulate`` per candidate, as a hand-written search loop would call it),
keeping the best final loss per optimizer. Alternately in one process; medians and the
ratio. Both must choose the same learning rates, or the script stops.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from render import Run, Scene, optimizers as opt, simulate, surfaces, tuned  # noqa: E402

START = (-1.5, 2.0)
# Each optimizer's search range: wide, four decades or more around its usual values.
RANGES = {
    opt.GD: (1e-6, 1e-2), opt.Momentum: (1e-6, 1e-2), opt.Nesterov: (1e-6, 1e-2),
    opt.Adagrad: (1e-3, 10.0), opt.RMSprop: (1e-4, 1.0), opt.Adadelta: (1e-2, 100.0),
    opt.Adam: (1e-4, 1.0), opt.AdamW: (1e-4, 1.0), opt.RAdam: (1e-4, 1.0), opt.Lion: (1e-5, 0.1),
}


def scene(steps: int, n: int) -> Scene:
    runs = [Run(make(lr=tuned(lo, hi, n)), START, label=make.__name__) for make, (lo, hi) in RANGES.items()]
    return Scene("rosenbrock", runs, steps)


def one_by_one(steps: int, n: int) -> list[float]:
    surface = surfaces.get("rosenbrock")
    chosen = []
    for make, (lo, hi) in RANGES.items():
        best, best_lr = np.inf, None
        for lr in np.geomspace(lo, hi, n):
            end = simulate(surface, make(lr=float(lr)), START, steps)[-1]
            loss = float(surface(*end)) if np.all(np.isfinite(end)) and np.max(np.abs(end)) <= 1e12 else np.inf
            if loss < best:
                best, best_lr = loss, float(lr)
        chosen.append(best_lr)
    return chosen


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--candidates", type=int, default=64)
    args = parser.parse_args()
    ours, theirs = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        resolved, searches = scene(args.steps, args.candidates).search()
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        plain = one_by_one(args.steps, args.candidates)
        theirs.append(time.perf_counter() - t)
        found = [r.optimizer.lr for r in resolved.runs]
        if found != plain:
            sys.exit(f"the searches disagree: {found} against {plain}")
    o, p = statistics.median(ours), statistics.median(theirs)
    print(f"tuned race, {len(RANGES)} optimizers x {args.candidates} candidates, {args.steps} steps, "
          f"medians of {args.repeat}:")
    print(f"  one batch (Scene.search)  {o * 1000:8.1f} ms")
    print(f"  one by one (simulate)     {p * 1000:8.1f} ms")
    print(f"  ratio                     {p / o:8.1f}x")
    print("  chosen: " + ", ".join(f"{make.__name__} {lr:.3g}" for make, lr in zip(RANGES, found)))


if __name__ == "__main__":
    main()
