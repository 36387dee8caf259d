"""Real-model scenes: data sets, the MLP and user models against torch, training in D
dimensions against torch.optim, the shared plane, minibatches and bad input."""
from __future__ import annotations

import numpy as np
import pytest

from render import Plane, Run, Scene, View2D, View3D, datasets, optimizers as opt, surfaces
from render import plan as planning
from render.models import MLP, Model

torch = pytest.importorskip("torch", reason="torch is the reference: pip install -e '.[test]'")
pytestmark = pytest.mark.usefixtures("torch_float64")    # (tensors made in a test are float64)
F = torch.nn.functional

ACT = {"leaky_relu": lambda t: F.leaky_relu(t, 0.01), "relu": torch.relu, "tanh": torch.tanh}


def torch_network(model: MLP, p):
    """torch's network built from ``unflatten``: Linear layers holding our W (transposed:
    torch keeps (out, in)) and b."""
    layers = []
    for W, b in model.unflatten(np.asarray(p, dtype=float)):
        linear = torch.nn.Linear(W.shape[0], W.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(W.T))
            linear.bias.copy_(torch.tensor(b))
        layers.append(linear)
    return layers


def torch_loss(model: MLP, layers, X=None, y=None):
    h = torch.tensor(model.X if X is None else X)
    for i, linear in enumerate(layers):
        h = linear(h)
        if i < len(layers) - 1:
            h = ACT[model.activation](h)
    loss = F.cross_entropy(h, torch.tensor(model.y if y is None else y))
    if model.l2:
        loss = loss + 0.5 * model.l2 * sum((q * q).sum() for layer in layers for q in (layer.weight, layer.bias))
    return loss


def flat_grad(layers):
    return np.concatenate([np.concatenate([layer.weight.grad.numpy().T.ravel(), layer.bias.grad.numpy()])
                           for layer in layers])


# --- data sets -------------------------------------------------------------------------------

@pytest.mark.parametrize("make, kwargs, classes", [
    (datasets.spirals, dict(n=301, classes=3), 3), (datasets.moons, dict(n=200), 2),
    (datasets.blobs, dict(n=90, classes=4), 4)])
def test_datasets_are_deterministic_and_labelled(make, kwargs, classes):
    X, y = make(**kwargs, seed=3)
    X2, y2 = make(**kwargs, seed=3)
    X3, _ = make(**kwargs, seed=4)
    assert X.shape == (kwargs["n"], 2) and y.shape == (kwargs["n"],) and y.dtype == np.int64
    assert np.array_equal(X, X2) and np.array_equal(y, y2) and not np.array_equal(X, X3)
    assert sorted(np.unique(y).tolist()) == list(range(classes))
    assert max(np.bincount(y)) - min(np.bincount(y)) <= 1


def test_the_shipped_digits_are_the_uci_test_set_scaled_to_one():
    X, y = datasets.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert X.min() == 0.0 and X.max() == 1.0 and np.all(np.round(X * 16) == X * 16)
    assert y[:10].tolist() == list(range(10))
    # the first digit, a 0: its top row of pixels as the UCI file has it, over 16
    assert (X[0, :8] * 16).tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_damaged_digits_are_one_line_not_wrong_numbers(monkeypatch):
    monkeypatch.setattr(datasets, "DIGITS_SHA256", "0" * 64)
    with pytest.raises(ValueError, match=r"^digits: the shipped render/data/digits.csv.gz is damaged; "
                                         r"reinstall render-descent$"):
        datasets.digits()


