"""Simulation speed: Scene.simulate() against per-run Python loops, timed in one process.

    python benchmarks/simulate.py            # both experiments
    python benchmarks/simulate.py --full     # time the swarm's baseline on every run

1. The notebook's Beale experiment: GD, momentum, NAG, RMSprop and Adam from three starts,
   100,000 steps each (15 runs).
2. A swarm: 10,000 Adam runs from a 100 x 100 grid of starts on Rosenbrock, 1,000 steps.
   Per-run loops cost the same for every run, so by default the baseline is timed on a
   sample of runs and scaled up (the output says so); --full times all of them.

Baseline and ours are timed alternately and the best of each is kept, because the machine
is shared; the ratio is the figure to read, never the absolute times.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import _loops  # noqa: E402

# The package, not benchmarks/render.py beside this file.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from render import Run, Scene, optimizers as opt, surfaces  # noqa: E402

BEALE_STARTS = [(4.0, 3.0), (-1.0, 4.0), (-2.0, -4.0)]
SMALL, LARGE = 1e-8, 1e-3       # the notebook's learning rates (GD/momentum/NAG vs RMSprop/Adam)


def beale_scene(steps):
    runs = []
    for start in BEALE_STARTS:
        runs += [Run(opt.GD(lr=SMALL), start), Run(opt.Momentum(lr=SMALL, momentum=0.9), start),
                 Run(opt.Nesterov(lr=SMALL, momentum=0.9), start),
                 Run(opt.RMSprop(lr=LARGE, alpha=0.9), start),
                 Run(opt.Adam(lr=LARGE, betas=(0.9, 0.99)), start)]
    return Scene("beale", runs, steps)


def beale_loops(steps):
    surface = surfaces.get("beale")
    paths = []
    for start in BEALE_STARTS:
        paths += [_loops.gd(surface, start, steps, SMALL),
                  _loops.momentum(surface, start, steps, SMALL, 0.9),
                  _loops.nesterov(surface, start, steps, SMALL, 0.9),
                  _loops.rmsprop(surface, start, steps, LARGE, 0.9),
                  _loops.adam(surface, start, steps, LARGE, 0.9, 0.99)]
    return np.array(paths)


def swarm_starts(n_side):
    surface = surfaces.get("rosenbrock")
    xmin, xmax, ymin, ymax = surface.window
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, n_side), np.linspace(ymin, ymax, n_side))
    return surface, np.column_stack([gx.ravel(), gy.ravel()])


def timed(fn, repeat):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def report(name, baseline, ours, note=""):
    print(f"{name}: baseline {baseline:.2f} s{note}, ours {ours:.2f} s, ratio {baseline / ours:.1f}x")


def agreement(ours, loops, early=1000):
    """Both compute the same paths: equal to rounding at first. Where a run oscillates about
    a minimum (RMSprop's "hedgehogs") last-bit differences in operation order grow later."""
    gap = np.abs(ours - loops)
    print(f"  largest position difference: {np.nanmax(gap[:, :early + 1]):.1e} over the first "
          f"{early} steps, {np.nanmax(gap):.1e} over all")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=100_000, help="Beale steps (default 100000)")
    parser.add_argument("--repeat", type=int, default=2, help="alternating timings of each (default 2)")
    parser.add_argument("--full", action="store_true", help="time the swarm baseline on all 10,000 runs")
    parser.add_argument("--sample", type=int, default=500, help="swarm baseline sample size (default 500)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, numpy {np.__version__}")

    scene = beale_scene(args.steps)
    base_times, our_times = [], []
    for _ in range(args.repeat):
        t, loops = timed(lambda: beale_loops(args.steps), 1)
        base_times.append(t)
        t, ours = timed(scene.simulate, 1)
        our_times.append(t)
    report(f"Beale race ({len(scene.runs)} runs x {args.steps} steps)", min(base_times), min(our_times))
    agreement(ours.positions, loops)

    surface, starts = swarm_starts(100)
    steps = 1000
    n = len(starts) if args.full else min(args.sample, len(starts))
    pick = np.linspace(0, len(starts) - 1, n).astype(int)
    rule = opt.Adam(lr=0.01)
    swarm = Scene(surface, [Run(rule, tuple(s)) for s in starts], steps)

    def loops():
        return np.array([_loops.adam(surface, starts[i], steps, 0.01) for i in pick])

    base_times, our_times = [], []
    for _ in range(args.repeat):
        t, sampled = timed(loops, 1)
        base_times.append(t * len(starts) / n)
        t, ours = timed(swarm.simulate, 1)
        our_times.append(t)
    note = "" if n == len(starts) else f" (timed on {n} runs, scaled x{len(starts) / n:g})"
    report(f"Adam swarm ({len(starts)} runs x {steps} steps)", min(base_times), min(our_times), note)
    agreement(ours.positions[pick], sampled, early=100)


if __name__ == "__main__":
    main()
