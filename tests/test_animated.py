"""Animated WebP and APNG: the GIF's frames (its palette) stored losslessly, so every frame is
the GIF's to the pixel and within the GIF's tolerance of the drawn one, each run's colour
exact; the holds and the notes' pauses are the GIF's durations; both loop for ever.

The APNG is decoded by ffmpeg: Pillow's reader composes a frame that clears its region to the
background ("dispose to background") wrongly, where Chromium and ffmpeg agree (the browser
tests check the APNG's last frame in Chromium)."""
import dataclasses
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

from render import Camera, Note, Run, Scene, View2D, View3D, optimizers as opt
from render import plan as planning
from render.frames import FrameStream
from render.pipeline import render_scene
from render.sinks.animated import WebpSink, frame_delays

from test_encode import FOUR, gif_delays, gif_frames, race

SIZE = (320, 180)


def webp_frames(path):
    with Image.open(path) as im:
        for i in range(im.n_frames):
            im.seek(i)
            yield np.asarray(im.convert("RGB"))


def apng_frames(path, size=SIZE):
    """The APNG's frames as ffmpeg composes them, one a stored frame."""
    w, h = size
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-fps_mode",
                          "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         check=True, capture_output=True).stdout
    return list(np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3))


def loops(path) -> int | None:
    """The loop count a WebP or APNG stores (0: for ever)."""
    data = path.read_bytes()
    if data[:4] == b"RIFF":
        at = data.index(b"ANIM") + 8
        return int.from_bytes(data[at + 4:at + 6], "little")
    at = data.index(b"acTL") + 4
    return int.from_bytes(data[at + 4:at + 8], "big")


@pytest.fixture(scope="module")
def orbit(tmp_path_factory):
    """A 3D orbit of four runs in pure colours, drawn, and rendered as GIF, WebP and APNG."""
    out = tmp_path_factory.mktemp("orbit")
    colours = {"GD": "#0000ff", "Momentum": "#00ff00", "Nesterov": "#ff0000", "Adam": "#ff00ff"}
    runs = [dataclasses.replace(r, color=colours[r.label]) for r in FOUR]
    view = View3D(camera=Camera(elev=35, azim=-70, orbit=40), legend=True)
    scene = Scene("rosenbrock", runs, 30, views=[view])
    drawn = list(FrameStream(planning.build(scene), view, SIZE))
    render_scene(scene, name="race", out=out, formats=("gif", "webp", "apng"), size=SIZE)
    return out / "race", drawn, colours


@pytest.mark.parametrize("fmt", ["webp", "apng"])
def test_frames_are_the_gifs_and_within_its_tolerance_of_the_drawn_ones(orbit, fmt):
    folder, drawn, colours = orbit
    gif = list(gif_frames(folder / "3d.gif"))
    frames = list(webp_frames(folder / "3d.webp")) if fmt == "webp" else apng_frames(folder / "3d.apng")
    assert len(frames) == len(gif) == len(drawn) == 31
    for k, (mine, theirs) in enumerate(zip(frames, gif)):
        np.testing.assert_array_equal(mine, theirs, err_msg=f"frame {k}")
    far = [np.any(np.abs(a.astype(int) - b.astype(int)) > 48, axis=-1).mean() for a, b in zip(drawn, frames)]
    assert max(far) <= 0.0003, max(far)
    # Each run's colour comes out exactly where it was drawn exactly (heads, legend markers).
    for label, colour in colours.items():
        rgb = np.array(to_rgb(colour)) * 255
        exact = np.all(drawn[-1] == rgb, axis=-1)
        assert exact.sum() >= 5, label
        assert np.all(frames[-1][exact] == rgb), label


def test_the_webp_is_smaller_than_the_gif(orbit):
    folder, _, _ = orbit
    gif, webp = (folder / "3d.gif").stat().st_size, (folder / "3d.webp").stat().st_size
    assert webp < 0.9 * gif, (webp, gif)


@pytest.mark.parametrize("fmt", ["webp", "apng"])
def test_holds_and_pauses_are_the_gifs_durations_and_it_loops(fmt, tmp_path):
    scene = dataclasses.replace(race(steps=6), hold=1.5, hold_start=0.5,
                                notes=[Note(3, "Adam turns here", run="Adam, fast", hold=0.8)])
    render_scene(scene, name="race", out=tmp_path, formats=("gif", fmt), size=(64, 48))
    path = tmp_path / "race" / f"2d.{fmt}"
    # 10 fps: the start 0.5 s more, frame 3 (the note) 0.8 s more, the result 1.5 s more.
    assert gif_delays(tmp_path / "race" / "2d.gif") == [600, 100, 100, 900, 100, 100, 1600]
    assert frame_delays(path) == [600, 100, 100, 900, 100, 100, 1600]
    assert loops(path) == 0
    if fmt == "webp":                     # Pillow reads the WebP's delays as the browser plays them
        with Image.open(path) as im:
            durations = []
            for i in range(im.n_frames):
                im.seek(i)
                im.load()
                durations.append(im.info["duration"])
        assert durations == [600, 100, 100, 900, 100, 100, 1600]


def test_identical_frames_merge_into_one_longer_frame_of_the_webp(tmp_path):
    # libwebp keeps one frame for identical ones: a pause after the second of them and the
    # first frame's hold land on that one frame, the last hold on the last.
    a = np.full((48, 64, 3), 230, np.uint8)
    b = a.copy()
    b[10:20, 10:20] = (255, 0, 0)
    with WebpSink(tmp_path / "a.webp", (64, 48), 10) as sink:
        sink.take_samples([a, b], exact=["red"])
        for k, frame in enumerate([a, a, a, b]):
            sink.write(frame)
            if k == 0:
                sink.hold_start(frame, 0.5)
            if k == 1:
                sink.pause(frame, 0.4)
        sink.hold(b, 1.0)
    assert frame_delays(tmp_path / "a.webp") == [300 + 500 + 400, 100 + 1000]
    frames = list(webp_frames(tmp_path / "a.webp"))
    np.testing.assert_array_equal(frames[0], a)
    np.testing.assert_array_equal(frames[1], b)
