"""Run optimizers over a surface: every run of a scene advances together -> Trajectories.

Runs are grouped by the fused backend (``render._fused.group_key``); each group's
hyperparameters are stacked into columns so the group moves as one (runs, D) array, and the
gradient of every probe point of every group is evaluated in one call per step. Per step
the interpreter does a fixed amount of work, however many runs there are.

A run diverges at the first step whose position, loss or gradient is non-finite or whose
position lies beyond ``DIVERGENCE_LIMIT``; from that step on its entries are NaN.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Any, Sequence

import numpy as np

from . import _fused
from . import optimizers as opt
from .models import Model
from .schedules import _momentum_field, run_rates
from .surfaces import Surface
from .tuning import Search, tuned_fields

__all__ = ["Trajectories", "simulate", "simulate_runs", "simulate_scene", "search_tuned", "final_losses",
           "is_model", "DIVERGENCE_LIMIT",
           "simulation_bytes", "search_bytes"]

DIVERGENCE_LIMIT = 1e12
_NOISE_BLOCK = 1024          # steps of noise drawn at a time per run
_CHUNK_BYTES = 32 << 20      # positions a search holds at once (it keeps no history)
_STATE = 16                  # arrays of (runs, D) a step holds: positions, probes, gradients, a rule's state


def simulation_bytes(runs: int, steps: int, dims: int, noisy: bool = False, scheduled: int = 0) -> int:
    """About the bytes ``simulate_runs`` takes at its peak: every step's positions (twice:
    as the step loop writes them and as they are returned), gradients and losses; a block
    of noise when a run draws it; every step's rate of the ``scheduled`` runs."""
    every = 8 * runs * (steps + 1) * (3 * dims + 1)
    return every + _step_bytes(runs, steps, dims, noisy, scheduled)


def search_bytes(runs: int, steps: int, dims: int, noisy: bool = False, scheduled: int = 0) -> int:
    """About the bytes ``final_losses`` takes at its peak: it keeps no history, only a chunk
    of steps at a time, so without schedules this grows with the runs and parameters, not
    with the steps."""
    return 8 * runs * dims * _chunk_rows(runs, steps, dims) + _step_bytes(runs, steps, dims, noisy, scheduled)


def _step_bytes(runs, steps, dims, noisy, scheduled) -> int:
    """What the step loop holds besides the positions: each run's state, a block of noise,
    and (twice: each run's, then stacked) every step's rate of each scheduled run."""
    return 8 * runs * dims * (_STATE + (_NOISE_BLOCK if noisy else 0)) + 16 * scheduled * steps


