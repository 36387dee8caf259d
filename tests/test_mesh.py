"""The 3D surface drawn as one mesh, back to front: the picture matplotlib's plot_surface
draws (which sorts every polygon by depth), from any side, above or below, near or far."""
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from render import Camera, Run, Scene, View3D, optimizers as opt
from render import plan as planning
from render import views
from render.views.mesh import GridSurface

SIZE = (480, 270)


def drawn(d) -> np.ndarray:
    d.figure.canvas.draw()
    return np.asarray(d.figure.canvas.buffer_rgba())[..., :3].copy()


CAMERAS = [Camera(35, -60), Camera(60, 35), Camera(12, 150), Camera(-25, 80), Camera(88, 10),
           Camera(20, 250, distance=4)]
CAMERA_IDS = ["default", "high", "low", "below", "top", "near"]


def surface_view(surface, camera, alpha=0.8, resolution=30):
    view = View3D(camera=camera, alpha=alpha, resolution=resolution)
    scene = Scene(surface, [Run(opt.Adam(lr=0.1), (0.5, 0.5))], 5, views=[view])
    d = views.build(planning.build(scene), view, SIZE)
    for a in d.animated:
        a.set_animated(False)
    return d


def polygons(d, faces, antialiased):
    """The mesh's cells in the colours ``faces`` drawn by matplotlib's plot_surface instead:
    a polygon each, sorted by depth every draw (it takes a patch's colour from its first
    corner)."""
    X, Y, H = d.mesh.points
    d.mesh.set_visible(False)
    return d.ax.plot_surface(X, Y, H, facecolors=faces, linewidth=0, antialiased=antialiased, rstride=1,
                             cstride=1, shade=False, zorder=2)


def alone(d) -> None:
    """Nothing drawn but the surface, over the background."""
    d.ax.set_axis_off()
    for artist in [*d.ax.get_children(), *d.figure.get_children()]:
        if artist not in (d.mesh, d.ax, d.ax.patch, d.figure.patch):
            artist.set_visible(False)


def cell_faces(d) -> np.ndarray:
    X = d.mesh.points[0]
    faces = np.zeros(X.shape + (4,))
    faces[:-1, :-1] = d.mesh.colors
    return faces


@pytest.mark.parametrize("surface", ["himmelblau", "saddle", "rosenbrock", "mult"])
@pytest.mark.parametrize("camera", CAMERAS, ids=CAMERA_IDS)
def test_the_mesh_is_the_surface_plot_surface_draws(surface, camera):
    # Without antialiasing, cell by cell at the surface's opacity: the order alone decides.
    d = surface_view(surface, camera)
    with views.style(d.theme):
        d.update(5)
        d.mesh.antialiased = False
        mesh = drawn(d)
        polygons(d, cell_faces(d), antialiased=False)
        cells = drawn(d)
    off = np.abs(mesh.astype(int) - cells.astype(int)).max(axis=-1)
    # Blending one cell over another in the other order would be tens of levels off over
    # whole cells; the mesh and the polygons differ only in the rounding of their edges.
    assert (off > 24).mean() < 0.001, f"{(off > 24).mean():.3%} of pixels far off"
    assert off.mean() < 0.2


@pytest.mark.parametrize("surface", ["rosenbrock", "mult", "himmelblau"])
def test_the_smooth_mesh_is_one_opaque_layer_at_the_surfaces_opacity(surface):
    # Antialiased (the default), the surface is its cells laid opaque on a layer of their
    # own, then the layer on the frame at the surface's opacity (0.8): inside its outline,
    # the opaque cells plot_surface draws, over what is under them at that opacity. (Seen
    # from above, where no part of the surface hides another: which is drawn over which
    # is the first test's.)
    camera = Camera(88, 10)
    d = surface_view(surface, camera)
    with views.style(d.theme):
        d.update(5)
        alone(d)
        mesh = drawn(d).astype(float)
        faces = cell_faces(d)
        faces[..., 3] = np.where(faces[..., 3] > 0, 1.0, 0.0)
        polygons(d, faces, antialiased=False)
        d.figure.patch.set_alpha(0)
        d.ax.patch.set_visible(False)
        d.figure.canvas.draw()
        layer = np.asarray(d.figure.canvas.buffer_rgba()).astype(float) / 255
    background = 255 * np.array(to_rgb(d.theme.background))
    opacity = 0.8 * layer[..., 3:]
    reference = 255 * layer[..., :3] * opacity + background * (1 - opacity)
    # Each pixel inside is a blend of the cells around it: within the range of the pixels
    # around it in the reference (cells stepped there, smoothed here). A seam would be the
    # background through the cells' edges, outside that range.
    padded = np.pad(reference, [(1, 1), (1, 1), (0, 0)], mode="edge")
    around = np.stack([padded[1 + dy:1 + dy + reference.shape[0], 1 + dx:1 + dx + reference.shape[1]]
                       for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    out = np.maximum(around.min(axis=0) - mesh, mesh - around.max(axis=0)).max(axis=-1)
    inside = layer[..., 3] == 1
    for axis in (0, 1):                               # the outline is smooth here, stepped there
        inside = inside & np.roll(inside, 1, axis) & np.roll(inside, -1, axis)
    assert inside.mean() > 0.3
    assert out[inside].max() <= 3, f"{(out[inside] > 3).mean():.3%} of the surface off, by up to {out.max():.0f}"


def test_a_surface_of_one_colour_is_one_colour_inside():
    # Antialiased cells one by one leave a pale seam along every shared edge.
    d = surface_view("rosenbrock", Camera(35, -60), alpha=0.9, resolution=60)
    with views.style(d.theme):
        alone(d)
        shown = d.mesh.colors[..., 3] > 0
        d.mesh.colors[shown] = [0.2, 0.4, 0.6, 0.9]
        picture = drawn(d).astype(int)
    background = np.array([int(round(255 * v)) for v in to_rgb(d.theme.background)])
    surface = np.round(0.9 * np.array([0.2, 0.4, 0.6]) * 255 + 0.1 * background).astype(int)
    near = np.abs(picture - surface).max(axis=-1) <= 2
    covered = np.abs(picture - background).max(axis=-1) > 2
    # Every covered pixel is the one colour, but those of the outline: no seams inside.
    rows = np.flatnonzero(covered.any(axis=1))
    inner = covered[rows[5]:rows[-5]].copy()
    for _ in range(3):                                  # three pixels in from the outline
        inner[1:-1, 1:-1] &= inner[:-2, 1:-1] & inner[2:, 1:-1] & inner[1:-1, :-2] & inner[1:-1, 2:]
        inner[[0, -1]] = False
        inner[:, [0, -1]] = False
    assert inner.sum() > 5000
    assert near[rows[5]:rows[-5]][inner].mean() > 0.999


def test_cells_with_a_non_finite_corner_are_not_drawn():
    X, Y = np.meshgrid(np.arange(4.0), np.arange(3.0))
    Z = X + Y
    Z[1, 2] = np.nan
    colors = np.ones((2, 3, 4))
    mesh = GridSurface(None, X, Y, Z, colors)
    # The four cells around (1, 2): (0, 1), (0, 2), (1, 1), (1, 2) are transparent.
    assert mesh.colors[..., 3].tolist() == [[1, 0, 0], [1, 0, 0]]
    assert np.all(np.isfinite(mesh.points))
