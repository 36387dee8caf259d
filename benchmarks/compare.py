"""Before and after a change: the same commands on two commits, timed alternately in one run.

    python benchmarks/compare.py --before REV            # REV against the working tree
    python benchmarks/compare.py --before REV --after REV2 --repeat 7

A refactoring should not cost speed; this says whether it did. Both trees render the before
tree's scene files. Each target runs as its own
process with PYTHONPATH set to one tree or the other, alternating between the two trees, so
both see the same machine load; the medians and their ratio (after / before) are printed.
Whole-process wall time is what a user waits for, so the render targets are timed from the
outside; the simulation target reports the time of ``simulate()`` alone (its imports are
the render targets' business).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from many import many_runs  # noqa: E402

ORBIT = """
from render import Camera, Run, Scene, View3D, optimizers as opt, surfaces
ols = surfaces.LeastSquares.line(intercept=-2.0, slope=2.0, n=1000, noise=0.001, x=(-5, 5), seed=0)
start = (9.0, 2.0)
scene = Scene(ols, [Run(opt.GD(lr=0.1), start), Run(opt.Momentum(lr=0.1, momentum=0.2), start),
                    Run(opt.RMSprop(lr=0.1), start), Run(opt.Adam(lr=0.1), start)], 100,
              views=[View3D(camera=Camera(elev=60, azim=35, orbit=90))])
"""

SIMULATE = """
import sys, time
try:
    from render.load import load
except ImportError:                 # before scene files had a module of their own
    from render.scene import load
(_, scene), = load(sys.argv[1])
t = time.perf_counter()
scene.simulate()
print(time.perf_counter() - t)
"""

ORBIT_FRAME = """
import sys, time
from render import plan as planning
from render.frames import FrameSource
from render.load import load
(_, scene), = load(sys.argv[1])
source = FrameSource(planning.build(scene), scene.views[0], (960, 540))
source.frame(0)
t = time.perf_counter()
for i in range(1, len(source)):
    source.frame(i)
print((time.perf_counter() - t) / (len(source) - 1))
"""


def targets(scratch: Path, scenes: Path) -> dict:
    """The commands timed; ``scenes``: the scene files both trees render (the before tree's:
    the code after a change must still render them, and a scene changed with the code would
    time the scene, not the code)."""
    orbit = scratch / "orbit.py"
    orbit.write_text(ORBIT)
    for runs in (4, 400):
        (scratch / f"runs{runs}.py").write_text(many_runs(runs))
    render = [sys.executable, "-m", "render"]
    out = ["--out", str(scratch / "out"), "--force", "--no-progress"]
    return {
        "render scenes/ols_compare.py (2D + 3D, GIF + MP4, default jobs)":
            render + [str(scenes / "ols_compare.py")] + out,
        "2D GIF, --jobs 1": render + [str(scenes / "ols_compare.py"), "--view", "2d",
                                      "--format", "gif", "--jobs", "1"] + out,
        "2D MP4, --jobs 1": render + [str(scenes / "ols_compare.py"), "--view", "2d",
                                      "--format", "mp4", "--jobs", "1"] + out,
        "3D orbit GIF, --jobs 2": render + [str(orbit), "--format", "gif", "--jobs", "2"] + out,
        "3D orbit, one frame drawn whole (960x540, one process)": [sys.executable, "-c", ORBIT_FRAME, str(orbit)],
        "many runs: 4 runs, 2D GIF": render + [str(scratch / "runs4.py"), "--view", "2d", "--format", "gif"] + out,
        "many runs: 400 runs, 2D GIF": render + [str(scratch / "runs400.py"), "--view", "2d", "--format", "gif"]
        + out,
        "the gallery: render scenes/ (every scene file, GIF + MP4, default jobs)":
            render + [str(scenes)] + out,
        "simulate the Beale race (15 runs x 100,000 steps)":
            [sys.executable, "-c", SIMULATE, str(scenes / "beale_race.py")],
    }


def run(command, tree: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree), MPLBACKEND="Agg")
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {tree}:\n{done.stderr}")
    if "-c" in command:                    # the script reports its own time (seconds)
        return float(done.stdout.strip().splitlines()[-1])
    return elapsed


def worktree(rev: str, scratch: Path) -> Path:
    path = scratch / rev.replace("/", "_")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), rev],
                   check=True, capture_output=True)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="a commit, branch or tag")
    parser.add_argument("--after", help="a commit (default: this working tree)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", help="run only the targets whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        trees = {"before": worktree(args.before, scratch),
                 "after": worktree(args.after, scratch) if args.after else ROOT}
        try:
            print(f"before {args.before}, after {args.after or 'working tree'}, {args.repeat} "
                  f"alternating runs each, {os.cpu_count()} cores")
            for name, command in targets(scratch, trees["before"] / "scenes").items():
                if args.only and args.only not in name:
                    continue
                times = {"before": [], "after": []}
                for _ in range(args.repeat):
                    for label, tree in trees.items():
                        times[label].append(run(command, tree))
                before, after = (statistics.median(times[k]) for k in ("before", "after"))
                print(f"{name}: before {before:.3g} s, after {after:.3g} s, "
                      f"after/before {after / before:.2f}")
        finally:
            for label, tree in trees.items():
                if tree != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                                   capture_output=True)


if __name__ == "__main__":
    main()
