"""Curvature: Hessian-vector products, the Hessian's top eigenpairs ("hessian" planes) and
sharpness, against Hessians known in closed form."""
import numpy as np
import pytest

from render import Plane, Run, Scene, optimizers as opt, surfaces
from render.curvature import hvp, sharpness, top_eigen


def quadratic(eigenvalues, seed=0):
    """0.5 (p - c)^T A (p - c) with A = Q diag(eigenvalues) Q^T, and its gradient given."""
    D = len(eigenvalues)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((D, D)))
    A = Q @ np.diag(eigenvalues) @ Q.T
    c = np.linspace(-1, 1, D)
    model = surfaces.Model(lambda P: 0.5 * np.einsum("ri,ij,rj->r", P - c, A, P - c),
                           gradient=lambda P: (P - c) @ A, init=np.zeros(D))
    return model, A, Q


def test_the_top_eigenpairs_of_a_known_hessian_are_found():
    values = np.array([9.0, 4.0, 2.5, 1.0, 0.5, -0.3, 0.1])
    model, A, Q = quadratic(values)
    found, vectors = top_eigen(model, np.full(7, 0.3), 2)
    np.testing.assert_allclose(found, [9.0, 4.0], rtol=1e-8)
    for vec, k in zip(vectors, (0, 1)):
        want = Q[:, k] * np.sign(Q[np.argmax(np.abs(Q[:, k])), k])
        np.testing.assert_allclose(vec, want, atol=1e-7)
    np.testing.assert_allclose(hvp(model, np.ones(7), np.arange(7.0)), A @ np.arange(7.0), rtol=1e-7, atol=1e-8)


def test_a_hessian_plane_is_spanned_by_the_sharpest_directions_and_says_their_curvature():
    model, A, Q = quadratic([6.0, 3.0, 1.0, 0.2])
    scene = Scene(model, [Run(opt.GD(lr=0.05), model.init), Run(opt.Adam(lr=0.1), model.init)], 20,
                  plane=Plane(directions="hessian"))
    from render import plan
    slice_ = plan.build(scene).plane
    assert abs(abs(slice_.u @ Q[:, 0]) - 1) < 1e-7 and abs(abs(slice_.v @ Q[:, 1]) - 1) < 1e-7
    assert slice_.axis_labels == ("Hessian eigenvector 1 (\u03bb = 6)", "Hessian eigenvector 2 (\u03bb = 3)")


def test_sharpness_along_a_path_is_the_top_eigenvalue_at_each_point():
    # L = sum(p^4) / 4: the Hessian is diag(3 p^2); its top eigenvalue 3 max(p^2).
    model = surfaces.Model(lambda P: np.sum(P ** 4, axis=-1) / 4, init=np.array([1.0, -0.5, 0.25]))
    path = Scene(model, [Run(opt.GD(lr=0.1), model.init)], 10).simulate().positions[0]
    np.testing.assert_allclose(sharpness(model, path), 3 * np.max(path ** 2, axis=1), rtol=1e-6)
    assert np.isnan(sharpness(model, np.array([[np.nan, 0.0, 1.0]]))).all()


def test_a_torch_modules_hessian_products_are_exact():
    torch = pytest.importorskip("torch", reason="pip install -e '.[test]'")
    # Mean squared error of a linear model: the Hessian in its weights is 2/n X^T X.
    g = torch.Generator().manual_seed(0)
    X = torch.randn(50, 3, generator=g, dtype=torch.float64)
    y = torch.randn(50, 1, generator=g, dtype=torch.float64)
    net = torch.nn.Linear(3, 1, bias=False)
    model = surfaces.Torch(net, torch.nn.MSELoss(), (X, y))
    H = 2 / 50 * (X.T @ X).numpy()
    v = np.array([0.3, -1.0, 2.0])
    np.testing.assert_allclose(model.hvp(model.init, v), H @ v, rtol=1e-12)
    values, _ = top_eigen(model, model.init, 2)
    np.testing.assert_allclose(values, np.linalg.eigvalsh(H)[::-1][:2], rtol=1e-10)


