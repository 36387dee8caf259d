"""Whatever a scene file asks of the scene API, a bad ask is one line before any work, and a
numerically hard one is a run that diverges: never a traceback or an internal error."""
import math
import tracemalloc

import numpy as np
import pytest
from click.testing import CliRunner

from render import Plane, Response, ResponseScene, Run, Scene, Swarm, Sweep, checks, schedules, surfaces, trajectories
from render import optimizers as opt
from render.cli import main
from render.models import MLP, Model
from render.tuning import tuned

HEAD = "import math\nimport numpy as np\nfrom render import *\nfrom render import optimizers as opt\n"


def refused(tmp_path, body: str, name: str = "x") -> str:
    """Render a scene file of ``body`` (after HEAD's four lines): it must be refused before
    any work, with one line and exit 2, leaving no output. Returns the line."""
    path = tmp_path / f"{name}.py"
    path.write_text(HEAD + body)
    out = tmp_path / "o"
    result = CliRunner().invoke(main, [str(path), "--out", str(out), "--size", "96x54", "--format", "gif"])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --- 1. a function that returns None -----------------------------------------------------------

def test_a_function_returning_none_is_one_line_naming_the_surface_and_what_it_returned(tmp_path):
    line = refused(tmp_path, "def f(x, y):\n"
                             "    x * x + y * y\n"
                             "scene = Scene(surfaces.Function(f, name='bowl'), [Run(opt.GD(lr=0.1), (1, 1))], 5)\n")
    assert line == (f"render: {tmp_path / 'x.py'}:7: Function 'bowl': f(x, y) returned None; it must return a value "
                    f"at each point, shaped like x and y (is a return missing?)")


def test_a_function_returning_none_while_simulating_is_an_error_not_nan_positions():
    calls = []

    def f(x, y):                      # the loss when a Scene tries it, None afterwards
        calls.append(1)
        return x * x + y * y if len(calls) <= 1 else None
    surface = surfaces.Function(f, name="late", gradient=lambda x, y: (2 * x, 2 * y))
    scene = Scene(surface, [Run(opt.GD(lr=0.1), (1.0, 1.0))], 3)
    with pytest.raises(ValueError) as error:
        scene.simulate()
    assert str(error.value) == ("Function 'late': f(x, y) returned None; it must return a value at each point, shaped "
                                "like x and y (is a return missing?)")
    with pytest.raises(ValueError, match=r"^automatic gradient: the function returned None"):
        surfaces.Function(lambda x, y: None).gradient(np.ones(2), np.ones(2))


@pytest.mark.parametrize("body,said", [
    ("lambda x, y: np.array([1.0, 2.0])", ("f(x, y) returned an array of shape (2,) for points of shape (2, 3); "
                                          "it must return one value per point, shaped like x and y")),
    ("lambda x, y: 'flat'", "f(x, y) returned 'flat'; it must return numbers"),
    ("lambda x, y: x * 1j + y", "f(x, y) returned complex numbers; a loss and its gradient are real"),
    ("lambda x, y: x + y, gradient=lambda x, y: None", "gradient(x, y) must return a pair (df/dx, df/dy), got None"),
    ("lambda x, y: x + y, gradient=lambda x, y: (None, y)", ("gradient(x, y)'s df/dx returned None; it must return a "
                                                            "value at each point, shaped like x and y (is a return "
                                                            "missing?)")),
], ids=["shape", "text", "complex", "gradient-none", "gradient-part-none"])
def test_a_function_returning_the_wrong_thing_is_refused_when_the_scene_is_built(body, said):
    surface = eval(f"surfaces.Function({body}, name='odd')")
    with pytest.raises(ValueError) as error:
        Scene(surface, [Run(opt.GD(lr=0.1), (1, 1))], 5)
    assert str(error.value) == f"Function 'odd': {said}"


# --- 2. math.sin, an if: numpy's functions, and the line -------------------------------------------

ADVICE = ("it is evaluated on numpy arrays and forward-mode values: use numpy's functions (np.sin, not math.sin; "
          "np.where, not if)")


