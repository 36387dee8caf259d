"""Sizes of the animated formats for the gallery: every view of every scene file in scenes/
as GIF, WebP and APNG, rendered by the command with its default options (960x540, the
scene's frame rate; the GIF as asked, without the budget an orbit's has by default, so that
all three hold the same frames), and the encoding time each adds.

    python benchmarks/animated.py [--out DIR] [--only NAME ...]

Prints a row per view (bytes of each, and each against the GIF), then the totals. With
--out, the outputs stay in DIR (an up-to-date render there is reused).
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("gif", "webp", "apng")


def kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="keep the outputs here (default: a temporary folder)")
    parser.add_argument("--only", nargs="*", help="scene files (stems) to render, default all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        out = args.out or Path(temporary)
        files = [p for p in sorted((ROOT / "scenes").glob("*.py"))
                 if not p.name.startswith("_") and (not args.only or p.stem in args.only)]
        subprocess.run([sys.executable, "-m", "render", *map(str, files), "--out", str(out), "--format",
                        ",".join(FORMATS), "--gif-budget", "off", "--no-progress"],
                       check=True, stdout=subprocess.DEVNULL)
        rows, totals = [], dict.fromkeys(FORMATS, 0)
        for gif in sorted(out.glob("*/*.gif")):
            sizes = {f: gif.with_suffix(f".{f}").stat().st_size for f in FORMATS}
            for f in FORMATS:
                totals[f] += sizes[f]
            rows.append((f"{gif.parent.name}/{gif.stem}", sizes))
    print("| view | GIF | WebP | APNG |")
    print("|---|---|---|---|")
    for name, sizes in rows:
        g = sizes["gif"]
        print(f"| {name} | {kib(g)} | {kib(sizes['webp'])} ({sizes['webp'] / g:.2f}x) | "
              f"{kib(sizes['apng'])} ({sizes['apng'] / g:.2f}x) |")
    g = totals["gif"]
    print(f"| all {len(rows)} views | {kib(g)} | {kib(totals['webp'])} ({totals['webp'] / g:.2f}x) | "
          f"{kib(totals['apng'])} ({totals['apng'] / g:.2f}x) |")
    smaller = sum(1 for _, s in rows if s["webp"] < s["gif"])
    print(f"\nWebP smaller than the GIF for {smaller} of {len(rows)} views.")


if __name__ == "__main__":
    main()
