"""The page's player, in Chromium (Playwright), opened from file:// as a reader would open a
downloaded folder: the slider seeks to exactly the frame of its step (its pixels against the
PNG of that frame), the live text is that frame's status line, keys step forward and back,
the play button and the speed work, a note's caption is said at its frame, every control
has a name, nothing is logged as an error and no request leaves the page's folder."""
import io
import json

import numpy as np
import pytest
from PIL import Image

from render import Note, Run, Scene, View2D, optimizers as opt
from render.pipeline import render_scene

from test_browser import browser  # noqa: F401  (the fixture)

SIZE = (320, 180)


def scene():
    return Scene("rosenbrock", [Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam"),
                                Run(opt.Momentum(lr=1e-3, momentum=0.9), (-1.5, 2.0), label="Momentum")],
                 24, views=[View2D(loss_panel=True)], fps=10, smooth=False, hold_start=0.5, hold=1.0,
                 notes=[Note(8, "Adam turns into the valley", run="Adam", hold=0.6)], show_events=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("player")
    render_scene(scene(), name="race", out=out, formats=("html", "frames"), size=SIZE)
    return out / "race"


@pytest.fixture
def page(browser, folder):
    """The scene's page from file://, with what went wrong and every request it made."""
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.problems, page.requests = [], []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))
    page.on("request", lambda r: page.requests.append(r.url))
    page.goto((folder / "index.html").as_uri(), wait_until="load")
    page.wait_for_function("document.querySelector('video').readyState >= 2")
    yield page
    assert page.problems == []
    inside = folder.as_uri() + "/"
    assert page.requests and all(url.startswith(inside) or url.startswith("data:") for url in page.requests), \
        page.requests
    page.close()


def shown_pixels(page) -> np.ndarray:
    """The video's pixels as the page shows them, once the seek is done and its frame is up."""
    page.wait_for_function("""() => { const v = document.querySelector('video');
        return v.paused && !v.seeking && v.readyState >= 2; }""")
    # Two animation frames: the seeked frame is composited before the screenshot.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    data = page.query_selector("video").screenshot()
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=float)


def drawn(folder, k) -> np.ndarray:
    return np.asarray(Image.open(folder / "2d" / f"frame_{k:04d}.png").convert("RGB"), dtype=float)


def psnr(a, b) -> float:
    return 10 * np.log10(255 ** 2 / max(np.mean((a - b) ** 2), 1e-9))


def slide_to(page, k):
    page.evaluate(f"""() => {{ const s = document.querySelector('.scrub'); s.value = {k};
        s.dispatchEvent(new Event('input', {{bubbles: true}})); }}""")


def state(page) -> dict:
    return page.evaluate("""() => ({value: Number(document.querySelector('.scrub').value),
        valuetext: document.querySelector('.scrub').getAttribute('aria-valuetext'),
        status: document.querySelector('.status').textContent,
        caption: document.querySelector('.caption').hidden ? null : document.querySelector('.caption').textContent,
        paused: document.querySelector('video').paused, rate: document.querySelector('video').playbackRate})""")


def frame_seen(folder, picture, k) -> None:
    """``picture`` is frame k (as the MP4 holds it) and nearer k than either neighbour."""
    assert psnr(picture, drawn(folder, k)) > 30
    distance = {j: np.abs(picture - drawn(folder, j)).mean() for j in (k - 1, k, k + 1) if 0 <= j <= 24}
    assert min(distance, key=distance.get) == k, distance


