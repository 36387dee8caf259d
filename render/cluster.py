"""Rendering on a Dask cluster (``dask.distributed``), when one machine is not enough.

``render PATH --scheduler tcp://host:8786`` renders on a running cluster; ``--executor dask``
starts a ``LocalCluster`` of this machine's cores. The ``render`` process loads the scene
files and builds each scene's Plan (the simulation, any tuned search), as a local render
does; the Plan travels with the tasks (pickled with cloudpickle, with any function the scene
file defines), so workers need neither the scene files nor a shared filesystem, only this
package. Each task draws one view into a temporary folder of its worker and returns the
encoded files' bytes; only the ``render`` process writes files, each moved into place whole
where a local render puts it, so the bytes are a local render's.

A worker lost mid-task has its task rerun on another (Dask retries it); if none can, the
render fails with one line and nothing half-written. An interrupt cancels the tasks. Each
frame a worker draws is reported back (a Dask event), so the progress bar counts frames
done on the cluster.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
import uuid
from contextlib import nullcontext
from pathlib import Path

from .encode import atomic_file, folder_into_place, temp_folder_beside

__all__ = ["ClusterError", "Cluster", "connect"]

PROGRESS = "render-frames"        # the event topic each drawn frame is reported on
DRAWN = "render-views"            # the topic each view drawn is recorded on: scene, view, worker
REPORT_EVERY = 0.25               # seconds between a worker's reports of frames drawn
TIMEOUT = 10                      # seconds to reach a scheduler


class ClusterError(Exception):
    """The cluster cannot be used: Dask is missing, or the scheduler cannot be reached."""


class Stopped(Exception):
    """A task was to be submitted after the render was cancelled (an interrupt)."""


def _dask():
    try:
        import distributed
    except ImportError:
        raise ClusterError("rendering on a cluster needs Dask: pip install 'render[dask]'") from None
    return distributed


def connect(scheduler: str | None = None, workers: int | None = None) -> "Cluster":
    """A Cluster on the scheduler at ``scheduler``, or, without one, on a LocalCluster of
    ``workers`` processes (default: this machine's cores) with one thread each."""
    distributed = _dask()
    local = None
    try:
        if scheduler is None:
            from .frames import default_jobs
            local = distributed.LocalCluster(n_workers=workers or default_jobs(), threads_per_worker=1,
                                             processes=True, dashboard_address=":0",
                                             # (its workers' warnings, a task cancelled by Ctrl-C
                                             # say, are not the render's to print)
                                             silence_logs=logging.ERROR)
            client = distributed.Client(local)
        else:
            client = distributed.Client(scheduler, timeout=TIMEOUT)
    except (OSError, TimeoutError) as e:
        if local is not None:
            local.close()
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {type(e).__name__}; start one "
                           f"(dask scheduler, then dask worker ADDRESS) or check the address "
                           f"(option --scheduler)") from None
    return Cluster(client, local)


