"""The video sinks: MP4 (H.264) and WebM (VP9), encoded by ffmpeg as frames arrive."""
from __future__ import annotations

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

    def __init__(self, path, size, fps, quality="medium"):
        w, h = size
        if w % 2 or h % 2:
            raise ValueError(f"video size must be even, got {w}x{h}")
        super().__init__(path, size, fps, quality)

    def _start(self, first) -> FFmpegPipe:
        return FFmpegPipe(self.temp, self.size, self.fps,
                          ["-an", "-c:v", self.codec, "-pix_fmt", "yuv420p", *self.output_params()],
                          channels=first.shape[-1])

    def output_params(self):
        # One encoder thread: x264's output depends on its thread count, and the same frames
        # must give the same bytes on any machine. "veryfast" against "faster", on the master
        # plot at 960x540: 19-29% less encoder CPU (the encoder sets an MP4's pace), 4-8%
        # fewer bytes, 0.8-1.1 dB lower PSNR (39-41 dB).
        return ["-crf", str(CRF[self.quality]), "-preset", "veryfast", "-movflags", "+faststart",
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
