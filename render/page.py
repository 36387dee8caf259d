"""HTML pages: a scene's page (a player for every view, its still, downloads, the scene's
text) and a gallery page linking several scenes.

The pages link only to files beside them (relative links) and fetch nothing else, so an
output folder can be uploaded or shared as it is, or opened from ``file://``. Videos are
``<video autoplay loop muted playsinline>``: the attributes browsers need to play a video by
themselves, phones included; the poster is the view's still (its final frame), which is
also what a reader sees where video is blocked.

The player (``player``, brought to life by ``PLAYER_SCRIPT``) steps through the view's MP4
by its player record (``sinks.text.PlayerSink``): a frame is found in the video where its
holds and the notes' pauses put it, and a seek lands in the middle of that video frame, so
the slider shows exactly the frame of its step. It needs no file besides the MP4: the
frame's status line and captions come with the record, inside the page. A notebook shows the
same player (``render.notebook``), the deck (``render.slides``) the same records.
"""
from __future__ import annotations

import ast
import html
import json
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from ._version import __version__

__all__ = ["ViewFiles", "Entry", "scene_page", "gallery_page", "source_text", "docstring", "summary", "plain_title",
           "human_size", "printable", "player", "player_data", "PLAYER_SCRIPT", "PLAYER_STYLE"]

# What a download link is called, in the order shown.
_KINDS = {"mp4": "MP4", "webm": "WebM", "gif": "GIF", "webp": "WebP", "apng": "APNG", "png": "still (PNG)",
          "pdf": "PDF", "vtt": "captions (WebVTT)", "txt": "alt text"}


@dataclass
class ViewFiles:
    """One view's files, by format (paths in the scene's folder)."""
    name: str
    files: dict[str, Path] = field(default_factory=dict)


@dataclass
class Entry:
    """One scene on the gallery page."""
    name: str
    title: str
    summary: str
    view: ViewFiles
    size: tuple[int, int]


def plain_title(scene) -> str:
    """The scene's title as text: its own, else its surface's name."""
    if scene.title is not None:
        return scene.title
    surface = getattr(scene, "surface", None)
    return surface.name if surface is not None else "Updates in response to gradient signals"


def source_text(file) -> str | None:
    """A scene file's text to show, decoded as Python reads it (a UTF-8 BOM, a coding
    declaration; UTF-8 otherwise), what cannot be decoded as U+FFFD (None if there is no
    file or it cannot be read)."""
    if file is None:
        return None
    try:
        data = Path(file).read_bytes()
    except OSError:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        text = data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):  # a coding declaration naming no text encoding
        text = data.decode("utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def docstring(text: str | None) -> str:
    """A scene file's module docstring ('' if it has none or cannot be parsed)."""
    if not text:
        return ""
    try:
        return ast.get_docstring(ast.parse(text.removeprefix("\ufeff"))) or ""
    except (SyntaxError, ValueError):
        return ""


# What a page cannot hold as it is (HTML calls them parse errors, or UTF-8 cannot encode
# them): the C0 controls but tab and newline, DEL, the C1 controls, lone surrogates (a
# file name's bytes that are not UTF-8) and noncharacters.
_UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                      + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000))
                      + "]")


def _shown(match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)       # its symbol: NUL is ␀, BEL ␇
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(text: str) -> str:
    """``text`` as a page can hold it: a C0 control (but tab and newline) or DEL as its
    symbol (NUL as ␀), anything else HTML or UTF-8 cannot hold as U+FFFD."""
    return _UNSHOWN.sub(_shown, text)


def _paragraphs(text: str) -> str:
    blocks = [" ".join(b.split()) for b in text.split("\n\n")]
    return "\n".join(f"<p>{html.escape(b)}</p>" for b in blocks if b)


