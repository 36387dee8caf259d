"""Scene specs: every bad value is refused at construction, naming its field; specs compute
nothing."""
import dataclasses

import pytest

import numpy as np

from render import Camera, Run, Scene, Swarm, View2D, View3D, optimizers as opt

RUN = Run(opt.GD(lr=0.1), (1.0, 1.0))


@pytest.mark.parametrize("make,field", [
    (lambda: Run(opt.GD(), "origin"), "Run: start"),
    (lambda: Run(opt.GD(), (1, float("inf"))), "Run: start"),
    (lambda: Run(opt.GD(), (0, 0), label=3), "Run: label"),
    (lambda: Run(opt.GD(), (0, 0), color="not-a-colour"), "Run: color"),
    (lambda: Run(None, (0, 0)), "Run: optimizer"),
    (lambda: Camera(elev=120), "Camera: elev"),
    (lambda: Camera(azim="east"), "Camera: azim"),
    (lambda: Camera(distance=0), "Camera: distance"),
    (lambda: Camera(orbit=float("nan")), "Camera: orbit"),
    (lambda: View2D(levels="cubic"), "View2D: levels"),
    (lambda: View2D(levels=[3, 2, 1]), "View2D: levels"),
    (lambda: View2D(contours=1), "View2D: contours"),
    (lambda: View2D(arrows="yes"), "View2D: arrows"),
    (lambda: View2D(field=1), "View2D: field"),
    (lambda: View2D(loss_panel=None), "View2D: loss_panel"),
    (lambda: View2D(window=(0, 0, 1, 2)), "View2D: window"),
    (lambda: View2D(cmap="rainbowish"), "View2D: cmap"),
    (lambda: View2D(aspect="square"), "View2D: aspect"),
    (lambda: View2D(window="fitted"), "View2D: window"),
    (lambda: View2D(loss_scale="symlog"), "View2D: loss_scale"),
    (lambda: View3D(z="sqrt"), "View3D: z"),
    (lambda: Scene("bowl", [RUN], 10, time="geometric"), "Scene: time"),
    (lambda: Scene("bowl", [RUN], 10, hold_start=-1), "Scene: hold_start"),
    (lambda: View2D(legend="left"), "View2D: legend"),
    (lambda: View2D(name="my view"), "View2D: name"),
    (lambda: View3D(camera=(30, 60)), "View3D: camera"),
    (lambda: View3D(alpha=1.5), "View3D: alpha"),
    (lambda: View3D(shadow="on"), "View3D: shadow"),
    (lambda: View3D(resolution=2), "View3D: resolution"),
    (lambda: Scene(42, [RUN], 10), "Scene: surface"),
    (lambda: Scene("bowl", RUN, 10), "Scene: runs"),
    (lambda: Scene("bowl", [RUN], 0), "Scene: steps"),
    (lambda: Scene("bowl", [RUN], 10, views=[]), "Scene: views"),
    (lambda: Scene("bowl", [RUN], 10, views=["2d"]), "Scene: views[0]"),
    (lambda: Scene("bowl", [RUN], 10, views=[View2D(), View2D()]), "Scene: views"),
    (lambda: Scene("bowl", [RUN], 10, fps=0), "Scene: fps"),
    (lambda: Scene("bowl", [RUN], 10, name="a/b"), "Scene: name"),
    (lambda: Scene("bowl", [RUN], 10, title=5), "Scene: title"),
    (lambda: Scene("bowl", [RUN], 10, max_frames=1), "Scene: max_frames"),
    (lambda: Scene("bowl", [RUN], 10, seed=-1), "Scene: seed"),
    (lambda: Scene("bowl", [RUN], 10, theme="neon"), "Scene: theme"),
    (lambda: Scene("bowl", [RUN], 10, hold=-1), "Scene: hold"),
    (lambda: Scene("bowl", [RUN, "swarm"], 10), "Scene: runs[1]"),
    (lambda: Scene("bowl", [Swarm(opt.GD(), grid=100)] * 3, 10), "Scene: runs"),
    (lambda: Swarm(opt.GD()), "Swarm: exactly one of grid"),
    (lambda: Swarm(opt.GD(), grid=3, random=9), "Swarm: exactly one of grid"),
    (lambda: Swarm(opt.GD(), grid=0), "Swarm: grid"),
    (lambda: Swarm(opt.GD(), grid=(3, 4, 5)), "Swarm: grid"),
    (lambda: Swarm(opt.GD(), grid=(200, 200)), "Swarm: grid"),
    (lambda: Swarm(opt.GD(), random=0), "Swarm: random"),
    (lambda: Swarm(opt.GD(), random=2.5), "Swarm: random"),
    (lambda: Swarm(opt.GD(), starts=[(0, 0), (1, "a")]), "Swarm: starts[1]"),
    (lambda: Swarm(opt.GD(), starts="grid"), "Swarm: starts"),
    (lambda: Swarm(opt.GD(), starts=[]), "Swarm: starts"),
    (lambda: Swarm(opt.GD(), grid=3, window=(1, 0, 0, 1)), "Swarm: window"),
    (lambda: Swarm(opt.GD(), grid=3, color_by="loss"), "Swarm: color_by"),
    (lambda: Swarm(opt.GD(), grid=3, tail=0), "Swarm: tail"),
    (lambda: Swarm(opt.GD(), grid=3, color="nope"), "Swarm: color"),
    (lambda: Swarm("GD", grid=3), "Swarm: optimizer"),
    (lambda: Run(opt.GD(), (0, 0), swarm="mine"), "Run: swarm"),
    (lambda: Run(opt.GD(), "12"), "Run: start"),
    (lambda: Run(opt.GD(), (10**400, 0)), "Run: start"),
    (lambda: Run(opt.GD(), (0, 0), color=(float("nan"), 0, 0)), "Run: color"),
    (lambda: opt.GD(lr=10**400), "GD: lr"),
    (lambda: View2D(levels=[0, 1e308]), "View2D: levels"),
    (lambda: View2D(name="n" * 101), "View2D: name"),
    (lambda: Camera(distance=1e-300), "Camera: distance"),
    (lambda: Camera(distance=1e6), "Camera: distance"),
    (lambda: Scene("bowl", [RUN], 10, fps=1e-9), "Scene: fps"),
    (lambda: Scene("bowl", [RUN], 10, name="x" * 256), "Scene: name"),
])
def test_bad_values_name_their_field(make, field):
    with pytest.raises(ValueError) as error:
        make()
    message = str(error.value)
    assert message.startswith(field), message
    assert "must" in message and "\n" not in message and len(message) < 250, message


