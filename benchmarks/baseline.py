"""The baseline: the OLS master plot written as plain matplotlib, as a user would write it in
a notebook, without render.

    python benchmarks/baseline.py OUT.gif            # or OUT.mp4
    python benchmarks/baseline.py OUT.gif --size 960x540
    python benchmarks/baseline.py OUT.gif --view 3d              # the 3D view
    python benchmarks/baseline.py OUT.gif --view 3d --orbit 90   # its camera turning 90 degrees

It fits the blog post's line (1000 points, intercept -2, slope 2), runs SGD, momentum,
RMSprop and Adam (lr 0.1, 100 steps) from (9, 2) in numpy, then draws what the scene draws:
filled contours of the loss over the window that frames the runs, dashed labelled contour
lines, the minimum and the start, each optimizer's trail, head, gradient arrow and name
beside its head, and a status line that changes every frame, in 11-point type under a
14-point title; and saves a ``FuncAnimation(blit=True)`` with ``PillowWriter`` (GIF) or
``FFMpegWriter`` (MP4, libx264, yuv420p), 101 frames at 20 fps.
The 3D view is the loss surface (``plot_surface``) seen from elevation 60, azimuth 35, with
each optimizer's path and head drawn on it, the legend and the status line; blitted while
the camera stays still, drawn whole (``blit=False``) when it turns.
Nothing here imports render: it is the figure render is measured against.
"""
import argparse
import sys

import imageio_ffmpeg
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter  # noqa: E402

STEPS, FPS, LR, START = 100, 20, 0.1, (9.0, 2.0)


def data(n=1000, intercept=-2.0, slope=2.0, noise=0.001, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, n)
    return x, intercept + slope * x + rng.normal(0, noise, n)


def loss(b, w, x, y):
    """Mean squared error of the line b + w x, for arrays of b and w."""
    r = b[..., None] + w[..., None] * x - y
    return np.mean(r * r, axis=-1)


def gradient(p, x, y):
    r = p[0] + p[1] * x - y
    return np.array([2 * r.mean(), 2 * (r * x).mean()])


def optimize(x, y):
    """Each optimizer's path, (steps + 1, 2), updated as torch.optim does."""
    paths = {}
    for name in ("SGD", "SGD-momentum", "RMSprop", "Adam"):
        p = np.array(START)
        v, m, s = np.zeros(2), np.zeros(2), np.zeros(2)
        path = [p.copy()]
        for t in range(1, STEPS + 1):
            g = gradient(p, x, y)
            if name == "SGD":
                p = p - LR * g
            elif name == "SGD-momentum":
                v = 0.2 * v + g if t > 1 else g
                p = p - LR * v
            elif name == "RMSprop":
                s = 0.99 * s + 0.01 * g * g
                p = p - LR * g / (np.sqrt(s) + 1e-8)
            else:
                m = 0.9 * m + 0.1 * g
                s = 0.999 * s + 0.001 * g * g
                p = p - LR * (m / (1 - 0.9 ** t)) / (np.sqrt(s / (1 - 0.999 ** t)) + 1e-8)
            path.append(p.copy())
        paths[name] = np.array(path)
    return paths


