"""The video sinks: MP4 (H.264) and WebM (VP9), encoded by ffmpeg as frames arrive.

A frame held (the first, a note's pause, the last) is not sent again: each frame is stamped
with the moment it comes up (ffmpeg's ``setpts``), and the video keeps a frame on screen
until the next one's moment, so the encoder encodes each picture once. The MP4 of the master
plot holds 101 pictures rather than 161 and is encoded in half the time. Its last picture is
written a second time at the end of the hold, which gives the hold its length.
"""
from __future__ import annotations

from .. import story
from .base import sink
from .ffmpeg import FFmpegPipe, _PipedSink

__all__ = ["VideoSink", "WebmSink"]


# Constant rate factor of the video encoders per quality preset: lower is better and larger.
CRF = {"low": 30, "medium": 23, "high": 18}


@sink("mp4")
class VideoSink(_PipedSink):
    """MP4 (H.264) or WebM (VP9) through the bundled ffmpeg, frames piped as raw RGB.
    yuv420p with even dimensions, so that every browser plays it; +faststart puts the index
    first so playback starts before the download ends; bitexact leaves out the encoder's
    version string, so the same frames give the same bytes."""

    codec = "libx264"
    holds = True
    suffix = ".mp4"
    # Where each frame comes up, in frame times (``story.video_frames``, which the page's
    # player seeks by), and the last frame's hold in frame times; None until the plan is
    # given (``take_plan``): then each hold is the frame written again.
    held: tuple | None = None

    def __init__(self, path, size, fps, quality="medium"):
        w, h = size
        if w % 2 or h % 2:
            raise ValueError(f"video size must be even, got {w}x{h}")
        super().__init__(path, size, fps, quality)

    def take_plan(self, plan, frames: int) -> None:
        """Given before the first ``write``: the planned scene and its ``frames``, whose
        holds become the frames' moments (as many frame times as ``Sink.hold`` would write
        copies)."""
        scene, fps = plan.scene, self.fps
        starts = story.video_frames(frames, fps, scene.hold_start, story.pauses(plan.captions))
        self.held = (starts, int(round(scene.hold * fps)))

    def hold_start(self, frame, seconds):
        if self.held is None:
            super().hold_start(frame, seconds)

    def pause(self, frame, seconds):
        if self.held is None:
            super().pause(frame, seconds)

    def hold(self, frame, seconds):
        if self.held is None:
            super().hold(frame, seconds)
        elif self.held[1]:
            self.write(frame)          # the last picture again, at the end of the hold

    def _moments(self) -> list[str]:
        """``-vf setpts=...``: frame N comes up N frame times in, plus the holds before it
        (and the last frame's copy, N = n, where its hold ends)."""
        if self.held is None:
            return []
        starts, last = self.held
        n = len(starts)
        terms = [f"{starts[k] - starts[k - 1] - 1}*gte(N\\,{k})" for k in range(1, n)
                 if starts[k] - starts[k - 1] > 1]
        if last:
            terms.append(f"{last - 1}*gte(N\\,{n})")
        if not terms:
            return []
        # (Rounded: ffmpeg truncates, and 38 / 20 / (1 / 20) is 37.99...)
        return ["-vf", f"setpts=round((N+{'+'.join(terms)})/(FRAME_RATE*TB))", "-fps_mode", "vfr"]

    def _start(self, first) -> FFmpegPipe:
        return FFmpegPipe(self.temp, self.size, self.fps,
                          ["-an", *self._moments(), "-c:v", self.codec, "-pix_fmt", "yuv420p",
                           *self.output_params()],
                          channels=first.shape[-1])

    def output_params(self):
        # One encoder thread: x264's output depends on its thread count, and the same frames
        # must give the same bytes on any machine. "veryfast" against "faster", on the master
        # plot at 960x540: 19-29% less encoder CPU (the encoder sets an MP4's pace), 4-8%
        # fewer bytes, 0.8-1.1 dB lower PSNR (39-41 dB).
        # No B-frames: with frames held by their moments, the MP4 muxer works out a shorter
        # duration than the frames' (7.10 s for 8.05 s on the master plot) when the encoder
        # reorders them; without, 20% more bytes and a third less encoding.
        return ["-crf", str(CRF[self.quality]), "-preset", "veryfast", "-bf", "0", "-movflags", "+faststart",
                "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
                "-threads", "1"]


@sink("webm")
class WebmSink(VideoSink):
    codec = "libvpx-vp9"
    suffix = ".webm"

    def output_params(self):
        return ["-crf", str(CRF[self.quality] + 8), "-b:v", "0", "-deadline", "good",
                "-cpu-used", "4", "-row-mt", "0", "-fflags", "+bitexact",
                "-flags:v", "+bitexact", "-map_metadata", "-1", "-threads", "1"]