class Cluster:
    """A connected client (and the LocalCluster it started, if any).

    ``_lock`` guards the bookkeeping shared by the scenes' threads and the client's own
    thread (which reports frames through ``_heard``); nothing that talks to the scheduler
    may run under it, or the client's thread would wait for the lock while the holder waits
    for the client's thread."""

    def __init__(self, client, local=None):
        self.client = client
        self.local = local
        self._ticks: dict[str, object] = {}
        self._counts: dict[str, int] = {}
        self._futures: set = set()
        self._lock = threading.Lock()
        self._stopped = self._closed = False
        client.subscribe_topic(PROGRESS, self._heard)

    def cancel(self) -> None:
        """Cancel every task this render has on the cluster and not yet collected; no
        task is submitted after (an interrupt: the scenes' threads end at their next
        submission, not by drawing on)."""
        with self._lock:
            self._stopped = True
            futures, self._futures = list(self._futures), set()
        self.release(futures)

    def release(self, futures) -> None:
        """Cancel ``futures`` and forget them. Safe at any moment, even once the client is
        closed (a generator of frames finished late by the garbage collector, say)."""
        futures = list(futures)
        with self._lock:
            self._futures.difference_update(futures)
            closed = self._closed
        if futures and not closed:
            try:
                self.client.cancel(futures)
            except RuntimeError:                 # the client's loop closed meanwhile
                pass

    def close(self) -> None:
        with self._lock:
            self._stopped = self._closed = True
        try:
            self.client.unsubscribe_topic(PROGRESS)
        except Exception:
            pass
        self.client.close()
        if self.local is not None:
            self.local.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _heard(self, event) -> None:
        _, (tag, frames) = event
        with self._lock:
            tick = self._ticks.get(tag)
            if tick is not None:
                self._counts[tag] += frames
        if tick is not None:
            try:
                for _ in range(frames):
                    tick()                   # (on the client's own thread: never raise there)
            except BaseException:
                pass

    def render_views(self, plan, todo, size, fps, quality, gif_budget=None, progress=None) -> dict:
        """Draw each (view, targets) of ``todo`` on the cluster, each view a task, and write
        what comes back to its targets. Returns each view's notes (as ``_render_view``).
        The first failure is raised once every task has ended; an interrupt cancels them."""
        distributed = _dask()
        from .pipeline import _render_view, _views_bar
        total, tick, bar = _views_bar(plan, todo, progress)
        scene_name = Path(next(iter(todo[0][1].values()))).parent.name     # (the folder of its outputs)
        tag = uuid.uuid4().hex
        if tick is not None:
            with self._lock:
                self._ticks[tag], self._counts[tag] = tick, 0
        # An orbit's frames are drawn whole (40 to 60 ms each at 960x540 to 1920x1080, some
        # hundreds of them): when workers would otherwise idle, they are spread over them in
        # chunks and encoded here. When the cluster already has a task of this render for
        # every worker (a gallery), a view is one task like any other: shipping its frames
        # back and encoding them here would only add work. The bytes are the same either way.
        from .frames import draws_whole_frames
        workers = self.workers()          # (a call to the scheduler: never under the lock, which
        with self._lock:                  # the client's own thread takes for each frame reported)
            busy = len(self._futures) + len(todo) >= workers
        streamed = [(v, t) for v, t in todo if draws_whole_frames(v) and not busy]
        whole = [(v, t) for v, t in todo if (v, t) not in streamed]
        notes, failure, futures = {}, None, []

        def counted():                            # a streamed frame, encoded here
            with self._lock:
                if tag in self._counts:
                    self._counts[tag] += 1
            if tick is not None:
                tick()

        try:
            # Once for all the scene's views, as a task of its own rather than scattered data:
            # the scheduler keeps the task, so if the worker holding the Plan is lost, another
            # makes it again (a scatter to a worker that dies at that moment never returns).
            if whole:
                futures.append(self.submit(_same, plan, key=f"render-plan-{uuid.uuid4().hex}", pure=False))
            for view, targets in whole:
                futures.append(self.submit(_draw_view, futures[0], view, size, fps, quality, sorted(targets),
                                           gif_budget, tag, scene_name,
                                           key=f"render-{uuid.uuid4().hex}", pure=False, retries=1))
            with bar:
                for view, targets in streamed:
                    streams = lambda size, view=view: ClusterStream(self, plan, view, size, plan.frames, scene_name)
                    notes[view.name] = _render_view(plan, view, size, fps, quality, 1, targets,
                                                    lambda name, n: (counted, nullcontext()), gif_budget,
                                                    streams=streams)
                for (view, targets), future in zip(whole, futures[1:]):
                    try:
                        files, said = future.result()
                    except Exception as e:               # KilledWorker, the view's own error
                        failure = failure or _why(e, distributed)
                        continue
                    _write(files, targets)
                    notes[view.name] = said
                # A frame's report may come after its task's result: the bar ends full.
                with self._lock:
                    self._ticks.pop(tag, None)
                    missing = total - self._counts.pop(tag, total)
                for _ in range(max(missing, 0) if failure is None else 0):
                    tick()
        finally:
            with self._lock:
                self._ticks.pop(tag, None)
                self._counts.pop(tag, None)
            self.release(futures)               # (those still running, if this scene failed)
        if failure is not None:
            raise failure
        return notes

    def addresses(self) -> list[str]:
        """The addresses of the cluster's workers now (a call to the scheduler)."""
        return list(self.client.scheduler_info().get("workers", {}))

    def workers(self) -> int:
        """How many workers the cluster has now (at least 1)."""
        return max(1, len(self.addresses()))

    def submit(self, *args, **kwargs):
        """``client.submit``, the future remembered so that ``cancel`` reaches it. Once
        cancelled, it refuses: ``Stopped``."""
        with self._lock:
            if self._stopped:
                raise Stopped("the render on the cluster was stopped")
        future = self.client.submit(*args, **kwargs)     # (not under the lock: it pickles)
        with self._lock:
            kept = not self._stopped
            if kept:
                self._futures.add(future)
        if not kept:                                      # (cancelled meanwhile)
            self.release([future])
            raise Stopped("the render on the cluster was stopped")
        return future

    def forget(self, futures) -> None:
        with self._lock:
            self._futures.difference_update(futures)


