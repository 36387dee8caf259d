"""Rendering speed and GIF size: the render command against plain matplotlib.

    python benchmarks/render.py                 # all targets, 960x540, the OLS master plot
    python benchmarks/render.py --only 2d-gif   # one target

Speed is the whole process, as a user meets it: ``render scenes/ols_compare.py --view 2d
--format gif`` with every other option at its default (``--jobs`` = cores), against
``benchmarks/baseline.py``, the same figure written as plain matplotlib (contourf, clabel,
quiver, line trails, ``FuncAnimation(blit=True).save`` with PillowWriter or FFMpegWriter),
each a fresh Python process, imports included. The two are run alternately ``--repeat``
times and the medians kept; the ratio is the figure to read, because the machine is shared.

GIF size is compared on the same frames against Pillow's default encoding (what
PillowWriter writes) and ffmpeg's two-pass palettegen/paletteuse GIF; quality is the PSNR of
each of our GIF's frames against the lossless frames.
"""
import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import matplotlib
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from render import plan as planning  # noqa: E402
from render.frames import FrameStream  # noqa: E402
from render.pipeline import render_scene  # noqa: E402
from render.load import load  # noqa: E402
from many import many_runs  # noqa: E402
from _timing import medians  # noqa: E402

SIZE = (960, 540)


def master_plot():
    (_, scene), = load(ROOT / "scenes" / "ols_compare.py")
    return scene


def ours(scene, view, out, fmt, jobs):
    one = dataclasses.replace(scene, views=(view,))
    render_scene(one, name="bench", out=out, formats=(fmt,), size=SIZE, executor=jobs, force=True)


def render_command(out, fmt, *options, view="2d", scene=ROOT / "scenes" / "ols_compare.py"):
    return [sys.executable, "-m", "render", str(scene), "--view", view,
            "--format", fmt, "--out", str(out), "--force", "--no-progress", *options]


def speed(name, fmt, repeat, view="2d", orbit=0, options=()):
    """The whole render command against the plain matplotlib baseline, one format, one view
    (the 3D camera turning ``orbit`` degrees), with the command's default options and
    ``options``."""
    with tempfile.TemporaryDirectory() as tmp:
        scene = ROOT / "scenes" / "ols_compare.py"
        if orbit:
            scene = Path(tmp) / "orbit.py"
            scene.write_text(ORBIT.replace("orbit=90", f"orbit={orbit:g}"))
        baseline = [sys.executable, str(ROOT / "benchmarks" / "baseline.py"), f"{tmp}/base.{fmt}", "--view", view,
                    "--orbit", f"{orbit:g}"]
        t = medians({"baseline": baseline, "ours": render_command(tmp, fmt, *options, view=view, scene=scene)},
                    repeat)
    said = f"default options, {' '.join(options)}" if options else "default options"
    print(f"{name}: plain matplotlib {t['baseline']:.2f} s, render {t['ours']:.2f} s ({said}), "
          f"ratio {t['baseline'] / t['ours']:.1f}x (medians of {repeat})")


ORBIT = (ROOT / "scenes" / "ols_compare.py").read_text().replace(
    "View3D(camera=Camera(elev=60, azim=35))", "View3D(camera=Camera(elev=60, azim=35, orbit=90))")


def orbit(repeat):
    """The master plot's 3D view with the camera orbiting 90 degrees (every frame drawn whole,
    by worker processes): the default --jobs against one job."""
    assert "orbit=90" in ORBIT
    with tempfile.TemporaryDirectory() as tmp:
        scene = Path(tmp) / "orbit.py"
        scene.write_text(ORBIT)
        command = [sys.executable, "-m", "render", str(scene), "--view", "3d", "--format", "gif", "--out",
                   tmp, "--force", "--no-progress"]
        t = medians({"one": [*command, "--jobs", "1"], "default": command}, repeat)
    print(f"3D orbit GIF, --jobs {os.cpu_count()} (the default) {t['default']:.2f} s, --jobs 1 {t['one']:.2f} s, "
          f"{t['one'] / t['default']:.2f}x (medians of {repeat})")
    # The part that spreads over cores, alone: drawing the frames, no encoder beside it.
    with tempfile.TemporaryDirectory() as tmp:
        scene = Path(tmp) / "orbit.py"
        scene.write_text(ORBIT)
        (_, spec), = load(scene)
    plan = planning.build(spec)
    # Also the steady pace, once every worker has started and delivered its first chunk:
    # from frame 16 (two chunks of 8 in) to the last, in milliseconds a frame.
    seconds, pace = {}, {}
    for jobs in [1, os.cpu_count()] * repeat:
        t0 = time.perf_counter()
        stamps = [time.perf_counter() - t0 for _ in FrameStream(plan, spec.views[1], SIZE, jobs=jobs).pixels()]
        seconds.setdefault(jobs, []).append(stamps[-1])
        pace.setdefault(jobs, []).append(1000 * (stamps[-1] - stamps[16]) / (len(stamps) - 1 - 16))
    one, many = (float(np.median(seconds[j])) for j in (1, os.cpu_count()))
    print(f"3D orbit, drawing its 101 frames alone: 1 job {one:.2f} s, {os.cpu_count()} jobs {many:.2f} s, "
          f"{one / many:.2f}x (medians of {repeat})")
    one, many = (float(np.median(pace[j])) for j in (1, os.cpu_count()))
    print(f"3D orbit, steady pace from frame 16 on: 1 job {one:.1f} ms a frame, {os.cpu_count()} jobs "
          f"{many:.1f} ms a frame, {one / many:.2f}x (medians of {repeat})")


