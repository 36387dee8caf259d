"""Snapshot tests for animations: frame hashes first, pixels when they differ.

In a test::

    from render.testing import assert_frames_match

    def test_my_scene():
        scene = ...                       # or: name, scene = render.load.load(path)[0]
        assert_frames_match(scene, "tests/snapshots/my_scene")

The first run (or ``pytest --update-snapshots``) writes ``my_scene.json`` (the size, each
view's frames' sha256 and the versions that decide pixels) and ``my_scene.npz`` (those
frames, compressed). Every view of the scene is in it (``view=`` keeps one: one snapshot per
view). Later runs render the same frames and compare hashes; on a mismatch they compare
pixels, name the first differing view and frame and the largest difference, and write an
image beside the snapshot: a row per differing frame, labelled, with expected, actual and
the changed pixels in red, enlarged to be read. A difference that comes with a change of
matplotlib, FreeType or numpy is reported as a version change. A failure shows the test's
line and the message, not render's own code.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .hashing import frame_hash, pixel_versions

__all__ = ["frame_hash", "pixel_versions", "assert_frames_match", "SnapshotMismatch",
           "VersionChanged", "UPDATE"]

# Set by the pytest plugin from --update-snapshots; a test may also pass update=True.
UPDATE = False


class SnapshotMismatch(AssertionError):
    """Frames differ from the snapshot while the versions that decide pixels are the same."""


class VersionChanged(AssertionError):
    """Frames differ from the snapshot, and so do the versions that decide pixels."""


def _pick(count: int, frames) -> list[int]:
    if frames is None:                        # first, middle, last
        return sorted({0, count // 2, count - 1})
    return sorted({int(i) % count for i in frames})


def _frames(plan, view, size, frames) -> tuple[list[int], list[np.ndarray]]:
    from .frames import FrameSource
    source = FrameSource(plan, view, size)
    indices = _pick(len(source), frames)
    return indices, [source.frame(i) for i in indices]


def render_frames(scene, view=None, size=(160, 90), frames=None,
                  trajectories=None) -> tuple[list[int], list[np.ndarray]]:
    """The chosen frames (default first, middle and last) of a view (default the first).
    ``trajectories``: the scene's simulation, if the caller already has it."""
    from . import plan
    view = scene.views[0] if view is None else scene.view(view)
    return _frames(plan.build(scene, trajectories), view, size, frames)


def _key(view: str, index: int) -> str:
    return f"{view}/frame_{index}"


