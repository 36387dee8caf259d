"""render --watch, as an author uses it: edit the scene (or a helper it imports), see the output
change; break it, see one error line while the watcher lives on; fix it; Ctrl-C ends it with 130
and leaves no process behind."""
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

SCENE = """
from render import Run, Scene, View2D, optimizers as opt
from helper import START

scene = Scene("bowl", [Run(opt.GD(lr={lr}), START, label="GD")], 6, fps=10)
"""


def digest(path):
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def wait_for(condition, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"waited {timeout:.0f} s for {what}")


class Lines:
    """A stream's lines, collected as they come."""

    def __init__(self, stream):
        self.lines = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))


def alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    process.stdout.close()
    process.stderr.close()


def test_watch_renders_again_on_each_edit_reports_errors_and_ends_with_ctrl_c(tmp_path):
    scene, helper = tmp_path / "bowl.py", tmp_path / "helper.py"
    helper.write_text("START = (5.0, 4.0)\n")
    scene.write_text(SCENE.format(lr=0.05))
    out = tmp_path / "out"
    still = out / "bowl" / "2d.png"
    process = subprocess.Popen([sys.executable, "-m", "render", str(scene), "--watch", "--out", str(out),
                                "--format", "png", "--size", "160x90", "--no-progress"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    stdout, stderr = Lines(process.stdout), Lines(process.stderr)
    try:
        first = wait_for(lambda: digest(still), "the first render")
        wait_for(lambda: any(line.startswith("render: watching") for line in stderr.lines), "the watch to start")

        # An edit of the scene file renders it again.
        scene.write_text(SCENE.format(lr=0.2))
        second = wait_for(lambda: digest(still) not in (None, first) and digest(still), "the edit's render")

        # So does an edit of a module it imports.
        helper.write_text("START = (-5.0, 4.0)\n")
        third = wait_for(lambda: digest(still) not in (None, first, second) and digest(still),
                         "the helper's edit's render")

        # A broken scene is one line on stderr; the watcher goes on and the output stays.
        errors = len(stderr.lines)
        scene.write_text(SCENE.format(lr=0.2).replace("fps=10)", "fps=10"))
        wait_for(lambda: any("syntax error" in line for line in stderr.lines[errors:]), "the error line")
        time.sleep(0.5)
        new = [line for line in stderr.lines[errors:] if not line.startswith("render: watching")]
        assert new == [f"render: {scene}:5: syntax error: '(' was never closed"]
        assert process.poll() is None
        assert digest(still) == third

        # Fixed, it renders again.
        scene.write_text(SCENE.format(lr=0.1))
        wait_for(lambda: digest(still) not in (None, first, second, third), "the fixed scene's render")
        assert not any("Traceback" in line for line in stderr.lines)

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        stderr.thread.join(timeout=5)
        assert stderr.lines[-1] == "render: interrupted"
        assert any(line.startswith(f"{still}  ") for line in stdout.lines)
        wait_for(lambda: not alive(process.pid), "every process of the watch to end", timeout=10)
        assert sorted(p.name for p in (out / "bowl").iterdir()) == [".render.json", "2d.png"]
    finally:
        stop(process)


def test_watch_defaults_to_the_preview_size_and_picks_up_new_scene_files_in_a_folder(tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    (folder / "helper.py").write_text("START = (5.0, 4.0)\n")
    (folder / "_private.py").write_text("raise SystemExit('never loaded')\n")
    (folder / "bowl.py").write_text(SCENE.format(lr=0.05))
    # Symlink loops: neither scene files nor errors, whatever changes among them.
    (folder / "one.py").symlink_to("two.py")
    (folder / "two.py").symlink_to("one.py")
    (folder / "here").symlink_to(folder)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "render", str(folder), "--watch", "--out", str(out),
                                "--format", "png", "--scene", "bowl", "--scene", "later", "--no-progress"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    stderr = Lines(process.stderr)
    try:
        # helper.py is no scene (it does not import render, so it is not even run): one
        # line says it was skipped, and the watch goes on.
        wait_for(lambda: any(line.startswith("render: watching") for line in stderr.lines), "the watch to start")
        assert f"render: {folder}: skipped helper.py: not scene files (they build no Scene)" in stderr.lines
        # Until a scene is named 'later', the --scene choice is one line too.
        assert any("no scene is named 'later'" in line for line in stderr.lines)
        (folder / "one.py").unlink()
        (folder / "one.py").symlink_to("two.py")           # (a change event on a loop)
        (folder / "later.py").write_text(SCENE.format(lr=0.1).replace("fps=10)", "fps=10, name='later')"))
        wait_for(lambda: (out / "later" / "2d.png").exists() and (out / "bowl" / "2d.png").exists(),
                 "the new scene file's render")
        from PIL import Image
        assert Image.open(out / "later" / "2d.png").size == (640, 360)      # --quality low
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 143
        stderr.thread.join(timeout=5)
        assert stderr.lines[-1] == "render: terminated"
        assert not any("Traceback" in line or "Symlink loop" in line for line in stderr.lines)
        wait_for(lambda: not alive(process.pid), "every process of the watch to end", timeout=10)
    finally:
        stop(process)
