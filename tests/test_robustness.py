"""Whatever is wrong, render says what and where, and loses nothing."""
import errno
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import final_frame
from hypothesis import given, settings, strategies as st

from render import Camera, Multiples, Run, Scene, Swarm, Sweep, SweepLoss, View2D, View3D, optimizers as opt, surfaces
from render.cli import main

# --- numerically hard scenes render ----------------------------------------------------------


def last_frame(scene, view):
    return final_frame(scene, view, (160, 90))[1]


@pytest.mark.parametrize("view", [View2D(levels="log", loss_panel=True), View3D(shadow=True)],
                         ids=["2d", "3d"])
def test_a_surface_undefined_in_part_of_the_window_is_masked(view):
    # log is NaN for x < 0 and -inf at 0: that part of the window is simply left empty.
    half = surfaces.Function(lambda x, y: np.log(x) + y * y, window=(-2, 2, -2, 2))
    scene = Scene(half, [Run(opt.GD(lr=0.05), (1.5, 1.0))], 20, views=[view])
    frame = last_frame(scene, view)
    assert frame.shape == (90, 160, 3) and frame.std() > 5


@pytest.mark.parametrize("view", [View2D(levels="sqrt", field=True, loss_panel=True), View2D(levels="log"),
                                  View3D()], ids=["2d-sqrt", "2d-log", "3d"])
def test_a_flat_surface_renders(view):
    flat = surfaces.Function(lambda x, y: 0 * x + 0 * y + 1.0, window=(-1, 1, -1, 1))
    scene = Scene(flat, [Run(opt.Adam(lr=0.1), (0.5, 0.5))], 5, views=[view])
    assert last_frame(scene, view).shape == (90, 160, 3)


def test_a_diverging_run_renders_to_its_last_finite_step():
    scene = Scene("quadratic", [Run(opt.GD(lr=1.5), (1.0, 1.0)), Run(opt.GD(lr=0.1), (1.0, 1.0))], 60,
                  views=[View2D(arrows=True, loss_panel=True), View3D()])
    assert scene.simulate().diverged_at.tolist()[0] > 0
    for view in scene.views:
        assert last_frame(scene, view).std() > 5


def test_two_hundred_thousand_steps_sample_the_frames(tmp_path):
    path = tmp_path / "long.py"
    path.write_text("from render import Run, Scene, optimizers as opt\n"
                    "scene = Scene('rosenbrock', [Run(opt.Adam(lr=1e-3), (-1.5, 2.0))], 200_000, trim=False)\n")
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o"), "--size", "96x54",
                                       "--format", "gif", "--data"])
    assert result.exit_code == 0, result.output
    from PIL import Image
    assert Image.open(tmp_path / "o" / "long" / "2d.gif").n_frames == 200         # max_frames
    with open(tmp_path / "o" / "long" / "trajectories.csv") as f:
        assert sum(1 for _ in f) == 200_002


# --- outputs are atomic; failures are one line -------------------------------------------------

SCENE = ("from render import Run, Scene, View2D, optimizers as opt\n"
         "scene = Scene('rosenbrock', [Run(opt.Adam(lr=0.05), (-1.5, 2.0))], {steps},"
         " views=[View2D(arrows=True)])\n")
# A view whose frames are drawn by worker processes (an orbiting camera; see FrameStream).
ORBIT = ("from render import Camera, Run, Scene, View3D, optimizers as opt\n"
         "scene = Scene('rosenbrock', [Run(opt.Adam(lr=0.05), (-1.5, 2.0))], {steps}, max_frames={steps},"
         " views=[View3D(name='orbit', camera=Camera(orbit=90))])\n")


def leftovers(folder: Path):
    return sorted(p.name for p in folder.rglob("*") if ".part" in p.name or p.name.endswith(".palette.png"))


