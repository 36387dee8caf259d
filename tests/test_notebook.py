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