def assert_frames_match(scene, snapshot, view=None, size=(160, 90), frames=None,
                        update: bool | None = None, tolerance: int = 0, trajectories=None) -> None:
    """Render frames (default first, middle and last) of every view of ``scene`` (or of
    ``view`` only) and compare them with the snapshot at path ``snapshot`` (without
    extension). ``tolerance`` is the largest per-channel difference accepted;
    ``trajectories`` the scene's simulation, if the test already has it."""
    __tracebackhide__ = True              # a failure shows the test's line and the message
    from . import plan as planning
    snapshot = Path(snapshot)
    update = UPDATE if update is None else update
    plan = planning.build(scene, trajectories)
    chosen = list(scene.views) if view is None else [scene.view(view)]
    actual = {}
    for v in chosen:
        indices, rendered = _frames(plan, v, size, frames)
        actual[v.name] = dict(zip(indices, rendered))
    record_path, pixels_path = snapshot.with_suffix(".json"), snapshot.with_suffix(".npz")
    if update or not record_path.exists():
        if not update:
            raise SnapshotMismatch(f"no snapshot {record_path}; run pytest --update-snapshots to create it")
        _write(record_path, pixels_path, size, actual)
        return
    record = json.loads(record_path.read_text())
    hashes = {name: {str(i): frame_hash(f) for i, f in shown.items()} for name, shown in actual.items()}
    if record.get("size") == list(size) and record.get("views") == hashes:
        return
    expected = np.load(pixels_path)
    problems, worst, rows = [], 0, []
    for name in record.get("views", {}):
        if name not in actual:
            problems.append(f"view {name!r} is in the snapshot but not in the scene")
    for name, shown in actual.items():
        for i, frame in shown.items():
            key = _key(name, i)
            if key not in expected or expected[key].shape != frame.shape:
                problems.append(f"view {name!r} frame {i} is not in the snapshot (or has another size)")
                continue
            diff = np.abs(expected[key].astype(int) - frame.astype(int))
            worst = max(worst, int(diff.max()))
            if diff.max() > tolerance:
                share = np.any(diff > tolerance, axis=-1).mean()
                problems.append(f"view {name!r} frame {i}: {share:.2%} of pixels differ, "
                                f"by up to {int(diff.max())}")
                rows.append((f"view {name}, frame {i}: {share:.2%} differ, by up to {int(diff.max())}",
                             expected[key], frame, np.any(diff > tolerance, axis=-1)))
    if not problems:
        return
    image = _diff_image(snapshot, rows) if rows else None
    where = f"; see {image} (expected | actual | changed pixels in red)" if image else ""
    message = f"{snapshot.name}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "") \
        + f"; largest difference {worst}{where}"
    versions_then, versions_now = record.get("versions", {}), pixel_versions()
    changed = {k: (versions_then.get(k), v) for k, v in versions_now.items() if versions_then.get(k) != v}
    if changed:
        what = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items())
        raise VersionChanged(f"{message}. The versions that decide pixels changed ({what}): "
                             "a version change, not a regression; review the image and run "
                             "pytest --update-snapshots")
    raise SnapshotMismatch(message + "; if the change is intended, run pytest --update-snapshots")


def _write(record_path: Path, pixels_path: Path, size, actual: dict) -> None:
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record = {"size": list(size),
              "views": {name: {str(i): frame_hash(f) for i, f in shown.items()} for name, shown in actual.items()},
              "versions": pixel_versions()}
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    np.savez_compressed(pixels_path, **{_key(name, i): f for name, shown in actual.items()
                                        for i, f in shown.items()})


# The diff image: frames enlarged to at least this wide, so a changed pixel can be seen.
DIFF_WIDTH = 480


def _diff_image(snapshot: Path, rows) -> Path:
    """One labelled row per differing frame: expected, actual and the changed pixels in red
    over a faded copy of the expected frame, enlarged (nearest neighbour) to be read."""
    from PIL import Image, ImageDraw, ImageFont
    h, w = rows[0][1].shape[:2]
    scale = max(1, -(-DIFF_WIDTH // w))
    font = ImageFont.load_default(size=16)
    pad, label = 12, 28
    cell_w, cell_h = w * scale, h * scale
    columns = ("expected", "actual", "changed pixels (red)")
    width = pad + len(columns) * (cell_w + pad)
    height = label + len(rows) * (label + cell_h + pad) + pad
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    for c, name in enumerate(columns):
        draw.text((pad + c * (cell_w + pad), 6), name, fill="black", font=font)
    for r, (title, expected, actual, changed) in enumerate(rows):
        top = label + r * (label + cell_h + pad)
        draw.text((pad, top + 4), title, fill="black", font=font)
        marked = (expected // 3 + 170).astype(np.uint8)
        marked[changed] = (255, 0, 0)
        for c, frame in enumerate((expected, actual, marked)):
            tile = Image.fromarray(np.ascontiguousarray(frame[..., :3], dtype=np.uint8))
            tile = tile.resize((cell_w, cell_h), Image.NEAREST)
            x = pad + c * (cell_w + pad)
            sheet.paste(tile, (x, top + label))
            draw.rectangle([x - 1, top + label - 1, x + cell_w, top + label + cell_h], outline="#888888")
    path = snapshot.parent / "failures" / f"{snapshot.name}.diff.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path