def test_a_full_disk_is_a_clean_error_that_keeps_the_earlier_output(tmp_path, monkeypatch):
    path = tmp_path / "race.py"
    path.write_text(SCENE.format(steps=8))
    out = tmp_path / "o"
    args = [str(path), "--out", str(out), "--size", "96x54", "--format", "gif,mp4"]
    assert CliRunner().invoke(main, args).exit_code == 0
    good = {p.name: p.read_bytes() for p in (out / "race").glob("2d.*")}

    from render.sinks import ffmpeg

    def full(self, frame):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.process.args[-1]))
    monkeypatch.setattr(ffmpeg.FFmpegPipe, "write", full)
    result = CliRunner().invoke(main, args + ["--force"])
    assert result.exit_code == 1
    line, = result.output.strip().splitlines()
    assert line.startswith(f"render: {path}: scene 'race' failed: OSError: [Errno 28] No space left on device")
    assert str(out / "race") in line
    assert {p.name: p.read_bytes() for p in (out / "race").glob("2d.*")} == good
    assert leftovers(out) == []


def test_an_unwritable_output_folder_is_a_clean_error(tmp_path, monkeypatch):
    path = tmp_path / "race.py"
    path.write_text(SCENE.format(steps=4))
    out = tmp_path / "o"
    import tempfile

    real = tempfile.mkstemp

    def refuse(*args, dir=None, **kwargs):      # what a read-only folder does (root ignores modes)
        raise PermissionError(errno.EACCES, "Permission denied", str(dir))
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = CliRunner().invoke(main, [str(path), "--out", str(out), "--format", "png"])
    monkeypatch.setattr(tempfile, "mkstemp", real)
    assert result.exit_code == 1
    line, = result.output.strip().splitlines()
    assert line == (f"render: {path}: scene 'race' failed: PermissionError: [Errno 13] Permission denied: "
                    f"'{out / 'race'}'")
    # A file where the folder should be is a bad command line, refused before any work.
    blocker = tmp_path / "blocked"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, [str(path), "--out", str(blocker), "--format", "png"])
    assert result.exit_code == 2
    line, = result.output.strip().splitlines()
    assert line.startswith("render: ") and str(blocker) in line


def _die(*args):
    os._exit(3)          # a worker killed mid-render (out of memory, say)


def test_a_dying_worker_is_reported_not_waited_for(tmp_path, monkeypatch):
    path = tmp_path / "race.py"
    path.write_text(ORBIT.format(steps=60))
    from render import frames
    monkeypatch.setattr(frames, "_draw_chunk", _die)
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o"), "--size", "96x54",
                                       "--format", "gif", "--jobs", "2"])
    assert result.exit_code == 1
    assert "BrokenProcessPool" in result.output
    assert leftovers(tmp_path / "o") == []


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("x = 1 / 0\n")
    quiet = CliRunner().invoke(main, [str(path)])
    loud = CliRunner().invoke(main, [str(path), "--debug"])
    assert quiet.exit_code == loud.exit_code == 2
    assert "Traceback" not in quiet.output and "Traceback" in loud.output


