"""The 3D surface drawn as one mesh, back to front: the picture matplotlib's plot_surface
draws (which sorts every polygon by depth), from any side, above or below, near or far."""
import numpy as np
import pytest

from render import Camera, Run, Scene, View3D, optimizers as opt
from render import plan as planning
from render import views
from render.views.mesh import GridSurface

SIZE = (480, 270)


def drawn(d) -> np.ndarray:
    d.figure.canvas.draw()
    return np.asarray(d.figure.canvas.buffer_rgba())[..., :3].copy()


@pytest.mark.parametrize("surface", ["himmelblau", "saddle", "rosenbrock", "mult"])
@pytest.mark.parametrize("camera", [Camera(35, -60), Camera(60, 35), Camera(12, 150), Camera(-25, 80),
                                    Camera(88, 10), Camera(20, 250, distance=4)],
                         ids=["default", "high", "low", "below", "top", "near"])
def test_the_mesh_is_the_surface_plot_surface_draws(surface, camera):
    view = View3D(camera=camera, alpha=0.8, resolution=30)
    scene = Scene(surface, [Run(opt.Adam(lr=0.1), (0.5, 0.5))], 5, views=[view])
    d = views.build(planning.build(scene), view, SIZE)
    for a in d.animated:
        a.set_animated(False)
    with views.style(d.theme):
        d.update(5)
        mesh = drawn(d)
        # The same cells in the same colours by matplotlib: a polygon each, sorted by depth
        # every draw (plot_surface takes a patch's colour from its first corner).
        X, Y, H = d.mesh.points
        d.mesh.set_visible(False)
        faces = np.zeros(X.shape + (4,))
        faces[:-1, :-1] = d.mesh.colors
        d.ax.plot_surface(X, Y, H, facecolors=faces, linewidth=0, antialiased=True, rstride=1,
                          cstride=1, shade=False, zorder=2)
        polygons = drawn(d)
    off = np.abs(mesh.astype(int) - polygons.astype(int)).max(axis=-1)
    # Blending one cell over another in the other order would be tens of levels off over
    # whole cells; the mesh and the polygons differ only in the rounding of their edges.
    assert (off > 24).mean() < 0.0005, f"{(off > 24).mean():.3%} of pixels far off"
    assert off.mean() < 0.2


def test_cells_with_a_non_finite_corner_are_not_drawn():
    X, Y = np.meshgrid(np.arange(4.0), np.arange(3.0))
    Z = X + Y
    Z[1, 2] = np.nan
    colors = np.ones((2, 3, 4))
    mesh = GridSurface(None, X, Y, Z, colors)
    # The four cells around (1, 2): (0, 1), (0, 2), (1, 1), (1, 2) are transparent.
    assert mesh.colors[..., 3].tolist() == [[1, 0, 0], [1, 0, 0]]
    assert np.all(np.isfinite(mesh.points))
