"""The notebook path: scene.animation(view) by view or by name, in render's pinned style."""
import base64
import io
import re

import matplotlib
import numpy as np
import pytest
from PIL import Image

from render import Run, Scene, View2D, View3D, optimizers as opt

SCENE = Scene("rosenbrock", [Run(opt.Adam(lr=0.3), (-1.5, 2.0), label="Adam"),
                             Run(opt.GD(lr=1e-3), (1.0, -0.5))], 5,
              views=[View2D(arrows=True, loss_panel=True), View3D(name="side")])

# What a notebook's own configuration might say; none of it may reach render's frames.
HOSTILE = {"lines.linewidth": 6, "lines.markersize": 20, "font.size": 22, "legend.fontsize": 30,
           "axes.facecolor": "black", "figure.facecolor": "yellow", "text.hinting": "no_hinting",
           "text.antialiased": False, "path.simplify": False, "axes.linewidth": 5,
           "savefig.facecolor": "red", "savefig.bbox": "tight", "savefig.transparent": True,
           "xtick.labelsize": 20, "grid.linewidth": 4, "lines.antialiased": False}


def frames(html: str) -> list[np.ndarray]:
    # to_jshtml breaks the base64 text into lines ending in a backslash.
    pngs = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)", html)
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(p.replace("\\", "").replace("\n", ""))))
                       .convert("RGB")) for p in pngs]


def kind(animation):
    """The projection of the animation's main axes (and the animation is used, as matplotlib
    asks of every animation it makes)."""
    animation._draw_next_frame(0, blit=False)
    return animation._fig.axes[0].name


def test_animation_takes_a_view_or_its_name():
    by_name = SCENE.animation("side", size=(160, 120))
    assert len(list(by_name.new_frame_seq())) == 6
    assert kind(by_name) == "3d"
    assert kind(SCENE.animation(size=(160, 120))) == "rectilinear"
    assert kind(SCENE.animation(SCENE.views[1], size=(160, 120))) == "3d"
    with pytest.raises(ValueError, match="Scene has no view 'top'; it has 2d, side"):
        SCENE.animation("top")


@pytest.mark.parametrize("view", ["2d", "side"])
def test_a_notebooks_rcparams_change_no_pixel(view):
    plain = frames(SCENE.animation(view, size=(160, 120)).to_jshtml())
    with matplotlib.rc_context(HOSTILE):
        hostile = frames(SCENE.animation(view, size=(160, 120)).to_jshtml())
    assert len(plain) == len(hostile) == 6
    for a, b in zip(plain, hostile):
        assert a.shape == (120, 160, 3)
        np.testing.assert_array_equal(a, b)
    assert any(np.any(a != b) for a, b in zip(plain, plain[1:]))        # the frames do move


