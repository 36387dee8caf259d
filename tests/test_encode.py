"""Encoders: the registry of sinks, sinks that start nothing until frames arrive, atomic
outputs, decoded frames close to the drawn ones, the CSV of a scene's numbers."""
import csv
import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from matplotlib.colors import to_rgb

from render import Camera, Run, Scene, Swarm, View2D, View3D, optimizers as opt
from render import plan as planning, sinks, tables
from render.frames import FrameStream
from render.pipeline import render_scene


def race(steps=12):
    return Scene("rosenbrock", [Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam, fast", color="red"),
                                Run(opt.Momentum(lr=1e-3, momentum=0.9), (1.5, -0.5), color="white")],
                 steps, views=[View2D(levels="log", arrows=True)], fps=10, smooth=False)


def children():
    """The processes whose parent is this one (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.add(int(stat.parent.name))
    return found


def test_the_registry_names_every_format_and_the_options_exclude_hashes():
    assert list(sinks.SINKS) == ["gif", "mp4", "webm", "webp", "apng", "png", "pdf", "frames", "vtt", "txt", "player",
                                 "hashes"]
    assert sinks.FORMATS == ("gif", "mp4", "webm", "webp", "apng", "png", "pdf", "frames", "vtt", "txt")
    assert {name: cls.format for name, cls in sinks.SINKS.items()} == {n: n for n in sinks.SINKS}
    assert sinks.output_path("out", "race", "2d", "gif").as_posix() == "out/race/2d.gif"
    assert sinks.output_path("out", "race", "3d", "frames").as_posix() == "out/race/3d"
    assert sinks.output_path("out", "race", "2d", "hashes").as_posix() == "out/race/2d.hashes.json"


@pytest.mark.parametrize("fmt", ["gif", "mp4", "webm", "webp", "apng", "png", "pdf", "frames", "vtt", "txt", "player",
                                 "hashes"])
def test_a_sink_constructor_starts_nothing(fmt, tmp_path):
    before = children()
    sink = sinks.SINKS[fmt](tmp_path / "out" / "x", (64, 48), 10)
    assert children() == before
    assert not (tmp_path / "out").exists()
    sink.abort()                      # a sink that never saw a frame aborts cleanly
    assert not (tmp_path / "out").exists()


def test_a_sink_writes_its_file_only_when_it_finishes(tmp_path):
    frame = np.full((48, 64, 3), 200, np.uint8)
    target = tmp_path / "a.mp4"
    with sinks.SINKS["mp4"](target, (64, 48), 10) as sink:
        sink.write(frame)
        assert sink.pipe.process.poll() is None          # ffmpeg started with the first frame
        assert not target.exists() and [p.name.startswith(".a.mp4.") for p in tmp_path.iterdir()] == [True]
    assert [p.name for p in tmp_path.iterdir()] == ["a.mp4"]
    assert target.stat().st_size > 0 and sink.pipe is None


def test_a_failure_mid_stream_keeps_the_earlier_output(tmp_path):
    target = tmp_path / "a.gif"
    target.write_bytes(b"yesterday's gif")
    frame = np.zeros((48, 64, 3), np.uint8)
    with pytest.raises(RuntimeError, match="drawing failed"):
        with sinks.SINKS["gif"](target, (64, 48), 10) as sink:
            sink.write(frame)
            ffmpeg = sink.pipe.process
            assert ffmpeg.pid in children()
            raise RuntimeError("drawing failed")
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]
    assert target.read_bytes() == b"yesterday's gif"
    assert ffmpeg.returncode is not None and ffmpeg.pid not in children()     # killed and reaped


def test_a_registered_format_renders_through_render_scene(tmp_path):
    @sinks.sink("sums", option=False)
    class SumSink(sinks.Sink):
        suffix = ".sums.txt"

        def write(self, frame):
            super().write(frame)
            with open(self.temp, "a") as f:
                f.write(f"{int(frame.sum())}\n")
    try:
        scene = race(steps=6)
        written = render_scene(scene, name="race", out=tmp_path, formats=("sums", "frames"), size=(64, 48))
    finally:
        sinks.SINKS.pop("sums")
    assert [w.path.name for w in written] == ["2d.sums.txt", "2d"]
    sums = [int(line) for line in (tmp_path / "race" / "2d.sums.txt").read_text().split()]
    pngs = sorted((tmp_path / "race" / "2d").iterdir())
    assert len(sums) == len(pngs) == 7
    assert sums == [int(np.asarray(Image.open(p).convert("RGB"), dtype=np.int64).sum()) for p in pngs]


def test_gif_frames_decode_close_to_the_drawn_frames_and_hold_the_last(tmp_path):
    scene = race()
    plan = planning.build(scene)
    drawn = list(FrameStream(plan, scene.views[0], (320, 180)))
    render_scene(scene, name="race", out=tmp_path, formats=("gif",), size=(320, 180))
    decoded = list(gif_frames(tmp_path / "race" / "2d.gif"))
    assert len(drawn) == len(decoded) == 13
    for i, frame in enumerate(drawn):
        mse = np.mean((decoded[i].astype(float) - frame) ** 2)
        assert 10 * np.log10(255 ** 2 / max(mse, 1e-9)) > 30, f"frame {i}"
    # 10 fps; the start stays 0.5 s more, the result 1.5 s more before the loop restarts.
    assert gif_delays(tmp_path / "race" / "2d.gif") == [600] + [100] * 11 + [1600]


def test_the_csv_holds_every_step_exactly(tmp_path):
    plan = planning.build(race())
    path = tables.write_data(tmp_path, plan)
    assert path.name == "trajectories.csv" and oct(os.stat(path).st_mode & 0o777) != "0o600"
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 2 * 13
    first = [r for r in rows if r["run"] == "0"]
    assert first[0]["label"] == "Adam, fast" and first[0]["optimizer"] == "Adam(lr=0.2)"
    t = plan.trajectories
    np.testing.assert_array_equal([float(r["x"]) for r in first], t.positions[0, :, 0])
    np.testing.assert_array_equal([float(r["loss"]) for r in first], t.losses[0])
    assert [int(r["step"]) for r in first] == list(range(13))


def gif_delays(path):
    """Each frame's delay in milliseconds."""
    delays = []
    with Image.open(path) as gif:
        for i in range(gif.n_frames):
            gif.seek(i)
            delays.append(gif.info["duration"])
    return delays


