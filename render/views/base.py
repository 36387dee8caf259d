"""What every view shares: the pinned style, the figure, the Drawing base class."""
from __future__ import annotations

import functools

import matplotlib
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .. import framing
from ..plan import STATUS_PARTS
from .glyphs import GlyphText, shown

__all__ = ["Drawing", "PinnedAnimation", "PinnedFigure", "animation", "clip_path", "clip_segments", "contour_levels", "style"]

# The type scale, in points of a figure FIGURE_WIDTH inches wide: every text is TEXT points
# but the title. At 960x540 (100 dots an inch) capitals and digits are 12 pixels tall; at
# 640x360 and smaller presets the figure narrows to READABLE_DPI, where they are 9 (the
# least a phone or a projector shows legibly); at 1920x1080 the same figure at twice the
# resolution.
TEXT = 11.0
TITLE = 14.0

# What decides pixels is pinned here rather than inherited from a user's matplotlibrc.
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": TEXT,
    "text.hinting": "default",
    "axes.titlesize": TEXT,
    "axes.labelsize": TEXT,
    "legend.fontsize": TEXT,
    "xtick.labelsize": TEXT,
    "ytick.labelsize": TEXT,
    "xtick.major.pad": 2.5,
    "ytick.major.pad": 2.5,
    "axes.labelpad": 2.0,
    "legend.handlelength": 1.5,
    "legend.borderpad": 0.3,
    "legend.labelspacing": 0.3,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "path.simplify": True,
    "svg.hashsalt": "render",
    "image.interpolation": "antialiased",
}


class style:
    """``with style(theme):`` matplotlib's defaults plus STYLE and the theme's colours,
    whatever the user's configuration says, restored on exit. Entered around every drawing
    call, so it is kept cheap: the target values are computed once per theme and swapped in
    without re-validation."""

    _targets: dict = {}

    def __init__(self, theme=None):
        self.theme = theme

    @classmethod
    def target(cls, theme=None) -> dict:
        key = None if theme is None else theme.name
        if key not in cls._targets:
            with matplotlib.rc_context():
                matplotlib.rcdefaults()
                matplotlib.rcParams.update(STYLE)
                if theme is not None:
                    matplotlib.rcParams.update(theme.rc())
                cls._targets[key] = {k: v for k, v in dict.items(matplotlib.rcParams) if k != "backend"}
        return cls._targets[key]

    def __enter__(self):
        params, target = matplotlib.rcParams, self.target(self.theme)
        self._saved = {k: dict.__getitem__(params, k) for k in target}
        dict.update(params, target)
        return self

    def __exit__(self, *exc):
        dict.update(matplotlib.rcParams, self._saved)
        return False


class PinnedFigure(Figure):
    """A Figure that draws and saves inside ``style()``: whoever draws it (our frames,
    FuncAnimation in a notebook, ``savefig``), the user's rcParams decide no pixel."""

    theme = None

    def draw(self, renderer):
        with style(self.theme):
            return super().draw(renderer)

    def savefig(self, *args, **kwargs):
        with style(self.theme):
            return super().savefig(*args, **kwargs)


class PinnedAnimation(FuncAnimation):
    """A FuncAnimation whose files are made in the pinned style. ``Animation.save`` (behind
    ``to_jshtml`` too) reads savefig.* from rcParams and passes them on as arguments, so
    those are pinned around it; the user's animation.* settings (the encoder, embed limits)
    are left as they are."""

    def save(self, *args, **kwargs):
        pinned = {k: v for k, v in style.target(self._fig.theme).items() if k.startswith("savefig.")}
        with matplotlib.rc_context(pinned):
            return super().save(*args, **kwargs)


def animation(drawing, fps: float) -> PinnedAnimation:
    """A FuncAnimation of ``drawing``, each frame updated, drawn and saved in the pinned style."""
    def update(frame):
        with style(drawing.theme):
            return drawing.update(frame)

    for artist in drawing.animated:
        artist.set_animated(False)
    return PinnedAnimation(drawing.figure, update, frames=len(drawing), interval=1000 / fps, blit=False)


