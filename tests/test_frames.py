"""Frame production: parallel frames equal serial ones; workers draw from the plan handed to
them and never simulate."""
import numpy as np

from render import Camera, Run, Scene, View2D, View3D, optimizers as opt
from render import plan as planning
from render.frames import FrameStream, rgb


def race(steps=40):
    return Scene("rosenbrock", [Run(opt.Adam(lr=0.3), (-1.5, 2.0), color="#ff00ff"),
                                Run(opt.GD(lr=1e-3), (1.0, -0.5), color="#00ffff")], steps,
                 views=[View3D(camera=Camera(orbit=60)), View2D(arrows=True), View3D(name="still")])


def test_parallel_frames_are_identical_to_serial_ones_and_nothing_simulates(monkeypatch):
    scene = race()
    plan = planning.build(scene)

    def refuse(self):
        raise AssertionError("frames must come from the plan, not a new simulation")
    monkeypatch.setattr(Scene, "simulate", refuse)
    view = scene.views[0]
    serial = list(FrameStream(plan, view, (160, 120), jobs=1))
    stream = FrameStream(plan, view, (160, 120), jobs=2, chunk=8)
    assert stream.jobs == 2
    parallel = list(stream)
    assert len(parallel) == len(serial) == 41
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)
    assert any(np.any(a != b) for a, b in zip(serial, serial[1:]))


def test_frames_from_workers_come_through_shared_memory_in_order_whatever_its_size(monkeypatch):
    # Room for one frame a slot: chunks of one frame, slots taken again and again; the RGBA
    # frames are read where they lie, each still whole when the next is asked for.
    from render import frames
    plan = planning.build(race(steps=20))
    view = plan.scene.views[0]
    serial = [f.copy() for f in FrameStream(plan, view, (96, 64), jobs=1).pixels()]
    monkeypatch.setattr(frames, "SHARED_BYTES", 5 * 96 * 64 * 4)
    seen = []
    for frame in FrameStream(plan, view, (96, 64), jobs=2, chunk=8).pixels():
        if seen:
            np.testing.assert_array_equal(seen[-1][1], seen[-1][0])      # the one before, untouched
        seen.append((frame, frame.copy()))
    assert len(seen) == len(serial) == 21
    for a, (_, b) in zip(serial, seen):
        np.testing.assert_array_equal(a, b)


def test_a_short_view_is_drawn_in_this_process():
    plan = planning.build(race(steps=6))
    assert FrameStream(plan, plan.scene.views[0], (64, 48), jobs=4, chunk=8).jobs == 1


def test_only_views_that_draw_whole_frames_use_workers():
    plan = planning.build(race())
    orbit, flat, still = plan.scene.views
    assert [FrameStream(plan, v, (64, 48), jobs=2, chunk=8).jobs for v in (orbit, flat, still)] == [2, 1, 1]
    assert FrameStream(plan, orbit, (64, 48), jobs=1, chunk=8).jobs == 1         # jobs is a cap


def test_rgb_copies_the_colour_channels():
    rgba = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    out = rgb(rgba)
    np.testing.assert_array_equal(out, rgba[..., :3])
    assert out.flags.c_contiguous and not np.shares_memory(out, rgba)
