"""render_scene: one simulation and one plan per scene, clear errors for unknown names, and
outputs skipped only when they are known to be up to date."""
import numpy as np
import pytest
from PIL import Image

from render import Run, Scene, View2D, View3D, optimizers as opt
from render import plan as planning
from render.pipeline import render_scene


def race():
    return Scene("bowl", [Run(opt.GD(lr=0.1), (3, 3)), Run(opt.Adam(lr=0.5), (-3, 2))], 6,
                 views=[View2D(loss_panel=True), View3D()])


def test_an_unknown_view_is_a_value_error_naming_the_views(tmp_path):
    with pytest.raises(ValueError, match=r"^scene 'race' has no view 'side'; it has 2d, 3d$"):
        render_scene(race(), name="race", out=tmp_path, views=["2d", "side"], formats=("png",))
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_is_a_value_error_naming_the_formats(tmp_path):
    with pytest.raises(ValueError, match=r"^'avi' is not a format; choose from gif, mp4, webm, webp, apng, png, "
                                         r"pdf, frames, vtt, txt, player, hashes, html, slides, pptx$"):
        render_scene(race(), name="race", out=tmp_path, formats=("png", "avi"))
    assert list(tmp_path.iterdir()) == []


def test_a_scene_is_simulated_and_planned_once_for_all_its_views_and_its_data(tmp_path, monkeypatch):
    calls = {"simulate": 0, "plan": 0}
    simulate, build = Scene.simulate, planning.build

    def counted_simulate(self):
        calls["simulate"] += 1
        return simulate(self)

    def counted_build(scene, trajectories=None, theme=None, fps=None):
        calls["plan"] += 1
        return build(scene, trajectories, theme, fps)
    monkeypatch.setattr(Scene, "simulate", counted_simulate)
    monkeypatch.setattr(planning, "build", counted_build)
    written = render_scene(race(), name="race", out=tmp_path, formats=("png", "gif"), size=(64, 48), data=True)
    assert [w.path.name for w in written] == ["trajectories.csv", "events.csv", "2d.png", "2d.gif", "3d.png",
                                              "3d.gif"]
    assert calls == {"simulate": 1, "plan": 1}


def test_scenes_given_from_python_are_never_taken_as_up_to_date(tmp_path):
    first = Scene("bowl", [Run(opt.GD(lr=0.1), (3, 3))], 4)
    second = Scene("bowl", [Run(opt.GD(lr=0.4), (3, 3))], 4)
    a = render_scene(first, name="same", out=tmp_path, formats=("png",), size=(64, 48))
    still = np.asarray(Image.open(tmp_path / "same" / "2d.png"))
    b = render_scene(second, name="same", out=tmp_path, formats=("png",), size=(64, 48))
    assert not a[0].skipped and not b[0].skipped
    assert np.any(np.asarray(Image.open(tmp_path / "same" / "2d.png")) != still)


def test_a_scene_read_from_a_file_is_skipped_when_nothing_changed(tmp_path):
    source = b"the scene file's bytes"
    kwargs = dict(out=tmp_path, formats=("png",), size=(64, 48), views=["2d"], source=source)
    first = render_scene(race(), name="race", **kwargs)
    again = render_scene(race(), name="race", **kwargs)
    forced = render_scene(race(), name="race", force=True, **kwargs)
    edited = render_scene(race(), name="race", **dict(kwargs, source=source + b" "))
    assert [w.skipped for w in first + again + forced + edited] == [False, True, False, False]


def test_sizes_count_what_is_there_when_another_render_swaps_a_frames_folder(tmp_path, monkeypatch):
    from render import pipeline
    folder = tmp_path / "2d"
    folder.mkdir()
    for i, n in enumerate((10, 20, 30)):
        (folder / f"frame_{i:04d}.png").write_bytes(b"x" * n)
    assert pipeline._size_of(folder) == 60 and pipeline._size_of(folder / "frame_0001.png") == 20
    assert pipeline._size_of(tmp_path / "moved-aside") == 0
    # A file listed, then removed by the other render before it is measured.
    real = pipeline.os.scandir

    def racing(path):
        entries = list(real(path))
        (folder / "frame_0001.png").unlink()
        return _Entries(entries)

    class _Entries(list):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(pipeline.os, "scandir", racing)
    assert pipeline._size_of(folder) == 40


def test_views_drawn_side_by_side_tick_one_progress_bar_per_frame(tmp_path):
    from contextlib import nullcontext
    bars = []

    def progress(name, frames):
        bars.append([name, frames, 0])
        return (lambda: bars[-1].__setitem__(2, bars[-1][2] + 1)), nullcontext()
    scene = race()
    assert [v.name for v in scene.views] == ["2d", "3d"]
    render_scene(scene, name="race", out=tmp_path, formats=("gif", "png"), size=(64, 48), executor=2, progress=progress)
    frames = scene.steps + 1
    assert bars == [["2d+3d", 2 * frames, 2 * frames]]
    render_scene(scene, name="race", out=tmp_path, formats=("png",), size=(64, 48), executor=1, progress=progress,
                 force=True)
    assert bars[1:] == [["2d", 1, 1], ["3d", 1, 1]]          # one job: in turn, the final frame alone


def test_a_large_gif_is_a_warning_naming_its_mp4(tmp_path, monkeypatch):
    import warnings
    from render import pipeline
    monkeypatch.setattr(pipeline, "LARGE_GIF", 1024)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = render_scene(race(), name="race", out=tmp_path, formats=("gif", "mp4"), size=(160, 90), views=["3d"])
    gif, mp4 = (w.path for w in written)
    ratio = gif.stat().st_size / mp4.stat().st_size
    assert [str(w.message) for w in caught] == [
        f"{gif} is {gif.stat().st_size / 1024:.1f} KiB, {ratio:.0f}x its MP4 ({mp4.stat().st_size / 1024:.1f} KiB); "
        f"on a page prefer {mp4} in a <video autoplay loop muted playsinline>; or fit it with --gif-budget 5MiB"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_scene(race(), name="race", out=tmp_path, formats=("gif",), size=(160, 90), views=["2d"])
    assert [str(w.message).split(", ", 1)[1] for w in caught] == [
        "an MP4 of the same frames is usually a tenth of that or less (--format mp4); or fit it with "
        "--gif-budget 5MiB"]
    monkeypatch.setattr(pipeline, "LARGE_GIF", 10 * 2**20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_scene(race(), name="race", out=tmp_path, formats=("gif",), size=(160, 90), views=["2d"], force=True)
    assert caught == []
