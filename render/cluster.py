"""Rendering on a Dask cluster (``dask.distributed``), when one machine is not enough.

``render PATH --scheduler tcp://host:8786`` renders on a running cluster; ``--executor dask``
starts a ``LocalCluster`` of this machine's cores. ``connect`` gives a ``Cluster``, an
executor (``render.executors``) that ``render.render_scene`` takes like any other. The ``render`` process loads the scene
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

Nothing waits forever: reaching the scheduler and hearing it answer as one takes at most
``TIMEOUT`` seconds, the first worker ``WORKERS_TIMEOUT``, and a render goes on waiting at
most ``LOST_TIMEOUT`` seconds once the cluster has no worker left. Each can be set in Dask's
configuration, as ``render.connect-timeout``, ``render.workers-timeout`` and
``render.lost-timeout`` (e.g. ``DASK_RENDER__WORKERS_TIMEOUT=120`` in the environment).
"""
from __future__ import annotations

import concurrent.futures
import logging
import shutil
import socket
import struct
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path

from .checks import one_line
from .executors import Executor
from .files import atomic_file, folder_into_place, temp_folder_beside

__all__ = ["ClusterError", "Cluster", "connect"]

PROGRESS = "render-frames"        # the event topic each drawn frame is reported on
DRAWN = "render-views"            # the topic each view drawn is recorded on: scene, view, worker
REPORT_EVERY = 0.25               # seconds between a worker's reports of frames drawn
TIMEOUT = 10                      # seconds to reach a scheduler and hear it answer as one
WORKERS_TIMEOUT = 30              # seconds to wait for the cluster's first worker
LOST_TIMEOUT = 30                 # seconds a render waits for a worker once the cluster has none
POLL = 1                          # seconds between looks at the cluster while a task runs
HANDSHAKE_LIMIT = 64 * 1024       # bytes: a scheduler's first message (its handshake) is ~60


class ClusterError(Exception):
    """The cluster cannot be used: Dask is missing, the scheduler cannot be reached or is no
    scheduler, it has no worker, or the scene cannot be sent to it."""


class Stopped(Exception):
    """A task was to be submitted after the render was cancelled (an interrupt)."""


def _dask():
    try:
        import distributed
    except ImportError:
        raise ClusterError("rendering on a cluster needs Dask: pip install 'render-descent[dask]'") from None
    return distributed


def _seconds(name: str, default: float) -> float:
    """A timeout: Dask's configuration ``render.<name>`` if set, else ``default``."""
    import dask
    from dask.utils import parse_timedelta
    return parse_timedelta(dask.config.get(f"render.{name}", default), default="seconds")


def connect(scheduler: str | None = None, workers: int | None = None) -> Cluster:
    """A Cluster on the scheduler at ``scheduler``, or, without one, on a LocalCluster of
    ``workers`` processes (default and at most: this machine's cores) with one thread each,
    once it has a worker. ClusterError (one line) if the address is not one, cannot be
    reached or is not a Dask scheduler's, or if no worker joins in time."""
    distributed = _dask()
    if scheduler is None:
        return _local(distributed, workers)
    scheme, host, port = _address(scheduler)
    timeout = _seconds("connect-timeout", TIMEOUT)
    if scheme == "tcp":
        # (Other schemes' connectors shake hands, TLS or HTTP, within Dask's timeout.)
        _hear(scheduler, host, port, timeout)
    # Dask's own log lines (a lost connection's traceback, say) are not the render's to print,
    # as a LocalCluster's silence_logs has it: what fails, the render says in one line.
    from distributed.utils import silence_logging_cmgr
    quiet = ExitStack()
    quiet.enter_context(silence_logging_cmgr(logging.CRITICAL))
    try:
        client = distributed.Client(scheduler, timeout=timeout)
    except BaseException as e:
        quiet.close()
        if isinstance(e, (OSError, TimeoutError)):
            raise ClusterError(_unreachable(scheduler, e)) from None
        if isinstance(e, Exception):        # a worker's address (no scheduler's calls), no TLS settings
            raise ClusterError(f"cannot use {scheduler} as a Dask scheduler: {type(e).__name__}: {one_line(e)}; "
                               f"check the address (option --scheduler)") from None
        raise
    return _ready(Cluster(client, quiet=quiet), f"the Dask scheduler at {scheduler} has no worker",
                  f"; start one (dask worker {scheduler})")


