"""The plan: which step each frame shows, colours, labels, and each run's visible trail."""
import dataclasses

import numpy as np
import pytest

from render import Response, ResponseScene, Run, Scene, optimizers as opt
from render import plan as planning, themes
from render.plan import frame_steps

PALETTE = themes.THEMES["light"].palette

# GD at lr 1.475 on x^2 + y^2 multiplies the position by -1.95 a step: from (4, 4) it passes
# the divergence limit (1e12) at step 40. 1000 steps in 50 frames show steps 0, 20, 41, ...
DIVERGES_AT_40 = Scene("quadratic", [Run(opt.GD(lr=1.475), (4.0, 4.0), label="bold"),
                                     Run(opt.GD(lr=0.1), (4.0, 4.0))], 1000, max_frames=50)


def test_frame_plan_keeps_every_step_or_samples_evenly():
    np.testing.assert_array_equal(frame_steps(10, 300), np.arange(11))
    steps = frame_steps(200_000, 300)
    assert len(steps) == 300 and steps[0] == 0 and steps[-1] == 200_000
    gaps = np.diff(steps)
    assert gaps.min() >= 668 and gaps.max() <= 670


def test_a_diverged_runs_trail_ends_at_its_last_finite_step_even_between_frames():
    plan = planning.build(DIVERGES_AT_40)
    assert plan.trajectories.diverged_at.tolist() == [40, -1]
    assert plan.steps[:3].tolist() == [0, 20, 41] and 39 not in plan.steps
    idx, last = plan.trail(0, 2)                          # the frame of step 41
    assert idx.tolist() == [0, 20, 39] and last == 39
    assert plan.diverged(0, 2) and not plan.diverged(0, 1) and not plan.diverged(1, 2)
    idx, last = plan.trail(0, plan.frames - 1)            # and it stays there
    assert idx.tolist() == [0, 20, 39] and last == 39
    idx, last = plan.trail(1, plan.frames - 1)            # the other run shows every frame
    np.testing.assert_array_equal(idx, plan.steps)
    assert last == 1000


def test_a_run_diverged_at_its_start_has_no_trail():
    scene = Scene("quadratic", [Run(opt.GD(lr=0.1), (4.0, 4.0))], 5)
    t = scene.simulate()
    bad = dataclasses.replace(t, diverged_at=np.array([0]))
    plan = planning.build(scene, bad)
    for frame in range(plan.frames):
        idx, last = plan.trail(0, frame)
        assert idx.size == 0 and last == -1 and plan.diverged(0, frame)


def test_colours_are_the_runs_own_else_free_palette_entries():
    runs = [Run(opt.GD(lr=0.1), (1, 1)), Run(opt.GD(lr=0.2), (1, 1), color=PALETTE[1]),
            Run(opt.GD(lr=0.3), (1, 1)), Run(opt.GD(lr=0.4), (1, 1), color="red")]
    plan = planning.build(Scene("bowl", runs, 3))
    assert plan.colors == (PALETTE[0], PALETTE[1], PALETTE[2], "#ff0000")
    many = planning.build(Scene("bowl", [Run(opt.GD(lr=0.01 * (i + 1)), (1, 1)) for i in range(10)], 3))
    assert many.colors[:8] == PALETTE and many.colors[8:] == PALETTE[:2]


def test_runs_sharing_a_label_or_an_optimizer_share_a_colour():
    swarm = [Run(opt.Adam(lr=0.05), (i, 1)) for i in range(5)] + [Run(opt.GD(lr=0.1), (0, 0), label="GD"),
                                                               Run(opt.GD(lr=0.2), (0, 1), label="GD")]
    plan = planning.build(Scene("bowl", swarm, 3))
    assert plan.colors == (PALETTE[0],) * 5 + (PALETTE[1],) * 2


def test_a_chosen_colormap_moves_the_colours_it_shows_to_the_end():
    from render import View2D
    runs = [Run(opt.GD(lr=0.1 * (i + 1)), (1, 1)) for i in range(3)]
    plain = planning.build(Scene("bowl", runs, 3))
    viridis = planning.build(Scene("bowl", runs, 3, views=[View2D(cmap="viridis")]))
    assert plain.colors == PALETTE[:3]
    # viridis runs through blue and green: those are not the first choices over it.
    assert "#0072b2" not in viridis.colors and "#009e73" not in viridis.colors
    assert viridis.colors == ("#d55e00", "#cc79a7", "#999933")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_default_colour_contrasts_with_the_background_and_the_others(name):
    theme = themes.THEMES[name]
    ratios = {c: themes.contrast(c, theme.background) for c in theme.palette}
    assert min(ratios.values()) >= 3.0, ratios
    assert themes.contrast(theme.text, theme.background) >= 7.0
    lab = themes.lab(theme.palette)
    distance = np.linalg.norm(lab[:, None] - lab[None], axis=-1) + np.eye(len(lab)) * 1e9
    assert distance.min() > themes.CLOSE
    # The surface's lowest loss, where runs arrive, is the background itself.
    assert theme.low == theme.background


def test_the_contrast_ratio_is_wcags():
    assert themes.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert themes.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert themes.contrast("#ffffff", "#ffffff") == 1.0


def test_labels_are_shown_exactly_as_given():
    plan = planning.build(DIVERGES_AT_40)
    assert plan.labels == ("bold", "GD(lr=0.1)")
    assert plan.names == ("bold", "GD")
    sgd = planning.build(Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1), label="SGD")], 3))
    assert sgd.labels == ("SGD",)


def test_a_response_scene_labels_runs_by_name():
    scene = ResponseScene([Response(opt.Momentum(lr=0.25), label="heavy"), Response(opt.Adam(lr=0.1))],
                          signals=["spikes"], steps=20)
    plan = planning.build(scene)
    assert plan.colors == PALETTE[:2] and plan.labels == ("heavy", "Adam(lr=0.1)")
    assert plan.trail(0, 5)[0].tolist() == [0, 1, 2, 3, 4, 5]


def test_the_plan_is_immutable():
    plan = planning.build(DIVERGES_AT_40)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.steps = np.arange(3)
    with pytest.raises(ValueError, match="read-only"):
        plan.steps[0] = 5
    with pytest.raises(ValueError, match="read-only"):
        plan.last[0, 0] = 5
    with pytest.raises(ValueError, match="read-only"):
        plan.trajectories.positions[0, 0, 0] = 5.0


def test_build_uses_given_trajectories_and_simulates_otherwise():
    scene = Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1))], 3)
    t = scene.simulate()
    assert planning.build(scene, t).trajectories is t
    np.testing.assert_array_equal(planning.build(scene).trajectories.positions, t.positions)
