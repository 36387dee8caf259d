"""Make the README's gallery: the final frame of each scene file's first scene and view.

    python docs/make_gallery.py

Draws at 800x450, scales down to 400x225 and keeps 64 colours: about 15 KiB a still.
"""
from pathlib import Path

from PIL import Image

from render import plan
from render.frames import FrameSource
from render.load import load

ROOT = Path(__file__).resolve().parent.parent
SIZE = (800, 450)


def main():
    out = ROOT / "docs" / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "scenes").glob("*.py")):
        name, scene = load(path)[0]
        source = FrameSource(plan.build(scene), scene.views[0], SIZE)
        still = source.frame(len(source) - 1)
        small = Image.fromarray(still).resize((SIZE[0] // 2, SIZE[1] // 2), Image.Resampling.LANCZOS)
        image = small.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        image.save(out / f"{path.stem}.png", optimize=True)
        print(f"{out / path.stem}.png  {(out / f'{path.stem}.png').stat().st_size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