def _local(distributed, workers: int | None) -> Cluster:
    """A LocalCluster of this machine, its files in a temporary folder of its own (removed on
    close), its workers as many as asked but not more than the cores: a worker more than the
    cores draws nothing sooner and takes some 100 MiB."""
    import dask
    from dask.system import CPU_COUNT
    n = max(1, min(workers or CPU_COUNT, CPU_COUNT))
    root = tempfile.mkdtemp(prefix="render-dask-")
    log = Path(root) / "workers.log"
    local = None
    try:
        # Every folder of the scheduler's and the workers' (Dask's "dask-scratch-space") in root.
        with dask.config.set({"temporary-directory": root}), _interrupt_deferred(), _stderr_into(log):
            local = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                             dashboard_address=":0", local_directory=root,
                                             # (its workers' logs, of a task cancelled by Ctrl-C
                                             # say, are not the render's to print: what fails,
                                             # the render says in one line)
                                             silence_logs=logging.CRITICAL,
                                             # (and a Ctrl-C is the render's to handle: dask_setup)
                                             preload=[__name__])
        client = distributed.Client(local)
    except BaseException as e:
        if local is not None:
            local.close()
        if isinstance(e, Exception):
            said = _last_line(log)             # (what a worker said as it failed to start, if anything)
            shutil.rmtree(root, ignore_errors=True)
            raise ClusterError(f"cannot start a Dask cluster on this machine: {type(e).__name__}: "
                               f"{one_line(e)}{f' ({said})' if said else ''}") from None
        shutil.rmtree(root, ignore_errors=True)
        raise
    return _ready(Cluster(client, local, root), "the Dask cluster of this machine has no worker",
                  "; see that it can start processes")


@contextmanager
def _stderr_into(path: Path):
    """This process's standard error (file descriptor 2) into ``path`` meanwhile; the processes
    started meanwhile (the LocalCluster's workers) keep it so. A Ctrl-C at the terminal reaches
    every process of its group: a worker still starting (until dask_setup) prints a traceback
    of it, which is not the render's to show. Nor is what a worker logs, or prints as it dies;
    what fails, the render says in one line."""
    import os
    import sys
    try:
        kept = os.dup(2)
    except OSError:                            # (no standard error: nothing to keep quiet)
        yield
        return
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
        with open(path, "ab") as into:
            os.dup2(into.fileno(), 2)
        yield
    finally:
        if sys.stderr is not None:
            sys.stderr.flush()
        os.dup2(kept, 2)
        os.close(kept)


def _last_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1][:300] if lines else ""


@contextmanager
def _interrupt_deferred():
    """A Ctrl-C (or TERM, HUP) that comes meanwhile is handled at the end, not in the middle:
    the LocalCluster is started whole, then stopped whole, not left half-started (its processes
    and their folders outliving the render). Only signals handled in Python are deferred."""
    import signal
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    heard = []
    handlers = {}
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None and callable(signal.getsignal(signum)):
            handlers[signum] = signal.signal(signum, lambda signum, frame: heard.append(signum))
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if heard:                              # (raised over whatever the start raised: a worker
            handlers[heard[0]](heard[0], None)  # it stopped as it started; the command's handler raises)


def _ready(cluster: Cluster, none: str, hint: str) -> Cluster:
    """``cluster`` once it has a worker; closed, and ClusterError, if none joins in time."""
    wait = _seconds("workers-timeout", WORKERS_TIMEOUT)
    try:
        cluster.client.wait_for_workers(1, timeout=wait)
    except TimeoutError:
        cluster.close()
        raise ClusterError(f"{none}: none joined in {wait:g} s{hint}") from None
    except BaseException:
        cluster.close()
        raise
    return cluster