def test_ctrl_c_stops_with_130_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "slow.py"
    path.write_text(ORBIT.format(steps=2000))
    out = tmp_path / "o"
    (out / "slow").mkdir(parents=True)
    (out / "slow" / "orbit.gif").write_bytes(b"yesterday's good gif")
    process = subprocess.Popen([sys.executable, "-m", "render", str(path), "--out", str(out), "--size", "320x180",
                                "--format", "gif,mp4", "--force", "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not leftovers(out) and time.monotonic() < deadline:      # wait until it is writing
        time.sleep(0.1)
    assert leftovers(out), "the render never started writing"
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)     # a hang fails here, not a slow machine
    assert process.returncode == 130, stderr
    assert stderr.strip() == "render: interrupted"
    assert "Traceback" not in stderr
    assert leftovers(out) == []
    assert (out / "slow" / "orbit.gif").read_bytes() == b"yesterday's good gif"


def group_alive(group: int) -> list[str]:
    """The live (not zombie) processes of process group ``group``, as their command names."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1: stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if int(rest[2]) == group and rest[0] != "Z":
            alive.append(name)
    return alive


def settled(group: int, seconds: float = 15.0) -> list[str]:
    """Wait up to ``seconds`` for every process of ``group`` to end; what is still alive."""
    deadline = time.monotonic() + seconds
    while (alive := group_alive(group)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive


@pytest.fixture
def slow_render(tmp_path):
    """``start()`` a slow render (see ``start_slow_render``); whatever the test does, its
    process group is killed afterwards, so a failure leaves no stray process behind."""
    started = []

    def start():
        started.append(start_slow_render(tmp_path))
        return started[-1]
    yield start
    for process, _, _ in started:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()


def start_in_group(tmp_path, stem, body, good, size, encoders, pythons):
    """A slow render of scene file ``stem`` (``body``) in a process group of its own, once
    ``encoders`` ffmpeg processes and ``pythons`` Python processes (the render and its
    workers or view processes) are alive; its output folder holds yesterday's good ``good``.
    Returns the process, the scene file and the output folder."""
    path = tmp_path / f"{stem}.py"
    path.write_text(body)
    out = tmp_path / "o"
    (out / stem).mkdir(parents=True)
    (out / stem / good).write_bytes(b"yesterday's good gif")
    process = subprocess.Popen([sys.executable, "-m", "render", str(path), "--out", str(out), "--size", size,
                                "--format", "gif,mp4", "--force", "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if sum(name.startswith("ffmpeg") for name in group_alive(process.pid)) == encoders:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    names = group_alive(process.pid)
    try:
        assert leftovers(out), "the render never started writing"
        assert sum(name.startswith("ffmpeg") for name in names) == encoders, names
        assert sum(name.startswith("python") for name in names) == pythons, names
    except AssertionError:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return process, path, out


def start_slow_render(tmp_path):
    """A render with two workers and two ffmpeg encoders, in a process group of its own,
    once it is writing; and its output folder, holding yesterday's good GIF."""
    return start_in_group(tmp_path, "slow", ORBIT.format(steps=2000), "orbit.gif", "320x180", 2, 3)


@pytest.mark.parametrize("signum,code,said", [(signal.SIGTERM, 143, "render: terminated"),
                                              (signal.SIGHUP, 129, "render: hung up")], ids=["TERM", "HUP"])
def test_term_and_hup_stop_like_ctrl_c(slow_render, signum, code, said):
    process, _, out = slow_render()
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert stderr.strip() == said
    assert leftovers(out) == []
    assert (out / "slow" / "orbit.gif").read_bytes() == b"yesterday's good gif"
    assert settled(process.pid) == []


def test_after_a_kill_every_child_exits_and_the_next_render_clears_the_debris(slow_render):
    process, path, out = slow_render()
    process.kill()
    process.wait(timeout=10)
    assert settled(process.pid) == []                   # workers and encoders, within seconds
    assert leftovers(out)                               # a killed process cannot tidy up
    result = subprocess.run([sys.executable, "-m", "render", str(path), "--out", str(out), "--size", "96x54",
                             "--format", "png", "--force"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert leftovers(out) == []
    assert (out / "slow" / "orbit.gif").read_bytes() == b"yesterday's good gif"


def test_the_debris_of_a_render_still_running_is_left_alone(tmp_path):
    from render import files
    folder = tmp_path / "o" / "scene"
    ours = files._temp_beside(folder / "2d.gif", ".part.gif")           # this process: alive
    theirs = folder / ".2d.mp4.render-999999999.x.part.mp4"             # no such process
    theirs.write_bytes(b"")
    stranger = folder / ".2d.gif.unrelated.part"                        # not ours to judge
    stranger.write_bytes(b"")
    files.clear_debris(folder)
    assert ours.exists() and stranger.exists() and not theirs.exists()


# --- odd files: one line, exit 2, nothing written anywhere ------------------------------------

GOOD = "from render import Run, Scene, optimizers as opt\nscene = Scene('bowl', [Run(opt.GD(lr=0.1), (1, 1))], 3)\n"


def files_under(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("name,body,said", [
    ("notes.txt", GOOD, "notes.txt: not a scene file: scene files are Python modules ending in .py"),
    ("..py", GOOD, "..py: the file's name '.' cannot name an output folder"),
    ("exits.py", "import sys\nsys.exit(7)\n", "exits.py:2: the scene file exits (SystemExit: 7)"),
    ("odd.py", "class Odd(BaseException):\n    pass\nraise Odd()\n", "odd.py:3: Odd"),
    ("mute.py", "class E(Exception):\n    def __str__(self):\n        raise RuntimeError\nraise E()\n",
     "mute.py:4: E (its message cannot be shown)"),
], ids=["txt", "dotdot", "sys-exit", "base-exception", "unprintable"])
def test_a_file_that_is_no_scene_is_one_line_and_nothing_written(tmp_path, name, body, said):
    work = tmp_path / "work"
    work.mkdir()
    (work / name).write_text(body)
    (work / "good.py").write_text(GOOD)
    (tmp_path / "2d").mkdir()                                  # what '../2d' would have hit
    (tmp_path / "2d" / "keep").write_text("mine")
    before = files_under(tmp_path)
    result = subprocess.run([sys.executable, "-m", "render", name, "good.py", "--out", "out", "--format",
                             "frames", "--size", "96x54"], cwd=work, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    line, = result.stderr.strip().splitlines()
    assert line.startswith(f"render: {said}"), line
    assert files_under(tmp_path) == before                     # good.py is not rendered either


def test_two_files_rendering_to_one_folder_is_refused_before_any_work(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "scene.py").write_text(GOOD)
    result = CliRunner().invoke(main, [str(tmp_path / "a" / "scene.py"), str(tmp_path / "b" / "scene.py"),
                                       "--out", str(tmp_path / "o"), "--format", "png", "--size", "96x54"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"render: {tmp_path / 'a' / 'scene.py'} and {tmp_path / 'b' / 'scene.py'} "
                                     f"both render to {tmp_path / 'o' / 'scene'}; give one of their scenes "
                                     f"another name=")
    assert not (tmp_path / "o").exists()


def test_no_name_reaches_outside_the_output_folder():
    from render.pipeline import render_scene
    scene = Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1))], 3)
    for name in ("..", ".", "a/b", "", "x/../../y"):
        with pytest.raises(ValueError, match="cannot name a folder"):
            render_scene(scene, name=name, out="never", formats=("png",))
    assert not Path("never").exists()


# --- the output folder as it finds it --------------------------------------------------------

def debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith("."))


def test_a_folder_where_a_file_goes_is_one_line_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "s.py"
    path.write_text(GOOD)
    out = tmp_path / "o"
    (out / "s" / "2d.gif").mkdir(parents=True)
    (out / "s" / "2d.gif" / "mine").write_text("mine")
    result = CliRunner().invoke(main, [str(path), "--out", str(out), "--format", "png,gif", "--size", "96x54"])
    assert result.exit_code == 1
    line, = result.stderr.strip().splitlines()
    assert line.endswith(f"{out / 's' / '2d.gif'} is a folder where a file would go; move it away or choose "
                         f"another --out")
    assert debris(out) == [] and (out / "s" / "2d.gif" / "mine").read_text() == "mine"


def test_a_manifest_that_is_not_an_object_is_taken_as_none(tmp_path):
    path = tmp_path / "s.py"
    path.write_text(GOOD)
    out = tmp_path / "o"
    (out / "s").mkdir(parents=True)
    (out / "s" / ".render.json").write_text("[1, 2, 3]")
    args = [str(path), "--out", str(out), "--format", "png", "--size", "96x54"]
    assert CliRunner().invoke(main, args).exit_code == 0
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "(up to date)" in again.stdout


def test_frames_replace_a_symlinked_folder_and_leave_what_it_pointed_to(tmp_path):
    path = tmp_path / "s.py"
    path.write_text(GOOD)
    out, elsewhere = tmp_path / "o", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine").write_text("mine")
    (out / "s").mkdir(parents=True)
    (out / "s" / "2d").symlink_to(elsewhere, target_is_directory=True)
    result = CliRunner().invoke(main, [str(path), "--out", str(out), "--format", "frames", "--size", "96x54"])
    assert result.exit_code == 0, result.output
    frames = out / "s" / "2d"
    assert frames.is_dir() and not frames.is_symlink() and len(list(frames.glob("frame_*.png"))) == 4
    assert debris(out) == [".render.json"] and (elsewhere / "mine").read_text() == "mine"


def test_two_renders_writing_one_frames_folder_at_once_both_finish_and_one_wins(tmp_path, monkeypatch):
    # Between moving the old folder aside and moving ours in, the other render puts its own there.
    from render import files
    real = os.replace
    raced = []

    def replace(src, dst):
        if str(src).endswith(".part") and not raced:
            raced.append(dst)
            Path(dst).mkdir()
            (Path(dst) / "frame_0000.png").write_bytes(b"theirs")
        return real(src, dst)
    monkeypatch.setattr(files.os, "replace", replace)
    path = tmp_path / "s.py"
    path.write_text(GOOD)
    out = tmp_path / "o"
    result = CliRunner().invoke(main, [str(path), "--out", str(out), "--format", "frames", "--size", "96x54"])
    assert result.exit_code == 0, result.output
    assert raced and debris(out) == [".render.json"]
    frames = sorted((out / "s" / "2d").iterdir())
    assert len(frames) == 4 and frames[0].read_bytes()[:4] == b"\x89PNG"       # ours, whole


def test_two_real_renders_of_one_frames_folder_both_succeed(tmp_path):
    path = tmp_path / "s.py"
    path.write_text(GOOD)
    out = tmp_path / "o"
    command = [sys.executable, "-m", "render", str(path), "--out", str(out), "--format", "frames", "--size",
               "96x54", "--force"]
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for process in both:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    assert len(list((out / "s" / "2d").glob("frame_*.png"))) == 4 and debris(out) == [".render.json"]


# --- any text: labels and titles in characters the font lacks ---------------------------------

ODD_TEXT = ["two\nlines", "tab\there", "carriage\rreturn", "rocket \U0001F680", "\u5b66\u4e60 rate",
            "$\\frac{$", "cost $5", "nul\x00bell\x07", ""]


ODD_IDS = ["newline", "tab", "cr", "emoji", "cjk", "bad_math", "dollar", "control", "empty"]


def test_labels_and_titles_in_any_characters_render_without_a_warning(tmp_path):
    # One scene per text, all in one file and one process (a process each cost 4 s more).
    path = tmp_path / "odd.py"
    path.write_text("from render import Run, Scene, View2D, View3D, optimizers as opt\n" + "".join(
        f"{name} = Scene('bowl', [Run(opt.GD(lr=0.1), (1, 1), label={text!r})], 3, title={text!r},\n"
        f"              views=[View2D(loss_panel=True), View3D()], name={name!r})\n"
        for name, text in zip(ODD_IDS, ODD_TEXT)))
    result = subprocess.run([sys.executable, "-W", "always", "-m", "render", str(path), "--out", str(tmp_path / "o"),
                             "--format", "png,gif", "--size", "160x90"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for name in ODD_IDS:
        assert sorted(p.name for p in (tmp_path / "o" / name).iterdir()) == [".render.json", "2d.gif", "2d.png",
                                                                             "3d.gif", "3d.png"], name


@settings(max_examples=25, deadline=None)
@given(label=st.text(max_size=12), title=st.text(max_size=12))
def test_any_unicode_label_and_title_draws(label, title):
    view = View2D(loss_panel=True)
    scene = Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1), label=label), Run(opt.Adam(lr=0.1), (2, 1))], 2,
                  views=[view], title=title)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = last_frame(scene, view)
    assert frame.shape == (90, 160, 3)


