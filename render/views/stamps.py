"""Text and boxes drawn once, then stamped: for views whose every frame is drawn whole.

An orbiting camera redraws the whole figure every frame, and most of an orbit frame was
text: the legend, the title (mathtext) and some thirty tick labels, laid out and rasterised
glyph by glyph each time. None of them changes how it looks from frame to frame; the legend
and the title do not even move, and a tick label only moves. So each is drawn once, by
matplotlib itself, onto a transparent canvas, and from then on its pixels are blended in
with ``draw_image``: the same pixels, but for the rounding of blending twice.
"""
from __future__ import annotations

import numpy as np
from matplotlib import colors
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform


def alone(draw, renderer):
    """What ``draw(r)`` puts on a transparent canvas the size of ``renderer``'s: the
    RGBA pixels it covers (rows bottom to top, as ``draw_image`` takes them) and their
    lower left corner in display pixels; None if it draws nothing."""
    height = int(renderer.height)
    canvas = RendererAgg(int(renderer.width), height, renderer.dpi)
    draw(canvas)
    rgba = np.asarray(canvas.buffer_rgba())
    covered = rgba[..., 3] > 0
    rows, cols = np.flatnonzero(covered.any(axis=1)), np.flatnonzero(covered.any(axis=0))
    if not len(rows):
        return None
    image = np.ascontiguousarray(rgba[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1][::-1])
    return image, int(cols[0]), height - 1 - int(rows[-1])


def _blend(renderer, image, x, y) -> None:
    gc = renderer.new_gc()
    gc.set_clip_rectangle(None)
    renderer.draw_image(gc, x, y, image)
    gc.restore()


def stamp(artist) -> None:
    """From now on ``artist`` (which must not change or move) is drawn from the pixels of
    its first drawing at each size."""
    draw, drawn = artist.draw, {}

    def stamped(renderer):
        if not artist.get_visible():
            return
        key = (int(renderer.width), int(renderer.height), renderer.dpi)
        if key not in drawn:
            drawn[key] = alone(draw, renderer)
        if drawn[key] is not None:
            _blend(renderer, *drawn[key])
        artist.stale = False

    artist.draw = stamped


class StampedText(Text):
    """A Text that looks the same wherever it is drawn (a tick label): its pixels are
    kept by what decides its look (string, font, colour, alignment, rotation) and blended
    in at each place, offset from its anchor as they were drawn. They are drawn with the
    anchor on a whole pixel, so they are the same whichever place drew them first, and in
    every process (matplotlib places glyphs to a fraction of a pixel; a stamp moves by
    whole pixels)."""

    _drawn: dict = {}

    def draw(self, renderer):
        if not self.get_visible() or self.get_text() == "" or self.get_bbox_patch() is not None:
            return super().draw(renderer)
        key = (self.get_text(), hash(self.get_fontproperties()), colors.to_rgba(self.get_color(), self.get_alpha()),
               self.get_rotation(), self.get_rotation_mode(), self.get_ha(), self.get_va(),
               self.get_linespacing(), self.get_usetex(), self.get_antialiased(), renderer.dpi)
        x, y = (int(round(v)) for v in self.get_transform().transform(self.get_unitless_position()))
        if key not in StampedText._drawn:
            if len(StampedText._drawn) > 4096:
                StampedText._drawn.clear()
            StampedText._drawn[key] = self._drawn_at(renderer, x, y)
        if StampedText._drawn[key] is not None:
            image, dx, dy = StampedText._drawn[key]
            _blend(renderer, image, x + dx, y + dy)
        self.stale = False

    def _drawn_at(self, renderer, x: int, y: int):
        """The pixels of this text with its anchor at the display pixel (x, y), and their
        offset from it."""
        position, transform = self.get_position(), self.get_transform()
        self.set_transform(IdentityTransform())
        self.set_position((x, y))
        try:
            pixels = alone(super().draw, renderer)
        finally:
            self.set_position(position)
            self.set_transform(transform)
        return None if pixels is None else (pixels[0], pixels[1] - x, pixels[2] - y)


def stamp_tick_labels(axis) -> None:
    """Make ``axis``'s tick labels, present and to come, StampedText."""
    make = axis._get_tick

    def tick(major):
        made = make(major)
        for label in (made.label1, made.label2):
            label.__class__ = StampedText
        return made

    axis._get_tick = tick
    for made in axis.get_major_ticks() + axis.get_minor_ticks():
        for label in (made.label1, made.label2):
            label.__class__ = StampedText