def test_math_sin_in_a_function_says_use_numpy_and_names_the_line_it_failed_at(tmp_path):
    line = refused(tmp_path, "def f(x, y):\n"
                             "    return math.sin(x) + y * y\n"
                             "scene = Scene(surfaces.Function(f, name='wave'), [Run(opt.GD(lr=0.1), (1, 1))], 5)\n",
                   name="wave")
    assert line == (f"render: {tmp_path / 'wave.py'}:7: Function 'wave': f(x, y) failed at wave.py:6 with TypeError: "
                    f"only 0-dimensional arrays can be converted to Python scalars; {ADVICE}")


def test_a_function_that_works_only_on_numbers_fails_on_the_forward_mode_pass_with_its_line(tmp_path):
    # math.sin of a one-element array is a number: the arrays pass, the forward-mode values do not.
    def f(x, y):
        return math.sin(np.sum(x) / np.size(x)) + y * y
    with pytest.raises(ValueError) as error:
        Scene(surfaces.Function(f, name="scalar"), [Run(opt.GD(lr=0.1), (1, 1))], 5)
    line = f.__code__.co_firstlineno + 1
    assert str(error.value).startswith(f"Function 'scalar': f(x, y) failed at test_robustness_scenes.py:{line} "
                                       f"with TypeError: automatic gradient: the function converts to a Python float")
    assert str(error.value).endswith(ADVICE)


def test_an_if_on_an_array_in_a_helper_module_names_the_helpers_line(tmp_path):
    (tmp_path / "shapes.py").write_text("def kink(x, y):\n    if x > 0:\n        return x + y\n    return y\n")
    line = refused(tmp_path, "from shapes import kink\n"
                             "scene = Scene(surfaces.Function(kink), [Run(opt.GD(lr=0.1), (1, 1))], 5)\n")
    assert line == (f"render: {tmp_path / 'x.py'}:6: Function 'function': f(x, y) failed at shapes.py:2 with "
                    f"ValueError: The truth value of an array with more than one element is ambiguous. Use a.an...; "
                    f"{ADVICE}")


# --- 3. a NaN gradient is a run that diverges ---------------------------------------------------------

def test_a_model_whose_gradient_turns_nan_diverges_at_that_step():
    model = surfaces.Model(lambda P: np.sum(P * P, axis=-1),
                           gradient=lambda P: np.where(np.abs(P) < 0.5, np.nan, 2 * P), init=[1.0, 1.0, 1.0])
    paths = Scene(model, [Run(opt.GD(lr=0.1), model.init)], 8).simulate()
    # 1, 0.8, 0.64, 0.512, then 0.4096, where the gradient is NaN: diverged at step 4.
    assert paths.diverged_at.tolist() == [4]
    np.testing.assert_allclose(paths.positions[0, :4, 0], [1.0, 0.8, 0.64, 0.512], rtol=1e-15)
    assert np.isnan(paths.positions[0, 4:]).all() and np.isnan(paths.gradients[0, 4:]).all()


def test_a_model_whose_automatic_gradient_is_nan_at_the_start_renders_diverged(tmp_path):
    # sqrt(p^2) at 0: the forward-mode gradient is 0/0.
    path = tmp_path / "cusp.py"
    path.write_text(HEAD + "m = surfaces.Model(lambda P: np.sum(np.sqrt(P * P), axis=-1), init=[0.0, 0.0, 0.0])\n"
                           "scene = Scene(m, [Run(opt.GD(lr=0.1), m.init)], 6)\n")
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "o"), "--size", "96x54", "--format", "gif"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "cusp" / "2d.gif").stat().st_size > 0
    from render.load import load
    (_, scene), = load(path)
    assert scene.simulate().diverged_at.tolist() == [0]


def test_a_function_whose_given_gradient_is_a_nan_constant_diverges_at_the_start():
    surface = surfaces.Function(lambda x, y: x * x + y * y, gradient=lambda x, y: (np.nan, np.nan))
    paths = Scene(surface, [Run(opt.GD(lr=0.1), (1.0, 1.0)), Run(opt.Adam(lr=0.1), (0.5, 0.5))], 5).simulate()
    assert paths.diverged_at.tolist() == [0, 0]
    assert paths.gradients.shape == (2, 6, 2)


