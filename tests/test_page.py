"""HTML pages (--format html) and the command's choosing options (--scene, --version), without a
browser: what a page holds, that it parses without errors, links only beside itself, and is
written only when it changes. tests/test_browser.py plays the pages in Chromium."""
import html
import json
import re
import textwrap
from pathlib import Path
from urllib.parse import unquote

import html5lib
import pytest
from click.testing import CliRunner

from render import __version__
from render.cli import main

SCENES = {
    "race.py": '''
        """A race on Rosenbrock's valley: Adam against momentum.

        Second paragraph, with <b>markup</b> & an ampersand that must stay text.
        """
        from render import Camera, Run, Scene, View2D, View3D, optimizers as opt

        scene = Scene("rosenbrock", [Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam <1>"),
                                     Run(opt.Momentum(lr=1e-3, momentum=0.9), (1.5, -0.5))], 8,
                      views=[View2D(), View3D(name="orbit", camera=Camera(azim=30, orbit=40))], fps=10,
                      title="Adam & momentum <in a valley>")
    ''',
    "pair.py": '''
        from render import Run, Scene, optimizers as opt

        slow = Scene("bowl", [Run(opt.GD(lr=0.05), (5.0, 4.0))], 6, fps=10)
        fast = Scene("bowl", [Run(opt.GD(lr=0.3), (5.0, 4.0))], 6, fps=10, name="bowl_fast")
    ''',
}


