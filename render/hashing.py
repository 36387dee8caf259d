"""Frame hashes: the sha256 of a frame's raw RGB bytes, and the versions that decide
pixels, recorded beside them (by the hashes sink and the snapshot tests) so that a change
of frames can be told from a change of versions."""
from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["frame_hash", "pixel_versions"]


def frame_hash(frame: np.ndarray) -> str:
    """sha256 of a frame's raw RGB bytes (height x width x 3, uint8)."""
    return hashlib.sha256(np.ascontiguousarray(frame, dtype=np.uint8).tobytes()).hexdigest()


def pixel_versions() -> dict[str, str]:
    """The versions that decide pixels: a change here can change frames legitimately."""
    import matplotlib
    from matplotlib import ft2font
    return {"matplotlib": matplotlib.__version__, "freetype": ft2font.__freetype_version__,
            "numpy": np.__version__}
