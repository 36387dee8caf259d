"""Sinks: streaming writers that turn frames into files, atomically, registered by format.

Every sink has ``write(frame)``, ``finish()``, ``commit()`` and ``abort()`` (and is a
context manager doing the last three): frames go to a temporary file beside the target,
which is renamed into place only when the sink finishes without error. A failed or
interrupted render leaves no partial file and never touches an earlier good output.

A sink's constructor starts nothing: the temporary file is made and any encoder process
started when the first frame arrives. A sink that wants to see some frames before the
stream (the GIF's palette) names them in ``samples`` (frame indices, negative from the end,
or fractions of the way through) and is given them by ``take_samples``, with the colours
that must come out exactly (the runs', the text's, the background's).

``SINKS`` maps format names to sink classes and ``FORMATS`` lists those --format offers;
``output_path`` is where a format's output of a view goes. One module per format: ``gif``
(the GIF and its palette), ``video`` (MP4 and WebM), ``animated`` (lossless animated WebP
and APNG), ``stills`` (the final frame as a PNG), ``document`` (the notes' frames as a PDF),
``frames`` (every frame as a PNG), ``hashes`` (each frame's sha256), ``text`` (captions as
WebVTT and alt text, from the plan, no pixels). ``base`` holds what they share (the ``Sink``
class, the registry and its ``@sink`` decorator), ``ffmpeg`` the pipe into ffmpeg that the
GIF and the videos write through. The temporary names, the moves into place and the clearing
of what a killed render left are in ``render.files``.

To add a format: a module here with a ``Sink`` subclass decorated ``@sink("name")``
(``option=False``: written on request, like hashes, not a --format choice), which writes
``self.temp`` and leaves moving it into place to the base class; then import it below.
"""
from __future__ import annotations

from pathlib import Path

from .base import SINKS, Sink, sink
# Each module registers its sinks as it is imported: this order is the order of SINKS
# and of the --format choices.
from .gif import GifSink
from .video import VideoSink, WebmSink
from .animated import ApngSink, WebpSink
from .stills import PngSink
from .document import PdfSink
from .frames import FramesSink
from .text import AltTextSink, CaptionsSink, PlayerSink
from .hashes import HashSink

__all__ = ["SINKS", "FORMATS", "Sink", "sink", "GifSink", "VideoSink", "WebmSink", "PngSink",
           "FramesSink", "HashSink", "WebpSink", "ApngSink", "CaptionsSink", "AltTextSink", "PlayerSink",
           "PdfSink", "output_path"]

# The formats a user can ask for with --format.
FORMATS = tuple(name for name, cls in SINKS.items() if cls.option)


def output_path(out_dir, scene_name: str, view_name: str, fmt: str) -> Path:
    """DIR/<scene>/<view>.<ext>; the frames format is the folder DIR/<scene>/<view>/."""
    return SINKS[fmt].target(Path(out_dir) / scene_name, view_name)