@pytest.mark.parametrize("k", [3, 8, 17, 24])
def test_the_slider_shows_the_frame_of_its_step_and_its_status(page, folder, k):
    record = json.loads((folder / "2d.player.json").read_text())
    slide_to(page, k)
    frame_seen(folder, shown_pixels(page), k)
    now = state(page)
    assert now["value"] == k and now["paused"]
    assert now["valuetext"] == f"step {k} of 24"
    # The live text is the frame's own status line: each run's loss at step k.
    from render import plan as planning
    plan = planning.build(scene())
    assert now["status"] == record["status"][k] == plan.status(k, said=True)
    assert now["status"].startswith(f"step {k} of 24. Loss of Adam: ")
    for r, name in enumerate(["Adam", "Momentum"]):
        assert f"{name}: {plan.trajectories.losses[r, k]:.3g}" in now["status"]


def test_keys_step_forward_and_back(page, folder):
    slide_to(page, 10)
    shown_pixels(page)
    # (where the focus is, the key, the frame it shows): "." and "," anywhere in the player;
    # on the slider its own arrows; Home and End anywhere.
    for where, key, k in [(".play", ".", 11), (".play", ",", 10), (".play", ",", 9), (".scrub", "ArrowRight", 10),
                          (".scrub", "End", 24), (".prev", "Home", 0)]:
        page.focus(where)
        page.keyboard.press(key)
        assert state(page)["value"] == k, (where, key)
        frame_seen(folder, shown_pixels(page), k)
    assert state(page)["status"].startswith("step 0 of 24.")


def test_play_pause_and_speed(page):
    slide_to(page, 2)
    assert state(page)["paused"]
    page.click(".play")
    page.wait_for_function("() => Number(document.querySelector('.scrub').value) > 4")
    page.wait_for_function("document.querySelector('.play').getAttribute('aria-label') === 'Pause'")
    assert not state(page)["paused"]
    page.select_option(".speed", "0.5")
    assert state(page)["rate"] == 0.5
    page.focus(".scrub")
    page.keyboard.press("k")
    page.wait_for_function("document.querySelector('.play').getAttribute('aria-label') === 'Play'")
    assert state(page)["paused"] and page.text_content(".play") == "Play"
    assert page.get_attribute(".status", "aria-live") == "polite"


def test_a_notes_caption_is_said_at_its_frames(page):
    record_first = page.evaluate("JSON.parse(document.querySelector('.player-data').textContent).captions")
    assert [c["text"] for c in record_first] == ["Adam turns into the valley"]
    first, last = record_first[0]["first"], record_first[0]["last"]
    assert first == 8
    slide_to(page, first)
    assert state(page)["caption"] == "Adam turns into the valley"
    slide_to(page, last + 1)
    assert state(page)["caption"] is None
    slide_to(page, first - 1)
    assert state(page)["caption"] is None


def test_every_control_has_a_name_and_the_video_its_description(page, folder):
    names = page.evaluate("""() => [...document.querySelectorAll('.controls button, .controls input, .controls select')]
        .map(e => e.getAttribute('aria-label') || (e.closest('label') && e.closest('label').textContent.trim()))""")
    assert len(names) == 5 and all(names), names
    described = page.evaluate("""() => document.getElementById(
        document.querySelector('video').getAttribute('aria-describedby')).textContent""")
    assert described == " ".join((folder / "2d.txt").read_text().split())
    assert page.evaluate("document.querySelector('video').controls") is False   # the player's own


def test_the_notebooks_player_is_the_same_player(browser, folder, tmp_path):  # noqa: F811
    # A notebook's output for the scene, on a page of its own: the MP4 inline, the same
    # slider, the same frames and status lines.
    shown = scene().show(size=SIZE, jobs=1)
    (tmp_path / "cell.html").write_text(f"<!DOCTYPE html><html lang='en'><body>{shown._repr_html_()}</body></html>")
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto((tmp_path / "cell.html").as_uri(), wait_until="load")
    page.wait_for_function("document.querySelector('video').readyState >= 2")
    record = json.loads((folder / "2d.player.json").read_text())
    for k in (5, 13):
        slide_to(page, k)
        frame_seen(folder, shown_pixels(page), k)
        assert state(page)["status"] == record["status"][k]
    assert problems == []
    page.close()
