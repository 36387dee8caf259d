"""Tuned hyperparameters: the search's winner is the best candidate run on its own, ties
go to the smaller value, a diverged candidate loses, and --data records the search."""
import csv
import dataclasses

import numpy as np
import pytest
from click.testing import CliRunner

from render import Run, Scene, Swarm, optimizers as opt, schedules as sch, simulate, tuned
from render.cli import main
from render.trajectories import simulate_runs

START = (-1.5, 2.0)


def alone_loss(surface, optimizer, start, steps, schedule=None, row=0, seed=0):
    """A candidate run on its own: its final loss, inf if it diverged."""
    t = simulate_runs(surface, [optimizer], [start], steps, seed=seed, schedules=[schedule], noise_rows=[row])
    return np.inf if t.diverged_at[0] >= 0 else float(t.losses[0, -1])


def test_each_tuned_value_is_the_best_of_its_candidates_run_one_by_one():
    runs = [Run(opt.GD(lr=1e-3), START, label="fixed"),
            Run(opt.Adam(lr=tuned(1e-3, 30.0, n=12)), START),
            Run(opt.Momentum(lr=tuned(1e-5, 1e-2, n=10), momentum=0.9), START, schedule=sch.StepLR(step_size=50)),
            Run(opt.RMSprop(lr=tuned(1e-4, 0.1, n=8), noise=0.5), START),
            Run(opt.Adam(), START, schedule=sch.OneCycleLR(max_lr=tuned(1e-3, 1.0, n=6), total_steps=150))]
    scene = Scene("rosenbrock", runs, 150, seed=3)
    resolved, found = scene.search()
    searches = {s.run: s for s in found}
    assert sorted(searches) == [1, 2, 3, 4]
    t = scene.simulate()
    for i, search in searches.items():
        run = runs[i]
        name, = search.names
        spec = run.optimizer.lr if name == "lr" else run.schedule.max_lr
        candidates = np.geomspace(spec.lo, spec.hi, spec.n)
        np.testing.assert_array_equal(search.values[:, 0], candidates)
        brute = []
        for value in candidates:
            if name == "lr":
                brute.append(alone_loss(scene.surface, dataclasses.replace(run.optimizer, lr=value), START, 150,
                                        run.schedule, row=i, seed=3))
            else:
                schedule = sch.OneCycleLR(max_lr=value, total_steps=150)
                brute.append(alone_loss(scene.surface, run.optimizer, START, 150, schedule, row=i, seed=3))
        np.testing.assert_array_equal(search.losses, brute)
        assert search.chosen == int(np.argmin(brute))
        best = candidates[search.chosen]
        got = resolved.runs[i].schedule.max_lr if name.startswith("schedule.") else resolved.runs[i].optimizer.lr
        assert got == best
        # The race runs the winner, exactly as the search did.
        assert t.losses[i, -1] == brute[search.chosen]
    assert resolved.runs[0] == runs[0]
    assert 2 <= searches[1].chosen <= 10            # an interior winner: the range was searched
    assert np.isinf(searches[2].losses[-1])         # Momentum at lr 1e-2 diverges and loses
    names = [r.name for r in resolved.runs]
    assert names[0] == "fixed"
    assert names[1] == f"Adam(lr={searches[1].best['lr']:.3g}), tuned"
    assert names[4] == f"Adam, one cycle to {searches[4].best['schedule.max_lr']:.3g}, tuned"


def test_ties_go_to_the_smaller_value_and_two_tuned_values_search_their_product():
    # From the minimum every candidate stays there: all tie, the smallest wins.
    scene = Scene("bowl", [Run(opt.GD(lr=tuned(0.01, 1.0, n=5)), (0.0, 0.0))], 20)
    _, (search,) = scene.search()
    assert np.all(search.losses == search.losses[0]) and search.chosen == 0
    assert scene.resolved().runs[0].optimizer.lr == 0.01
    both = Scene("rosenbrock", [Run(opt.Momentum(lr=tuned(1e-4, 1e-2, n=4), momentum=tuned(0.5, 0.95, n=3)), START)], 80)
    _, (search,) = both.search()
    assert search.names == ("lr", "momentum") and search.values.shape == (12, 2)
    lr, momentum = both.resolved().runs[0].optimizer.lr, both.resolved().runs[0].optimizer.momentum
    assert (lr, momentum) == tuple(search.values[search.chosen])
    assert both.resolved().runs[0].name == "Momentum(lr=" + f"{lr:.3g}, momentum={momentum:.3g}), tuned"


