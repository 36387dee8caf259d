"""Scenes: what to animate, as frozen, validated dataclasses. They compute nothing.

A ``Scene`` names a surface, the runs racing over it, how many steps they take and the views
that show them; a ``Run`` is one optimizer from one start; ``View2D`` and ``View3D`` say how
to draw; ``Camera`` places the 3D view. Every field is checked at construction, and a bad
value raises ``ValueError`` naming the class, the field and what would be valid.

What happens to a scene is downstream: ``render.trajectories`` simulates it, ``render.plan``
plans its frames, ``render.pipeline`` renders it, ``render.load`` reads scene files.
``scene.simulate()`` and ``scene.animation()`` are conveniences that hand the scene to those.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import re
import warnings
from typing import Any, Sequence

import numpy as np

from . import checks, gradient_signals, surfaces, themes
from .models import Model
from .optimizers import Optimizer
from .planes import Plane
from .schedules import OneCycleLR, Schedule, run_rates
from .lossaxis import SCALES
from .timeline import keyed
from .tuning import Search, tuned_fields
from .trajectories import Trajectories, search_bytes, search_tuned, simulate_scene, simulation_bytes

__all__ = ["Scene", "Run", "Swarm", "Sweep", "View2D", "View3D", "Multiples", "SweepLoss", "Interpolation", "Sharpness", "Camera", "ResponseScene", "Response", "ResponseView",
           "SCENE_TYPES"]

LEVELS = ("linear", "log", "sqrt")
TIMES = ("linear", "log")
Z_SCALES = ("auto", "log", "linear")
MAX_SWARM = 10_000          # runs in one swarm
MAX_RUNS = 20_000           # runs in one scene
MAX_SEARCH = 100_000        # candidates of every tuned run of a scene together
MIN_FPS = 0.1               # ten seconds a frame: slower is no animation
MAX_LEVEL = 1e100           # contour levels beyond overflow matplotlib's contouring


# --- field checks -------------------------------------------------------------------------

def _name(owner, field, value) -> str | None:
    """Names become file and folder names: keep them to letters, digits, - and _."""
    if value is None:
        return None
    if not checks.is_name(value):
        raise ValueError(f"{owner}: {field} must be 1 to {checks.MAX_NAME} letters, digits, '-' or '_' "
                         f"(it names files), got {checks._short(value)}")
    return value


_HEX = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _color(owner, field, value):
    """A colour as '#rrggbb'. Hex strings are read here; only a colour named (or given as
    numbers) asks matplotlib, so a spec built without one loads no drawing library."""
    if value is None:
        return None
    if isinstance(value, str) and _HEX.fullmatch(value):
        digits = value[1:].lower()
        if len(digits) <= 4:
            digits = "".join(2 * d for d in digits)
        return "#" + digits[:6]
    from matplotlib.colors import is_color_like, to_hex
    try:
        if not is_color_like(value):
            raise ValueError
        return to_hex(value, keep_alpha=False)
    except (ValueError, TypeError):
        raise ValueError(f"{owner}: {field} must be a matplotlib color such as 'red' or '#1f77b4', "
                         f"got {checks._short(value)}") from None


def _cmap(owner, field, value) -> str | None:
    if value is None:
        return None
    import matplotlib
    if not isinstance(value, str) or value not in matplotlib.colormaps:
        raise ValueError(f"{owner}: {field} must be a matplotlib colormap name such as 'viridis', "
                         f"got {value!r}")
    return value


def _levels(owner, value):
    """Contour levels: a spacing's name, or at least two increasing values."""
    if isinstance(value, str):
        if value not in LEVELS:
            raise ValueError(f"{owner}: levels must be one of {', '.join(LEVELS)} or a list of "
                             f"increasing numbers, got {value!r}")
        return value
    try:
        levels = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: levels must be one of {', '.join(LEVELS)} or a list of "
                         f"increasing numbers, got {value!r}") from None
    if len(levels) < 2 or any(b <= a for a, b in zip(levels, levels[1:])) \
            or not all(abs(v) <= MAX_LEVEL for v in levels):
        raise ValueError(f"{owner}: levels must hold at least two increasing numbers within "
                         f"+-{MAX_LEVEL:g}, got {checks._short(value)}")
    return levels


WINDOWS = ("fit", "surface", "auto")


def _window(owner, value):
    """A view's window: None or "fit" (the runs' action, ``render.framing.fit``), "surface"
    (the surface's own), "auto" (tightly around the paths), or (xmin, xmax, ymin, ymax)."""
    if value is None:
        return "fit"
    if isinstance(value, str):
        if value not in WINDOWS:
            raise ValueError(f"{owner}: window must be 'fit', 'surface', 'auto' or (xmin, xmax, ymin, ymax), "
                             f"got {value!r}")
        return value
    return checks.window(owner, value)


def _legend(owner, value):
    """A legend: None (only when the runs are not labelled directly), True, False or
    "outside"."""
    if value is None or value == "outside":
        return value
    if isinstance(value, str):
        raise ValueError(f"{owner}: legend must be None, True, False or 'outside', got {value!r}")
    return checks.flag(owner, "legend", value)


def _keys(owner, keys, form: str) -> tuple:
    """A view's keys: Keys at increasing fractions of the animation, or a one-line error."""
    if isinstance(keys, (str, bytes)) or dataclasses.is_dataclass(keys):
        raise ValueError(f"{owner}: keys must be a list of {form}, got {keys!r}")
    try:
        keys = tuple(keys)
    except TypeError:
        raise ValueError(f"{owner}: keys must be a list of {form}, got {keys!r}") from None
    for i, key in enumerate(keys):
        if not isinstance(key, Key):
            raise ValueError(f"{owner}: keys[{i}] must be a {form}, got {checks._short(key)}")
    if [k.at for k in keys] != sorted(k.at for k in keys) or len({k.at for k in keys}) != len(keys):
        raise ValueError(f"{owner}: keys must be at increasing fractions, got {[k.at for k in keys]}")
    return keys


def _set(obj, field, value):
    object.__setattr__(obj, field, value)


