"""The text sinks: what a view shows said without its pixels. ``vtt``: the notes and events
as WebVTT captions, timed as the GIF and the MP4 play them; ``txt``: alt text, a paragraph
made from the simulation (``render.story``)."""
from __future__ import annotations

from .. import story
from .base import Sink, sink

__all__ = ["CaptionsSink", "AltTextSink"]


class _TextSink(Sink):
    rgba = True
    every_frame = False
    plan = None
    count = 0

    def take_plan(self, plan, frames: int) -> None:
        """Given before the first ``write``: the planned scene and how many frames the
        view has."""
        self.plan, self.count = plan, frames

    def text(self) -> str:
        raise NotImplementedError

    def finish(self):
        super().finish()
        self.temp.write_text(self.text(), encoding="utf-8")


@sink("vtt")
class CaptionsSink(_TextSink):
    """The notes and events as WebVTT (``<view>.vtt``), for a <track> beside the video."""

    suffix = ".vtt"

    def text(self) -> str:
        scene = self.plan.scene
        return story.captions_vtt(self.plan.captions, self.count, self.fps, scene.hold_start, scene.hold)


@sink("txt")
class AltTextSink(_TextSink):
    """Alt text for the animation (``<view>.txt``): one paragraph."""

    suffix = ".txt"

    def text(self) -> str:
        return story.alt_text(self.plan) + "\n"