def human_size(n: int) -> str:
    """A byte count as people read it: 812 B, 1.4 MiB."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def _href(path: Path, folder: Path) -> str:
    """A relative link from ``folder`` to ``path`` (inside it), escaped for an attribute."""
    from urllib.parse import quote
    name = path.relative_to(folder).as_posix()
    try:
        data = os.fsencode(name)        # the name's own bytes, those that are not UTF-8 too
    except UnicodeError:
        data = name.encode("utf-8", errors="replace")
    return html.escape(quote(data), quote=True)


def _video(view: ViewFiles, folder: Path, size, label: str, lazy: bool = False) -> str:
    """A muted, looping, inline video of the view, its still as poster. ``lazy``: it loads
    nothing until it is scrolled near, and plays only while it is in sight (a gallery of
    many scenes); otherwise it plays at once."""
    w, h = size
    poster = f' poster="{_href(view.files["png"], folder)}"' if "png" in view.files else ""
    sources = "".join(f'<source src="{_href(view.files[k], folder)}" type="video/{k}">'
                      for k in ("mp4", "webm") if k in view.files)
    when = 'preload="none" data-play-in-sight' if lazy else 'autoplay preload="auto"'
    # The notes and events as captions a player can show, and what the animation shows in words.
    track = (f'<track kind="captions" srclang="en" label="Notes and events" '
             f'src="{_href(view.files["vtt"], folder)}">' if "vtt" in view.files else "")
    said = _alt(view)
    described = f' aria-description="{html.escape(said, quote=True)}"' if said else ""
    return (f'<video width="{w}" height="{h}"{poster} {when} loop muted playsinline controls '
            f'aria-label="{html.escape(label, quote=True)}"{described}>{sources}{track}</video>')


def _alt(view: ViewFiles) -> str:
    """The view's alt text (its txt output), or nothing."""
    path = view.files.get("txt")
    if path is None or not path.exists():
        return ""
    return " ".join(path.read_text(encoding="utf-8", errors="replace").split())


