"""Ctrl-C, TERM and HUP: each stops a render as one interruption, from the program's first
instant, and is told apart from a KeyboardInterrupt that a scene's own code raises.

The program (``render.__main__.run``) installs the handlers before it loads any library; the
handler remembers the signal and raises KeyboardInterrupt. A KeyboardInterrupt seen while the
handlers are installed and no signal came is the scene's: an error in the scene, said with its
file and line, not the user's Ctrl-C. Nothing here is installed by importing it.
"""
from __future__ import annotations

import signal
import threading

__all__ = ["Interrupted"]


class Interrupted:
    """Remembers a Ctrl-C, a TERM or a HUP: whatever a cleanup raises after it, the render
    was interrupted, and it exits 128 + the signal's number, as a shell reports it."""

    seen = False
    signum = signal.SIGINT
    installed = False
    SIGNALS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}

    @classmethod
    def handler(cls, signum, frame):
        cls.mark(signum)
        raise KeyboardInterrupt

    @classmethod
    def mark(cls, signum) -> None:
        """A signal came (the first one is the one reported)."""
        if not cls.seen:
            cls.seen, cls.signum = True, signal.Signals(signum)

    @classmethod
    def install(cls, keep: bool = False) -> dict:
        """Handle the three signals (from the main thread only); the handlers they replace.
        ``keep``: a signal already seen stays seen (the program installs them once before
        loading the libraries, and the command again)."""
        if not (keep and cls.seen):
            cls.seen, cls.signum = False, signal.SIGINT
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous = {s: signal.signal(s, cls.handler) for s in cls.SIGNALS}
        cls.installed = True
        return previous

    @classmethod
    def restore(cls, previous: dict) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if previous:                            # (ours still, when the program's were ours)
            cls.installed = all(handler == cls.handler for handler in previous.values())

    @classmethod
    def message(cls) -> str:
        return f"render: {cls.SIGNALS[cls.signum]}"

    @classmethod
    def code(cls) -> int:
        return 128 + int(cls.signum)

    @classmethod
    def is_users(cls, error: BaseException) -> bool:
        """Whether ``error`` (a KeyboardInterrupt) is a signal's, not raised by a scene's own
        code: a signal was seen, or no handler of ours is installed to see one (a notebook,
        where Python's own handler raises it)."""
        return cls.seen or not cls.installed
