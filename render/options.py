"""What a render is asked for besides the scene: one value, from the command line (or a
script, or a notebook) down to the sinks, instead of loose arguments through every layer."""
from __future__ import annotations

import dataclasses

__all__ = ["QUALITY", "Options"]

# Quality presets: frame size; the video encoders' rate factor follows the same names.
QUALITY = {"low": (640, 360), "medium": (960, 540), "high": (1920, 1080)}


@dataclasses.dataclass(frozen=True)
class Options:
    """How a view is rendered. ``size`` (width, height) in pixels; ``fps`` the outputs' frame
    rate; ``quality`` a preset of ``QUALITY`` (the videos' rate factor); ``theme`` ("light",
    "dark") or None for the scene's; ``formats`` the sinks' formats; ``gif_budget`` bytes a
    GIF must fit in (it is made with fewer frames, then fewer pixels), 0 for none, or None
    (the default): a budget (``sinks.gif.MOVING_GIF_BUDGET``) for the GIFs of views whose
    frames change whole, an orbit's, and none for the others (``budget``)."""

    size: tuple = QUALITY["medium"]
    fps: float = 20.0
    quality: str = "medium"
    theme: str | None = None
    formats: tuple = ("gif", "mp4")
    gif_budget: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "size", tuple(int(v) for v in self.size))
        object.__setattr__(self, "formats", tuple(self.formats))
        if self.quality not in QUALITY:
            raise ValueError(f"quality must be one of {', '.join(QUALITY)}, got {self.quality!r}")

    def budget(self, view) -> int | None:
        """The bytes ``view``'s GIF must fit in, or None."""
        if self.gif_budget is None:
            from .frames import draws_whole_frames
            from .sinks import gif
            return gif.MOVING_GIF_BUDGET if draws_whole_frames(view) else None
        return int(self.gif_budget) or None

    def key(self, view) -> dict:
        """The options an output of ``view`` depends on (its formats are counted apart)."""
        key = {"size": self.size, "fps": self.fps, "quality": self.quality, "theme": self.theme}
        budget = self.budget(view)
        if budget:
            key["gif_budget"] = int(budget)
        return key
