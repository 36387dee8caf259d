"""The package's shape: imports flow one way (no cycle, counting imports inside functions),
and the public names are what the documentation says, whatever was imported before."""
import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "render"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the render modules it imports, at module level or inside a function."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                # "from . import x" imports the submodule x when there is one.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_there_is_no_import_cycle_in_the_package():
    graph = import_graph()
    assert "render.views.plot2d" in graph["render.views"]          # imports inside functions count
    assert "render.scene" in graph["render.load"]
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def reachable(graph, start, without=()):
    reach, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()] - reach - set(without):
            reach.add(nxt)
            todo.append(nxt)
    return reach


DRAWING = {"render.plan", "render.views", "render.frames", "render.sinks", "render.tables", "render.files",
           "render.hashing", "render.pipeline"}


def test_specs_reach_drawing_only_through_the_notebook_conveniences():
    graph = import_graph()
    # scene.animation() (render.notebook) hands a scene to the plan and the views when
    # called; apart from that bridge, a spec imports nothing downstream, even lazily.
    assert reachable(graph, "render.scene") & DRAWING
    assert not reachable(graph, "render.scene", without={"render.notebook"}) & DRAWING
    assert not reachable(graph, "render.load", without={"render.notebook"}) & DRAWING


SIMULATE_CHECK = """
{before}
from render import simulate, Scene, Run, optimizers as opt, surfaces
import numpy as np
scene = Scene("rosenbrock", [Run(opt.Adam(lr=0.05), (-1.5, 2.0)), Run(opt.GD(lr=1e-3), (0, 0))], 40)
path = simulate(surfaces.get("rosenbrock"), opt.Adam(lr=0.05), (-1.5, 2.0), 40)
assert callable(simulate) and simulate.__module__ == "render.trajectories", simulate
np.testing.assert_array_equal(path, scene.simulate().positions[0])
print("ok", path.shape)
"""


@pytest.mark.parametrize("before", ["", "import render.cli", "from render import surfaces",
                                    "import render.trajectories, render.pipeline"],
                         ids=["fresh", "after-cli", "after-surfaces", "after-modules"])
def test_from_render_import_simulate_is_the_documented_function(before):
    done = subprocess.run([sys.executable, "-c", SIMULATE_CHECK.format(before=before)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok (41, 2)"


def test_public_names_are_their_definitions():
    import render
    homes = {name: getattr(render, name) for name in render.__all__}
    assert homes["Scene"].__module__ == homes["View2D"].__module__ == "render.scene"
    assert homes["Plane"].__module__ == "render.planes" and homes["tuned"].__module__ == "render.tuning"
    assert homes["surfaces"].__name__ == "render.surfaces" and homes["signals"].__name__ == "render.gradient_signals"
    assert sorted(dir(render)) == sorted(set(dir(render))) and set(render.__all__) <= set(dir(render))
    with pytest.raises(AttributeError, match="module 'render' has no attribute 'Scen'"):
        render.Scen
    from render import Scene, simulate
    assert Scene.__module__ == "render.scene"
    assert np.asarray(simulate(render.surfaces.get("bowl"), render.optimizers.GD(lr=0.25), (4, 2), 1)
                      ).tolist() == [[4.0, 2.0], [2.0, 1.0]]


def test_importing_render_loads_nothing_until_a_name_is_used():
    # The program handles Ctrl-C, TERM and HUP before numpy and the scene's libraries load.
    code = ("import sys, render; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('render', 'numpy', 'matplotlib', 'PIL', 'click')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['render', 'render._version']"


SPECS_ONLY = """
import sys
from render import (Camera, Multiples, Response, ResponseScene, ResponseView, Run, Scene, Swarm, Sweep, SweepLoss,
                    View2D, View3D, optimizers as opt, schedules, surfaces, tuned)
runs = [Run(opt.Adam(lr=0.05), (-1.5, 2.0), color="#1F77B4"), Swarm(opt.GD(lr=1e-3), 4, seed=0),
        Run(opt.Momentum(lr=tuned(1e-4, 1e-2), momentum=0.9), (0, 0), schedule=schedules.StepLR(step_size=50))]
race = Scene("rosenbrock", runs, 40, views=[View2D(loss_panel=True), View3D(camera=Camera(orbit=30))])
sweep = Scene("rosenbrock", [Sweep(opt.Momentum(), (-1.5, 2.0), lr=[1e-4, 1e-3], momentum=[0.0, 0.9])], 40,
              views=[Multiples(levels="log"), SweepLoss()])
model = Scene(surfaces.Model(lambda P: (P * P).sum(axis=-1), init=[1.0, 2.0, 3.0]), [Run(opt.GD(lr=0.1), [1.0, 2.0, 3.0])], 5)
responses = ResponseScene(runs=[Response(opt.Momentum(lr=0.25, momentum=0.9))], steps=50, views=[ResponseView()])
print(sorted({m.split(".")[0] for m in sys.modules} & {"matplotlib", "PIL", "mpl_toolkits", "imageio", "click"}),
      sorted(set(sys.modules) & {"render.notebook", "render.plan", "render.pipeline", "render.cli", "render.load"}))
"""


def test_building_every_kind_of_scene_and_view_loads_no_drawing_library():
    # A spec is a value: writing a scene (in a notebook, a test, a script) costs no drawing
    # library until something is drawn.
    done = subprocess.run([sys.executable, "-c", SPECS_ONLY], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] []"          # nor any face (the notebook's, the command's)


INSTALLS = """
import os, signal, sys
installed = []
def recorder(what, real):
    def record(*args, **kwargs):
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.split(".")[0] == "render":           # (the standard library's own are its business)
            installed.append(f"{what} by {caller}")
        return real(*args, **kwargs)
    return record
sys.addaudithook = recorder("audit hook", sys.addaudithook)
signal.signal = recorder("signal handler", signal.signal)
os.register_at_fork = recorder("fork hook", os.register_at_fork)
import render, render.load, render.cli, render.pipeline, render.plan, render.frames, render.page, render.testing
from render import Run, Scene, View2D, View3D, optimizers as opt
Scene("rosenbrock", [Run(opt.Adam(lr=0.05), (-1.5, 2.0))], 10, views=[View2D(), View3D()])
print(installed)
"""


def test_importing_installs_nothing_into_the_interpreter():
    done = subprocess.run([sys.executable, "-c", INSTALLS], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_command_loads_dask_only_when_asked_for_a_cluster():
    code = ("import sys, render.cli, render.pipeline; "
            "print(sorted(m for m in ('distributed', 'dask', 'render.cluster') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
