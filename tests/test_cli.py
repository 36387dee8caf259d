"""The render command, end to end at tiny sizes: outputs, their formats, errors, exit codes."""
import csv
import json
import subprocess
import sys
import textwrap

import imageio_ffmpeg
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from render.cli import main
from render.load import load

SCENE = """
from render import Run, Scene, View2D, View3D, Camera, optimizers as opt

scene = Scene(
    surface="rosenbrock",
    steps=12,
    runs=[Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam", color="red"),
          Run(opt.Momentum(lr=1e-3, momentum=0.9), (1.5, -0.5), color="white")],
    views=[View2D(levels="log", arrows=True, loss_panel=True), View3D(camera=Camera(elev=40, azim=30))],
    fps=10,
    smooth=False,
)
"""


@pytest.fixture
def scene_file(tmp_path):
    path = tmp_path / "race.py"
    path.write_text(SCENE)
    return path


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


def base_rate(path) -> float:
    """The video's base frame rate, as ffmpeg reads it ("tbr")."""
    import re
    import subprocess
    said = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True).stderr
    return float(re.search(r"([\d.]+) tbr", said).group(1))


def video_meta(path):
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    count = sum(1 for _ in reader)
    return meta, count


def test_renders_gif_and_mp4_for_every_view(scene_file, tmp_path):
    out = tmp_path / "out"
    result = run(scene_file, "--out", out, "--size", "160x90", "--no-progress")
    assert result.exit_code == 0, result.output
    for view in ("2d", "3d"):
        gif = Image.open(out / "race" / f"{view}.gif")
        assert gif.n_frames == 13                       # steps + 1
        assert gif.info["loop"] == 0                    # loops forever
        assert gif.info["duration"] == 600              # the start held 0.5 s more
        gif.seek(1)
        assert gif.info["duration"] == 100              # 10 fps
        gif.seek(12)
        assert gif.info["duration"] == 1600             # the result held 1.5 s more
        assert gif.size == (160, 90)
        meta, count = video_meta(out / "race" / f"{view}.mp4")
        assert count == 5 + 13 + 15
        assert meta["codec"] == "h264"
        assert meta["pix_fmt"].startswith("yuv420p")
        assert tuple(meta["size"]) == (160, 90)
        # The frames come at the scene's rate; a held one is stored once, shown longer
        # (so the average rate a file reader reports is lower).
        assert base_rate(out / "race" / f"{view}.mp4") == 10
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(str(out / "race" / "2d.gif")) and "KiB" in lines[0]
    assert lines[-1].startswith("wrote 4 files in ")


def test_png_is_the_final_frame_and_frames_writes_every_frame(scene_file, tmp_path):
    out = tmp_path / "out"
    result = run(scene_file, "--out", out, "--size", "160x90", "--format", "png,frames",
                 "--view", "2d", "--hashes")
    assert result.exit_code == 0, result.output
    frames = sorted((out / "race" / "2d").glob("frame_*.png"))
    assert [f.name for f in frames[:2]] == ["frame_0000.png", "frame_0001.png"] and len(frames) == 13
    still = np.asarray(Image.open(out / "race" / "2d.png"))
    np.testing.assert_array_equal(still, np.asarray(Image.open(frames[-1])))
    hashes = json.loads((out / "race" / "2d.hashes.json").read_text())
    assert hashes["size"] == [160, 90] and len(hashes["frames"]) == 13
    import hashlib
    assert hashes["frames"][-1] == hashlib.sha256(still.tobytes()).hexdigest()
    assert not (out / "race" / "3d.png").exists()


