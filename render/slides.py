"""Slides of a scene: ``--format slides`` writes ``slides.html``, a deck in one file, and
``--format pptx`` writes ``slides.pptx`` for PowerPoint, Keynote or Impress.

The HTML deck holds everything in itself (each view's MP4 inline), so it can be mailed or
opened from a USB stick: a title slide, then a slide for each view, or, when the scene has
notes, a slide for each stretch of the animation up to a note. A slide plays its stretch
once and stops on its last frame, the note's, with the note's text under it; the next
slide plays on from there. Keys: Right, Down, Page Down, Space or Enter (or a click) go on;
Left, Up, Page Up or Backspace go back; Home and End; R plays the slide again. The slide
shown is in the address (``#3``), so a reload or a link lands on it.

The PPTX has a slide for each view with its MP4 embedded (its still as the poster) and
the view's alt text as the speaker's notes. It needs python-pptx (``pip install
'render-descent[pptx]'``).
"""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from . import page as pages

__all__ = ["deck_page", "pptx_bytes", "segments", "has_pptx", "PPTX_NEEDS"]

PPTX_NEEDS = "the pptx format needs python-pptx: pip install 'render-descent[pptx]' (or pip install python-pptx)"


def has_pptx() -> bool:
    """Whether python-pptx can be imported (looked up, not imported: it is slow to load)."""
    import importlib.util
    return importlib.util.find_spec("pptx") is not None


def segments(record: dict) -> list[tuple[int, int, str | None]]:
    """A view's slides: (first frame, last frame, the note it stops at or None), from its
    player record: up to each note's frame (a note on the first frame gets a slide of that
    frame alone), then on to the final frame."""
    n = record["frames"]
    said = {}                                   # each note's frame: its notes' texts
    for c in record["captions"]:
        if c.get("note"):
            said.setdefault(c["first"], []).append(c["text"])
    out, start = [], 0
    for stop in sorted(said):
        out.append((start, stop, " ".join(said[stop])))
        start = stop
    if start < n - 1 or not out:
        out.append((start, n - 1, " ".join(said.get(n - 1, [])) or None))
    return out


DECK_STYLE = """
html, body { margin: 0; height: 100%; background: #111; color: #f2f2f2;
             font: 18px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.deck { height: 100%; display: flex; flex-direction: column; }
.deck main { flex: 1; display: flex; flex-direction: column; min-height: 0; }
.slide { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center;
         padding: 1rem 2rem; min-height: 0; }
.slide h1 { font-size: 2.2rem; margin: 0 0 .5rem; text-align: center; }
.slide h2 { font-size: 1.25rem; margin: 0 0 .6rem; color: #cfcfcf; font-weight: 500; }
.slide p.lede { max-width: 48rem; color: #d0d0d0; text-align: center; }
.stage video { display: block; height: 72vh; width: auto; max-width: 100%; background: #000; }
.note { min-height: 1.5em; margin: .7rem 0 0; font-size: 1.3rem; text-align: center; max-width: 60rem; }
nav { display: flex; justify-content: space-between; align-items: center; padding: .4rem 1rem; color: #aaa;
      font-size: .9rem; }
nav button { font: inherit; color: #eee; background: #2a2a2a; border: 1px solid #444; border-radius: 4px;
             padding: .25rem .8rem; cursor: pointer; }
[hidden] { display: none !important; }
"""

DECK_SCRIPT = """
(() => {
const slides = JSON.parse(document.getElementById("slides").textContent);
const stages = [...document.querySelectorAll(".stage")];
const videos = stages.map(s => s.querySelector("video"));
const records = stages.map(s => JSON.parse(s.querySelector("script").textContent));
const title = document.querySelector(".title"), view = document.querySelector(".view");
const heading = view.querySelector("h2"), note = view.querySelector(".note");
const count = document.querySelector(".count");
let at = -1, stopAt = null;
const time = (r, k) => (r.video[k] + 0.5) / r.fps;
function stop(now, meta) {
  if (stopAt === null) return;
  const [v, r, k] = stopAt;
  // Where the video is: the frame just shown (a held frame is shown once, then stays), or
  // its clock; past the middle of the stretch's last frame's first moment, it stops there.
  const t = meta ? meta.mediaTime : v.currentTime;
  if (t >= time(r, k) - 0.75 / r.fps || v.ended || v.paused) {
    v.pause();
    v.currentTime = time(r, k);
    stopAt = null;
    const s = slides[at];
    note.textContent = s.note || "";
    document.body.dataset.state = "stopped";
    return;
  }
  if ("requestVideoFrameCallback" in v) v.requestVideoFrameCallback(stop);
  else requestAnimationFrame(() => stop());
}
// (A frame held by its time brings no new frame to call back with: the clock is read too.)
setInterval(() => { if (stopAt !== null && !stopAt[0].paused) stop(); }, 50);
function go(i, replay) {
  i = Math.max(0, Math.min(slides.length - 1, i));
  if (i === at && !replay) return;
  at = i;
  const s = slides[i];
  count.textContent = `${i + 1} / ${slides.length}`;
  if (location.hash !== `#${i + 1}`) history.replaceState(null, "", `#${i + 1}`);
  videos.forEach(v => v.pause());
  stopAt = null;
  title.hidden = s.view !== null;
  view.hidden = s.view === null;
  document.body.dataset.slide = String(i + 1);
  if (s.view === null) { document.body.dataset.state = "stopped"; return; }
  stages.forEach((st, k) => { st.hidden = k !== s.view; });
  heading.textContent = s.heading;
  note.textContent = "";
  const v = videos[s.view], r = records[s.view];
  document.body.dataset.state = "playing";
  const start = () => {
    v.currentTime = time(r, s.from);
    stopAt = [v, r, s.to];
    if (s.from === s.to) { stop(); return; }
    v.play().then(() => stop(), () => { v.currentTime = time(r, s.to); stopAt = null; note.textContent = s.note || "";
                                document.body.dataset.state = "stopped"; });
  };
  if (v.readyState >= 1) start(); else v.addEventListener("loadedmetadata", start, {once: true});
}
const keys = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1, Enter: 1,
              ArrowLeft: -1, ArrowUp: -1, PageUp: -1, Backspace: -1};
document.addEventListener("keydown", e => {
  if (e.altKey || e.ctrlKey || e.metaKey || e.target.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
  if (e.key in keys) go(at + keys[e.key]);
  else if (e.key === "Home") go(0);
  else if (e.key === "End") go(slides.length - 1);
  else if (e.key === "r" || e.key === "R") go(at, true);
  else return;
  e.preventDefault();
});
document.querySelector(".deck main").addEventListener("click", () => go(at + 1));
document.querySelector(".back").addEventListener("click", () => go(at - 1));
document.querySelector(".on").addEventListener("click", () => go(at + 1));
const asked = parseInt(location.hash.slice(1), 10);
go(Number.isFinite(asked) ? asked - 1 : 0);
})();
"""


