"""render.testing: deterministic frames and the snapshot mechanism (the gallery's own snapshots
are checked in test_gallery.py)."""
import json
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

from render import Camera, Run, Scene, View2D, View3D, optimizers as opt
from render.testing import (DIFF_WIDTH, SnapshotMismatch, VersionChanged, assert_frames_match, frame_hash,
                            render_frames)


def small_scene(lr=0.05):
    return Scene("rosenbrock", [Run(opt.Adam(lr=lr), (-1.5, 2.0), color="red"),
                                Run(opt.GD(lr=1e-3), (1.0, -0.5))], 10,
                 views=[View2D(arrows=True, legend=True)])


def test_a_changed_scene_fails_naming_frames_and_writing_a_diff(tmp_path):
    snapshot = tmp_path / "race"
    assert_frames_match(small_scene(), snapshot, update=True)
    assert (tmp_path / "race.json").exists() and (tmp_path / "race.npz").exists()
    assert_frames_match(small_scene(), snapshot)                      # same scene: passes
    with pytest.raises(SnapshotMismatch) as error:
        assert_frames_match(small_scene(lr=0.2), snapshot)
    message = str(error.value)
    # The legend names the learning rate, so every frame differs, the first included.
    assert message.startswith("race: view '2d' frame 0: ") and "of pixels differ, by up to" in message
    assert "(and 2 more)" in message and "largest difference" in message
    diff = tmp_path / "failures" / "race.diff.png"
    assert str(diff) in message
    from PIL import Image
    image = np.asarray(Image.open(diff).convert("RGB"))
    # Three rows (one per frame) of three panels, each enlarged 3x to 480x270 so a person can
    # read it, under a 28-pixel label; a 12-pixel margin around and between them.
    assert DIFF_WIDTH == 480
    assert image.shape == (28 + 3 * (28 + 270 + 12) + 12, 12 + 3 * (480 + 12), 3)
    expected = np.load(tmp_path / "race.npz")
    _, actual = render_frames(small_scene(lr=0.2), size=(160, 90))
    for row, i in enumerate([0, 5, 10]):
        top = 28 + row * (28 + 270 + 12) + 28
        np.testing.assert_array_equal(image[top:top + 270:3, 12:12 + 480:3], expected[f"2d/frame_{i}"])
        np.testing.assert_array_equal(image[top:top + 270:3, 504:504 + 480:3], actual[row])
        changed = image[top:top + 270, 996:996 + 480]
        assert np.any(np.all(changed == (255, 0, 0), axis=-1))          # changed pixels in red
        label = image[top - 28:top, 12:500]
        assert np.any(label.sum(axis=-1) < 200)                         # the row's label is written
    assert np.any(image[:28, 12:200].sum(axis=-1) < 200)                # so are the column heads
    # Updating makes it pass.
    assert_frames_match(small_scene(lr=0.2), snapshot, update=True)
    assert_frames_match(small_scene(lr=0.2), snapshot)


def two_views(azim=-60, views=None):
    return Scene("himmelblau", [Run(opt.Momentum(lr=0.01, momentum=0.9), (-4.0, 4.0), label="momentum")], 12,
                 views=views or [View2D(), View3D(camera=Camera(elev=40, azim=azim))])


def test_every_view_is_in_the_snapshot_so_a_camera_change_alone_fails(tmp_path):
    snapshot = tmp_path / "both"
    assert_frames_match(two_views(), snapshot, update=True)
    record = json.loads((tmp_path / "both.json").read_text())
    assert sorted(record["views"]) == ["2d", "3d"] and list(record["views"]["3d"]) == ["0", "12", "6"]
    assert sorted(np.load(tmp_path / "both.npz")) == sorted(f"{v}/frame_{i}" for v in ("2d", "3d")
                                                             for i in (0, 6, 12))
    assert_frames_match(two_views(), snapshot)
    with pytest.raises(SnapshotMismatch, match=r"^both: view '3d' frame 0: .* \(and 2 more\)"):
        assert_frames_match(two_views(azim=-50), snapshot)


def test_one_view_per_snapshot_and_a_view_gone_from_the_scene(tmp_path):
    assert_frames_match(two_views(), tmp_path / "top", view="3d", update=True)
    assert list(json.loads((tmp_path / "top.json").read_text())["views"]) == ["3d"]
    assert_frames_match(two_views(azim=-60), tmp_path / "top", view="3d")
    with pytest.raises(SnapshotMismatch, match="view '3d' frame 0"):
        assert_frames_match(two_views(azim=-50), tmp_path / "top", view="3d")
    assert_frames_match(two_views(), tmp_path / "both", update=True)
    with pytest.raises(SnapshotMismatch, match="^both: view '3d' is in the snapshot but not in the scene"):
        assert_frames_match(two_views(views=[View2D()]), tmp_path / "both")


