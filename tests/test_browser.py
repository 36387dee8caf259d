"""The pages of --format html, played in a real browser: headless Chromium (Debian's package,
which plays H.264) driven by Playwright, the pages served over HTTP as a host would serve the
uploaded folder. Every video reaches readyState >= 2 and plays on its own; every image loads;
nothing is logged as an error and no request fails; a phone's width needs no sideways scroll.

The tests install Debian's chromium when it is missing and they run as root (as on CI);
otherwise they fail saying how to install it."""
import functools
import http.server
import os
import shutil
import subprocess
import threading

import pytest
from playwright.sync_api import sync_playwright

from test_page import run, write_scenes

CHROMIUM = "/usr/bin/chromium"
# Headless, and quiet: no first-run pages, no calls home (the network may be closed), and
# videos may play without a click, as muted videos may in every browser.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic",
        "--autoplay-policy=no-user-gesture-required"]


def chromium() -> str:
    found = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, capture_output=True)
        return CHROMIUM
    pytest.fail("the browser tests need Chromium: install Debian's chromium package "
                "(sudo apt-get install chromium), then run pytest again")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=ARGS)
        yield b
        b.close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Three scenes (one with a 3D orbit) rendered as pages, served over HTTP."""
    root = tmp_path_factory.mktemp("site")
    out = root / "out"
    result = run(write_scenes(root / "scenes"), "--out", out, "--format", "html,gif", "--size", "320x180",
                 "--no-progress")
    assert result.exit_code == 0, result.output
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def visit(browser, url, viewport=(1200, 900)):
    """Open ``url``; what went wrong while it loaded and played: console errors, page errors,
    failed requests and HTTP errors, and the state of its videos and images."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    return page, problems


def wait_until_playing(page) -> list[dict]:
    """Every video, scrolled into sight one after another, has its current frame
    (readyState >= 2) and its time moves on."""
    for i in range(page.evaluate("document.querySelectorAll('video').length")):
        page.evaluate(f"""(() => {{ const v = document.querySelectorAll('video')[{i}];
            v.scrollIntoView({{block: 'center'}}); window.startedAt = v.currentTime; }})()""")
        page.wait_for_function(f"""() => {{ const v = document.querySelectorAll('video')[{i}];
            return v.readyState >= 2 && v.currentTime !== window.startedAt && !v.paused && !v.error; }}""",
                               timeout=20_000)
    return page.evaluate("""[...document.querySelectorAll('video')].map(v => ({
        src: v.currentSrc, ready: v.readyState, time: v.currentTime, width: v.videoWidth,
        height: v.videoHeight, muted: v.muted, loop: v.loop}))""")


def images(page) -> list[dict]:
    return page.evaluate("""[...document.querySelectorAll('img')].map(i => ({
        src: i.currentSrc, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}))""")


@pytest.mark.parametrize("path,videos", [("race/index.html", 2), ("pair-slow/index.html", 1),
                                         ("index.html", 3)])
def test_every_video_plays_and_every_image_loads(browser, site, path, videos):
    page, problems = visit(browser, f"{site}/{path}")
    playing = wait_until_playing(page)
    assert len(playing) == videos
    for video in playing:
        assert video["src"].endswith(".mp4") and video["ready"] >= 2 and video["time"] > 0
        assert (video["width"], video["height"]) == (320, 180)
        assert video["muted"] and video["loop"]
    shown = images(page)
    assert len(shown) == (videos if path != "index.html" else 0)     # a still per view on a scene page
    for image in shown:
        assert image["complete"] and (image["width"], image["height"]) == (320, 180), image
    assert problems == []
    page.close()


def test_links_from_the_gallery_reach_each_scene_page(browser, site):
    page, problems = visit(browser, f"{site}/index.html")
    page.click("text=race")
    page.wait_for_url(f"{site}/race/index.html")
    assert page.title() == "race · render"
    assert len(wait_until_playing(page)) == 2
    assert problems == []
    page.close()


def test_the_gallery_loads_and_plays_only_the_videos_in_sight(browser, site):
    page, problems = visit(browser, f"{site}/index.html", viewport=(390, 400))
    page.wait_for_function("document.querySelector('video').readyState >= 2")
    page.wait_for_timeout(300)
    below = page.evaluate("(() => { const v = document.querySelectorAll('video')[2]; "
                          "return [v.getBoundingClientRect().top, v.readyState, v.paused]; })()")
    assert below[0] > 400 + 100 and below[1:] == [0, True]        # far below: nothing loaded yet
    wait_until_playing(page)                                       # each plays once scrolled to
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_function("document.querySelectorAll('video')[2].paused")   # out of sight: paused
    assert problems == []
    page.close()


@pytest.mark.parametrize("path", ["race/index.html", "index.html"])
def test_a_phone_reads_the_pages_without_sideways_scrolling(browser, site, path):
    page, problems = visit(browser, f"{site}/{path}", viewport=(390, 844))
    wait_until_playing(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    # The videos shrink to the screen, keeping their shape.
    for box in page.evaluate("[...document.querySelectorAll('video')].map(v => v.getBoundingClientRect().toJSON())"):
        assert box["width"] <= 390 - 2 * 16 + 1
        assert abs(box["height"] / box["width"] - 180 / 320) < 0.02
    assert problems == []
    page.close()