def test_a_constant_gradient_is_taken_at_every_point():
    plane = surfaces.Function(lambda x, y: x + 2 * y, gradient=lambda x, y: (1.0, 2.0))
    paths = Scene(plane, [Run(opt.GD(lr=0.1), (1.0, 1.0))], 3).simulate()
    np.testing.assert_allclose(paths.positions[0], [[1.0, 1.0], [0.9, 0.8], [0.8, 0.6], [0.7, 0.4]], rtol=1e-14)
    assert paths.gradients.shape == (1, 4, 2) and (paths.gradients[0] == [1.0, 2.0]).all()


# --- 4. one parameter, len() of a forward-mode value, a swarm over a model ---------------------------

def test_a_one_parameter_model_is_refused_when_the_scene_is_built(tmp_path):
    line = refused(tmp_path, "m = surfaces.Model(lambda P: np.sum((P - 1) ** 2, axis=-1), init=[3.0])\n"
                             "scene = Scene(m, [Run(opt.GD(lr=0.1), m.init)], 10)\n")
    assert line == (f"render: {tmp_path / 'x.py'}:6: Scene: the model has 1 parameter, and a scene draws a model on "
                    f"a plane through its parameters, which takes 2 or more; give it at least 2 (a loss of one "
                    f"number is a surfaces.Function of x alone)")


def test_len_and_shape_of_forward_mode_values_are_those_of_the_arrays():
    def f(x, y):
        return (x * x + y * y) * len(x) / np.size(x) + 0 * x.ndim + 0 * np.shape(y)[0]
    paths = Scene(surfaces.Function(f, name="len"), [Run(opt.GD(lr=0.1), (1.0, -2.0))], 3).simulate()
    np.testing.assert_allclose(paths.positions[0, :, 0], [1.0, 0.8, 0.64, 0.512], rtol=1e-15)
    np.testing.assert_allclose(paths.positions[0, :, 1], [-2.0, -1.6, -1.28, -1.024], rtol=1e-15)
    # A model's loss may take len() of its rows, and sum along an axis given by position.
    model = Model(lambda P: np.sum(P * P, -1) * len(P[0]) / 3, init=[1.0, 2.0, 3.0])
    np.testing.assert_allclose(model.gradient(np.array([[1.0, 2.0, 3.0]])), [[2.0, 4.0, 6.0]], rtol=1e-15)


@pytest.mark.parametrize("model", ["mlp", "model"])
def test_a_swarm_over_a_model_is_refused_when_the_scene_is_built(model):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    surface = MLP(X, [0, 1, 1, 0], hidden=(2,)) if model == "mlp" else \
        Model(lambda P: np.sum(P * P, axis=-1), init=[1.0, 2.0])
    with pytest.raises(ValueError) as error:
        Scene(surface, [Run(opt.GD(lr=0.1), surface.init), Swarm(opt.GD(lr=0.1), grid=2)], 5)
    assert str(error.value) == ("Scene: runs[1] is a Swarm, which starts runs over a surface's window; over a model "
                                "give Run(optimizer, start) for each start")


# --- 5. what overflows or cannot be searched is refused before the work -------------------------------

def test_a_huge_step_lr_gamma_is_refused_before_simulating(tmp_path):
    line = refused(tmp_path, "scene = Scene('rosenbrock', [Run(opt.GD(lr=1e-3), (-1.5, 2.0),\n"
                             "              schedule=schedules.StepLR(step_size=1, gamma=1e300))], 10)\n")
    assert line == (f"render: {tmp_path / 'x.py'}:5: Scene: runs[0]: StepLR's gamma 1e+300 raises the learning rate "
                    f"0.001 past 1e+100 at step 2 of 10 (to 1e+2697 by the last); give a gamma nearer 1, a larger "
                    f"step_size or fewer steps")