@settings(max_examples=40, deadline=None)
@given(stem=st.text(min_size=1, max_size=30).filter(lambda t: "/" not in t and "\x00" not in t
                                                    and t not in (".", "..") and len(t.encode()) < 200))
def test_any_file_name_loads_under_its_own_name_or_says_why_in_one_line(stem, tmp_path_factory):
    from render.load import SceneError, load
    folder = tmp_path_factory.mktemp("names")
    path = folder / f"{stem}.py"
    path.write_text(GOOD)
    try:
        (name, _), = load(path)
    except SceneError as error:
        assert "\n" not in str(error) and "cannot name an output folder" in str(error)
        assert not all(c.isalnum() or c in "-_" for c in path.stem) or len(path.stem) > 100
    else:
        assert name == path.stem and all(c.isalnum() or c in "-_" for c in name)


# --- property-based: every field takes anything and answers with a ValueError ----------------

anything = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.tuples(st.floats(allow_nan=True), st.floats(allow_nan=True)),
    st.lists(st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=3)), max_size=5),
    st.sampled_from(["viridis", "red", "#00ff00", "2d", "log", "sqrt", "linear", "rosenbrock"]),
)


def builds_or_explains(make, **fields):
    try:
        make(**fields)
    except ValueError as error:
        assert str(error).strip() and "\n" not in str(error)


