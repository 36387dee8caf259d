"""The ``render`` command: parse, load scene files, delegate to the pipeline, report.

Exit status: 0 success, 1 rendering failed, 2 bad command line or bad scene; interrupted by
Ctrl-C, TERM or HUP, 128 + the signal (130, 143, 129), with what was half-written removed.
Every error is one line on stderr; ``--debug`` adds the traceback.
"""
from __future__ import annotations

import math
import signal
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path

try:                      # a Ctrl-C while the libraries load is still just an interruption
    import click

    from .encode import FORMATS
    from .frames import default_jobs
    from .pipeline import QUALITY, render_scene
    from .load import SceneError, display, load, one_line, source as scene_source
    from .scene import MIN_FPS
    from .themes import THEMES
except KeyboardInterrupt:
    sys.stderr.write("render: interrupted\n")
    sys.exit(130)


def _formats(ctx, param, value):
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"{unknown[0] if unknown else value!r} is not a format; "
                                 f"choose from {', '.join(FORMATS)} (comma-separated)")
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


def _scene_files(paths) -> list[Path]:
    files = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.glob("*.py") if not f.name.startswith("_"))
            if not found:
                raise click.BadParameter(f"{p}: the folder holds no scene files (*.py)",
                                         param_hint="PATH")
            files += found
        else:
            files.append(p)
    return files


class _Interrupted:
    """Remembers a Ctrl-C, a TERM or a HUP: whatever a cleanup raises after it, the render
    was interrupted, and it exits 128 + the signal's number, as a shell reports it."""

    seen = False
    signum = signal.SIGINT
    SIGNALS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}

    @classmethod
    def handler(cls, signum, frame):
        if not cls.seen:
            cls.seen, cls.signum = True, signum
        raise KeyboardInterrupt

    @classmethod
    def install(cls) -> dict:
        """Handle the three signals (from the main thread only); the handlers they replace."""
        cls.seen, cls.signum = False, signal.SIGINT
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {s: signal.signal(s, cls.handler) for s in cls.SIGNALS}


class _OneLineErrors(click.Command):
    """Usage errors as one line (``render: ...``), not click's usage block."""

    def main(self, args=None, prog_name=None, **extra):
        extra["standalone_mode"] = False
        previous = _Interrupted.install()
        try:
            code = super().main(args=args, prog_name=prog_name or "render", **extra)
        except click.UsageError as e:
            hint = f" (option {e.param_hint})" if getattr(e, "param_hint", None) and \
                isinstance(e, click.BadParameter) else ""
            click.echo(f"render: {e.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as e:
            click.echo(f"render: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except (KeyboardInterrupt, click.Abort):
            signum = _Interrupted.signum
            click.echo(f"render: {_Interrupted.SIGNALS[signum]}", err=True)
            sys.exit(128 + int(signum))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        sys.exit(code or 0)


def _progress_factory(enabled: bool, scene_name: str):
    if not enabled:
        return None

    def factory(view_name, frames):
        bar = click.progressbar(length=frames, label=f"{scene_name}/{view_name}", file=sys.stderr,
                                show_pos=True, width=30)
        return (lambda: bar.update(1)), bar
    return factory


def _human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


@click.command(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", default="output", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for outputs: OUT/<scene>/<view>.<ext>.")
@click.option("--format", "formats", default="gif,mp4", show_default=True, callback=_formats,
              help=f"Comma-separated: {', '.join(FORMATS)}.")
@click.option("--view", "views", multiple=True, help="Render only this view (repeatable).")
@click.option("--size", callback=_size, help="WIDTHxHEIGHT in pixels (even); overrides --quality.")
@click.option("--fps", type=click.FloatRange(MIN_FPS, 100), callback=_finite, help="Frames per second "
              "(default: the scene's).")
@click.option("--quality", type=click.Choice(list(QUALITY)), default="medium", show_default=True,
              help="Preset: " + ", ".join(f"{k} {w}x{h}" for k, (w, h) in QUALITY.items()) + ".")
@click.option("--theme", type=click.Choice(list(THEMES)), default=None,
              help="Draw in this theme (default: the scene's, light unless it says otherwise).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for drawing frames (default: cores).")
@click.option("--data", is_flag=True, help="Also write the numbers: OUT/<scene>/trajectories.csv "
              "(responses.csv for a ResponseScene).")
@click.option("--hashes", is_flag=True, help="Also write OUT/<scene>/<view>.hashes.json.")
@click.option("--force", is_flag=True, help="Render even outputs that are up to date.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bars on stderr (default: when it is a terminal).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def main(paths, out, formats, views, size, fps, quality, theme, jobs, data, hashes, force, progress,
         debug):
    """Render scene files (or folders of them) into animations."""
    started = time.perf_counter()
    scenes = []
    failed = False
    for file in _scene_files(paths):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                loaded = load(file)
            for w in caught:
                click.echo(f"render: warning: {one_line(w.message)}", err=True)
        except SceneError as e:
            click.echo(f"render: {e}", err=True)
            if debug:
                traceback.print_exception(e.__cause__ or e, file=sys.stderr)
            failed = True
            continue
        scenes += [(file, name, scene) for name, scene in loaded]
    if failed:
        return 2
    first: dict[str, Path] = {}
    for file, name, scene in scenes:
        if name in first and first[name] != file:
            click.echo(f"render: {display(first[name])} and {display(file)} both render to "
                       f"{display(Path(out) / name)}; give one "
                       f"of their scenes another name=", err=True)
            return 2
        first.setdefault(name, file)
    for file, name, scene in scenes:
        names = [v.name for v in scene.views]
        missing = [v for v in views if v not in names]
        if views and len(missing) == len(views):
            click.echo(f"render: {display(file)}: scene {name!r} has no view {missing[0]!r}; "
                       f"it has {', '.join(names)}", err=True)
            return 2

    show = sys.stderr.isatty() if progress is None else progress
    total = 0
    for file, name, scene in scenes:
        try:
            # A warning while rendering (a minimum that cannot be polished, say) is one line too.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                written = render_scene(name, scene, out=out, formats=formats, views=views or None,
                                       size=size, fps=fps, quality=quality, theme=theme,
                                       jobs=jobs or default_jobs(),
                                       data=data, hashes=hashes, force=force, source=scene_source(file),
                                       progress=_progress_factory(show, name))
            for message in dict.fromkeys(one_line(w.message) for w in caught):
                click.echo(f"render: warning: {display(file)}: {message}", err=True)
        except KeyboardInterrupt:
            raise
        except Exception as e:
            if _Interrupted.seen:            # an error of the interrupted cleanup, not a failure
                raise KeyboardInterrupt from e
            click.echo(f"render: {display(file)}: scene {name!r} failed: {type(e).__name__}: {one_line(e)}",
                       err=True)
            if debug:
                traceback.print_exc(file=sys.stderr)
            return 1
        for w in written:
            note = "  (up to date)" if w.skipped else ""
            click.echo(f"{w.path}  {_human(w.bytes)}{note}")
            total += not w.skipped
    click.echo(f"wrote {total} file{'s' * (total != 1)} in {time.perf_counter() - started:.1f} s")
    return 0