def test_defaults_and_normalised_values():
    scene = Scene("bowl", [RUN, Run(opt.Adam(), (2, 2), color="red")], 10)
    assert scene.views == (View2D(),) and scene.fps == 20.0 and scene.max_frames == 200
    assert (scene.hold_start, scene.hold, scene.time, scene.trim, scene.smooth) == (0.5, 1.5, "linear", True, True)
    assert View2D().window == View2D(window=None).window == "fit" and View2D().legend is None
    assert [r.color for r in scene.runs] == [None, "#ff0000"]          # the plan picks the rest
    assert Run(opt.GD(), [1, 2]).start == (1.0, 2.0)
    assert View2D(levels=[1, 2, 4]).levels == (1.0, 2.0, 4.0)
    assert View3D().camera == Camera(elev=30, azim=-60)
    assert Camera(azim=10, orbit=90).azimuth(0.5) == 55


def test_a_start_outside_the_window_is_a_warning_not_an_error():
    with pytest.warns(UserWarning, match=r"runs\[0\] starts at \(50.0, 0.0\), outside the surface's window"):
        Scene("bowl", [Run(opt.GD(), (50, 0))], 5)


def test_a_view_is_found_by_name_or_given_as_it_is():
    scene = Scene("bowl", [RUN], 10, views=[View2D(), View3D(name="side")])
    assert scene.view("side") is scene.views[1] and scene.view(scene.views[0]) is scene.views[0]
    with pytest.raises(ValueError, match="Scene has no view 'top'; it has 2d, side"):
        scene.view("top")


def test_a_scene_holds_its_fields_and_nothing_it_computed():
    scene = Scene("bowl", [RUN], 10)
    scene.simulate()
    scene.animation                                    # a method, not a cache
    assert set(vars(scene)) == {f.name for f in dataclasses.fields(scene)}
    for gone in ("colors", "frame_steps", "write_data", "data_name", "palette"):
        assert not hasattr(scene, gone), gone


def test_a_swarm_stands_for_one_run_per_start():
    swarm = Swarm(opt.GD(lr=0.1), grid=(4, 2), label="gd", color="red")
    single = Run(opt.Adam(), (0.5, 0.5))
    scene = Scene("bowl", [single, swarm], 10)
    xmin, xmax, ymin, ymax = scene.surface.window
    assert len(scene.runs) == 9 and scene.runs[0] is single
    starts = np.array([r.start for r in scene.runs[1:]])
    # Cell centres, x fastest: none on the window's edge.
    dx, dy = (xmax - xmin) / 4, (ymax - ymin) / 2
    np.testing.assert_allclose(starts[:4, 0], xmin + dx * np.array([0.5, 1.5, 2.5, 3.5]))
    np.testing.assert_allclose(starts[[0, 4], 1], [ymin + dy / 2, ymin + 1.5 * dy])
    assert all(r.swarm is swarm and r.label == "gd" and r.color == "#ff0000" for r in scene.runs[1:])
    assert all(r.optimizer is swarm.optimizer for r in scene.runs[1:])
    assert Swarm(opt.GD(), grid=3).grid == (3, 3)


def test_a_random_swarm_is_seeded_and_inside_its_window():
    a = Swarm(opt.GD(), random=50, window=(0, 1, 10, 12), seed=4).points(None)
    b = Swarm(opt.GD(), random=50, window=(0, 1, 10, 12), seed=4).points(None)
    c = Swarm(opt.GD(), random=50, window=(0, 1, 10, 12), seed=5).points(None)
    assert a.shape == (50, 2) and np.array_equal(a, b) and not np.array_equal(a, c)
    assert a[:, 0].min() >= 0 and a[:, 0].max() <= 1 and a[:, 1].min() >= 10 and a[:, 1].max() <= 12
    given = Swarm(opt.GD(), starts=[(1, 2), [3, 4]])
    assert given.starts == ((1.0, 2.0), (3.0, 4.0))
    assert np.array_equal(given.points((0, 1, 0, 1)), [[1, 2], [3, 4]])


def test_a_swarm_partly_outside_the_window_is_one_warning():
    with pytest.warns(UserWarning) as record:
        Scene("bowl", [Swarm(opt.GD(), grid=10, window=(-3, 50, -2, 2))], 5)
    message, = [str(w.message) for w in record]
    assert message.startswith("Scene: runs[0] is a swarm with 80 starts outside the surface's window")