def figure(paths, x, y, size):
    w, h = size
    plt.rcParams.update({"font.size": 11, "axes.labelsize": 11, "xtick.labelsize": 11, "ytick.labelsize": 11})
    fig, ax = plt.subplots(figsize=(w / 100, h / 100), dpi=100)
    # The window the scene frames its runs in: their paths, the start and the minimum.
    window = (-3.1, 10.1, -0.7, 3.7)
    b, s = np.meshgrid(np.linspace(window[0], window[1], 300), np.linspace(window[2], window[3], 300))
    z = loss(b, s, x, y)
    levels = np.linspace(np.sqrt(z.min()), np.sqrt(z.max()), 21) ** 2
    ax.contourf(b, s, z, levels=levels, cmap="Greys_r", alpha=0.6)
    lines = ax.contour(b, s, z, levels=levels[::2], colors="grey", linewidths=0.6, linestyles="dashed")
    ax.clabel(lines, fontsize=11, fmt="%.3g")
    ax.plot([-2], [2], "*", color="white", markeredgecolor="black", markersize=15)
    ax.plot([START[0]], [START[1]], "s", color="white", markeredgecolor="black", markersize=7)
    ax.set_xlabel("intercept")
    ax.set_ylabel("slope")
    fig.suptitle("Least squares: SGD, momentum, RMSprop and Adam at lr 0.1 from (9, 2)", fontsize=14)
    trails, heads, names = [], [], []
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:pink")
    for name, color in zip(paths, colors):
        trails.append(ax.plot([], [], "o-", color=color, markersize=3, linewidth=2, animated=True)[0])
        heads.append(ax.plot([], [], "o", color=color, markersize=10, markeredgecolor="black",
                             animated=True)[0])
        names.append(ax.text(0, 0, name, color=color, fontsize=11, fontweight="bold", animated=True))
    arrows = ax.quiver(np.zeros(4), np.zeros(4), np.zeros(4), np.zeros(4), color=colors, angles="xy",
                       scale_units="xy", scale=1, animated=True)
    status = ax.text(0.0, 1.02, "", transform=ax.transAxes, fontsize=11, animated=True)
    ax.set_xlim(window[:2])
    ax.set_ylim(window[2:])

    def update(step):
        for (name, path), trail, head, label in zip(paths.items(), trails, heads, names):
            trail.set_data(path[: step + 1, 0], path[: step + 1, 1])
            head.set_data(path[step : step + 1, 0], path[step : step + 1, 1])
            label.set_position((path[step, 0] + 0.2, path[step, 1] + 0.15))
        here = np.array([p[step] for p in paths.values()])
        arrows.set_offsets(here)
        g = -np.array([gradient(p, x, y) for p in here]) * 0.02
        arrows.set_UVC(g[:, 0], g[:, 1])
        losses = ", ".join(f"{n} {loss(p[step, 0], p[step, 1], x, y):.3g}" for n, p in paths.items())
        status.set_text(f"step {step}: {losses}")
        return [*trails, *heads, *names, arrows, status]

    return fig, update


def figure3d(paths, x, y, size, orbit=0.0):
    w, h = size
    fig = plt.figure(figsize=(w / 100, h / 100), dpi=100)
    ax = fig.add_subplot(projection="3d")
    b, s = np.meshgrid(np.linspace(-10, 10, 60), np.linspace(-10, 10, 60))
    ax.plot_surface(b, s, loss(b, s, x, y), cmap="Greys_r", alpha=0.9, linewidth=0)
    ax.set_xlabel("intercept")
    ax.set_ylabel("slope")
    ax.set_zlabel("loss")
    fig.suptitle("Least squares: SGD, momentum, RMSprop and Adam at lr 0.1 from (9, 2)")
    blit = orbit == 0                  # (a still camera: only the runs and the status move)
    trails, heads, height = [], [], {}
    for name, color in zip(paths, ("tab:blue", "tab:orange", "tab:green", "tab:pink")):
        height[name] = loss(paths[name][:, 0], paths[name][:, 1], x, y)
        trails.append(ax.plot([], [], [], "o-", color=color, markersize=3, label=name, animated=blit)[0])
        heads.append(ax.plot([], [], [], "o", color=color, markersize=10, markeredgecolor="black",
                             animated=blit)[0])
    ax.legend(loc="upper left")
    status = fig.text(0.5, 0.9, "", ha="center", fontsize=8, animated=blit)
    ax.view_init(elev=60, azim=35)

    def update(step):
        for (name, path), trail, head in zip(paths.items(), trails, heads):
            trail.set_data_3d(path[: step + 1, 0], path[: step + 1, 1], height[name][: step + 1])
            head.set_data_3d(path[step: step + 1, 0], path[step: step + 1, 1], height[name][step: step + 1])
        if orbit:
            ax.view_init(elev=60, azim=35 + orbit * step / STEPS)
        losses = ", ".join(f"{n} {height[n][step]:.3g}" for n in paths)
        status.set_text(f"step {step}: {losses}")
        return [*trails, *heads, status]

    return fig, update


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--size", default="960x540")
    parser.add_argument("--view", choices=["2d", "3d"], default="2d")
    parser.add_argument("--orbit", type=float, default=0.0, help="degrees the 3D camera turns")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.split("x"))
    x, y = data()
    if args.view == "2d":
        fig, update = figure(optimize(x, y), x, y, size)
    else:
        fig, update = figure3d(optimize(x, y), x, y, size, args.orbit)
    # A turning camera changes every pixel: nothing to blit.
    animation = FuncAnimation(fig, update, frames=STEPS + 1, blit=not args.orbit)
    if args.out.endswith(".gif"):
        writer = PillowWriter(fps=FPS)
    else:
        matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
        writer = FFMpegWriter(fps=FPS, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
    animation.save(args.out, writer=writer, dpi=100)


if __name__ == "__main__":
    sys.exit(main())
