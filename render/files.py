"""Outputs written whole: each goes to a temporary name beside its target and is renamed
into place only when complete (``atomic_file`` for a file; ``temp_folder_beside`` and
``folder_into_place`` for a folder), so a failed or interrupted render leaves no partial
file and never touches an earlier good output. A render killed outright cannot tidy up:
``clear_debris`` removes what it left, known by those temporary names, once its process is
gone.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = ["atomic_file", "folder_into_place", "temp_folder_beside", "clear_debris"]


class atomic_file:
    """``with atomic_file(path) as temp:`` write temp; it replaces path only on success."""

    def __init__(self, path):
        self.path = Path(path)

    def __enter__(self) -> Path:
        self.temp = _temp_beside(self.path, ".part" + _extension(self.path))
        return self.temp

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                _readable(self.temp)
                _into_place(self.temp, self.path)
        finally:
            self.temp.unlink(missing_ok=True)         # (gone already if it was moved into place)
        return False


def folder_into_place(temp: Path, path: Path) -> None:
    """Move the finished folder ``temp`` to ``path``, replacing any folder there whole."""
    _readable(temp, folder=True)
    # Move what is there aside (under this process's name), then ours into place. A
    # render writing the same folder at the same moment may put its own there in
    # between: then that is moved aside too and we try again; the last one in wins.
    for attempt in range(20):
        old = None
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                raise ValueError(f"{path} is a file where the frames' folder would go; move it "
                                 f"away or choose another --out")
            old = path.with_name(f"{_temp_prefix(path)}{os.urandom(4).hex()}.old")
            try:
                os.replace(path, old)
            except FileNotFoundError:
                old = None                   # the other render moved it first
        try:
            os.replace(temp, path)
        except OSError as e:
            if e.errno not in (errno.ENOTEMPTY, errno.EEXIST) or attempt == 19:
                raise
            continue
        finally:
            if old is not None:
                _remove(old)
        return


def temp_folder_beside(path: Path) -> Path:
    """A new private folder beside ``path`` (its parent made if missing), named so that
    ``clear_debris`` knows it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=".part", dir=path.parent))


def _into_place(temp: Path, path: Path) -> None:
    """Rename a finished file over ``path``; a folder in the way is an error that says so
    (the temporary file is the caller's to remove)."""
    if path.is_dir() and not path.is_symlink():
        raise ValueError(f"{path} is a folder where a file would go; move it away or choose another --out")
    os.replace(temp, path)


def _temp_beside(path: Path, suffix: str) -> Path:
    """A new private file in ``path``'s folder (made if missing), hidden and named after it
    and after this process (``clear_debris`` knows it by that); ``suffix`` is one of the
    kinds ``_DEBRIS`` knows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(temp)


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.render-{os.getpid()}."


def _extension(path: Path) -> str:
    """A target's extension as its temporary file ends with it: ".json", ".gif" ('' for none)."""
    return path.suffix if _EXTENSION.fullmatch(path.suffix) else ""


# Every temporary name is ``.<target>.render-<pid>.<token><kind>``: hidden, named after the
# output it becomes and the process writing it, then a random token (tempfile's, or 8 hex
# digits) and one of these kinds:
#   .part<ext>    a file becoming <target>, which ends with <ext> (".gif", ".hashes.json", ".csv")
#   .palette.png  the palette of a GIF (<target> ends with ".gif")
#   .part         a folder becoming the frames folder <target>
#   .old          the earlier frames folder <target> (or a link), moved aside to be removed;
#                 its token is 8 hex digits
# ``clear_debris`` removes an entry only if its whole name has this form, its kind fits both
# the target and what the entry is (a file, a folder), and its process is gone: a name that
# merely looks like one (".notes.render-999999.backup") is left alone.
_EXTENSION = re.compile(r"(\.[a-z0-9]{1,8}){1,2}")
_DEBRIS = re.compile(r"\.(?P<target>.+)\.render-(?P<pid>[1-9][0-9]{0,9})\.(?P<token>[a-z0-9_]{1,16})"
                     r"(?P<kind>\.part(?P<ext>(?:\.[a-z0-9]{1,8}){0,2})|\.palette\.png|\.old)")


def _is_debris(entry: Path) -> bool:
    """Whether ``entry`` is a temporary file or folder of a render whose process is gone."""
    match = _DEBRIS.fullmatch(entry.name)
    if match is None:
        return False
    target, token, kind, ext = match.group("target", "token", "kind", "ext")
    try:
        link = entry.is_symlink()
        folder = entry.is_dir() and not link
    except OSError:
        return False
    if kind == ".palette.png":
        fits = not folder and target.endswith(".gif")
    elif kind == ".old":                               # a frames folder, or a link to one
        fits = (folder or link) and re.fullmatch(r"[0-9a-f]{8}", token) is not None
    elif ext:
        fits = not folder and target.endswith(ext)
    else:
        fits = folder
    return fits and not _alive(int(match.group("pid")))


def clear_debris(folder: Path) -> None:
    """Remove what a render killed outright (a KILL, a power cut) left in ``folder``: its
    temporary files and folders, known by their names (``_DEBRIS``), made by a process that
    no longer exists. Those of a render still running, here or in another process, and
    anything else, are left alone."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return
    for entry in entries:
        if _is_debris(entry):
            _remove(entry)


def _remove(path: Path) -> None:
    """A file, a folder, or a symlink (not what it points to), gone."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True             # someone else's process (or not a pid): not ours to judge
    return True


def _readable(path: Path, folder: bool = False) -> None:
    """Temporary files are private (0600); a finished output gets the usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if folder else 0o666) & ~umask)