def test_spirals_arms_wind_out_from_the_origin():
    X, y = datasets.spirals(200, classes=2, noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(r[y == 0], np.linspace(0, 1, 100))
    # Arm 1 is arm 0 turned by half a turn.
    assert np.allclose(X[y == 1], -X[y == 0])


def test_csv_reads_features_and_a_named_label(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("a,b,class\n0.5,1.5,0\n-1,2,1\n3,4,2\n")
    X, y = datasets.csv(path, label="class")
    assert X.tolist() == [[0.5, 1.5], [-1.0, 2.0], [3.0, 4.0]] and y.tolist() == [0, 1, 2]
    path.write_text("1,0.5,1.5\n0,-1,2\n")                  # no header; the label first
    X, y = datasets.csv(path, label=0)
    assert X.tolist() == [[0.5, 1.5], [-1.0, 2.0]] and y.tolist() == [1, 0]
    path.write_text("1,2,0\n3,x,1\n")
    with pytest.raises(ValueError, match=r"csv points.csv: line 2 holds something that is not a number"):
        datasets.csv(path)


@pytest.mark.parametrize("X, y, message", [
    ([[0, 1], [1, 0], [2, 2]], [0, 1.5, 1], r"MLP: y must be integer class labels 0\.\.k-1, got 1\.5 at row 1"),
    ([[0, 1], [1, 0], [2, 2]], [0, 2, 2], r"MLP: y must use every class label 0\.\.k-1 with k >= 2; class 1 has no point"),
    ([[0, 1], [1, 0], [2, 2]], [0, 1], r"MLP: y must hold one label per row of X \(3\), got 2"),
    ([[0, 1], [np.nan, 0], [2, 2]], [0, 1, 1], r"MLP: X must be finite, got nan at row 1, column 0"),
    ([[0, 1], [1, 0]], ["a", "b"], r"MLP: y must be integer class labels 0\.\.k-1"),
    ([[0, 1], [1, 0]], [0, -1], r"MLP: y must be integer class labels 0\.\.k-1, got -1 at row 1"),
])
def test_bad_data_is_one_line_naming_the_field(X, y, message):
    with pytest.raises(ValueError, match=message) as info:
        MLP(X, y)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("kwargs, message", [
    (dict(hidden=(16, 0)), r"MLP: hidden\[1\] must be a whole number in \[1, 4096\], got 0"),
    (dict(hidden=(-3,)), r"MLP: hidden\[0\] must be a whole number"),
    (dict(activation="gelu"), r"MLP: activation must be one of leaky_relu, relu, tanh, got 'gelu'"),
    (dict(batch_size=0), r"MLP: batch_size must be a whole number in \[1, 40\]"),
])
def test_bad_network_is_one_line(kwargs, message):
    X, y = datasets.blobs(40, classes=2)
    with pytest.raises(ValueError, match=message):
        MLP(X, y, **kwargs)


# --- the MLP against torch ---------------------------------------------------------------------

@pytest.mark.parametrize("activation, hidden, l2", [
    ("leaky_relu", (16,), 0.0), ("tanh", (8, 5), 0.01), ("relu", (6,), 0.0), ("leaky_relu", (4, 4, 3), 0.1)])
def test_mlp_loss_and_gradient_equal_torch(activation, hidden, l2):
    X, y = datasets.spirals(120, classes=3, seed=1)
    model = MLP(X, y, hidden=hidden, activation=activation, l2=l2, seed=2)
    rng = np.random.default_rng(0)
    P = model.init + 0.5 * rng.standard_normal((6, model.dims))
    losses, grads = model.loss(P), model.gradient(P)
    assert losses.shape == (6,) and grads.shape == (6, model.dims)
    for p, loss, grad in zip(P, losses, grads):
        layers = torch_network(model, p)
        reference = torch_loss(model, layers)
        reference.backward()
        assert abs(loss - reference.item()) <= 1e-12
        assert np.max(np.abs(grad - flat_grad(layers))) <= 1e-12


def test_mlp_gradient_equals_a_numerical_derivative():
    X, y = datasets.moons(80, seed=2)
    model = MLP(X, y, hidden=(5,), activation="tanh", seed=1)
    rng = np.random.default_rng(5)
    for p in model.init + rng.standard_normal((5, model.dims)):
        g = model.gradient(p)
        h = 1e-5
        E = np.eye(model.dims) * h
        # Fourth-order central differences.
        numeric = (-model.loss(p + 2 * E) + 8 * model.loss(p + E) - 8 * model.loss(p - E) + model.loss(p - 2 * E)) / (12 * h)
        assert np.max(np.abs(g - numeric)) <= 1e-8


def test_mlp_init_is_seeded_like_torch_linear_and_unflatten_is_its_layout():
    X, y = datasets.blobs(60, classes=3)
    model = MLP(X, y, hidden=(7,), seed=4)
    assert model.dims == 2 * 7 + 7 + 7 * 3 + 3
    assert np.array_equal(model.init, MLP(X, y, hidden=(7,), seed=4).init)
    assert not np.array_equal(model.init, MLP(X, y, hidden=(7,), seed=5).init)
    (W1, b1), (W2, b2) = model.unflatten(model.init)
    assert W1.shape == (2, 7) and b1.shape == (7,) and W2.shape == (7, 3) and b2.shape == (3,)
    assert np.abs(W1).max() <= 1 / np.sqrt(2) and np.abs(W2).max() <= 1 / np.sqrt(7)
    assert np.array_equal(np.concatenate([W1.ravel(), b1, W2.ravel(), b2]), model.init)
    # Vectorised over runs: the logits of each row are the network's.
    P = np.stack([model.init, 2 * model.init])
    z = model.forward(P)
    assert z.shape == (2, 60, 3)
    assert np.allclose(z[1], np.maximum(X @ (2 * W1) + 2 * b1, 0.01 * (X @ (2 * W1) + 2 * b1)) @ (2 * W2) + 2 * b2,
                       atol=1e-13)


def test_a_user_model_equals_torch_with_its_automatic_gradient():
    A = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])

    def loss(P):
        return np.sum((P @ A) * P, axis=-1) + np.log(1 + np.exp(P[..., 0] - P[..., 2])) + (P[..., 1] - 1) ** 4
    model = Model(loss, init=[1.0, -2.0, 0.5])
    rng = np.random.default_rng(0)
    P = rng.standard_normal((8, 3))
    for p, value, grad in zip(P, model.loss(P), model.gradient(P)):
        t = torch.tensor(p, requires_grad=True)
        ref = (t @ torch.tensor(A) * t).sum() + torch.log(1 + torch.exp(t[0] - t[2])) + (t[1] - 1) ** 4
        ref.backward()
        assert abs(value - ref.item()) <= 1e-12
        assert np.max(np.abs(grad - t.grad.numpy())) <= 1e-12


