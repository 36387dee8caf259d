"""A GIF size budget: fewer frames, then fewer pixels, until the GIF fits, and the output
line saying what was done."""
import re

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from test_encode import gif_delays

from render.cli import main
from render.sinks.gif import MIN_GIF_WIDTH, smaller as _smaller

ORBIT = """
from render import Camera, Run, Scene, View3D, optimizers as opt

scene = Scene(
    surface="rosenbrock",
    steps=17,
    runs=[Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam"),
          Run(opt.Momentum(lr=1e-3, momentum=0.9), (1.5, -0.5), label="momentum")],
    views=[View3D(camera=Camera(elev=40, azim=30, orbit=90))],
    fps=20,
)
"""
SIZE = (480, 270)
MiB = 2**20


def test_fewer_frames_come_first_then_fewer_pixels():
    # 9.5 MiB for 5: half the frames (20 fps to 10) is nearly enough; the pixels give the rest.
    assert _smaller((960, 540), 20.0, 1, int(9.5 * MiB), 5 * MiB) == ((934, 526), 2)
    # 3 MiB for 5 MiB fits already; a GIF at 8 fps and the least width has nothing left to take.
    assert _smaller((960, 540), 20.0, 1, 3 * MiB, 5 * MiB) is None
    assert _smaller((MIN_GIF_WIDTH, 180), 8.0, 1, 9 * MiB, 1 * MiB) is None
    # At 30 fps up to every 3rd frame goes (10 fps), then the pixels, never under 320 wide.
    assert _smaller((960, 540), 30.0, 1, 40 * MiB, 1 * MiB) == ((320, 180), 3)


def render(tmp_path, *options, scene=ORBIT):
    path = tmp_path / "orbit.py"
    path.write_text(scene)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [str(path), "--out", str(out), "--size", f"{SIZE[0]}x{SIZE[1]}",
                                       "--no-progress", "--jobs", "1", *options])
    return result, out / "orbit"


def test_a_gif_over_its_budget_is_made_to_fit_and_says_how(tmp_path):
    result, folder = render(tmp_path, "--format", "gif,mp4")
    assert result.exit_code == 0, result.output
    natural = (folder / "3d.gif").stat().st_size
    mp4 = (folder / "3d.mp4").read_bytes()
    budget = int(natural * 0.7)
    result, folder = render(tmp_path, "--format", "gif,mp4", "--gif-budget", str(budget))
    assert result.exit_code == 0, result.output
    with Image.open(folder / "3d.gif") as gif:
        frames, size = gif.n_frames, gif.size
    assert (folder / "3d.gif").stat().st_size <= budget
    # Every 2nd of the 18 frames and the last: 10 frames at 10 fps, the first held 0.5 s
    # more, the last 1.5 s.
    assert frames == 10 and size == SIZE
    assert gif_delays(folder / "3d.gif") == [600] + [100] * 8 + [1600]
    assert (folder / "3d.mp4").read_bytes() == mp4           # the budget is the GIF's alone
    line = next(x for x in result.output.splitlines() if x.startswith(str(folder / "3d.gif")))
    assert "budget: every 2nd frame, 10 fps; as asked," in line and "at 480x270, 20 fps" in line
    # Asked again, it is up to date and says the same; another budget makes it again.
    again, _ = render(tmp_path, "--format", "gif,mp4", "--gif-budget", str(budget))
    assert line + "  (up to date)" in again.output.splitlines()
    other, _ = render(tmp_path, "--format", "gif,mp4", "--gif-budget", str(budget + 1))
    assert "(up to date)" not in other.output


def test_a_budget_too_small_for_the_fewest_frames_and_pixels_is_said(tmp_path):
    result, folder = render(tmp_path, "--format", "gif", "--gif-budget", "2KiB")
    assert result.exit_code == 0, result.output
    with Image.open(folder / "3d.gif") as gif:
        frames, size = gif.n_frames, gif.size
    # 20 fps allows every 2nd frame (10 fps; every 3rd would be under 8); 320 pixels wide.
    assert frames == 10 and size == (MIN_GIF_WIDTH, 180)
    assert "over the 2.0 KiB budget even at every 2nd frame, 10 fps, 320x180" in result.output


@pytest.mark.parametrize("value,message", [("5xb", "'5xb' is not a size; write e.g. 5MiB"),
                                           ("100", "'100' is less than 1 KiB")])
def test_a_bad_budget_is_one_line_and_exit_2(tmp_path, value, message):
    result, folder = render(tmp_path, "--gif-budget", value)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not folder.exists()


TWO_CAMERAS = ORBIT.replace("views=[View3D(camera=Camera(elev=40, azim=30, orbit=90))],",
                            "views=[View3D(camera=Camera(elev=40, azim=30, orbit=90)),\n"
                            "           View3D(camera=Camera(elev=40, azim=30), name='still')],")


def render_two(tmp_path, *options):
    """The orbit beside a still camera, as GIF and PNG."""
    result, folder = render(tmp_path, "--format", "gif,png", *options, scene=TWO_CAMERAS)
    assert result.exit_code == 0, result.output
    return result, folder