SPECS = {
    "Run": (lambda **f: Run(**{"optimizer": opt.GD(), "start": (0, 0), **f}),
            ["optimizer", "start", "label", "color", "schedule", "swarm"]),
    "Swarm": (lambda **f: Swarm(**{"optimizer": opt.GD(), "grid": 3, **f}),
              ["optimizer", "grid", "random", "starts", "window", "seed", "label", "color", "color_by", "tail"]),
    "Camera": (Camera, ["elev", "azim", "distance", "orbit"]),
    "View2D": (View2D, ["name", "levels", "contours", "arrows", "field", "loss_panel", "window", "cmap", "legend", "aspect"]),
    "View3D": (View3D, ["name", "camera", "cmap", "alpha", "shadow", "window", "resolution", "legend"]),
    "Multiples": (Multiples, ["name", "levels", "contours", "window", "cmap", "columns"]),
    "SweepLoss": (SweepLoss, ["name", "log"]),
    "Sweep": (lambda **f: Sweep(**{"optimizer": opt.Momentum(), "start": (0, 0), "lr": [0.1], **f}),
              ["optimizer", "start", "label", "color", "schedule", "lr", "momentum", "dampening"]),
    "Scene": (lambda **f: Scene(**{"surface": "bowl", "runs": [Run(opt.GD(), (0, 0))], "steps": 3, **f}),
              ["surface", "runs", "steps", "views", "fps", "name", "title", "max_frames", "seed", "theme", "hold"]),
}
OPTIMIZER_FIELDS = sorted({f for cls in opt.ALL for f in cls.__dataclass_fields__})


