"""Themes: the colours a figure is drawn in, and the runs' default palette for each.

A theme fixes the background, the text, the surface's colormap and the palette runs take
their colours from. The surface is drawn in a quiet grey ramp whose lowest loss is the
background's own colour, so every run colour stands out over it, and the palette holds only
colours that colour-blind readers can tell apart (Okabe and Ito's, completed from Paul
Tol's) with a contrast ratio of at least 3:1 against the background (WCAG's threshold for
graphics). ``light`` is for pages, ``dark`` for slides.

The first eight colours of each palette stay apart for every reader: their smallest
pairwise distance in CAM02-UCS, for normal vision and under simulated deuteranopia and
protanopia (Machado et al. 2009, severity 100), is 14.0 (light) and 14.8 (dark), and the
first five, which most races use, are the farthest apart in normal vision. Four more
follow for small multiples of up to twelve runs, less distinct. ``LIGHT`` is a separate set
of pale colours for what is not a run (a data panel's classes); no run ever takes one.
"""
from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["Theme", "THEMES", "LIGHT", "get", "contrast", "lab", "palette_for", "readable", "tint"]


@dataclasses.dataclass(frozen=True)
class Theme:
    name: str
    background: str          # figure and axes
    text: str                # titles, labels, ticks, the status line
    grid: str                # grid lines, legend frame, axes edges
    contour: str             # the dashed contour lines and their labels
    field: str               # the gradient field's arrows
    low: str                 # the surface's colour at its lowest loss
    high: str                # ... and at its highest
    pane: str                # the 3D view's back panes
    palette: tuple[str, ...]

    @property
    def cmap(self):
        """The surface's colormap: a grey ramp from ``low`` (lowest loss) to ``high``."""
        from matplotlib.colors import LinearSegmentedColormap
        return LinearSegmentedColormap.from_list(f"render_{self.name}", [self.low, self.high], N=256)

    def rc(self) -> dict:
        """The rcParams this theme sets on top of the pinned style."""
        return {
            "figure.facecolor": self.background, "savefig.facecolor": self.background,
            "axes.facecolor": self.background, "axes.edgecolor": self.grid,
            "axes.labelcolor": self.text, "axes.titlecolor": self.text, "text.color": self.text,
            "xtick.color": self.text, "ytick.color": self.text, "grid.color": self.grid,
            "legend.facecolor": self.background, "legend.edgecolor": self.grid,
            "legend.labelcolor": self.text,
        }


THEMES = {
    "light": Theme(
        name="light", background="#ffffff", text="#222222", grid="#b8b8b8", contour="#555555",
        field="#5c6370", low="#ffffff", high="#b9bdc4", pane="#f3f3f3",
        palette=("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#882255", "#332288", "#000000",
                 "#b2182b", "#785ef0", "#aa3377", "#648fff", "#ee6677"),
    ),
    "dark": Theme(
        name="dark", background="#16181d", text="#e8e8e8", grid="#5a5f69", contour="#b9bec8",
        field="#c4c8d0", low="#16181d", high="#4b505a", pane="#20232a",
        palette=("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#cc79a7", "#d55e00", "#aa4499",
                 "#ffffff", "#648fff", "#ee6677", "#44aa99", "#ddcc77"),
    ),
}


# Pale colours (Paul Tol's "light" scheme) for what is not a run: a data panel's classes.
# None of them is a run's (each is under 3:1 against the light background, the least a
# run's colour has), so a class is never read as a run.
LIGHT = ("#eedd88", "#99ddff", "#bbcc33", "#ffaabb", "#77aadd", "#ee8866", "#44bb99", "#dddddd")


def get(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {name!r}") from None


def _linear(colors) -> np.ndarray:
    """The linear-light RGB of sRGB colours, shape (n, 3)."""
    from matplotlib.colors import to_rgb
    c = np.array([to_rgb(x) for x in colors])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _luminance(color) -> float:
    return float(_linear([color])[0] @ [0.2126, 0.7152, 0.0722])


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours, 1 (the same) to 21 (black on white)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lab(colors) -> np.ndarray:
    """CIE L*a*b* (D65) of sRGB colours, shape (n, 3)."""
    xyz = _linear(colors) @ np.array([[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]])
    xyz /= [0.95047, 1.0, 1.08883]
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])])


# Two colours closer than this (CIE76 distance) are hard to tell apart in a figure.
CLOSE = 25.0


def palette_for(theme: Theme, cmaps=()) -> tuple[str, ...]:
    """The theme's palette without the colours a colormap the user chose also shows
    (a run in viridis' green on viridis would vanish where the surface is that green); the
    colours left out come last, so no run is ever without a colour."""
    if not cmaps:
        return theme.palette
    shown = np.concatenate([lab(c(np.linspace(0, 1, 64))[:, :3]) for c in cmaps])
    own = lab(theme.palette)
    near = np.array([np.min(np.linalg.norm(shown - p, axis=1)) < CLOSE for p in own])
    return tuple([c for c, n in zip(theme.palette, near) if not n] + [c for c, n in zip(theme.palette, near) if n])


# Text needs more contrast than a line (WCAG: 4.5:1 for text, 3:1 for graphics).
TEXT_CONTRAST = 4.5


def readable(color, background) -> str:
    """``color`` as text over ``background``: itself if it has TEXT_CONTRAST against it,
    else the nearest shade towards black (on a light background) or white (on a dark one)
    that has, so a label keeps its run's hue and can be read."""
    from matplotlib.colors import to_hex, to_rgb
    c, target = np.array(to_rgb(color)), np.zeros(3) if _luminance(background) > 0.18 else np.ones(3)
    for t in np.linspace(0, 1, 41):
        shade = to_hex((1 - t) * c + t * target)
        if contrast(shade, background) >= TEXT_CONTRAST:
            return shade
    return to_hex(target)


def tint(color, background, amount: float) -> str:
    """``color`` mixed into ``background``: ``amount`` of it (0 to 1)."""
    from matplotlib.colors import to_hex, to_rgb
    return to_hex(amount * np.array(to_rgb(color)) + (1 - amount) * np.array(to_rgb(background)))