def deck_page(name: str, scene, size, views: list[pages.ViewFiles], file: Path | None = None) -> str:
    """``slides.html`` of scene ``name``: a title slide, then each view's slides, each view's
    MP4 inline (``views``: each view's files, with its mp4 and player record)."""
    w, h = size
    title = pages.plain_title(scene)
    lede = pages.summary(pages.source_text(file))
    slides = [{"view": None}]
    stages = []
    for k, view in enumerate(views):
        record = pages.player_data(view)
        data = base64.b64encode(view.files["mp4"].read_bytes()).decode("ascii")
        label = html.escape(f"{name}, view {view.name}", quote=True)
        stages.append(f'<div class="stage" hidden><video width="{w}" height="{h}" muted playsinline preload="auto" '
                      f'aria-label="{label}" src="data:video/mp4;base64,{data}"></video>'
                      f'<script type="application/json">{pages._script_json(record)}</script></div>')
        for first, last, note in segments(record):
            slides.append({"view": k, "from": first, "to": last, "note": note, "heading": view.name})
    lede_html = f'<p class="lede">{html.escape(lede)}</p>' if lede else ""
    body = (f'<div class="deck">\n<main>\n'
            f'<section class="slide title"><h1>{html.escape(title)}</h1>{lede_html}'
            f'<p class="lede">{len(slides) - 1} slide{"s" * (len(slides) != 2)} to come: '
            f'press \u2192 or click</p></section>\n'
            f'<section class="slide view" hidden><h2></h2>{"".join(stages)}'
            f'<p class="note" aria-live="polite"></p></section>\n</main>\n'
            f'<nav aria-label="Slides"><button type="button" class="back" aria-label="Previous slide">\u2190</button>'
            f'<span class="count" aria-live="polite"></span>'
            f'<button type="button" class="on" aria-label="Next slide">\u2192</button></nav>\n</div>\n'
            f'<script type="application/json" id="slides">{pages._script_json(slides)}</script>')
    document = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<link rel=\"icon\" href=\"data:,\">\n"
                f"<title>{html.escape(title)} \u00b7 slides</title>\n<style>{DECK_STYLE}</style>\n</head>\n"
                f"<body>\n{body}\n<script>{DECK_SCRIPT}</script>\n</body>\n</html>\n")
    return pages.printable(document)


def pptx_bytes(name: str, scene, size, views: list[pages.ViewFiles]) -> bytes:
    """``slides.pptx`` of scene ``name``: a 16:9 slide for each view with its MP4 (its still
    as the poster frame) as large as fits under its title, and its alt text as notes."""
    try:
        from pptx import Presentation
        from pptx.util import Emu, Inches, Pt
    except ImportError:
        raise ValueError(PPTX_NEEDS) from None
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[5]                      # "Title Only"
    title = pages.plain_title(scene)
    w, h = size
    for view in views:
        slide = deck.slides.add_slide(blank)
        slide.shapes.title.text = f"{title} \u00b7 {view.name}"
        slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(28)
        top, margin = Inches(1.5), Inches(0.4)
        room_w, room_h = deck.slide_width - 2 * margin, deck.slide_height - top - margin
        scale = min(room_w / w, room_h / h)
        mw, mh = int(w * scale), int(h * scale)
        left = (deck.slide_width - mw) // 2
        poster = io.BytesIO(view.files["png"].read_bytes()) if "png" in view.files else None
        slide.shapes.add_movie(str(view.files["mp4"]), Emu(left), Emu(top), Emu(mw), Emu(mh),
                               poster_frame_image=poster, mime_type="video/mp4")
        said = pages._alt(view)
        if said:
            slide.notes_slide.notes_text_frame.text = said
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