def default(repeat):
    """The whole default command, ``render scenes/ols_compare.py`` (2D and 3D, GIF and MP4),
    against the same with --jobs 1 (every view in turn, in one process)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "render", str(ROOT / "scenes" / "ols_compare.py"), "--out", tmp,
                   "--force", "--no-progress"]
        t = medians({"one": [*command, "--jobs", "1"], "default": command}, repeat)
    print(f"render scenes/ols_compare.py: default (--jobs {os.cpu_count()}) {t['default']:.2f} s, --jobs 1 "
          f"{t['one']:.2f} s, {t['one'] / t['default']:.2f}x (medians of {repeat})")


def jobs(repeat):
    """The default --jobs (cores) against one job, for the static 2D view."""
    with tempfile.TemporaryDirectory() as tmp:
        t = medians({"one": render_command(tmp, "gif,mp4", "--jobs", "1"),
                     "default": render_command(tmp, "gif,mp4")}, repeat)
    print(f"2D GIF + MP4, --jobs {os.cpu_count()} (the default) {t['default']:.2f} s, --jobs 1 {t['one']:.2f} s "
          f"(medians of {repeat})")


def many(repeat):
    """4 runs against 400 (2D GIF, default options), alternately; then 2000 runs once in
    2D and in a 3D view orbiting 90 degrees."""
    with tempfile.TemporaryDirectory() as tmp:
        commands = {}
        for runs in (4, 400, 2000):
            for orbit in (0, 90):
                path = Path(tmp) / f"runs{runs}_{orbit}.py"
                path.write_text(many_runs(runs, orbit))
        command = lambda runs, view, orbit=0: [
            sys.executable, "-m", "render", f"{tmp}/runs{runs}_{orbit}.py", "--view", view, "--format", "gif",
            "--out", tmp, "--force", "--no-progress"]
        t = medians({"4": command(4, "2d"), "400": command(400, "2d")}, repeat)
        print(f"many runs, 2D GIF: 4 runs {t['4']:.2f} s, 400 runs {t['400']:.2f} s, "
              f"{t['400'] / t['4']:.2f}x (medians of {repeat})")
        once = medians({"2d": command(2000, "2d"), "orbit": command(2000, "3d", 90)}, 1)
        print(f"2000 runs: 2D GIF {once['2d']:.1f} s, 3D orbiting GIF {once['orbit']:.1f} s (once each)")


def psnr(a, b):
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255 ** 2 / mse)


def gif_size(scene, view):
    frames = list(FrameStream(planning.build(scene), view, SIZE))
    with tempfile.TemporaryDirectory() as tmp:
        ours(scene, view, tmp, "gif", 1)
        mine = Path(tmp) / "bench" / f"{view.name}.gif"
        images = [Image.fromarray(f) for f in frames]
        images[0].save(f"{tmp}/pillow.gif", save_all=True, append_images=images[1:],
                       duration=50, loop=0)
        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
        raw = b"".join(f.tobytes() for f in frames)
        subprocess.run([ffmpeg, "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                        f"{SIZE[0]}x{SIZE[1]}", "-r", "20", "-i", "-", "-filter_complex",
                        "[0:v]split[a][b];[a]palettegen=stats_mode=diff[p];"
                        "[b][p]paletteuse=dither=bayer:diff_mode=rectangle",
                        f"{tmp}/ffmpeg.gif"], input=raw, check=True)
        sizes = {k: os.path.getsize(p) for k, p in
                 [("ours", mine), ("pillow", f"{tmp}/pillow.gif"), ("ffmpeg", f"{tmp}/ffmpeg.gif")]}
        decoded = Image.open(mine)
        worst = float("inf")
        for i, frame in enumerate(frames):
            decoded.seek(i)
            worst = min(worst, psnr(np.asarray(decoded.convert("RGB")), frame))
    print(f"GIF size, {view.name}: ours {sizes['ours'] / 1024:.0f} KiB, Pillow default "
          f"{sizes['pillow'] / 1024:.0f} KiB ({sizes['pillow'] / sizes['ours']:.1f}x ours), ffmpeg "
          f"palettegen {sizes['ffmpeg'] / 1024:.0f} KiB ({sizes['ffmpeg'] / sizes['ours']:.2f}x ours); "
          f"worst frame PSNR {worst:.1f} dB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["2d-gif", "2d-mp4", "3d-gif", "orbit-gif", "default", "jobs", "orbit",
                                           "many", "gif-size"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, matplotlib {matplotlib.__version__}, size {SIZE[0]}x{SIZE[1]}")
    scene = master_plot()
    flat, solid = scene.views
    targets = {
        "2d-gif": lambda: speed("2D master plot, GIF", "gif", args.repeat),
        "2d-mp4": lambda: speed("2D master plot, MP4", "mp4", args.repeat),
        "3d-gif": lambda: speed("3D master plot, GIF", "gif", args.repeat, view="3d"),
        # The same frames as the baseline: without the budget an orbit's GIF has by default.
        "orbit-gif": lambda: speed("3D master plot orbiting 90 degrees, GIF", "gif", args.repeat, view="3d", orbit=90,
                                   options=("--gif-budget", "off")),
        "default": lambda: default(args.repeat),
        "jobs": lambda: jobs(args.repeat),
        "orbit": lambda: orbit(args.repeat),
        "many": lambda: many(args.repeat),
        "gif-size": lambda: (gif_size(scene, flat), gif_size(scene, solid)),
    }
    for name, run in targets.items():
        if args.only in (None, name):
            run()


if __name__ == "__main__":
    main()
