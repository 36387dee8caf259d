"""The 3D surface as one quadrilateral mesh, drawn back to front in one Agg call.

matplotlib's ``plot_surface`` makes a polygon of every grid cell (3,481 of them at the
default 60 points a side); each frame of an orbit it projects them, sorts them by depth,
makes a Path object of each and fills them one by one: about 28 ms of a 38 ms frame. A
surface over a grid is a height field, and a height field has a painter's order of its own:
where two cells overlap on screen, the one nearer the camera in the horizontal plane is in
front (a line of sight meets the surface's cells in the order of their distance along it).
Walking the grid row by row from the far corner, along the axis that points most nearly at
the camera, visits overlapping cells in that order. So the mesh is projected as one array
and drawn with ``draw_quad_mesh``, flipped and transposed for the camera: the same cells in
the same colours, drawn far to near.
"""
from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.transforms import IdentityTransform
from mpl_toolkits.mplot3d import proj3d


class GridSurface(Artist):
    """The surface over the grid (X, Y, Z), rows by columns, in 3D axes ``ax``: each cell in
    its colour (``colors``, (rows - 1, columns - 1, 4)); a cell with a non-finite corner is
    not drawn."""

    def __init__(self, ax, X, Y, Z, colors, antialiased=True):
        super().__init__()
        self.ax = ax
        finite = np.isfinite(Z)
        whole = finite[:-1, :-1] & finite[1:, :-1] & finite[:-1, 1:] & finite[1:, 1:]
        self.points = np.stack([X, Y, np.where(finite, Z, np.nanmean(Z) if finite.any() else 0.0)])
        self.colors = np.array(colors, dtype=float)
        self.colors[~whole] = 0.0                           # transparent
        self.antialiased = antialiased
        self.level = float(np.mean(self.points[2]))

    def _order(self, M) -> tuple[bool, bool, bool]:
        """(flip rows, flip columns, swap the two) so that the mesh's rows run from the
        camera's far side to its near side, and the rows are the axis more nearly along the
        line of sight. Depth is measured in the horizontal plane (the grid's corners at one
        height): heights do not change which cells can hide which."""
        X, Y = self.points[0], self.points[1]
        r, c = X.shape[0] - 1, X.shape[1] - 1
        corners = [(0, 0), (r, 0), (0, c)]
        xs = [X[k] for k in corners]
        ys = [Y[k] for k in corners]
        _, _, depth = proj3d.proj_transform(np.array(xs), np.array(ys), np.full(3, self.level), M)
        down, across = (depth[1] - depth[0]) / max(r, 1), (depth[2] - depth[0]) / max(c, 1)
        # mplot3d's depth grows away from the camera: far rows first means decreasing depth.
        return down > 0, across > 0, abs(across) > abs(down)

    def draw(self, renderer):
        if not self.get_visible():
            return
        ax = self.ax
        X, Y, Z = self.points
        xs, ys, _ = proj3d.proj_transform(X.ravel(), Y.ravel(), Z.ravel(), ax.M)
        screen = ax.transData.transform(np.column_stack([xs, ys])).reshape(X.shape + (2,))
        colors = self.colors
        flip_rows, flip_columns, swap = self._order(ax.M)
        if flip_rows:
            screen, colors = screen[::-1], colors[::-1]
        if flip_columns:
            screen, colors = screen[:, ::-1], colors[:, ::-1]
        if swap:
            screen, colors = screen.transpose(1, 0, 2), colors.transpose(1, 0, 2)
        screen = np.ascontiguousarray(screen)
        gc = renderer.new_gc()
        gc.set_clip_rectangle(ax.bbox)
        gc.set_linewidth(0.0)
        colors = np.ascontiguousarray(colors.reshape(-1, 4))
        # Antialiased cells leave a seam of what is under them along every shared edge (each
        # covers part of the pixels there, and the parts add up to less than the whole): a
        # pale grid at every cell. So the cells are laid far to near twice, first without
        # antialiasing (each pixel covered once), then with it (a smooth outline); a surface
        # that is not opaque is laid so on a layer of its own, which then goes on the frame
        # at the surface's opacity.
        opacity = float(colors[:, 3].max()) if len(colors) else 0.0
        layered = self.antialiased and 0 < opacity < 1
        if layered:
            colors = colors.copy()
            colors[:, 3] = np.where(colors[:, 3] > 0, 1.0, 0.0)
            renderer.start_filter()
        for smooth in (False, True) if self.antialiased else (False,):
            renderer.draw_quad_mesh(gc, IdentityTransform(), screen.shape[1] - 1, screen.shape[0] - 1, screen,
                                    np.zeros((1, 2)), IdentityTransform(), colors, smooth, np.zeros((0, 4)))
        if layered:
            self._lay(renderer, gc, screen, opacity)
        gc.restore()
        self.stale = False

    @staticmethod
    def _lay(renderer, gc, screen, opacity: float) -> None:
        """Lay the layer ``renderer.start_filter`` began onto the frame at ``opacity``: the
        part the cells' corners span (``screen``) and one pixel around it, faded in 8-bit
        integers. (``stop_filter`` would make a float copy of it twice: 10 ms a frame at
        960x540, a third of an orbit's frame.)"""
        layer = np.asarray(renderer.buffer_rgba())
        height, width = layer.shape[:2]
        x, y = screen[..., 0], screen[..., 1]
        x0, x1 = max(0, int(np.floor(np.nanmin(x))) - 1), min(width, int(np.ceil(np.nanmax(x))) + 2)
        y0, y1 = max(0, int(np.floor(np.nanmin(y))) - 1), min(height, int(np.ceil(np.nanmax(y))) + 2)
        rows = slice(height - y1, height - y0)                     # the buffer's rows run down
        part = layer[rows, x0:x1].copy() if x1 > x0 and y1 > y0 else None
        layer[rows, x0:x1] = 0                                     # so stop_filter lays nothing
        renderer.stop_filter(lambda image, dpi: (image, 0, 0))
        if part is not None:
            alpha = part[..., 3].astype(np.uint16) * int(round(opacity * 255))
            part[..., 3] = ((alpha + 127) // 255).astype(np.uint8)
            renderer.draw_image(gc, x0, y0, part[::-1])