@pytest.mark.parametrize("spec", SPECS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_specs_take_any_value_and_answer_with_value_error(spec, data):
    make, fields = SPECS[spec]
    field = data.draw(st.sampled_from(fields))
    builds_or_explains(make, **{field: data.draw(anything)})


@pytest.mark.parametrize("cls", opt.ALL, ids=[c.__name__ for c in opt.ALL])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_optimizers_take_any_value_and_answer_with_value_error(cls, data):
    field = data.draw(st.sampled_from(OPTIMIZER_FIELDS))
    builds_or_explains(cls, **{field: data.draw(anything)})


@pytest.mark.parametrize("extra", [[], ["--theme", "dark"]], ids=["plain", "theme"])
def test_a_start_outside_the_window_renders_with_one_warning(tmp_path, extra):
    path = tmp_path / "far.py"
    path.write_text("from render import Run, Scene, optimizers as opt\n"
                    "scene = Scene('bowl', [Run(opt.GD(lr=0.1), (50.0, 0.0))], 5)\n")
    with warnings.catch_warnings(record=True) as raw:
        warnings.simplefilter("always")
        result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o"), "--size", "96x54",
                                           "--format", "png", *extra])
    assert result.exit_code == 0
    assert [str(w.message) for w in raw] == []       # said once, by render, not again by Python
    warning, = result.stderr.splitlines()
    assert warning.startswith("render: warning:")
    assert str(path) in warning and "runs[0] starts at (50.0, 0.0), outside the surface's window" in warning
    assert (tmp_path / "o" / "far" / "2d.png").exists()