def _chunk_rows(runs: int, steps: int, dims: int) -> int:
    """Steps of positions a search holds at once: _CHUNK_BYTES' worth, at least one."""
    return max(1, min(steps + 1, _CHUNK_BYTES // (8 * runs * dims)))


@dataclasses.dataclass(frozen=True, eq=False)
class Trajectories:
    """Every run of a simulation, as read-only arrays over (runs, steps + 1).

    The arrays cannot be written to, so whoever holds them (a Plan, a view, a caller) sees
    the simulation's numbers and nothing else.
    """

    positions: np.ndarray     # (runs, steps + 1, D); row 0 is the start; D = 2 over a surface
    losses: np.ndarray        # (runs, steps + 1)
    gradients: np.ndarray     # (runs, steps + 1, D): the gradient at each position
    diverged_at: np.ndarray   # (runs,): first non-finite step, or -1

    def __post_init__(self):
        for f in dataclasses.fields(self):
            array = np.asarray(getattr(self, f.name))
            array.flags.writeable = False
            object.__setattr__(self, f.name, array)

    @property
    def runs(self) -> int:
        return self.positions.shape[0]

    @property
    def steps(self) -> int:
        return self.positions.shape[1] - 1


class _Group:
    """Runs of one optimizer kind, advancing as one array.

    ``rows`` are the runs' indices in the scene; ``span`` is where they sit in the engine's
    position buffer, ``block`` where their k probe points sit in the probe buffer;
    ``noise_ids`` seed each run's gradient noise (by default its index).
    """

    def __init__(self, rows: list[int], optimizers: list[opt.Optimizer], start: int, block_start: int,
                 starts: np.ndarray, schedules=None, steps: int = 0, noise_ids: list[int] | None = None):
        self.dims = starts.shape[1]
        self.rows = rows
        self.noise_ids = rows if noise_ids is None else noise_ids
        self.rule = _fused.stack(optimizers, starts.shape[1], readable=schedules is not None)
        self.tick = None if schedules is None else _ticker(self.rule, optimizers, schedules, steps)
        self.span = slice(start, start + len(rows))
        probes = self.rule.probes(starts[rows], self.rule.init(starts[rows]))
        self.shape = probes.shape                       # (k, runs, D)
        self.block = slice(block_start, block_start + self.shape[0] * self.shape[1])
        sigma = np.array([o.noise for o in optimizers], dtype=float)
        self.sigma = sigma.reshape(-1, 1) if np.any(sigma > 0) else None


def _schedule_key(o: opt.Optimizer, schedule, steps: int) -> tuple:
    """Scheduled runs stack by their rule's own class, and by the momenta their schedule sets
    (one value a step for the whole stack)."""
    momenta = schedule.momenta(steps) if schedule is not None else None
    return ("scheduled", _fused.group_key(o, readable=True),
            None if momenta is None else tuple(momenta.tolist()))


def _ticker(rule, optimizers, schedules, steps):
    """``tick(step)``: the stacked ``rule`` for optimizer step ``step`` (from 1): a copy of it
    with that step's learning rate (a column, one per run) and, if its schedules cycle it, its
    momentum or beta1. A rule is a value: the step's copy is made anew, never the rule changed."""
    lrs = np.stack([run_rates(o.lr, s, steps) for o, s in zip(optimizers, schedules)],
                   axis=1)[..., None]                                               # (steps, runs, 1)
    cycled = [s.momenta(steps) for s in schedules if s is not None]
    momenta = next((m for m in cycled if m is not None), None)
    field = None if momenta is None else _momentum_field(rule)
    kind, fields = type(rule), dict(vars(rule))

    def tick(step):
        stepped = object.__new__(kind)      # a copy (set before anyone holds it: frozen to all others)
        stepped.__dict__.update(fields)
        object.__setattr__(stepped, "lr", lrs[step - 1])
        if field == "betas":
            object.__setattr__(stepped, "betas", (float(momenta[step - 1]), rule.betas[1]))
        elif field == "momentum":
            object.__setattr__(stepped, "momentum", float(momenta[step - 1]))
        return stepped
    return tick


def _noise_source(g: _Group, seed: int):
    """For a noisy group, a function step -> (runs, D) standard normals, else None.

    Run i draws from its own generator seeded by (seed, i), so its noise does not depend on
    which other runs share the scene or how they are grouped.
    """
    if g.sigma is None:
        return None
    gens = [np.random.default_rng([seed, row]) if s > 0 else None
            for row, s in zip(g.noise_ids, g.sigma[:, 0])]
    block = np.zeros((_NOISE_BLOCK, len(g.rows), g.dims))

    def draw(step):
        i = step % _NOISE_BLOCK
        if i == 0:
            for j, gen in enumerate(gens):
                if gen is not None:
                    block[:, j] = gen.standard_normal((_NOISE_BLOCK, g.dims))
        return block[i]
    return draw


def is_model(surface) -> bool:
    """Whether ``surface`` is a model over D parameters (``render.models``), not a surface
    f(x, y)."""
    return isinstance(surface, Model)


def simulate_runs(surface: Surface | Model, optimizers: Sequence[opt.Optimizer], starts,
                  steps: int, seed: int = 0, schedules: Sequence | None = None,
                  noise_rows: Sequence[int] | None = None) -> Trajectories:
    """Advance run i = (optimizers[i], starts[i]) for ``steps`` steps, all runs at once.

    ``schedules[i]`` (a ``render.schedules`` schedule, or None) sets run i's learning rate
    at each step. Run i's gradient noise is drawn from seed (``seed``, ``noise_rows[i]``),
    by default (``seed``, i). Over a model every run advances all D parameters; its losses
    are the model's loss on the whole data, and its gradients the whole data's, whatever
    minibatch a step used."""
    model = is_model(surface)
    positions = _positions(surface, optimizers, starts, steps, seed, schedules, noise_rows)
    with np.errstate(all="ignore"):
        if model:
            losses = surface.loss(positions)
            gradients = surface.gradient(positions)
        else:
            x, y = positions[..., 0], positions[..., 1]
            losses = np.asarray(surface(x, y), dtype=float) + np.zeros(x.shape)
            gx, gy = surface.gradient(x, y)
            gradients = np.stack(np.broadcast_arrays(gx, gy, x)[:2], axis=-1).astype(float)
        # A diverged run's entries are set to NaN below: whatever the surface handed back
        # (a read-only view, say), these are arrays of our own.
        losses = np.require(losses, float, "W")
        gradients = np.require(gradients, float, "W")

        bad = (_astray(positions) | ~np.isfinite(losses) | ~np.isfinite(gradients).all(axis=-1))
    diverged = bad.any(axis=1)
    diverged_at = np.where(diverged, bad.argmax(axis=1), -1)
    for run in np.flatnonzero(diverged):
        k = diverged_at[run]
        positions[run, k:] = np.nan
        losses[run, k:] = np.nan
        gradients[run, k:] = np.nan
    return Trajectories(positions, losses, gradients, diverged_at)


def final_losses(surface: Surface | Model, optimizers: Sequence[opt.Optimizer], starts, steps: int,
                 seed: int = 0, schedules: Sequence | None = None,
                 noise_rows: Sequence[int] | None = None) -> np.ndarray:
    """Each run's loss after ``steps`` steps, inf for a run that left the finite numbers or
    ``DIVERGENCE_LIMIT`` on the way: what a search of hyperparameters compares, without the
    losses and gradients of every step (``simulate_runs`` for those)."""
    end, astray = _positions(surface, optimizers, starts, steps, seed, schedules, noise_rows, keep=False)
    with np.errstate(all="ignore"):
        losses = surface.loss(end) if is_model(surface) else \
            np.asarray(surface(end[:, 0], end[:, 1]), dtype=float) + np.zeros(len(end))
    return np.where(astray | ~np.isfinite(losses), np.inf, losses)


def _astray(positions: np.ndarray) -> np.ndarray:
    """(runs, steps + 1): where a position is non-finite or beyond ``DIVERGENCE_LIMIT``."""
    return ~np.isfinite(positions).all(axis=-1) | (np.abs(positions) > DIVERGENCE_LIMIT).any(axis=-1)


class _Tail:
    """Stands for the history of a search, which needs only where each run ends and whether
    it went astray on the way: it holds a chunk of steps at a time, so its memory does not
    grow with the steps."""

    def __init__(self, steps: int, start: np.ndarray):
        self.length = steps + 1
        self.chunk = np.empty((_chunk_rows(len(start), steps, start.shape[1]),) + start.shape)
        self.filled = 0
        self.astray = np.zeros(len(start), dtype=bool)
        self.end = start.copy()
        self[0] = start

    def __len__(self) -> int:
        return self.length

    def __setitem__(self, step: int, params: np.ndarray) -> None:
        self.chunk[self.filled] = params
        self.filled += 1
        if self.filled == len(self.chunk) or step == self.length - 1:
            held = self.chunk[: self.filled]
            astray = ~np.isfinite(held).all(axis=-1) | (np.abs(held) > DIVERGENCE_LIMIT).any(axis=-1)
            self.astray |= astray.any(axis=0)
            self.end[...] = held[-1]
            self.filled = 0


def _positions(surface, optimizers, starts, steps, seed, schedules, noise_rows, keep: bool = True):
    """Every run's positions, (runs, steps + 1, D), as the step loop leaves them; without
    ``keep``, only the last, (runs, D), and whether each run went astray on the way."""
    model = is_model(surface)
    D = surface.dims if model else 2
    starts = np.asarray(starts, dtype=float).reshape(-1, D)
    if len(optimizers) != len(starts):
        raise ValueError(f"simulate: {len(optimizers)} optimizers but {len(starts)} starts")
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"simulate: steps must be >= 0, got {steps}")
    schedules = list(schedules) if schedules is not None else [None] * len(optimizers)
    if len(schedules) != len(optimizers):
        raise ValueError(f"simulate: {len(optimizers)} optimizers but {len(schedules)} schedules")
    for o, s in zip(optimizers, schedules):
        searched = tuned_fields(o) or tuned_fields(s)
        if searched:
            name, value = next(iter(searched.items()))
            raise ValueError(f"simulate: {o.name}'s {name} is {value}; a Scene searches tuned values "
                             f"before it simulates (or give a number)")
    noise_rows = list(range(len(optimizers))) if noise_rows is None else [int(r) for r in noise_rows]
    by_kind: dict[tuple, list[int]] = {}
    for i, (o, s) in enumerate(zip(optimizers, schedules)):
        key = _fused.group_key(o) if s is None else _schedule_key(o, s, steps)
        by_kind.setdefault(key, []).append(i)
    groups, row, probe_row = [], 0, 0
    for key, rows in by_kind.items():
        scheduled = key[0] == "scheduled"
        g = _Group(rows, [optimizers[i] for i in rows], row, probe_row, starts,
                   [schedules[i] for i in rows] if scheduled else None, steps, [noise_rows[i] for i in rows])
        groups.append(g)
        row, probe_row = g.span.stop, g.block.stop
    order = np.concatenate([g.rows for g in groups])

    with np.errstate(all="ignore"):
        if not keep:
            tail = _Tail(steps, starts[order])
            _advance(groups, surface, starts[order], steps, seed, tail)
            end, astray = np.empty_like(starts), np.empty(len(starts), dtype=bool)
            end[order], astray[order] = tail.end, tail.astray
            return end, astray
        history = _advance(groups, surface, starts[order], steps, seed)
        positions = np.empty((len(starts), steps + 1, D))
        positions[order] = history.transpose(1, 0, 2)
    return positions


def _filler(surface, out: np.ndarray):
    """``fill(points, step)``: the gradient at each row of ``points`` into ``out``, (m, D).
    A surface takes one-dimensional coordinate views (numpy's per-call cost is lowest for
    them); a model takes the rows, and the step (its minibatch)."""
    if is_model(surface):
        gradient = surface.gradient
        stochastic = surface.stochastic

        def fill(points, step):
            out[...] = gradient(points, step if stochastic else None)
        return fill
    gradient = surface.gradient
    gx_out, gy_out = out[:, 0], out[:, 1]

    def fill(points, step):
        gx, gy = gradient(points[:, 0], points[:, 1])
        gx_out[...] = gx
        gy_out[...] = gy
    return fill


def _advance(groups: list[_Group], surface, start: np.ndarray, steps: int, seed: int, history=None):
    """The step loop. Returns positions as (steps + 1, runs, D), runs in group order, into
    ``history`` if given (a ``_Tail``, which keeps only the end)."""
    if history is None:
        history = np.empty((steps + 1,) + start.shape)
        history[0] = start
    params = start.copy()
    if len(groups) == 1:
        _advance_group(groups[0], surface, params, history, seed)
    else:
        _advance_groups(groups, surface, params, history, seed)
    return history


def _advance_group(g: _Group, surface, params: np.ndarray, history: np.ndarray, seed: int) -> None:
    """One group (the usual case): its probe points go straight to the gradient."""
    rule = g.rule
    probes, update, looks_ahead = rule.probes, rule.update, rule.looks_ahead
    state = rule.init(params.copy())
    sigma, noise = g.sigma, _noise_source(g, seed)
    D = g.dims
    flat = np.empty((g.shape[0] * g.shape[1], D))     # gradients at the probe points
    grads = flat.reshape(g.shape)
    fill = _filler(surface, flat)
    tick = g.tick
    for step in range(1, len(history)):
        if tick is not None:
            rule = tick(step)
            probes, update = rule.probes, rule.update
        points = probes(params, state).reshape(-1, D) if looks_ahead else params
        fill(points, step)
        if noise is None:
            updates, state = update(grads, state, params)
        else:
            updates, state = update(grads + sigma * noise(step - 1), state, params)
        params += updates
        history[step] = params


def _advance_groups(groups: list[_Group], surface, params: np.ndarray, history: np.ndarray,
                    seed: int) -> None:
    """Several groups: every probe point of every group goes through one gradient call.

    ``params`` holds every run's position, each group a contiguous span; ``points`` holds
    every probe point, each group a contiguous block. Both are updated in place. When no
    rule looks ahead, ``points`` is ``params`` itself.
    """
    alias = all(g.shape[0] == 1 and not g.rule.looks_ahead for g in groups)
    points = params if alias else np.empty((groups[-1].block.stop, params.shape[1]))
    grads = np.empty_like(points)
    fill = _filler(surface, grads)
    lanes = []
    for g in groups:
        mine = params[g.span]
        lanes.append([g.rule, mine, g.rule.init(mine.copy()), points[g.block].reshape(g.shape),
                      grads[g.block].reshape(g.shape), g.sigma, _noise_source(g, seed)])
    ticks = [(lane, g.tick) for lane, g in zip(lanes, groups) if g.tick is not None]
    for step in range(1, len(history)):
        for lane, tick in ticks:
            lane[0] = tick(step)
        if not alias:
            for rule, mine, state, probe, *_ in lanes:
                probe[...] = rule.probes(mine, state)
        fill(points, step)
        for lane in lanes:
            rule, mine, state, _, grad, sigma, noise = lane
            if noise is not None:
                grad = grad + sigma * noise(step - 1)
            updates, lane[2] = rule.update(grad, state, mine)
            mine += updates
        history[step] = params


def simulate(surface: Surface, optimizer: opt.Optimizer, start, steps: int,
             seed: int = 0) -> np.ndarray:
    """Positions of one run, shape (steps + 1, D) (D = 2 over a surface); row 0 is ``start``.

    A diverged run's rows from the divergence on are NaN. With the same seed this is the
    first run of a scene with that seed.
    """
    return simulate_runs(surface, [optimizer], [start], steps, seed).positions[0]


# --- a scene's runs: tuned values searched, then the race ------------------------------------

def simulate_scene(scene) -> Trajectories:
    """Every run of ``scene`` advanced together, tuned values searched first (``search_tuned``).
    Each call simulates afresh; the arrays are read-only."""
    scene = search_tuned(scene)[0]
    return simulate_runs(scene.surface, [r.optimizer for r in scene.runs], [r.start for r in scene.runs],
                         scene.steps, seed=scene.seed, schedules=[r.schedule for r in scene.runs])


def search_tuned(scene) -> tuple:
    """``scene`` with each tuned value replaced by the winner of its search (the scene
    itself when nothing is tuned), and the searches of its tuned runs (``tuning.Search``,
    one per tuned run). Each call searches afresh."""
    runs, searches = _resolve(scene)
    return (scene if not searches else dataclasses.replace(scene, runs=runs)), searches


def _candidates(run) -> tuple[tuple[str, ...], list[tuple[Any, Any]], np.ndarray]:
    """The tuned names of ``run``, (optimizer, schedule) for each candidate, and their values."""
    own, sched = tuned_fields(run.optimizer), tuned_fields(run.schedule)
    names = tuple(own) + tuple(f"schedule.{k}" for k in sched)
    grids = [t.values for t in own.values()] + [t.values for t in sched.values()]
    values = np.array(list(itertools.product(*grids)), dtype=float).reshape(-1, len(names))
    pairs = []
    for row in values:
        chosen = dict(zip(names, row.tolist()))
        given = {k: chosen[k] for k in own}
        optimizer = run.optimizer.replace(**given) if hasattr(run.optimizer, "replace") else \
            dataclasses.replace(run.optimizer, **given)
        schedule = run.schedule
        if sched:
            schedule = dataclasses.replace(schedule, **{k: chosen[f"schedule.{k}"] for k in sched})
        pairs.append((optimizer, schedule))
    return names, pairs, values


def _resolve(scene) -> tuple[tuple, tuple[Search, ...]]:
    """The scene's runs with every tuned value replaced by its search's winner, and the
    searches. All candidates of all tuned runs are simulated together, each from its run's
    start with its run's schedule and noise."""
    runs = list(scene.runs)
    tuned_runs = [i for i, r in enumerate(runs) if tuned_fields(r.optimizer) or tuned_fields(r.schedule)]
    if not tuned_runs:
        return tuple(runs), ()
    plans, optimizers, schedules, starts, rows = [], [], [], [], []
    for i in tuned_runs:
        names, pairs, values = _candidates(runs[i])
        plans.append((i, names, values, len(optimizers)))
        for optimizer, schedule in pairs:
            optimizers.append(optimizer)
            schedules.append(schedule)
            starts.append(runs[i].start)
            rows.append(i)                 # each candidate draws the run's own noise
    losses = final_losses(scene.surface, optimizers, starts, scene.steps, seed=scene.seed,
                          schedules=schedules, noise_rows=rows)
    searches = []
    for i, names, values, first in plans:
        mine = losses[first:first + len(values)]
        chosen = int(np.argmin(mine))       # the first of equals: values ascend
        searches.append(Search(i, names, values, mine, chosen))
        optimizer, schedule = optimizers[first + chosen], schedules[first + chosen]
        runs[i] = dataclasses.replace(runs[i], optimizer=optimizer, schedule=schedule,
                                      tuned=tuple(zip(names, values[chosen].tolist())))
    return tuple(runs), tuple(searches)
