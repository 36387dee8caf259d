"""Rendering on Dask: the engine's overhead on one machine, and what a network would carry.

    python benchmarks/cluster.py                 # 3 repeats of the gallery, then the costs
    python benchmarks/cluster.py --repeat 5 --quality low
    python benchmarks/cluster.py --where         # once each: where the time and the CPU go
    python benchmarks/cluster.py --costs         # only the costs (part 2)

1. The gallery (``render scenes/``, GIF and MP4) with ``--jobs 2`` (this machine's processes)
   against ``--executor dask --jobs 2`` (a LocalCluster of 2 worker processes, started by
   the command), alternately, the whole process each time; medians and the ratio. Same
   machine, same cores: the difference is what Dask costs.
2. The costs a cluster's speed-up depends on: the round trip of a task that does nothing;
   a Plan's size as it travels; a frame's bytes as an orbit's chunk carries it (zlib) at
   960x540 and 1920x1080; the time to draw an orbit frame here, and to unpack and encode it
   in the render process when an orbit is streamed.
3. ``--where``: one run of each, the local one's CPU time (all its processes), and the Dask
   one's against a LocalCluster held by this script, with the scheduler's task stream (how
   busy each worker was, the longest task) and the CPU time of each process: the workers,
   the encoders they start, the scheduler (here, in this process) and the render process.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
BIN = os.path.dirname(sys.executable)


def gallery(quality: str, extra: list[str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        done = subprocess.run([os.path.join(BIN, "render"), os.path.join(ROOT, "scenes"), "--quality", quality,
                               "--out", out, "--jobs", "2", "--no-progress", *extra],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(done.stderr)
    return seconds


def costs():
    import cloudpickle
    import numpy as np
    from distributed import Client, LocalCluster

    from render import plan as planning
    from render.cluster import _draw_frames, _unpacked
    from render.load import load

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as local, Client(local) as client:
        client.submit(int, 0, pure=False).result()
        trips = []
        for _ in range(5):
            start = time.perf_counter()
            client.gather([client.submit(int, k, pure=False) for k in range(200)])
            trips.append((time.perf_counter() - start) / 200)
        one = []
        for _ in range(50):
            start = time.perf_counter()
            client.submit(int, 1, pure=False).result()
            one.append(time.perf_counter() - start)
    print(f"  a task that does nothing: {statistics.median(one) * 1000:.1f} ms round trip alone, "
          f"{statistics.median(trips) * 1000:.2f} ms each among 200")
    import glob
    plans = []
    for path in sorted(glob.glob(os.path.join(ROOT, "scenes", "*.py"))):
        for name, scene in load(path):
            plans.append((len(cloudpickle.dumps(planning.build(scene))), name))
    plans.sort()
    print(f"  the gallery's {len(plans)} Plans as they travel: {sum(n for n, _ in plans) / 2**20:.1f} MiB in all; "
          f"median {statistics.median(n for n, _ in plans) / 1024:.0f} KiB; largest "
          + ", ".join(f"{name} {n / 2**20:.1f} MiB" for n, name in plans[-3:]))
    (_, scene), = load(os.path.join(ROOT, "scenes", "surfaces_tour.py"))[:1]
    plan = planning.build(scene)
    view = scene.views[0]
    for size in ((960, 540), (1920, 1080)):
        start = time.perf_counter()
        packed = _draw_frames(plan, view, size, list(range(0, 16)), True)
        seconds = (time.perf_counter() - start) / 16
        sizes = [len(data) for _, data in packed]
        assert np.array_equal(_unpacked(packed[:1])[0].shape, (size[1], size[0], 4))
        print(f"  an orbit frame at {size[0]}x{size[1]}: drawn in {seconds * 1000:.0f} ms here; "
              f"{statistics.median(sizes) / 1024:.0f} KiB on the wire (RGBA {size[0] * size[1] * 4 / 1024:.0f} KiB)")
        print(f"  the same frame's work in the render process when an orbit is streamed: "
              f"{_encoded_here(plan, view, size) * 1000:.0f} ms (unpacked, into a GIF and an MP4)")


class _Packed:
    """A view's frames as a ClusterStream hands them over: packed by a worker, unpacked here."""

    def __init__(self, rgb, rgba):
        self.rgb, self.rgba = rgb, rgba

    def __len__(self):
        return len(self.rgb)

    def samples(self, indices):
        from render.cluster import _unpacked
        return {i: _unpacked([self.rgb[i]])[0] for i in indices}

    def sample(self, i):
        return self.samples([i])[i]

    def __iter__(self):
        from render.cluster import _unpacked
        return (_unpacked([p])[0] for p in self.rgb)

    def pixels(self):
        from render.cluster import _unpacked
        return (_unpacked([p])[0] for p in self.rgba)