class ClusterStream:
    """A view's frames drawn by the cluster's workers in chunks, in order, as
    ``frames.FrameStream`` gives them: ``samples``, ``sample``, iteration (RGB) and
    ``pixels`` (RGBA). At most two chunks a worker are in flight, so memory here stays
    bounded however slow the encoders are. Frames travel compressed (zlib, fast level)."""

    def __init__(self, cluster: Cluster, plan, view, size, n: int, scene_name: str = "", chunk: int = 8):
        self.cluster, self.view, self.size = cluster, view, tuple(size)
        self.n, self.chunk, self.scene_name = n, chunk, scene_name
        # A copy of the Plan on each worker (made again elsewhere if its worker is lost), and
        # chunk k drawn from copy k: the chunks spread over every worker, not just the one
        # that happens to hold a single copy.
        workers = cluster.addresses() or [None]
        self.plans = [cluster.submit(_same, plan, workers=[w] if w else None, allow_other_workers=True,
                                     key=f"render-plan-{uuid.uuid4().hex}", pure=False) for w in workers]
        self._count = 0

    def __len__(self):
        return self.n

    def _task(self, indices, rgba):
        plan = self.plans[self._count % len(self.plans)]
        self._count += 1
        return self.cluster.submit(_draw_frames, plan, self.view, self.size, list(indices), rgba,
                                   self.scene_name, key=f"render-frames-{uuid.uuid4().hex}", pure=False, retries=1)

    def samples(self, indices) -> dict:
        indices = list(indices)
        if not indices:
            return {}
        future = self._task(indices, False)
        try:
            return dict(zip(indices, _unpacked(future.result())))
        finally:
            self.cluster.forget([future])

    def sample(self, i: int):
        return self.samples([i])[i]

    def __iter__(self):
        return self._frames(False)

    def pixels(self):
        return self._frames(True)

    def _frames(self, rgba: bool):
        from collections import deque
        workers = self.cluster.workers()
        bounds = [range(s, min(self.n, s + self.chunk)) for s in range(0, self.n, self.chunk)]
        pending, queued = deque(), 0
        try:
            while queued < min(2 * workers, len(bounds)):
                pending.append(self._task(bounds[queued], rgba))
                queued += 1
            for _ in range(len(bounds)):
                future = pending.popleft()
                frames = _unpacked(future.result())
                self.cluster.forget([future])
                if queued < len(bounds):
                    pending.append(self._task(bounds[queued], rgba))
                    queued += 1
                yield from frames
        finally:
            self.cluster.release(pending)
            self.cluster.forget(self.plans)


# On a worker: the drawing of a view, built once and kept for the next chunks of it.
_SOURCES: dict = {}


def _draw_frames(plan, view, size, indices, rgba, scene_name=""):
    """On a worker: frames ``indices`` of the view, compressed."""
    import zlib
    from .frames import FrameSource
    worker = _worker()
    if worker is not None:
        worker.log_event(DRAWN, {"scene": scene_name, "view": view.name, "worker": str(worker.name),
                                 "frames": list(indices)})
    key = (id(plan), view.name, tuple(size))
    source = _SOURCES.get(key)
    if source is None:
        _SOURCES.clear()                       # one view's drawing at a time
        source = _SOURCES[key] = FrameSource(plan, view, size)
    out = []
    for i in indices:
        frame = source.pixels(i) if rgba else source.frame(i)
        out.append((frame.shape, zlib.compress(frame.tobytes(), 1)))
    return out


def _unpacked(packed):
    import zlib
    import numpy as np
    return [np.frombuffer(zlib.decompress(data), dtype=np.uint8).reshape(shape) for shape, data in packed]


def _why(error: BaseException, distributed) -> BaseException:
    if isinstance(error, distributed.KilledWorker):
        return RuntimeError("the cluster lost every worker that tried to draw it; see the workers' logs")
    return error


def _same(value):
    return value


def _worker():
    """The Dask worker running this task, or None (called outside one)."""
    try:
        from distributed import get_worker
        return get_worker()
    except (ImportError, ValueError):
        return None


def _draw_view(plan, view, size, fps, quality, formats, gif_budget, tag, scene_name):
    """On a worker: draw ``view`` into a temporary folder; return its files' bytes (a folder
    as {name: bytes}) by format, and the notes."""
    from .encode import output_path
    from .pipeline import _render_view
    worker = _worker()

    # Frames drawn are reported a few times a second, not one message each.
    told = {"frames": 0, "at": time.monotonic()}

    def frame():
        told["frames"] += 1
        now = time.monotonic()
        if worker is not None and now - told["at"] >= REPORT_EVERY:
            worker.log_event(PROGRESS, (tag, told["frames"]))
            told["frames"], told["at"] = 0, now

    if worker is not None:
        worker.log_event(DRAWN, {"scene": scene_name, "view": view.name, "worker": str(worker.name)})
    with tempfile.TemporaryDirectory(prefix="render-") as temp:
        targets = {fmt: output_path(temp, "scene", view.name, fmt) for fmt in formats}
        notes = _render_view(plan, view, size, fps, quality, 1, targets,
                             lambda name, n: (frame, nullcontext()), gif_budget)
        if worker is not None and told["frames"]:
            worker.log_event(PROGRESS, (tag, told["frames"]))
        files = {}
        for fmt, path in targets.items():
            if path.is_dir():
                files[fmt] = {p.name: p.read_bytes() for p in sorted(path.iterdir())}
            else:
                files[fmt] = path.read_bytes()
    return files, notes


def _write(files: dict, targets: dict) -> None:
    """Each format's bytes to its target, moved into place whole."""
    for fmt, content in files.items():
        path = Path(targets[fmt])
        if isinstance(content, dict):
            temp = temp_folder_beside(path)
            try:
                for name, data in content.items():
                    (temp / name).write_bytes(data)
                folder_into_place(temp, path)
            finally:
                shutil.rmtree(temp, ignore_errors=True)
        else:
            with atomic_file(path) as temp:
                temp.write_bytes(content)