def test_bad_user_model_is_one_line():
    with pytest.raises(ValueError, match=r"Model: init must be finite, got nan at 1"):
        Model(lambda P: P.sum(axis=-1), init=[0.0, np.nan])
    with pytest.raises(ValueError, match=r"Model: loss must return one number per row of P"):
        Model(lambda P: P, init=[0.0, 1.0])


# --- training in D dimensions against torch.optim ------------------------------------------------

TRAINED = [
    (opt.GD(lr=0.5), torch.optim.SGD, dict(lr=0.5)),
    (opt.Momentum(lr=0.1, momentum=0.9), torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    (opt.Adam(lr=0.02), torch.optim.Adam, dict(lr=0.02)),
    (opt.RMSprop(lr=0.01), torch.optim.RMSprop, dict(lr=0.01)),
    (opt.Adagrad(lr=0.1), torch.optim.Adagrad, dict(lr=0.1)),
]


def torch_training(model, p0, make, kwargs, steps):
    layers = torch_network(model, p0)
    params = [q for layer in layers for q in (layer.weight, layer.bias)]
    optimizer = make(params, **kwargs)
    path = [np.array(p0)]
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        if model.stochastic:
            chosen = model.batch(step)
            loss = torch_loss(model, layers, model.X[chosen], model.y[chosen])
        else:
            loss = torch_loss(model, layers)
        loss.backward()
        optimizer.step()
        path.append(np.concatenate([np.concatenate([layer.weight.detach().numpy().T.ravel(),
                                                    layer.bias.detach().numpy()]) for layer in layers]))
    return np.array(path)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_every_run_trains_all_parameters_as_torch_optim_does(batch_size):
    X, y = datasets.spirals(64, seed=0)
    model = MLP(X, y, hidden=(6,), batch_size=batch_size, batch_seed=3)
    steps = 40
    scene = Scene(surface=model, steps=steps, runs=[Run(o, model.init) for o, *_ in TRAINED])
    t = scene.simulate()
    assert t.positions.shape == (len(TRAINED), steps + 1, model.dims)
    for run, (_, make, kwargs) in enumerate(TRAINED):
        reference = torch_training(model, model.init, make, kwargs, steps)
        assert np.max(np.abs(t.positions[run] - reference)) <= 1e-10, make.__name__
    # The losses are the whole data's, at each position.
    assert np.allclose(t.losses, model.loss(t.positions), rtol=0, atol=0)


def test_minibatches_are_reproducible_shared_and_cover_each_epoch():
    X, y = datasets.moons(50, seed=1)
    model = MLP(X, y, hidden=(4,), batch_size=16, batch_seed=7)
    epoch = np.concatenate([model.batch(s) for s in range(1, 5)])          # ceil(50 / 16) = 4 batches
    assert sorted(epoch.tolist()) == list(range(50))
    assert [len(model.batch(s)) for s in range(1, 5)] == [16, 16, 16, 2]
    assert np.array_equal(model.batch(3), MLP(X, y, hidden=(4,), batch_size=16, batch_seed=7).batch(3))
    assert not np.array_equal(model.batch(5), model.batch(1))               # a new shuffle each epoch
    runs = [Run(opt.GD(lr=0.3), model.init), Run(opt.Adam(lr=0.01), model.init)]
    a = Scene(surface=model, steps=12, runs=runs).simulate()
    b = Scene(surface=model, steps=12, runs=runs[:1]).simulate()
    # The same batches for a run whoever else races: GD alone moves as GD beside Adam.
    assert np.array_equal(a.positions[0], b.positions[0])


# --- the plane -------------------------------------------------------------------------------------

def model_scene(plane=None, **kwargs):
    X, y = datasets.spirals(60, seed=0)
    model = MLP(X, y, hidden=(5,), seed=1)
    runs = [Run(opt.GD(lr=0.5), model.init), Run(opt.Adam(lr=0.05), model.init),
            Run(opt.Momentum(lr=0.1), model.init)]
    return Scene(surface=model, steps=30, runs=runs, plane=plane, **kwargs)


@pytest.mark.parametrize("plane", [Plane(), Plane(centre="best"), Plane("random", seed=2)])
def test_the_plane_is_orthonormal_through_its_centre_and_shared(plane):
    scene = model_scene(plane, views=[View2D(loss_panel=True), View3D()])
    plan = planning.build(scene)
    s = plan.plane
    t = plan.trajectories
    assert np.allclose(s.basis.T @ s.basis, np.eye(2), atol=1e-14)
    if plane.centre == "start":
        assert np.array_equal(s.centre, scene.runs[0].start)
        assert np.allclose(plan.paths.positions[:, 0], 0.0, atol=1e-14)      # every run starts at the centre
        assert np.allclose(s.off[:, 0], 0.0, atol=1e-14)
    else:
        best = np.argmin(t.losses[:, -1])
        assert np.array_equal(s.centre, t.positions[best, -1])
        assert np.allclose(plan.paths.positions[best, -1], 0.0, atol=1e-12)
    # The projection and the distance put every point back together.
    back = s.point(plan.paths.positions[..., 0], plan.paths.positions[..., 1])
    resid = np.linalg.norm(t.positions - back, axis=-1)
    assert np.allclose(resid, s.off, atol=1e-12)
    # The loss drawn at a plane point is the model's loss there.
    a, b = 0.3, -0.7
    assert s(a, b) == pytest.approx(scene.surface.loss(s.centre + a * s.u + b * s.v), abs=1e-15)
    # Every view draws this one plane, and the runs' true losses.
    from render.views import build as make_drawing
    for view in scene.views:
        drawing = make_drawing(plan, view, (320, 180))
        assert drawing.surface is s and drawing.trajectories is s.paths
        assert np.array_equal(drawing.trajectories.losses, t.losses)


def test_pca_plane_holds_the_paths_when_they_lie_in_a_plane():
    # A quadratic bowl in 5 dimensions with runs moving in the plane of e0 and e1 only:
    # the principal plane holds them, with nothing off it.
    model = Model(lambda P: np.sum(P * P * np.arange(1, 6), axis=-1), init=[1.0, 2.0, 0.0, 0.0, 0.0])
    scene = Scene(surface=model, steps=20, runs=[Run(opt.GD(lr=0.05), model.init), Run(opt.Adam(lr=0.1), model.init)])
    plan = planning.build(scene)
    assert np.max(plan.plane.off) <= 1e-12
    assert np.allclose(np.abs(plan.plane.basis[2:]), 0.0, atol=1e-12)
    assert plan.plane.axis_labels[0].startswith("PC1 (")


def test_given_directions_are_made_orthonormal_and_checked():
    X, y = datasets.spirals(60, seed=0)
    model = MLP(X, y, hidden=(5,), seed=1)
    D = model.dims
    u = np.zeros(D); u[0] = 2.0
    v = np.zeros(D); v[0] = 1.0; v[3] = 1.0
    scene = Scene(surface=model, steps=5, runs=[Run(opt.GD(lr=0.1), model.init)], plane=Plane((u, v)))
    s = planning.build(scene).plane
    assert np.array_equal(s.u, u / 2) and np.allclose(s.v, np.eye(D)[3], atol=1e-15)
    with pytest.raises(ValueError, match=r"Plane: the two directions must not be parallel"):
        Scene(surface=model, steps=5, runs=[Run(opt.GD(lr=0.1), model.init)], plane=Plane((u, 3 * u)))
    with pytest.raises(ValueError, match=rf"Plane: directions\[1\] must hold the model's {D} parameters, got 2"):
        Scene(surface=model, steps=5, runs=[Run(opt.GD(lr=0.1), model.init)], plane=Plane((u, [1.0, 2.0])))


def test_random_directions_are_filter_normalised_and_seeded():
    from render.planes import _random_directions
    X, y = datasets.spirals(60, seed=0)
    model = MLP(X, y, hidden=(5,), seed=1)
    d1, d2 = _random_directions(model, model.init, seed=0)
    for (W, b), (dW, db) in zip(model.unflatten(model.init), model.unflatten(d1)):
        assert np.allclose(np.sum(dW * dW, axis=0) + db * db, np.sum(W * W, axis=0) + b * b, rtol=1e-12)
    again, _ = _random_directions(model, model.init, seed=0)
    other, _ = _random_directions(model, model.init, seed=1)
    assert np.array_equal(d1, again) and not np.array_equal(d1, other)


def test_a_model_scene_checks_its_runs_and_plane():
    X, y = datasets.spirals(60, seed=0)
    model = MLP(X, y, hidden=(5,), seed=1)
    with pytest.raises(ValueError, match=rf"Scene: runs\[0\] starts at a point of 2 numbers; it must be the "
                                         rf"model's {model.dims} parameters"):
        Scene(surface=model, steps=5, runs=[Run(opt.GD(lr=0.1), (0.0, 1.0))])
    with pytest.raises(ValueError, match=r"Scene: plane is for a scene over a model"):
        Scene(surface="bowl", steps=5, runs=[Run(opt.GD(lr=0.1), (0.0, 1.0))], plane=Plane())
    with pytest.raises(ValueError, match=r"Scene: views\[0\] asks for a data panel, but the surface cannot "
                                         r"show one: it is not a model on data"):
        Scene(surface="bowl", steps=5, runs=[Run(opt.GD(lr=0.1), (0.0, 1.0))], views=[View2D(data_panel=True)])
    with pytest.raises(ValueError, match=r"View2D: data_panel names no run: 'Lion'"):
        Scene(surface=model, steps=5, runs=[Run(opt.GD(lr=0.1), model.init)], views=[View2D(data_panel="Lion")])


def test_a_changed_data_file_renders_again(tmp_path):
    from render.load import load
    from render.pipeline import render_scene
    data = tmp_path / "points.csv"
    X, y = datasets.blobs(30, classes=2, seed=0)
    data.write_text("\n".join(f"{a},{b},{c}" for (a, b), c in zip(X, y)))
    scene_file = tmp_path / "blobs_net.py"
    scene_file.write_text(
        "from pathlib import Path\n"
        "from render import Run, Scene, View2D, datasets, optimizers as opt, surfaces\n"
        "model = surfaces.MLP(*datasets.csv(Path(__file__).parent / 'points.csv'), hidden=(3,))\n"
        "scene = Scene(surface=model, steps=4, runs=[Run(opt.Adam(lr=0.1), model.init)],\n"
        "              views=[View2D(data_panel=True)])\n")

    def render():
        (name, scene), = load(scene_file)
        return render_scene(scene, name=name, out=tmp_path / "out", formats=("png",), size=(160, 90),
                            source=scene_file.read_bytes())[0]
    first = render()
    assert not first.skipped and render().skipped
    data.write_text(data.read_text().replace(f"{X[0, 0]}", f"{X[0, 0] + 1}", 1))
    assert not render().skipped
