"""Rendering speed and GIF size: our pipeline against FuncAnimation.save, in one process.

    python benchmarks/render.py                 # all targets, 960x540, the OLS master plot
    python benchmarks/render.py --only 2d-gif   # one target

The baseline is the idiomatic notebook way: the same figure (the same view, through
``scene.animation(view)``) saved with ``FuncAnimation.save`` and matplotlib's PillowWriter or
FFMpegWriter. Each pair is timed alternately and the best of each kept; the ratio is the
figure to read, because the machine is shared.

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
from matplotlib.animation import FFMpegWriter, PillowWriter
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from render import plan as planning  # noqa: E402
from render.frames import FrameStream  # noqa: E402
from render.pipeline import render_scene  # noqa: E402
from render.load import load  # noqa: E402
from render.scene import Camera, View3D  # noqa: E402

SIZE = (960, 540)
matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()


def master_plot():
    (_, scene), = load(ROOT / "scenes" / "ols_compare.py")
    return scene


def baseline(scene, view, path, writer):
    anim = scene.animation(view, size=SIZE)
    anim.save(path, writer=writer, dpi=anim._fig.dpi)


def ours(scene, view, out, fmt, jobs):
    one = dataclasses.replace(scene, views=(view,))
    render_scene("bench", one, out=out, formats=(fmt,), size=SIZE, jobs=jobs, force=True)


def best_of(pairs, repeat):
    """Time each (name, fn) alternately ``repeat`` times; return the best of each."""
    best = {name: float("inf") for name, _ in pairs}
    for _ in range(repeat):
        for name, fn in pairs:
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def speed(name, scene, view, fmt, writer, repeat, jobs):
    with tempfile.TemporaryDirectory() as tmp:
        t = best_of([("baseline", lambda: baseline(scene, view, f"{tmp}/base.{fmt}", writer())),
                     ("ours", lambda: ours(scene, view, tmp, fmt, jobs))], repeat)
    print(f"{name}: FuncAnimation.save {t['baseline']:.2f} s, ours {t['ours']:.2f} s "
          f"(jobs {jobs}), ratio {t['baseline'] / t['ours']:.1f}x")


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
    parser.add_argument("--only", choices=["2d-gif", "2d-mp4", "3d-gif", "3d-orbit", "gif-size"])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, matplotlib {matplotlib.__version__}, size {SIZE[0]}x{SIZE[1]}")
    scene = master_plot()
    flat, solid = scene.views
    orbit = View3D(camera=Camera(elev=60, azim=35, orbit=90))
    fps = scene.fps
    targets = {
        "2d-gif": lambda: speed("2D master plot, GIF", scene, flat, "gif",
                                lambda: PillowWriter(fps=fps), args.repeat, args.jobs),
        "2d-mp4": lambda: speed("2D master plot, MP4", scene, flat, "mp4",
                                lambda: FFMpegWriter(fps=fps, codec="libx264",
                                                     extra_args=["-pix_fmt", "yuv420p"]),
                                args.repeat, args.jobs),
        "3d-gif": lambda: speed("3D master plot, static camera, GIF", scene, solid, "gif",
                                lambda: PillowWriter(fps=fps), args.repeat, args.jobs),
        "3d-orbit": lambda: speed("3D master plot, orbiting camera, GIF", scene, orbit, "gif",
                                  lambda: PillowWriter(fps=fps), args.repeat, args.jobs),
        "gif-size": lambda: (gif_size(scene, flat), gif_size(scene, solid)),
    }
    for name, run in targets.items():
        if args.only in (None, name):
            run()


if __name__ == "__main__":
    main()
