"""Sizes of the gallery's moving GIFs: every view of scenes/ whose frames change whole (a
camera that orbits or moves between keys), rendered as a GIF by the command at its default
960x540, once as asked (``--gif-budget off``) and once with its default budget, and the
README's own example (Rosenbrock, an orbit of 90 degrees over 300 steps).

    python benchmarks/orbits.py [--only NAME ...]

Each command runs alone (a process, as a user runs it), twice for each setting, and its
wall time is the lower of the two. Prints a row per view: the GIF's bytes as asked and as
made by default, and what the output line says was done; then the times.
"""
import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README_EXAMPLE = ROOT / "README.md"
LINE = re.compile(r"^(\S+\.gif)\s+([\d.]+ [KM]iB|\d+ B)(?:\s+\((.*)\))?$")


def example() -> str:
    """The README's first scene file, as it is written there."""
    text = README_EXAMPLE.read_text()
    return re.search(r"```python\n(from render import .*?)```", text, re.S).group(1)


def run(files, out: Path, *options) -> tuple[float, dict]:
    command = [sys.executable, "-m", "render", *map(str, files), "--format", "gif", "--out", str(out),
               "--no-progress", "--force", *options]
    best, said = None, {}
    for _ in range(2):
        start = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    for line in done.stdout.splitlines():
        match = LINE.match(line.strip())
        if match:
            path = Path(match.group(1))
            said[f"{path.parent.name}/{path.stem}"] = (path.stat().st_size, match.group(3) or "")
    return best, said


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="scene files (stems) to render, default all")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from render.frames import draws_whole_frames
    from render.load import load

    with tempfile.TemporaryDirectory() as temporary:
        temporary = Path(temporary)
        readme = temporary / "rosenbrock.py"
        readme.write_text(example())
        files, views = [readme], []
        for path in sorted((ROOT / "scenes").glob("*.py")):
            if path.name.startswith("_") or (args.only and path.stem not in args.only):
                continue
            moving = [(scene, view) for _, scene in load(path) for view in scene.views
                      if draws_whole_frames(view)]
            if moving:
                files.append(path)
                views += [view.name for _, view in moving]
        views = sorted(set(views) | {"3d"})
        picked = [flag for name in views for flag in ("--view", name)]
        asked_time, asked = run(files, temporary / "asked", "--gif-budget", "off", *picked)
        made_time, made = run(files, temporary / "made", *picked)
    print("| view | as asked | by default | what was done |")
    print("|---|---|---|---|")
    total = [0, 0]
    for name in sorted(made):
        (size, _), (fitted, note) = asked[name], made[name]
        if size == fitted and not note:
            continue                      # a still camera's GIF, left as it was
        total[0] += size
        total[1] += fitted
        print(f"| {name} | {size / 2**20:.1f} MiB | {fitted / 2**20:.1f} MiB | {note.split(';')[0]} |")
    print(f"| all | {total[0] / 2**20:.1f} MiB | {total[1] / 2**20:.1f} MiB | |")
    print(f"\nThe {len(files)} scene files' views {', '.join(views)} as GIF: {asked_time:.1f} s as asked, "
          f"{made_time:.1f} s by default (the lower of two runs each).")


if __name__ == "__main__":
    main()
