"""An orbit's text drawn once and stamped: the same picture as matplotlib drawing it every
frame, and the same pixels whichever frame or process drew a stamp first."""
import numpy as np
from matplotlib.text import Text

from render import Camera, Run, Scene, View3D, optimizers as opt
from render import plan as planning
from render.frames import FrameSource
from render.views import stamps

VIEW = View3D(camera=Camera(elev=35, azim=-70, orbit=120), legend=True)
SCENE = Scene("rosenbrock", [Run(opt.Adam(lr=0.2), (-1.5, 2.0), label="Adam"),
                             Run(opt.Momentum(lr=1e-3, momentum=0.9), (-1.5, 2.0), label="momentum")],
              20, views=[VIEW], title="Stamped: $x^2$ and a legend")
SIZE = (640, 360)


def unstamped(source):
    """Undo the stamps: matplotlib draws the title, legend and tick labels every frame."""
    d = source.drawing
    for still in (d.figure._suptitle, d.legend):
        del still.draw
    for axis in (d.ax.xaxis, d.ax.yaxis, d.ax.zaxis):
        del axis._get_tick
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            tick.label1.__class__ = tick.label2.__class__ = Text
    return source


def test_an_orbit_stamps_its_title_legend_and_tick_labels():
    d = FrameSource(planning.build(SCENE), VIEW, SIZE).drawing
    assert "draw" in vars(d.legend) and "draw" in vars(d.figure._suptitle)
    assert all(isinstance(t.label1, stamps.StampedText) for t in d.ax.zaxis.get_major_ticks())
    still = FrameSource(planning.build(SCENE), View3D(camera=Camera(elev=35, azim=-70), legend=True), SIZE).drawing
    assert "draw" not in vars(still.legend)          # a still camera draws its text once anyway


def test_stamped_frames_are_what_matplotlib_draws_but_for_a_glyphs_fraction_of_a_pixel():
    plan = planning.build(SCENE)
    stamped = FrameSource(plan, VIEW, SIZE)
    plain = unstamped(FrameSource(plan, VIEW, SIZE))
    for frame in (0, 7, 20):
        a, b = stamped.frame(frame).astype(int), plain.frame(frame).astype(int)
        off = np.abs(a - b).max(axis=-1)
        # The legend and the title do not move: blended from their first drawing, they are
        # the same pixels, but for the rounding of blending twice.
        legend = stamped.drawing.legend.get_window_extent()
        rows = slice(int(SIZE[1] - legend.y1), int(SIZE[1] - legend.y0))
        cols = slice(int(legend.x0), int(legend.x1))
        assert off[rows, cols].max() <= 2
        assert off[:30].max() <= 2                   # the title
        # Tick labels are placed on whole pixels, not glyph by glyph to a fraction of one.
        assert 0 < (off > 48).mean() < 0.005, f"frame {frame}: {(off > 48).mean():.3%}"


def test_a_stamp_is_the_same_whichever_frame_drew_it_first():
    plan = planning.build(SCENE)
    stamps.StampedText._drawn.clear()
    forwards = FrameSource(plan, VIEW, SIZE)
    first = [forwards.frame(i).copy() for i in (0, 13)]
    stamps.StampedText._drawn.clear()
    backwards = FrameSource(plan, VIEW, SIZE)
    second = [backwards.frame(i).copy() for i in (13, 0)][::-1]
    for a, b in zip(first, second):
        assert np.array_equal(a, b)
