"""Text that changes every frame, drawn from cached glyph bitmaps.

matplotlib lays out and rasterises a Text from scratch at every draw (several milliseconds
for one line, more than the rest of a blitted frame). The status line of an animation
changes each frame but uses a small alphabet, so ``GlyphText`` rasterises each character
once per size with FreeType (the font matplotlib uses, DejaVu Sans), composes a line by
advancing a pen, and draws it as one image. Kerning is not applied; for a status line the
difference is not visible. A label (``halo``) is drawn over a rim of the background's
colour, so it reads over lines and contours.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
from matplotlib import colors, ft2font
from matplotlib.artist import Artist
from matplotlib.font_manager import FontProperties, findfont, get_font


def _font(family: str, weight: str = "normal") -> ft2font.FT2Font:
    # matplotlib's own font cache, which it empties in a forked child: an FT2Font reads its
    # file lazily, and processes sharing one inherited file offset read each other's glyphs.
    return get_font(findfont(FontProperties(family=family, weight=weight)))


@lru_cache(maxsize=4096)
def _glyph(char: str, size: float, dpi: float, family: str, weight: str = "normal"):
    """(alpha bitmap, ascent above the baseline, advance, left bearing) of one character,
    in pixels."""
    font = _font(family, weight)
    font.set_size(size, dpi)
    font.set_text(char, 0.0)
    font.draw_glyphs_to_bitmap(antialiased=True)
    bitmap = np.array(font.get_image(), dtype=np.uint8)
    descent = font.get_descent() / 64
    advance = font.load_char(ord(char)).linearHoriAdvance / 65536
    # The ink starts this far right of the pen (without it, "at 6" read "at6").
    bearing = font.get_bitmap_offset()[0] / 64
    return bitmap, bitmap.shape[0] - descent, advance, bearing


@lru_cache(maxsize=64)
def _line_metrics(size: float, dpi: float, family: str):
    """(ascent, descent) of the font at this size, the same for every line."""
    font = _font(family)
    font.set_size(size, dpi)
    scale = size * dpi / 72 / font.units_per_EM
    return font.ascender * scale, -font.descender * scale


@lru_cache(maxsize=4096)
def shown(text: str, lines: bool = False, math: bool = True, family: str = "DejaVu Sans") -> str:
    """``text`` as the pinned font can draw it: tabs and carriage returns as spaces, other
    control characters dropped, newlines kept only where ``lines`` allows (else spaces),
    characters the font lacks (emoji, CJK) as U+FFFD, and dollar signs that do not make
    valid mathtext escaped (drawn as they are; ``math=False`` for text drawn without
    mathtext). Without this the font's missing glyphs
    failed the render ("No glyphs have been loaded") or printed raw warnings."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not lines:
        text = text.replace("\n", " ")
    font = _font(family)
    out = []
    for c in text:
        if c == "\n":
            out.append(c)
        elif unicodedata.category(c) == "Cc":
            continue
        else:
            out.append(c if font.get_char_index(ord(c)) else REPLACEMENT)
    text = "".join(out)
    if math and "$" in text and not _mathtext_ok(text):
        text = text.replace("\\$", "$").replace("$", "\\$")
    return text


REPLACEMENT = "\ufffd"


@lru_cache(maxsize=256)
def _mathtext_ok(text: str) -> bool:
    """Whether matplotlib can lay ``text`` out (its $...$ parts parse)."""
    from matplotlib.mathtext import MathTextParser
    parts = text.replace("\\$", "").split("$")
    if len(parts) % 2 == 0:
        return False
    parser = MathTextParser("path")
    try:
        for math in parts[1::2]:
            parser.parse(f"${math}$")
    except ValueError:
        return False
    return True


def compose(text: str, size: float, dpi: float, family: str = "DejaVu Sans",
            weight: str = "normal") -> tuple[np.ndarray, float]:
    """The alpha mask of a line of text (rows top to bottom) and its baseline row."""
    ascent, descent = _line_metrics(size, dpi, family)
    height = int(np.ceil(ascent + descent)) + 1
    baseline = int(np.ceil(ascent))
    glyphs = [_glyph(c, size, dpi, family, weight) for c in text]
    width = int(np.ceil(sum(g[2] for g in glyphs))) + 4
    mask = np.zeros((height, width), dtype=np.uint8)
    pen = 0.0
    for bitmap, rise, advance, bearing in glyphs:
        h, w = bitmap.shape
        if h and w:
            top = max(0, baseline - int(round(rise)))
            left = int(round(pen + bearing))
            region = mask[top:top + h, left:left + w]
            np.maximum(region, bitmap[: region.shape[0], : region.shape[1]], out=region)
        pen += advance
    return mask, baseline


