"""The ``render`` program (``render ...`` and ``python -m render ...``).

Its first act is to handle Ctrl-C, TERM and HUP: the libraries take half a second to load,
and a signal then is an interruption like any other (one line, 128 + the signal), not a
traceback or a silent death. Run as ``python -m render``, the working folder is not
searched for modules: a file there named like a module (``secrets.py``) is never run.
"""
import os
import sys


def run():
    from .interrupts import Interrupted
    Interrupted.install()
    try:
        if sys.path and sys.path[0] in ("", os.getcwd()) and sys.flags.safe_path == 0 \
                and getattr(sys.modules.get("__main__"), "__spec__", None) is not None:
            sys.path.pop(0)             # (python -m put the working folder first)
        from . import cli
        if Interrupted.seen:            # (its exception lost in a library's cleanup)
            raise KeyboardInterrupt
        cli.run()                       # (which leaves the process itself)
    except KeyboardInterrupt:
        sys.stderr.write(Interrupted.message() + "\n")
        sys.stderr.flush()
        os._exit(Interrupted.code())


if __name__ == "__main__":
    run()
