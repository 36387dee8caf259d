"""What every view shares: the pinned style, the figure, the Drawing base class."""
from __future__ import annotations

import functools

import matplotlib
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .glyphs import shown

__all__ = ["Drawing", "PinnedAnimation", "PinnedFigure", "animation", "clip_path", "clip_segments", "contour_levels", "style"]

# What decides pixels is pinned here rather than inherited from a user's matplotlibrc.
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "text.hinting": "default",
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
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
STATUS_PARTS = 4       # runs (or swarms) the status line names; the rest it counts
READABLE_DPI = 80.0    # the least dots per inch of a preset-sized frame


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
        """'step k' and each run's loss at that step, for the animated title: at most
        ``parts`` runs or swarms named, the rest counted; ``short`` for the brief form."""
        plan = self.plan
        step = int(self.steps[frame])
        named = []
        for group in plan.groups:
            # A swarm is one part: its median loss and how many of it have diverged.
            losses = self.trajectories.losses[group.rows, step]
            finite = losses[np.isfinite(losses)]
            part = f"{group.name} \u00d7{len(group.rows)}"
            part += f" median {np.median(finite):.3g}" if finite.size else ""
            lost = len(losses) - finite.size
            named.append(part + (f", {lost} diverged" if lost else ""))
        shown_runs = plan.singles[: max(0, parts - len(named))]      # the rest are counted
        for i in shown_runs:
            name = plan.names[i]
            if plan.diverged(i, frame):
                named.append(f"{name} diverged at {int(self.trajectories.diverged_at[i])}")
            elif plan.plane is not None:
                # Over a model: the true loss, and how far from the plane drawn the run is.
                off = float(plan.plane.off[i, step])
                where = "off" if short else "off plane"
                named.append(f"{name} {self.trajectories.losses[i, step]:.3g} ({off:.2g} {where})")
            else:
                named.append(f"{name} {self.trajectories.losses[i, step]:.3g}")
        more = len(named) + len(plan.singles) - len(shown_runs) - parts
        tail = f", +{more} more" if more > 0 else ""
        return f"step {step}: " + ", ".join(named[:parts]) + tail

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
        formula = f"${surface.latex}$" if surface.latex and _parses(surface.latex) else ""
        return f"{surface.name}   {formula}".strip() if len(formula) < 90 else surface.name

    def resolve_window(self) -> tuple[float, float, float, float]:
        """The view's window: its own, the surface's, or ("auto") the box around every
        run's path with a tenth more on each side. Points far outside the surface's window
        (a run flying off) are left out, as are parts of paths after they diverge."""
        window = getattr(self.view, "window", None)
        surface = self.surface.window
        if window is None:
            return surface
        if window != "auto":
            return window
        xmin, xmax, ymin, ymax = surface
        cx, cy, w, h = (xmin + xmax) / 2, (ymin + ymax) / 2, xmax - xmin, ymax - ymin
        P = self.trajectories.positions.reshape(-1, 2)
        with np.errstate(invalid="ignore"):
            near = np.all(np.isfinite(P), axis=1) & (np.abs(P[:, 0] - cx) <= 2 * w) & (np.abs(P[:, 1] - cy) <= 2 * h)
        if not near.any():
            return surface
        lo, hi = P[near].min(axis=0), P[near].max(axis=0)
        span = np.maximum(hi - lo, 1e-3 * np.array([w, h]))
        lo, hi = lo - 0.1 * span, hi + 0.1 * span
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])

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
        for key in zip(self.colors, self.plan.labels):
            groups[key] = groups.get(key, 0) + 1
        return groups

    @functools.cached_property
    def _order(self) -> dict[tuple[str, str], int]:
        return {key: k for k, key in enumerate(self._groups)}

    def _rank(self, run: int) -> tuple[int, int]:
        """(this run's legend entry, how many entries there are)."""
        return self._order[(self.colors[run], self.plan.labels[run])], len(self._order)

    def crowded(self, run: int) -> bool:
        """Whether ``run`` is one of a crowd: its legend entry holds more than CROWD runs, or
        there are more than LEGEND_CAP entries. A crowd is drawn thin, small-headed and
        without a dot at every step: hundreds of dotted trails are a tangle."""
        key = (self.colors[run], self.plan.labels[run])
        return self._groups[key] > CROWD or len(self._groups) > LEGEND_CAP

    def trail_width(self, run: int) -> float:
        """Earlier legend entries are drawn wider, underneath: where two trails coincide both
        stay visible, the later one as a stripe inside the earlier. A crowd is drawn thin."""
        k, n = self._rank(run)
        if self.crowded(run):
            return 1.0
        return 1.4 + 1.2 * (n - 1 - k) / max(1, n - 1)

    def trail_marker(self, run: int) -> str:
        """A dot at every step shows the step sizes of a few runs; a crowd's would be a blur."""
        return "none" if self.crowded(run) else "o"

    def head_size(self, run: int) -> float:
        """Heads nest the same way: runs that end together show as rings around each other."""
        k, n = self._rank(run)
        if self.crowded(run):
            return 5.0
        # Rings at least 1.5 points wide, each side, when there are few.
        return 8.0 + min(3.0, 9.0 / max(1, n - 1)) * (n - 1 - k)

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
