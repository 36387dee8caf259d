"""The interpolation view: the loss along straight lines through parameter space."""
import numpy as np
import pytest
from click.testing import CliRunner

from render import Interpolation, Run, Scene, View2D, optimizers as opt, plan as planning, surfaces
from render.cli import main
from render.views.interpolation import line_losses

WELLS = surfaces.Function(lambda x, y: (x * x - 1) ** 2 + y * y, window=(-1.6, 1.6, -1, 1), name="two wells")


def wells_scene(**view):
    return Scene(WELLS, [Run(opt.GD(lr=0.05), (-0.4, 0.5), label="left"), Run(opt.GD(lr=0.05), (0.4, -0.5), label="right")],
                 80, views=[Interpolation(**view)])


def test_each_runs_line_from_its_start_is_the_loss_at_those_points():
    scene = Scene("rosenbrock", [Run(opt.Adam(lr=0.05), (-1.5, 2.0)), Run(opt.GD(lr=1e-3), (1.2, -0.4))], 30,
                  views=[Interpolation(points=9)])
    paths = scene.simulate()
    got = line_losses(scene, paths, scene.views[0], 30)
    t = np.linspace(0, 1, 9)
    for r in range(2):
        a, b = paths.positions[r, 0], paths.positions[r, 30]
        points = a + t[:, None] * (b - a)
        np.testing.assert_array_equal(got[r], scene.surface(points[:, 0], points[:, 1]))


def test_the_line_between_two_solutions_shows_their_barrier():
    scene = wells_scene(between=("left", "right"))
    paths = scene.simulate()
    ends = paths.positions[:, -1]
    np.testing.assert_allclose(ends, [[-1, 0], [1, 0]], atol=1e-3)          # one solution in each well
    got = line_losses(scene, paths, scene.views[0], 80)
    assert got.shape == (1, 41)
    assert got[0, 20] == pytest.approx(WELLS(0.0, float(np.mean(ends[:, 1]))), rel=1e-12)
    from render.views import build
    drawing = build(planning.build(scene), scene.views[0], (320, 180))
    barrier = float(got[0, 1:-1].max() - max(got[0, 0], got[0, -1]))
    assert barrier == pytest.approx(1.0, abs=1e-3)
    assert drawing.status(len(drawing) - 1) == f"step 80: a barrier of {barrier:.3g} between them"


def test_over_a_model_the_line_runs_through_its_parameters():
    model = surfaces.Model(lambda P: np.sum((P - [1.0, -2.0, 0.5]) ** 2 * [1.0, 4.0, 9.0], axis=-1), init=np.zeros(3))
    scene = Scene(model, [Run(opt.Adam(lr=0.1), model.init)], 20, views=[View2D(), Interpolation(points=5)])
    paths = scene.simulate()
    got = line_losses(scene, paths, scene.views[1], 20)
    points = paths.positions[0, 0] + np.linspace(0, 1, 5)[:, None] * (paths.positions[0, 20] - paths.positions[0, 0])
    np.testing.assert_array_equal(got[0], model.loss(points))


def test_it_renders_each_run_in_its_colour(tmp_path):
    path = tmp_path / "wells.py"
    path.write_text("from render import Interpolation, Run, Scene, optimizers as opt, surfaces\n"
                    "w = surfaces.Function(lambda x, y: (x * x - 1) ** 2 + y * y, window=(-1.6, 1.6, -1, 1))\n"
                    "scene = Scene(w, [Run(opt.GD(lr=0.05), (-0.4, 0.5), color='#d62728'),\n"
                    "                  Run(opt.GD(lr=0.05), (0.4, -0.5), color='#1f77b4'),\n"
                    "                  Run(opt.GD(lr=0.02), (1.3, 0.8), color='#2ca02c')], 40,\n"
                    "              views=[Interpolation()])\n")
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o"), "--size", "640x360", "--format", "png"])
    assert result.exit_code == 0, result.output
    from PIL import Image
    pixels = np.asarray(Image.open(tmp_path / "o" / "wells" / "interpolation.png").convert("RGB")).reshape(-1, 3)
    # The first two runs are mirror images, their lines one on the other: the second is
    # dashed over the first, so both colours show; the third is apart.
    for colour in ((0xd6, 0x27, 0x28), (0x1f, 0x77, 0xb4), (0x2c, 0xa0, 0x2c)):
        assert (np.abs(pixels.astype(int) - colour).sum(axis=1) < 40).sum() > 100, colour


@pytest.mark.parametrize("view,said", [
    (dict(between="end"), "Interpolation: between must be 'start' or two runs (names or indices), got 'end'"),
    (dict(between=("left", "nobody")), "Interpolation: between names no run: 'nobody'; the runs are left, right"),
    (dict(between=(0, 0)), "Interpolation: between must name two different runs"),
    (dict(points=2), "Interpolation: points must be"),
], ids=["not-start", "no-such-run", "same-run", "too-few-points"])
def test_a_bad_interpolation_is_one_line_when_built(view, said):
    with pytest.raises(ValueError) as error:
        wells_scene(**view)
    assert str(error.value).startswith(said)
