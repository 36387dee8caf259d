"""Reading scene files: a scene file is the user's own Python module; every Scene it builds
at module level is rendered.

``load(path)`` returns ``[(output name, scene), ...]`` or raises ``SceneError`` with one line
naming the file, the line and what went wrong.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from pathlib import Path

from . import checks
from .checks import one_line
from .scene import SCENE_TYPES, Scene

__all__ = ["load", "source", "dependencies", "display", "one_line", "SceneError"]


class SceneError(Exception):
    """A scene file that cannot be loaded; the message is one line naming file and line."""


def _where(path: Path, exc: BaseException) -> str:
    """'file:line' for the innermost frame of the exception that lies in the scene file."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{display(path)}:{line}" if line else display(path)


def display(path: Path) -> str:
    """A path for a one-line message: as it is, or quoted with escapes if it holds a
    character that is not printable (a newline in a file name)."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _dependencies(path: Path, read: list[str]) -> list[Path]:
    """The files under the scene's folder it read, but itself and compiled caches."""
    folder, itself = path.resolve().parent, path.resolve()
    found = set()
    for name in read:
        p = Path(name)
        p = (p if p.is_absolute() else Path.cwd() / p).resolve()
        if p != itself and p.is_relative_to(folder) and "__pycache__" not in p.parts and p.is_file():
            found.add(p)
    return sorted(found)


# Files a scene file reads while it loads (helper modules beside it, data files), by scene
# file: what its outputs depend on besides its own bytes (``source``).
_READ: dict[Path, list[Path]] = {}
_reading: list[str] | None = None


def _audit(event, args):
    if event == "open" and _reading is not None and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _reading.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def dependencies(path) -> list[Path]:
    """The files under a scene file's folder that it read when it was last loaded (a
    helper module, a data file): resolved paths, itself not included."""
    return list(_READ.get(Path(path).resolve(), []))


def source(path) -> bytes:
    """The bytes a scene file's outputs depend on: its own, and those of every file under its
    folder that it read when it was last loaded (a helper module, a data file), each with
    its name. A change to any of them makes the outputs out of date."""
    path = Path(path)
    parts = [path.read_bytes()]
    for dep in dependencies(path):
        try:
            parts += [b"\0" + str(dep).encode() + b"\0", dep.read_bytes()]
        except OSError:
            parts += [b"\0" + str(dep).encode() + b"\0missing"]
    return b"".join(parts)


def load(path) -> list[tuple[str, Scene]]:
    """Every Scene at module level of the file, with its output name.

    The name is the Scene's ``name``, else the file's stem, or stem-variable when the file
    holds several scenes. Raises SceneError with a one-line message on any problem.
    """
    path = Path(path)
    if not path.is_file():
        raise SceneError(f"{display(path)}: no such scene file")
    if path.suffix != ".py":
        raise SceneError(f"{display(path)}: not a scene file: scene files are Python modules ending in .py")
    module_name = f"render_scene_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    folder = str(path.resolve().parent)
    before = set(sys.modules)
    global _reading
    _reading = []
    sys.path.insert(0, folder)          # a helper module beside the scene file imports
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", ResourceWarning)       # (not the scene's business)
            spec.loader.exec_module(module)
    except SyntaxError as e:
        raise SceneError(f"{display(path)}:{e.lineno}: syntax error: {e.msg}") from e
    except KeyboardInterrupt:
        raise
    except SystemExit as e:
        code = "" if e.code is None else f": {one_line(e.code)}"
        raise SceneError(f"{_where(path, e)}: the scene file exits (SystemExit{code}); a scene file "
                         f"builds scenes and returns") from e
    except ValueError as e:
        raise SceneError(f"{_where(path, e)}: {one_line(e)}") from e
    except BaseException as e:  # the scene's own code failed, however: say what and where
        message = one_line(e)
        if message is None:
            raise SceneError(f"{_where(path, e)}: {type(e).__name__} (its message cannot be shown)") from e
        raise SceneError(f"{_where(path, e)}: {type(e).__name__}{': ' + message if message else ''}") from e
    finally:
        sys.modules.pop(module_name, None)
        read, _reading = _reading, None
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
        # Helpers imported from the scene's folder are the scene's: the next load of it (or
        # of a scene beside another helper of that name) imports them afresh.
        for name in set(sys.modules) - before:
            where = getattr(sys.modules[name], "__file__", None) or ""
            if where and Path(where).resolve().is_relative_to(folder):
                del sys.modules[name]
        _READ[path.resolve()] = _dependencies(path, read)
    for w in caught:
        warnings.warn_explicit(f"{display(path)}: {w.message}", w.category, str(path), w.lineno or 0)

    found = [(var, value) for var, value in vars(module).items()
             if isinstance(value, SCENE_TYPES) and not var.startswith("_")]
    if not found:
        raise SceneError(f"{display(path)}: no Scene at module level; assign one, e.g. scene = Scene(...)")
    named = []
    for var, scene in found:
        if scene.name:
            named.append((scene.name, scene))
            continue
        if not checks.is_name(path.stem):
            raise SceneError(f"{display(path)}: the file's name {path.stem!r} cannot name an output folder (use "
                             f"letters, digits, '-' and '_'); rename the file or give its Scene a name=")
        named.append((path.stem, scene) if len(found) == 1 else (f"{path.stem}-{var}", scene))
    names = [n for n, _ in named]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SceneError(f"{display(path)}: several scenes are named {duplicates[0]!r}; give each a distinct name=")
    return named
