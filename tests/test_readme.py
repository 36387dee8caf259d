"""README's promises: its two opening commands, and that its example scene is valid."""
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def opening_commands():
    block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_the_render_and_test_commands():
    render_cmd, test_cmd = opening_commands()
    assert README.lstrip().startswith("# render\n\n```bash\n")
    assert render_cmd.endswith("pip install -e . && render scenes/ols_compare.py")
    assert (ROOT / "scenes" / "ols_compare.py").is_file()
    assert test_cmd.endswith("pip install -e '.[test]' && pytest")


def test_ci_runs_exactly_the_readme_test_command():
    _, test_cmd = opening_commands()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_cmd in ci


def test_the_example_scene_builds():
    example = re.search(r"### Writing a scene.*?```python\n(.*?)```", README, re.S) or \
        re.search(r"## Writing a scene.*?```python\n(.*?)```", README, re.S)
    namespace = {}
    exec(example.group(1), namespace)
    scene = namespace["scene"]
    assert [r.name for r in scene.runs] == ["GD", "Momentum(lr=0.001)", "Adam(lr=0.05)"]
    assert [v.name for v in scene.views] == ["2d", "3d"]
    t = scene.simulate()
    assert t.positions.shape == (3, 301, 2) and np.all(t.losses[:, -1] < t.losses[:, 0])


def test_gallery_has_a_small_still_for_every_scene_file():
    stems = sorted(p.stem for p in (ROOT / "scenes").glob("*.py"))
    stills = sorted(p.stem for p in (ROOT / "docs" / "gallery").glob("*.png"))
    assert stems == stills
    assert sum(p.stat().st_size for p in (ROOT / "docs" / "gallery").glob("*.png")) < 400 * 1024
    for stem in stems:
        assert f"`scenes/{stem}.py`" in README and f"](docs/gallery/{stem}.png)" in README


def test_the_notebook_example_plays_and_saves(tmp_path, monkeypatch):
    example = re.search(r"\*\*In a notebook\*\*.*?```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(example, namespace)
    scene = namespace["scene"]
    shown = scene._repr_html_()
    assert shown.startswith("<style>") and "data-player" in shown
    assert '<video width="640" height="360" src="data:video/mp4;base64,' in shown
    import imageio_ffmpeg
    reader = imageio_ffmpeg.read_frames(str(tmp_path / "race.mp4"))
    assert tuple(next(reader)["size"]) == (640, 360)
    assert sum(1 for _ in reader) == 10 + 31 + 30           # the start held 0.5 s, 30 steps, the result 1.5 s


def test_every_install_line_names_our_distribution_or_the_checkout():
    # "render" on the public index is another package: installing it by that name would
    # run someone else's code.
    import tomllib
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"] == "render-descent"
    texts = [README] + [p.read_text() for p in (ROOT / "render").rglob("*.py")]
    lines = [m.group(0) for text in texts for m in re.finditer(r"pip install [^\n`\"]*", text)]
    assert len(lines) >= 5
    for line in lines:
        named = re.findall(r"pip install (?:-e )?'?([^' ]+)", line)[0]
        assert named.split("[")[0] in ("render-descent", "."), line


def test_every_scene_file_the_readme_renders_is_shipped():
    named = set(re.findall(r"render (scenes/[\w-]+\.py)", README))
    assert "scenes/ols_compare.py" in named
    assert sorted(n for n in named if not (ROOT / n).is_file()) == []


def test_the_own_optimizer_example_races_as_it_says():
    import pytest
    pytest.importorskip("torch", reason="the example needs torch: pip install -e '.[test]'")
    from render import Run, Scene, optimizers as opt
    example = re.search(r"\*\*Your own optimizer\.\*\*.*?```python\n(.*?)```", README, re.S).group(1)
    namespace = {}
    exec(example, namespace)
    scene = namespace["scene"]
    assert [r.name for r in scene.runs] == ["SignDescent(lr=0.01)", "Adam(lr=0.05)"]
    t = scene.simulate()
    ours = Scene("rosenbrock", [Run(opt.Adam(lr=0.05), (-1.5, 2.0))], 200).simulate()
    np.testing.assert_allclose(t.positions[1], ours.positions[0], rtol=0, atol=1e-10)
    # Sign descent moves each coordinate by exactly lr a step.
    np.testing.assert_allclose(np.abs(np.diff(t.positions[0], axis=0)), 0.01, rtol=0, atol=1e-12)