def player_data(view: ViewFiles) -> dict | None:
    """The view's player record (its player.json output), or None."""
    path = view.files.get("player")
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def _script_json(record: dict) -> str:
    """``record`` as JSON inside a <script> element: no "</" can end it early."""
    return json.dumps(record, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


def player(key: str, size, label: str, record: dict, video_src: str, poster: str | None = None) -> str:
    """One view's player: its MP4 (``video_src``, a link or a data: URL) with a play button,
    a step slider that seeks to exactly the frame of that step, buttons and keys that step
    one frame, a speed menu; the frame's status line as live text, its captions, and the
    alt text as the video's description. ``key`` makes its element ids unique on a page;
    ``record`` is the view's player record (``sinks.text.PlayerSink``). The page runs
    ``PLAYER_SCRIPT`` once to bring its players to life; without scripts the video keeps
    the browser's own controls."""
    w, h = size
    n = record["frames"]
    key = re.sub(r"[^A-Za-z0-9_-]", "_", key)
    alt = " ".join(str(record.get("alt", "")).split())
    said = html.escape(label, quote=True)
    poster = f' poster="{poster}"' if poster else ""
    described = f' aria-describedby="{key}-alt"' if alt else ""
    about = (f'<details class="alt"><summary>What the animation shows</summary>'
             f'<p id="{key}-alt">{html.escape(alt)}</p></details>') if alt else ""
    return (f'<div class="player" data-player>\n'
            f'<video width="{w}" height="{h}" src="{video_src}"{poster} autoplay loop muted '
            f'playsinline preload="auto" controls aria-label="{said}"{described}></video>\n'
            f'<div class="controls" role="group" aria-label="{said}: player">'
            f'<button type="button" class="play" aria-label="Pause">Pause</button>'
            f'<button type="button" class="prev" aria-label="Previous frame" title="Previous frame (,)">&#9664;</button>'
            f'<input type="range" class="scrub" min="0" max="{n - 1}" step="1" value="0" '
            f'aria-label="Step" aria-keyshortcuts="ArrowLeft ArrowRight Home End">'
            f'<button type="button" class="next" aria-label="Next frame" title="Next frame (.)">&#9654;</button>'
            f'<label>Speed <select class="speed">'
            + "".join(f'<option value="{r}"{" selected" if r == 1 else ""}>{r}&#215;</option>'
                      for r in (0.25, 0.5, 1, 2))
            + '</select></label></div>\n'
            f'<p class="status" aria-live="off"></p><p class="caption" aria-live="off" hidden></p>\n{about}\n'
            f'<script type="application/json" class="player-data">{_script_json(record)}</script>\n</div>')


# Plays the gallery's videos while they are in sight, and only those: a gallery of forty
# scenes would otherwise load and decode forty videos at once (on a phone too).
PLAY_IN_SIGHT = """
const sight = new IntersectionObserver(entries => entries.forEach(e => {
  if (e.isIntersecting) { e.target.play().catch(() => {}); } else { e.target.pause(); }
}), { rootMargin: "100px" });
document.querySelectorAll("video[data-play-in-sight]").forEach(v => sight.observe(v));
"""


# Brings every player on the page to life (``player``); run once, after them. A player whose
# script ran is marked, so a notebook showing several players runs it for each safely.
PLAYER_SCRIPT = """
(() => {
function setup(root) {
  if (root.dataset.ready) return;
  root.dataset.ready = "1";
  const data = JSON.parse(root.querySelector("script.player-data").textContent);
  const video = root.querySelector("video"), slider = root.querySelector(".scrub");
  const play = root.querySelector(".play"), speed = root.querySelector(".speed");
  const status = root.querySelector(".status"), caption = root.querySelector(".caption");
  const fps = data.fps, starts = data.video, n = data.frames;
  let frame = -1;
  video.controls = false;
  // The frame showing at time t: the last whose first video frame is at or before it.
  const frameAt = t => {
    const v = Math.floor(t * fps + 1e-6);
    let lo = 0, hi = n - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= v) lo = mid; else hi = mid - 1; }
    return lo;
  };
  const show = k => {
    if (k === frame) return;
    frame = k;
    slider.value = k;
    slider.setAttribute("aria-valuetext", `step ${data.steps[k]} of ${data.lastStep}`);
    status.textContent = data.status[k];
    const said = data.captions.filter(c => c.first <= k && k <= c.last).map(c => c.text);
    caption.textContent = said.join(" \u00b7 ");
    caption.hidden = said.length === 0;
  };
  const seek = k => {
    k = Math.max(0, Math.min(n - 1, k));
    video.pause();
    // The middle of the frame's first video frame: a seek lands inside it in every browser.
    video.currentTime = (starts[k] + 0.5) / fps;
    show(k);
  };
  const playing = () => {
    const on = !video.paused;
    play.textContent = on ? "Pause" : "Play";
    play.setAttribute("aria-label", on ? "Pause" : "Play");
    // Read out when it stops, not at every frame while it plays.
    for (const live of [status, caption]) live.setAttribute("aria-live", on ? "off" : "polite");
  };
  video.addEventListener("play", playing);
  video.addEventListener("pause", playing);
  video.addEventListener("timeupdate", () => { if (!video.paused) show(frameAt(video.currentTime)); });
  if ("requestVideoFrameCallback" in video) {
    const tick = (now, meta) => { if (!video.paused) show(frameAt(meta.mediaTime)); video.requestVideoFrameCallback(tick); };
    video.requestVideoFrameCallback(tick);
  }
  play.addEventListener("click", () => { if (video.paused) video.play().catch(() => {}); else video.pause(); });
  root.querySelector(".prev").addEventListener("click", () => seek(frame - 1));
  root.querySelector(".next").addEventListener("click", () => seek(frame + 1));
  slider.addEventListener("input", () => seek(Number(slider.value)));
  speed.addEventListener("change", () => { video.playbackRate = Number(speed.value); });
  root.addEventListener("keydown", e => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target === speed) return;
    const onSlider = e.target === slider, onButton = e.target.tagName === "BUTTON";
    const keys = {",": -1, ".": 1, "ArrowLeft": -1, "ArrowRight": 1};
    if (e.key in keys && !onSlider) seek(frame + keys[e.key]);
    else if (e.key === "Home" && !onSlider) seek(0);
    else if (e.key === "End" && !onSlider) seek(n - 1);
    else if ((e.key === "k" || (e.key === " " && !onButton))) {
      if (video.paused) video.play().catch(() => {}); else video.pause();
    } else return;
    e.preventDefault();
  });
  if (matchMedia("(prefers-reduced-motion: reduce)").matches) video.pause();
  show(0);
  playing();
}
document.querySelectorAll("[data-player]").forEach(setup);
})();
"""


# The player's own look, scoped to it, so a notebook can show it among its own styles; the
# colours are the page's where it has them.
PLAYER_STYLE = """
[data-player] video { display: block; max-width: 100%; height: auto; }
[data-player] .caption { margin: .2rem 0 0; padding-left: .6rem; border-left: 3px solid var(--line, #c8c8c8);
                         font-size: .95rem; }
[data-player] .controls { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem; margin-top: .4rem; }
[data-player] .scrub { flex: 1 1 12rem; min-width: 8rem; }
[data-player] button, [data-player] select { font: inherit; padding: .2rem .6rem; min-height: 2rem;
    border: 1px solid var(--line, #c8c8c8); border-radius: 4px; background: var(--card, #f4f5f7);
    color: var(--ink, inherit); cursor: pointer; }
[data-player] button.play { min-width: 4.5rem; }
[data-player] label { color: var(--muted, inherit); font-size: .92rem; }
[data-player] .status { margin: .35rem 0 0; font: .9rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas,
    monospace; overflow-wrap: anywhere; }
[data-player] details.alt summary { margin: .4rem 0 .15rem; color: var(--muted, inherit); font-size: .92rem;
    cursor: pointer; }
[data-player] details.alt p { margin: 0; font-size: .92rem; }
"""


STYLE = """
:root { color-scheme: light dark; --ink: #1d1d1f; --muted: #5f6368; --paper: #ffffff;
        --card: #f4f5f7; --line: #d9dce1; --link: #0b57d0; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e8eaed; --muted: #a8adb4; --paper: #16181b; --card: #202327; --line: #3a3f45;
          --link: #8ab4f8; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; overflow-wrap: anywhere; }
.subtitle { color: var(--muted); margin: 0 0 1rem; overflow-wrap: anywhere; }
a { color: var(--link); }
video, img { display: block; max-width: 100%; height: auto; background: var(--card); }
figure { margin: 1.5rem 0; }
figcaption { display: flex; flex-wrap: wrap; gap: .35rem 1rem; align-items: center; margin-top: .5rem;
             color: var(--muted); font-size: .95rem; }
figcaption img { width: 96px; border: 1px solid var(--line); }
figcaption span { white-space: nowrap; }
pre { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem;
      overflow-x: auto; font-size: .85rem; line-height: 1.4; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
details summary { cursor: pointer; margin: 1rem 0 .25rem; }
.grid { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.card div { padding: .6rem .8rem .8rem; }
.card h2 { margin: 0 0 .25rem; font-size: 1.05rem; }
.card p { margin: 0; color: var(--muted); font-size: .92rem; overflow-wrap: anywhere; }
.card p.lede { color: var(--ink); margin-bottom: .3rem; }
.card p.summary { display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
""" + PLAYER_STYLE


def _document(title: str, body: str, script: str = "") -> str:
    """The whole page; what it cannot hold of the scene's text (``printable``) is replaced."""
    script = f"<script>{script}</script>\n" if script else ""
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<link rel=\"icon\" href=\"data:,\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n<footer>Made with render {html.escape(__version__)}.</footer>\n"
            f"</main>\n{script}</body>\n</html>\n")
    return printable(page)


