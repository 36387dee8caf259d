"""Slides: the HTML deck in Chromium (one file, nothing fetched: it advances through its
slides by key and click, stops each stretch on its note's frame with the note's text, lands
on the slide its address names); the PDF (a page for each note, the note's frame to the
pixel); the PPTX, opened with python-pptx (a slide for each view, each holding its MP4 and
its still as the poster)."""
import io
import json

import numpy as np
import pptx
import pypdf
import pytest
from click.testing import CliRunner
from PIL import Image
from pptx.enum.shapes import MSO_SHAPE_TYPE

from render import Camera, Note, Run, Scene, View2D, View3D, optimizers as opt
from render import plan as planning
from render.pipeline import render_scene

from test_browser import browser  # noqa: F401  (the fixture)

SIZE = (320, 180)
NOTES = [Note(4, "Adam is already in the valley", run="Adam"), Note(8, "Momentum builds speed", hold=0.3)]


def scene(notes=NOTES):
    return Scene("rosenbrock", [Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam"),
                                Run(opt.Momentum(lr=1e-3, momentum=0.9), (-1.5, 2.0), label="Momentum")],
                 12, views=[View2D(), View3D(name="surface", camera=Camera(elev=40, azim=-60))], fps=20,
                 smooth=False, notes=notes, show_events=False, title="Adam and momentum", hold_start=0.2, hold=0.5)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    render_scene(scene(), name="race", out=out, formats=("slides", "pptx", "pdf", "frames"), size=SIZE)
    return out / "race"


def test_the_deck_advances_through_its_slides_and_stops_on_each_note(browser, folder):  # noqa: F811
    page = browser.new_page(viewport={"width": 900, "height": 600})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((folder / "slides.html").as_uri(), wait_until="load")
    stopped = "document.body.dataset.state === 'stopped'"
    shown = """() => ({slide: document.body.dataset.slide, count: document.querySelector('.count').textContent,
        heading: document.querySelector('.view h2').textContent, note: document.querySelector('.note').textContent,
        title: !document.querySelector('.title').hidden, time: (() => { const v = [...document.querySelectorAll('video')]
            .find(v => !v.closest('.stage').hidden); return v ? [v.currentTime, v.paused] : null; })()})"""
    record = json.loads((folder / "2d.player.json").read_text())
    first = {c["text"]: c["first"] for c in record["captions"]}
    # A title, then each view's three stretches: to the first note, to the second, to the end.
    expected = [("2d", "Adam is already in the valley", first["Adam is already in the valley"]),
                ("2d", "Momentum builds speed", first["Momentum builds speed"]),
                ("2d", "", record["frames"] - 1),
                ("surface", "Adam is already in the valley", None),
                ("surface", "Momentum builds speed", None),
                ("surface", "", None)]
    page.wait_for_function(stopped)
    now = page.evaluate(shown)
    assert now["title"] and now["count"] == "1 / 7"
    for k, (heading, note, frame) in enumerate(expected, 2):
        page.keyboard.press("ArrowRight") if k % 2 else page.click("main")
        page.wait_for_function(f"document.body.dataset.slide === '{k}' && {stopped}", timeout=20_000)
        now = page.evaluate(shown)
        assert (now["count"], now["heading"], now["note"], now["title"]) == (f"{k} / 7", heading, note, False)
        time, paused = now["time"]
        assert paused
        if frame is not None:             # stopped on the note's frame (its middle, in the MP4)
            assert time == pytest.approx((record["video"][frame] + 0.5) / record["fps"], abs=1e-3)
    assert page.evaluate("location.hash") == "#7"
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"document.body.dataset.slide === '6' && {stopped}", timeout=20_000)
    page.keyboard.press("Home")
    page.wait_for_function("document.body.dataset.slide === '1'")
    # A link to a slide lands on it.
    page.goto((folder / "slides.html").as_uri() + "#3", wait_until="load")
    page.reload(wait_until="load")
    page.wait_for_function(f"document.body.dataset.slide === '3' && {stopped}", timeout=20_000)
    assert page.evaluate(shown)["heading"] == "2d" and page.evaluate(shown)["note"] == "Momentum builds speed"
    assert problems == []
    assert {u.split("#")[0] for u in requests if not u.startswith("data:")} == {(folder / "slides.html").as_uri()}
    page.close()