FIGURE_WIDTH = 9.6     # inches: 960 pixels at matplotlib's default 100 dpi
LEGEND_CAP = 8         # legend entries at most; the last then says how many more
CROWD = 8              # runs in one legend entry past which they are drawn as a crowd
READABLE_DPI = 80.0    # the least dots per inch of a preset-sized frame
# The header, in inches: a margin, the title's lines, the status line under them.
HEAD_PAD, HEAD_GAP, LINE = 0.07, 0.05, 1.22
TRAIL = 2.0            # points: a run's trail


class Drawing:
    """A figure and what changes in it from frame to frame.

    ``animated`` lists the artists ``update`` changes; everything else is the static
    background, drawn once and reused. ``growing`` lists those of them that only ever add
    to what they drew (a crowd's trails): over a still background they are drawn a frame's
    growth at a time and kept. ``moving_camera`` means every frame differs everywhere (an
    orbiting 3D camera), so nothing can be reused.
    """

    moving_camera = False
    # Set by a frame source that keeps the trails drawn so far (``growing``) in its
    # background: ``update`` then leaves their artists to ``grow``.
    baking = False

    def __init__(self, plan, view, size, dpi=None):
        self.plan = plan
        self.scene = plan.scene
        self.view = view
        # Over a model, the runs projected onto the plane, and the loss on it.
        self.trajectories = plan.paths
        self.surface = plan.surface
        self.steps = plan.steps
        self.colors = plan.colors
        self.theme = plan.theme
        w, h = size
        # The layout is that of a figure FIGURE_WIDTH inches wide whatever the pixel size,
        # so a small render is the large one scaled down, not a crowded one. Half a pixel
        # more keeps Agg's integer truncation from losing a row or column.
        # A preset's text stays legible: from 640 pixels on the long side (--quality low,
        # or a 360x640 portrait) the figure narrows to keep READABLE_DPI, so 8-point text
        # is 9 pixels tall, not 7 (or 4 in the portrait).
        # (Below 30 dpi FreeType cannot size the smallest text: tiny renders get crowded.)
        if dpi is None:
            dpi = max(30.0, w / FIGURE_WIDTH, READABLE_DPI if max(w, h) >= 640 else 0.0)
        self.portrait = h > w
        self.figure = PinnedFigure(figsize=((w + 0.5) / dpi, (h + 0.5) / dpi), dpi=dpi)
        self.figure.theme = self.theme
        FigureCanvasAgg(self.figure)
        self.animated: list = []
        self.growing: list = []

    def __len__(self):
        return len(self.steps)

    def update(self, frame: int) -> list:
        raise NotImplementedError

    def grow(self, frame: int) -> list:
        """The ``growing`` artists set to only what is new at ``frame``: drawn over the
        frame before's, they make this frame's. Only while ``baking``."""
        return []

    # Shared by the views ---------------------------------------------------------------

    def status(self, frame: int, parts: int = STATUS_PARTS, short: bool = False) -> str:
        """'step k' and each run's loss at that step (``Plan.status``), for the animated
        title; ``short`` for the brief form."""
        return self.plan.status(frame, parts, short)

    def fitted_status(self, frame: int) -> str:
        """The status line of ``frame`` in the room its text has: the full form if it fits,
        else the brief one, else naming fewer runs (counting the rest)."""
        text, dpi = self.status_text, self.figure.dpi
        room = text.room()
        for parts in range(STATUS_PARTS, 0, -1):
            for short in (False, True):
                line = self.status(frame, parts, short)
                if text.width(line, dpi) <= room:
                    return line
        return line

    def title(self) -> str:
        if self.scene.title is not None:
            return shown(self.scene.title)
        surface = self.surface
        name = getattr(surface, "title", None) or surface.name.replace("_", " ")
        name = name[:1].upper() + name[1:]
        formula = f"${surface.latex}$" if surface.latex and _parses(surface.latex) else ""
        return f"{name}:   {formula}" if formula and len(formula) < 90 else name

    # The header: the title, wrapped, and the status line under it ------------------------

    def put_title(self, text: str | None = None):
        """The title (default ``title()``) at the top of the figure, wrapped onto as many
        lines as it needs rather than shrunk; returns its Text."""
        text = self.title() if text is None else text
        fig = self.figure
        lines = wrap(text, TITLE, fig.dpi, 0.96 * fig.bbox.width, fig.canvas.get_renderer())
        self.title_count = len(lines)
        return fig.suptitle("\n".join(lines), fontsize=TITLE, y=1 - HEAD_PAD / fig.get_figheight(), va="top",
                            linespacing=1.1)

    def put_status(self, text: str = "") -> GlyphText:
        """The status line, centred under the title: added to the figure (a view animates
        it where its draw order wants it)."""
        self.status_text = GlyphText(0.5, self.status_y(), text, fontsize=TEXT, ha="center",
                                     color=self.theme.text, transform=self.figure.transFigure)
        self.figure.add_artist(self.status_text)
        return self.status_text

    def status_y(self) -> float:
        """The figure fraction of the status line's lower edge, under the title."""
        tall = self.figure.get_figheight()
        title = getattr(self, "title_count", 1) * TITLE * LINE / 72
        return 1 - (HEAD_PAD + title + HEAD_GAP + TEXT * LINE / 72) / tall

    def head_bottom(self) -> float:
        """The figure fraction under the header, where the axes' frames may begin."""
        return self.status_y() - HEAD_GAP / self.figure.get_figheight()

    def inches(self, value: float) -> float:
        """A height in inches as a fraction of the figure's."""
        return value / self.figure.get_figheight()

    def resolve_window(self) -> tuple[float, float, float, float]:
        """The view's window: its own, "fit" (the plan's, which frames the runs' action),
        "surface" (the surface's own) or "auto" (tightly around the paths)."""
        window = getattr(self.view, "window", "fit")
        surface = self.surface.window
        if not isinstance(window, str):
            return tuple(window)
        if window == "auto":
            return framing.tight(surface, self.trajectories.positions)
        if window == "surface" or self.plan.window is None:
            return tuple(surface)
        return tuple(self.plan.window)

    def minima_in(self, window, Z) -> list[tuple[float, float, bool]]:
        """The surface's minima in ``window``, each with whether it is a global one: no
        lower than the lowest of the surface drawn there (``Z``) by more than a
        thousandth of its span. A local minimum is drawn hollow: a trap, not the goal."""
        from ..surfaces import global_level
        xmin, xmax, ymin, ymax = window
        level = global_level(Z)
        return [(mx, my, float(self.surface(mx, my)) <= level) for mx, my in self.surface.minima
                if xmin <= mx <= xmax and ymin <= my <= ymax]

    def star(self, ax, point, best: bool, size: float, **style):
        """A minimum: a star in the text's colour, or a hollow one for a local minimum (a
        trap, not the goal), large enough that its points show around a head on it. (The
        surface is lightest at its minimum: a white star there did not show.)"""
        return ax.plot(*[[v] for v in point], **self.star_style(best, size), linestyle="none", **style)[0]

    def star_style(self, best: bool, size: float) -> dict:
        face = self.theme.text if best else "none"
        edge = self.theme.background if best else self.theme.text
        return dict(marker="*", markersize=size, markerfacecolor=face, markeredgecolor=edge, markeredgewidth=1.0)

    @property
    def cmap(self):
        """The surface's colormap: the view's own, else the theme's."""
        from matplotlib import colormaps
        cmap = getattr(self.view, "cmap", None)
        return colormaps[cmap] if cmap is not None else self.theme.cmap

    @functools.cached_property
    def _groups(self) -> dict[tuple[str, str], int]:
        """Runs by legend entry, (colour, label), in order: how many runs each has."""
        groups: dict[tuple[str, str], int] = {}
        for key in zip(self.colors, self.plan.legend_labels):
            groups[key] = groups.get(key, 0) + 1
        return groups

    def crowded(self, run: int) -> bool:
        """Whether ``run`` is one of a crowd: its legend entry holds more than CROWD runs, or
        there are more than LEGEND_CAP entries. A crowd is drawn thin, small-headed and
        without a dot at every step: hundreds of dotted trails are a tangle."""
        key = (self.colors[run], self.plan.legend_labels[run])
        return self._groups[key] > CROWD or len(self._groups) > LEGEND_CAP

    def trail_width(self, run: int) -> float:
        """A run's trail: wide enough to read its colour; a crowd's thin."""
        return 1.0 if self.crowded(run) else TRAIL

    def trail_marker(self, run: int) -> str:
        """A dot at every step shows the step sizes of a few runs; a crowd's would be a blur."""
        return "none" if self.crowded(run) else "o"

    def head_size(self, run: int) -> float:
        """A crowd's heads (the others' are ``marks.Marks``' discs)."""
        return 5.0 if self.crowded(run) else 10.0

    def labelled(self) -> list[int]:
        """The single runs named beside their heads: all but a crowd's, if the view labels
        and each name is one run's (the same optimizer from three starts is better keyed
        once, in a legend; then only runs that meet are named, together)."""
        if not getattr(self.view, "labels", False) or not self.named_alone():
            return []
        return [i for i in self.plan.singles if not self.crowded(i)]

    def named_alone(self) -> bool:
        """Whether every legend entry is one run, and there are at most LEGEND_CAP."""
        return len(self._groups) <= LEGEND_CAP and all(n == 1 for n in self._groups.values())

    def marked(self):
        """The single runs not in a crowd (``marks`` draws their heads and names), their
        places in ``self.batches`` and their ``Batches.marks``: (runs, places, kind, where,
        towards), or None when there are none."""
        runs = [i for i in self.plan.singles if not self.crowded(i)]
        if not runs:
            return None
        places = [list(self.batches.runs).index(i) for i in runs]
        kind, where, towards = self.batches.marks()
        return runs, places, kind[places], where[places], towards[places]

    def wants_legend(self) -> bool:
        """A legend when the view asks for one, or (legend=None) when some runs are not
        named beside their heads: a crowd, a swarm, or labels turned off."""
        legend = getattr(self.view, "legend", None)
        if legend is not None:
            return bool(legend)
        return len(self.labelled()) < self.plan.runs

    def legend_entries(self, cap: int = LEGEND_CAP) -> list[tuple[str, str]]:
        """(colour, text) per legend entry: runs that share a label and a colour are one
        entry ("Adam(lr=0.05) x144"); past ``cap`` entries the last says "+k more"."""
        entries = [(c, shown(label, lines=True) + ("" if n == 1 else f" \u00d7{n}"))
                   for (c, label), n in self._groups.items()]
        if len(entries) > cap:
            entries = entries[: cap - 1] + [("none", f"+{len(entries) - cap + 1} more")]
        return entries

    def corner_counts(self, legend, corners, clouds) -> list[tuple[str, tuple | None, tuple[int, ...]]]:
        """For each (loc, anchor) of ``corners``, how many screen points of each of
        ``clouds`` the legend would cover there (4 pixels around it counting)."""
        renderer = self.figure.canvas.get_renderer()
        counts = []
        for loc, anchor in corners:
            legend.set_loc(loc)
            if anchor is not None:
                legend.set_bbox_to_anchor(anchor, transform=self.figure.transFigure)
            box = legend.get_window_extent(renderer).padded(4)
            counts.append((loc, anchor, tuple(int(box.count_contains(c)) if len(c) else 0 for c in clouds)))
        return counts

    def legend_handles(self, entries, marker=True) -> list:
        from matplotlib.lines import Line2D
        style = dict(marker="o", markersize=5, markeredgecolor="black", markeredgewidth=0.5) if marker else {}
        return [Line2D([], [], color=c, linewidth=1.4, **(style if c != "none" else {})) for c, _ in entries]

    def animate(self, artists) -> None:
        for a in artists:
            a.set_animated(True)
        self.animated.extend(artists)


