"""The ``render`` command: parse, load scene files, call ``render_scene`` with an executor
(``render.executors``: this machine's processes, or a Dask cluster), report. It schedules
nothing itself; ``--watch`` renders again what changed.

Exit status: 0 success, 1 rendering failed, 2 bad command line or bad scene; interrupted by
Ctrl-C, TERM or HUP, 128 + the signal (130, 143, 129), with what was half-written removed.
Every error is one line on stderr; ``--debug`` adds the traceback.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import re
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import NoReturn

import click

from ._version import __version__
from .files import clear_debris
from .executors import Executor, Processes
from .interrupts import Interrupted as _Interrupted
from .memory import MemoryLimit
from .page import human_size
from .pipeline import PAGE, PAGES, QUALITY, render_scene, write_gallery
from .slides import PPTX_NEEDS, has_pptx
from .load import (NoScene, SceneError, dependencies, display, imports_render, load, one_line,
                   real, source as scene_source, where)
from .scene import MIN_FPS
from .sinks import FORMATS
from .themes import THEMES


CHOICES = (*FORMATS, *PAGES)


def _formats(ctx, param, value):
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in CHOICES]
    if unknown or not chosen:
        raise click.BadParameter(f"{unknown[0] if unknown else value!r} is not a format; "
                                 f"choose from {', '.join(CHOICES)} (comma-separated)")
    if "pptx" in chosen and not has_pptx():
        raise click.BadParameter(PPTX_NEEDS)
    return tuple(dict.fromkeys(chosen))


def _finite(ctx, param, value):
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of frames per second", ctx, param)
    return value


def _size(ctx, param, value):
    if value is None:
        return None
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT, e.g. 960x540") from None
    if not (16 <= w <= 7680 and 16 <= h <= 4320):
        raise click.BadParameter(f"{value!r}: width and height must be between 16 and 7680x4320")
    if w % 2 or h % 2:
        raise click.BadParameter(f"{value!r}: width and height must be even (videos need it), "
                                 f"e.g. {w + w % 2}x{h + h % 2}")
    return (w, h)


UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "m": 2**20, "mb": 2**20, "mib": 2**20}


def _bytes(ctx, param, value):
    """A size like 5MiB, 5MB, 5M, 800KiB or 300000 (bytes); K and M count in 1024s; "off" is
    0, no budget."""
    if value is None:
        return None
    if value.strip().lower() == "off":
        return 0
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([a-z]*)\s*", value.lower())
    if not match or match.group(2) not in UNITS:
        raise click.BadParameter(f"{value!r} is not a size; write e.g. 5MiB, 800KiB or 300000 (bytes), "
                                 f"or off")
    number = match.group(1)
    if len(number) > 15:
        raise click.BadParameter(f"{value[:20]!r}... is not a size; write e.g. 5MiB, 800KiB or 300000 "
                                 f"(bytes), or off")
    size = int(float(number) * UNITS[match.group(2)])
    if size < 1024:
        raise click.BadParameter(f"{value!r} is less than 1 KiB; no GIF fits in it")
    return size


def _folder(ctx, param, value):
    if not value.strip():           # (as a Path, '' would be '.': the working folder)
        raise click.BadParameter(f"{value!r} names no folder; give one, e.g. --out output")
    return Path(value)


def _scene_files(paths, missing_ok=False) -> list[Path]:
    """The scene files of PATHs: files as given, and in each folder the ``*.py`` but
    ``_*.py`` that import render (read, not run: a folder's other files are never run)."""
    files = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.glob("*.py") if not f.name.startswith("_") and f.is_file())
            found = [f for f in found if imports_render(f)]
            if not found and not missing_ok:
                raise click.BadParameter(f"{display(p)}: the folder holds no scene files (*.py files that "
                                         f"import render)", param_hint="PATH")
            files += [_InFolder(f) for f in found]
        else:
            files.append(p)
    return files