def test_the_sharpness_view_gives_the_top_eigenvalue_along_each_path_and_each_runs_two_over_lr():
    from render import Sharpness, schedules
    from render.views.sharpness import sharpness_along
    model = surfaces.Model(lambda P: np.sum(P ** 4, axis=-1) / 4, init=np.array([1.0, -0.5, 0.25]))
    scene = Scene(model, [Run(opt.GD(lr=0.1), model.init),
                          Run(opt.GD(lr=0.2), model.init, schedule=schedules.StepLR(step_size=4, gamma=0.5))],
                  12, views=[Sharpness(points=4)])
    paths = scene.simulate()
    steps, values, edges = sharpness_along(scene, paths, scene.views[0])
    assert steps.tolist() == [0, 4, 8, 12]
    for r in range(2):
        np.testing.assert_allclose(values[r], 3 * np.max(paths.positions[r, steps] ** 2, axis=1), rtol=1e-6)
    np.testing.assert_allclose(edges[0], 2 / 0.1)
    # Step t uses epoch t - 1's rate: 0.2 for steps 1-4, 0.1 for 5-8, 0.05 for 9-12.
    np.testing.assert_allclose(edges[1], 2 / np.array([0.2] * 5 + [0.1] * 4 + [0.05] * 4))


def test_gradient_descent_on_a_surface_sits_at_its_edge_of_stability_in_the_frame(tmp_path):
    # On x^2 + 10 y^2 the sharpness is 20 everywhere; GD with lr 0.1 has 2/lr = 20: the
    # status line says both.
    from render import Sharpness, plan as planning
    from render.views import build
    bowl = surfaces.Function(lambda x, y: x * x + 10 * y * y, window=(-2, 2, -2, 2))
    scene = Scene(bowl, [Run(opt.GD(lr=0.1), (1.5, 0.5), label="GD")], 10, views=[Sharpness(points=3)])
    drawing = build(planning.build(scene), scene.views[0], (320, 180))
    assert drawing.status(len(drawing) - 1) == "step 10, sharpness: GD 20.0 (edge 20.0)"


def test_the_edge_is_two_over_lr_for_descent_two_plus_two_m_for_momentum_and_none_for_adam():
    from render import Sharpness
    from render.views.sharpness import sharpness_along
    bowl = surfaces.Function(lambda x, y: x * x + 10 * y * y, window=(-2, 2, -2, 2))
    scene = Scene(bowl, [Run(opt.GD(lr=0.1), (1.5, 0.5)), Run(opt.Momentum(lr=0.01, momentum=0.9), (1.5, 0.5)),
                         Run(opt.Adam(lr=0.1), (1.5, 0.5))], 6, views=[Sharpness(points=2)])
    _, values, edges = sharpness_along(scene, scene.simulate(), scene.views[0])
    np.testing.assert_allclose(values, 20.0, rtol=1e-6)
    np.testing.assert_allclose(edges[0], 20.0)
    np.testing.assert_allclose(edges[1], 3.8 / 0.01)
    assert np.isnan(edges[2]).all()


def test_runs_at_one_sharpness_are_named_together_and_each_dashed_line_is_named_at_its_end():
    # On the bowl every run's sharpness is 20: the status names them once, with the edge of
    # the one run that has one; each dashed line is labelled by its runs, in their colour.
    from render import Sharpness, plan as planning
    from render.views import build
    bowl = surfaces.Function(lambda x, y: x * x + 10 * y * y, window=(-2, 2, -2, 2))
    scene = Scene(bowl, [Run(opt.GD(lr=0.1), (1.5, 0.5), label="GD"),
                         Run(opt.Momentum(lr=0.01, momentum=0.9), (1.5, 0.5), label="HB"),
                         Run(opt.Adam(lr=0.1), (1.5, 0.5), label="Adam")], 6, views=[Sharpness(points=2)])
    drawing = build(planning.build(scene), scene.views[0], (640, 360))
    assert drawing.status(0) == "step 0, sharpness: GD = HB = Adam 20.0"
    assert drawing.status(3) == "step 3, sharpness at step 0: GD = HB = Adam 20.0"
    names = {t.get_text(): t.get_color() for t in drawing.ax.texts}
    assert names == {"GD: 2/lr": drawing.colors[0], "HB: edge": drawing.colors[1]}
    assert "(momentum m:\n(2 + 2m)/lr)" in drawing.ax.get_legend().get_title().get_text()