def test_a_sink_that_cannot_start_leaves_no_temporary_file(tmp_path, monkeypatch):
    from render.sinks import gif, video
    with pytest.raises(ValueError, match="video size must be even, got 95x54"):
        video.VideoSink(tmp_path / "odd.mp4", (95, 54), 20)
    # Each module starts its pipe by the name it imported.
    monkeypatch.setattr(gif, "FFmpegPipe", _refuse_to_start)
    monkeypatch.setattr(video, "FFmpegPipe", _refuse_to_start)
    frame = np.zeros((54, 96, 3), np.uint8)
    for cls, name in ((gif.GifSink, "a.gif"), (video.VideoSink, "b.mp4"), (video.WebmSink, "c.webm")):
        sink = cls(tmp_path / name, (96, 54), 20)
        sink.take_samples([frame] * len(sink.samples))
        with pytest.raises(OSError, match="no ffmpeg"):
            with sink:
                sink.write(frame)
    assert list(tmp_path.iterdir()) == []


def _refuse_to_start(*args, **kwargs):
    raise OSError("no ffmpeg")


# --- views drawn side by side, each in a process of its own ----------------------------------

# Two views that draw over a cached background: with two jobs, each gets a process.
APART = ("from render import Run, Scene, View2D, View3D, optimizers as opt\n"
         "scene = Scene('rosenbrock', [Run(opt.Adam(lr=0.05), (-1.5, 2.0), label='Adam'),"
         " Run(opt.GD(lr=1e-3), (1.0, -0.5))], {steps}, max_frames={steps},"
         " views=[View2D(arrows=True), View3D()])\n")


def test_views_drawn_apart_give_the_bytes_of_views_drawn_in_turn(tmp_path, monkeypatch):
    from render import executors
    batches = []
    real = executors._views_apart
    monkeypatch.setattr(executors, "_views_apart",
                        lambda plan, todo, *rest: (batches.append([v.name for v, _ in todo]), real(plan, todo, *rest))[1])
    path = tmp_path / "race.py"
    path.write_text(APART.format(steps=20))
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"o{jobs}"
        result = CliRunner().invoke(main, [str(path), "--out", str(out), "--size", "160x90", "--format",
                                           "gif,mp4,png", "--hashes", "--jobs", jobs, "--no-progress"])
        assert result.exit_code == 0, result.output
        # Reported in the views' order, whatever finished first.
        assert [line.split()[0].rsplit("/", 1)[1] for line in result.output.splitlines()[:-1]] == \
            ["2d.gif", "2d.mp4", "2d.png", "2d.hashes.json", "3d.gif", "3d.mp4", "3d.png", "3d.hashes.json"]
        outputs[jobs] = {p.name: p.read_bytes() for p in (out / "race").iterdir() if not p.name.startswith(".")}
    assert batches == [["2d", "3d"]]                    # two jobs: side by side; one job: in turn
    assert outputs["1"] == outputs["2"] and len(outputs["1"]) == 8
    manifest = json.loads((tmp_path / "o2" / "race" / ".render.json").read_text())
    assert sorted(manifest) == ["2d", "3d"]