def _tokens(text: str) -> list[str]:
    """Words of ``text`` to wrap between: spaces inside $...$ do not split."""
    words, current, math = [], "", False
    for c in text:
        if c == "$" and not current.endswith("\\"):
            math = not math
        if c == " " and not math:
            words.append(current)
            current = ""
        else:
            current += c
    return [w for w in words + [current] if w]


def wrap(text: str, size: float, dpi: float, width: float, renderer) -> list[str]:
    """``text`` as lines no wider than ``width`` pixels at ``size`` points (a word wider
    than that alone on its line), as even as that many lines allow (no word left alone on
    the last); newlines in it are kept."""
    from matplotlib.font_manager import FontProperties
    prop = FontProperties(family="DejaVu Sans", size=size)
    measure = lambda line: renderer.get_text_width_height_descent(line, prop, ismath="$" in line)[0]

    def greedy(words, room):
        lines, current = [], ""
        for word in words:
            trial = f"{current} {word}" if current else word
            if current and measure(trial) > room:
                lines.append(current)
                current = word
            else:
                current = trial
        return lines + [current]

    if "\n" not in text and measure(text) <= width:
        return [text]                                   # (most titles: one measure)
    lines = []
    for paragraph in text.split("\n"):
        words = _tokens(paragraph)
        most = greedy(words, width)
        # The narrowest room that still takes no more lines: the lines come out even.
        lo, hi = width / len(most), width
        for _ in range(12 if len(most) > 1 else 0):
            middle = (lo + hi) / 2
            lo, hi = (lo, middle) if len(greedy(words, middle)) <= len(most) else (middle, hi)
        lines += greedy(words, hi) if len(most) > 1 else most
    return lines


