"""Your own network: ``surfaces.Torch(module, loss, data)``, the loss of a ``torch.nn.Module``
on your data as a model a scene's runs train, every run all of its parameters.

The module is used as a function of one flat vector of its parameters (in
``module.parameters()`` order, as ``torch.nn.utils.parameters_to_vector`` lays them out)
through ``torch.func.functional_call``; many points (every run of a scene, a plane's grid)
of a small network are evaluated at once with ``torch.func.vmap``, in chunks that keep memory
bounded, those of a large one a point at a time (``VMAP_WORK``), and gradients come from
autograd (``torch.func.grad``). Everything is float64 on ``device``.

BatchNorm and dropout layers run in eval mode: the running statistics the module holds,
no dropout, so a loss is a function of the parameters alone and every run and every grid
point sees the same network. ``data`` is ``(X, y)`` (tensors or arrays) or a ``DataLoader``,
whose batches are gathered once; with ``batch_size`` each step's gradient is of a minibatch,
the same for every run (a fair race), and the loss is the whole data's. torch is needed
only by this model.
"""
from __future__ import annotations

import copy

import numpy as np

from . import checks
from .models import Model, minibatch, rows

__all__ = ["TorchModel", "CHUNK_BYTES", "VMAP_WORK"]

CHUNK_BYTES = 64 << 20          # about the most memory a chunk of points takes at once
# Parameters x data points past which a point is work enough on its own: vmap's batched
# products then cost more than one point's plain ones (a 16-64-10 MLP on 1000 points: 4.5 s
# against 3.3 s for 10^4 points; a 2-16-2 on 200 points: 0.32 s against 0.78 s), and the
# points go one at a time (``benchmarks/torch_models.py``). The choice is by size, never by
# timing, so the same model always takes the same path to the same bits.
VMAP_WORK = 500_000


