"""Where a render's work runs. Every bit of concurrency lives behind one interface, the
``Executor``; the command line, a script, a notebook and ``--watch`` hand one to
``render_scene`` and schedule nothing themselves.

An executor runs several scenes' renders (``scenes``), draws the views of one planned scene
in batches (``batches``, ``views``) and gives a view's frames (``frames``). There are three:

- ``Executor()``: this process, one thing after another.
- ``Processes(jobs)``: processes forked from this one: scenes side by side, a scene's views
  side by side, an orbit's frames spread over workers (``render.apart``, ``render.frames``).
- ``render.cluster.Cluster``: a Dask cluster; its views are tasks there.

Whatever runs the work, the bytes written are the same.
"""
from __future__ import annotations

import multiprocessing
from contextlib import closing, nullcontext
from typing import Callable, Iterator, Sequence

from .frames import FrameStream, default_jobs, draws_whole_frames

__all__ = ["Executor", "Processes", "executor"]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forkable(scene) -> bool:
    """Whether ``scene`` may be rendered in processes forked from this one. Not when it uses
    torch (a torch network, a torch optimizer): a process forked after torch's thread pool
    has run hangs the first time the child uses it (a plane's loss grid, a simulation)."""
    surface = getattr(scene, "surface", None)
    if getattr(surface, "fork_safe", True) is False:
        return False
    return not any(getattr(getattr(run, "optimizer", None), "fork_safe", True) is False
                   for run in getattr(scene, "runs", ()))


class Executor:
    """This process, one thing after another."""

    jobs = 1
    remote = False          # whether the views are drawn on other machines (their memory is theirs)

    def frames(self, plan, view, size):
        """The frames of ``view`` at ``size``, in order (``frames.FrameStream``'s interface)."""
        return FrameStream(plan, view, size, self.jobs)

    def batches(self, todo: Sequence, scene=None) -> list[list]:
        """The (view, targets) of ``todo`` (views of ``scene``) in the groups drawn at once, in
        order: a scene's record of what is up to date is written after each group."""
        return [[item] for item in todo]

    def views(self, plan, todo, options, progress=None) -> dict:
        """Draw each (view, targets) of ``todo`` (``render_view``); each view's notes."""
        from .encoding import render_view
        return {view.name: render_view(plan, view, targets, options, self, progress) for view, targets in todo}

    def scenes(self, items: Sequence, render: Callable, tidy: Callable | None = None,
               apart: bool = True) -> Iterator:
        """``(item, render(item, executor))`` for each of ``items``, in their order, each
        rendered with the executor it should use. ``tidy(item)``: what to do once a scene
        drawn in a process of its own is gone (remove what it may have left half-written).
        ``apart``: False to keep every scene in this process (to show a traceback, say)."""
        for item in items:
            yield item, render(item, self)

    def drawing_workers(self, view, formats, scene=None) -> int:
        """Processes drawing ``view``'s frames besides this one (for its memory estimate)."""
        return 0

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Processes(Executor):
    """Up to ``jobs`` processes forked from this one (default: the cores). Views that draw
    over a cached background go side by side, each in a process of its own; an orbit, whose
    every frame is drawn whole, spreads its frames over workers instead. Several scenes go
    side by side, each in a process of its own with one job: a scene alone leaves a core idle
    while it builds its figure and palette, and while its encoders finish."""

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, int(jobs or default_jobs()))

    def _views_apart(self, todo, scene) -> bool:
        return (self.jobs > 1 and len(todo) > 1 and not any(draws_whole_frames(v) for v, _ in todo)
                and _can_fork() and forkable(scene))

    def batches(self, todo, scene=None):
        if not self._views_apart(todo, scene):
            return super().batches(todo)
        return [list(todo[k:k + self.jobs]) for k in range(0, len(todo), self.jobs)]

    def views(self, plan, todo, options, progress=None) -> dict:
        if len(todo) > 1 and self._views_apart(todo, plan.scene):
            return _views_apart(plan, todo, options, progress)
        return super().views(plan, todo, options, progress)

    def frames(self, plan, view, size):
        return FrameStream(plan, view, size, self.jobs if forkable(plan.scene) else 1)

    def drawing_workers(self, view, formats, scene=None) -> int:
        return (self.jobs if self.jobs > 1 and draws_whole_frames(view) and set(formats) - {"png"}
                and forkable(scene) else 0)

    def scenes(self, items, render, tidy=None, apart=True):
        if not (apart and self.jobs > 1 and len(items) > 1 and _can_fork()
                and all(forkable(item[2]) for item in items)):
            yield from super().scenes(items, render)
            return
        from . import apart as processes

        def work(item):
            def run(say):
                # Each frame drawn is a point where the scene stops if told to.
                outcome = render(item, Executor(), progress=lambda view, n: (say, nullcontext()))
                return outcome[:-1] + (processes.portable(outcome[-1]),)
            return f"rendering scene {item[1]!r}", run

        outcomes = processes.side_by_side([work(item) for item in items], self.jobs)
        try:
            with closing(outcomes):
                for item, (error, outcome) in zip(items, outcomes):
                    # Stopped (a TERM or HUP there), or gone without a word: the error is its own.
                    yield item, outcome if error is None else (None, [], error)
        finally:
            for item in items if tidy is not None else ():
                tidy(item)


def _views_apart(plan, todo, options, progress=None) -> dict:
    """Render each (view, targets) of ``todo`` in a process of its own (``apart``), side by
    side. Each commits its own outputs and reports each frame drawn (one progress bar for
    them all). The first error of one is raised here as it was raised there, once all are
    done; an interrupt here stops them all, and each removes what it had half-written.
    Returns each view's notes (``render_view``)."""
    from . import apart
    from .files import clear_debris
    from .encoding import render_view, views_bar
    _, tick, bar = views_bar(plan, todo, progress)

    def work(view, targets):
        def render(say):
            frame = (lambda: say("frame"), nullcontext())
            return render_view(plan, view, targets, options, Executor(), lambda name, n: frame)
        return f"rendering view {view.name!r}", render

    notes, failure = {}, None
    outcomes = apart.side_by_side([work(v, t) for v, t in todo], len(todo), heard=lambda _: tick and tick())
    try:
        with bar, closing(outcomes):
            for (view, _), (error, said) in zip(todo, outcomes):
                failure = failure or error
                notes[view.name] = said or {}
        if failure is not None:
            raise failure
    except BaseException:
        # What a view's process stopped at any instant left (a temporary file it had just
        # made), now that it is gone.
        for folder in {path.parent for _, targets in todo for path in targets.values()}:
            clear_debris(folder)
        raise
    return notes


def executor(given=None) -> Executor:
    """An executor from what a caller gives: an Executor as it is; a number of jobs (local
    processes); None for this process alone."""
    if given is None:
        return Executor()
    if isinstance(given, Executor):
        return given
    if isinstance(given, int) and not isinstance(given, bool) and given >= 1:
        return Processes(given) if given > 1 else Executor()
    raise ValueError(f"executor must be an Executor (render.executors.Processes, a render.cluster "
                     f"Cluster) or a number of jobs, got {given!r}")