def test_a_view_failing_in_its_own_process_is_one_line_and_leaves_the_earlier_outputs(tmp_path, monkeypatch):
    from render.sinks import stills
    path = tmp_path / "race.py"
    path.write_text(APART.format(steps=20))
    out = tmp_path / "o"
    (out / "race").mkdir(parents=True)
    (out / "race" / "3d.png").write_bytes(b"yesterday's still")

    def full(self):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(stills.PngSink, "finish", full)
    result = CliRunner().invoke(main, [str(path), "--out", str(out), "--size", "160x90", "--format", "gif,png",
                                       "--jobs", "2", "--no-progress"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].endswith(
        "scene 'race' failed: OSError: [Errno 28] No space left on device")
    assert leftovers(out) == []
    assert (out / "race" / "3d.png").read_bytes() == b"yesterday's still"


def start_views_apart(tmp_path):
    """A slow render of two views side by side, each a process with two encoders, in a
    process group of its own, once both are writing."""
    process, _, out = start_in_group(tmp_path, "apart", APART.format(steps=6000), "3d.gif", "640x360", 4, 3)
    return process, out


@pytest.mark.parametrize("signum,code,said", [(signal.SIGINT, 130, "render: interrupted"),
                                              (signal.SIGTERM, 143, "render: terminated")], ids=["INT", "TERM"])
@pytest.mark.parametrize("apart", ["views", "scenes"])
def test_views_and_scenes_apart_stop_like_one_view(tmp_path, signum, code, said, apart):
    if apart == "views":
        process, out = start_views_apart(tmp_path)
    else:
        process, _, out = start_in_group(tmp_path, "apart", SCENES.format(steps=6000), "3d.gif", "640x360", 4, 3)
    try:
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == code, stderr
        assert stderr.strip() == said
        assert settled(process.pid) == []
        assert leftovers(out) == []
        assert (out / "apart" / "3d.gif").read_bytes() == b"yesterday's good gif"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


@pytest.mark.parametrize("apart", ["views", "scenes"])
def test_views_and_scenes_apart_tidy_up_even_when_the_render_is_killed(tmp_path, apart):
    if apart == "views":
        process, out = start_views_apart(tmp_path)
    else:
        process, _, out = start_in_group(tmp_path, "apart", SCENES.format(steps=6000), "3d.gif", "640x360", 4, 3)
    try:
        process.kill()
        process.communicate(timeout=10)
        assert settled(process.pid) == []
        # The kernel tells each view's (scene's) process that the render died: it removes its files.
        assert leftovers(out) == []
        assert (out / "apart" / "3d.gif").read_bytes() == b"yesterday's good gif"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- scenes drawn side by side, each in a process of its own ---------------------------------

# Three scenes in one file (each with one view): with two jobs, two at a time.
SCENES = ("from render import Camera, Run, Scene, View2D, View3D, optimizers as opt\n"
          "def race(lr, view):\n"
          "    return Scene('rosenbrock', [Run(opt.Adam(lr=lr), (-1.5, 2.0), label='Adam')], {steps},"
          " max_frames={steps}, views=[view])\n"
          "one = race(0.05, View2D(arrows=True))\n"
          "two = race(0.1, View3D(camera=Camera(orbit=30)))\n"
          "three = race(0.2, View3D())\n")


def test_scenes_drawn_apart_give_the_bytes_and_the_order_of_scenes_drawn_in_turn(tmp_path, monkeypatch):
    from render import apart
    used = []
    real = apart.side_by_side
    monkeypatch.setattr(apart, "side_by_side", lambda works, *rest, **kw: (used.append([n for n, _ in works]),
                                                                           (yield from real(works, *rest, **kw))))
    path = tmp_path / "races.py"
    path.write_text(SCENES.format(steps=20))
    outputs, reports = {}, {}
    for jobs in ("1", "2"):
        out = tmp_path / f"o{jobs}"
        result = CliRunner().invoke(main, [str(path), "--out", str(out), "--size", "160x90", "--format",
                                           "gif,mp4", "--jobs", jobs, "--no-progress"])
        assert result.exit_code == 0, result.output
        reports[jobs] = [line.split()[0].split("/o" + jobs + "/")[1] for line in result.output.splitlines()[:-1]]
        outputs[jobs] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.*") if not p.name.startswith(".")}
    assert used == [[f"rendering scene 'races-{s}'" for s in ("one", "two", "three")]]    # two jobs: side by side
    assert reports["1"] == reports["2"] == [f"races-{s}/{v}.{f}" for s, v in
                                            [("one", "2d"), ("two", "3d"), ("three", "3d")] for f in ("gif", "mp4")]
    assert outputs["1"] == outputs["2"] and len(outputs["1"]) == 6


def test_a_scene_failing_in_its_own_process_is_one_line_and_stops_the_rest(tmp_path, monkeypatch):
    from render import cli
    real = cli.render_scene

    def second_fails(scene, *, name, **options):
        if name.endswith("two"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(scene, name=name, **options)
    monkeypatch.setattr(cli, "render_scene", second_fails)
    path = tmp_path / "races.py"
    path.write_text(SCENES.format(steps=20))
    out = tmp_path / "o"
    result = CliRunner().invoke(main, [str(path), "--out", str(out), "--size", "160x90", "--format", "gif",
                                       "--jobs", "2", "--no-progress"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(str(out / "races-one" / "2d.gif"))              # the scene before it, said
    assert lines[-1].endswith("scene 'races-two' failed: OSError: [Errno 28] No space left on device")
    assert not any("wrote" in line for line in lines)
    assert leftovers(out) == []
