"""The story in the frame: notes at steps, events found in the simulation, and the same said
without pixels (WebVTT captions, alt text, events.csv)."""
import csv
import math
import re

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from render import Note, Run, Scene, View2D, View3D, optimizers as opt, plan as planning, surfaces
from render.cli import main
from render.frames import FrameSource
from render.story import LEAD, REACH

BOWL = surfaces.Function(lambda x, y: x * x + y * y, window=(-2, 2, -2, 2), minima=[(0.0, 0.0)], name="bowl")


def race(**kw):
    runs = [Run(opt.GD(lr=0.05), (1.5, 1.0), label="slow"), Run(opt.GD(lr=0.3), (1.5, 1.0), label="fast")]
    return Scene(BOWL, runs, 40, views=[View2D(), View3D()], smooth=False, trim=False, **kw)


@pytest.mark.parametrize("view", ["2d", "3d"])
def test_a_note_is_in_the_frame_of_its_step_and_not_ten_steps_before(view):
    with_note = planning.build(race(notes=[Note(30, "the fast one is there", run="fast")], show_events=False))
    without = planning.build(race(show_events=False))
    a = FrameSource(with_note, with_note.scene.view(view), (480, 270))
    b = FrameSource(without, without.scene.view(view), (480, 270))
    assert with_note.captions[0].first == 30
    np.testing.assert_array_equal(a.frame(20), b.frame(20))
    changed = np.any(a.frame(30) != b.frame(30), axis=2)
    assert changed.sum() > 300                         # a boxed line of text and its arrow
    # drawn in the run's colour: its box edge and arrow
    fast = np.array([int(with_note.colors[1][k:k + 2], 16) for k in (1, 3, 5)])
    pixels = a.frame(30)[changed].astype(int)
    assert np.any(np.abs(pixels - fast).sum(axis=1) < 30)


def durations(path):
    """A GIF's frame delays in milliseconds."""
    im = Image.open(path)
    out = []
    for k in range(im.n_frames):
        im.seek(k)
        out.append(im.info["duration"])
    return out


def test_a_note_that_holds_lengthens_the_gif_and_the_mp4_by_its_seconds(tmp_path):
    import imageio_ffmpeg
    scene_files = {}
    for name, notes in (("plain", []), ("held", [Note(20, "stop and look", hold=1.5)])):
        path = tmp_path / f"{name}.py"
        path.write_text("from render import Note, Run, Scene, View2D, optimizers as opt\n"
                        f"scene = Scene('quadratic', [Run(opt.GD(lr=0.1), (1.5, 1.0))], 30, views=[View2D()], "
                        f"smooth=False, trim=False, show_events=False, fps=10, notes={notes!r})\n")
        scene_files[name] = path
    for name, path in scene_files.items():
        result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "out"), "--format", "gif,mp4",
                                           "--size", "160x90"])
        assert result.exit_code == 0, result.output
    plain, held = (durations(tmp_path / "out" / n / "2d.gif") for n in ("plain", "held"))
    assert len(plain) == len(held) == 31
    assert sum(held) - sum(plain) == 1500
    assert held[20] - plain[20] == 1500 and held[:20] == plain[:20]
    frames, secs = zip(*(imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "out" / n / "2d.mp4"))
                         for n in ("plain", "held")))
    # The same pictures stored (a held one is shown longer, not stored again), 1.5 s more.
    assert frames[1] == frames[0]
    assert secs[1] - secs[0] == pytest.approx(1.5, abs=0.11)
    # Played at its rate: 15 frames more, all of them the note's frame.
    played = {n: list(imageio_ffmpeg.read_frames(str(tmp_path / "out" / n / "2d.mp4")))[1:] for n in ("plain", "held")}
    assert len(played["held"]) - len(played["plain"]) == 15
    at = 20 + 5                                         # after the first frame's 0.5 s hold
    assert len({bytes(f) for f in played["held"][at:at + 16]}) == 1
    assert played["held"][at + 16] != played["held"][at]


