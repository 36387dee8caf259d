"""The program is safe by default: a scene's folder never shadows Python, signals are
interruptions from the first instant, a scene's own exceptions are errors in the scene, and a
bad option is one line before any work."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from render.cli import _scene_files, main
from render.load import real

SCENE = ("from render import Run, Scene, optimizers as opt, surfaces\n"
         "from bowl_helper import bowl\n"
         "scene = Scene(surfaces.Function(bowl, window=(-1, 1, -1, 1)), [Run(opt.Adam(lr=0.1), (0.5, 0.5))], 8)\n")
HELPER = "def bowl(x, y):\n    return x * x + 2 * y * y\n"
# Modules of the standard library (and numpy) that rendering imports, some of them lazily
# (numpy imports secrets when a generator is seeded from the system).
SHADOWS = ("secrets", "hmac", "random", "json", "numpy", "zlib", "tempfile")


def hostile_folder(tmp_path: Path) -> tuple[Path, Path]:
    folder, markers = tmp_path / "downloaded", tmp_path / "markers"
    folder.mkdir()
    markers.mkdir()
    for name in SHADOWS:
        (folder / f"{name}.py").write_text(f"open({str(markers / name)!r}, 'w').write('ran')\n")
    (folder / "bowl_helper.py").write_text(HELPER)
    (folder / "race.py").write_text(SCENE)
    return folder, markers


def render_process(args, cwd, **kwargs):
    return subprocess.run([sys.executable, "-m", "render", *args, "--size", "96x54", "--format", "gif,html",
                           "--no-progress"], cwd=cwd, capture_output=True, text=True, timeout=120, **kwargs)


def test_files_beside_a_scene_named_like_python_modules_never_run(tmp_path):
    folder, markers = hostile_folder(tmp_path)
    # The folder as PATH, from its parent; then the scene file from inside the folder (the
    # working folder is searched first by `python -m` unless the program stops it).
    by_folder = render_process([str(folder), "--out", str(tmp_path / "a")], cwd=tmp_path)
    by_file = render_process(["race.py", "--out", str(tmp_path / "b")], cwd=folder)
    assert by_folder.returncode == 0, by_folder.stderr
    assert by_file.returncode == 0, by_file.stderr
    assert sorted(os.listdir(markers)) == []
    assert by_folder.stderr.splitlines() == [
        f"render: {folder}: skipped bowl_helper.py, hmac.py, json.py, numpy.py, random.py, secrets.py, "
        f"tempfile.py, zlib.py: not scene files (they build no Scene)"]
    assert by_file.stderr == ""
    for out in ("a", "b"):       # the helper beside the scene was imported: the render happened
        assert sorted(p.name for p in (tmp_path / out / "race").iterdir()) == [
            ".render.json", "2d.gif", "2d.mp4", "2d.player.json", "2d.png", "2d.txt", "2d.vtt", "index.html"]
    # Nothing was written into the scene's folder (no __pycache__).
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{n}.py" for n in SHADOWS] + ["bowl_helper.py", "race.py"])


def test_a_helper_package_beside_a_scene_imports_after_the_installed_ones(tmp_path):
    folder = tmp_path / "s"
    (folder / "shapes").mkdir(parents=True)
    (folder / "shapes" / "__init__.py").write_text("from .bowls import bowl\n")
    (folder / "shapes" / "bowls.py").write_text(HELPER)
    (folder / "race.py").write_text(SCENE.replace("from bowl_helper", "from shapes"))
    result = CliRunner().invoke(main, [str(folder / "race.py"), "--out", str(tmp_path / "o"), "--size", "96x54",
                                       "--format", "png"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "race" / "2d.png").stat().st_size > 1000
    assert not (folder / "shapes" / "__pycache__").exists() and not (folder / "__pycache__").exists()
    assert not any(getattr(sys.modules.get(m), "__file__", "") and str(folder) in sys.modules[m].__file__
                   for m in ("shapes", "shapes.bowls"))


def test_a_helper_that_imports_render_but_builds_no_scene_is_skipped_in_a_folder_and_an_error_alone(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "bowl_helper.py").write_text("from render import surfaces\n" + HELPER)
    (folder / "race.py").write_text(SCENE)
    in_folder = CliRunner().invoke(main, [str(folder), "--out", str(tmp_path / "o"), "--size", "96x54",
                                          "--format", "png"])
    assert in_folder.exit_code == 0, in_folder.output
    assert in_folder.stderr.splitlines() == [
        f"render: {folder}: skipped bowl_helper.py: not scene files (they build no Scene)"]
    alone = CliRunner().invoke(main, [str(folder / "bowl_helper.py"), "--out", str(tmp_path / "o")])
    assert alone.exit_code == 2
    assert alone.stderr.splitlines() == [
        f"render: {folder / 'bowl_helper.py'}: no Scene at module level; assign one, e.g. scene = Scene(...)"]


def test_a_folder_of_files_that_do_not_import_render_is_one_line(tmp_path):
    (tmp_path / "secrets.py").write_text("raise SystemExit('ran')\n")
    result = CliRunner().invoke(main, [str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"render: Invalid value for PATH: {tmp_path}: the folder holds no scene files (*.py files that import "
        f"render) (option PATH)"]


def caught_signals(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return int(line.split()[1], 16)
    return 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to know the handlers are set")
@pytest.mark.parametrize("signum,code,said", [(signal.SIGINT, 130, "render: interrupted"),
                                              (signal.SIGTERM, 143, "render: terminated"),
                                              (signal.SIGHUP, 129, "render: hung up")], ids=["int", "term", "hup"])
def test_a_signal_while_the_libraries_load_is_one_line_and_its_exit_code(tmp_path, signum, code, said):
    # (Its simulation takes a second or more: nothing is written before the signal lands,
    # however late a loaded machine delivers it.)
    (tmp_path / "race.py").write_text(SCENE.replace("from bowl_helper import bowl\n", HELPER)
                                      .replace("(0.5, 0.5))], 8)", "(0.5, 0.5))], 400_000, trim=False)"))
    process = subprocess.Popen([sys.executable, "-m", "render", str(tmp_path / "race.py"), "--out",
                                str(tmp_path / "o")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wanted = 1 << (signal.SIGTERM - 1) | 1 << (signal.SIGHUP - 1)
    deadline = time.monotonic() + 30
    # As soon as the program handles TERM and HUP (its first act), before numpy, matplotlib
    # and the scene load (half a second).
    while caught_signals(process.pid) & wanted != wanted and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, err, out) == (code, said + "\n", "")
    assert not (tmp_path / "o").exists()


KEYBOARD = ("from render import Run, Scene, optimizers as opt, surfaces\n"
            "def f(x, y):\n"
            "    raise {error}\n"
            "scene = Scene(surfaces.Function(f, window=(-1, 1, -1, 1)), [Run(opt.GD(lr=0.1), (0.5, 0.5))], 5)\n")


@pytest.mark.parametrize("error,said", [("KeyboardInterrupt", "KeyboardInterrupt"),
                                        ("SystemExit(5)", "SystemExit: 5"),
                                        ("GeneratorExit('odd')", "GeneratorExit: odd")])
def test_the_scenes_own_interrupt_or_exit_while_simulating_is_an_error_at_its_line(tmp_path, error, said):
    path = tmp_path / "own.py"
    path.write_text(KEYBOARD.format(error=error))
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o"), "--size", "96x54"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"render: {path}:3: scene 'own' failed: {said}"]
    assert not (tmp_path / "o" / "own").exists() or not any((tmp_path / "o" / "own").iterdir())


def test_the_scenes_own_interrupt_while_loading_is_an_error_at_its_line(tmp_path):
    path = tmp_path / "own.py"
    path.write_text("x = 1\nraise KeyboardInterrupt\n")
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"render: {path}:2: the scene file raises KeyboardInterrupt; a scene file builds scenes and returns"]


@pytest.mark.parametrize("args,said", [
    (["--out", ""], "render: Invalid value for '--out': '' names no folder; give one, e.g. --out output"),
    (["--gif-budget", "9" * 400], f"render: Invalid value for '--gif-budget': {'9' * 20!r}... is not a size; "
                                  f"write e.g. 5MiB, 800KiB or 300000 (bytes), or off"),
    (["--view", "2d", "--view", "nope"], "render: no scene has a view named 'nope'; the views are 2d "
                                         "(option --view)"),
    (["--scene", "race", "--view", "nope"], "render: race.py: scene 'race' has no view 'nope'; it has 2d"),
    (["--scene", "s", "--view", "nope"], "render: no scene is named 's'; the scenes are race (option --scene)"),
], ids=["empty-out", "huge-budget", "unknown-view", "scene-and-view", "unknown-scene"])
def test_bad_options_are_one_line_before_any_work(tmp_path, monkeypatch, args, said):
    (tmp_path / "race.py").write_text(SCENE.replace("from bowl_helper import bowl\n", HELPER))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["race.py", *args] + ([] if "--out" in args else ["--out", "o"]))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [said]
    assert sorted(os.listdir(tmp_path)) == ["race.py"]            # nothing written, not even a folder


def test_symlink_loops_in_a_scene_folder_are_neither_scenes_nor_errors(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "race.py").write_text(SCENE.replace("from bowl_helper import bowl\n", HELPER))
    (folder / "one.py").symlink_to("two.py")
    (folder / "two.py").symlink_to("one.py")
    (folder / "here").symlink_to(folder)
    assert [p.name for p in _scene_files([folder])] == ["race.py"]
    assert real(folder / "one.py") == folder / "one.py"                  # (Path.resolve raises here)
    result = CliRunner().invoke(main, [str(folder), "--out", str(tmp_path / "o"), "--size", "96x54",
                                       "--format", "png"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


ORBIT = ("from render import Camera, Run, Scene, View3D, optimizers as opt\n"
         "scene = Scene('rosenbrock', [Run(opt.Adam(lr=0.05), (-1.5, 2.0))], 20, max_frames=20,\n"
         "              views=[View3D(name='orbit', camera=Camera(orbit=90))])\n")


def test_memory_estimates_grow_with_pixels_encoders_and_workers():
    from render import memory
    mib = lambda n: round(n / 2**20)
    assert mib(memory.view_bytes((1920, 1080), ["png"])) == 110 + round(1920 * 1080 * 57 / 2**20)
    # Measured peaks of an orbit (the render and its processes, proportional set size;
    # benchmarks/memory.py --estimates): within a tenth of each.
    for size, formats, workers, measured in [((1920, 1080), ["gif", "mp4"], 0, 586), ((1920, 1080), ["mp4"], 2, 792),
                                             ((3840, 2160), ["gif"], 0, 912), ((3840, 2160), ["mp4"], 0, 1706),
                                             ((3840, 2160), ["webm"], 0, 2084), ((3840, 2160), ["gif"], 2, 1320)]:
        assert abs(mib(memory.view_bytes(size, formats, workers)) / measured - 1) < 0.1, (size, formats, workers)
    assert memory.view_bytes((960, 540), ["gif"], workers=2) - memory.view_bytes((960, 540), ["gif"]) \
        == 2 * (120 * 2**20 + 960 * 540 * 12)


@pytest.mark.parametrize("jobs,said", [
    ("1", "drawing view 'orbit' of scene 'big' at 7680x4320 needs about 8.0 GiB of memory and 4.0 GiB is "
          "available; use a smaller --size"),
    ("2", "drawing view 'orbit' of scene 'big' at 7680x4320 needs about 8.9 GiB of memory and 4.0 GiB is "
          "available; use a smaller --size or fewer --jobs"),
], ids=["alone", "with-workers"])
def test_a_render_larger_than_the_memory_available_is_refused_before_any_work(tmp_path, monkeypatch, jobs, said):
    from render import memory
    monkeypatch.setattr(memory, "available", lambda: 4 * 2**30)
    (tmp_path / "big.py").write_text(ORBIT)
    simulated = []
    import render.plan
    monkeypatch.setattr(render.plan, "build", lambda *a, **k: simulated.append(1))
    result = CliRunner().invoke(main, [str(tmp_path / "big.py"), "--out", str(tmp_path / "o"), "--size", "7680x4320",
                                       "--jobs", jobs])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"render: {tmp_path / 'big.py'}: {said}"]
    assert simulated == [] and not any((tmp_path / "o").rglob("*.*"))


def test_views_side_by_side_are_estimated_together(tmp_path, monkeypatch):
    from render import checks, memory
    (tmp_path / "two.py").write_text(
        "from render import Run, Scene, View2D, optimizers as opt\n"
        "scene = Scene('rosenbrock', [Run(opt.Adam(lr=0.05), (-1.5, 2.0))], 5, views=[View2D(), View2D(name='b')])\n")
    one = memory.view_bytes((3840, 2160), ["gif"])
    monkeypatch.setattr(memory, "available", lambda: one + 2**20)        # one view fits, not two at once
    args = [str(tmp_path / "two.py"), "--out", str(tmp_path / "o"), "--size", "3840x2160", "--format", "gif"]
    result = CliRunner().invoke(main, args + ["--jobs", "2"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"render: {tmp_path / 'two.py'}: drawing views 2d, b of scene 'two' side by side at 3840x2160 needs about "
        f"{checks.size(2 * one)} of memory and {checks.size(one + 2**20)} is available; use a smaller --size "
        f"or fewer --jobs"]


def test_a_fifo_named_as_a_scene_file_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    (tmp_path / "race.py").write_text(SCENE.replace("from bowl_helper import bowl\n", HELPER))
    alone = CliRunner().invoke(main, [str(fifo), "--out", str(tmp_path / "o")])
    assert alone.exit_code == 2
    assert alone.stderr.splitlines() == [
        f"render: {fifo}: not a regular file; a scene file is a Python module ending in .py"]
    assert [p.name for p in _scene_files([tmp_path])] == ["race.py"]      # in a folder: not a scene file


@pytest.mark.parametrize("source,said", [
    (b"x = 1\0\n", "syntax error: source code string cannot contain null bytes"),
    (b"# no declaration\nx = '\xe9'\n", "2: syntax error: (unicode error) 'utf-8' codec can't decode byte 0xe9 in "
                                          "position 0: unexpected end of data; save the file as UTF-8, or declare "
                                          "its encoding on its first line (# -*- coding: latin-1 -*-)"),
], ids=["nul", "latin-1"])
def test_a_scene_file_python_cannot_read_is_one_line_with_what_to_do(tmp_path, source, said):
    path = tmp_path / "odd.py"
    path.write_bytes(source)
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"render: {path}{':' if said[0].isdigit() else ': '}{said}"]


def test_views_named_of_several_scenes_render_each_scenes_own(tmp_path):
    for name, view in (("one", "first"), ("two", "second")):
        (tmp_path / f"{name}.py").write_text(
            "from render import Run, Scene, View2D, optimizers as opt\n"
            f"scene = Scene('bowl', [Run(opt.GD(lr=0.1), (1, 1))], 4, views=[View2D(name='{view}'), View2D()])\n")
    result = CliRunner().invoke(main, [str(tmp_path), "--out", str(tmp_path / "o"), "--size", "96x54", "--format",
                                       "png", "--view", "first", "--view", "second"])
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(tmp_path / "o")) for p in (tmp_path / "o").rglob("*.png")) == [
        "one/first.png", "two/second.png"]