def dask_setup(worker) -> None:
    """Run by each worker of the LocalCluster that ``connect`` starts, once it has started (a
    Dask preload): it ignores SIGINT. A Ctrl-C at the terminal reaches every process of its
    group, these workers too: it is the render's to handle (it cancels the tasks and stops the
    workers), not each worker's to print a traceback of."""
    import signal
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _address(scheduler: str) -> tuple[str, str, int]:
    """The scheme, host and port of the address given as --scheduler; ClusterError, saying
    what is wrong and what to give, if it is none."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    def bad(why):
        return ClusterError(f"{scheduler!r} is not a scheduler address: {why}; give tcp://HOST:PORT, as "
                            f"dask scheduler prints it, e.g. tcp://127.0.0.1:8786 (option --scheduler)")

    scheme, location = parse_address(scheduler.strip())     # (tcp when it names none)
    try:
        get_backend(scheme)
    except ValueError:
        raise bad(f"unknown scheme {scheme!r}") from None
    if not location:
        raise bad("no host and port")
    try:
        host, port = parse_host_port(location)
    except ValueError:
        given = location.rpartition(":")[2] if ":" in location else ""
        raise bad(f"{given!r} is not a port number" if given else "no port number") from None
    if not host:
        raise bad("no host")
    if not 0 < port < 65536:
        raise bad(f"port {port} is not between 1 and 65535")
    return scheme, host, port


def _unreachable(address: str, error: BaseException) -> str:
    why = getattr(error, "strerror", None) or one_line(error) or type(error).__name__
    return (f"cannot reach the Dask scheduler at {address}: {why[:1].lower() + why[1:]}; start one "
            f"(dask scheduler, then dask worker ADDRESS) or check the address (option --scheduler)")


def _hear(address: str, host: str, port: int, timeout: float) -> None:
    """Connect to a TCP ``address`` and read what a scheduler says first, its handshake (a
    few tens of bytes), before Dask does; ClusterError if that cannot be done, or what comes
    (if anything comes in ``timeout`` seconds) is no handshake. Dask waits for the handshake
    without a timeout (a port that accepts and says nothing would hang the render), and takes
    the first eight bytes of whatever comes as the size of a buffer to allocate (garbage would
    ask for exabytes). A refused connection is tried again until the time is up, as Dask
    does (a scheduler just starting)."""
    from distributed.protocol import loads
    from distributed.protocol.utils import unpack_frames

    deadline = time.monotonic() + timeout
    pause = 0.05
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=max(deadline - time.monotonic(), 0.05))
            break
        except OSError as e:
            if time.monotonic() + pause >= deadline:
                raise ClusterError(_unreachable(address, e)) from None
            time.sleep(pause)
            pause = min(2 * pause, 1.0)

    def read(n: int) -> bytes:
        data = bytearray()
        while len(data) < n:
            sock.settimeout(max(deadline - time.monotonic(), 0.01))
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return bytes(data)

    not_one = f"{address} is not a Dask scheduler: "
    check = "; check the address (option --scheduler)"
    with sock:
        try:
            (size,) = struct.unpack("Q", read(8))        # (as Dask reads it)
            if size > HANDSHAKE_LIMIT:
                raise ValueError("too long for a handshake")
            frames, missing = unpack_frames(read(size), partial=True)
            handshake = loads(frames, deserialize=False)
            if missing or not isinstance(handshake, dict) or "pickle-protocol" not in handshake:
                raise ValueError("no handshake")
        except TimeoutError:
            raise ClusterError(f"{not_one}it took the connection but said nothing in {timeout:g} s{check}") from None
        except (EOFError, ConnectionError):
            raise ClusterError(f"{not_one}it closed the connection without a word{check}") from None
        except Exception:
            raise ClusterError(f"{not_one}it answered in another protocol{check}") from None


class Cluster(Executor):
    """A connected client (and the LocalCluster it started, if any).

    ``_lock`` guards the bookkeeping shared by the scenes' threads and the client's own
    thread (which reports frames through ``_heard``); nothing that talks to the scheduler
    may run under it, or the client's thread would wait for the lock while the holder waits
    for the client's thread."""

    def __init__(self, client, local=None, root=None, quiet=None):
        self.client = client
        self.local = local
        self.root = root                  # the LocalCluster's temporary folder, removed on close
        self.quiet = quiet                # what keeps Dask's log lines quiet, ended on close
        self._ticks: dict[str, object] = {}
        self._counts: dict[str, int] = {}
        self._futures: set = set()
        self._lock = threading.Lock()
        self._stopped = self._closed = False
        self._empty_since = None          # when the cluster was last seen without a worker
        self._looked_at = float("-inf")   # when the cluster was last looked at (``_look``)
        client.subscribe_topic(PROGRESS, self._heard)

    def cancel(self) -> None:
        """Cancel every task this render has on the cluster and not yet collected; no
        task is submitted after, until ``resume`` (an interrupt: the scenes' threads end at
        their next submission, not by drawing on)."""
        with self._lock:
            self._stopped = True
            futures, self._futures = list(self._futures), set()
        self.release(futures)

    def resume(self) -> None:
        """Tasks may be submitted again (the next round of a watch), once every thread of the
        round that ``cancel`` ended has ended."""
        with self._lock:
            self._stopped = self._closed
            self._empty_since = None

    def release(self, futures) -> None:
        """Cancel ``futures`` and forget them. Safe at any moment, even once the client is
        closed (a generator of frames finished late by the garbage collector, say), or the
        scheduler gone."""
        futures = list(futures)
        with self._lock:
            self._futures.difference_update(futures)
            closed = self._closed
        if futures and not closed:
            try:
                self.client.cancel(futures)
            except Exception:                  # the client's loop closed meanwhile, the scheduler gone
                pass

    def close(self) -> None:
        with self._lock:
            self._stopped = self._closed = True
        try:
            self.client.unsubscribe_topic(PROGRESS)
        except Exception:
            pass
        try:
            self.client.close()
        finally:
            try:
                if self.local is not None:
                    self.local.close()
            finally:
                if self.root is not None:
                    shutil.rmtree(self.root, ignore_errors=True)
                if self.quiet is not None:
                    self.quiet.close()

    def result(self, future):
        """``future.result()``, but not forever: a task waits for a worker as long as the
        cluster has none, so once it has had none for ``LOST_TIMEOUT`` seconds, ClusterError.
        A task cancelled by ``cancel`` is ``Stopped``; by the cluster (the scheduler lost),
        ClusterError."""
        from distributed import wait
        while True:
            try:
                wait([future], timeout=POLL)     # (its TimeoutError is the wait's, not the task's)
                break
            except TimeoutError:
                self._look()
            except Exception:                    # cancelled: the result says why
                break
        try:
            return future.result()
        except concurrent.futures.CancelledError as e:
            with self._lock:
                stopped = self._stopped
            if stopped:
                raise Stopped("the render on the cluster was stopped") from None
            why = getattr(e, "msg", None) or getattr(e, "reason", None) or one_line(e)
            raise ClusterError(f"the cluster cancelled the render's tasks: {one_line(why)}") from None

    def _look(self) -> None:
        """Note whether the cluster has a worker now; ClusterError once it has had none for
        ``LOST_TIMEOUT`` seconds. One look a ``POLL`` for all the scenes' threads waiting, a
        call to the scheduler (never under the lock)."""
        now = time.monotonic()
        with self._lock:
            stale = now - self._looked_at >= POLL
            if stale:
                self._looked_at = now
        if stale:
            try:
                n = len(self.client.nthreads())
            except Exception:                    # (a scheduler that does not answer has no worker)
                n = 0
            with self._lock:
                if n:
                    self._empty_since = None
                elif self._empty_since is None:
                    self._empty_since = now
        with self._lock:
            since = self._empty_since
        lost = _seconds("lost-timeout", LOST_TIMEOUT)
        if since is not None and now - since >= lost:
            hint = "" if self.local is not None else \
                f"; start one (dask worker {self.client.scheduler.address}) and render again"
            raise ClusterError(f"the cluster lost every worker and none came back in {lost:g} s{hint}")

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

    remote = True                # (the workers' memory is theirs)

    def batches(self, todo, scene=None):
        """Every view of a scene at once: each is a task of its own."""
        return [list(todo)] if todo else []

    def frames(self, plan, view, size):
        """The frames of ``view``, drawn by the workers in chunks (``ClusterStream``)."""
        return ClusterStream(self, plan, view, size, plan.frames)

    def scenes(self, items, render, tidy=None, apart=True):
        """Every scene at once, each from a thread of this process: the thread builds the
        scene's Plan and hands its views to the cluster as tasks, so a gallery keeps every
        worker busy. ``render(item, cluster, caught=...)`` records the thread's warnings in
        ``caught`` (catch_warnings is not thread-safe: one record for all the threads, each
        warning kept with the thread that raised it, so it is said of its own scene).
        Outcomes come in the scenes' order. An interrupt cancels every task."""
        import warnings
        from concurrent.futures import ThreadPoolExecutor
        heard: dict[int, list] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", ResourceWarning)
            # The Plan is sent on purpose, once a scene: Dask's advice on large graphs is noise.
            warnings.filterwarnings("ignore", message="Sending large graph")
            warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: \
                heard.setdefault(threading.get_ident(), []).append(
                    warnings.WarningMessage(message, category, filename, lineno, file, line))

            def one(item):
                mine = heard[threading.get_ident()] = []      # (a thread renders scene after scene)
                return render(item, self, caught=mine)

            pool = ThreadPoolExecutor(max_workers=min(len(items), 16) or 1, thread_name_prefix="render-scene")
            futures = [pool.submit(one, item) for item in items]
            try:
                for item, future in zip(items, futures):
                    yield item, future.result()
            finally:
                for future in futures:
                    future.cancel()
                self.cancel()
                pool.shutdown(wait=True)
                self.resume()           # (every thread of this round ended: a watch's next may submit)

    def views(self, plan, todo, options, progress=None) -> dict:
        """Draw each (view, targets) of ``todo`` on the cluster, each view a task, and write
        what comes back to its targets. Returns each view's notes (as ``render_view``).
        The first failure is raised once every task has ended; an interrupt cancels them."""
        distributed = _dask()
        from .encoding import render_view, views_bar
        total, tick, bar = views_bar(plan, todo, progress)
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

        packed = _packed(plan)                   # (ClusterError if it cannot be sent: one line)
        try:
            # Once for all the scene's views, as a task of its own rather than scattered data:
            # the scheduler keeps the task, so if the worker holding the Plan is lost, another
            # makes it again (a scatter to a worker that dies at that moment never returns).
            if whole:
                futures.append(self.submit(_plan, packed, key=f"render-plan-{uuid.uuid4().hex}", pure=False))
            for view, targets in whole:
                futures.append(self.submit(_draw_view, futures[0], view, options, sorted(targets), tag, scene_name,
                                           key=f"render-{uuid.uuid4().hex}", pure=False, retries=1))
            with bar:
                for view, targets in streamed:
                    notes[view.name] = render_view(plan, view, targets, options, _Streamed(self, scene_name, packed),
                                                   lambda name, n: (counted, nullcontext()))
                for (view, targets), future in zip(whole, futures[1:]):
                    try:
                        files, said = self.result(future)
                    except (ClusterError, Stopped):      # the cluster lost, the render stopped
                        raise
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

    def __init__(self, cluster: Cluster, plan, view, size, n: int, scene_name: str = "", chunk: int = 8,
                 packed: bytes | None = None):
        self.cluster, self.view, self.size = cluster, view, tuple(size)
        self.n, self.chunk, self.scene_name = n, chunk, scene_name
        # A copy of the Plan on each worker (made again elsewhere if its worker is lost), and
        # chunk k drawn from copy k: the chunks spread over every worker, not just the one
        # that happens to hold a single copy. (``packed``: the Plan pickled, if it is already.)
        packed = _packed(plan) if packed is None else packed
        workers = cluster.addresses() or [None]
        self.plans = [cluster.submit(_plan, packed, workers=[w] if w else None, allow_other_workers=True,
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
            return dict(zip(indices, _unpacked(self.cluster.result(future))))
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
                frames = _unpacked(self.cluster.result(future))
                self.cluster.forget([future])
                if queued < len(bounds):
                    pending.append(self._task(bounds[queued], rgba))
                    queued += 1
                yield from frames
        finally:
            self.cluster.release(pending)
            self.cluster.forget(self.plans)


class _Streamed(Executor):
    """The executor of a view drawn here from frames the workers draw: its frames come from
    the cluster (``ClusterStream``), its encoding is this process's."""

    def __init__(self, cluster: Cluster, scene_name: str, packed: bytes):
        self.cluster, self.scene_name, self.packed = cluster, scene_name, packed

    def frames(self, plan, view, size):
        return ClusterStream(self.cluster, plan, view, size, plan.frames, self.scene_name, packed=self.packed)


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


def _packed(plan) -> bytes:
    """``plan`` pickled, once for all the tasks that need it (cloudpickle: with the functions
    its scene file defines, which no worker could import); ClusterError, one line saying why,
    if it cannot be (something only this process can have: a lock, a generator)."""
    import cloudpickle
    try:
        return cloudpickle.dumps(plan)
    except Exception as e:
        raise ClusterError(f"the scene cannot be sent to the cluster: {one_line(e)} (the scene, or what a "
                           f"function of it refers to, holds something that cannot be copied to another "
                           f"process, a lock, an open file or a generator, say); render it without Dask") from None


def _plan(packed: bytes):
    """On a worker: the Plan, from ``_packed``."""
    import pickle
    return pickle.loads(packed)


def _worker():
    """The Dask worker running this task, or None (called outside one)."""
    try:
        from distributed import get_worker
        return get_worker()
    except (ImportError, ValueError):
        return None


def _draw_view(plan, view, options, formats, tag, scene_name):
    """On a worker: draw ``view`` into a temporary folder; return its files' bytes (a folder
    as {name: bytes}) by format, and the notes."""
    from .encoding import render_view
    from .sinks import output_path
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
    # In the worker's own folder: what a worker stopped mid-task leaves goes with that folder
    # (the LocalCluster's is removed on close; Dask clears a dead worker's).
    with tempfile.TemporaryDirectory(prefix="render-", dir=worker.local_directory if worker else None) as temp:
        targets = {fmt: output_path(temp, "scene", view.name, fmt) for fmt in formats}
        notes = render_view(plan, view, targets, options, Executor(), lambda name, n: (frame, nullcontext()))
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