def _encoded_here(plan, view, size) -> float:
    """Seconds a frame, in the render process, to unpack and encode a view's frames drawn elsewhere."""
    from render.cluster import _draw_frames
    from render.executors import Executor
    from render.options import Options
    from render.encoding import render_view
    from render.sinks import output_path

    class Unpacked(Executor):                   # (frames drawn elsewhere, unpacked here)
        def frames(self, plan, view, size):
            return packed
    n = plan.frames
    frames = list(range(n))
    packed = _Packed(_draw_frames(plan, view, size, frames, False), _draw_frames(plan, view, size, frames, True))
    times = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as out:
            targets = {fmt: output_path(out, "scene", view.name, fmt) for fmt in ("gif", "mp4")}
            start = time.perf_counter()
            render_view(plan, view, targets, Options(size=size, fps=plan.scene.fps, formats=("gif", "mp4")),
                        Unpacked())
            times.append((time.perf_counter() - start) / n)
    return statistics.median(times)


def where(quality: str):
    """One local run and one Dask run: where the time and the CPU go."""
    import collections
    import resource
    import psutil
    from distributed import Client, LocalCluster, get_task_stream

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = gallery(quality, [])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"local --jobs 2: {seconds:.1f} s, {cpu:.0f} CPU seconds in all its processes")

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as local, Client(local) as client:
        me = psutil.Process()
        workers = me.children()
        start_cpu = {p.pid: sum(p.cpu_times()[:2]) for p in workers}
        mine = sum(me.cpu_times()[:2])
        seen = {}                                    # pid -> (kind, CPU seconds), last seen

        def look(process, kind):
            try:
                seen[process.pid] = (kind, sum(process.cpu_times()[:2]))
            except psutil.Error:
                pass

        with tempfile.TemporaryDirectory() as out, get_task_stream(client) as stream:
            began = time.time()
            render = subprocess.Popen([os.path.join(BIN, "render"), os.path.join(ROOT, "scenes"), "--quality", quality,
                                       "--out", out, "--no-progress", "--scheduler", local.scheduler_address],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            watched = psutil.Process(render.pid)
            while render.poll() is None:
                look(watched, "render process")
                for w in workers:
                    for child in w.children(recursive=True):
                        look(child, "encoders the workers started")
                time.sleep(0.1)
            wall = time.time() - began
            files = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]
            returned = sum(os.path.getsize(f) for f in files)
        busy, longest, tasks = collections.Counter(), 0.0, 0
        for task in stream.data:
            for span in task["startstops"]:
                if span["action"] == "compute":
                    busy[task["worker"]] += span["stop"] - span["start"]
                    longest = max(longest, span["stop"] - span["start"])
                    tasks += 1
        kinds = collections.Counter()
        for kind, used in seen.values():
            kinds[kind] += used
        kinds["workers (drawing, GIF encoding, Dask)"] = sum(sum(p.cpu_times()[:2]) - start_cpu[p.pid] for p in workers)
        kinds["scheduler and nannies (this process)"] = sum(me.cpu_times()[:2]) - mine
    print(f"--scheduler, a 2-worker LocalCluster: {wall:.1f} s; {tasks} tasks, the longest {longest:.1f} s; "
          "each worker busy " + ", ".join(f"{b / wall:.0%}" for b in busy.values()) + " of the time; "
          f"{sum(busy.values()):.0f} worker-seconds; {returned / 2**20:.0f} MiB returned ({len(files)} files)")
    for kind, used in kinds.most_common():
        print(f"  {kind:40s} {used:5.1f} CPU seconds")
    print(f"  {'in all':40s} {sum(kinds.values()):5.1f} CPU seconds")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quality", default="low")
    parser.add_argument("--where", action="store_true", help="where the time and the CPU go, once each")
    parser.add_argument("--costs", action="store_true", help="only the costs, no gallery")
    args = parser.parse_args()
    if args.where:
        return where(args.quality)
    if args.costs:
        return costs()
    local, dask = [], []
    for _ in range(args.repeat):
        local.append(gallery(args.quality, []))
        dask.append(gallery(args.quality, ["--executor", "dask"]))
    lo, da = statistics.median(local), statistics.median(dask)
    print(f"gallery at --quality {args.quality}, GIF and MP4, medians of {args.repeat}:")
    print(f"  --jobs 2 (local processes)         {lo:6.1f} s")
    print(f"  --executor dask --jobs 2           {da:6.1f} s")
    print(f"  ratio (dask / local)               {da / lo:6.2f}")
    print("costs:")
    costs()


if __name__ == "__main__":
    main()