def test_a_growing_schedule_is_refused_at_the_first_step_past_the_largest_rate():
    run = Run(opt.GD(lr=1e-3), (1.0, 1.0), schedule=schedules.ExponentialLR(gamma=2.0))
    Scene("bowl", [run], 343)                                # the last rate is 1e-3 * 2**342, 9e99
    assert run.learning_rates(343).max() <= schedules.MAX_RATE < run.learning_rates(344).max()
    with pytest.raises(ValueError) as error:
        Scene("bowl", [run], 344)
    assert str(error.value) == ("Scene: runs[0]: ExponentialLR's gamma 2 raises the learning rate 0.001 past 1e+100 "
                                "at step 344 of 344 (to 1.8e+100 by the last); give a gamma nearer 1 or fewer steps")
    # With a tuned lr, its largest value is the one that counts; every 10 steps, 10 times fewer.
    tuned_run = Run(opt.GD(lr=tuned(1e-3, 1e2, 4)), (1.0, 1.0), schedule=schedules.StepLR(step_size=10, gamma=10.0))
    with pytest.raises(ValueError, match=r"learning rate 100 past 1e\+100 at step 991 of 1000 \(to 1e\+101 by"):
        Scene("bowl", [tuned_run], 1000)


def test_a_one_cycle_that_starts_past_the_largest_rate_is_refused():
    with pytest.raises(ValueError) as error:
        schedules.OneCycleLR(max_lr=1e300, total_steps=10, div_factor=1e-300)
    assert str(error.value) == ("OneCycleLR: max_lr / div_factor, the rate it starts at, is inf, past 1e+100; give a "
                                "larger div_factor or a smaller max_lr")


def test_a_tuned_value_in_a_response_scene_is_refused_when_it_is_built(tmp_path):
    line = refused(tmp_path, "scene = ResponseScene([Response(opt.Adam(lr=tuned(1e-3, 1.0)))], steps=10)\n")
    assert line == (f"render: {tmp_path / 'x.py'}:5: Response: optimizer cannot have tuned values (it tunes lr); a "
                    f"response traces one setting against signals, with no loss to choose by: give a number")


# --- 6. text has a length ----------------------------------------------------------------------------

@pytest.mark.parametrize("make,said", [
    (lambda t: Run(opt.GD(), (0, 0), label=t), "Run: label"),
    (lambda t: Scene("bowl", [Run(opt.GD(), (0, 0))], 3, title=t), "Scene: title"),
    (lambda t: Swarm(opt.GD(), grid=2, label=t), "Swarm: label"),
    (lambda t: Response(opt.GD(), label=t), "Response: label"),
    (lambda t: ResponseScene([Response(opt.GD())], title=t), "ResponseScene: title"),
    (lambda t: surfaces.Function(lambda x, y: x, name=t), "Function: name"),
    (lambda t: Model(lambda P: P.sum(axis=-1), init=[0.0, 1.0], name=t), "Model: name"),
], ids=["run", "title", "swarm", "response", "response-title", "function", "model"])
def test_labels_titles_and_names_are_at_most_200_characters(make, said):
    make("é" * 200)                                         # the bound itself is fine
    with pytest.raises(ValueError) as error:
        make("x" * 1_000_000)
    assert str(error.value) == f"{said} must be at most 200 characters, got 1000000"


def test_a_million_character_label_in_a_scene_file_is_one_line(tmp_path):
    line = refused(tmp_path, "scene = Scene('bowl', [Run(opt.GD(), (1, 1), label='x' * 10**6)], 3)\n")
    assert line == f"render: {tmp_path / 'x.py'}:5: Run: label must be at most 200 characters, got 1000000"


def test_a_sweep_label_leaves_room_for_its_cells_values():
    # The longest cell's label is the sweep's and ", lr=0.001, momentum=0.5": 24 characters more.
    cells = Sweep(opt.Momentum(), (1, 1), label="m" * 176, lr=[0.1, 0.001], momentum=[0.5]).runs()
    assert max(len(run.label) for run in cells) == 200
    with pytest.raises(ValueError) as error:
        Sweep(opt.Momentum(), (1, 1), label="m" * 177, lr=[0.1, 0.001], momentum=[0.5])
    assert str(error.value) == "Sweep: label must be at most 176 characters, got 177"


# --- 7. memory: estimated first, refused above the bound ----------------------------------------------