def test_the_pdf_has_a_page_for_each_note_its_frame_to_the_pixel(folder):
    plan = planning.build(scene())
    frames = [c.first for c in plan.captions if c.kind == "note"]
    assert len(frames) == 2
    for view in ("2d", "surface"):
        reader = pypdf.PdfReader(folder / f"{view}.pdf")
        assert len(reader.pages) == 2
        assert reader.metadata["/Title"] == "Adam and momentum"
        for page, k in zip(reader.pages, frames):
            assert [float(v) for v in page.mediabox] == [0, 0, 240, 135]       # 0.75 pt a pixel
            picture = np.asarray(page.images[0].image.convert("RGB"))
            drawn = np.asarray(Image.open(folder / view / f"frame_{k:04d}.png").convert("RGB"))
            np.testing.assert_array_equal(picture, drawn)


def test_a_scene_without_notes_gets_one_page_its_final_frame(tmp_path):
    render_scene(scene(notes=[]), name="plain", out=tmp_path, formats=("pdf", "png"), size=SIZE, views=["2d"])
    reader = pypdf.PdfReader(tmp_path / "plain" / "2d.pdf")
    assert len(reader.pages) == 1
    np.testing.assert_array_equal(np.asarray(reader.pages[0].images[0].image.convert("RGB")),
                                  np.asarray(Image.open(tmp_path / "plain" / "2d.png").convert("RGB")))


def test_the_pptx_has_a_slide_for_each_view_holding_its_movie(folder):
    deck = pptx.Presentation(folder / "slides.pptx")
    assert len(deck.slides) == 2
    for slide, view in zip(deck.slides, ("2d", "surface")):
        assert slide.shapes.title.text == f"Adam and momentum \u00b7 {view}"
        movies = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(movies) == 1
        movie = movies[0]
        media = [r.target_part for r in slide.part.rels.values() if r.reltype.endswith("/media")]
        assert [m.blob for m in media] == [(folder / f"{view}.mp4").read_bytes()]
        assert [m.content_type for m in media] == ["video/mp4"]
        poster = [r.target_part for r in slide.part.rels.values() if r.reltype.endswith("/image")]
        assert [p.blob for p in poster] == [(folder / f"{view}.png").read_bytes()]
        assert abs(movie.width / movie.height - SIZE[0] / SIZE[1]) < 0.01
        assert slide.notes_slide.notes_text_frame.text == " ".join((folder / f"{view}.txt").read_text().split())


def test_pptx_without_python_pptx_is_one_line(monkeypatch, tmp_path):
    from render import cli, slides
    monkeypatch.setattr(slides, "has_pptx", lambda: False)
    monkeypatch.setattr(cli, "has_pptx", lambda: False)
    result = CliRunner().invoke(cli.main, ["--format", "pptx", "--out", str(tmp_path), str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].endswith(
        "the pptx format needs python-pptx: pip install 'render-descent[pptx]' (or pip install python-pptx)")
    with pytest.raises(ValueError, match=r"pip install 'render-descent\[pptx\]'"):
        render_scene(scene(), name="race", out=tmp_path, formats=("pptx",), size=SIZE)
    assert list(tmp_path.iterdir()) == []


def test_a_view_is_cut_at_its_notes_frames():
    from render.slides import segments
    record = {"frames": 30, "captions": [
        {"first": 0, "text": "At the start", "note": True}, {"first": 12, "text": "An event", "note": False},
        {"first": 12, "text": "Here", "note": True}, {"first": 12, "text": "and here", "note": True}]}
    assert segments(record) == [(0, 0, "At the start"), (0, 12, "Here and here"), (12, 29, None)]
    assert segments({"frames": 30, "captions": []}) == [(0, 29, None)]
    assert segments({"frames": 30, "captions": [{"first": 29, "text": "The end", "note": True}]}) == \
        [(0, 29, "The end")]