def pens(text: str, size: float, dpi: float, weight: str = "normal", family: str = "DejaVu Sans") -> np.ndarray:
    """Where each character of a line starts, in pixels from the line's left (and where
    the line ends, last): as ``compose`` lays them."""
    advances = [_glyph(c, size, dpi, family, weight)[2] for c in text]
    return np.concatenate([[0.0], np.cumsum(advances)])


@lru_cache(maxsize=512)
def _label(text: str, size: float, dpi: float, weight: str, halo: int) -> tuple[np.ndarray, np.ndarray]:
    """A line's mask and, ``halo`` pixels around it, the mask of its rim (both rows top to
    bottom, the same shape)."""
    mask, _ = compose(text, size, dpi, weight=weight)
    if not halo:
        return mask, np.zeros_like(mask)
    padded = np.pad(mask, halo)
    rim = padded.copy()
    for dy in range(-halo, halo + 1):
        for dx in range(-halo, halo + 1):
            if dx * dx + dy * dy <= halo * halo + 1:
                np.maximum(rim, np.roll(np.roll(padded, dy, axis=0), dx, axis=1), out=rim)
    return padded, rim


class GlyphText(Artist):
    """A line of text at (x, y) in ``transform`` coordinates, anchored at its lower left
    (``ha`` may be "left", "center" or "right"). ``halo``: points of a rim in the colour
    ``behind`` drawn under the text, so it reads over what is beneath."""

    def __init__(self, x, y, text="", fontsize=8.0, color="black", ha="left", transform=None,
                 weight="normal", halo=0.0, behind="white"):
        super().__init__()
        self._xy = (x, y)
        self._text = text
        self._size = float(fontsize)
        self._rgb = np.array(colors.to_rgb(color)) * 255
        self._ha = ha
        self._weight = weight
        self._halo = float(halo)
        self._behind = np.array(colors.to_rgb(behind)) * 255
        if transform is not None:
            self.set_transform(transform)

    def set_position(self, xy) -> None:
        self._xy = tuple(xy)
        self.stale = True

    def get_position(self):
        return self._xy

    def set_text(self, text: str) -> None:
        self._text = str(text)
        self.stale = True

    def get_text(self) -> str:
        return self._text

    def set_color(self, color) -> None:
        self._rgb = np.array(colors.to_rgb(color)) * 255
        self.stale = True

    def room(self) -> float:
        """The pixels the line may take: from its anchor to the figure's edge (both edges
        for a centred line), less a small margin."""
        x, _ = self.get_transform().transform(self._xy)
        width = self.figure.bbox.width
        reach = {"left": width - x, "right": x, "center": 2 * min(x, width - x)}[self._ha]
        return reach - 4

    def width(self, text: str, dpi: float) -> float:
        """How many pixels ``text`` takes at ``dpi``, as drawn."""
        return sum(_glyph(c, self._size, dpi, "DejaVu Sans", self._weight)[2]
                   for c in shown(text, math=False)) + 4

    def extent(self, text: str, dpi: float) -> tuple[float, float]:
        """(width, height) in pixels of ``text`` drawn at ``dpi``, its halo included."""
        ascent, descent = _line_metrics(self._size, dpi, "DejaVu Sans")
        rim = 2 * self._halo_pixels(dpi)
        return self.width(text, dpi) + rim, int(np.ceil(ascent + descent)) + 1 + rim

    def _halo_pixels(self, dpi: float) -> int:
        return int(round(self._halo * dpi / 72))

    def draw(self, renderer):
        if not self.get_visible() or not self._text:
            return
        dpi = renderer.points_to_pixels(72.0)
        mask, rim = _label(shown(self._text, math=False), self._size, dpi, self._weight, self._halo_pixels(dpi))
        x, y = self.get_transform().transform(self._xy)
        if self._ha == "right":
            x -= mask.shape[1]
        elif self._ha == "center":
            x -= mask.shape[1] / 2
        gc = renderer.new_gc()
        gc.set_clip_rectangle(None)
        for alpha, rgb in ((rim, self._behind), (mask, self._rgb)):
            if alpha is rim and not self._halo_pixels(dpi):
                continue
            image = np.empty(alpha.shape + (4,), dtype=np.uint8)
            image[..., :3] = rgb.astype(np.uint8)
            image[..., 3] = alpha[::-1]          # Agg takes image rows bottom to top
            renderer.draw_image(gc, int(round(x)), int(round(y)), image)
        gc.restore()
        self.stale = False
