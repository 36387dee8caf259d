"""The floor under the default command, ``render scenes/ols_compare.py``, and how far above
it the command is.

    python benchmarks/floor.py [--repeat 5]

The floor is what no renderer of these figures can skip: starting Python and importing what
drawing needs (a fresh ``python -c "import ..."``, leaving without the interpreter's
teardown), then for each view one full draw of its
figure and, per frame, drawing only the artists that move, with an MP4 and a GIF encoder
(ffmpeg, as render runs them, with a fixed palette) taking the frames beside it. Nothing
else: no palette analysis, no samples, no manifest, no second process. The command is run
whole with its default options. Both are measured alternately ``--repeat`` times; the
medians and their ratio are printed.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = "import numpy, matplotlib, render.cli, render.pipeline, render.views.plot2d, render.views.plot3d"


def imports() -> float:
    # Then out without tearing the interpreter down, as the command leaves: teardown is not
    # part of the floor.
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", IMPORTS + "; import os; os._exit(0)"], check=True)
    return time.perf_counter() - t0


def drawing(tmp: str) -> float:
    """One full draw per view, then only the moving artists per frame, into two encoders."""
    sys.path.insert(0, str(ROOT))
    import numpy as np
    from PIL import Image
    from render import plan as planning
    from render.frames import FrameSource
    from render.load import load
    from render.pipeline import QUALITY
    from render.sinks.ffmpeg import FFmpegPipe

    (_, scene), = load(ROOT / "scenes" / "ols_compare.py")
    size, fps = QUALITY["medium"], scene.fps
    palette = Path(tmp) / "palette.png"
    # A fixed palette: a 6x7x6 colour cube and four greys (ffmpeg wants 16x16 RGBA).
    cube = np.array([(r, g, b) for r in np.linspace(0, 255, 6) for g in np.linspace(0, 255, 7)
                     for b in np.linspace(0, 255, 6)] + [(64, 64, 64), (128, 128, 128), (192, 192, 192), (224,) * 3])
    table = np.column_stack([cube, np.full(256, 255)]).astype(np.uint8)
    Image.fromarray(table.reshape(16, 16, 4), "RGBA").save(palette)
    t0 = time.perf_counter()
    plan = planning.build(scene)
    for view in scene.views:
        source = FrameSource(plan, view, size)              # the figure, drawn once
        pipes = [FFmpegPipe(Path(tmp) / f"{view.name}.mp4", size, fps, channels=4, output_args=[
                     "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "23", "-preset", "veryfast",
                     "-threads", "1"]),
                 FFmpegPipe(Path(tmp) / f"{view.name}.gif", size, fps, channels=4,
                            extra_inputs=["-i", str(palette)], output_args=[
                     "-filter_complex", "[0:v][1:v]paletteuse=dither=none:diff_mode=rectangle", "-f", "gif"])]
        for i in range(len(source)):
            frame = source.pixels(i)                          # only what moves, over the background
            for pipe in pipes:
                pipe.write(frame)
        for pipe in pipes:
            pipe.close()
    return time.perf_counter() - t0


def command(tmp: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "render", str(ROOT / "scenes" / "ols_compare.py"), "--out", tmp,
                    "--force", "--no-progress"], check=True, capture_output=True)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    floors, ours, parts = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        drawing(tmp)                                          # warm: this process's own imports
        for _ in range(args.repeat):
            start, draw = imports(), drawing(tmp)
            floors.append(start + draw)
            parts.append((start, draw))
            ours.append(command(tmp))
    floor, mine = statistics.median(floors), statistics.median(ours)
    start = statistics.median(p[0] for p in parts)
    print(f"floor {floor:.2f} s (imports {start:.2f} s, drawing into the encoders "
          f"{floor - start:.2f} s); render scenes/ols_compare.py {mine:.2f} s: {mine / floor:.2f}x the floor "
          f"(medians of {args.repeat})")


if __name__ == "__main__":
    main()
