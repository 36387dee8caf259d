"""Loading scene files: names, one-line errors with file and line, warnings passed on."""
import sys
import textwrap
import warnings

import pytest

from render.load import SceneError, load


def write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_load_names_scenes_by_file_variable_or_name(tmp_path):
    one = write(tmp_path, "single.py", """
        from render import Scene, Run, optimizers as opt
        race = Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1))], 5)
    """)
    assert [n for n, _ in load(one)] == ["single"]
    two = write(tmp_path, "double.py", """
        from render import Scene, Run, optimizers as opt
        a = Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1))], 5)
        b = Scene("bowl", [Run(opt.GD(lr=0.2), (1, 1))], 5, name="custom")
        _hidden = Scene("bowl", [Run(opt.GD(lr=0.3), (1, 1))], 5)
    """)
    assert [n for n, _ in load(two)] == ["double-a", "custom"]


@pytest.mark.parametrize("body,message", [
    ("scene = Scene(\n", "bad.py:1: syntax error: '(' was never closed"),
    ("from render import Scene\nx = 1 / 0\n", "bad.py:2: ZeroDivisionError: division by zero"),
    ("from render import optimizers as opt\nopt.Adam(lr=-1)\n",
     "bad.py:2: Adam: lr must be in (0, inf), got -1.0"),
    ("x = 1\n", "bad.py: no Scene at module level; assign one, e.g. scene = Scene(...)"),
    ("from render import Scene, Run, optimizers as opt\nr = [Run(opt.GD(), (0, 0))]\n"
     "a = Scene('bowl', r, 3, name='x')\nb = Scene('bowl', r, 3, name='x')\n",
     "bad.py: several scenes are named 'x'; give each a distinct name="),
    ("import sys\nsys.exit(3)\n", "bad.py:2: the scene file exits (SystemExit: 3); a scene file builds "
     "scenes and returns"),
    ("raise SystemExit\n", "bad.py:1: the scene file exits (SystemExit); a scene file builds scenes and returns"),
    ("class Odd(BaseException):\n    pass\nraise Odd('odd')\n", "bad.py:3: Odd: odd"),
    ("raise GeneratorExit\n", "bad.py:1: GeneratorExit"),
    ("class E(Exception):\n    def __str__(self):\n        raise RuntimeError\nraise E()\n",
     "bad.py:4: E (its message cannot be shown)"),
    ("raise ValueError('two\\nlines')\n", "bad.py:1: two lines"),
])
def test_load_errors_are_one_line_with_file_and_line(tmp_path, body, message):
    path = tmp_path / "bad.py"
    path.write_text(body)
    with pytest.raises(SceneError) as error:
        load(path)
    assert str(error.value) == f"{path}{message.split('bad.py', 1)[1]}"


def test_load_passes_scene_warnings_on_with_the_file_name(tmp_path):
    path = write(tmp_path, "far.py", """
        from render import Scene, Run, optimizers as opt
        scene = Scene("bowl", [Run(opt.GD(), (50, 0))], 5)
    """)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load(path)
    assert any(str(path) in str(w.message) and "outside the surface's window" in str(w.message)
               for w in caught)


@pytest.mark.parametrize("name,message", [
    ("notes.txt", "not a scene file: scene files are Python modules ending in .py"),
    ("..py", "the file's name '.' cannot name an output folder (use letters, digits, '-' and '_'); "
             "rename the file or give its Scene a name="),
    ("my scene.py", "the file's name 'my scene' cannot name an output folder (use letters, digits, '-' and '_'); "
                    "rename the file or give its Scene a name="),
])
def test_a_file_that_cannot_be_a_scene_or_name_one_says_so(tmp_path, name, message):
    path = write(tmp_path, name, """
        from render import Scene, Run, optimizers as opt
        scene = Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1))], 5)
    """)
    with pytest.raises(SceneError) as error:
        load(path)
    assert str(error.value) == f"{path}: {message}"
    named = write(tmp_path, "..x.py", """
        from render import Scene, Run, optimizers as opt
        scene = Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1))], 5, name="fine")
    """)
    assert [n for n, _ in load(named)] == ["fine"]          # its own name: the file's is not used


@pytest.mark.parametrize("module,said", [
    ("torch", "the scene needs PyTorch: pip install -e '.[torch]' (or pip install torch)"),
    ("distributed.client", "the scene needs Dask: pip install 'render-descent[dask]'"),
    ("no_such_package_here", "install it into this Python, or remove the import"),
])
def test_a_scene_importing_what_is_not_installed_says_what_to_install(tmp_path, monkeypatch, module, said):
    monkeypatch.setitem(sys.modules, module.split(".")[0], None)     # (as if not installed)
    (tmp_path / "needs.py").write_text(f"import {module}\nfrom render import Scene\n")
    with pytest.raises(SceneError) as error:
        load(tmp_path / "needs.py")
    top = module.split(".")[0]
    assert str(error.value).startswith(f"{tmp_path / 'needs.py'}:1: ")
    assert str(error.value).endswith(f"; {said}") and top in str(error.value)