def test_a_simulation_too_large_to_keep_is_refused_with_its_estimate(tmp_path):
    # 10 runs x 10,000,001 positions x (3 x 2 + 1) numbers x 8 bytes, and each run's state.
    assert trajectories.simulation_bytes(10, 10_000_000, 2) == 8 * 10 * 10_000_001 * 7 + 8 * 10 * 2 * 16
    line = refused(tmp_path, "scene = Scene('bowl', [Run(opt.GD(lr=0.1), (1, 1))] * 10, 10_000_000)\n")
    assert line == (f"render: {tmp_path / 'x.py'}:5: Scene: simulating 10 runs for 10000000 steps would take about "
                    f"5.2 GiB of memory, more than the 2.0 GiB allowed; give fewer steps or runs (the trajectories "
                    f"keep every step of every run)")
    # Just under the bound is built (and not simulated here).
    steps = (checks.MAX_MEMORY - 8 * 10 * 2 * 16) // (8 * 10 * 7) - 1
    assert trajectories.simulation_bytes(10, steps, 2) <= checks.MAX_MEMORY
    Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1))] * 10, steps)


def test_a_model_scene_counts_its_parameters():
    model = Model(lambda P: np.sum(P * P, axis=-1), gradient=lambda P: 2 * P, init=np.ones(100_000))
    with pytest.raises(ValueError) as error:
        Scene(model, [Run(opt.GD(lr=0.1), model.init)], 1000)
    assert str(error.value) == ("Scene: simulating 1 run for 1000 steps over 100000 parameters would take about "
                                "2.2 GiB of memory, more than the 2.0 GiB allowed; give fewer steps or runs (the "
                                "trajectories keep every step of every run)")


def test_a_search_keeps_no_history_so_its_memory_does_not_grow_with_the_steps():
    small, large = (trajectories.search_bytes(4096, steps, 2) for steps in (100_000, 10_000_000))
    assert small == large <= 40 * 2**20          # 4096 runs x 2 numbers x (a 512-step chunk + state) x 8 bytes
    Scene("rosenbrock", [Run(opt.Adam(lr=tuned(1e-4, 1.0, 4096)), (-1.5, 2.0))], 100_000)    # built, not run


def test_a_search_ends_where_the_simulation_ends(monkeypatch):
    monkeypatch.setattr(trajectories, "_CHUNK_BYTES", 3 * 8 * 6 * 2)     # three steps of six runs a chunk
    optimizers = [opt.GD(lr=lr) for lr in (1e-4, 1e-3, 1e-2)] + [opt.Adam(lr=0.1), opt.Momentum(lr=2e-3),
                                                                  opt.GD(lr=0.01)]
    starts = [(-1.5, 2.0)] * 5 + [(40.0, 40.0)]                           # the last leaves the numbers
    ends = trajectories.final_losses(surfaces.get("rosenbrock"), optimizers, starts, 11)
    paths = trajectories.simulate_runs(surfaces.get("rosenbrock"), optimizers, starts, 11)
    assert paths.diverged_at.tolist() == [-1, -1, 6, -1, -1, 2]          # in the third chunk, and the first
    kept = [0, 1, 3, 4]
    assert ends[kept].tolist() == paths.losses[kept, -1].tolist() and ends[[2, 5]].tolist() == [np.inf, np.inf]


def test_a_search_with_schedules_keeps_their_rates_and_is_refused_above_the_bound():
    run = Run(opt.GD(lr=tuned(1e-3, 1.0, 4096)), (1, 1), schedule=schedules.StepLR(step_size=10))
    assert trajectories.search_bytes(4096, 100_000, 2, scheduled=4096) > checks.MAX_MEMORY
    with pytest.raises(ValueError) as error:
        Scene("bowl", [run], 100_000)
    assert str(error.value) == ("Scene: searching 4096 tuned candidates for 100000 steps would take about 6.1 GiB of "
                                "memory, more than the 2.0 GiB allowed; give fewer values to try (tuned's n), tune "
                                "fewer things or take fewer steps (a schedule's rates are kept for every step)")


def test_a_response_scene_too_large_to_keep_is_refused():
    with pytest.raises(ValueError) as error:
        ResponseScene([Response(opt.GD())] * 10, steps=10_000_000)
    assert str(error.value) == ("ResponseScene: tracing 10 runs against 6 signals for 10000000 steps would take about "
                                "6.7 GiB of memory, more than the 2.0 GiB allowed; give fewer steps, signals or runs")


