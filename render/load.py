"""Reading scene files: a scene file is the user's own Python module; every Scene it builds
at module level is rendered.

``load(path)`` returns ``[(output name, scene), ...]`` or raises ``SceneError`` with one line
naming the file, the line and what went wrong.
"""
from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import tokenize
import warnings
from pathlib import Path

from . import checks
from .checks import one_line
from .interrupts import Interrupted
from .scene import SCENE_TYPES, Scene

__all__ = ["load", "source", "dependencies", "display", "imports_render", "one_line", "real", "where", "SceneError",
           "NoScene"]


class SceneError(Exception):
    """A scene file that cannot be loaded; the message is one line naming file and line."""


class NoScene(SceneError):
    """A file that runs but builds no Scene at module level (a helper module, in a folder)."""


# What to install for a module a scene imports that an extra of render brings.
EXTRAS = {"torch": "PyTorch: pip install -e '.[torch]' (or pip install torch)",
          "distributed": "Dask: pip install 'render-descent[dask]'", "dask": "Dask: pip install 'render-descent[dask]'"}


def _install(name: str | None) -> str:
    """What to do about a module the scene needs and this Python lacks."""
    top = (name or "").split(".")[0]
    if top in EXTRAS:
        return f"the scene needs {EXTRAS[top]}"
    return "install it into this Python, or remove the import"


def where(path: Path, exc: BaseException) -> str:
    """'file:line' for the innermost frame of the exception that lies in the scene file."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if real(tb.tb_frame.f_code.co_filename) == real(path):
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{display(path)}:{line}" if line else display(path)


def real(path) -> Path:
    """The path with every symlink followed, made absolute; a symlink loop is left as it
    is rather than raised (``Path.resolve`` raises RuntimeError on one)."""
    return Path(os.path.realpath(path))


def display(path: Path) -> str:
    """A path for a one-line message: as it is, or quoted with escapes if it holds a
    character that is not printable (a newline in a file name)."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _dependencies(path: Path, read: list[str]) -> list[Path]:
    """The files under the scene's folder it read, but itself and compiled caches."""
    folder, itself = real(path).parent, real(path)
    found = set()
    for name in read:
        p = real(name)
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


_hooked = False


