"""A Swarm against the same runs given one by one: 400 momentum runs from a 20 x 20 grid over
Himmelblau's function, 150 steps, the 2D view as a GIF with the command's default options.

    python benchmarks/swarm.py [--repeat N]

Four scene files, rendered alternately by the command (a process each, as a user runs it):
the swarm with its default fading tail (20 frames) against the 400 runs as ``Run``s with
``View2D(tail=20)``; the swarm with whole trails (``tail=None``) against the runs with
theirs (``View2D()``). A swarm is the same simulation as its runs and draws less (one
colour, no labels, no status line per run), so it should take no longer. Prints the median
of each and each swarm's ratio to its runs.
"""
import argparse
import sys
import tempfile
from pathlib import Path

from _timing import medians

HEAD = """
from render import Run, Scene, Swarm, View2D, optimizers as opt
"""

SWARM = HEAD + """
scene = Scene("himmelblau", [Swarm(opt.Momentum(lr=0.004, momentum=0.9), grid=20{tail})], 150,
              views=[View2D()], name="swarm")
"""

RUNS = HEAD + """
import numpy as np
scene = Scene("himmelblau", [Swarm(opt.Momentum(lr=0.004, momentum=0.9), grid=20)], 150)
starts = [run.start for run in scene.runs]
scene = Scene("himmelblau", [Run(opt.Momentum(lr=0.004, momentum=0.9), s) for s in starts], 150,
              views=[View2D({tail})], name="runs")
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        files = {"swarm, tail 20": SWARM.format(tail=""), "400 Runs, tail 20": RUNS.format(tail="tail=20"),
                 "swarm, tail=None": SWARM.format(tail=", tail=None"), "400 Runs, whole": RUNS.format(tail="")}
        paths = {}
        for k, (what, text) in enumerate(files.items()):
            paths[what] = folder / f"scene{k}.py"
            paths[what].write_text(text)
        median = medians({what: [sys.executable, "-m", "render", str(path), "--format", "gif", "--out",
                                 str(folder / "out"), "--force", "--no-progress"]
                          for what, path in paths.items()}, args.repeat)
    for swarm, runs in (("swarm, tail 20", "400 Runs, tail 20"), ("swarm, tail=None", "400 Runs, whole")):
        print(f"{swarm:17s} {median[swarm]:6.2f} s   {runs:17s} {median[runs]:6.2f} s   "
              f"{median[swarm] / median[runs]:.2f}x (medians of {args.repeat})")


if __name__ == "__main__":
    main()
