"""The PDF sink: a view's notes as pages, for a handout or a slide deck's appendix.

Each page is the frame at which a note comes up (the note drawn in it), in the order of the
notes; a scene without notes gets one page, the final frame. Pages are the frames' pixels
as they are, losslessly compressed (Flate), one pixel to 0.75 point (96 pixels an inch), so
a 960x540 frame is a 10 x 5.625 inch page, a slide's shape. Only those frames are drawn
when the PDF is all that is asked for.
"""
from __future__ import annotations

import zlib

import numpy as np

from .._version import __version__
from .base import Sink, _rgb, sink

__all__ = ["PdfSink", "pdf_pages"]

POINTS_PER_PIXEL = 0.75


@sink("pdf")
class PdfSink(Sink):
    """``<view>.pdf``: a page for each note's frame, or the final frame."""

    rgba = True
    suffix = ".pdf"
    every_frame = False
    title = ""
    last: np.ndarray | None = None

    def take_plan(self, plan, frames: int) -> None:
        """Given before the first ``write``: the planned scene; the notes' frames are the
        samples this sink asks for."""
        notes = [c.first for c in plan.captions if c.kind == "note"]
        self.samples = tuple(notes)
        scene = plan.scene
        self.title = getattr(scene, "title", None) or getattr(getattr(scene, "surface", None), "name", "") or ""

    def write(self, frame):
        super().write(frame)
        self.last = frame

    def finish(self):
        super().finish()
        pages = list(self.sampled) or [_rgb(self.last)]
        self.temp.write_bytes(pdf_pages(pages, self.title))


def _text(value: str) -> bytes:
    """A PDF text string: UTF-16 with its byte order mark, in hex (any character, nothing
    to escape)."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def pdf_pages(frames, title: str = "") -> bytes:
    """A PDF of ``frames`` (RGB arrays), one a page at POINTS_PER_PIXEL."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")                          # filled in once the pages are known
    pages = add(b"")
    kids = []
    for frame in frames:
        frame = np.ascontiguousarray(_rgb(np.asarray(frame)), dtype=np.uint8)
        h, w = frame.shape[:2]
        data = zlib.compress(frame.tobytes(), 6)
        image = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                    b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
                    % (w, h, len(data), data))
        pw, ph = w * POINTS_PER_PIXEL, h * POINTS_PER_PIXEL
        draw = b"q %g 0 0 %g 0 0 cm /Frame Do Q" % (pw, ph)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Resources << /XObject "
                        b"<< /Frame %d 0 R >> >> /Contents %d 0 R >>" % (pages, pw, ph, image, content)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    objects[pages - 1] = (b"<< /Type /Pages /Kids [%s] /Count %d >>"
                          % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    info = add(b"<< /Title %s /Producer %s >>" % (_text(title), _text(f"render {__version__}")))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, catalog, info, xref))
    return bytes(out)
