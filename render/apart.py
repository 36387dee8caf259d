"""Work side by side, each piece in a process forked from this one.

A render runs a scene's views, or several scenes, each in a process of its own, forked from
the render (which holds the plan and the libraries already). Every such process lives and
dies with the render: an interrupt here, or a TERM or HUP there, stops it as an interrupt
would (it removes what it had half-written); the kernel tells it if the render is killed.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from typing import Callable, Iterator, Sequence

from .checks import one_line
from .frames import _bound_to_parent, fresh_fonts
from .interrupts import Interrupted

__all__ = ["portable", "side_by_side"]


class _Stopped(KeyboardInterrupt):
    """A process of its own was told to stop: an interrupt, whatever the work catches."""


# Set once a process of its own is told to stop. The exception a signal handler raises is
# lost if the signal lands while a destructor or a weakref callback runs (matplotlib's
# transforms have many): Python prints "Exception ignored" and goes on. So the work's
# ``say`` raises it again at its next call, once a frame.
_stopping = False


def _stop(signum, frame):
    global _stopping
    _stopping = True
    Interrupted.mark(signum)                # (the render's signal, not the scene's own interrupt)
    raise _Stopped


def portable(error: BaseException | None) -> BaseException | None:
    """``error`` as it can cross to another process: itself, or a RuntimeError saying what
    it was (an exception whose arguments cannot be pickled)."""
    if error is None:
        return None
    try:
        pickle.dumps(error)
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {one_line(error)}")


def _child(send, work: Callable) -> None:
    """A process of its own: run ``work(say)``; send back ("done", error, result). ``say()``
    is a point where the work stops if it was told to; ``say(message)`` sends a message too."""
    _bound_to_parent(signal.SIGTERM)        # a killed render still has its processes tidy up
    fresh_fonts()                           # (its own font files: see frames.fresh_fonts)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    def say(message=None):
        if _stopping:
            raise _Stopped
        if message is not None:
            send.send(("said", message))

    result, error = None, None
    try:
        result = work(say)
    except _Stopped:
        error = KeyboardInterrupt()
    except BaseException as e:
        error = e
    try:
        send.send(("done", portable(error), result))
    except Exception as e:                  # a result that cannot be pickled
        send.send(("done", RuntimeError(f"{type(e).__name__}: {one_line(e)}"), None))
    send.close()


def side_by_side(works: Sequence[tuple[str, Callable]], at_once: int,
                 heard: Callable | None = None) -> Iterator[tuple[BaseException | None, object]]:
    """Run each (name, work) of ``works`` in a process forked from this one, at most
    ``at_once`` at a time, in order; ``work(say)`` may ``say(message)``, which this process
    passes to ``heard``; ``say()`` (at least once a frame) is where it stops when told to.
    Yields each work's (error, result) in the works' order, as soon as it and those before
    it are done. An interrupt here, or closing the generator before the end (close it:
    ``contextlib.closing``), stops the rest with a TERM and waits for them."""
    from multiprocessing.connection import wait
    context = multiprocessing.get_context("fork")
    running, done, started, given = {}, {}, 0, 0
    try:
        while given < len(works):
            while started < len(works) and len(running) < at_once:
                name, work = works[started]
                receive, send = context.Pipe(duplex=False)
                child = context.Process(target=_child, args=(send, work), name=f"render: {name}")
                child.start()
                send.close()
                running[receive] = (child, started)
                started += 1
            for receive in wait(list(running)):
                child, k = running[receive]
                try:
                    message = receive.recv()
                except EOFError:
                    message = ("done", RuntimeError(f"the process {works[k][0]} died"), None)
                if message[0] == "said":
                    if heard is not None:
                        heard(message[1])
                    continue
                del running[receive]
                receive.close()
                child.join()
                done[k] = message[1:]
            while given in done:
                yield done.pop(given)
                given += 1
    finally:
        for child, _ in running.values():
            if child.is_alive():
                child.terminate()           # a TERM: it aborts what it was writing, then exits
        # Read on (raw: a message may have been cut short) until each has gone: one may be
        # waiting to write to us.
        while running:
            for receive in wait(list(running)):
                if not os.read(receive.fileno(), 1 << 16):
                    child, _ = running.pop(receive)
                    receive.close()
                    child.join()
