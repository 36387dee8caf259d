"""The plan: which step each frame shows, colours, labels, and each run's visible trail."""
import dataclasses

import numpy as np
import pytest

from render import Response, ResponseScene, Run, Scene, Swarm, optimizers as opt
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
    many = planning.build(Scene("bowl", [Run(opt.GD(lr=0.01 * (i + 1)), (1, 1)) for i in range(14)], 3))
    assert many.colors[:12] == PALETTE and many.colors[12:] == PALETTE[:2] and len(PALETTE) == 12


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
    assert viridis.colors == ("#d55e00", "#cc79a7", "#882255")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_default_colour_contrasts_with_the_background_and_the_others(name):
    theme = themes.THEMES[name]
    ratios = {c: themes.contrast(c, theme.background) for c in theme.palette}
    assert min(ratios.values()) >= 3.0, ratios
    assert themes.contrast(theme.text, theme.background) >= 7.0
    lab = themes.lab(theme.palette[:8])
    distance = np.linalg.norm(lab[:, None] - lab[None], axis=-1) + np.eye(len(lab)) * 1e9
    assert distance.min() > themes.CLOSE
    # The surface's lowest loss, where runs arrive, is the background itself.
    assert theme.low == theme.background
    # No run takes a colour of the pale set that classes are drawn in.
    assert not set(theme.palette) & set(themes.LIGHT)
    assert all(themes.contrast(c, theme.background) >= themes.TEXT_CONTRAST
               for c in (themes.readable(c, theme.background) for c in theme.palette))


@pytest.mark.parametrize("name,least", [("light", 13.9), ("dark", 14.7)])
def test_the_first_eight_colours_stay_apart_for_colour_blind_readers(name, least):
    # Simulated deuteranopia and protanopia (Machado et al. 2009, full severity), and normal
    # vision: the smallest distance between two of the first eight colours in CAM02-UCS.
    from colorspacious import cspace_convert
    from matplotlib.colors import to_rgb
    rgb = np.array([to_rgb(c) for c in themes.THEMES[name].palette[:8]])
    smallest = np.inf
    for cvd in (None, "deuteranomaly", "protanomaly"):
        seen = rgb if cvd is None else np.clip(cspace_convert(
            rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)
        ucs = cspace_convert(seen, "sRGB1", "CAM02-UCS")
        d = np.linalg.norm(ucs[:, None] - ucs[None], axis=-1) + np.eye(8) * 1e9
        smallest = min(smallest, d.min())
    assert smallest >= least, smallest


def test_the_contrast_ratio_is_wcags():
    assert themes.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert themes.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert themes.contrast("#ffffff", "#ffffff") == 1.0


def test_labels_are_shown_exactly_as_given():
    plan = planning.build(DIVERGES_AT_40)
    assert plan.legend_labels == ("bold", "GD(lr=0.1)")
    assert plan.short_names == ("bold", "GD")
    sgd = planning.build(Scene("bowl", [Run(opt.GD(lr=0.1), (1, 1), label="SGD")], 3))
    assert sgd.legend_labels == ("SGD",)


def test_a_response_scene_labels_runs_by_name():
    scene = ResponseScene([Response(opt.Momentum(lr=0.25), label="heavy"), Response(opt.Adam(lr=0.1))],
                          signals=["spikes"], steps=20)
    plan = planning.build(scene)
    assert plan.colors == PALETTE[:2] and plan.legend_labels == ("heavy", "Adam(lr=0.1)")
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


# --- swarms ----------------------------------------------------------------------------------

HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)]


def test_a_swarm_is_one_group_and_its_runs_are_drawn_together():
    swarm = Swarm(opt.GD(lr=0.1), grid=3, tail=7)
    scene = Scene("bowl", [Run(opt.Adam(lr=0.1), (1, 1)), swarm, Run(opt.GD(lr=0.2), (2, 2))], 5)
    plan = planning.build(scene)
    group, = plan.groups
    assert group.rows.tolist() == list(range(1, 10)) and group.name == "GD" and group.tail == 7
    assert plan.singles == [0, 10]
    # One colour and one legend entry for the swarm, the next free one for the run after it.
    assert plan.colors == (PALETTE[0],) + (PALETTE[1],) * 9 + (PALETTE[2],)
    assert set(plan.legend_labels[1:10]) == {"GD(lr=0.1)"}


