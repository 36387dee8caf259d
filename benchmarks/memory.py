"""Memory: a 600-frame 1920x1080 MP4 of the 2D master plot, every process under 1 GiB;
and (--estimates) the peak memory of whole renders against ``render.memory``'s estimates.

    python benchmarks/memory.py [--jobs N]
    python benchmarks/memory.py --estimates

Frames stream from the drawing processes into ffmpeg; nothing holds all of them (600 frames
of 1920x1080 RGB would be 3.7 GB). Prints the peak resident size of this process and of the
largest child (a drawing worker or ffmpeg).
"""
import argparse
import dataclasses
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from render.pipeline import render_scene  # noqa: E402
from render.load import load  # noqa: E402


ORBIT = """
from render import Camera, Run, Scene, View3D, optimizers as opt
scene = Scene('rosenbrock', [Run(opt.Adam(lr=0.05), (-1.5, 2.0))], 40, max_frames=24,
              views=[View3D(name='orbit', camera=Camera(orbit=90))])
"""


def _tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid] + [q for c in children for q in _tree(int(c))]


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak(command) -> int:
    """The peak of the summed proportional set size of ``command`` and every process it
    starts (shared pages counted once in all), sampled every 20 ms."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    most = 0
    while process.poll() is None:
        most = max(most, sum(_pss(p) for p in _tree(process.pid)))
        time.sleep(0.02)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    return most


def estimates(jobs: int) -> None:
    from render import memory
    with tempfile.TemporaryDirectory() as tmp:
        scene = Path(tmp) / "orbit.py"
        scene.write_text(ORBIT)
        print(f"{'size':>10} {'formats':>8} {'jobs':>4} {'peak MiB':>9} {'estimate MiB':>13}")
        for size in ((1920, 1080), (3840, 2160)):
            for formats in ("png", "gif", "mp4", "webm", "gif,mp4"):
                for j in sorted({1, jobs}):
                    used = peak([sys.executable, "-m", "render", str(scene), "--out", str(Path(tmp) / "o"), "--force",
                                 "--size", f"{size[0]}x{size[1]}", "--format", formats, "--jobs", str(j)])
                    guess = memory.view_bytes(size, formats.split(","), j if j > 1 and formats != "png" else 0)
                    print(f"{size[0]}x{size[1]:<5} {formats:>8} {j:>4} {used / 2**20:>9.0f} {guess / 2**20:>13.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--estimates", action="store_true",
                        help="measure whole renders of an orbit against render.memory's estimates")
    args = parser.parse_args()
    if args.estimates:
        return estimates(args.jobs)
    (_, scene), = load(ROOT / "scenes" / "ols_compare.py")
    long = dataclasses.replace(scene, steps=599, max_frames=600, views=scene.views[:1])
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        written = render_scene(long, name="memory", out=tmp, formats=("mp4",), size=(1920, 1080), executor=args.jobs)
        seconds = time.perf_counter() - start
        size = written[0].bytes
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"600 frames 1920x1080 MP4 ({size / 2**20:.1f} MiB) in {seconds:.1f} s with {args.jobs} jobs: "
          f"peak resident {own:.0f} MiB here, {child:.0f} MiB in the largest child")


if __name__ == "__main__":
    main()