def test_a_missing_snapshot_says_how_to_make_one(tmp_path):
    with pytest.raises(SnapshotMismatch, match="no snapshot .*; run pytest --update-snapshots"):
        assert_frames_match(small_scene(), tmp_path / "absent")


def test_a_version_change_is_reported_as_such(tmp_path):
    snapshot = tmp_path / "race"
    assert_frames_match(small_scene(), snapshot, update=True)
    record = json.loads((tmp_path / "race.json").read_text())
    record["versions"]["matplotlib"] = "3.9.0"
    (tmp_path / "race.json").write_text(json.dumps(record))
    assert_frames_match(small_scene(), snapshot)                  # same pixels: no complaint
    with pytest.raises(VersionChanged, match=r"matplotlib 3\.9\.0 -> .*a version change, not a regression"):
        assert_frames_match(small_scene(lr=0.2), snapshot)


def test_frames_ignore_the_users_matplotlib_configuration():
    indices, before = render_frames(small_scene(), size=(160, 90))
    with matplotlib.rc_context({"lines.linewidth": 6, "font.size": 22, "axes.facecolor": "black",
                                "text.hinting": "no_hinting", "legend.fontsize": 30}):
        _, during = render_frames(small_scene(), size=(160, 90))
    assert [frame_hash(f) for f in before] == [frame_hash(f) for f in during]


def test_hashes_are_identical_across_processes_and_jobs(tmp_path):
    # The orbit is drawn by two worker processes when two jobs are allowed, by this process
    # with one; the 2D view always here. Their bytes must not tell.
    scene = tmp_path / "race.py"
    scene.write_text("from render import Camera, Run, Scene, View2D, View3D, optimizers as opt\n"
                     "scene = Scene('rosenbrock', [Run(opt.Adam(lr=0.05, noise=0.5), (-1.5, 2.0))],"
                     " 40, views=[View2D(arrows=True), View3D(name='orbit', camera=Camera(orbit=45))])\n")
    records = []
    for run, jobs in enumerate((1, 2, 2)):
        out = tmp_path / f"out{run}"
        subprocess.run([sys.executable, "-m", "render", str(scene), "--out", str(out), "--size", "160x90",
                        "--format", "png,gif", "--hashes", "--jobs", str(jobs)], check=True, capture_output=True)
        records.append({view: (json.loads((out / "race" / f"{view}.hashes.json").read_text()),
                               (out / "race" / f"{view}.gif").read_bytes()) for view in ("2d", "orbit")})
    assert records[0] == records[1] == records[2]
    hashes = records[0]["orbit"][0]
    assert hashes["size"] == [160, 90] and len(hashes["frames"]) == 41
    assert len(set(hashes["frames"])) == 41                     # the camera moves: every frame differs
    assert set(hashes["versions"]) == {"matplotlib", "freetype", "numpy"}


def test_update_snapshots_option_through_pytest(pytester):
    pytester.makepyfile(test_scene="""
        from render import Run, Scene, View2D, optimizers as opt
        from render.testing import assert_frames_match
        import os

        def test_scene():
            lr = float(os.environ.get("LR", "0.05"))
            scene = Scene("bowl", [Run(opt.GD(lr=lr), (5.0, 4.0))], 6)
            assert_frames_match(scene, "snapshots/bowl")
    """)
    first = pytester.runpytest_subprocess("--update-snapshots", "-p", "no:cacheprovider")
    first.assert_outcomes(passed=1)
    assert (pytester.path / "snapshots" / "bowl.json").exists()
    import os
    os.environ["LR"] = "0.3"
    try:
        changed = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        changed.assert_outcomes(failed=1)
        changed.stdout.fnmatch_lines(["*SnapshotMismatch: bowl: view '2d' frame *"])
        # Only the test's own lines and the message: none of render's code is printed.
        report = changed.stdout.str()
        failure = report[report.index("= FAILURES ="):report.index("short test summary")]
        assert "render/testing.py" not in failure and "def assert_frames_match" not in failure
        assert len(failure.splitlines()) <= 12
        pytester.runpytest_subprocess("--update-snapshots", "-p", "no:cacheprovider").assert_outcomes(passed=1)
        pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    finally:
        del os.environ["LR"]
