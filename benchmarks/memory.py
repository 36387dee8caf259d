"""Memory: a 600-frame 1920x1080 MP4 of the 2D master plot, every process under 1 GiB.

    python benchmarks/memory.py [--jobs N]

Frames stream from the drawing processes into ffmpeg; nothing holds all of them (600 frames
of 1920x1080 RGB would be 3.7 GB). Prints the peak resident size of this process and of the
largest child (a drawing worker or ffmpeg).
"""
import argparse
import dataclasses
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from render.pipeline import render_scene  # noqa: E402
from render.load import load  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    (_, scene), = load(ROOT / "scenes" / "ols_compare.py")
    long = dataclasses.replace(scene, steps=599, max_frames=600, views=scene.views[:1])
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        written = render_scene("memory", long, out=tmp, formats=("mp4",), size=(1920, 1080), jobs=args.jobs)
        seconds = time.perf_counter() - start
        size = written[0].bytes
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"600 frames 1920x1080 MP4 ({size / 2**20:.1f} MiB) in {seconds:.1f} s with {args.jobs} jobs: "
          f"peak resident {own:.0f} MiB here, {child:.0f} MiB in the largest child")


if __name__ == "__main__":
    main()