class TorchModel(Model):
    """``Torch(module, loss, data, batch_size=None, batch_seed=0, device="cpu", name=None)``:
    ``loss(outputs, targets)`` (e.g. ``torch.nn.CrossEntropyLoss()``) of ``module(X)`` on
    ``data``; ``init`` is the module's parameters as given."""

    # A process forked after torch's thread pool has run hangs when it uses torch: a scene
    # with this is rendered without forking (``render.executors.forkable``).
    fork_safe = False

    def __init__(self, module, loss, data, batch_size: int | None = None, batch_seed: int = 0,
                 device: str = "cpu", name: str | None = None):
        torch = checks.torch("surfaces.Torch")
        owner = "Torch"
        if not isinstance(module, torch.nn.Module):
            raise ValueError(f"{owner}: module must be a torch.nn.Module, got {checks._short(module)}")
        if not callable(loss):
            raise ValueError(f"{owner}: loss must be a function of (outputs, targets) such as "
                             f"torch.nn.CrossEntropyLoss(), got {checks._short(loss)}")
        if device != "cpu" and not (str(device).startswith("cuda") and torch.cuda.is_available()):
            raise ValueError(f"{owner}: device {device!r} is not available here; use 'cpu'"
                             + ("" if str(device).startswith("cuda") else " or 'cuda'"))
        self.device = torch.device(device)
        self.module = copy.deepcopy(module).to(device=self.device, dtype=torch.float64).eval()
        self._loss_fn = loss
        # On the device once: every call then finds them there (a GPU is not fed X each time).
        self.X, self.targets = (t.to(self.device) for t in self._data(torch, data, owner))
        named = [(n, p) for n, p in self.module.named_parameters() if p.requires_grad]
        if not named:
            raise ValueError(f"{owner}: the module has no parameters to train")
        self.names = tuple(n for n, _ in named)
        self.shapes = tuple(tuple(p.shape) for _, p in named)
        self.buffers = {n: b for n, b in self.module.named_buffers()}
        self.init = torch.cat([p.detach().reshape(-1) for _, p in named]).cpu().numpy().astype(float)
        self.init.flags.writeable = False
        n = len(self.X)
        self.batch_size = None if batch_size is None else checks.integer(owner, "batch_size", batch_size, 1, n)
        self.batch_seed = checks.integer(owner, "batch_seed", batch_seed, 0)
        self.stochastic = self.batch_size is not None and self.batch_size < n
        self.name = checks.text(owner, "name", name) or \
            f"a torch {type(module).__name__} of {self.dims:,} parameters on {len(self.X):,} points"
        self.latex = ""
        try:                                # the loss at the start, once: what cannot run fails here
            value = self.loss(self.init[None])
        except Exception as e:
            raise ValueError(f"{owner}: the loss of the module on its data cannot be computed: "
                             f"{type(e).__name__}: {checks.one_line(e)}") from None
        if not np.isfinite(value).all():
            raise ValueError(f"{owner}: the loss at the module's parameters is {value[0]}; it must be a number")

    @staticmethod
    def _data(torch, data, owner):
        if isinstance(data, torch.utils.data.DataLoader):
            batches = list(data)
            try:
                X = torch.cat([b[0] for b in batches])
                y = torch.cat([b[1] for b in batches])
            except (TypeError, IndexError, RuntimeError) as e:
                raise ValueError(f"{owner}: a DataLoader's batches must be (inputs, targets): {e}") from None
        else:
            try:
                X, y = data
            except (TypeError, ValueError):
                raise ValueError(f"{owner}: data must be (X, y) or a DataLoader, got {checks._short(data)}") from None
            X, y = torch.as_tensor(np.asarray(X) if not torch.is_tensor(X) else X), \
                torch.as_tensor(np.asarray(y) if not torch.is_tensor(y) else y)
        if len(X) != len(y) or len(X) == 0:
            raise ValueError(f"{owner}: data holds {len(X)} inputs and {len(y)} targets; give as many of each, "
                             f"at least one")
        X = X.to(device="cpu")
        X = X.double() if X.is_floating_point() else X
        y = y.double() if y.is_floating_point() else y
        return X, y

    # The module as a function of one flat vector.
    def _params(self, vec):
        out, at = {}, 0
        for name, shape in zip(self.names, self.shapes):
            size = int(np.prod(shape, dtype=int))
            out[name] = vec[at:at + size].reshape(shape)
            at += size
        return out

    def _value(self, vec, X, y):
        from torch.func import functional_call
        outputs = functional_call(self.module, (self._params(vec), self.buffers), (X,))
        return self._loss_fn(outputs, y)

    def _chunk(self, rows: int, points: int) -> int:
        per_point = 8 * (3 * self.dims + 4 * points * max(1, int(np.prod(self.X.shape[1:], dtype=int))))
        return max(1, min(rows, CHUNK_BYTES // per_point))

    def _batched(self, what, P, X, y):
        torch = checks.torch("surfaces.Torch")
        from torch.func import grad, vmap
        P, shape = rows(P, self.dims)
        f = (lambda v: self._value(v, X, y)) if what == "loss" else grad(lambda v: self._value(v, X, y))
        points = torch.from_numpy(np.array(P, dtype=float)).to(self.device)     # (a copy: torch writes)
        with torch.no_grad() if what == "loss" else torch.enable_grad():
            if self.dims * len(X) > VMAP_WORK:
                out = torch.stack([f(p) for p in points])
            else:
                out = vmap(f, chunk_size=self._chunk(len(P), len(X)))(points)
        out = out.detach().cpu().numpy().astype(float)
        return out.reshape(shape[:-1] if what == "loss" else shape)

    def loss(self, P) -> np.ndarray:
        """The whole data's loss at each parameter vector of P (..., D)."""
        return self._batched("loss", P, self.X, self.targets)

    def gradient(self, P, step: int | None = None) -> np.ndarray:
        """The gradient at each vector of P: of the whole data, or, with ``batch_size``, of
        step ``step``'s minibatch (the same for every run)."""
        if not self.stochastic or step is None:
            return self._batched("gradient", P, self.X, self.targets)
        rows = self.batch(step)
        return self._batched("gradient", P, self.X[rows], self.targets[rows])

    def hvp(self, p, v) -> np.ndarray:
        """The Hessian of the whole data's loss at ``p`` times ``v``, exact: the gradient of
        the gradient's projection on ``v`` (reverse over reverse; ``render.curvature``)."""
        return self.hvp_at(np.asarray(p, dtype=float)[None])(np.asarray(v, dtype=float)[None])[0]

    def hvp_at(self, P):
        """The Hessians at the points of ``P`` (n, D) as a function of ``V`` (n, D): each
        point's Hessian times its row of V. The gradients' graph is built once here, every
        point's at once (``vmap``, under autograd); each product is then one backward pass
        through it for all the points (PyHessian builds it once a point, and goes a point at
        a time). ``hvp_points`` says how many points a call may hold."""
        torch = checks.torch("surfaces.Torch")
        from torch.func import vmap
        X, y = self.X, self.targets
        at = torch.from_numpy(np.array(P, dtype=float).reshape(-1, self.dims)).to(self.device).requires_grad_(True)
        with torch.enable_grad():
            if len(at) == 1:
                losses = self._value(at[0], X, y)[None]
            else:
                losses = vmap(lambda w: self._value(w, X, y))(at)
            slopes = torch.autograd.grad(losses.sum(), at, create_graph=True)[0]

        def product(V) -> np.ndarray:
            along = torch.from_numpy(np.array(V, dtype=float).reshape(at.shape)).to(self.device)
            out = torch.autograd.grad(slopes, at, grad_outputs=along, retain_graph=True)[0]
            return out.detach().cpu().numpy().astype(float)
        return product

    def hvp_points(self) -> int:
        """How many points one ``hvp_at`` holds at most: the graph of a point keeps about
        four times its activations; a large network's points go one at a time."""
        if self.dims * len(self.X) > VMAP_WORK:
            return 1
        return max(1, self._chunk(1 << 30, len(self.X)) // 4)

    def batch(self, step: int) -> np.ndarray:
        """The points of step ``step``'s minibatch (from 1), as an MLP's (``models.minibatch``)."""
        return minibatch(len(self.X), self.batch_size, self.batch_seed, step)

    def check(self) -> None:
        """Tried when built: the loss at the module's parameters."""

    def filters(self, vec) -> list:
        """The filters of a parameter vector (for filter-normalised directions, Li et al.
        2018): each row of a weight of two or more axes (an output unit or channel), and
        each parameter of one axis (a bias, a norm's scale) as a whole."""
        out, at = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape, dtype=int))
            part = vec[at:at + size]
            out += list(part.reshape(shape[0], -1)) if len(shape) >= 2 else [part]
            at += size
        return out

    def describe(self) -> str:
        return f"{type(self.module).__name__} ({len(self.X)} points, {self.dims} parameters)"

    def __repr__(self):
        return f"surfaces.Torch({self.describe()})"