def test_a_gif_that_moves_has_a_budget_by_default_and_off_takes_it_away(tmp_path, monkeypatch):
    from render.sinks import gif
    result, folder = render_two(tmp_path, "--gif-budget", "off")
    natural = {v: (folder / f"{v}.gif").read_bytes() for v in ("3d", "still")}
    assert "budget" not in result.output
    # The default budget, made small enough to matter for this small orbit.
    budget = int(len(natural["3d"]) * 0.7)
    monkeypatch.setattr(gif, "MOVING_GIF_BUDGET", budget)
    result, folder = render_two(tmp_path)
    line = next(x for x in result.output.splitlines() if x.startswith(str(folder / "3d.gif")))
    assert f"{gif.human_size(budget)} budget: every 2nd frame, 10 fps" in line, line
    with Image.open(folder / "3d.gif") as made:
        assert made.n_frames == 10 and (folder / "3d.gif").stat().st_size <= budget
    # The still camera's GIF is as it was: only frames that change whole get a budget.
    assert (folder / "still.gif").read_bytes() == natural["still"]
    # Off again is another output, made again, and the same bytes as the first.
    result, folder = render_two(tmp_path, "--gif-budget", "off")
    assert (folder / "3d.gif").read_bytes() == natural["3d"]


def test_the_first_try_is_measured_so_one_drawing_fits(tmp_path, monkeypatch):
    import render.encoding as encoding
    result, folder = render_two(tmp_path, "--gif-budget", "off")
    natural = (folder / "3d.gif").stat().st_size
    last = np.asarray(Image.open(folder / "3d.png").convert("RGB"), dtype=float)
    # A budget that needs fewer pixels as well as fewer frames.
    budget = int(natural * 0.4)
    calls = []
    render_view = encoding._render_view
    monkeypatch.setattr(encoding, "_render_view", lambda *a, **k: calls.append(a[1].name) or render_view(*a, **k))
    result, folder = render_two(tmp_path, "--gif-budget", str(budget), "--view", "3d")
    assert calls == ["3d"]                            # drawn once: no second try
    with Image.open(folder / "3d.gif") as made:
        size, frames = made.size, made.n_frames
        made.seek(frames - 1)
        gif_last = np.asarray(made.convert("RGB"), dtype=float)
    assert (folder / "3d.gif").stat().st_size <= budget and frames == 10
    assert MIN_GIF_WIDTH <= size[0] < SIZE[0] and abs(size[0] / size[1] - SIZE[0] / SIZE[1]) < 0.02
    # Its frames are the drawn ones, scaled (each pixel the mean of those it covers).
    scaled = np.asarray(Image.fromarray(last.astype(np.uint8)).resize(size, Image.Resampling.BOX), dtype=float)
    assert np.abs(gif_last - scaled).mean() < 3.0
    # The line says about how large it would have been, from the frames it measured: the
    # guess errs large (Pillow's LZW against ffmpeg's), by less than a third.
    line = next(x for x in result.output.splitlines() if x.startswith(str(folder / "3d.gif")))
    about = re.search(r"as asked, about ([\d.]+) KiB at 480x270, 20 fps", line)
    assert about, line
    assert 1.0 <= float(about.group(1)) * 1024 / natural < 1.35


def test_off_is_no_budget():
    from render.cli import _bytes
    assert _bytes(None, None, "off") == 0 and _bytes(None, None, " OFF ") == 0


def test_first_fit_measures_every_stride_a_frame_rate_allows():
    from render.sinks.gif import first_fit, pair_frames
    # 30 fps allows every 2nd and 3rd frame: the pairs hold each point's next frame and its
    # third (a stride of 2 is taken as between them).
    n, fps, size = 40, 30.0, (480, 270)
    assert pair_frames(n, fps) == [9, 10, 12, 18, 19, 21, 27, 28, 30]
    assert pair_frames(7, fps) == []                      # too short to measure that way
    rng = np.random.default_rng(0)
    blocks = rng.integers(0, 8, (23, 40)) * 32
    texture = np.kron(blocks, np.ones((12, 12), dtype=int)).astype(np.uint8)
    frames = {i: np.repeat(np.roll(texture, i, axis=1)[:270, :480, None], 3, axis=2)
              for i in [0, *pair_frames(n, fps)]}
    table = np.repeat(np.arange(255, dtype=np.uint8)[:, None], 3, axis=1)
    size_, stride, full = first_fit(table, frames, n, fps, size, 10**7)
    assert (size_, stride) == (size, 1) and full > 0
    # Half the bytes: every 2nd frame is nearly enough, every 3rd is; a tenth needs pixels too.
    assert first_fit(table, frames, n, fps, size, full // 2)[:2] == (size, 3)
    (w, h), stride, _ = first_fit(table, frames, n, fps, size, full // 5)
    assert stride == 3 and MIN_GIF_WIDTH <= w < size[0] and h == round(w * 9 / 16 / 2) * 2
    # Under the fewest pixels a budget may take, it stops there (the GIF made says so).
    assert first_fit(table, frames, n, fps, size, 1024)[:2] == ((MIN_GIF_WIDTH, 180), 3)


def test_a_guess_that_fell_short_is_made_again_and_says_what_it_measured(tmp_path, monkeypatch):
    # Guessed to fit as asked, the GIF is over: it is made again, and its line gives the
    # bytes it measured as asked, not the guess.
    from render import encoding
    result, folder = render_two(tmp_path, "--gif-budget", "off", "--view", "3d")
    natural = (folder / "3d.gif").stat().st_size
    monkeypatch.setattr(encoding, "first_fit", lambda table, frames, n, fps, size, budget: (None, 1, 1))
    budget = int(natural * 0.7)
    result, folder = render_two(tmp_path, "--gif-budget", str(budget), "--view", "3d")
    line = next(x for x in result.output.splitlines() if x.startswith(str(folder / "3d.gif")))
    assert (folder / "3d.gif").stat().st_size <= budget
    assert "budget: every 2nd frame, 10 fps; as asked, " in line and "about" not in line, line
