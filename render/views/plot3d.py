"""The 3D view: the surface, each run drawn on it, an optional contour floor with shadows.

The height is the loss, on a scale that shows the surface's shape (``View3D(z=...)``): a
surface whose loss spans decades (Beale, Rosenbrock) drawn linearly is a flat sheet with a
spike, so by default such a loss is drawn as the log of its height above the lowest, with
ticks in loss units. The surface is lit (``LightSource``) so its curvature reads, and each
run's path has a halo of the background's colour so it stands out over the surface at
every depth.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from matplotlib import patheffects
from matplotlib.colors import Normalize
from matplotlib.ticker import FixedLocator, FuncFormatter
from matplotlib.transforms import Bbox
from mpl_toolkits.mplot3d import Axes3D

from ..timeline import interpolate, keyed
from .captions import Captions
from .base import TRAIL, Drawing
from .marks import Marks, trail_pixels
from .mesh import GridSurface
from .runs import NONE, Batches
from .stamps import stamp, stamp_tick_labels
from .swarm import START_SIZE, ProjectedSegments, SwarmLayer


STRETCH = 1.7       # the widest a 3D scene is stretched horizontally to fill a wide frame
FLATTEN = 0.8       # ... and the flattest its box is made (of matplotlib's 4:4:3)
RAISE = 1.8         # ... and the tallest, to fill a portrait frame


DECADES = 2.5      # a log height spans this many decades below the highest loss shown
LOG_ABOVE = 2.0    # decades the loss above the lowest must span for "auto" to take the log


class Height:
    """The height a loss is drawn at: the loss itself, or (``log``) log10 of its height
    above the lowest loss of the surface drawn, ``floor``, never below DECADES decades
    under the highest (a run lower than that is drawn at the bottom)."""

    def __init__(self, Z: np.ndarray, mode: str):
        finite = Z[np.isfinite(Z)]
        self.floor = float(finite.min()) if finite.size else 0.0
        above = finite - self.floor
        top = float(above.max()) if above.size else 1.0
        positive = above[above > 0]
        spread = np.log10(top / np.percentile(positive, 10)) if positive.size and top > 0 else 0.0
        self.log = mode == "log" or (mode == "auto" and spread > LOG_ABOVE)
        self.eps = max(top, 1e-300) * 10.0 ** -DECADES

    def __call__(self, losses):
        losses = np.asarray(losses, dtype=float)
        if not self.log:
            return losses
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log10(np.maximum(losses - self.floor, 0.0) + self.eps)

    def loss(self, h) -> float:
        """The loss drawn at height ``h``."""
        return 10.0 ** h - self.eps + self.floor if self.log else h


LIGHT = (0.55, 0.45)   # the share of a cell's colour lit whatever its slope, and by the light


def _normals(relief: np.ndarray) -> np.ndarray:
    """The unit normal of each cell (rows, columns, 3) of a grid whose heights are
    ``relief`` (0 to 1), in the box's proportions (4 x 4 x 3)."""
    rows, columns = relief.shape
    dz_dy, dz_dx = np.gradient(3.0 * relief, 4.0 / max(rows - 1, 1), 4.0 / max(columns - 1, 1))
    normal = np.stack([-dz_dx, -dz_dy, np.ones_like(relief)], axis=-1)
    return normal / np.linalg.norm(normal, axis=-1, keepdims=True)


def _lit(rgb: np.ndarray, normal: np.ndarray, camera) -> np.ndarray:
    """Cells of colour ``rgb`` (rows, columns, 3) whose unit normals are ``normal``
    (``_normals``) lit from the viewer's upper left, as the eye expects light to come: each
    cell by how squarely it faces the light. The light is the camera's at the start, fixed
    to the surface as an orbit turns; a camera moving between keys (no orbit) carries it,
    so that each key looks as a still camera there."""
    azim, elev = np.radians(camera.azim), np.radians(camera.elev)
    eye = np.array([np.cos(elev) * np.cos(azim), np.cos(elev) * np.sin(azim), np.sin(elev)])
    right = np.cross([0.0, 0.0, 1.0], eye)
    right = right / np.linalg.norm(right) if np.linalg.norm(right) > 1e-9 else np.array([1.0, 0.0, 0.0])
    up = np.cross(eye, right)
    light = 0.7 * up - 0.5 * right + 0.5 * eye
    light /= np.linalg.norm(light)
    facing = np.clip(normal @ light, 0.0, 1.0)[..., None]
    return np.clip(rgb * (LIGHT[0] + LIGHT[1] * 1.25 * facing), 0.0, 1.0)