class _InFolder(type(Path())):
    """A file found in a folder given as PATH, not named: if it builds no Scene, it is a
    helper module of the scenes beside it, skipped, not an error."""


class _OneLineErrors(click.Command):
    """Usage errors as one line (``render: ...``), not click's usage block."""

    def main(self, args=None, prog_name=None, **extra):
        # (click's own main says an interrupt with an empty line before it: here it is one
        # line, after a line break only on a terminal, where it closes the echoed ^C)
        extra.pop("standalone_mode", None)
        args = sys.argv[1:] if args is None else list(args)
        previous = _Interrupted.install(keep=True)
        try:
            with self.make_context(prog_name or "render", args, **extra) as ctx:
                code = self.invoke(ctx)
        except click.exceptions.Exit as e:          # --help, --version
            code = e.exit_code
        except click.UsageError as e:
            hint = f" (option {e.param_hint})" if getattr(e, "param_hint", None) and \
                isinstance(e, click.BadParameter) else ""
            click.echo(f"render: {e.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as e:
            click.echo(f"render: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except (KeyboardInterrupt, click.Abort):
            click.echo(("\n" if sys.stderr.isatty() else "") + _Interrupted.message(), err=True)
            sys.exit(_Interrupted.code())
        finally:
            _Interrupted.restore(previous)
        sys.exit(code or 0)


def run() -> NoReturn:
    """The ``render`` command (``render.__main__.run`` has handled the signals since the
    program's first instant): ``main``, then out at once. Tearing the interpreter down
    (every module, every figure, one by one) took a tenth of a second after the last file
    was in place; by then every output is written and closed, every child process waited
    for, and the exit status is all that is left to give."""
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
    sys.stdout.flush()                  # (a signal from here on is the program's: render.__main__)
    sys.stderr.flush()
    os._exit(code)


def _say_warnings() -> None:
    """Every warning is recorded, to be said in one line, but a ResourceWarning: Python keeps
    those for developers (an unclosed file, found when it is collected, whoever left it)."""
    warnings.simplefilter("always")
    warnings.simplefilter("ignore", ResourceWarning)


def _progress_factory(enabled: bool, scene_name: str):
    """Each frame drawn ticks a progress bar (when ``enabled``), and is a point where an
    interrupt that was lost is raised again: the handler's exception is dropped if the
    signal lands while a destructor or a weakref callback runs (Python says "Exception
    ignored" and goes on)."""
    def factory(view_name, frames):
        bar = None
        if enabled:
            bar = click.progressbar(length=frames, label=f"{scene_name}/{view_name}", file=sys.stderr,
                                    show_pos=True, width=30)

        def tick():
            if _Interrupted.seen:
                raise KeyboardInterrupt
            if bar is not None:
                bar.update(1)
        return tick, bar if bar is not None else contextlib.nullcontext()
    return factory


def _error(message: str) -> None:
    click.echo(f"render: {message}", err=True)


@dataclasses.dataclass
class _Renders:
    """One command's choices, and the scenes it has loaded by file: renders them, once or
    (``--watch``) each time their files change."""

    out: Path
    formats: tuple
    views: tuple
    picked: tuple
    size: tuple | None
    fps: float | None
    quality: str
    theme: str | None
    data: bool
    hashes: bool
    force: bool
    progress: bool | None
    debug: bool
    gif_budget: int | None = None
    executor: Executor = dataclasses.field(default_factory=Executor)      # where the work runs
    show: bool = False                 # progress bars
    loaded: dict = dataclasses.field(default_factory=dict)
    helpers: set = dataclasses.field(default_factory=set)       # files in a folder that build no Scene

    def load(self, files) -> bool:
        """Load ``files`` (replacing what was loaded from them); False if any failed. A
        file found in a folder that builds no Scene is a helper module: said, not failed."""
        ok = True
        for file in files:
            self.helpers.discard(file)
            self.loaded.pop(file, None)
            try:
                with warnings.catch_warnings(record=True) as caught:
                    _say_warnings()
                    self.loaded[file] = load(file)
                for w in caught:
                    _error(f"warning: {one_line(w.message)}")
            except NoScene as e:
                if not isinstance(file, _InFolder):
                    _error(str(e))
                    ok = False
                self.helpers.add(file)
            except SceneError as e:
                _error(str(e))
                if self.debug:
                    traceback.print_exception(e.__cause__ or e, file=sys.stderr)
                ok = False
        return ok

    def scenes(self, files=None) -> list:
        """``[(file, name, scene)]`` of ``files`` (default all loaded), as --scene picks."""
        return [(file, name, scene) for file, found in self.loaded.items()
                if files is None or file in files
                for name, scene in found if not self.picked or name in self.picked]

    def check(self) -> bool:
        """Names that clash, --scene and --view that name nothing: one line each, False."""
        first: dict[str, Path] = {}
        for file, found in self.loaded.items():
            for name, _ in found:
                if name in first and first[name] != file:
                    _error(f"{display(first[name])} and {display(file)} both render to "
                           f"{display(Path(self.out) / name)}; give one of their scenes another name=")
                    return False
                first.setdefault(name, file)
        missing = [n for n in self.picked if n not in first]
        if missing:
            _error(f"no scene is named {missing[0]!r}; the scenes are {', '.join(sorted(first)) or 'none'} "
                   f"(option --scene)")
            return False
        for file, name, scene in self.scenes():
            names = [v.name for v in scene.views]
            if self.views and not set(self.views) & set(names):
                _error(f"{display(file)}: scene {name!r} has no view {self.views[0]!r}; "
                       f"it has {', '.join(names)}")
                return False
        everywhere = {v.name for _, _, scene in self.scenes() for v in scene.views}
        unknown = [v for v in self.views if v not in everywhere]
        if unknown:
            _error(f"no scene has a view named {unknown[0]!r}; the views are {', '.join(sorted(everywhere))} "
                   f"(option --view)")
            return False
        return True

    def render(self, files=None) -> int:
        """Render the scenes of ``files`` (default all loaded) with the executor; then the
        gallery page, when pages are asked for and there are several scenes. 0, or 1 when a
        scene failed."""
        started = time.perf_counter()
        self.show = sys.stderr.isatty() if self.progress is None else self.progress
        total = 0
        outcomes = self.executor.scenes(self.scenes(files), self._one, apart=not self.debug,
                                        tidy=lambda item: clear_debris(Path(self.out) / item[1]))
        with contextlib.closing(outcomes):
            for (file, name, _), (written, messages, error) in outcomes:
                for message in messages:
                    _error(f"warning: {display(file)}: {message}")
                if isinstance(error, KeyboardInterrupt) and _Interrupted.is_users(error):
                    raise error
                if error is not None:
                    if _Interrupted.seen:        # an error of the interrupted cleanup, not a failure
                        raise KeyboardInterrupt from error
                    if isinstance(error, MemoryLimit):   # refused before any work: as a bad option
                        _error(f"{display(file)}: {one_line(error)}")
                        return 2
                    said = one_line(error)
                    _error(f"{getattr(error, 'where', None) or display(file)}: scene {name!r} failed: {type(error).__name__}"
                           f"{': ' + said if said else ''}")
                    if self.debug:
                        traceback.print_exception(error, file=sys.stderr)
                    return 1
                total += self._report(written)
        everything = self.scenes()
        if PAGE in self.formats and len(everything) > 1:
            total += self._report([write_gallery(self.out, [(n, s, f) for f, n, s in everything],
                                                 self.size, self.quality, self.formats,
                                                 self.views or None)])
        click.echo(f"wrote {total} file{'s' * (total != 1)} in {time.perf_counter() - started:.1f} s")
        return 0

    def _one(self, item, executor, progress=None, caught=None):
        """Render one scene (``item``: file, name, scene) with ``executor``: (what it wrote,
        its warnings as lines, None) or (None, its warnings, the error). ``progress``: the
        executor's (a process of its own says each frame), else this command's bars.
        ``caught``: where this thread's warnings are being recorded already (a cluster's
        scenes, each from a thread)."""
        file, name, scene = item
        # A warning while rendering (a minimum that cannot be polished, say) is one line too.
        with contextlib.ExitStack() as stack:
            if caught is None:
                caught = stack.enter_context(warnings.catch_warnings(record=True))
                _say_warnings()
            try:
                # (--view names views of several scenes: each renders those it has)
                own = [v for v in self.views if v in {view.name for view in scene.views}]
                written = render_scene(scene, name=name, out=self.out, formats=self.formats,
                                       views=own or None, size=self.size, fps=self.fps,
                                       quality=self.quality, theme=self.theme, gif_budget=self.gif_budget,
                                       executor=executor, data=self.data, hashes=self.hashes, force=self.force,
                                       source=scene_source(file), file=file,
                                       progress=progress or _progress_factory(self.show, name))
                error = None
            except KeyboardInterrupt as e:
                if _Interrupted.is_users(e):
                    raise
                written, error = None, e          # raised by the scene's own code
            except Exception as e:
                written, error = None, e
            except BaseException as e:            # SystemExit, GeneratorExit from the scene's code
                written, error = None, e
        if error is not None:
            # Where in the scene file it failed, said by the process it failed in (the
            # traceback does not cross to another process; an attribute does).
            error.where = where(file, error)
        return written, list(dict.fromkeys(one_line(w.message) for w in caught)), error

    @staticmethod
    def _report(written) -> int:
        for w in written:
            note = "  (up to date)" if w.skipped else ""
            said = f"  ({w.note})" if w.note else ""
            click.echo(f"{w.path}  {human_size(w.bytes)}{said}{note}")
        return sum(not w.skipped for w in written)

    def watched(self, files) -> set[Path]:
        """Every file whose change matters: the scene files and what each read."""
        found = {real(f) for f in files}
        for f in self.loaded:
            found |= set(dependencies(f))
        return found


def _say_skipped(paths, files, helpers) -> None:
    """One line for each folder given as PATH whose Python files are not all scene files:
    which were skipped (they do not import render, or they build no Scene)."""
    for p in paths:
        if p.is_dir():
            skipped = [f.name for f in sorted(p.glob("*.py")) if not f.name.startswith("_") and f.is_file()
                       and (f not in files or f in helpers)]
            if skipped:
                _error(f"{display(p)}: skipped {', '.join(skipped)}: not scene files (they build no Scene)")


def _watch(paths, renders: _Renders) -> NoReturn:
    """Render, then render again the scenes of each scene file when it, or a file it read,
    changes; new scene files in a folder given as PATH are rendered too. Errors are one line
    each and the watch goes on; it ends with Ctrl-C (or TERM, HUP)."""
    import watchfiles

    files = _scene_files(paths)
    seen, pending = set(files), set(renders.loaded)
    roots = sorted({str(real(p) if p.is_dir() else real(p).parent) for p in paths})
    # One watcher for the whole session, started before the first render: an edit made
    # while a render runs is kept for the next round, not lost between two watchers.
    events = watchfiles.watch(*roots, debounce=200, step=50, raise_interrupt=True, rust_timeout=100,
                              yield_on_timeout=True)
    next(events)
    while True:
        # Scenes wait while a name clashes or --scene names none of them: one line says so.
        if renders.check():
            renders.render([f for f in files if f in pending])
            pending.clear()
        click.echo(f"render: watching {len(renders.watched(files))} files in {', '.join(roots)} "
                   f"(Ctrl-C to stop)", err=True)
        redo = []
        for changes in events:
            if not changes:
                continue                    # a timeout with nothing changed
            changed = {real(p) for _, p in changes}
            files = [f for f in _scene_files(paths, missing_ok=True) if f.is_file()]
            for gone in set(renders.loaded) - set(files):
                del renders.loaded[gone]
            redo = [f for f in files if f not in seen or real(f) in changed
                    or changed & set(dependencies(f))]
            seen |= set(files)
            if redo:
                break
        renders.load(redo)
        pending |= {f for f in redo if f in renders.loaded}


@click.command(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="render", message="%(prog)s %(version)s")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", default="output", show_default=True, callback=_folder,
              type=click.Path(file_okay=False),
              help="Folder for outputs: OUT/<scene>/<view>.<ext>.")
@click.option("--format", "formats", default="gif,mp4", show_default=True, callback=_formats,
              help=f"Comma-separated: {', '.join(CHOICES)}. html writes OUT/<scene>/index.html (a player "
                   f"for each view) and, for several scenes, OUT/index.html; slides writes "
                   f"OUT/<scene>/slides.html (a deck in one file), pptx OUT/<scene>/slides.pptx.")
@click.option("--view", "views", multiple=True, help="Render only this view (repeatable).")
@click.option("--scene", "picked", multiple=True, metavar="NAME",
              help="Render only the scene with this output name (repeatable).")
@click.option("--size", callback=_size, help="WIDTHxHEIGHT in pixels (even); overrides --quality.")
@click.option("--fps", type=click.FloatRange(MIN_FPS, 100), callback=_finite, help="Frames per second "
              "(default: the scene's).")
@click.option("--quality", type=click.Choice(list(QUALITY)), default=None,
              help="Preset: " + ", ".join(f"{k} {w}x{h}" for k, (w, h) in QUALITY.items()) +
                   " (default: medium; low with --watch).")
@click.option("--theme", type=click.Choice(list(THEMES)), default=None,
              help="Draw in this theme (default: the scene's, light unless it says otherwise).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes drawing at once (default: cores): a scene's views side by side, or an "
                   "orbiting view's frames.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where to draw: this machine's processes, or Dask (a LocalCluster of this machine's "
                   "cores, unless --scheduler names a cluster); Dask needs pip install 'render-descent[dask]'.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Render on the running Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
                   "only this process writes files.")
@click.option("--gif-budget", callback=_bytes, metavar="SIZE",
              help="Make each GIF fit in SIZE (e.g. 5MiB): fewer frames (down to 8 fps), then fewer "
                   "pixels (down to 320 wide); the output line says what was done. Default: 5MiB for "
                   "a view whose camera or window moves, none for others; off: none.")
@click.option("--data", is_flag=True, help="Also write the numbers: OUT/<scene>/trajectories.csv "
              "and events.csv (responses.csv for a ResponseScene).")
@click.option("--hashes", is_flag=True, help="Also write OUT/<scene>/<view>.hashes.json.")
@click.option("--force", is_flag=True, help="Render even outputs that are up to date.")
@click.option("--watch", is_flag=True, help="Render, then render again what changes whenever a scene "
              "file or a file it reads is saved, until Ctrl-C.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bars on stderr (default: when it is a terminal).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def main(paths, out, formats, views, picked, size, fps, quality, theme, jobs, executor, scheduler, gif_budget,
         data, hashes, force, watch, progress, debug):
    """Render scene files (or folders of them) into animations."""
    if quality is None:
        quality = "low" if watch and size is None else "medium"
    renders = _Renders(out, formats, views, picked, size, fps, quality, theme, data, hashes,
                       force, progress, debug, gif_budget, Processes(jobs))
    files = _scene_files(paths)
    loaded = renders.load(files)
    _say_skipped(paths, files, renders.helpers)
    if not watch and (not loaded or not renders.check()):
        return 2
    with contextlib.ExitStack() as stack:
        if executor == "dask" or scheduler is not None:
            from .cluster import ClusterError, connect
            try:
                renders.executor = stack.enter_context(connect(scheduler, jobs))
            except ClusterError as e:
                _error(str(e))
                return 2
        if watch:
            _watch(paths, renders)              # until Ctrl-C, TERM or HUP
        return renders.render()
