"""Every surface's gradient against accurate numerical derivatives; every minimum is one."""
import math

import numpy as np
import pytest

from render import autodiff, surfaces

REQUIRED = [
    "quadratic", "saddle", "monkey_saddle", "beale", "bowl", "mult", "matyas", "easom",
    "wobbly", "basins_and_walls", "ripple", "giant_plateau", "hills_and_canyon", "two_minima",
    "rosenbrock", "himmelblau", "rastrigin", "booth", "three_hump_camel", "six_hump_camel",
    "ackley", "goldstein_price", "styblinski_tang", "least_squares",
]
ALL = surfaces.names()
# Where a surface has a kink (|x|, a cone tip) the derivative is one-sided; keep samples away.
KINKS = {
    "wobbly": lambda x, y: np.abs(x) < 1e-3,
    "mult": lambda x, y: np.hypot(x, y) < 1e-3,
    "ackley": lambda x, y: np.hypot(x, y) < 1e-3,
}


def richardson_gradient(f, x, y):
    """Central differences extrapolated twice (error O(h^6)) at a scale-aware step."""
    def diff(h, dx, dy):
        return (f(x + dx * h, y + dy * h) - f(x - dx * h, y - dy * h)) / (2 * h)

    out = []
    for dx, dy in ((1, 0), (0, 1)):
        h = 1e-3 * np.maximum(1.0, np.abs(x if dx else y))
        d1, d2, d4 = diff(h, dx, dy), diff(h / 2, dx, dy), diff(h / 4, dx, dy)
        r1 = (4 * d2 - d1) / 3
        r2 = (4 * d4 - d2) / 3
        out.append((16 * r2 - r1) / 15)
    return out


def sample(surface, n=400, seed=0):
    xmin, xmax, ymin, ymax = surface.window
    rng = np.random.default_rng(seed)
    x = rng.uniform(xmin, xmax, n)
    y = rng.uniform(ymin, ymax, n)
    kink = KINKS.get(surface.name)
    if kink is not None:
        keep = ~kink(x, y)
        x, y = x[keep], y[keep]
    return x, y


def test_registry_holds_every_required_surface():
    assert set(REQUIRED) <= set(ALL)
    assert "logistic" in ALL


@pytest.mark.parametrize("name", ALL)
def test_gradient_matches_numerical_derivative(name):
    surface = surfaces.get(name)
    x, y = sample(surface)
    assert len(x) >= 390
    gx, gy = surface.gradient(x, y)
    nx, ny = richardson_gradient(surface, x, y)
    # The numerical derivative's own error grows with the function's size and curvature;
    # scale by the largest gradient in the sample.
    scale = max(1.0, np.max(np.abs(nx)), np.max(np.abs(ny)))
    np.testing.assert_allclose(gx, nx, rtol=1e-6, atol=1e-7 * scale)
    np.testing.assert_allclose(gy, ny, rtol=1e-6, atol=1e-7 * scale)


@pytest.mark.parametrize("name", [n for n in ALL if n != "logistic"])
def test_gradient_matches_forward_mode_autodiff_to_rounding(name):
    surface = surfaces.get(name)
    x, y = sample(surface, seed=1)
    gx, gy = surface.gradient(x, y)
    ax, ay = autodiff.gradient(surface.value, x, y)
    scale = max(1.0, np.max(np.abs(ax)), np.max(np.abs(ay)))
    np.testing.assert_allclose(gx, ax, rtol=1e-11, atol=1e-12 * scale)
    np.testing.assert_allclose(gy, ay, rtol=1e-11, atol=1e-12 * scale)


MINIMA = [(name, i) for name in ALL for i in range(len(surfaces.get(name).minima))]


@pytest.mark.parametrize("name,index", MINIMA)
def test_every_listed_minimum_is_a_true_local_minimum(name, index):
    surface = surfaces.get(name)
    mx, my = surface.minima[index]
    xmin, xmax, ymin, ymax = surface.window
    assert xmin <= mx <= xmax and ymin <= my <= ymax, "a minimum the window does not show"
    gx, gy = surface.gradient(np.array(mx), np.array(my))
    value = float(surface(mx, my))
    assert math.hypot(float(gx), float(gy)) < 1e-8 * max(1.0, abs(value))
    for r in (1e-3, 1e-2):
        angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        around = surface(mx + r * np.cos(angles), my + r * np.sin(angles))
        assert np.all(around > value), f"a neighbour at distance {r} is not higher"