def test_data_csv_rows_equal_the_simulation(scene_file, tmp_path):
    out = tmp_path / "out"
    assert run(scene_file, "--out", out, "--format", "png", "--size", "160x90", "--data").exit_code == 0
    (name, scene), = load(scene_file)
    t = scene.simulate()
    with open(out / "race" / "trajectories.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * 13
    assert rows[0].keys() == {"run", "label", "optimizer", "step", "x", "y", "loss"}
    for row in rows:
        i, step = int(row["run"]), int(row["step"])
        assert float(row["x"]) == t.positions[i, step, 0]
        assert float(row["y"]) == t.positions[i, step, 1]
        assert float(row["loss"]) == t.losses[i, step]
    assert rows[0]["label"] == "Adam" and rows[13]["optimizer"] == "Momentum(lr=0.001)"


def test_up_to_date_outputs_are_skipped_unless_forced(scene_file, tmp_path):
    out = tmp_path / "out"
    args = (scene_file, "--out", out, "--format", "png", "--size", "160x90", "--view", "2d")
    assert run(*args).exit_code == 0
    again = run(*args)
    assert "(up to date)" in again.output and again.output.strip().endswith("s") and "wrote 0 files" in again.output
    forced = run(*args, "--force")
    assert "(up to date)" not in forced.output and "wrote 1 file in" in forced.output
    changed = run(*args[:-2], "--view", "2d", "--fps", "5")
    assert "wrote 1 file in" in changed.output


def test_folder_of_scenes_and_several_scenes_per_file(tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    (folder / "pair.py").write_text(textwrap.dedent("""
        from render import Run, Scene, optimizers as opt
        first = Scene("bowl", [Run(opt.GD(lr=0.1), (3, 3))], 4)
        second = Scene("bowl", [Run(opt.GD(lr=0.2), (3, 3))], 4, name="bold")
    """))
    (folder / "_helpers.py").write_text("raise RuntimeError('not a scene file')\n")
    out = tmp_path / "out"
    result = run(folder, "--out", out, "--format", "png", "--size", "64x48")
    assert result.exit_code == 0, result.output
    assert (out / "pair-first" / "2d.png").exists() and (out / "bold" / "2d.png").exists()


@pytest.mark.parametrize("args,message", [
    (["--size", "100"], "'100' is not WIDTHxHEIGHT"),
    (["--size", "161x90"], "must be even"),
    (["--format", "avi"], "'avi' is not a format; choose from gif, mp4, webm, webp, apng, png, pdf, frames, vtt, "
                          "txt, html, slides, pptx (comma-separated)"),
    (["--quality", "ultra"], "'ultra' is not one of 'low', 'medium', 'high'"),
    (["--view", "top"], "has no view 'top'; it has 2d, 3d"),
    (["--jobs", "0"], "0 is not in the range 1<=x<=64"),
])
def test_bad_options_exit_2_with_one_line(scene_file, tmp_path, args, message):
    result = run(scene_file, "--out", tmp_path / "out", *args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("render: ") and message in lines[0], result.output
    assert not (tmp_path / "out" / "race").exists()


def test_missing_path_and_bad_scene_exit_2(tmp_path):
    result = run(tmp_path / "nope.py")
    assert result.exit_code == 2 and "does not exist" in result.output
    assert len(result.output.strip().splitlines()) == 1
    bad = tmp_path / "bad.py"
    bad.write_text("from render import Scene, Run, optimizers as opt\n\n"
                   "scene = Scene('rosenbrok', [Run(opt.GD(), (0, 0))], 10)\n")
    result = run(bad)
    assert result.exit_code == 2
    assert result.output.strip() == (f"render: {bad}:3: unknown surface 'rosenbrok'; "
                                     "did you mean 'rosenbrock'?")


def test_progress_bars_go_to_stderr_when_asked(scene_file, tmp_path):
    result = CliRunner().invoke(
        main, [str(scene_file), "--out", str(tmp_path / "o"), "--size", "64x48", "--format", "png",
               "--progress", "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    assert "race/2d" in result.stderr and "race/3d" in result.stderr
    assert not any(line.strip() == "race/2d" for line in result.stdout.splitlines())
    # Views drawn side by side, each in its own process, share one bar.
    apart = CliRunner().invoke(
        main, [str(scene_file), "--out", str(tmp_path / "o"), "--size", "64x48", "--format", "gif",
               "--progress", "--jobs", "2"])
    assert apart.exit_code == 0, apart.stderr
    assert apart.stderr == "race/2d+3d\n"          # not a terminal: the label alone
    quiet = CliRunner().invoke(
        main, [str(scene_file), "--out", str(tmp_path / "o"), "--size", "64x48", "--format", "png",
               "--force"])
    assert quiet.stderr == ""          # not a terminal: no bars


def test_help_lists_every_option():
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--out", "--format", "--view", "--size", "--fps", "--quality", "--jobs",
                   "--data", "--hashes", "--force", "--debug", "--no-progress"):
        assert option in result.output


def test_outputs_are_byte_identical_whatever_the_number_of_jobs(tmp_path):
    scene = tmp_path / "long.py"
    scene.write_text(SCENE.replace("steps=12", "steps=40"))
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        result = run(scene, "--out", out, "--size", "160x90", "--format", "gif,mp4,webm",
                     "--jobs", jobs, "--view", "2d", "--hashes")
        assert result.exit_code == 0, result.output
        outputs[jobs] = {p.name: p.read_bytes() for p in (out / "long").iterdir() if not p.name.startswith(".")}
    assert set(outputs[1]) == {"2d.gif", "2d.mp4", "2d.webm", "2d.hashes.json"}
    for name in outputs[1]:
        assert outputs[1][name] == outputs[2][name], name


def test_theme_option_overrides_the_scene_and_counts_for_up_to_date(scene_file, tmp_path):
    out = tmp_path / "out"
    args = (scene_file, "--out", out, "--format", "png", "--size", "160x90", "--view", "2d")
    assert run(*args).exit_code == 0
    light = np.asarray(Image.open(out / "race" / "2d.png"))
    result = run(*args, "--theme", "dark")
    assert result.exit_code == 0 and "(up to date)" not in result.output
    dark = np.asarray(Image.open(out / "race" / "2d.png"))
    assert tuple(light[0, 0]) == (255, 255, 255) and tuple(dark[0, 0]) == (0x16, 0x18, 0x1d)
    assert "(up to date)" in run(*args, "--theme", "dark").output
    bad = run(*args, "--theme", "neon")
    assert bad.exit_code == 2 and "'neon' is not one of 'light', 'dark'" in bad.output


@pytest.mark.parametrize("fps", ["nan", "1e-9", "inf"])
def test_an_fps_that_is_no_animation_is_refused_on_the_command_line(scene_file, tmp_path, fps):
    result = CliRunner().invoke(main, [str(scene_file), "--out", str(tmp_path / "o"), "--fps", fps])
    assert result.exit_code == 2
    line, = result.stderr.strip().splitlines()
    assert line.startswith("render: ") and "--fps" in line
    assert not (tmp_path / "o").exists()


def test_a_warning_while_rendering_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "flat.py"
    path.write_text("from render import Run, Scene, surfaces, optimizers as opt\n"
                    "flat = surfaces.Function(lambda x, y: 0 * x + 1.0, minima=[(0.5, -0.5)])\n"
                    "scene = Scene(flat, [Run(opt.GD(lr=0.1), (1, 1))], 3)\n")
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o"), "--format", "png,mp4",
                                       "--size", "96x54", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (f"render: warning: {path}: minimum (0.5, -0.5) could not be polished "
                                     f"(the surface is flat or undefined there); it is kept as given")


def test_a_scene_imports_helpers_beside_it_and_is_out_of_date_when_they_or_its_data_change(tmp_path):
    (tmp_path / "rates.py").write_text("LR = 0.1\n")
    (tmp_path / "start.csv").write_text("1.0,1.0")
    path = tmp_path / "helped.py"
    path.write_text("from pathlib import Path\n"
                    "from render import Run, Scene, optimizers as opt\n"
                    "from rates import LR\n"
                    "x, y = (Path(__file__).parent / 'start.csv').read_text().split(',')\n"
                    "scene = Scene('bowl', [Run(opt.GD(lr=LR), (float(x), float(y)))], 3)\n")
    args = [str(path), "--out", str(tmp_path / "o"), "--format", "png", "--size", "96x54"]

    def render():
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        return "(up to date)" not in result.stdout, (tmp_path / "o" / "helped" / "2d.png").read_bytes()

    drawn, first = render()
    assert drawn and render() == (False, first)
    (tmp_path / "rates.py").write_text("LR = 0.3\n")
    drawn, second = render()
    assert drawn and second != first                     # the helper changed: drawn again, differently
    (tmp_path / "start.csv").write_text("2.0,1.0")
    drawn, third = render()
    assert drawn and third != second                     # so did the data it reads
    assert render()[0] is False


def test_the_program_leaves_at_once_with_its_output_flushed_and_its_status(scene_file, tmp_path):
    # The program skips the interpreter's teardown (os._exit): what it printed into a pipe
    # must all be there, and the status must be main's.
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "render", str(scene_file), "--out", str(out), "--size", "160x90",
                           "--format", "png", "--no-progress"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [str(out / "race" / f"{v}.png") for v in ("2d", "3d")]
    assert lines[-1].startswith("wrote 2 files in ")
    bad = subprocess.run([sys.executable, "-m", "render", str(scene_file), "--fps", "nan"], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("render: ") and len(bad.stderr.splitlines()) == 1
