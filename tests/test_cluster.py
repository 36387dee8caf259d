"""Rendering on a Dask cluster: a real scheduler and workers on loopback, each a process of
its own as on a real cluster, against a local render of the same scenes, byte for byte."""
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from render.cli import main

distributed = pytest.importorskip("distributed", reason="the cluster tests need pip install -e '.[test]'")

BIN = Path(sys.executable).parent
SCENES = Path(__file__).resolve().parent.parent / "scenes"

# A scene file with its own function and a helper module beside it: neither exists on the
# workers, so both must travel with the tasks.
HELPER = "def bowl(x, y):\n    return 0.5 * x * x + 2.0 * y * y + 0.3 * x * y\n"
OWN = """
from render import Camera, Run, Scene, View2D, View3D, optimizers as opt, surfaces
from helper_shapes import bowl

surface = surfaces.Function(lambda x, y: bowl(x, y) + 0.1 * (x - 1) ** 4, window=(-3, 3, -3, 3), name="own bowl")
scene = Scene(surface, [Run(opt.Adam(lr=0.3), (-2.5, 2.0), label="Adam"), Run(opt.GD(lr=0.05), (2.0, 2.5))], 30,
              views=[View2D(loss_panel=True), View3D(camera=Camera(orbit=90))], fps=10, smooth=False)
"""


def start(args, log):
    return subprocess.Popen([str(BIN / "dask"), *args], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Loopback:
    """A scheduler and ``n`` workers, each started as ``dask scheduler`` / ``dask worker``."""

    def __init__(self, folder: Path, n: int = 2):
        folder.mkdir(parents=True, exist_ok=True)
        self.log = open(folder / "cluster.log", "w")
        info = folder / "scheduler.json"
        self.scheduler = start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                "--scheduler-file", str(info)], self.log)
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip().endswith("}"):
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        import json
        self.address = json.loads(info.read_text())["address"]
        self.folder = folder
        self.workers = []
        for k in range(n):
            self.worker(f"w{k}")
        self.client = distributed.Client(self.address, timeout=30)
        if n:
            self.client.wait_for_workers(n, timeout=60)

    def worker(self, name: str):
        """A worker process started (stopped with the cluster), not yet waited for."""
        worker = start(["worker", self.address, "--nthreads", "1", "--no-dashboard", "--no-nanny",
                        "--name", name, "--local-directory", str(self.folder / name)], self.log)
        self.workers.append(worker)
        return worker

    def drawn(self) -> list[dict]:
        """What each task drew, as the scheduler heard: scene, view, worker (and the frames
        of an orbit's chunk)."""
        return [m for _, m in self.client.get_events("render-views")]

    def close(self):
        self.client.close()
        for w in self.workers:
            stop(w)
        stop(self.scheduler)
        self.log.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    loop = Loopback(tmp_path_factory.mktemp("cluster"))
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A scheduler without workers (a test that gives it one has it killed by its end)."""
    loop = Loopback(tmp_path_factory.mktemp("bare"), n=0)
    yield loop
    loop.close()


def digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}


# A sweep grid and a tuned race: their search runs where the Plan is built, their views on
# the workers like any other.
FAIR = """
from render import Multiples, Run, Scene, Sweep, SweepLoss, View2D, optimizers as opt, tuned

sweep = Scene("rosenbrock", [Sweep(opt.Momentum(), (-1.5, 2.0), lr=[5e-4, 2e-3], momentum=[0.0, 0.9])], 12,
              views=[Multiples(window=(-2, 2, -1, 3)), SweepLoss()], name="sweep")
race = Scene("rosenbrock", [Run(opt.Adam(lr=tuned(1e-3, 1.0, n=8)), (-1.5, 2.0)), Run(opt.GD(lr=1e-3), (-1.5, 2.0))],
             12, views=[View2D()], name="race")
