"""surfaces.Torch: a torch.nn.Module's loss on your data as a model the runs train."""
import numpy as np
import pytest
from click.testing import CliRunner

from render import Plane, Run, Scene, optimizers as opt, surfaces
from render.cli import main

torch = pytest.importorskip("torch", reason="surfaces.Torch is checked against torch: pip install -e '.[test]'")


def data(n=120, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g)
    return X, (X[:, 0] * X[:, 1] > 0).long()


def net(norm=False, seed=0):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(2, 12)] + ([torch.nn.BatchNorm1d(12)] if norm else []) + \
        [torch.nn.Tanh(), torch.nn.Linear(12, 2)]
    return torch.nn.Sequential(*layers)


def plain(module, p, X, y, rows=None):
    """The loss and gradient at parameter vector p, as a plain torch loop computes them."""
    import copy
    m = copy.deepcopy(module).double().eval()
    torch.nn.utils.vector_to_parameters(torch.from_numpy(p.copy()), m.parameters())
    X, y = (X, y) if rows is None else (X[rows], y[rows])
    loss = torch.nn.CrossEntropyLoss()(m(X.double()), y)
    loss.backward()
    return loss.item(), torch.nn.utils.parameters_to_vector([q.grad for q in m.parameters()]).numpy()


@pytest.mark.parametrize("one_at_a_time", [False, True], ids=["vmap", "point-by-point"])
@pytest.mark.parametrize("norm", [False, True], ids=["mlp", "batchnorm"])
def test_its_loss_and_gradient_are_a_plain_torch_loops(norm, one_at_a_time, monkeypatch):
    # (A large network's points go one at a time: the same numbers either way.)
    from render import torch_model
    monkeypatch.setattr(torch_model, "VMAP_WORK", 0 if one_at_a_time else torch_model.VMAP_WORK)
    X, y = data()
    module = net(norm)
    if norm:                            # running statistics of its own, as a trained net has
        module.train()
        with torch.no_grad():
            module(X * 3 + 1)
    model = surfaces.Torch(module, torch.nn.CrossEntropyLoss(), (X, y))
    rng = np.random.default_rng(0)
    P = model.init + 0.3 * rng.standard_normal((4, model.dims))
    losses, grads = model.loss(P), model.gradient(P)
    for p, loss, grad in zip(P, losses, grads):
        want_loss, want_grad = plain(module, p, X, y)
        assert loss == pytest.approx(want_loss, rel=1e-12, abs=1e-14)
        np.testing.assert_allclose(grad, want_grad, rtol=1e-10, atol=1e-13)
    assert model.dims == sum(p.numel() for p in module.parameters())
    np.testing.assert_array_equal(model.init, torch.nn.utils.parameters_to_vector(module.parameters())
                                  .detach().double().numpy())


def test_a_minibatch_gradient_is_of_that_steps_points_and_a_dataloader_gives_the_same_model():
    X, y = data()
    module = net()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32)
    model = surfaces.Torch(module, torch.nn.CrossEntropyLoss(), loader, batch_size=16, batch_seed=2)
    assert model.stochastic and len(model.X) == 120
    rows = model.batch(3)
    assert len(rows) == 16 and len(set(rows.tolist())) == 16
    _, want = plain(module, model.init, X, y, rows)
    np.testing.assert_allclose(model.gradient(model.init[None], step=3)[0], want, rtol=1e-10, atol=1e-13)
    whole = surfaces.Torch(module, torch.nn.CrossEntropyLoss(), (X, y))
    assert model.loss(model.init[None])[0] == whole.loss(model.init[None])[0]


def test_a_scene_trains_it_on_a_plane_with_filter_normalised_directions(tmp_path):
    X, y = data()
    model = surfaces.Torch(net(), torch.nn.CrossEntropyLoss(), (X, y))
    scene = Scene(model, [Run(opt.Adam(lr=0.05), model.init), Run(opt.Torch(torch.optim.SGD, lr=0.5), model.init)],
                  30, plane=Plane(directions="random", seed=1))
    paths = scene.simulate()
    assert paths.positions.shape == (2, 31, model.dims)
    assert (paths.losses[:, -1] < paths.losses[:, 0] - 0.05).all()
    # Each direction's filters (a weight's rows, a bias whole) have the centre's norms.
    from render.planes import _filter_normalised
    d = _filter_normalised(model, np.random.default_rng(0).standard_normal(model.dims), model.init)
    for theirs, ours in zip(model.filters(model.init), model.filters(d)):
        assert np.linalg.norm(ours) == pytest.approx(np.linalg.norm(theirs), rel=1e-12)
    assert len(model.filters(model.init)) == 12 + 1 + 2 + 1