def test_a_swarm_by_basin_takes_a_colour_and_a_label_per_minimum_reached():
    # Two starts next to each of Himmelblau's four minima, the second pair of each offset.
    starts = [(x + d, y + d) for x, y in HIMMELBLAU_MINIMA for d in (0.3, -0.3)]
    lone = Run(opt.Adam(lr=0.1), (0.0, 0.0), label="lone")
    swarm = Swarm(opt.GD(lr=0.01), starts=starts, color_by="basin", label="gd")
    plan = planning.build(Scene("himmelblau", [lone, swarm], 200))
    labels = plan.legend_labels[1:]
    expected = [f"gd \u2192 ({x:.3g}, {y:.3g})" for x, y in HIMMELBLAU_MINIMA for _ in (0, 1)]
    assert list(labels) == expected
    colours = plan.colors[1:]
    assert colours[::2] == colours[1::2]                       # a pair shares its basin's colour
    assert len(set(colours)) == 4 and plan.colors[0] not in colours
    # Minimum k takes the k-th colour left (the lone run has the first): whichever swarm
    # reaches them, a surface's basins keep their colours.
    assert colours[::2] == PALETTE[1:5]
    alone = planning.build(Scene("himmelblau", [dataclasses.replace(swarm, starts=starts[4:])], 200))
    assert alone.colors[::2] == PALETTE[2:4]


def test_a_basin_swarm_says_which_runs_diverged_and_which_ended_elsewhere():
    theme = themes.THEMES["light"]
    with pytest.warns(UserWarning):
        swarm = Swarm(opt.GD(lr=0.01), starts=[(60.0, 60.0), (1.0, 0.5), (-1.0, 0.5), (-1.05, 0.5)],
                      color_by="basin")
        plan = planning.build(Scene("himmelblau", [swarm], 3))
    assert plan.trajectories.diverged_at[0] > 0
    # After 3 steps the lone run is nowhere in particular; the two close ones end together.
    assert plan.legend_labels[0] == "GD(lr=0.01): diverged" and plan.colors[0] == theme.text
    assert plan.legend_labels[1] == "GD(lr=0.01): elsewhere" and plan.colors[1] == theme.field
    assert plan.legend_labels[2] == plan.legend_labels[3] and plan.legend_labels[2].startswith("GD(lr=0.01) \u2192 (")
    assert plan.colors[2] == PALETTE[0]


def test_the_busiest_frames_follow_the_runs_motion_not_the_clock():
    # Momentum on Himmelblau settles early: the runs cover most of their distance in the
    # first tenth of the frames, so the busiest frames crowd there, the clock spreading them.
    swarm = Swarm(opt.Momentum(lr=0.004, momentum=0.9), grid=6)
    plan = planning.build(Scene("himmelblau", [swarm], 150, max_frames=100, trim=False))
    busiest = plan.busiest(4)
    P = plan.trajectories.positions[:, plan.steps]
    moved = np.hypot(*np.moveaxis(np.diff(P, axis=1), -1, 0)).sum(axis=0)
    total = np.concatenate([[0], np.cumsum(moved)])
    progress = 0.5 * total / total[-1] + 0.5 * np.arange(100) / 99
    assert busiest == [int(np.searchsorted(progress, q)) for q in (0.125, 0.375, 0.625, 0.875)]
    assert busiest[1] < 20 and busiest[-1] > 50 and len(set(busiest)) == 4
    evenly = [int(round(q * 99)) for q in (0.125, 0.375, 0.625, 0.875)]
    assert all(b < e for b, e in zip(busiest, evenly))
    still = planning.build(Scene("bowl", [Run(opt.GD(lr=0.1), (0, 0))], 10))     # at its minimum
    assert still.busiest(4) == [] and plan.busiest(0) == []
