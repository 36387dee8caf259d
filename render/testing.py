"""Snapshot tests for animations: frame hashes first, pixels when they differ.

In a test::

    from render.testing import assert_frames_match

    def test_my_scene():
        scene = ...                       # or: name, scene = render.load.load(path)[0]
        assert_frames_match(scene, "tests/snapshots/my_scene")

The first run (or ``pytest --update-snapshots``) writes ``my_scene.json`` (the size, the
frames' sha256 and the versions that decide pixels) and ``my_scene.npz`` (those frames,
compressed). Later runs render the same frames and compare hashes; on a mismatch they
compare pixels, name the first differing frames and the largest difference, and write a
side-by-side image (expected | actual | difference) beside the snapshot. A difference that
comes with a change of matplotlib, FreeType or numpy is reported as a version change.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

__all__ = ["frame_hash", "pixel_versions", "assert_frames_match", "SnapshotMismatch",
           "VersionChanged", "UPDATE"]

# Set by the pytest plugin from --update-snapshots; a test may also pass update=True.
UPDATE = False


class SnapshotMismatch(AssertionError):
    """Frames differ from the snapshot while the versions that decide pixels are the same."""


class VersionChanged(AssertionError):
    """Frames differ from the snapshot, and so do the versions that decide pixels."""


def frame_hash(frame: np.ndarray) -> str:
    """sha256 of a frame's raw RGB bytes (height x width x 3, uint8)."""
    return hashlib.sha256(np.ascontiguousarray(frame, dtype=np.uint8).tobytes()).hexdigest()


def pixel_versions() -> dict[str, str]:
    """The versions that decide pixels: a change here can change frames legitimately."""
    import matplotlib
    from matplotlib import ft2font
    return {"matplotlib": matplotlib.__version__, "freetype": ft2font.__freetype_version__,
            "numpy": np.__version__}


def _pick(count: int, frames) -> list[int]:
    if frames is None:                        # first, middle, last
        return sorted({0, count // 2, count - 1})
    picked = sorted({int(i) % count for i in frames})
    return picked


def render_frames(scene, view=None, size=(160, 90), frames=None,
                  trajectories=None) -> tuple[list[int], list[np.ndarray]]:
    """The chosen frames (default first, middle and last) of a view (default the first).
    ``trajectories``: the scene's simulation, if the caller already has it."""
    from . import plan
    from .frames import FrameSource
    view = scene.views[0] if view is None else scene.view(view)
    source = FrameSource(plan.build(scene, trajectories), view, size)
    indices = _pick(len(source), frames)
    return indices, [source.frame(i) for i in indices]


def assert_frames_match(scene, snapshot, view=None, size=(160, 90), frames=None,
                        update: bool | None = None, tolerance: int = 0, trajectories=None) -> None:
    """Render frames of ``scene`` and compare them with the snapshot at path ``snapshot``
    (without extension). ``tolerance`` is the largest per-channel difference accepted;
    ``trajectories`` the scene's simulation, if the test already has it."""
    snapshot = Path(snapshot)
    update = UPDATE if update is None else update
    indices, actual = render_frames(scene, view, size, frames, trajectories)
    record_path, pixels_path = snapshot.with_suffix(".json"), snapshot.with_suffix(".npz")
    if update or not record_path.exists():
        if not update:
            raise SnapshotMismatch(f"no snapshot {record_path}; run pytest --update-snapshots to create it")
        _write(record_path, pixels_path, size, indices, actual)
        return
    record = json.loads(record_path.read_text())
    hashes = [frame_hash(f) for f in actual]
    if record["size"] == list(size) and record["frames"] == dict(zip(map(str, indices), hashes)):
        return
    expected = np.load(pixels_path)
    versions_then, versions_now = record.get("versions", {}), pixel_versions()
    problems, worst, pairs = [], 0, []
    for i, frame in zip(indices, actual):
        key = f"frame_{i}"
        if key not in expected or expected[key].shape != frame.shape:
            problems.append(f"frame {i} is not in the snapshot (or has another size)")
            continue
        diff = np.abs(expected[key].astype(int) - frame.astype(int))
        worst = max(worst, int(diff.max()))
        if diff.max() > tolerance:
            share = np.any(diff > tolerance, axis=-1).mean()
            problems.append(f"frame {i}: {share:.2%} of pixels differ, by up to {int(diff.max())}")
            pairs.append((expected[key], frame))
    if not problems:
        return
    image = _diff_image(snapshot, pairs) if pairs else None
    where = f"; side by side (expected | actual | difference): {image}" if image else ""
    message = f"{snapshot.name}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "") \
        + f"; largest difference {worst}{where}"
    changed = {k: (versions_then.get(k), v) for k, v in versions_now.items() if versions_then.get(k) != v}
    if changed:
        what = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items())
        raise VersionChanged(f"{message}. The versions that decide pixels changed ({what}): "
                             "a version change, not a regression; review the image and run "
                             "pytest --update-snapshots")
    raise SnapshotMismatch(message + "; if the change is intended, run pytest --update-snapshots")


def _write(record_path: Path, pixels_path: Path, size, indices, frames) -> None:
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record = {"size": list(size), "frames": {str(i): frame_hash(f) for i, f in zip(indices, frames)},
              "versions": pixel_versions()}
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    np.savez_compressed(pixels_path, **{f"frame_{i}": f for i, f in zip(indices, frames)})


def _diff_image(snapshot: Path, pairs) -> Path:
    """Expected, actual and their difference (changed pixels in red) side by side."""
    from PIL import Image
    rows = []
    for expected, actual in pairs:
        changed = np.any(expected != actual, axis=-1)
        marked = (expected // 3 + 170).astype(np.uint8)
        marked[changed] = (255, 0, 0)
        gap = np.full((expected.shape[0], 4, 3), 255, dtype=np.uint8)
        rows.append(np.concatenate([expected, gap, actual, gap, marked], axis=1))
    path = snapshot.parent / "failures" / f"{snapshot.name}.diff.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(rows, axis=0)).save(path)
    return path
