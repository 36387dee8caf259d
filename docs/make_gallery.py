"""Make the README's gallery: the final frame of each scene file's first scene and view.

    python docs/make_gallery.py

Draws at 800x450, scales down to 400x225 and keeps 64 colours, the runs' among them
exactly: about 15 KiB a still.
"""
from pathlib import Path

import numpy as np
from matplotlib.colors import to_rgb
from PIL import Image

from render import plan
from render.frames import FrameSource
from render.load import load

ROOT = Path(__file__).resolve().parent.parent
SIZE = (800, 450)
COLOURS = 64


def main():
    out = ROOT / "docs" / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "scenes").glob("*.py")):
        name, scene = load(path)[0]
        planned = plan.build(scene)
        source = FrameSource(planned, scene.views[0], SIZE)
        still = source.frame(len(source) - 1)
        small = Image.fromarray(still).resize((SIZE[0] // 2, SIZE[1] // 2), Image.Resampling.LANCZOS)
        # The runs' colours kept exactly, as in the GIFs (a median cut alone greys the rare
        # ones), and the text's and black (a key's arrow, the heads' edges).
        wanted = [*planned.colors, planned.theme.text, planned.theme.background, "#000000"]
        exact = list(dict.fromkeys(tuple(round(255 * v) for v in to_rgb(c)) for c in wanted if c))
        cut = small.quantize(colors=COLOURS - len(exact), method=Image.Quantize.MEDIANCUT)
        table = exact + [tuple(c) for c in np.array(cut.getpalette()[: 3 * (COLOURS - len(exact))]).reshape(-1, 3)]
        palette = Image.new("P", (1, 1))
        palette.putpalette([v for c in table for v in c])
        image = small.quantize(palette=palette, dither=Image.Dither.NONE)
        image.save(out / f"{path.stem}.png", optimize=True)
        print(f"{out / path.stem}.png  {(out / f'{path.stem}.png').stat().st_size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