def _parses(latex: str) -> bool:
    from matplotlib.mathtext import MathTextParser
    try:
        MathTextParser("path").parse(f"${latex}$")
        return True
    except ValueError:
        return False


def clip_segments(a: np.ndarray, b: np.ndarray, lo, hi) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments a -> b (one per row, any number of dimensions) cut to the box [lo, hi]
    (Liang-Barsky): their cut ends, and which of them are finite with a part inside."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    d = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t_lo, t_hi = (lo - a) / d, (hi - a) / d
    enter = np.where(d > 0, t_lo, np.where(d < 0, t_hi, -np.inf))
    leave = np.where(d > 0, t_hi, np.where(d < 0, t_lo, np.inf))
    # A segment parallel to a face lies outside if its coordinate is outside.
    parallel_out = (d == 0) & ((a < lo) | (a > hi))
    first, last = np.max(enter, axis=1), np.min(leave, axis=1)
    finite = np.all(np.isfinite(a) & np.isfinite(b), axis=1)
    seen = finite & ~np.any(parallel_out, axis=1) & (first <= last) & (last >= 0) & (first <= 1)
    t0, t1 = np.clip(first, 0, 1)[:, None], np.clip(last, 0, 1)[:, None]
    # An end that is not cut is kept exactly: a + (b - a) can differ from b in its last bit,
    # and a trail's next segment would then not seem to start where this one ends.
    with np.errstate(invalid="ignore"):
        return np.where(t0 == 0, a, a + t0 * d), np.where(t1 == 1, b, a + t1 * d), seen