def test_surfaces_without_minima_have_none_listed():
    assert surfaces.get("saddle").minima == []
    assert surfaces.get("monkey_saddle").minima == []
    assert len(surfaces.get("himmelblau").minima) == 4
    assert len(surfaces.get("six_hump_camel").minima) == 6


def test_known_minima_values():
    assert surfaces.get("beale")(3.0, 0.5) == 0.0
    assert surfaces.get("rosenbrock", a=2.0, b=10.0).minima == [(2.0, 4.0)]
    assert surfaces.get("goldstein_price")(0.0, -1.0) == pytest.approx(3.0)
    assert surfaces.get("easom")(math.pi, math.pi) == -1.0
    sixhump = surfaces.get("six_hump_camel")
    assert min(float(sixhump(*m)) for m in sixhump.minima) == pytest.approx(-1.0316284535, abs=1e-9)
    tang = surfaces.get("styblinski_tang")
    assert min(float(tang(*m)) for m in tang.minima) == pytest.approx(-78.33233140754, abs=1e-8)


def test_parameters_change_the_surface():
    q = surfaces.Quadratic(a=2.0, b=3.0, c=-1.0)
    assert q(1.0, 1.0) == 4.0
    assert q.latex == "2x^2 + 3y^2 - 1"
    assert surfaces.get("saddle", a=1, b=2)(1.0, 1.0) == -1.0


def test_unknown_names_and_parameters_are_named():
    with pytest.raises(ValueError, match="unknown surface 'rosenbrok'; did you mean 'rosenbrock'"):
        surfaces.get("rosenbrok")
    with pytest.raises(ValueError, match="rosenbrock: unknown parameter 'c'; valid ones are a, b, window"):
        surfaces.get("rosenbrock", c=1)
    with pytest.raises(ValueError, match="rosenbrock: b must be finite, got inf"):
        surfaces.Rosenbrock(b=float("inf"))
    with pytest.raises(ValueError, match="window must have xmin < xmax"):
        surfaces.Bowl(window=(1, -1, 0, 1))


def test_every_surface_has_a_formula_and_a_window():
    for name in ALL:
        s = surfaces.get(name)
        assert s.latex, name
        xmin, xmax, ymin, ymax = s.window
        assert xmin < xmax and ymin < ymax


# --- Function: any numpy-written f -----------------------------------------------------------