@pytest.mark.parametrize("make,message", [
    (lambda: tuned(1.0, 0.1), r"^tuned: lo must be below hi, got lo=1 and hi=0.1$"),
    (lambda: tuned(0.1, 0.1), r"^tuned: lo must be below hi, got lo=0.1 and hi=0.1$"),
    (lambda: tuned(0.1, 1.0, n=1), r"^tuned: n must be a whole number in \[2, 4096\], got 1$"),
    (lambda: tuned(0.0, 1.0), r"^tuned: lo must be in \(0, inf\), got 0.0$"),
    (lambda: tuned(0.1, "1"), r"^tuned: hi must be a number, got '1'$"),
    (lambda: opt.Adam(betas=tuned(0.5, 0.9)), r"^Adam: betas cannot be tuned; tune a number such as lr$"),
    (lambda: opt.RMSprop(centered=tuned(0.5, 0.9)), r"^RMSprop: centered cannot be tuned"),
    (lambda: opt.Momentum(momentum=tuned(0.5, 1.5)), r"^Momentum: momentum \(tuned\) must be in \[0, 1\), got 1.5$"),
    (lambda: Swarm(opt.GD(lr=tuned(0.01, 0.1)), grid=3), r"^Swarm: optimizer cannot have tuned values"),
    (lambda: Scene("bowl", [Run(opt.Adam(lr=tuned(0.01, 1.0)), (1, 1),
                                schedule=sch.OneCycleLR(max_lr=0.1, total_steps=10))], 10),
     r"^Scene: runs\[0\] tunes lr, which OneCycleLR does not use; tune its max_lr instead$"),
    (lambda: simulate("bowl", opt.Adam(lr=tuned(0.01, 1.0)), (1, 1), 5),
     r"^simulate: Adam's lr is tuned\(0.01..1, n=16\); a Scene searches tuned values before it simulates"),
])
def test_bad_tuning_is_one_line(make, message):
    with pytest.raises(ValueError, match=message) as error:
        make()
    assert "\n" not in str(error.value)


def test_data_records_the_search(tmp_path):
    path = tmp_path / "fair.py"
    path.write_text("from render import Run, Scene, View2D, optimizers as opt, tuned\n"
                    "scene = Scene('rosenbrock', [Run(opt.GD(lr=1e-3), (-1.5, 2.0)),\n"
                    "              Run(opt.Adam(lr=tuned(1e-3, 1.0, n=7)), (-1.5, 2.0), label='Adam')], 40,\n"
                    "              views=[View2D()])\n")
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o"), "--size", "96x54",
                                       "--format", "png", "--data"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "o" / "fair" / "tuning.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 7 and {r["run"] for r in rows} == {"1"} and {r["parameter"] for r in rows} == {"lr"}
    losses = [float(r["final_loss"]) for r in rows]
    chosen = [r for r in rows if r["chosen"] == "1"]
    assert len(chosen) == 1 and float(chosen[0]["final_loss"]) == min(losses)
    assert [float(r["value"]) for r in rows] == tuned(1e-3, 1.0, n=7).values.tolist()
    assert chosen[0]["label"] == f"Adam, tuned lr={float(chosen[0]['value']):.3g}"
    with open(tmp_path / "o" / "fair" / "trajectories.csv", newline="") as f:
        final = [r for r in csv.DictReader(f) if r["run"] == "1"][-1]
    assert float(final["loss"]) == min(losses)