def test_events_come_out_at_the_known_steps_with_the_right_runs():
    # GD on x^2 + y^2 multiplies the position by (1 - 2 lr) each step: lr 0.1 arrives when
    # 0.8^k |p0| is within REACH of the window's diagonal; lr 1.1 grows by 1.2 a step,
    # leaves the window, then diverges.
    scene = Scene(BOWL, [Run(opt.GD(lr=0.1), (1.5, 1.0), label="steady"),
                         Run(opt.GD(lr=1.1), (0.3, 0.2), label="wild")], 200)
    plan = planning.build(scene)
    xmin, xmax, ymin, ymax = plan.window
    start = math.hypot(1.5, 1.0)
    arrives = math.ceil(math.log(REACH * math.hypot(xmax - xmin, ymax - ymin) / start) / math.log(0.8))
    p = np.array([0.3, 0.2]) * (-1.2) ** np.arange(201)[:, None]
    leaves = int(np.argmax((p[:, 0] < xmin) | (p[:, 0] > xmax) | (p[:, 1] < ymin) | (p[:, 1] > ymax)))
    said = [(e.step, e.run, e.kind, e.text) for e in scene.events()]
    diverged = int(plan.trajectories.diverged_at[1])
    assert 100 < diverged < 200
    assert said == sorted([(arrives, 0, "reaches", "steady reaches the minimum"),
                           (leaves, 1, "leaves", "wild leaves the frame"),
                           (diverged, 1, "diverges", "wild diverges")])
    assert [(e.step, e.run, e.kind) for e in plan.events] == [s[:3] for s in said]


def test_the_run_that_takes_the_lead_is_said_to_overtake_the_leader():
    # Heavy-ball momentum starts slower than GD with a larger rate, then passes it.
    scene = Scene(BOWL, [Run(opt.GD(lr=0.02), (1.5, 1.0), label="GD"),
                         Run(opt.Momentum(lr=0.005, momentum=0.9), (1.5, 1.0), label="HB")], 100)
    t = scene.simulate()
    leader = np.argmin(t.losses, axis=0)
    keep = max(3, math.ceil(LEAD * 100))
    assert leader[1] == 0
    switch = next(s for s in range(1, 101) if leader[s] == 1 and np.all(leader[s:s + keep] == 1))
    overtakes = [e for e in scene.events() if e.kind == "overtakes"]
    assert overtakes[0].step == switch and overtakes[0].run == 1 and overtakes[0].text == "HB overtakes GD"


def cues(text):
    """WebVTT cues as (start seconds, end seconds, text), checked against the format."""
    assert text.startswith("WEBVTT\n\n")
    stamp = r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)"
    found = []
    for block in text.strip().split("\n\n")[1:]:
        number, times, words = block.split("\n")
        assert number.isdigit()
        m = re.fullmatch(f"{stamp} --> {stamp}", times)
        assert m, times
        v = [int(g) for g in m.groups()]
        seconds = lambda h, mi, s, ms: 3600 * h + 60 * mi + s + ms / 1000
        found.append((seconds(*v[:4]), seconds(*v[4:]), words))
    return found