def _loss_text(value: float) -> str:
    """A tick's loss as written: 1,000 and 0.1, not 1e+03 and 0.102 (the lowest loss added
    back shows only where it matters, in two digits)."""
    if abs(value) >= 100:
        return f"{value:,.0f}" if abs(value) < 1e6 else f"{value:.0e}"
    return f"{value:.2g}"


class _Wide3D(Axes3D):
    """3D axes whose drawing area is ``stretch`` times wider than tall (matplotlib's is
    always square, which leaves half of a 16:9 frame empty)."""

    stretch = 1.0

    def apply_aspect(self, position=None):
        position = self.get_position(original=True) if position is None else position
        bb = self.get_figure().transSubfigure.transform_bbox(Bbox.unit())
        pb = position.frozen()
        shrunk = pb.shrunk_to_aspect(1.0 / self.stretch, pb, bb.height / bb.width)
        self._set_position(shrunk.anchored(self.get_anchor(), pb), "active")


class Plot3D(Drawing):
    def __init__(self, plan, view, size, dpi=None):
        super().__init__(plan, view, size, dpi)
        self.camera = view.camera
        self.moving_camera = self.camera.moves
        fig = self.figure
        title = self.put_title()
        self.top = self.head_bottom()
        self.ax = fig.add_axes((0.0, 0.0, 1.0, self.top), axes_class=_Wide3D)
        # Drawn in the order given, not sorted by depth: the runs always come above the
        # surface, in their own colour, wherever the camera is.
        self.ax.computed_zorder = False
        # The axes grow past the frame to fill it; their background would paint over the
        # status line in a full redraw (an orbit). The figure's is the same colour.
        self.ax.patch.set_visible(False)
        for axis in (self.ax.xaxis, self.ax.yaxis, self.ax.zaxis):
            axis.set_pane_color(self.theme.pane)
        self.window = self.resolve_window()
        self._surface()
        self._runs()
        if self.camera.keys and not self.camera.orbit:
            self._fit_keys()
        else:
            self._fit()
        self._place_legend()
        self._place_camera(0)
        self._captions()
        self._marks()
        self._place_camera(0)
        self.put_status(self.status(0))
        self.status_text.set_text(self.fitted_status(0))
        self.animate([self.status_text])
        if self.camera.keys:
            self.status_text.set_zorder(4)      # over the box a nearer camera brings up to it
        if self.moving_camera:
            # Every frame is drawn whole: what does not change is drawn once and stamped.
            for still in (title, self.legend):
                if still is not None:
                    stamp(still)
            for axis in (self.ax.xaxis, self.ax.yaxis, self.ax.zaxis):
                stamp_tick_labels(axis)

    def _surface(self):
        ax, view, surface = self.ax, self.view, self.surface
        xmin, xmax, ymin, ymax = self.window
        X, Y, Z = surface.grid(view.resolution, self.window)
        Z = np.where(np.isfinite(Z), Z, np.nan)
        self.height = height = Height(Z, view.z)
        H = height(Z)
        finite = H[np.isfinite(H)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        # The box reaches down to the lowest a run goes over the window: a run at the
        # minimum is below the grid's lowest point, and inside the box.
        # Every run: a swarm's too, whose runs gather at the minima (cut at the grid's
        # lowest point, they vanished as they arrived).
        P = self.trajectories.positions
        with np.errstate(invalid="ignore"):
            over = (P[..., 0] >= xmin) & (P[..., 0] <= xmax) & (P[..., 1] >= ymin) & (P[..., 1] <= ymax)
            below = height(self.trajectories.losses[over]) if over.any() else np.empty(0)
        below = below[np.isfinite(below)]
        if below.size:
            # ... and up to the highest: a run off a model's plane can be above it.
            lo, hi = min(lo, float(below.min())), max(hi, float(below.max()))
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        # Each cell in the colour of its mean height, as plot_surface colours it, lit from
        # the upper left so that its slopes show; drawn as one mesh, far to near
        # (``mesh.GridSurface``).
        with np.errstate(invalid="ignore"):
            cells = (H[:-1, :-1] + H[1:, :-1] + H[:-1, 1:] + H[1:, 1:]) / 4
        filled = np.nan_to_num(cells, nan=lo)
        colors = self.cmap(Normalize(lo, hi)(filled))
        self._unlit, self._normals = colors[..., :3].copy(), _normals((filled - lo) / (hi - lo))
        colors[..., :3] = _lit(colors[..., :3], self._normals, self.camera)
        colors[..., 3] = view.alpha
        self.mesh = GridSurface(ax, X, Y, H, colors)
        self.mesh.set_zorder(2)
        ax.add_artist(self.mesh)
        # A sparse wireframe gives the pale surface its shape.
        ax.plot_wireframe(X, Y, H, rcount=16, ccount=16, color=self.theme.contour, linewidth=0.35,
                          alpha=0.35, zorder=3)
        self.floor = lo - 0.25 * (hi - lo) if view.shadow else lo
        if view.shadow:
            ax.contourf(X, Y, np.nan_to_num(H, nan=hi), zdir="z", offset=self.floor,
                        levels=15, cmap=self.cmap, alpha=0.7, zorder=1)
        self.minima = []
        for mx, my, best in self.minima_in(self.window, Z):
            h = float(height(float(surface(mx, my))))
            self.minima.append((mx, my, h))
            self.star(ax, (mx, my, h), best, 16, zorder=4)
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_zlim(self.floor, hi)
        self.box = ((xmin, ymin, self.floor), (xmax, ymax, hi))
        labels = getattr(surface, "axis_labels", ("x", "y"))
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_zlabel("loss (log scale)" if height.log else "loss")
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.get_major_locator().set_params(nbins=5)
        if height.log:
            # Ticks where the loss is a whole power of ten above the lowest, labelled in
            # loss units (the lowest added back).
            # (Not under the scale's floor, where decades are crushed together.)
            powers = np.arange(max(np.floor(lo) - 1, np.ceil(np.log10(height.eps))), np.ceil(hi) + 2)
            ticks = height(height.floor + 10.0 ** powers)
            keep = (ticks >= lo) & (ticks <= hi)
            powers, ticks = powers[keep], ticks[keep]
            if len(ticks) > 5:
                step = int(np.ceil(len(ticks) / 5))
                powers, ticks = powers[::-1][::step][::-1], ticks[::-1][::step][::-1]
            names = {float(t): _loss_text(height.floor + 10.0 ** p) for t, p in zip(ticks, powers)}
            # The scale's floor: whatever is lower than the lowest plus ``eps`` is drawn
            # there, and said to be ("≤ 7.9").
            if not len(ticks) or lo < ticks[0] - 0.3:
                ticks = np.concatenate([[lo], ticks])
                names[float(lo)] = "\u2264 " + _loss_text(height.floor + height.eps)
            ax.zaxis.set_major_locator(FixedLocator(ticks))
            ax.zaxis.set_major_formatter(FuncFormatter(lambda v, _: names.get(float(v), f"{height.loss(v):.2g}")))
        else:
            # Six-digit losses ran into the axis label: from 1e4 up, a power of ten on top instead.
            ax.zaxis.get_major_formatter().set_powerlimits((-3, 4))
        if self.camera.distance is not None:
            ax.set_box_aspect(None, zoom=10.0 / self.camera.distance)

    def _runs(self):
        ax = self.ax
        self.singles = self.plan.singles
        P, L = self.trajectories.positions, self.trajectories.losses
        height = self.height
        on_surface = lambda rows, times: np.concatenate(
            [interpolate(P, rows, times), height(interpolate(L, rows, times))[..., None]], axis=2)
        style = lambda i: (self.colors[i], self.trail_width(i), self.trail_marker(i), self.head_size(i))
        # A crowd's trails grow only under a still camera, and without their dashed shadows
        # (a dash pattern drawn a segment at a time would start again at every step).
        grows = (lambda i: False) if self.moving_camera or self.view.shadow else self.crowded
        self.batches = Batches(self.plan, self.singles, style, on_surface, 3, self.box, grows=grows)
        self.paths, self.heads, self.shadows, self.crowd_heads = [], [], [], {}
        halo = [patheffects.withStroke(linewidth=TRAIL + 2.4, foreground=self.theme.background, alpha=0.9)]
        for i, grows in zip(self.batches.first, self.batches.grows):
            color = self.colors[i]
            # No dot at every step: over a surface its halo made a string of beads.
            path, = ax.plot([], [], [], color=color, linewidth=self.trail_width(i), zorder=5,
                            solid_capstyle="round")
            if not self.crowded(i):
                path.set_path_effects(halo)
            self.paths.append(path)
            if grows:
                self.growing.append(self.paths[-1])
            if self.crowded(i):         # a crowd's heads: still moving, diverged (others: marks)
                self.crowd_heads[len(self.paths) - 1] = len(self.heads)
                for marker in "oX":
                    self.heads.append(ax.plot([], [], [], color=color, marker=marker, markersize=self.head_size(i),
                                              zorder=6, markeredgecolor="black", markeredgewidth=0.6,
                                              linestyle="none")[0])
            if self.view.shadow:
                # On the floor, thin and dashed: a shadow, never taken for a run.
                self.shadows.append(ax.plot([], [], [], color=color, linewidth=1.0, alpha=0.7,
                                            linestyle=(0, (3, 2)), zorder=4)[0])
        self.animate(self.paths + self.shadows + self.heads)
        self.swarms = []
        for group in self.plan.groups:
            layer = SwarmLayer(self, group, on_surface, self.box)
            where, rgba = layer.starts()
            if len(where):
                ax.scatter(*where.T, s=START_SIZE, marker="s", c=rgba, alpha=0.55, linewidths=0,
                           depthshade=False, zorder=4.5)
            trails = ProjectedSegments(linewidths=1.0, zorder=5)
            ax.add_collection(trails, autolim=False)
            heads = layer.head_markers(ax)
            # Whole trails under a still camera only grow: each frame's steps are drawn
            # once, over those of the frames before.
            grows = group.tail is None and not self.moving_camera
            if grows:
                self.growing.append(trails)
            self.swarms.append((layer, trails, heads, grows))
            self.animate([trails, *heads])
        self.legend = None
        if self.wants_legend():
            # In the figure's corner, not the axes': the axes are scaled to fill the frame.
            entries = self.legend_entries()
            self.legend = self.figure.legend(self.legend_handles(entries), [t for _, t in entries],
                                             loc="upper left", bbox_to_anchor=(0.01, self.top),
                                             framealpha=0.85)

    def _marks(self) -> None:
        """Heads, crosses, edge arrows and names of the runs not in a crowd (``marks``),
        where the camera shows them at each frame."""
        self.marks = None
        marked = self.marked()
        if marked is None:
            return
        named, where, kind, at, towards = marked

        def screen(frame, points):
            if self.moving_camera:
                self._place_camera(frame)
            return self._screen(np.asarray(points, dtype=float).reshape(-1, 3))

        fig = self.figure
        renderer = fig.canvas.get_renderer()
        W, H = fig.bbox.width, fig.bbox.height
        area = (4, 4, W - 4, self.top * H - 4)
        obstacles = []
        if self.legend is not None:
            obstacles.append(self.legend.get_window_extent(renderer).padded(4).extents)
        obstacles += self.captions.boxes(renderer)        # names stay clear of the captions
        trails = None
        if not self.moving_camera:
            for axis in (self.ax.xaxis, self.ax.yaxis, self.ax.zaxis):
                obstacles += [t.get_window_extent(renderer).extents for t in axis.get_ticklabels() if t.get_text()]
                obstacles.append(axis.label.get_window_extent(renderer).extents)
            r = 5 * fig.dpi / 72
            obstacles += [(u - r, v - r, u + r, v + r) for u, v in self._screen(np.array(self.minima).reshape(-1, 3))]
            with np.errstate(invalid="ignore"):
                pixels = [self._screen(self.batches.P[k]) for k in where]
            trails = trail_pixels(pixels, self.plan.frames)
        self.marks = Marks(self, named, kind, at, towards, screen, self.box, area, obstacles, trails,
                           labels=bool(self.view.labels), joint_only=not self.named_alone(),
                           still=not self.moving_camera)
        self._place_camera(0)
        self.marks.set_zorder(7)
        fig.add_artist(self.marks)
        self.animate([self.marks])

    def _captions(self) -> None:
        """The notes and events in a corner of the 3D plot, each pointing at its run's head
        as the camera shows it, or, for a run outside the box, at the edge arrow drawn for
        it (``Batches.marks``): never at the empty space where it would be."""
        kind, where, _ = self.batches.marks()
        place = {int(run): k for k, run in enumerate(self.batches.runs)}

        def screen(run, frame):
            k = place.get(run)
            if k is None or kind[k, frame] == NONE:
                return None
            if self.moving_camera:
                self._place_camera(frame)
            return self._screen(where[k, frame][None])[0]
        blocked = [] if self.legend is None else \
            [self.legend.get_window_extent(self.figure.canvas.get_renderer()).extents]
        runs = list(self.plan.singles)

        def heads(frame):
            found = [screen(r, frame) for r in runs]
            return np.array([f for f in found if f is not None]).reshape(-1, 2)
        crowd = None
        if not self.moving_camera:
            # The tick labels and the axes' names, each as many points as a head.
            renderer = self.figure.canvas.get_renderer()
            texts = [t for axis in (self.ax.xaxis, self.ax.yaxis, self.ax.zaxis)
                     for t in [*axis.get_ticklabels(), axis.label] if t.get_text()]
            crowd = np.repeat([np.asarray(t.get_window_extent(renderer).extents).reshape(2, 2).mean(axis=0)
                               for t in texts], 10, axis=0).reshape(-1, 2)
        # Corners of the frame below the status line (the axes reach past the frame, and a
        # moving camera moves them).
        W, H = self.figure.bbox.width, self.figure.bbox.height
        region = (0.0, 0.0, W, self.top * H)
        self.captions = Captions(self, self.ax, screen, crowd, heads, blocked, region)

    def _place_camera(self, frame: int):
        self._look(self.plan.fraction(frame), near=True)

    def _place_legend(self) -> None:
        """Put the legend in the figure corner over the fewest points of the runs' paths
        (their starts and ends counting most), at every angle of an orbit."""
        if self.legend is None:
            return
        P, L = self.trajectories.positions[:, self.steps], self.height(self.trajectories.losses[:, self.steps])
        points = np.column_stack([P.reshape(-1, 2), L.reshape(-1)])
        key = np.column_stack([P[:, [0, -1]].reshape(-1, 2), L[:, [0, -1]].reshape(-1)])
        lo, hi = np.array(self.box[0]), np.array(self.box[1])
        points = points[np.all((points >= lo) & (points <= hi), axis=1)]
        key = key[np.all((key >= lo) & (key <= hi), axis=1)]
        screens = []
        for f in self._angles:
            self._look(f)
            screens += [self._screen(points), self._screen(key)]
        corners = [("upper left", (0.01, self.top)), ("upper right", (0.99, self.top)),
                   ("lower left", (0.01, 0.01)), ("lower right", (0.99, 0.01))]
        counts = self.corner_counts(self.legend, corners, screens)
        weights = np.tile([1, 1000], len(self._angles))
        loc, anchor, _ = min(counts, key=lambda c: int(np.dot(weights, c[2])))
        self.legend.set_loc(loc)
        self.legend.set_bbox_to_anchor(anchor, transform=self.figure.transFigure)

    @property
    def _angles(self) -> list[float]:
        """The fractions of the animation whose camera angles fitting and placing look at:
        the one angle of a still camera, five along an orbit."""
        fitting = getattr(self, "_fit_at", None)
        if fitting is not None:
            return [fitting[0]]
        return list(np.linspace(0, 1, 5)) if self.moving_camera else [0.0]

    def _screen(self, points: np.ndarray) -> np.ndarray:
        """Where 3D points are drawn with the camera as it is now, in display pixels."""
        from mpl_toolkits.mplot3d import proj3d
        if not len(points):
            return np.empty((0, 2))
        px, py, _ = proj3d.proj_transform(*np.asarray(points).T, self.ax.get_proj())
        return self.ax.transData.transform(np.column_stack([px, py]))

    def _look(self, fraction: float, near: bool = False):
        """Turn the camera to its pose at ``fraction``; ``near``: the box laid out as the
        camera's keys have it there too (``_fit_keys``)."""
        elev, azim, _ = self.camera.pose(fraction)
        self.ax.view_init(elev=elev, azim=azim)
        layouts = getattr(self, "layouts", None)
        if near and layouts:
            # Each layout: the axes' box (4), its box aspect (3) and its stretch (1).
            layout = keyed(layouts[0][1], layouts[1:], fraction)
            self.ax.set_position(tuple(layout[:4]))
            self.ax._box_aspect = layout[4:7]
            self.ax.stretch = float(layout[7])
            # Lit as a still camera in this pose lights it (an orbit's light stays put).
            shown = self.mesh.colors[..., 3] > 0
            lit = _lit(self._unlit, self._normals, SimpleNamespace(elev=elev, azim=azim))
            self.mesh.colors[shown, :3] = lit[shown]
            self.mesh.stale = True

    def _fit_keys(self) -> None:
        """A camera that moves between keys is laid out at each key as a still camera in
        that pose would be (``_fit`` at that one angle and distance), and in between eased
        from one layout to the next: at a key, the frame is the still camera's."""
        ax = self.ax
        start = ax.get_position(original=True).bounds
        self.layouts = []
        for at in dict.fromkeys([0.0] + [k.at for k in self.camera.keys]):
            _, _, distance = self.camera.pose(at)
            ax.set_position(start)
            ax.stretch = 1.0
            ax.set_box_aspect(None, zoom=1.0 if distance is None else 10.0 / distance)
            self._fit_at = (at, distance)
            self._fit()
            self.layouts.append((at, np.concatenate([ax.get_position(original=True).bounds, ax._box_aspect,
                                                     [ax.stretch]])))
        self._fit_at = None

    def _fit(self):
        """Scale and centre the axes so that the box with its ticks and labels fills the
        frame below the status line, at every angle of an orbit alike (a constant size: an
        orbit does not breathe). matplotlib leaves a 3D box in a square in the middle, half
        of a wide frame empty; a scene is also stretched horizontally, up to STRETCH."""
        ax, fig = self.ax, self.figure
        renderer = fig.canvas.get_renderer()
        W, H = fig.bbox.width, fig.bbox.height
        margin = 0.02 * H
        target = Bbox.from_extents(margin, margin, W - margin, self.top * H - margin)
        def extent() -> Bbox:
            boxes = []
            for f in self._angles:
                self._look(f)
                boxes.append(self._extent(renderer))
            return Bbox.union(boxes)

        ratio = target.width / target.height
        square = extent()
        fitting = getattr(self, "_fit_at", None)
        distance = fitting[1] if fitting is not None else self.camera.distance
        zoom = 10.0 / distance if distance is not None else 1.0
        if square.width / square.height < ratio:
            # Too tall for the frame: a flatter box first, then a horizontal stretch.
            flat = float(np.clip((square.width / square.height) / ratio, FLATTEN, 1.0))
            ax.set_box_aspect((4, 4, 3 * flat), zoom=zoom)
            square = extent()
        elif square.width / square.height > ratio * 1.05:
            # Too wide (a portrait frame): a taller box, up to RAISE times matplotlib's.
            tall = float(np.clip((square.width / square.height) / ratio, 1.0, RAISE))
            ax.set_box_aspect((4, 4, 3 * tall), zoom=zoom)
            square = extent()
        ax.stretch = float(np.clip(ratio / (square.width / square.height), 1.0, STRETCH))
        for _ in range(4):
            content = extent()
            scale = min(target.width / content.width, target.height / content.height)
            active = ax.get_position().transformed(fig.transFigure)
            centre = np.array([active.x0 + active.x1, active.y0 + active.y1]) / 2
            middle = np.array([content.x0 + content.x1, content.y0 + content.y1]) / 2
            goal = np.array([target.x0 + target.x1, target.y0 + target.y1]) / 2
            shift = (goal - (centre + scale * (middle - centre))) / (W, H)
            if abs(scale - 1) < 0.002 and np.all(np.abs(shift * (W, H)) < 0.5):
                break                                   # settled (usually after two rounds)
            pos = ax.get_position(original=True)
            w, h = pos.width * scale, pos.height * scale
            cx, cy = (pos.x0 + pos.x1) / 2 + shift[0], (pos.y0 + pos.y1) / 2 + shift[1]
            ax.set_position((cx - w / 2, cy - h / 2, w, h))

    def _extent(self, renderer) -> Bbox:
        """The box's corners, ticks, tick labels and axis labels on screen, as drawn now."""
        ax = self.ax
        ax.apply_aspect()
        ax.M = ax.get_proj()           # what the axes' tick placement reads
        ax.invM = np.linalg.inv(ax.M)
        (x0, x1), (y0, y1), (z0, z1) = ax.get_xlim3d(), ax.get_ylim3d(), ax.get_zlim3d()
        corners = np.array([(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)])
        screen = self._screen(corners)
        boxes = [Bbox([screen.min(axis=0), screen.max(axis=0)])]
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            box = axis.get_tightbbox(renderer)
            if box is not None:
                boxes.append(box)
        return Bbox.union(boxes)

    def update(self, frame: int) -> list:
        trails, heads, moving = self.batches.at(frame, grown=not self.baking)
        for k, (points, ends) in enumerate(zip(trails, self.batches.split(heads, moving))):
            # Cut to the box: a run that leaves it stops at its edge, over nothing else.
            if points is not None:
                self.paths[k].set_data_3d(*points.T)
            if k in self.crowd_heads:
                h = self.crowd_heads[k]
                for head, where in zip(self.heads[h: h + 2], ends):
                    head.set_data_3d(*where.T)
            if self.shadows:
                self.shadows[k].set_data_3d(points[:, 0], points[:, 1], np.full(len(points), self.floor))
        for layer, trails, dots, grows in self.swarms:
            if not (grows and self.baking):       # (a growing trail is drawn, and projected, by ``grow``)
                trails.set_groups(*layer.fading(frame))
                if not self.moving_camera:
                    # Blitted alone: project now, as the axes do for their collections in a full draw.
                    trails.do_3d_projection()
            layer.place_heads(frame, dots)
        if self.moving_camera:
            self._place_camera(frame)
        if self.marks is not None:
            self.marks.update(frame)
        self.captions.update(frame)
        self.status_text.set_text(self.fitted_status(frame))
        return self.animated

    def grow(self, frame: int) -> list:
        paths = [p for p, grows in zip(self.paths, self.batches.grows) if grows]
        for path, points in zip(paths, self.batches.grow(frame)):
            path.set_data_3d(*points.T)
        swarms = []
        for layer, trails, _, grows in self.swarms:
            if grows:
                trails.set_groups(*layer.fading(frame, since=max(0, frame - 1)))
                trails.do_3d_projection()
                swarms.append(trails)
        return paths + swarms