# --- a scene shows itself: an inline MP4 made by the pipeline ------------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def inline_video(text: str) -> bytes:
    """The MP4 a notebook's output plays: a plain <video>, or the page's player around one."""
    found = re.fullmatch(r'<video width="(\d+)" height="(\d+)" autoplay loop muted playsinline controls '
                         r'aria-label="[^"]*" src="data:video/mp4;base64,([A-Za-z0-9+/=]+)"></video>', text)
    if found:
        return base64.b64decode(found.group(3))
    found = re.findall(r'<video width="\d+" height="\d+" src="data:video/mp4;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(found) == 1 and text.startswith("<style>") and "data-player" in text, text[:300]
    assert text.rstrip().endswith("</script>")
    return base64.b64decode(found[0])


def mp4_frames(data: bytes, tmp_path):
    import imageio_ffmpeg
    path = tmp_path / "shown.mp4"
    path.write_bytes(data)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    return meta, sum(1 for _ in reader)


def test_a_bare_scene_is_its_first_view_as_an_inline_mp4_the_command_would_write(tmp_path):
    from render.load import load
    from render.notebook import NOTEBOOK_SIZE
    from render.pipeline import render_scene
    _, scene = load(ROOT / "scenes" / "ols_compare.py")[0]
    data = inline_video(scene._repr_html_())
    assert len(data) < 10 * 2 ** 20
    meta, count = mp4_frames(data, tmp_path)
    assert tuple(meta["size"]) == NOTEBOOK_SIZE == (640, 360)
    # Every step, the start held before it, the note's hold at its step, the result after it.
    held = sum(note.hold for note in scene.notes)
    assert held == 1.0
    assert count == round(scene.hold_start * scene.fps) + 101 + round(held * scene.fps) + round(scene.hold * scene.fps)
    # Byte for byte what the command writes for the same view, size and theme.
    written = render_scene(scene, name="ols", out=tmp_path, formats=("mp4",), views=["2d"], size=(640, 360))
    assert written[0].path.read_bytes() == data


def test_show_makes_other_choices(tmp_path):
    shown = SCENE.show("side", size=(320, 180), format="gif", jobs=1)
    assert (shown.format, shown.size) == ("gif", (320, 180))
    gif = Image.open(io.BytesIO(shown.data))
    assert gif.size == (320, 180) and gif.n_frames == 6
    text = shown._repr_html_()
    assert text.startswith('<img src="data:image/gif;base64,') and text.endswith('" width="320" height="180" '
                                                                                 'alt="rosenbrock, view side">')
    assert base64.b64decode(re.search(r"base64,([^\"]+)", text).group(1)) == shown.data
    assert shown.save(tmp_path / "side.gif").read_bytes() == shown.data
    assert repr(shown) == f"<Media gif 320x180, {len(shown.data)} bytes>"
    dark = SCENE.show(size=(320, 180), theme="dark")
    assert dark.format == "mp4" and dark.data != SCENE.show(size=(320, 180)).data


@pytest.mark.parametrize("kwargs,message", [
    ({"format": "webm"}, "format must be one of mp4, gif, got 'webm'"),
    ({"size": (321, 180)}, r"size must be two even whole numbers from 16x16 to 7680x4320, got \(321, 180\)"),
    ({"size": "640x360"}, r"size must be \(width, height\) in pixels, got '640x360'"),
    ({"view": "top"}, "Scene has no view 'top'; it has 2d, side"),
])
def test_show_says_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SCENE.show(**kwargs)


def test_a_scene_shows_itself_without_ipython(tmp_path):
    import subprocess
    import sys
    code = ("import sys; sys.modules['IPython'] = None\n"
            "from render import Run, Scene, optimizers as opt\n"
            "html = Scene('bowl', [Run(opt.GD(lr=0.1), (5.0, 4.0))], 5)._repr_html_()\n"
            "import IPython\n")
    result = subprocess.run([sys.executable, "-c", code + "print(html[:80])"], capture_output=True, text=True)
    assert "ModuleNotFoundError: import of IPython halted" in result.stderr   # truly not importable
    code = code.replace("import IPython\n", "")
    result = subprocess.run([sys.executable, "-c", code + "print(html)"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<style>")
    assert len(inline_video(result.stdout.strip())) > 1000


def test_a_real_notebook_plays_a_bare_scene(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    cells = [
        "from render import Run, Scene, View2D, View3D, optimizers as opt\n"
        "scene = Scene('himmelblau', [Run(opt.Adam(lr=0.3), (-4.0, 4.0), label='Adam'),\n"
        "                             Run(opt.GD(lr=0.01), (0.0, 0.0), label='GD')], 30,\n"
        "              views=[View2D(), View3D()])",
        "scene",
        "scene.show('3d', size=(320, 180), format='gif')",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                   ).execute()
    bare, shown = notebook.cells[1].outputs, notebook.cells[2].outputs
    assert [o["output_type"] for o in bare] == ["execute_result"]
    meta, count = mp4_frames(inline_video(bare[0]["data"]["text/html"]), tmp_path)
    # 31 frames, the start held 0.5 s, the result 1.5 s.
    assert tuple(meta["size"]) == (640, 360) and count == 10 + 31 + 30
    assert [o["output_type"] for o in shown] == ["execute_result"]
    gif = base64.b64decode(re.search(r'src="data:image/gif;base64,([^"]+)"', shown[0]["data"]["text/html"]).group(1))
    assert Image.open(io.BytesIO(gif)).n_frames == 31


def test_the_notebooks_progress_bar_counts_frames_and_gives_way_to_the_result():
    from render.notebook import _Progress
    said, cleared = [], []

    class Handle:
        def update(self, html):
            said.append(html)

    def display(html, display_id):
        assert display_id is True
        said.append(html)
        return Handle()

    bar = _Progress((display, lambda text: text, lambda wait: cleared.append(wait)))
    bar.EVERY = 0.0
    with bar as progress:
        tick, context = progress("2d", 4)
        with context:
            for _ in range(4):
                tick()
    assert [re.search(r'value="(\d+)" max="(\d+)"', s).groups() for s in said] == \
        [("0", "4"), ("1", "4"), ("2", "4"), ("3", "4"), ("4", "4")]
    assert said[-1].endswith("<span>rendering 2d: 4 of 4 frames</span>")
    assert cleared == [True]
    # Outside a notebook's kernel there is no bar.
    with _Progress(None) as nothing:
        assert nothing is None