def scene_page(name: str, scene, folder: Path, size, views: list[ViewFiles],
               file: Path | None = None) -> str:
    """The page ``folder/index.html`` of scene ``name``: each view playing, with its still
    and download links, then the scene file's docstring and source."""
    folder = Path(folder)
    title = plain_title(scene)
    text = source_text(file)
    parts = [f"<h1>{html.escape(name)}</h1>", f'<p class="subtitle">{html.escape(title)}</p>']
    players = False
    about = docstring(text)
    if about:
        parts.append(f'<section aria-label="About this scene">\n{_paragraphs(about)}\n</section>')
    for view in views:
        links = []
        if "png" in view.files:
            still = _href(view.files["png"], folder)
            alt = _alt(view) or f"{view.name}: the final frame"
            links.append(f'<a href="{still}"><img src="{still}" width="{size[0]}" height="{size[1]}" '
                         f'alt="{html.escape(alt, quote=True)}"></a>')
        for kind, what in _KINDS.items():
            path = view.files.get(kind)
            if path is not None and path.exists():
                links.append(f'<span><a href="{_href(path, folder)}" download>{what}</a> '
                             f'({human_size(path.stat().st_size)})</span>')
        record = player_data(view)
        label = f"{name}, view {view.name}"
        if record is not None and "mp4" in view.files:
            poster = _href(view.files["png"], folder) if "png" in view.files else None
            video = player(f"view-{view.name}", size, label, record, _href(view.files["mp4"], folder), poster)
            players = True
        else:
            video = _video(view, folder, size, label) if {"mp4", "webm"} & set(view.files) else ""
        embed = ""
        if "mp4" in view.files:
            snippet = (f'<video src="{view.files["mp4"].name}" poster="{view.files["png"].name}" '
                       f'autoplay loop muted playsinline></video>' if "png" in view.files else
                       f'<video src="{view.files["mp4"].name}" autoplay loop muted playsinline></video>')
            embed = (f"<details><summary>Embed this view</summary><pre><code>"
                     f"{html.escape(snippet)}</code></pre></details>")
        parts.append(f'<figure id="view-{html.escape(view.name, quote=True)}">\n'
                     f"<h2>{html.escape(view.name)}</h2>\n{video}\n"
                     f"<figcaption>{' '.join(links)}</figcaption>\n{embed}\n</figure>")
    if text is not None:
        parts.append(f"<details id=\"source\" open><summary>Source: {html.escape(Path(file).name)}</summary>"
                     f"<pre><code>{html.escape(text)}</code></pre></details>")
    return _document(f"{name} · render", "\n".join(parts), PLAYER_SCRIPT if players else "")