def _hook() -> None:
    """Python's audit hook that records the files a scene reads: added by the first load,
    not by importing this module (a hook cannot be taken out again)."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True


def dependencies(path) -> list[Path]:
    """The files under a scene file's folder that it read when it was last loaded (a
    helper module, a data file): resolved paths, itself not included."""
    return list(_READ.get(real(path), []))


def source(path) -> bytes:
    """The bytes a scene file's outputs depend on: its own, and those of every file under its
    folder that it read when it was last loaded (a helper module, a data file), each with
    its name. A change to any of them makes the outputs out of date."""
    path = Path(path)
    parts = [path.read_bytes()]
    for dep in dependencies(path):
        try:
            parts += [b"\0" + os.fsencode(dep) + b"\0", dep.read_bytes()]
        except OSError:
            parts += [b"\0" + os.fsencode(dep) + b"\0missing"]
    return b"".join(parts)


class _Beside(importlib.abc.MetaPathFinder):
    """Finds the modules and packages that sit in one folder (a scene file's helpers), last:
    the standard library and installed packages come first. A file named like a module of
    the standard library (``secrets.py``, ``hmac.py``) beside a scene file is never run in
    its place, whoever imports that module, now or later."""

    def __init__(self, folder: str):
        self.folder = folder

    def find_spec(self, name, path=None, target=None):
        if path is not None:              # a submodule: its package's own path finds it
            return None
        return importlib.machinery.PathFinder.find_spec(name, [self.folder])


def imports_render(path) -> bool:
    """Whether a Python file imports render (``import render``, ``from render import ...``),
    read without running it: in a folder, only such files can be scene files."""
    try:
        with tokenize.open(path) as f:
            tree = ast.parse(f.read(), filename=str(path))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return True                       # (loading it says what is wrong)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "render" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "render":
            return True
    return False


def _run(path: Path):
    """Run the scene file as a module of its own, with the modules beside it importable
    (after the standard library and installed packages) and nothing written beside it; its
    warnings said with its name; what it read recorded (``dependencies``). SceneError, one
    line with the file and line, for whatever the scene's code raises."""
    module_name = f"render_scene_{abs(hash(str(real(path))))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    folder = str(real(path).parent)
    before = set(sys.modules)
    global _reading
    _hook()
    _reading = []
    # A helper module beside the scene file imports, after the standard library and the
    # installed packages; nothing is written into the scene's folder (no __pycache__).
    beside, no_bytecode = _Beside(folder), sys.dont_write_bytecode
    sys.meta_path.append(beside)
    sys.dont_write_bytecode = True
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", ResourceWarning)       # (not the scene's business)
            spec.loader.exec_module(module)
    except SyntaxError as e:
        advice = ("; save the file as UTF-8, or declare its encoding on its first line "
                  "(# -*- coding: latin-1 -*-)" if "codec can't decode" in e.msg else "")
        at = f":{e.lineno}" if e.lineno else ""
        raise SceneError(f"{display(path)}{at}: syntax error: {one_line(e.msg)}{advice}") from e
    except KeyboardInterrupt as e:
        if Interrupted.is_users(e):
            raise
        raise SceneError(f"{where(path, e)}: the scene file raises KeyboardInterrupt; a scene file builds "
                         f"scenes and returns") from e
    except SystemExit as e:
        code = "" if e.code is None else f": {one_line(e.code)}"
        raise SceneError(f"{where(path, e)}: the scene file exits (SystemExit{code}); a scene file "
                         f"builds scenes and returns") from e
    except ValueError as e:
        raise SceneError(f"{where(path, e)}: {one_line(e)}") from e
    except ModuleNotFoundError as e:
        raise SceneError(f"{where(path, e)}: {one_line(e)}; {_install(e.name)}") from e
    except BaseException as e:  # the scene's own code failed, however: say what and where
        message = one_line(e)
        if message is None:
            raise SceneError(f"{where(path, e)}: {type(e).__name__} (its message cannot be shown)") from e
        raise SceneError(f"{where(path, e)}: {type(e).__name__}{': ' + message if message else ''}") from e
    finally:
        sys.modules.pop(module_name, None)
        read, _reading = _reading, None
        if beside in sys.meta_path:
            sys.meta_path.remove(beside)
        sys.dont_write_bytecode = no_bytecode
        # Helpers imported from the scene's folder are the scene's: the next load of it (or
        # of a scene beside another helper of that name) imports them afresh.
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if origin and real(origin).is_relative_to(folder):
                del sys.modules[name]
        _READ[real(path)] = _dependencies(path, read)
    for w in caught:
        warnings.warn_explicit(f"{display(path)}: {w.message}", w.category, str(path), w.lineno or 0)
    return module


def load(path) -> list[tuple[str, Scene]]:
    """Every Scene at module level of the file, with its output name.

    The name is the Scene's ``name``, else the file's stem, or stem-variable when the file
    holds several scenes. Raises SceneError with a one-line message on any problem.
    """
    path = Path(path)
    if not path.is_file():
        raise SceneError(f"{display(path)}: " + ("not a regular file; a scene file is a Python module ending in .py"
                                                 if path.exists() else "no such scene file"))
    if path.suffix != ".py":
        raise SceneError(f"{display(path)}: not a scene file: scene files are Python modules ending in .py")
    module = _run(path)

    found = [(var, value) for var, value in vars(module).items()
             if isinstance(value, SCENE_TYPES) and not var.startswith("_")]
    if not found:
        raise NoScene(f"{display(path)}: no Scene at module level; assign one, e.g. scene = Scene(...)")
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