def test_function_gradient_is_exact_for_smooth_code():
    f = surfaces.Function(lambda x, y: np.sin(x) * np.exp(y / 2) + x ** 3 * y - np.log1p(x * x),
                          window=(-2, 2, -2, 2))
    x, y = sample(f)
    gx, gy = f.gradient(x, y)
    np.testing.assert_allclose(gx, np.cos(x) * np.exp(y / 2) + 3 * x ** 2 * y - 2 * x / (1 + x * x),
                               rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(gy, 0.5 * np.sin(x) * np.exp(y / 2) + x ** 3, rtol=1e-14, atol=1e-14)


def test_function_gradient_handles_abs_max_where_and_powers():
    def f(x, y):
        return np.abs(x) * np.sqrt(np.abs(x) + 0.1) + np.maximum(x, y) ** 2 + np.where(y > 0, y, 2 * y) + 2.0 ** x

    x = np.array([-1.5, -0.5, 0.7, 1.2])
    y = np.array([0.3, -0.8, 1.1, -0.2])
    gx, gy = surfaces.Function(f).gradient(x, y)
    nx, ny = richardson_gradient(lambda a, b: f(np.asarray(a), np.asarray(b)), x, y)
    np.testing.assert_allclose(gx, nx, rtol=1e-8)
    np.testing.assert_allclose(gy, ny, rtol=1e-8)


def test_function_with_the_wobbly_formula_matches_the_registered_one():
    wobbly = surfaces.get("wobbly")
    f = surfaces.Function(wobbly.value, window=wobbly.window, minima=[(-0.2, -0.9)])
    x, y = sample(wobbly, seed=3)
    np.testing.assert_allclose(np.stack(f.gradient(x, y)), np.stack(wobbly.gradient(x, y)),
                               rtol=1e-12, atol=1e-12)
    # Approximate minima are polished by Newton's method on the exact gradient.
    np.testing.assert_allclose(f.minima[0], wobbly.minima[0], atol=1e-12)


def test_function_explains_unsupported_code():
    import math as m
    f = surfaces.Function(lambda x, y: m.sin(x) + y)
    with pytest.raises(TypeError, match="math.* functions do"):
        f.gradient(np.array([1.0]), np.array([2.0]))
    g = surfaces.Function(lambda x, y: np.cumsum(x) + y)
    with pytest.raises(TypeError, match="numpy.cumsum is not supported; pass gradient="):
        g.gradient(np.array([1.0]), np.array([2.0]))


def test_function_uses_a_given_gradient():
    f = surfaces.Function(lambda x, y: x * y, gradient=lambda x, y: (y, x), name="product")
    assert [float(v) for v in f.gradient(2.0, 3.0)] == [3.0, 2.0]
    assert f.name == "product"
    assert f(2.0, 3.0) == 6.0


# --- model losses ---------------------------------------------------------------------------

def test_least_squares_line_is_the_blog_problem():
    ols = surfaces.get("least_squares")
    (a, b), = ols.minima
    assert a == pytest.approx(-2.0, abs=1e-3) and b == pytest.approx(2.0, abs=1e-3)
    assert ols.window == (-10.0, 10.0, -10.0, 10.0)
    assert ols.n == 1000


def test_least_squares_equals_the_direct_mean_squared_error():
    rng = np.random.default_rng(5)
    X = np.column_stack([np.ones(50), rng.uniform(-3, 3, 50)])
    y = 1.5 - 0.5 * X[:, 1] + rng.normal(0, 0.3, 50)
    ls = surfaces.LeastSquares(X, y)
    t0, t1 = rng.uniform(-5, 5, 100), rng.uniform(-5, 5, 100)
    direct = np.mean((y[None, :] - t0[:, None] * X[:, 0] - t1[:, None] * X[:, 1]) ** 2, axis=1)
    np.testing.assert_allclose(ls(t0, t1), direct, rtol=1e-12)
    residual = t0[:, None] * X[:, 0] + t1[:, None] * X[:, 1] - y
    np.testing.assert_allclose(ls.gradient(t0, t1)[0], 2 * np.mean(residual * X[:, 0], axis=1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ls.gradient(t0, t1)[1], 2 * np.mean(residual * X[:, 1], axis=1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ls.minima[0], np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-12)


def test_least_squares_keeps_only_sufficient_statistics():
    ls = surfaces.LeastSquares.line(n=200_000, seed=1)
    held = {k: v for k, v in vars(ls).items() if isinstance(v, np.ndarray)}
    # A (2x2) and the solution, never the data; a data panel's even sample of 1000 points.
    assert max(v.size for k, v in held.items() if not k.startswith("shown")) <= 4
    assert held["shown_X"].shape == (1000, 2) and held["shown_y"].shape == (1000,)
    assert np.all(held["shown_X"][:, 0] == 1.0)
    X, Y, Z = ls.grid(400)
    assert Z.shape == (400, 400) and np.all(Z >= ls.residual)


def test_least_squares_rejects_collinear_data():
    X = np.column_stack([np.ones(10), np.ones(10)])
    with pytest.raises(ValueError, match="collinear"):
        surfaces.LeastSquares(X, np.arange(10.0))


def test_logistic_loss_value_gradient_and_minimum():
    lg = surfaces.Logistic.blobs(n=120, seed=2)
    rng = np.random.default_rng(0)
    w1, w2 = rng.uniform(-3, 3, 50), rng.uniform(-3, 3, 50)
    s = lg.signed
    direct = np.mean(np.log1p(np.exp(-(w1[:, None] * s[:, 0] + w2[:, None] * s[:, 1]))), axis=1)
    np.testing.assert_allclose(lg(w1, w2), direct, rtol=1e-12)
    (m1, m2), = lg.minima
    assert math.hypot(*[float(v) for v in lg.gradient(np.array(m1), np.array(m2))]) < 1e-12
    assert lg.window[0] <= m1 <= lg.window[1]


def test_logistic_on_separable_data_lists_no_minimum():
    X = np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 0.0], [-2.0, -1.0]])
    lg = surfaces.Logistic(X, [1, 1, 0, 0])
    assert lg.minima == []
    with_penalty = surfaces.Logistic(X, [1, 1, 0, 0], l2=0.1)
    assert len(with_penalty.minima) == 1


def test_a_minimum_on_a_flat_surface_is_kept_with_a_warning_not_an_error():
    flat = surfaces.Function(lambda x, y: 0 * x + 1.0, minima=[(0.5, -0.5)])
    with pytest.warns(UserWarning, match=r"minimum \(0.5, -0.5\) could not be polished"):
        assert flat.minima == [(0.5, -0.5)]
    bowl = surfaces.Function(lambda x, y: (x - 1) ** 2 + y ** 2, minima=[(0.9, 0.1)])
    np.testing.assert_allclose(bowl.minima, [(1.0, 0.0)], atol=1e-12)      # polished as before