def clip_path(points: np.ndarray, lo, hi) -> tuple[np.ndarray, np.ndarray | None]:
    """A trail cut to the box [lo, hi] (any number of dimensions): each segment clipped
    (Liang-Barsky), with a NaN row where the trail leaves the box and comes back; and the
    point to draw its head at: the last point if it is inside, else where the trail last
    left the box (None if it never was inside). A run that flies off stops at the edge."""
    points = np.asarray(points, dtype=float)
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    inside = np.all((points >= lo) & (points <= hi), axis=1)
    if inside.all():
        return points, (points[-1] if len(points) else None)
    if len(points) == 1:
        return points[:0], None
    starts, ends, seen = clip_segments(points[:-1], points[1:], lo, hi)
    if not seen.any():
        return points[:0], None
    rows, previous = [], None
    for i in np.flatnonzero(seen):
        if previous is None or not np.array_equal(starts[i], previous):
            if previous is not None:
                rows.append(np.full(points.shape[1], np.nan))
            rows.append(starts[i])
        rows.append(ends[i])
        previous = ends[i]
    path = np.array(rows)
    return path, (points[-1] if inside[-1] else path[-1])


def contour_levels(Z: np.ndarray, spec, n: int) -> np.ndarray:
    """Level values for the filled contours: explicit, or n bands spaced linearly, by square
    root or logarithmically above the surface's minimum in the window. A flat surface gets
    one band around its value."""
    if not isinstance(spec, str):
        return np.asarray(spec, dtype=float)
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        return np.array([-1.0, 1.0])
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo
    if not span > 1e-12 * max(1.0, abs(hi)):
        return np.array([lo - 0.5, lo + 0.5]) if lo == hi else np.array([lo, hi])
    if spec == "linear":
        return np.linspace(lo, hi, n + 1)
    if spec == "sqrt":
        return lo + np.linspace(0.0, np.sqrt(span), n + 1) ** 2
    # log: bands grow geometrically from a thousandth of a percent of the span.
    floor = span * 1e-5
    return lo - floor + np.geomspace(floor, span + floor, n + 1)
