"""The text sinks: what a view shows said without its pixels. ``vtt``: the notes and events
as WebVTT captions, timed as the GIF and the MP4 play them; ``txt``: alt text, a paragraph
made from the simulation (``render.story``); ``player``: what a page's player needs to
step through the MP4 (where each frame is in it, each frame's step and status line, the
captions), as JSON."""
from __future__ import annotations

import json

from .. import story
from ..trajectories import Trajectories
from .base import Sink, sink

__all__ = ["CaptionsSink", "AltTextSink", "PlayerSink"]


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


@sink("player", option=False)
class PlayerSink(_TextSink):
    """``<view>.player.json``, for a page's player (``render.page``): the MP4's frame rate,
    where each frame starts in it, each frame's step and status line, the captions (frames
    from, to, text, colour) and the alt text. Written with a page, not a --format choice."""

    suffix = ".player.json"

    def text(self) -> str:
        plan, n = self.plan, self.count
        scene = plan.scene
        caps = plan.captions
        # Every frame is in the MP4 (and every note's pause) when a page asks for it.
        start = story.video_frames(n, self.fps, scene.hold_start, story.pauses(caps))
        if isinstance(plan.paths, Trajectories):
            status = [plan.status(k, said=True) for k in range(n)]
        else:                                   # a scene of responses: no runs' losses
            status = [f"step {int(s)} of {int(scene.steps)}" for s in plan.steps]
        record = {"fps": self.fps, "frames": n, "video": start,
                  "steps": [int(s) for s in plan.steps], "lastStep": int(scene.steps), "status": status,
                  "captions": [{"first": c.first, "last": c.last, "text": c.text, "note": c.kind == "note",
                                "color": c.color} for c in caps],
                  "alt": story.alt_text(plan)}
        return json.dumps(record, separators=(",", ":")) + "\n"