def test_a_scene_file_over_a_module_renders(tmp_path):
    (tmp_path / "net.py").write_text(
        "import torch\n"
        "from render import Run, Scene, optimizers as opt, surfaces\n"
        "torch.manual_seed(0)\n"
        "X = torch.randn(80, 2)\n"
        "y = (X[:, 0] > 0).long()\n"
        "net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))\n"
        "model = surfaces.Torch(net, torch.nn.CrossEntropyLoss(), (X, y))\n"
        "scene = Scene(model, [Run(opt.Adam(lr=0.05), model.init)], 12)\n")
    result = CliRunner().invoke(main, [str(tmp_path / "net.py"), "--out", str(tmp_path / "o"), "--size", "160x90",
                                       "--format", "png", "--data"])
    assert result.exit_code == 0, result.output
    header = (tmp_path / "o" / "net" / "trajectories.csv").read_text().splitlines()[0]
    assert header.startswith("run,label,optimizer,step,a,b,off_plane,loss,p0,") and header.endswith(",p41")


@pytest.mark.parametrize("build,said", [
    (lambda X, y: surfaces.Torch(object(), torch.nn.CrossEntropyLoss(), (X, y)),
     "Torch: module must be a torch.nn.Module, got <object object"),
    (lambda X, y: surfaces.Torch(net(), torch.nn.CrossEntropyLoss(), (X, y[:5])),
     "Torch: data holds 120 inputs and 5 targets; give as many of each, at least one"),
    (lambda X, y: surfaces.Torch(net(), torch.nn.CrossEntropyLoss(), (X[:, :1], y)),
     "Torch: the loss of the module on its data cannot be computed: RuntimeError: Expected size for first two "
     "dimensions of batch2 tensor to be: [1, 1] but got: [1, 2]."),
], ids=["not-a-module", "data-lengths", "wrong-inputs"])
def test_a_bad_module_or_data_is_one_line_when_built(build, said):
    X, y = data()
    with pytest.raises(ValueError) as error:
        build(X, y)
    assert str(error.value).startswith(said)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the line for a missing GPU")
def test_a_device_that_is_not_here_is_one_line():
    X, y = data()
    with pytest.raises(ValueError, match=r"^Torch: device 'cuda' is not available here; use 'cpu'$"):
        surfaces.Torch(net(), torch.nn.CrossEntropyLoss(), (X, y), device="cuda")


def test_a_torch_scene_is_never_forked_and_its_views_side_by_side_finish(tmp_path):
    # A process forked after torch's thread pool has run hangs when it uses torch: such a
    # scene's views are drawn in turn, in this process, whatever --jobs says.
    import subprocess
    import sys
    from render.executors import Processes, forkable
    X, y = data()
    model = surfaces.Torch(net(), torch.nn.CrossEntropyLoss(), (X, y))
    scene = Scene(model, [Run(opt.Adam(lr=0.05), model.init)], 5)
    plain = Scene("rosenbrock", [Run(opt.Torch(torch.optim.Adam, lr=0.05), (0, 0))], 5)
    assert not forkable(scene) and not forkable(plain)
    assert forkable(Scene("rosenbrock", [Run(opt.Adam(lr=0.05), (0, 0))], 5))
    todo = [("a", {}), ("b", {})]
    assert Processes(2).batches(todo, scene) == [[("a", {})], [("b", {})]]
    (tmp_path / "two.py").write_text(
        "import torch\n"
        "from render import Interpolation, Run, Scene, View2D, optimizers as opt, surfaces\n"
        "torch.manual_seed(0)\n"
        "X = torch.randn(60, 2)\n"
        "net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))\n"
        "model = surfaces.Torch(net, torch.nn.CrossEntropyLoss(), (X, (X[:, 0] > 0).long()))\n"
        "scene = Scene(model, [Run(opt.Adam(lr=0.05), model.init)], 8, views=[View2D(), Interpolation()])\n")
    done = subprocess.run([sys.executable, "-m", "render", str(tmp_path / "two.py"), "--out", str(tmp_path / "o"),
                           "--size", "96x54", "--format", "png", "--jobs", "2"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "o" / "two").glob("*.png")) == ["2d.png", "interpolation.png"]