# --- runs, cameras and views ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Run:
    """One optimizer starting from one point; ``label`` and ``color`` default sensibly.

    Over a surface the start is (x, y); over a model, a vector of its D parameters (such
    as ``model.init``)."""

    optimizer: Optimizer
    start: tuple
    label: str | None = None
    color: Any = None
    schedule: Any = None
    # The Swarm this run is one of, if any (set when a Scene expands a swarm).
    swarm: Any = dataclasses.field(default=None, repr=False, compare=False)
    # The Sweep this run is a cell of, if any, and its values there ((name, value), ...).
    sweep: Any = dataclasses.field(default=None, repr=False, compare=False)
    cell: tuple = dataclasses.field(default=(), repr=False, compare=False)
    # The values a search chose, ((name, value), ...), once a Scene has tuned the run.
    tuned: tuple = dataclasses.field(default=(), repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.optimizer, Optimizer):
            raise ValueError(f"Run: optimizer must be an optimizer such as opt.Adam(lr=0.1), "
                             f"got {self.optimizer!r}")
        if self.schedule is not None and not isinstance(self.schedule, Schedule):
            raise ValueError(f"Run: schedule must be a schedule such as schedules.CosineAnnealingLR(T_max=100) "
                             f"or None, got {checks._short(self.schedule)}")
        if self.swarm is not None and not isinstance(self.swarm, Swarm):
            raise ValueError(f"Run: swarm must be a Swarm(...) or None, got {self.swarm!r}")
        if self.sweep is not None and not isinstance(self.sweep, Sweep):
            raise ValueError(f"Run: sweep must be a Sweep(...) or None, got {self.sweep!r}")
        _set(self, "start", _start(self.start))
        _set(self, "label", checks.text("Run", "label", self.label))
        _set(self, "color", _color("Run", "color", self.color))

    def learning_rates(self, steps: int) -> np.ndarray:
        """The learning rate each of its optimizer steps 1..steps uses (``schedules.run_rates``)."""
        return run_rates(self.optimizer.lr, self.schedule, steps)

    @property
    def name(self) -> str:
        """The legend's name: the label, else the optimizer with its hyperparameters (and
        its schedule, in a few words)."""
        if self.label is not None:
            name = self.label
            if self.tuned:
                name += ", tuned " + ", ".join(f"{k.split('.')[-1]}={v:.3g}" for k, v in self.tuned)
            return name
        skip = ("lr",) if self.schedule is not None and not self.schedule.uses_lr else ()
        name = self.optimizer.describe(3 if self.tuned else 6, skip)
        if self.schedule is not None:
            name += f", {self.schedule.short}"
        return name + (", tuned" if self.tuned else "")


def _start(value) -> tuple:
    """A start: a pair (x, y), or a model's parameter vector, as a tuple of floats."""
    try:
        n = len(value)
    except TypeError:
        n = None
    if n == 2 or n is None or isinstance(value, (str, bytes)):
        return checks.point("Run", "start", value)
    return tuple(float(v) for v in checks.vector("Run", "start", value))


COLOR_BY = ("basin",)