def test_captions_parse_and_each_cue_starts_when_its_frame_comes_up_in_the_gif(tmp_path):
    path = tmp_path / "told.py"
    path.write_text("from render import Note, Run, Scene, View2D, optimizers as opt, surfaces\n"
                    "bowl = surfaces.Function(lambda x, y: x * x + y * y, window=(-2, 2, -2, 2), minima=[(0, 0)])\n"
                    "scene = Scene(bowl, [Run(opt.GD(lr=0.1), (1.5, 1.0), label='GD')], 60, views=[View2D()],\n"
                    "              smooth=False, trim=False, fps=10,\n"
                    "              notes=[Note(10, 'a first note', hold=1.0), Note(40, 'GD <is> close', run='GD')])\n")
    result = CliRunner().invoke(main, [str(path), "--out", str(tmp_path / "out"), "--format", "gif,vtt,txt",
                                       "--size", "320x180", "--data"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "told"
    found = cues((folder / "2d.vtt").read_text())
    assert [w for _, _, w in found] == ["a first note", "GD reaches the minimum", "GD &lt;is&gt; close"]
    clock = np.concatenate([[0], np.cumsum(durations(folder / "2d.gif"))]) / 1000
    events = list(csv.DictReader(open(folder / "events.csv")))
    arrives = int(events[0]["step"])
    assert [(e["kind"], e["run"], e["label"]) for e in events] == [("reaches", "0", "GD")]
    for (start, end, _), step in zip(found, (10, arrives, 40)):
        assert start == pytest.approx(clock[step], abs=1e-3)          # frame k comes up then
        # up 2 s (20 frames), off before the final frame (60) comes up
        assert end == pytest.approx(clock[min(step + 20, 59) + 1], abs=1e-3)
    alt = (folder / "2d.txt").read_text()
    assert alt.startswith("An animation of 1 gradient-descent run over ")
    assert f"GD reaches a minimum first, at step {arrives}." in alt
    assert "Final losses, lowest first: GD " in alt and "step 40: GD <is> close." in alt


@pytest.mark.parametrize("notes,said", [
    ([Note(50, "late")], "Scene: notes[0] is at step 50, after the last step (40)"),
    ([Note(5, "who?", run="Adam")], "Scene: a Note names no run 'Adam'; name one of slow, fast, or give its index"),
    ([Note(5, "which?", run=7)], "Scene: a Note's run must be a run's index below 2, got 7"),
    (["step 5: look"], "Scene: notes[0] must be a Note(step, text, run=None, hold=0), got 'step 5: look'"),
])
def test_a_bad_note_is_one_line(notes, said):
    with pytest.raises(ValueError) as error:
        race(notes=notes)
    assert str(error.value) == said


@pytest.mark.parametrize("make,said", [
    (lambda: Note(-1, "x"), "Note: step must be a whole number in [0, 1e+07], got -1"),
    (lambda: Note(3, "  "), "Note: text must be a short line of text, got '  '"),
    (lambda: Note(3, "x", hold=11), "Note: hold must be in [0, 10], got 11.0"),
])
def test_a_bad_note_field_is_one_line(make, said):
    with pytest.raises(ValueError) as error:
        make()
    assert str(error.value) == said


def test_events_can_be_turned_off_and_a_crowd_gets_none_drawn():
    off = planning.build(race(show_events=False))
    assert off.events and not off.captions              # found, not drawn
    on = planning.build(race())
    assert [c.kind for c in on.captions] == [e.kind for e in on.events][:len(on.captions)]
    # none stays into the final frame, the still a PNG keeps
    assert on.captions and all(c.last < len(on.times) - 1 for c in on.captions)


# --- camera moves --------------------------------------------------------------------------------

def keyed(camera):
    return Scene("rosenbrock", [Run(opt.Adam(lr=0.05), (-1.5, 2.0), label="Adam")], 40, show_events=False,
                 views=[View3D(camera=camera)], smooth=False, trim=False)


def test_a_keyed_camera_at_each_key_draws_the_still_camera_of_that_pose():
    from render import Camera, Key
    camera = Camera(elev=30, azim=-60, distance=10, keys=[Key(0.5, elev=60, azim=20),
                                                         Key(1.0, elev=45, azim=90, distance=8)])
    moving = planning.build(keyed(camera))
    source = FrameSource(moving, moving.scene.views[0], (480, 270))
    assert source.drawing.moving_camera
    frames = {}
    for at, still in ((0.0, Camera(elev=30, azim=-60, distance=10)), (0.5, Camera(elev=60, azim=20, distance=10)),
                      (1.0, Camera(elev=45, azim=90, distance=8))):
        k = next(f for f in range(len(source)) if moving.fraction(f) == at)
        planned = planning.build(keyed(still))
        expected = FrameSource(planned, planned.scene.views[0], (480, 270)).frame(k)
        frames[at] = source.frame(k)
        differ = np.any(frames[at] != expected, axis=2)
        # (a moving camera's text is stamped at whole pixels: the glyphs' edges, under 1%)
        assert differ.mean() < 0.01, (at, differ.mean())
    # and the camera does move: each key's frame is far from the others'
    for a, b in ((0.0, 0.5), (0.5, 1.0)):
        assert np.mean(np.any(frames[a] != frames[b], axis=2)) > 0.3


def test_the_camera_eases_between_keys_and_an_orbit_turns_on_top():
    from render import Camera, Key
    camera = Camera(elev=30, azim=-60, keys=[Key(0.5, elev=60, azim=0), Key(1.0, azim=40)])
    assert camera.pose(0.0) == (30.0, -60.0, None) and camera.pose(0.5) == (60.0, 0.0, None)
    elev, azim, _ = camera.pose(0.125)              # a quarter of the way to the first key
    assert elev == pytest.approx(30 + 30 * 0.15625) and azim == pytest.approx(-60 + 60 * 0.15625)
    assert camera.pose(0.75) == pytest.approx((60.0, 20.0, None))   # elevation kept, azimuth halfway
    turning = Camera(elev=30, azim=-60, orbit=90, keys=[Key(1.0, elev=50)])
    assert turning.pose(1.0) == pytest.approx((50.0, 30.0, None))
    assert not Camera().moves and Camera(keys=[Key(1.0, elev=30)]).moves is False


@pytest.mark.parametrize("make,said", [
    (lambda c, k: c(keys=[k(0.8, elev=10), k(0.2, elev=20)]), "Camera: keys must be at increasing fractions, got [0.8, 0.2]"),
    (lambda c, k: c(keys=[k(0.5, distance=6)]), "Camera: a key's distance moves the camera from its own: give the "
                                                "Camera a distance too (matplotlib's is 10)"),
    (lambda c, k: c(keys=[(0.5, 60, 0)]), "Camera: keys[0] must be a Key(at, elev, azim, distance), got (0.5, 60, 0)"),
    (lambda c, k: k(1.5, elev=10), "Key: at must be in [0, 1], got 1.5"),
])
def test_a_bad_camera_key_is_one_line(make, said):
    from render import Camera, Key
    with pytest.raises(ValueError) as error:
        make(Camera, Key)
    assert str(error.value) == said


# --- insets --------------------------------------------------------------------------------------

def test_an_inset_shows_the_runs_in_its_corner_magnified_and_keeps_the_plots_trails_off_it():
    from render import Inset
    scene = Scene(BOWL, [Run(opt.GD(lr=0.05), (1.5, 1.0), label="slow"), Run(opt.GD(lr=0.3), (1.5, 1.0), label="fast")],
                  40, smooth=False, trim=False, show_events=False,
                  views=[View2D(inset=Inset((-0.2, 0.2, -0.2, 0.2), at="upper left", size=0.4))])
    plan = planning.build(scene)
    source = FrameSource(plan, scene.views[0], (640, 360))
    inset = source.drawing.inset
    assert inset.corner == "upper left"
    frame = source.frame(len(source) - 1)
    x0, y0, x1, y1 = (int(round(v)) for v in inset.ax.get_window_extent().extents)
    region = frame[360 - y1 + 2:360 - y0 - 2, x0 + 2:x1 - 2].reshape(-1, 3).astype(int)
    # Both runs end inside the magnified window: both colours are in its corner.
    for color in plan.colors:
        rgb = np.array([int(color[k:k + 2], 16) for k in (1, 3, 5)])
        assert np.sum(np.abs(region - rgb).sum(axis=1) < 30) > 20, color


def test_the_plots_trails_do_not_cross_an_inset_that_covers_them():
    # The run's path from (1.5, 1) runs under the upper-right inset; the inset magnifies a
    # corner no run reaches, so no run colour may show in it: the plot's trail is kept off.
    from render import Inset
    scene = Scene(BOWL, [Run(opt.GD(lr=0.1), (1.5, 1.0), label="GD")], 40, smooth=False, trim=False,
                  show_events=False, views=[View2D(window=(-2, 2, -2, 2), labels=False,
                                                   inset=Inset((-1.9, -1.7, -1.9, -1.7), at="upper right",
                                                               size=0.45))])
    plan = planning.build(scene)
    source = FrameSource(plan, scene.views[0], (640, 360))
    box = source.drawing.inset.ax.get_window_extent()
    P = source.drawing.ax.transData.transform(plan.trajectories.positions[0])
    under = (P[:, 0] > box.x0) & (P[:, 0] < box.x1) & (P[:, 1] > box.y0) & (P[:, 1] < box.y1)
    assert under.sum() >= 5                             # the path does pass under it
    x0, y0, x1, y1 = (int(round(v)) for v in box.extents)
    region = source.frame(len(source) - 1)[360 - y1 + 2:360 - y0 - 2, x0 + 2:x1 - 2].reshape(-1, 3).astype(int)
    rgb = np.array([int(plan.colors[0][k:k + 2], 16) for k in (1, 3, 5)])
    assert np.sum(np.abs(region - rgb).sum(axis=1) < 60) == 0


@pytest.mark.parametrize("make,said", [
    (lambda i: i((1, 0, 0, 1)), "Inset: window must have xmin < xmax and ymin < ymax, got (1, 0, 0, 1)"),
    (lambda i: i((0, 1, 0, 1), at="middle"), "Inset: at must be 'auto' or a corner (upper left, upper right, "
                                              "lower left, lower right), got 'middle'"),
    (lambda i: View2D(inset=(0, 1, 0, 1)), "View2D: inset must be an Inset(window, at='auto', size=0.38), got (0, 1, 0, 1)"),
])
def test_a_bad_inset_is_one_line(make, said):
    from render import Inset
    with pytest.raises(ValueError) as error:
        make(Inset)
    assert str(error.value) == said


# --- a 2D window that moves ----------------------------------------------------------------------

def moving(**view):
    runs = [Run(opt.Adam(lr=0.05), (-1.5, 2.0), label="Adam"),
            Run(opt.Momentum(lr=1e-3, momentum=0.9), (-1.5, 2.0), label="momentum")]
    return Scene("rosenbrock", runs, 120, smooth=False, trim=False, show_events=False, views=[View2D(**view)])


def test_a_2d_view_moves_to_each_key_window_eased_from_its_own():
    from render import Key
    scene = moving(keys=[Key(0.5, window=(0.3, 1.3, 0.0, 1.4)), Key(1.0, window=(0.8, 1.1, 0.7, 1.15))])
    plan = planning.build(scene)
    source = FrameSource(plan, scene.views[0], (320, 180))
    drawing = source.drawing
    assert drawing.moving_camera
    limits = lambda: (*drawing.ax.get_xlim(), *drawing.ax.get_ylim())
    start = drawing.windows[0]
    for frame, want in ((0, start), (60, (0.3, 1.3, 0.0, 1.4)), (120, (0.8, 1.1, 0.7, 1.15))):
        source.frame(frame)
        np.testing.assert_allclose(limits(), want, atol=1e-12)
    source.frame(15)                                   # a quarter of the way to the first key
    np.testing.assert_allclose(limits(), start + (np.array([0.3, 1.3, 0.0, 1.4]) - start) * 0.15625, atol=1e-12)


def test_a_followed_run_stays_in_the_window_which_never_jumps():
    scene = moving(follow="momentum", follow_size=0.3)
    plan = planning.build(scene)
    source = FrameSource(plan, scene.views[0], (320, 180))
    windows = source.drawing.windows
    P = plan.trajectories.positions[1]
    size = windows[0, 1] - windows[0, 0]
    for f, (xmin, xmax, ymin, ymax) in enumerate(windows):
        x, y = P[plan.steps[f]]
        assert xmin + 0.09 * size < x < xmax - 0.09 * size and ymin < y < ymax, f
    centres = np.column_stack([windows[:, :2].mean(axis=1), windows[:, 2:].mean(axis=1)])
    steps = np.hypot(*np.diff(centres, axis=0).T)
    assert steps.max() < 0.05 * size                   # at most a twentieth of the window a frame
    assert np.allclose(windows[:, 1] - windows[:, 0], size)      # the same size throughout


def test_a_moving_window_draws_the_same_bytes_in_workers_as_here():
    # Its frames are drawn whole, spread over forked workers; each worker opens its own fonts
    # (the title is a formula: the parent's parsed one shared its font files' read offsets).
    from render.frames import FrameStream
    from render import Key
    scene = moving(keys=[Key(1.0, window=(0.3, 1.3, 0.0, 1.4))])
    plan = planning.build(scene)
    here = [f.copy() for f in FrameStream(plan, scene.views[0], (320, 180), jobs=1)]
    spread = [f.copy() for f in FrameStream(plan, scene.views[0], (320, 180), jobs=2, chunk=4)]
    assert len(here) == len(spread) == 121
    assert all(np.array_equal(a, b) for a, b in zip(here, spread))


@pytest.mark.parametrize("make,said", [
    (lambda k: View2D(keys=[k(0.5, elev=30, window=(0, 1, 0, 1))]),
     "View2D: keys[0] must give a window and nothing else, Key(at, window=(xmin, xmax, ymin, ymax))"),
    (lambda k: View2D(keys=[k(0.5, window=(0, 1, 0, 1))], follow="Adam"),
     "View2D: follow and keys both move the window; give one"),
    (lambda k: moving(follow="GD"), "Scene: views[0] follows no run 'GD'; name one of Adam, momentum, or give its index"),
    (lambda k: moving(follow=5), "Scene: views[0]'s follow must be a run's index below 2, got 5"),
])
def test_a_bad_moving_window_is_one_line(make, said):
    from render import Key
    with pytest.raises(ValueError) as error:
        make(Key)
    assert str(error.value) == said


def _fonts_in_a_worker(plan, view, size, send):
    from matplotlib import mathtext
    from render import frames
    frames._start_worker(plan, view, size)
    send.send(mathtext.MathTextParser._parse_cached.cache_info().currsize)


def test_a_drawing_worker_starts_without_its_parents_parsed_formulas():
    import multiprocessing
    from matplotlib import mathtext
    from render import frames
    scene = moving()
    plan = planning.build(scene)
    frames._INHERITED = FrameSource(plan, scene.views[0], (160, 90))      # as a stream leaves it
    try:
        frames._INHERITED.frame(0)
        assert mathtext.MathTextParser._parse_cached.cache_info().currsize > 0   # the title's formula
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_fonts_in_a_worker, args=(plan, scene.views[0], (160, 90), send))
        child.start()
        assert receive.recv() == 0
        child.join(30)
    finally:
        frames._INHERITED = None


def test_in_3d_a_caption_points_at_the_edge_arrow_of_a_run_that_left_the_box():
    # Adam walks off a saddle: its caption's arrow ends short of the edge arrow drawn for
    # it, inside the frame, not at the empty space where the run would be.
    from render import Camera, views
    from render.views.captions import SHORT
    from render.views.runs import EDGE
    scene = Scene(surfaces.Saddle(), [Run(opt.Adam(lr=0.05), (-1.8, 0.05), label="Adam")], 120,
                  views=[View3D(camera=Camera(elev=35, azim=-60), alpha=0.8, window="surface")])
    plan = planning.build(scene)
    d = views.build(plan, scene.views[0], (480, 270))
    kind, where, _ = d.batches.marks()
    out = np.flatnonzero(kind[0] == EDGE)
    caption = next(k for k, c in enumerate(plan.captions) if c.kind == "leaves")
    frame = int(next(f for f in out if plan.captions[caption].first <= f <= plan.captions[caption].last))
    d.update(frame)
    edge = d._screen(where[0, frame][None])[0]
    start, end = (np.asarray(p) for p in d.captions.arrows[caption]._posA_posB)
    assert d.captions.arrows[caption].get_visible()
    assert 0 <= edge[0] <= 480 and 0 <= edge[1] <= 270
    assert np.hypot(*(edge - end)) == pytest.approx(SHORT * d.figure.dpi / 72, abs=0.5)
    assert np.dot(end - start, edge - start) > 0                      # on the way to it