"""


def scene_files(folder: Path, fair: bool = False) -> list[Path]:
    folder.mkdir()
    (folder / "helper_shapes.py").write_text(HELPER)
    (folder / "own.py").write_text(OWN)
    shutil.copy(SCENES / "linear_fits.py", folder / "linear_fits.py")
    if fair:
        (folder / "fair.py").write_text(FAIR)
    return [folder / "own.py", folder / "linear_fits.py", *([folder / "fair.py"] if fair else [])]


ARGS = ["--size", "160x90", "--format", "gif,mp4,png,frames", "--data", "--progress"]


def test_a_render_on_the_cluster_is_byte_for_byte_a_local_one(cluster, tmp_path):
    files = scene_files(tmp_path / "scenes", fair=True)
    local = CliRunner().invoke(main, [*map(str, files), "--out", str(tmp_path / "local"), *ARGS])
    assert local.exit_code == 0, local.output
    before = len(cluster.drawn())
    remote = CliRunner().invoke(main, [*map(str, files), "--out", str(tmp_path / "remote"), *ARGS,
                                       "--scheduler", cluster.address])
    assert remote.exit_code == 0, remote.output
    a, b = digest(tmp_path / "local"), digest(tmp_path / "remote")
    assert len(a) > 20 and a == b
    assert {"race/tuning.csv", "race/trajectories.csv", "sweep/trajectories.csv"} <= set(a)
    # The scheduler gave each view to a worker as a task (with a task for every worker, an
    # orbit is one too), and both workers drew.
    drawn = cluster.drawn()[before:]
    assert sorted((m["scene"], m["view"]) for m in drawn) == [
        ("line_fit", "2d"), ("line_fit", "adam"), ("logistic_boundary", "2d"), ("logistic_boundary", "adam"),
        ("own", "2d"), ("own", "3d"), ("race", "2d"), ("sweep", "multiples"), ("sweep", "sweep")]
    workers = cluster.client.scheduler_info()["workers"]
    known = set(workers) | {str(w["name"]) for w in workers.values()}
    assert {m["worker"] for m in drawn} <= known and len({m["worker"] for m in drawn}) == 2
    # An orbit alone would leave a worker idle: its frames go to both in chunks.
    before = len(cluster.drawn())
    alone = CliRunner().invoke(main, [str(files[0]), "--view", "3d", "--out", str(tmp_path / "alone"), *ARGS,
                                      "--scheduler", cluster.address])
    assert alone.exit_code == 0, alone.output
    assert digest(tmp_path / "alone") == {k: v for k, v in a.items() if k.startswith("own/3d") or k in ("own/trajectories.csv", "own/events.csv")}
    chunks = cluster.drawn()[before:]
    assert {(m["scene"], m["view"]) for m in chunks} == {("own", "3d")} and len(chunks) > 3
    assert all("frames" in m for m in chunks)
    assert set().union(*(m["frames"] for m in chunks)) == set(range(31))
    assert len({m["worker"] for m in chunks}) == 2
    assert "own/2d+3d" in remote.stderr                  # one bar a scene


def test_the_progress_bar_counts_the_frames_the_workers_draw(cluster, tmp_path):
    from render.cluster import connect
    from render.load import load
    from render.pipeline import render_scene
    files = scene_files(tmp_path / "scenes")
    (name, scene), = load(files[0])
    heard, bars = [], []

    def progress(label, total):
        bars.append((label, total))
        return (lambda: heard.append(label)), __import__("contextlib").nullcontext()

    with connect(cluster.address) as on:
        before = len(on.client.get_events("render-frames"))
        render_scene(scene, name=name, out=tmp_path / "o", formats=("gif",), size=(160, 90), executor=on,
                     progress=progress)
        reported = sum(frames for _, (_, frames) in on.client.get_events("render-frames")[before:])
    assert bars == [("2d+3d", 62)]                         # two views of 31 frames
    assert len(heard) == 62
    assert reported == 62                  # a few reports a second, not one a frame


def test_the_command_the_notebook_and_the_cluster_make_the_same_bytes_through_one_public_call(
        cluster, tmp_path, monkeypatch):
    import render
    from render import pipeline
    from render.cli import main as command
    from render.cluster import connect
    from render.load import load
    files = scene_files(tmp_path / "scenes")
    (name, scene), = load(files[0])
    calls = []
    real = pipeline.render_scene
    assert render.render_scene is real                       # the public name is the pipeline's call

    def counted(scene, **options):
        calls.append(type(options.get("executor")).__name__)
        return real(scene, **options)
    monkeypatch.setattr(pipeline, "render_scene", counted)
    monkeypatch.setattr("render.cli.render_scene", counted)
    # The command line, a notebook's display (local processes, one job and two), a Dask cluster.
    result = CliRunner().invoke(command, [str(files[0]), "--out", str(tmp_path / "cli"), "--size", "640x360",
                                          "--format", "mp4", "--view", "2d", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    shown = scene.show("2d", format="mp4", jobs=2)
    with connect(cluster.address) as on:
        written = counted(scene, name=name, out=tmp_path / "dask", formats=("mp4",), views=["2d"],
                          size=(640, 360), executor=on)
    assert calls == ["Processes", "Processes", "Cluster"]
    made = (tmp_path / "cli" / name / "2d.mp4").read_bytes()
    assert len(made) > 1000 and shown.data == made and written[0].path.read_bytes() == made


def test_a_stream_left_open_ends_quietly_after_the_client_closes_and_a_cancel_stops_submitting(cluster, tmp_path):
    import gc
    from render.cluster import ClusterStream, Stopped, connect
    from render.load import load
    from render.plan import build
    files = scene_files(tmp_path / "scenes")
    sys.path.insert(0, str(files[0].parent))
    try:
        (name, scene), = load(files[0])
    finally:
        sys.path.remove(str(files[0].parent))
    plan = build(scene)
    orbit = next(v for v in plan.scene.views if v.name == "3d")
    with connect(cluster.address) as on:
        frames = iter(ClusterStream(on, plan, orbit, (160, 90), plan.frames, name))
        first = next(frames)
        assert first.shape == (90, 160, 3)
    # A generator finished by the garbage collector once the client is gone (an error path
    # that kept it alive) must not print "Exception ignored ... IOLoop is closed".
    unraisable = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        del frames
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert unraisable == []
    with connect(cluster.address) as on:
        on.cancel()                                         # an interrupt
        with pytest.raises(Stopped):
            on.submit(sum, [1, 2])
        assert not any(
            str(k).startswith("render-") for keys in on.client.processing().values() for k in keys)


def test_executor_dask_renders_on_a_local_cluster_of_its_own_of_at_most_a_worker_a_core(tmp_path, monkeypatch):
    from dask.system import CPU_COUNT
    started = []
    real = distributed.LocalCluster
    monkeypatch.setattr(distributed, "LocalCluster", lambda **kw: started.append(kw["n_workers"]) or real(**kw))
    files = scene_files(tmp_path / "scenes")
    local = CliRunner().invoke(main, [str(files[0]), "--out", str(tmp_path / "local"), *ARGS])
    # --jobs 64 on this machine's cores: 64 workers took 6.7 GiB and drew nothing sooner.
    remote = CliRunner().invoke(main, [str(files[0]), "--out", str(tmp_path / "remote"), *ARGS,
                                       "--executor", "dask", "--jobs", "64"])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert started == [min(64, CPU_COUNT)]
    assert digest(tmp_path / "local") == digest(tmp_path / "remote")


def test_an_interrupt_cancels_the_cluster_tasks_and_leaves_nothing_half_written(cluster, tmp_path):
    files = scene_files(tmp_path / "scenes")
    out = tmp_path / "remote"
    render = subprocess.Popen([str(BIN / "render"), *map(str, files), "--out", str(out), "--size", "640x360",
                               "--format", "gif,mp4", "--scheduler", cluster.address, "--no-progress"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(str(k).startswith("render-") for keys in cluster.client.processing().values() for k in keys):
        assert time.monotonic() < deadline, "no task started"
        time.sleep(0.02)
    render.send_signal(signal.SIGINT)
    _, stderr = render.communicate(timeout=60)
    assert render.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "render: interrupted"
    # Nothing half-written: only whole files, or none.
    assert not [p for p in out.rglob("*") if p.name.startswith(".") and ".part" in p.name]
    # The scheduler lets the render's tasks go.
    deadline = time.monotonic() + 30
    while any(str(k).startswith("render-") for keys in cluster.client.processing().values() for k in keys):
        assert time.monotonic() < deadline, "the cluster kept drawing"
        time.sleep(0.1)


def test_no_dask_or_no_scheduler_is_one_line(tmp_path, monkeypatch):
    from render import cluster as module
    files = scene_files(tmp_path / "scenes")
    monkeypatch.setattr(module, "TIMEOUT", 2)
    result = CliRunner().invoke(main, [str(files[0]), "--out", str(tmp_path / "o"), "--scheduler",
                                       "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("render: cannot reach the Dask scheduler at tcp://127.0.0.1:9: connection "
                                     "refused; start one (dask scheduler, then dask worker ADDRESS) or check the "
                                     "address (option --scheduler)")
    monkeypatch.setitem(sys.modules, "distributed", None)          # as if not installed
    result = CliRunner().invoke(main, [str(files[0]), "--out", str(tmp_path / "o"), "--executor", "dask"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "render: rendering on a cluster needs Dask: pip install 'render-descent[dask]'"
    assert not (tmp_path / "o").exists()


def test_a_worker_killed_mid_render_loses_nothing(cluster, tmp_path):
    # Last of the module's tests on its cluster: the cluster ends with one worker.
    loop = cluster
    files = scene_files(tmp_path / "scenes")
    out = tmp_path / "remote"
    args = [str(BIN / "render"), *map(str, files), "--out", str(out), "--size", "320x180", "--format", "gif,png",
            "--scheduler", loop.address, "--no-progress"]
    render = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Kill a worker as soon as it is drawing.
    deadline = time.monotonic() + 60
    victim = None
    while victim is None and time.monotonic() < deadline:
        busy = loop.client.processing()
        for address, keys in busy.items():
            if any(str(k).startswith("render-") for k in keys):
                victim = address
        time.sleep(0.02)
    assert victim is not None, "no task started"
    pid = loop.client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    stdout, stderr = render.communicate(timeout=240)
    assert render.returncode == 0, stderr
    local = CliRunner().invoke(main, [*map(str, files), "--out", str(tmp_path / "local"), "--size", "320x180",
                                      "--format", "gif,png"])
    assert local.exit_code == 0
    assert digest(out) == digest(tmp_path / "local")


# Hostile clusters: each ends with one line, its exit status, no traceback, no process left.

def environ(**timeouts) -> dict:
    """The environment of a render whose waits are shortened (Dask's configuration, render.*)."""
    return {**os.environ, **{f"DASK_RENDER__{k.upper()}": str(v) for k, v in timeouts.items()}}


def said(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def gone(group: int, timeout: float = 30) -> bool:
    """Whether every process of ``group`` has ended (within ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


class Port:
    """A TCP port on loopback that accepts connections and then says nothing, or ``says``
    something that is not Dask's protocol; it counts the connections."""

    def __init__(self, says: bytes = b""):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.says, self.accepted, self.connections = says, 0, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            self.connections.append(connection)
            if self.says:
                connection.sendall(self.says)

    def close(self):
        self.server.close()
        for connection in self.connections:
            connection.close()


def test_a_port_that_is_no_scheduler_and_a_scheduler_without_workers_each_end_with_one_line(bare, tmp_path):
    files = scene_files(tmp_path / "scenes")
    silent = Port()
    # An HTTP server's words: read as Dask's frame length, "HTTP/1.1" asks for 3.5 EiB.
    garbage = Port(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 100)
    renders = {}
    try:
        for name, address in [("silent", silent.address), ("garbage", garbage.address), ("bare", bare.address)]:
            renders[address] = subprocess.Popen(
                [str(BIN / "render"), str(files[0]), "--out", str(tmp_path / name), "--size", "96x54",
                 "--format", "png", "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, start_new_session=True, env=environ(connect_timeout=2, workers_timeout=2))
        # (The hang guard: each must end well within the 30 s, all three at once.)
        ended = {address: (said(render.communicate(timeout=30)[1]), render.returncode)
                 for address, render in renders.items()}
    finally:
        for render in renders.values():
            stop(render)
        silent.close()
        garbage.close()
    check = "; check the address (option --scheduler)"
    assert ended == {
        silent.address: ([f"render: {silent.address} is not a Dask scheduler: it took the connection but said "
                          f"nothing in 2 s{check}"], 2),
        garbage.address: ([f"render: {garbage.address} is not a Dask scheduler: it answered in another "
                           f"protocol{check}"], 2),
        bare.address: ([f"render: the Dask scheduler at {bare.address} has no worker: none joined in 2 s; "
                        f"start one (dask worker {bare.address})"], 2),
    }
    # Dask's client never connected to either port (the first connection was render's own,
    # which read eight bytes at most): nothing read a frame length from them, nothing allocated.
    assert (silent.accepted, garbage.accepted) == (1, 1)
    assert all(gone(render.pid) for render in renders.values())
    assert not (tmp_path / "silent").exists() and not (tmp_path / "bare").exists()


def test_a_bad_scheduler_address_is_one_line_that_names_the_option(tmp_path):
    files = scene_files(tmp_path / "scenes")
    why = {"nonsense://x": "unknown scheme 'nonsense'", "tcp://": "no host and port",
           "tcp://host:notaport": "'notaport' is not a port number", "127.0.0.1": "no port number",
           "tcp://127.0.0.1:99999": "port 99999 is not between 1 and 65535"}
    for address, reason in why.items():
        result = CliRunner().invoke(main, [str(files[0]), "--out", str(tmp_path / "o"), "--scheduler", address])
        assert (result.exit_code, result.stderr) == (2, (
            f"render: {address!r} is not a scheduler address: {reason}; give tcp://HOST:PORT, as dask scheduler "
            f"prints it, e.g. tcp://127.0.0.1:8786 (option --scheduler)\n"))
    assert not (tmp_path / "o").exists()


LOCKED = """
import threading
from render import Run, Scene, optimizers as opt, surfaces

lock = threading.Lock()

def bowl(x, y):
    with lock:
        return x * x + 2 * y * y

scene = Scene(surfaces.Function(bowl, window=(-3, 3, -3, 3), name="locked"), [Run(opt.GD(lr=0.05), (2.0, 2.0))], 6)
"""


def test_a_scene_that_cannot_be_sent_to_the_cluster_is_one_line(cluster, tmp_path):
    scene = tmp_path / "locked.py"
    scene.write_text(LOCKED)
    before = len(cluster.drawn())
    result = CliRunner().invoke(main, [str(scene), "--out", str(tmp_path / "o"), "--size", "96x54",
                                       "--format", "png", "--scheduler", cluster.address])
    assert (result.exit_code, result.stderr) == (1, (
        f"render: {scene}: scene 'locked' failed: ClusterError: the scene cannot be sent to the cluster: cannot "
        f"pickle '_thread.lock' object (the scene, or what a function of it refers to, holds something that cannot "
        f"be copied to another process, a lock, an open file or a generator, say); render it without Dask\n"))
    assert len(cluster.drawn()) == before                  # no task reached a worker
    assert not list((tmp_path / "o").rglob("*.png"))


def test_ctrl_c_during_a_dask_render_leaves_no_debris_and_no_process(tmp_path):
    files = scene_files(tmp_path / "scenes")
    out, temp, work = tmp_path / "out", tmp_path / "tmp", tmp_path / "work"
    temp.mkdir()
    work.mkdir()
    render = subprocess.Popen([str(BIN / "render"), str(files[0]), "--out", str(out), "--size", "320x180",
                               "--format", "gif,mp4", "--executor", "dask", "--jobs", "2", "--no-progress"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=work,
                              start_new_session=True, env={**os.environ, "TMPDIR": str(temp)})

    def drawing():
        """Whether a worker is drawing a view: its temporary folder for it exists."""
        try:
            return any(not p.name.startswith("render-dask-") for p in temp.rglob("render-*"))
        except OSError:                                  # (a folder gone as it was listed)
            return False

    try:
        deadline = time.monotonic() + 90
        while not drawing():
            assert render.poll() is None, render.communicate()
            assert time.monotonic() < deadline, "no view started"
            time.sleep(0.02)
        os.killpg(render.pid, signal.SIGINT)             # Ctrl-C: the whole group, workers too
        _, stderr = render.communicate(timeout=60)
    finally:
        stop(render)
    assert (render.returncode, said(stderr)) == (130, ["render: interrupted"])
    assert gone(render.pid)
    assert [p.name for p in out.rglob("*") if ".part" in p.name or p.name.endswith(".palette.png")] == []
    assert list(temp.iterdir()) == []                    # no render-*, no dask-scratch-space
    assert list(work.iterdir()) == []


def test_a_render_whose_only_worker_is_killed_ends_with_one_line(bare, tmp_path):
    files = scene_files(tmp_path / "scenes")
    out = tmp_path / "out"
    worker = bare.worker("only")
    bare.client.wait_for_workers(1, timeout=60)
    render = subprocess.Popen([str(BIN / "render"), str(files[0]), "--out", str(out), "--size", "320x180",
                               "--format", "gif", "--scheduler", bare.address, "--no-progress"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                              env=environ(lost_timeout=2))
    try:
        deadline = time.monotonic() + 60
        while not any(str(k).startswith("render-") for keys in bare.client.processing().values() for k in keys):
            assert render.poll() is None, render.communicate()
            assert time.monotonic() < deadline, "no task started"
            time.sleep(0.02)
        os.killpg(worker.pid, signal.SIGKILL)
        _, stderr = render.communicate(timeout=60)
    finally:
        stop(render)
    assert (render.returncode, said(stderr)) == (1, [
        f"render: {files[0]}: scene 'own' failed: ClusterError: the cluster lost every worker and none came back "
        f"in 2 s; start one (dask worker {bare.address}) and render again"])
    assert gone(render.pid)
    assert [p.name for p in out.rglob("*") if ".part" in p.name or p.name.endswith(".palette.png")] == []
    assert not list(out.rglob("*.gif"))


def test_watch_on_a_local_dask_cluster_renders_again_after_an_edit(tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    scene = folder / "bowl.py"
    text = ("from render import Run, Scene, optimizers as opt\n"
            "scene = Scene('bowl', [Run(opt.GD(lr={lr}), (5.0, 4.0))], 6, fps=10)\n")
    scene.write_text(text.format(lr=0.05))
    still = tmp_path / "out" / "bowl" / "2d.png"
    render = subprocess.Popen([str(BIN / "render"), str(folder), "--watch", "--executor", "dask", "--jobs", "1",
                               "--out", str(tmp_path / "out"), "--format", "png", "--size", "96x54", "--no-progress"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = []

    def read():
        for line in render.stderr:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def watching(n):
        deadline = time.monotonic() + 60
        while sum(line.startswith("render: watching") for line in lines) < n:
            assert render.poll() is None, lines
            assert time.monotonic() < deadline, f"no round {n}: {lines}"
            time.sleep(0.05)
        return hashlib.sha256(still.read_bytes()).hexdigest()

    try:
        first = watching(1)
        scene.write_text(text.format(lr=0.2))                 # an edit: the next round renders it
        second = watching(2)
        os.killpg(render.pid, signal.SIGINT)
        assert render.wait(timeout=60) == 130
        reader.join(timeout=10)
    finally:
        stop(render)
    assert first != second
    assert [line.rstrip("\n") for line in lines if line.strip() and not line.startswith("render: watching")] == [
        "render: interrupted"]
    assert gone(render.pid)