@dataclasses.dataclass(frozen=True)
class Swarm:
    """Many runs of one optimizer, one from each of many starts, drawn as one collection.

    The starts are one of: ``grid`` (n, or (nx, ny), points spread evenly over ``window``),
    ``random`` (n points drawn uniformly from ``window`` with ``seed``) or ``starts`` (a list
    of (x, y)). ``window`` defaults to the surface's. Each run's trail fades out over its
    last ``tail`` frames (None: the whole trail, faint). ``color_by="basin"`` colours each
    run, from its start on, by the minimum it reaches (basins of attraction); otherwise the
    swarm has one colour, ``color`` or the next of the palette. In a Scene the swarm
    stands for its runs: ``scene.runs`` holds one Run per start.
    """

    optimizer: Optimizer
    grid: Any = None
    random: int | None = None
    starts: Any = None
    window: tuple | None = None
    seed: int = 0
    label: str | None = None
    color: Any = None
    color_by: str | None = None
    tail: int | None = 20

    def __post_init__(self):
        owner = "Swarm"
        if not isinstance(self.optimizer, Optimizer):
            raise ValueError(f"Swarm: optimizer must be an optimizer such as opt.GD(lr=0.01), "
                             f"got {self.optimizer!r}")
        if tuned_fields(self.optimizer):
            raise ValueError("Swarm: optimizer cannot have tuned values (each start would find its own); "
                             "tune it in a Run, then give the swarm the value found")
        given = [f for f in ("grid", "random", "starts") if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError(f"Swarm: exactly one of grid=(nx, ny), random=n or starts=[(x, y), ...] must "
                             f"be given, got {' and '.join(given) if given else 'none'}")
        if self.grid is not None:
            grid = (self.grid, self.grid) if isinstance(self.grid, (int, np.integer)) \
                and not isinstance(self.grid, bool) else self.grid
            try:
                nx, ny = grid
            except (TypeError, ValueError):
                raise ValueError(f"Swarm: grid must be n or (nx, ny), got {self.grid!r}") from None
            _set(self, "grid", (checks.integer(owner, "grid", nx, 1, MAX_SWARM),
                                checks.integer(owner, "grid", ny, 1, MAX_SWARM)))
            if self.grid[0] * self.grid[1] > MAX_SWARM:
                raise ValueError(f"Swarm: grid must give at most {MAX_SWARM} starts, got "
                                 f"{self.grid[0]} x {self.grid[1]}")
        if self.random is not None:
            _set(self, "random", checks.integer(owner, "random", self.random, 1, MAX_SWARM))
        if self.starts is not None:
            if isinstance(self.starts, (str, bytes)):
                raise ValueError(f"Swarm: starts must be a list of (x, y), got {self.starts!r}")
            try:
                starts = tuple(self.starts)
            except TypeError:
                raise ValueError(f"Swarm: starts must be a list of (x, y), got {self.starts!r}") from None
            if not 1 <= len(starts) <= MAX_SWARM:
                raise ValueError(f"Swarm: starts must hold 1 to {MAX_SWARM} points, got {len(starts)}")
            _set(self, "starts", tuple(checks.point(owner, f"starts[{i}]", p) for i, p in enumerate(starts)))
        if self.window is not None:
            _set(self, "window", checks.window(owner, self.window))
        _set(self, "seed", checks.integer(owner, "seed", self.seed, 0))
        _set(self, "label", checks.text(owner, "label", self.label))
        _set(self, "color", _color(owner, "color", self.color))
        if self.color_by is not None and self.color_by not in COLOR_BY:
            raise ValueError(f"Swarm: color_by must be None or 'basin', got {self.color_by!r}")
        if self.tail is not None:
            _set(self, "tail", checks.integer(owner, "tail", self.tail, 1))

    @property
    def name(self) -> str:
        return self.label if self.label is not None else self.optimizer.describe()

    def points(self, window) -> np.ndarray:
        """The starts, shape (n, 2): over ``window`` (the swarm's own if it has one)."""
        if self.starts is not None:
            return np.array(self.starts, dtype=float)
        xmin, xmax, ymin, ymax = self.window or window
        if self.grid is not None:
            # Cell centres: no start sits on the window's edge.
            nx, ny = self.grid
            xs = xmin + (np.arange(nx) + 0.5) * (xmax - xmin) / nx
            ys = ymin + (np.arange(ny) + 0.5) * (ymax - ymin) / ny
            X, Y = np.meshgrid(xs, ys)
            return np.column_stack([X.ravel(), Y.ravel()])
        rng = np.random.default_rng(self.seed)
        return rng.uniform((xmin, ymin), (xmax, ymax), size=(self.random, 2))

    def runs(self, window) -> tuple[Run, ...]:
        return tuple(Run(self.optimizer, (float(x), float(y)), label=self.label, color=self.color, swarm=self)
                     for x, y in self.points(window))


MAX_SWEEP = 400             # runs of one sweep


class Sweep:
    """One optimizer from one start at every value (or pair of values) of one or two of its
    hyperparameters: ``Sweep(opt.Momentum(), start, lr=[1e-4, 1e-3, 1e-2], momentum=[0.5, 0.9])``.

    In a Scene it stands for its runs, one per cell of the grid, the first hyperparameter
    along a row and the second down a column, each labelled with its values
    (``lr=0.001, momentum=0.9``). ``Multiples`` draws them as that grid of panels, and
    ``SweepLoss`` draws the loss of every cell against the values. The optimizer's other
    hyperparameters, the schedule and the colour are every cell's.
    """

    def __init__(self, optimizer, start, label: str | None = None, color: Any = None, schedule: Any = None,
                 **values):
        owner = "Sweep"
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"Sweep: optimizer must be an optimizer such as opt.Momentum(), got {optimizer!r}")
        if tuned_fields(optimizer):
            raise ValueError("Sweep: optimizer cannot have tuned values; sweep them instead")
        if not 1 <= len(values) <= 2:
            raise ValueError(f"Sweep: give one or two hyperparameters to sweep, each a list of values, such as "
                             f"lr=[1e-3, 1e-2]; got {len(values)}")
        fields = {f.name for f in dataclasses.fields(optimizer)}
        swept = {}
        for name, given in values.items():
            if name not in fields:
                raise ValueError(f"Sweep: {optimizer.name} has no hyperparameter {name!r}; "
                                 f"it has {', '.join(sorted(fields))}")
            if isinstance(given, (str, bytes)) or not hasattr(given, "__len__"):
                raise ValueError(f"Sweep: {name} must be a list of values, got {checks._short(given)}")
            given = tuple(given)
            if not 1 <= len(given) <= MAX_SWEEP:
                raise ValueError(f"Sweep: {name} must hold 1 to {MAX_SWEEP} values, got {len(given)}")
            checked = []
            for k, value in enumerate(given):
                try:      # the optimizer checks each value as it checks its own
                    checked.append(getattr(dataclasses.replace(optimizer, **{name: value}), name))
                except ValueError as e:
                    raise ValueError(f"Sweep: {name}[{k}]: {e}") from None
            swept[name] = tuple(checked)
        cells = math.prod(len(v) for v in swept.values())
        if cells > MAX_SWEEP:
            raise ValueError(f"Sweep: the grid has {cells} cells; {MAX_SWEEP} at most")
        # Each cell's label is this one and its values ("momentum, lr=0.01"): room is left for them.
        longest = max(len(", ".join(f"{n}={v:g}" for n, v in zip(swept, combo)))
                      for combo in itertools.product(*swept.values()))
        checks.text(owner, "label", label, checks.MAX_TEXT - longest - 2)
        probe = Run(optimizer, start, label=label, color=color, schedule=schedule)     # checks the rest
        self.optimizer, self.start, self.label = optimizer, probe.start, probe.label
        self.color, self.schedule, self.values = probe.color, schedule, swept

    def __repr__(self):
        values = ", ".join(f"{k}={list(v)}" for k, v in self.values.items())
        return f"Sweep({self.optimizer!r}, {self.start!r}, {values})"

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the grid: the second hyperparameter's values, the first's."""
        counts = [len(v) for v in self.values.values()]
        return (counts[1] if len(counts) > 1 else 1), counts[0]

    def runs(self) -> tuple[Run, ...]:
        names = list(self.values)
        grids = [self.values[n] for n in names]
        out = []
        for combo in itertools.product(*reversed(grids)):     # row by row: the first varies fastest
            cell = tuple(zip(names, reversed(combo)))
            optimizer = dataclasses.replace(self.optimizer, **dict(cell))
            text = ", ".join(f"{n}={v:g}" for n, v in cell)
            label = f"{self.label}, {text}" if self.label else text
            out.append(Run(optimizer, self.start, label=label, color=self.color, schedule=self.schedule,
                           sweep=self, cell=cell))
        return tuple(out)


@dataclasses.dataclass(frozen=True)
class Key:
    """A pose at ``at`` (0 to 1, the fraction of the animation). For a 3D camera: its
    elevation, azimuth and distance there, one left None keeping the key before's. For a 2D
    view: its ``window`` (xmin, xmax, ymin, ymax) there."""

    at: float
    elev: float | None = None
    azim: float | None = None
    distance: float | None = None
    window: Any = None

    def __post_init__(self):
        _set(self, "at", checks.number("Key", "at", self.at, 0, 1))
        if self.window is not None:
            _set(self, "window", checks.window("Key", self.window))
        if self.elev is not None:
            _set(self, "elev", checks.number("Key", "elev", self.elev, -90, 90))
        if self.azim is not None:
            _set(self, "azim", checks.number("Key", "azim", self.azim, -3600, 3600))
        if self.distance is not None:
            _set(self, "distance", checks.number("Key", "distance", self.distance, 1, 100))


@dataclasses.dataclass(frozen=True)
class Camera:
    """Where the 3D view looks from: elevation and azimuth in degrees, distance (larger is
    farther; None is matplotlib's default), and ``orbit``, the degrees of azimuth the camera
    turns over the whole animation. ``keys``: Key(at, elev, azim, distance) poses at
    fractions of the animation; between two, the camera moves eased (smoothstep), from the
    pose given here at 0; an orbit turns on top of them."""

    elev: float = 30.0
    azim: float = -60.0
    distance: float | None = None
    orbit: float = 0.0
    keys: Sequence[Any] = ()

    def __post_init__(self):
        _set(self, "elev", checks.number("Camera", "elev", self.elev, -90, 90))
        _set(self, "azim", checks.number("Camera", "azim", self.azim))
        if self.distance is not None:
            # matplotlib's own view is at 10; much nearer or farther shows nothing useful.
            _set(self, "distance", checks.number("Camera", "distance", self.distance, 1, 100))
        _set(self, "orbit", checks.number("Camera", "orbit", self.orbit, -3600, 3600))
        keys = _keys("Camera", self.keys, "Key(at, elev, azim, distance)")
        for i, key in enumerate(keys):
            if key.window is not None:
                raise ValueError(f"Camera: keys[{i}] gives a window; a 3D camera's keys give elev, azim and "
                                 f"distance (a window is a View2D's key)")
        if self.distance is None and any(k.distance is not None for k in keys):
            raise ValueError("Camera: a key's distance moves the camera from its own: give the Camera a "
                             "distance too (matplotlib's is 10)")
        _set(self, "keys", keys)

    @property
    def moves(self) -> bool:
        """Whether the camera moves during the animation (every frame is then drawn whole)."""
        return self.orbit != 0 or any(
            (k.elev is not None and k.elev != self.elev) or (k.azim is not None and k.azim != self.azim)
            or (k.distance is not None and k.distance != self.distance) for k in self.keys)

    def pose(self, fraction: float) -> tuple[float, float, float | None]:
        """(elevation, azimuth, distance) at ``fraction`` (0 to 1) of the animation."""
        keys, (elev, azim, distance) = [], (self.elev, self.azim, self.distance)
        for k in self.keys:                      # (a field a key leaves out: the key before's)
            elev, azim = (elev if k.elev is None else k.elev), (azim if k.azim is None else k.azim)
            distance = distance if k.distance is None else k.distance
            keys.append((k.at, (elev, azim, 0.0 if distance is None else distance)))
        e, a, d = keyed((self.elev, self.azim, self.distance or 0.0), keys, fraction)
        at = min(1.0, max(0.0, float(fraction)))
        return float(e), float(a) + self.orbit * at, None if self.distance is None else float(d)

    def azimuth(self, fraction: float) -> float:
        """The azimuth at ``fraction`` (0 to 1) of the animation."""
        return self.pose(fraction)[1]


INSET_CORNERS = ("upper left", "upper right", "lower left", "lower right")


@dataclasses.dataclass(frozen=True)
class Inset:
    """A magnified view of ``window`` (xmin, xmax, ymin, ymax) of a 2D view's plot, drawn in
    its ``at`` corner (``"auto"``: the corner the paths, the legend and the key leave
    clearest) at ``size`` of the plot's width and height, with the same runs, and its frame
    marked on the plot."""

    window: Any
    at: str = "auto"
    size: float = 0.38

    def __post_init__(self):
        _set(self, "window", checks.window("Inset", self.window))
        if self.at != "auto" and self.at not in INSET_CORNERS:
            raise ValueError(f"Inset: at must be 'auto' or a corner ({', '.join(INSET_CORNERS)}), got {self.at!r}")
        _set(self, "size", checks.number("Inset", "size", self.size, 0.15, 0.6))


@dataclasses.dataclass(frozen=True)
class View2D:
    """Filled contours of the surface with each run's trail.

    levels: "linear", "log" or "sqrt" spacing of ``contours`` levels, or explicit values.
    arrows: the step's negative gradient at each head. field: a quiver of the gradient field.
    loss_panel: loss against step beside the plot. data_panel: beside the plot, the data a
    model scene learns and one run's model of it at each step (True: the first run; or a
    run's index or label): an MLP's decision regions on 2 features, a LeastSquares line,
    a Logistic boundary. window: "fit" (default) frames the runs' paths, starts and the
    minima they approach when they use a small part of the surface's window
    (``render.framing``), else the surface's window; "surface" the surface's always;
    "auto" tightly around the paths; or (xmin, xmax, ymin, ymax). aspect: "equal" keeps the
    same scale on both axes (circles stay round), "auto" fills the frame. cmap: a matplotlib
    colormap name for the surface, default the theme's quiet grey ramp (over which every
    run colour stands out). labels: each run's name beside its head (runs at one place
    named together, "SGD = momentum"), for up to eight runs or places. legend: None shows
    one only when runs are not labelled (a crowd); True puts it in the plot's corner that
    hides the least of the runs, or beside the plot if every corner would hide a start, an
    end or a minimum; "outside" always beside; False none. loss_scale: the loss panel's
    axis, "auto" (log for losses spanning decades, loss minus the lowest when they cross
    zero), "log" or "linear". tail: each trail shows only its last ``tail`` frames (None:
    the whole path), so a run that keeps bouncing is seen bouncing, not as a tangle.
    inset: an Inset(window, at, size), a magnified region in a corner of the plot. keys:
    Key(at, window=...) windows at fractions of the animation, the view moving between
    them eased, from its own window at the start. follow: a run (label, optimizer name or
    index) the window follows, centred on its head, smoothed so that it never jumps, at
    ``follow_size`` of the view's own window a side.
    """

    name: str = "2d"
    levels: Any = "linear"
    contours: int = 20
    arrows: bool = False
    field: bool = False
    loss_panel: bool = False
    window: Any = None
    cmap: str | None = None
    legend: Any = None
    aspect: str = "auto"
    data_panel: Any = False
    labels: bool = True
    loss_scale: str = "auto"
    tail: int | None = None
    inset: Any = None
    keys: Sequence[Any] = ()
    follow: Any = None
    follow_size: float = 0.4

    def __post_init__(self):
        owner = "View2D"
        which = self.data_panel
        if not (isinstance(which, (bool, np.bool_, str)) or
                (isinstance(which, (int, np.integer)) and which >= 0)):
            raise ValueError(f"View2D: data_panel must be True (the first run), a run's index or label, "
                             f"or False, got {checks._short(which)}")
        _set(self, "name", _name(owner, "name", self.name))
        _set(self, "levels", _levels(owner, self.levels))
        _set(self, "contours", checks.integer(owner, "contours", self.contours, 2, 200))
        for flag in ("arrows", "field", "loss_panel"):
            _set(self, flag, checks.flag(owner, flag, getattr(self, flag)))
        if self.aspect not in ("auto", "equal"):
            raise ValueError(f"View2D: aspect must be 'auto' (fill the frame) or 'equal' (circles stay "
                             f"round), got {self.aspect!r}")
        _set(self, "legend", _legend(owner, self.legend))
        _set(self, "labels", checks.flag(owner, "labels", self.labels))
        _set(self, "loss_scale", checks.choice(owner, "loss_scale", self.loss_scale, SCALES))
        _set(self, "window", _window(owner, self.window))
        _set(self, "cmap", _cmap(owner, "cmap", self.cmap))
        if self.tail is not None:
            _set(self, "tail", checks.integer(owner, "tail", self.tail, 1))
        if self.inset is not None and not isinstance(self.inset, Inset):
            raise ValueError(f"View2D: inset must be an Inset(window, at='auto', size=0.38), "
                             f"got {checks._short(self.inset)}")
        keys = _keys(owner, self.keys, "Key(at, window=(xmin, xmax, ymin, ymax))")
        for i, key in enumerate(keys):
            if key.window is None or any(v is not None for v in (key.elev, key.azim, key.distance)):
                raise ValueError(f"View2D: keys[{i}] must give a window and nothing else, "
                                 f"Key(at, window=(xmin, xmax, ymin, ymax))")
        _set(self, "keys", keys)
        if self.follow is not None and (isinstance(self.follow, bool) or not isinstance(self.follow, (str, int))):
            raise ValueError(f"View2D: follow must be a run's label, its optimizer's name or its index, "
                             f"got {checks._short(self.follow)}")
        if self.follow is not None and keys:
            raise ValueError("View2D: follow and keys both move the window; give one")
        _set(self, "follow_size", checks.number(owner, "follow_size", self.follow_size, 0.05, 1))

    @property
    def moves(self) -> bool:
        """Whether the window moves during the animation (every frame is then drawn whole)."""
        return bool(self.keys) or self.follow is not None


MAX_PANELS = 36          # panels of a Multiples view


@dataclasses.dataclass(frozen=True)
class Multiples:
    """Small multiples: each run in a small contour panel of its own, every panel the same
    surface on one colour scale and window, titled with the run's name, its current loss
    across from the title. For races of more runs than colours or legend entries can tell apart (a
    tuned race of ten optimizers), and for sweeps. levels, contours, window and cmap: as for
    View2D. columns: panels per row (default: as square as the frame allows).
    """

    name: str = "multiples"
    levels: Any = "linear"
    contours: int = 12
    window: Any = None
    cmap: str | None = None
    columns: int | None = None

    def __post_init__(self):
        owner = "Multiples"
        _set(self, "name", _name(owner, "name", self.name))
        _set(self, "levels", _levels(owner, self.levels))
        _set(self, "contours", checks.integer(owner, "contours", self.contours, 2, 200))
        _set(self, "window", _window(owner, self.window))
        _set(self, "cmap", _cmap(owner, "cmap", self.cmap))
        if self.columns is not None:
            _set(self, "columns", checks.integer(owner, "columns", self.columns, 1, MAX_PANELS))


@dataclasses.dataclass(frozen=True)
class SweepLoss:
    """The loss of every cell of the scene's Sweep against its values, at each frame's step:
    a line over the values of one hyperparameter, a heatmap over two (each cell's loss
    written in it, the lowest outlined, diverged cells marked). log: a log scale for the
    losses (default: when they are positive and span more than two decades)."""

    name: str = "sweep"
    log: bool | None = None

    def __post_init__(self):
        _set(self, "name", _name("SweepLoss", "name", self.name))
        if self.log is not None:
            _set(self, "log", checks.flag("SweepLoss", "log", self.log))


def _curve_fields(view, owner: str, fewest: int, most: int) -> None:
    """A curve view's name, its number of points and its log axis (None: decided by the
    values), checked."""
    _set(view, "name", _name(owner, "name", view.name))
    _set(view, "points", checks.integer(owner, "points", view.points, fewest, most))
    if view.log is not None:
        _set(view, "log", checks.flag(owner, "log", view.log))


@dataclasses.dataclass(frozen=True)
class Interpolation:
    """The loss along straight lines through parameter space as the runs train (Goodfellow
    et al. 2015): with ``between="start"``, each run's line from its start to where it is at
    the frame; with ``between=(a, b)`` (two runs, by name or index), the line between those
    two runs' positions, where a barrier between two solutions shows as a bump (Garipov et
    al. 2018). ``points``: samples along a line, its ends included. ``log``: a log loss axis
    (default: when the losses are positive and span more than two decades)."""

    name: str = "interpolation"
    between: Any = "start"
    points: int = 41
    log: bool | None = None

    def __post_init__(self):
        owner = "Interpolation"
        _curve_fields(self, owner, 3, 401)
        if isinstance(self.between, str):
            if self.between != "start":
                raise ValueError(f"{owner}: between must be 'start' or two runs (names or indices), "
                                 f"got {self.between!r}")
        else:
            try:
                a, b = self.between
            except (TypeError, ValueError):
                raise ValueError(f"{owner}: between must be 'start' or two runs (names or indices), "
                                 f"got {checks._short(self.between)}") from None
            for end in (a, b):
                if not isinstance(end, (str, int, np.integer)) or isinstance(end, bool):
                    raise ValueError(f"{owner}: between names a run by its name or index, got {end!r}")
            _set(self, "between", (a, b))

    def ends(self, runs) -> tuple[int, int] | None:
        """The two runs whose positions the line joins (None: each run from its start)."""
        if self.between == "start":
            return None
        names = [r.name for r in runs]
        out = []
        for end in self.between:
            if isinstance(end, str):
                if end not in names:
                    raise ValueError(f"Interpolation: between names no run: {end!r}; the runs are {', '.join(names)}")
                out.append(names.index(end))
            else:
                if not 0 <= int(end) < len(runs):
                    raise ValueError(f"Interpolation: between must be a run's index below {len(runs)}, got {end}")
                out.append(int(end))
        if out[0] == out[1]:
            raise ValueError("Interpolation: between must name two different runs")
        return out[0], out[1]


@dataclasses.dataclass(frozen=True)
class Sharpness:
    """Sharpness, the top eigenvalue of the loss's Hessian, at each run's position against
    step, with each run's 2/lr (dashed, in its colour): under full-batch gradient descent
    sharpness rises until it hovers at 2/lr, the edge of stability (Cohen et al. 2021); a
    step of size lr is stable along a direction of curvature below 2/lr. ``points``: steps
    along each path where it is computed (each a Lanczos iteration: ``render.curvature``).
    ``log``: a log axis (default: when the values, 2/lr included, span more than 20 times)."""

    name: str = "sharpness"
    points: int = 40
    log: bool | None = None

    def __post_init__(self):
        _curve_fields(self, "Sharpness", 2, 400)


@dataclasses.dataclass(frozen=True)
class View3D:
    """The surface in 3D with each run drawn on it.

    camera: a Camera (static or orbiting). shadow: the runs again on a contour floor under
    the surface. alpha: the surface's opacity (the runs are drawn over it whatever it is).
    resolution: grid points per side. z: the height's scale, "linear", "log" (of the loss
    above the lowest, ticks in loss units) or "auto" (log when the loss spans more than
    about two decades). cmap, window, labels and legend: as for View2D.
    """

    name: str = "3d"
    camera: Camera = Camera()
    cmap: str | None = None
    alpha: float = 0.9
    shadow: bool = False
    window: Any = None
    resolution: int = 60
    legend: Any = None
    z: str = "auto"
    labels: bool = True

    def __post_init__(self):
        owner = "View3D"
        _set(self, "name", _name(owner, "name", self.name))
        if not isinstance(self.camera, Camera):
            raise ValueError(f"View3D: camera must be a Camera(...), got {self.camera!r}")
        _set(self, "cmap", _cmap(owner, "cmap", self.cmap))
        _set(self, "alpha", checks.number(owner, "alpha", self.alpha, 0, 1))
        _set(self, "shadow", checks.flag(owner, "shadow", self.shadow))
        if self.legend == "outside":
            raise ValueError("View3D: legend must be None, True or False, got 'outside'")
        _set(self, "legend", _legend(owner, self.legend))
        _set(self, "labels", checks.flag(owner, "labels", self.labels))
        _set(self, "z", checks.choice(owner, "z", self.z, Z_SCALES))
        _set(self, "window", _window(owner, self.window))
        _set(self, "resolution", checks.integer(owner, "resolution", self.resolution, 8, 400))


# --- scenes ---------------------------------------------------------------------------------

class _Animated:
    """What every scene kind shares: views, timing and naming.

    A scene kind defines ``runs`` (each with ``label``, ``color`` and ``name``), ``steps``,
    the fields checked below and ``simulate()``; ``VIEW_TYPES`` lists the views that can
    show it.
    """

    VIEW_TYPES: tuple = ()

    # A notebook's face (``render.notebook``), imported when one is called, not by the spec.
    def show(self, view=None, size=None, format="mp4", theme=None, jobs=None):
        """One view (a view or its name; default the first) encoded as ``format`` ("mp4" or
        "gif") at ``size`` (default 640x360): the last expression of a notebook cell plays it;
        elsewhere ``IPython.display.display(scene.show(...))``, or ``.save(path)``.
        ``jobs``: processes drawing frames (default: cores)."""
        from . import notebook
        return notebook.show(self, view, size, format, theme, jobs)

    def animation(self, view=None, size=(960, 540), dpi=None):
        """A matplotlib ``FuncAnimation`` of one view (a view or its name; default the first),
        for notebooks: ``scene.animation("3d").to_jshtml()`` or ``.save(...)``."""
        from . import notebook
        return notebook.animation(self, view, size, dpi)

    def _repr_html_(self) -> str:
        """What a notebook shows for a bare ``scene``: its first view, playing."""
        from . import notebook
        return notebook.repr_html(self)

    def _check_animation(self):
        owner = type(self).__name__
        _set(self, "steps", checks.integer(owner, "steps", self.steps, 1, 10_000_000))
        views = self._sequence("views", self.views)
        kinds = " or ".join(f"{t.__name__}(...)" for t in self.VIEW_TYPES)
        if not views:
            raise ValueError(f"{owner}: views must hold at least one {kinds}")
        for i, view in enumerate(views):
            if not isinstance(view, self.VIEW_TYPES):
                raise ValueError(f"{owner}: views[{i}] must be a {kinds}, got {view!r}")
        names = [v.name for v in views]
        if len(set(names)) != len(names):
            raise ValueError(f"{owner}: views must have distinct names (they name the output files), "
                             f"got {names}")
        _set(self, "views", views)
        _set(self, "fps", checks.number(owner, "fps", self.fps, MIN_FPS, 100))
        _set(self, "name", _name(owner, "name", self.name))
        _set(self, "title", checks.text(owner, "title", self.title))
        _set(self, "max_frames", checks.integer(owner, "max_frames", self.max_frames, 2, 100_000))
        _set(self, "seed", checks.integer(owner, "seed", self.seed, 0))
        _set(self, "hold", checks.number(owner, "hold", self.hold, 0, 60))
        _set(self, "hold_start", checks.number(owner, "hold_start", self.hold_start, 0, 60))
        if self.time not in TIMES:
            raise ValueError(f"{owner}: time must be 'linear' or 'log' (steps spread evenly on a log scale), "
                             f"got {checks._short(self.time)}")
        _set(self, "trim", checks.flag(owner, "trim", self.trim))
        _set(self, "smooth", checks.flag(owner, "smooth", self.smooth))
        if not isinstance(self.theme, str) or self.theme not in themes.THEMES:
            raise ValueError(f"{owner}: theme must be one of {', '.join(themes.THEMES)}, got {self.theme!r}")

    def _sequence(self, field, value) -> tuple:
        owner = type(self).__name__
        if isinstance(value, (str, bytes)) or dataclasses.is_dataclass(value):
            raise ValueError(f"{owner}: {field} must be a list, got {value!r}")
        try:
            return tuple(value)
        except TypeError:
            raise ValueError(f"{owner}: {field} must be a list, got {value!r}") from None

    def view(self, view):
        """The view named ``view`` (a view itself is returned as it is)."""
        if not isinstance(view, str):
            return view
        for v in self.views:
            if v.name == view:
                return v
        raise ValueError(f"{type(self).__name__} has no view {view!r}; "
                         f"it has {', '.join(v.name for v in self.views)}")


@dataclasses.dataclass(frozen=True)
class Scene(_Animated):
    """Runs racing over one surface for ``steps`` steps, shown by one or more views.

    ``runs`` may hold Swarms; each stands for its runs, so ``scene.runs`` holds Runs only.

    When steps exceed ``max_frames``, frames sample the steps evenly (``time="log"``: evenly
    on a log scale); the trajectories keep every step. ``seed`` drives the gradient noise of
    runs that ask for it. Time follows motion (``render.timeline``): the first frame is held
    ``hold_start`` seconds and the last ``hold``; once nothing moves on screen the animation
    goes to its last frame (``trim``); below 20 frames a second, heads glide along each step
    (``smooth``). ``notes``: Notes, captions at steps (``render.story``); ``show_events``:
    caption what the simulation shows happening (a run diverges, reaches a minimum, takes
    the lead, leaves the frame); ``events()`` lists them.
    """

    surface: Any
    runs: Sequence[Run]
    steps: int
    views: Sequence[Any] = (View2D(),)
    fps: float = 20
    name: str | None = None
    title: str | None = None
    max_frames: int = 200
    seed: int = 0
    theme: str = "light"
    hold: float = 1.5
    plane: Any = None
    hold_start: float = 0.5
    time: str = "linear"
    trim: bool = True
    smooth: bool = True
    notes: Sequence[Any] = ()
    show_events: bool = True

    VIEW_TYPES = (View2D, View3D, Multiples, SweepLoss, Interpolation, Sharpness)

    def __post_init__(self):
        surface = self._surface()
        given = self._sequence("runs", self.runs)
        _set(self, "runs", self._runs(given, surface))
        self._check_animation()
        searched = self._check_runs()
        self._check_memory(searched)
        surface.check()
        self._check_views()
        self._check_story()
        if not isinstance(surface, Model):
            self._warn_outside_window(given)

    def _check_story(self):
        from .story import MOST_NOTES, Note, note_run
        notes = self._sequence("notes", self.notes)
        if len(notes) > MOST_NOTES:
            raise ValueError(f"Scene: notes must hold at most {MOST_NOTES} Notes, got {len(notes)}")
        for i, note in enumerate(notes):
            if not isinstance(note, Note):
                raise ValueError(f"Scene: notes[{i}] must be a Note(step, text, run=None, hold=0), "
                                 f"got {checks._short(note)}")
            if note.step > self.steps:
                raise ValueError(f"Scene: notes[{i}] is at step {note.step}, after the last step ({self.steps})")
            note_run(note, self.runs)
        _set(self, "notes", notes)
        _set(self, "show_events", checks.flag("Scene", "show_events", self.show_events))

    def _surface(self):
        """The surface (a registered name made one), and over a model its plane, checked and
        stored."""
        surface = self.surface
        if isinstance(surface, str):
            surface = surfaces.get(surface)
        if not isinstance(surface, (surfaces.Surface, Model)):
            raise ValueError(f"Scene: surface must be a surface, a registered name such as "
                             f"'rosenbrock', or a model such as surfaces.MLP(X, y), got {self.surface!r}")
        _set(self, "surface", surface)
        if isinstance(surface, Model):
            if surface.dims < 2:
                raise ValueError(f"Scene: the model has {surface.dims} parameter, and a scene draws a model on a "
                                 f"plane through its parameters, which takes 2 or more; give it at least 2 (a "
                                 f"loss of one number is a surfaces.Function of x alone)")
            plane = Plane() if self.plane is None else self.plane
            if not isinstance(plane, Plane):
                raise ValueError(f"Scene: plane must be a Plane(...), got {checks._short(self.plane)}")
            plane.check(surface)
            _set(self, "plane", plane)
        elif self.plane is not None:
            raise ValueError("Scene: plane is for a scene over a model (surfaces.MLP or surfaces.Model); "
                             "a surface is drawn in its own two coordinates")
        return surface

    @property
    def _dims(self) -> int:
        return self.surface.dims if isinstance(self.surface, Model) else 2

    def _runs(self, given, surface) -> tuple:
        """Every run of ``given``: Runs as they are, Swarms and Sweeps as the runs they start."""
        if not given:
            raise ValueError("Scene: runs must hold at least one Run(...) or Swarm(...)")
        runs = []
        for i, run in enumerate(given):
            if isinstance(run, Swarm) and isinstance(surface, Model):
                raise ValueError(f"Scene: runs[{i}] is a Swarm, which starts runs over a surface's window; "
                                 f"over a model give Run(optimizer, start) for each start")
            if isinstance(run, Swarm):
                runs.extend(run.runs(surface.window))
            elif isinstance(run, Sweep):
                runs.extend(run.runs())
            elif isinstance(run, Run):
                runs.append(run)
            else:
                raise ValueError(f"Scene: runs[{i}] must be a Run(optimizer, start), a Swarm(optimizer, "
                                 f"grid=...) or a Sweep(optimizer, start, lr=[...]), got {run!r}")
        if len(runs) > MAX_RUNS:
            raise ValueError(f"Scene: runs must come to at most {MAX_RUNS} runs, got {len(runs)}")
        dims = self._dims
        for i, run in enumerate(given):
            if isinstance(run, (Run, Sweep)) and len(run.start) != dims:
                what = f"the model's {dims} parameters (such as model.init)" if dims != 2 else "(x, y)"
                raise ValueError(f"Scene: runs[{i}] starts at a point of {len(run.start)} numbers; "
                                 f"it must be {what}")
        return tuple(runs)

    def _check_runs(self) -> tuple[int, int, bool]:
        """Each run's schedule against its optimizer and the steps; the tuned candidates to
        search: (how many, how many of them scheduled, whether any is noisy)."""
        searched, searched_scheduled, searched_noisy = 0, 0, False
        for i, run in enumerate(self.runs):
            if run.schedule is not None:
                run.schedule.check(run.optimizer, self.steps, f"Scene: runs[{i}]")
                if isinstance(run.schedule, OneCycleLR) and "lr" in tuned_fields(run.optimizer):
                    raise ValueError(f"Scene: runs[{i}] tunes lr, which OneCycleLR does not use; "
                                     f"tune its max_lr instead")
            own, sched = tuned_fields(run.optimizer), tuned_fields(run.schedule)
            if own or sched:
                n = int(np.prod([t.n for t in (*own.values(), *sched.values())], dtype=float))
                searched += n
                searched_scheduled += n if run.schedule is not None else 0
                searched_noisy |= getattr(run.optimizer, "noise", 0) > 0
        if searched > MAX_SEARCH:
            raise ValueError(f"Scene: the tuned runs come to {searched} candidates to simulate; "
                             f"give fewer values (n) or tune fewer things, {MAX_SEARCH} at most")
        return searched, searched_scheduled, searched_noisy

    def _check_memory(self, searched) -> None:
        """What the simulation keeps (every step of every run), and the search before it (no
        history: its runs and their schedules' rates), are known now: too much is refused."""
        searched, searched_scheduled, searched_noisy = searched
        dims = self._dims
        runs_said = f"{len(self.runs)} run{'s' * (len(self.runs) != 1)}"
        over = f" over {dims} parameters" if isinstance(self.surface, Model) else ""
        noisy = any(getattr(r.optimizer, "noise", 0) > 0 for r in self.runs)
        scheduled = sum(r.schedule is not None for r in self.runs)
        checks.memory("Scene", f"simulating {runs_said} for {self.steps} steps{over}",
                      simulation_bytes(len(self.runs), self.steps, dims, noisy, scheduled),
                      "give fewer steps or runs (the trajectories keep every step of every run)")
        if searched:
            checks.memory("Scene", f"searching {searched} tuned candidates for {self.steps} steps{over}",
                          search_bytes(searched, self.steps, dims, searched_noisy, searched_scheduled),
                          "give fewer values to try (tuned's n), tune fewer things or take fewer steps"
                          + (" (a schedule's rates are kept for every step)" if searched_scheduled else ""))

    def _check_views(self) -> None:
        """What each view needs of the scene: one sweep, few enough panels, data to show."""
        for i, view in enumerate(self.views):
            if isinstance(view, SweepLoss):
                sweeps = {id(r.sweep) for r in self.runs if r.sweep is not None}
                if len(sweeps) != 1:
                    raise ValueError(f"Scene: views[{i}] is a SweepLoss, which draws one Sweep's cells; the scene "
                                     f"has {len(sweeps) or 'no'} sweep{'s' if len(sweeps) != 1 else ''}")
            if isinstance(view, Multiples) and len(self.runs) > MAX_PANELS:
                raise ValueError(f"Scene: views[{i}] draws a panel a run, and {len(self.runs)} runs are more than "
                                 f"{MAX_PANELS} panels; draw a crowd with View2D")
            if isinstance(view, Interpolation):
                view.ends(self.runs)                # (names a run that is there)
            if getattr(view, "follow", None) is not None:
                from .story import find_run
                find_run(self.runs, view.follow, f"Scene: views[{i}]'s follow", f"Scene: views[{i}] follows no run")
            if getattr(view, "data_panel", False) is not False:
                problem = _data_problem(self.surface)
                if problem:
                    raise ValueError(f"Scene: views[{i}] asks for a data panel, but the surface cannot "
                                     f"show one: {problem}")
                self.data_run(view)

    def _warn_outside_window(self, given):
        xmin, xmax, ymin, ymax = self.surface.window
        outside = lambda x, y: not (xmin <= x <= xmax and ymin <= y <= ymax)
        for i, run in enumerate(given):
            if isinstance(run, Swarm):
                n = sum(outside(*p) for p in run.points(self.surface.window))
                if n:
                    warnings.warn(f"Scene: runs[{i}] is a swarm with {n} starts outside the surface's "
                                  f"window {self.surface.window}; they will not be visible at first",
                                  stacklevel=3)
            elif outside(*run.start):
                warnings.warn(f"Scene: runs[{i}] starts at {run.start}, outside the surface's window "
                              f"{self.surface.window}; it will not be visible at first", stacklevel=3)

    def data_run(self, view) -> int:
        """The run whose model ``view``'s data panel shows."""
        which = view.data_panel
        if isinstance(which, str):
            names = [r.name for r in self.runs]
            if which not in names:
                raise ValueError(f"View2D: data_panel names no run: {which!r}; the runs are {', '.join(names)}")
            return names.index(which)
        if which is True or isinstance(which, (bool, np.bool_)):
            return 0
        if not which < len(self.runs):
            raise ValueError(f"View2D: data_panel must be a run's index below {len(self.runs)}, got {which}")
        return int(which)

    # Conveniences: the simulation stage's own functions (``render.trajectories``), which
    # the planning stage calls; a spec computes nothing when it is built.
    def simulate(self) -> Trajectories:
        """Every run, advanced together (see ``render.trajectories``), tuned values searched
        first (see ``resolved``). Each call simulates afresh; the arrays are read-only."""
        return simulate_scene(self)

    def resolved(self) -> "Scene":
        """This scene with each tuned value replaced by the winner of its search (see
        ``render.tuning``); the scene itself when nothing is tuned."""
        return search_tuned(self)[0]

    def search(self) -> tuple["Scene", tuple[Search, ...]]:
        """The resolved scene and the searches of its tuned runs (``render.tuning.Search``,
        one per tuned run). Each call searches afresh, as ``simulate`` simulates afresh."""
        return search_tuned(self)

    def events(self) -> list:
        """What happens in the simulation, found in it (``render.story``): each
        ``Event(step, run, kind, text)``, kind "diverges", "reaches", "overtakes" or
        "leaves", by step. Found whether or not ``show_events`` draws them."""
        from .story import scene_events
        return scene_events(self)


def _data_problem(surface) -> str | None:
    """Why a data panel cannot show ``surface``'s data, or None if it can."""
    if isinstance(surface, surfaces.MLP):
        features = surface.X.shape[1]
        return None if features == 2 else f"its data has {features} features; the panel draws 2"
    if isinstance(surface, surfaces.LeastSquares):
        return None if np.all(surface.shown_X[:, 0] == 1.0) else \
            "it is not the fit of a line (the first column of X is not all ones)"
    if isinstance(surface, surfaces.Logistic):
        return None
    return "it is not a model on data (surfaces.MLP, LeastSquares or Logistic)"


# --- responses to gradient signals ----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Response:
    """One optimizer whose update is traced against gradient signals."""

    optimizer: Optimizer
    label: str | None = None
    color: Any = None

    def __post_init__(self):
        if not isinstance(self.optimizer, Optimizer):
            raise ValueError(f"Response: optimizer must be an optimizer such as "
                             f"opt.Momentum(lr=0.25), got {self.optimizer!r}")
        searched = tuned_fields(self.optimizer)
        if searched:
            raise ValueError(f"Response: optimizer cannot have tuned values (it tunes {', '.join(searched)}); a "
                             f"response traces one setting against signals, with no loss to choose by: give a number")
        _set(self, "label", checks.text("Response", "label", self.label))
        _set(self, "color", _color("Response", "color", self.color))

    @property
    def name(self) -> str:
        return self.label if self.label is not None else self.optimizer.describe()


@dataclasses.dataclass(frozen=True)
class ResponseView:
    """One panel per signal: the gradient and each run's update, drawn as time advances."""

    name: str = "responses"
    columns: int = 3
    legend: bool = True

    def __post_init__(self):
        _set(self, "name", _name("ResponseView", "name", self.name))
        _set(self, "columns", checks.integer("ResponseView", "columns", self.columns, 1, 6))
        _set(self, "legend", checks.flag("ResponseView", "legend", self.legend))


@dataclasses.dataclass(frozen=True)
class ResponseScene(_Animated):
    """How optimizers' updates respond to synthetic gradient signals over ``steps`` steps.

    ``signals`` are names from ``render.signals`` (default all six); each run is a
    ``Response``. It renders, loads and writes outputs exactly as a Scene does.
    """

    runs: Sequence[Response]
    signals: Sequence[str] = tuple(gradient_signals.names())
    steps: int = 300
    views: Sequence[Any] = (ResponseView(),)
    fps: float = 20
    name: str | None = None
    title: str | None = None
    max_frames: int = 300
    seed: int = 0
    theme: str = "light"
    hold: float = 1.5
    hold_start: float = 0.5
    time: str = "linear"
    trim: bool = True
    smooth: bool = True

    VIEW_TYPES = (ResponseView,)

    def __post_init__(self):
        runs = self._sequence("runs", self.runs)
        if not runs:
            raise ValueError("ResponseScene: runs must hold at least one Response(...)")
        for i, run in enumerate(runs):
            if not isinstance(run, Response):
                raise ValueError(f"ResponseScene: runs[{i}] must be a Response(optimizer), got {run!r}")
        _set(self, "runs", runs)
        chosen = self._sequence("signals", self.signals)
        for name in chosen:
            if name not in gradient_signals.SIGNALS:
                try:
                    gradient_signals.signal(name, 1)
                except ValueError as e:
                    raise ValueError(f"ResponseScene: signals: {e}") from None
        if not chosen:
            raise ValueError(f"ResponseScene: signals must name at least one of "
                             f"{', '.join(gradient_signals.names())}")
        _set(self, "signals", chosen)
        self._check_animation()
        # Every signal at every step, and every run's update to it, are kept.
        checks.memory("ResponseScene", f"tracing {len(runs)} run{'s' * (len(runs) != 1)} against {len(chosen)} "
                      f"signal{'s' * (len(chosen) != 1)} for {self.steps} steps",
                      8 * (self.steps + 1) * len(chosen) * (len(runs) + 5), "give fewer steps, signals or runs")

    def simulate(self) -> gradient_signals.Responses:
        """Each run's update in response to each signal (see ``render.gradient_signals.respond``)."""
        return gradient_signals.respond([r.optimizer for r in self.runs], self.signals, self.steps, self.seed)


SCENE_TYPES = (Scene, ResponseScene)