def gif_frames(path):
    """The decoded RGB frames of a GIF."""
    gif = Image.open(path)
    for i in range(gif.n_frames):
        gif.seek(i)
        yield np.asarray(gif.convert("RGB"))


FOUR = [Run(opt.GD(lr=1e-3), (-1.5, 2.0), label="GD"),
        Run(opt.Momentum(lr=1e-3, momentum=0.9), (-1.5, 2.0), label="Momentum"),
        Run(opt.Nesterov(lr=1e-3, momentum=0.9), (-1.5, 2.0), label="Nesterov"),
        Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam")]


@pytest.mark.parametrize("view", [View2D(loss_panel=True, arrows=True), View3D(camera=Camera(orbit=60))],
                         ids=["2d", "3d-orbit"])
def test_gif_frames_are_the_drawn_frames_but_for_a_few_pixels(view, tmp_path):
    scene = Scene("rosenbrock", FOUR, 40, views=[view])
    drawn = list(FrameStream(planning.build(scene), view, (320, 180)))
    render_scene(scene, name="race", out=tmp_path, formats=("gif",), size=(320, 180))
    decoded = list(gif_frames(tmp_path / "race" / f"{view.name}.gif"))
    assert len(drawn) == len(decoded) == 41
    far = [np.any(np.abs(a.astype(int) - b.astype(int)) > 48, axis=-1).mean() for a, b in zip(drawn, decoded)]
    assert max(far) <= 0.0003, max(far)


@pytest.mark.parametrize("view", [View2D(), View3D(camera=Camera(elev=50))], ids=["2d", "3d"])
def test_a_swarms_gif_frames_are_its_drawn_frames_but_for_a_few_pixels(view, tmp_path):
    # Trails fading over each other in four basin colours: blends the median cut of evenly
    # spread frames misses (the swarm is busiest early), which the palette must still hold.
    swarm = Swarm(opt.Momentum(lr=0.004, momentum=0.9), grid=14, color_by="basin", tail=8)
    scene = Scene("himmelblau", [swarm], 60, views=[view])
    drawn = list(FrameStream(planning.build(scene), view, (320, 180)))
    render_scene(scene, name="swarm", out=tmp_path, formats=("gif",), size=(320, 180))
    decoded = list(gif_frames(tmp_path / "swarm" / f"{view.name}.gif"))
    far = [np.any(np.abs(a.astype(int) - b.astype(int)) > 48, axis=-1).mean() for a, b in zip(drawn, decoded)]
    assert max(far) <= 0.0003, max(far)


def test_a_3d_gif_keeps_every_run_colour_exactly(tmp_path):
    # matplotlib's pure colours, as a user might pick them; the runs are drawn over the surface
    # and the GIF's palette reserves their entries, so heads and legend markers keep them exactly.
    colours = {"GD": "#0000ff", "Momentum": "#00ff00", "Nesterov": "#ff0000", "Adam": "#ff00ff"}
    runs = [dataclasses.replace(r, color=colours[r.label]) for r in FOUR]
    view = View3D(camera=Camera(elev=35, azim=-70), legend=True)
    scene = Scene("rosenbrock", runs, 40, views=[view])
    render_scene(scene, name="race", out=tmp_path, formats=("gif", "png"), size=(640, 360))
    last = list(gif_frames(tmp_path / "race" / "3d.gif"))[-1]
    lossless = np.asarray(Image.open(tmp_path / "race" / "3d.png").convert("RGB"))
    for label, colour in colours.items():
        rgb = np.array(to_rgb(colour)) * 255
        exact = np.all(lossless == rgb, axis=-1)
        assert exact.sum() >= 30, label                            # its head, its marker, its trail
        assert np.all(last[exact] == rgb), label
    legend = lossless[: 200, : 200]                                # the figure's upper-left corner
    for colour in colours.values():
        assert np.all(legend == np.array(to_rgb(colour)) * 255, axis=-1).sum() >= 5, colour


def test_the_hold_is_the_scenes_and_stills_do_not_hold(tmp_path):
    scene = dataclasses.replace(race(steps=4), hold=0.5, hold_start=0.3)
    render_scene(scene, name="race", out=tmp_path, formats=("gif", "mp4", "frames"), size=(64, 48))
    assert gif_delays(tmp_path / "race" / "2d.gif") == [400] + [100] * 3 + [600]
    assert len(list((tmp_path / "race" / "2d").iterdir())) == 5
    import imageio.v3 as iio
    video = list(iio.imiter(tmp_path / "race" / "2d.mp4"))
    assert len(video) == 3 + 5 + 5
    # Stored, each picture once (and the last again, where its hold ends): the holds are
    # the pictures' times, not copies the encoder encodes again.
    import imageio_ffmpeg
    stored, seconds = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "race" / "2d.mp4"))
    assert stored == 5 + 1 and seconds == pytest.approx(13 / 10, abs=0.01)
    # The first frame is held: the MP4's first four frames are one picture (but for the
    # encoder's rounding), then it moves.
    change = [np.abs(v.astype(int) - video[0]).mean() for v in video]
    assert max(change[1:4]) < 0.2 < 2 < change[4]
    none = dataclasses.replace(scene, hold=0, hold_start=0)
    render_scene(none, name="still", out=tmp_path, formats=("gif",), size=(64, 48))
    assert gif_delays(tmp_path / "still" / "2d.gif") == [100] * 5