def gallery_page(folder: Path, entries: list[Entry]) -> str:
    """The page ``folder/index.html`` linking every scene's page, each with its first view
    playing while it is in sight."""
    folder = Path(folder)
    cards = []
    for e in entries:
        page = _href(folder / e.name / "index.html", folder)
        video = _video(e.view, folder, e.size, e.name, lazy=True) if {"mp4", "webm"} & set(e.view.files) else ""
        summary = f'<p class="summary">{html.escape(e.summary)}</p>' if e.summary else ""
        cards.append(f'<article class="card">{video}<div><h2><a href="{page}">{html.escape(e.name)}</a></h2>'
                     f'<p class="lede">{html.escape(e.title)}</p>{summary}</div></article>')
    count = f"{len(entries)} scene{'s' * (len(entries) != 1)}"
    body = (f'<h1>Gallery</h1>\n<p class="subtitle">{count}; each links to its page with every view, '
            f'downloads and the scene\'s source.</p>\n<div class="grid">\n' + "\n".join(cards) + "\n</div>")
    return _document("Gallery · render", body, PLAY_IN_SIGHT)


def summary(text: str | None) -> str:
    """A docstring's first paragraph, on one line."""
    about = docstring(text)
    return " ".join(about.split("\n\n")[0].split()) if about else ""