def write_scenes(folder: Path, names=SCENES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(textwrap.dedent(SCENES[name]).lstrip())
    return folder


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def parse(path: Path):
    """The page parsed by the HTML5 algorithm, failing on any parse error (an unclosed or
    misnested tag, a bad attribute, a stray character)."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(path.read_bytes())


def links(tree) -> list[str]:
    return [e.get(a) for e in tree.iter() for a in ("href", "src", "poster") if e.get(a) is not None]


def check_page(path: Path) -> object:
    """Valid, self-contained, every linked file present beside it."""
    tree = parse(path)
    assert tree.find("head/title").text
    assert tree.get("lang") == "en"
    assert tree.find("head/meta[@name='viewport']").get("content") == "width=device-width, initial-scale=1"
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    for link in links(tree):
        if link.startswith("data:"):
            continue
        assert "://" not in link and not link.startswith("/") and ".." not in link, link
        assert (path.parent / unquote(link)).is_file(), link
    for img in tree.iter("img"):
        assert img.get("alt")
    return tree


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    folder = write_scenes(root / "scenes")
    out = root / "out"
    result = run(folder, "--out", out, "--format", "html,gif", "--size", "160x90", "--no-progress")
    assert result.exit_code == 0, result.output
    return out, result.output


def test_a_scene_page_plays_every_view_with_its_still_downloads_and_source(rendered):
    out, _ = rendered
    page = out / "race" / "index.html"
    tree = check_page(page)
    assert [h.text for h in tree.iter("h2")] == ["2d", "orbit"]
    videos = list(tree.iter("video"))
    assert len(videos) == 2
    for video, view in zip(videos, ("2d", "orbit")):
        for attribute in ("autoplay", "loop", "muted", "playsinline"):
            assert video.get(attribute) is not None, attribute
        assert video.get("poster") == f"{view}.png"
        assert video.get("src") == f"{view}.mp4"
        assert (video.get("width"), video.get("height")) == ("160", "90")
    downloads = {a.get("href"): a.text for a in tree.iter("a") if a.get("download") is not None}
    assert downloads == {f"{v}.{k}": what for v in ("2d", "orbit") for k, what in (
        ("mp4", "MP4"), ("gif", "GIF"), ("png", "still (PNG)"), ("vtt", "captions (WebVTT)"), ("txt", "alt text"))}
    # Each video is a player's, and says what it shows in words, as its still's alt text
    # does: the view's alt text, made from the simulation. Its captions are the player's
    # (a <track> does not load from file://).
    ids = {e.get("id"): e for e in tree.iter() if e.get("id")}
    for video, view in zip(videos, ("2d", "orbit")):
        said = " ".join((out / "race" / f"{view}.txt").read_text().split())
        assert said.startswith("An animation of 2 gradient-descent runs over ")
        assert ids[video.get("aria-describedby")].text == said
        assert video.find("track") is None
    players = [e for e in tree.iter("div") if e.get("data-player") is not None]
    assert len(players) == 2
    for player, view in zip(players, ("2d", "orbit")):
        record = json.loads(player.find("script").text)
        assert record == json.loads((out / "race" / f"{view}.player.json").read_text())
        scrub = player.find(".//input")
        assert (scrub.get("type"), scrub.get("min"), scrub.get("max")) == ("range", "0", str(record["frames"] - 1))
    assert [img.get("alt") for img in tree.iter("img")] == [
        " ".join((out / "race" / f"{v}.txt").read_text().split()) for v in ("2d", "orbit")]
    text = page.read_text()
    # Sizes beside the links, as the files are.
    size = (out / "race" / "2d.gif").stat().st_size
    assert f'href="2d.gif" download>GIF</a> ({size / 1024:.1f} KiB)' in text
    # The title, the docstring's paragraphs and the source, as text, never as markup.
    assert "<p class=\"subtitle\">Adam &amp; momentum &lt;in a valley&gt;</p>" in text
    assert "<p>A race on Rosenbrock&#x27;s valley: Adam against momentum.</p>" in text
    assert "with &lt;b&gt;markup&lt;/b&gt; &amp; an ampersand" in text
    source = tree.find(".//details[@id='source']/pre/code")
    assert source.text == (out.parent / "scenes" / "race.py").read_text()
    assert "<b>" not in text
    assert f"render {__version__}" in text


def test_the_gallery_links_every_scene_page_with_its_first_view_playing(rendered):
    out, output = rendered
    tree = check_page(out / "index.html")
    cards = tree.findall(".//article")
    assert [c.find(".//h2/a").get("href") for c in cards] == ["pair-slow/index.html", "bowl_fast/index.html",
                                                              "race/index.html"]
    assert [c.find(".//video/source").get("src") for c in cards] == ["pair-slow/2d.mp4", "bowl_fast/2d.mp4",
                                                                     "race/2d.mp4"]
    for video in tree.iter("video"):                # loaded and played only when in sight
        assert video.get("autoplay") is None and video.get("preload") == "none"
        assert video.get("data-play-in-sight") is not None and video.get("poster").endswith("/2d.png")
    assert "IntersectionObserver" in tree.find(".//script").text
    race = cards[2]
    assert [p.text for p in race.findall(".//p")] == ["Adam & momentum <in a valley>",
                                                     "A race on Rosenbrock's valley: Adam against momentum."]
    for name in ("pair-slow", "bowl_fast", "race"):
        check_page(out / name / "index.html")
    assert f"{out / 'index.html'}" in output


def test_pages_are_written_only_when_they_change(rendered, tmp_path):
    out, _ = rendered
    folder = out.parent / "scenes"
    again = run(folder, "--out", out, "--format", "html,gif", "--size", "160x90", "--no-progress")
    assert again.exit_code == 0
    lines = again.output.splitlines()
    assert all(line.endswith("(up to date)") for line in lines[:-1]), again.output
    assert lines[-1].startswith("wrote 0 files")


def test_one_scene_gets_its_page_and_no_gallery(tmp_path):
    folder = write_scenes(tmp_path / "scenes", ["race.py"])
    out = tmp_path / "out"
    result = run(folder / "race.py", "--out", out, "--format", "html", "--size", "160x90", "--view", "orbit")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "race").iterdir() if not p.name.startswith(".")) == \
        ["index.html", "orbit.mp4", "orbit.player.json", "orbit.png", "orbit.txt", "orbit.vtt"]
    assert not (out / "index.html").exists()
    tree = check_page(out / "race" / "index.html")
    assert [h.text for h in tree.iter("h2")] == ["orbit"]


def test_scene_picks_scenes_by_output_name(tmp_path):
    folder = write_scenes(tmp_path / "scenes")
    out = tmp_path / "out"
    result = run(folder, "--out", out, "--format", "png", "--size", "160x90", "--scene", "bowl_fast",
                 "--scene", "race")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["bowl_fast", "race"]
    wrong = run(folder, "--out", out, "--format", "png", "--size", "160x90", "--scene", "bowl_slow")
    assert wrong.exit_code == 2
    assert wrong.output == ("render: no scene is named 'bowl_slow'; the scenes are bowl_fast, pair-slow, race "
                            "(option --scene)\n")


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output == f"render {__version__}\n"


def test_html_is_a_format_of_the_python_api(tmp_path):
    from render import Run, Scene, optimizers as opt
    from render.pipeline import render_scene
    scene = Scene("bowl", [Run(opt.GD(lr=0.05), (5.0, 4.0))], 4, title="<script>x</script>")
    written = render_scene(scene, name="bowl", out=tmp_path, formats=("html",), size=(160, 90))
    assert [w.path.name for w in written] == ["2d.mp4", "2d.png", "2d.vtt", "2d.txt", "2d.player.json", "index.html"]
    text = (tmp_path / "bowl" / "index.html").read_text()
    assert "<script>x" not in text and html.escape("<script>x</script>") in text
    assert "id=\"source\"" not in text      # no file, no source shown
    check_page(tmp_path / "bowl" / "index.html")


def test_a_scene_of_responses_gets_its_page_its_alt_text_and_its_player(tmp_path):
    from render import Response, ResponseScene, optimizers as opt
    from render.pipeline import render_scene
    scene = ResponseScene([Response(opt.Momentum(lr=0.25, momentum=m), label=f"momentum {m}") for m in (0.5, 0.9)],
                          signals=["spikes", "noisy_sine"], steps=12, fps=10, title="Momentum")
    render_scene(scene, name="responses", out=tmp_path, formats=("html",), size=(160, 90))
    said = (tmp_path / "responses" / "responses.txt").read_text().strip()
    assert said == ("Momentum: an animation of the updates of 2 optimizers (momentum 0.5, momentum 0.9) in "
                    "response to 2 synthetic gradient signals (spikes, noisy sine), drawn as 12 steps pass.")
    record = json.loads((tmp_path / "responses" / "responses.player.json").read_text())
    assert record["status"] == [f"step {s} of 12" for s in record["steps"]] and record["steps"][-1] == 12
    assert record["alt"] == said
    check_page(tmp_path / "responses" / "index.html")