def test_a_models_automatic_gradient_holds_no_d_by_d_identity():
    model = Model(lambda P: np.sum(P * P, axis=-1), init=np.ones(4000))
    tracemalloc.start()
    try:
        gradient = model.gradient(np.arange(4000.0)[None])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(gradient, 2 * np.arange(4000.0)[None])
    assert peak < 4 * 2**20                          # an identity of 4000 x 4000 is 122 MiB


# --- 8. other values a new user gives -------------------------------------------------------------------

@pytest.mark.parametrize("make,said", [
    (lambda: surfaces.Function(lambda x, y: x, minima=[(np.nan, 0)]), ("Function 'function': minima[0] must be "
                                                                       "finite, got (nan, 0)")),
    (lambda: surfaces.Function(lambda x, y: x, name=5), "Function: name must be a string, got 5"),
    (lambda: surfaces.Function(lambda x, y: x, latex=5), "Function 'function': latex must be a string, got 5"),
    (lambda: Model(lambda P: None, init=[1, 1]), ("Model: loss(P) returned None; it must return one number per row "
                                                 "of P (is a return missing?)")),
    (lambda: Model(lambda P: "x", init=[1, 1]), "Model: loss(P) must return numbers, one per row of P, got 'x'"),
    (lambda: Scene(Model(lambda P: np.sum(P * P, -1), gradient=lambda P: P[:, :1], init=[1, 1, 1]),
                   [Run(opt.GD(), (1, 1, 1))], 5), ("Model: gradient(P) must return one gradient per row of P, shape "
                                                   "(1, 3), got shape (1, 1)")),
    (lambda: Scene(Model(lambda P: np.sum(P * P, -1), gradient=lambda P: None, init=[1, 1, 1]),
                   [Run(opt.GD(), (1, 1, 1))], 5), ("Model: gradient(P) returned None; it must return one gradient per "
                                                   "row of P (is a return missing?)")),
    (lambda: surfaces.LeastSquares("ab", [1, 2]), ("LeastSquares: X and y must be arrays of numbers, got 'ab' and "
                                                   "[1, 2]")),
    (lambda: surfaces.get("least_squares", n=-5), "LeastSquares.line: n must be a whole number in [2, 1e+07], got -5"),
    (lambda: surfaces.Logistic(np.full((4, 2), np.nan), [0, 1, 0, 1]), "Logistic: X must be finite"),
], ids=["minimum-nan", "name-number", "latex-number", "loss-none", "loss-text", "gradient-shape", "gradient-none",
        "data-text", "data-size", "data-nan"])
def test_what_a_surface_or_model_is_given_is_checked_in_one_line(make, said):
    with pytest.raises(ValueError) as error:
        make()
    assert str(error.value) == said


def test_a_models_loss_with_unsupported_code_names_its_line():
    def loss(P):
        return np.sum(np.cumsum(P, axis=-1), axis=-1)
    model = Model(loss, init=[1.0, 2.0])                   # on arrays it runs
    with pytest.raises(ValueError) as error:
        Scene(model, [Run(opt.GD(), (1, 2))], 5)            # on forward-mode values it cannot
    assert str(error.value) == (
        f"Model: loss(P) failed at test_robustness_scenes.py:{loss.__code__.co_firstlineno + 1} with TypeError: "
        f"automatic gradient: numpy.cumsum is not supported; pass gradient= explicitly; it is evaluated on arrays P "
        f"of shape (runs, D) and forward-mode values: use numpy's functions (np.sin, not math.sin; np.where, not if)")


def test_a_two_parameter_model_and_a_given_flat_gradient_simulate():
    model = Model(lambda P: np.sum((P - 1) ** 2, axis=-1), gradient=lambda P: 2 * (P[0] - 1), init=[3.0, 2.0])
    paths = Scene(model, [Run(opt.GD(lr=0.25), model.init)], 2, plane=Plane()).simulate()
    np.testing.assert_allclose(paths.positions[0], [[3.0, 2.0], [2.0, 1.5], [1.5, 1.25]], rtol=1e-15)
