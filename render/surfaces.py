"""Loss surfaces: value, exact gradient, known minima, a framing window and a formula.

Every surface is a ``Surface``: ``f(x, y)`` and ``f.gradient(x, y) -> (gx, gy)`` broadcast
over numpy arrays; ``minima`` lists true local minima (gradient zero, lower than every
neighbour); ``window`` is ``(xmin, xmax, ymin, ymax)``; ``latex`` is the formula for titles.

The registry maps names to constructors: ``names()`` lists them, ``get(name, **params)``
builds one. ``Function`` wraps any numpy-written f(x, y) and differentiates it exactly by
forward-mode automatic differentiation; ``LeastSquares`` and ``Logistic`` are model losses
on 2D data.
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import warnings
from typing import Callable, Sequence

import numpy as np

from . import autodiff, checks

__all__ = [
    "Surface", "Function", "LeastSquares", "Logistic", "MLP", "Model", "names", "get", "register",
    "Quadratic", "Saddle", "MonkeySaddle", "Beale", "Bowl", "Mult", "Matyas", "Easom",
    "Wobbly", "BasinsAndWalls", "Ripple", "GiantPlateau", "HillsAndCanyon", "TwoMinima",
    "Rosenbrock", "Himmelblau", "Rastrigin", "Booth", "ThreeHumpCamel", "SixHumpCamel",
    "Ackley", "GoldsteinPrice", "StyblinskiTang",
]

PI = math.pi


def global_level(Z) -> float:
    """The highest loss a global minimum may have over a grid of the surface's values ``Z``:
    its lowest plus a thousandth of its span. A minimum above it is a local one (drawn
    hollow, and said so)."""
    Z = np.asarray(Z, dtype=float)
    finite = Z[np.isfinite(Z)]
    lo, span = (float(finite.min()), float(np.ptp(finite))) if finite.size else (0.0, 0.0)
    return lo + 1e-3 * span


def newton_minima(gradient: Callable, seeds: Sequence[tuple[float, float]],
                  iterations: int = 60, strict: bool = False) -> list[tuple[float, float]]:
    """Polish approximate minima with Newton's method on the exact gradient.

    The Hessian comes from central differences of the gradient; near a minimum Newton
    converges quadratically, so the result is a zero of the gradient to rounding. A seed
    where the Hessian is singular (a flat surface) or the iteration runs off is kept as
    given, with a warning; ``strict`` raises LinAlgError instead.
    """
    seeds = np.array(seeds, dtype=float).reshape(-1, 2)
    p = seeds.copy()
    stuck = np.zeros(len(p), dtype=bool)       # flat (singular Hessian) or thrown off: kept as given
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            x, y = p[:, 0], p[:, 1]
            g = np.stack(gradient(x, y), axis=-1)
            h = 1e-6 * np.maximum(1.0, np.abs(p))
            hxx_hyx = (np.stack(gradient(x + h[:, 0], y), -1) - np.stack(gradient(x - h[:, 0], y), -1)) / (2 * h[:, :1])
            hxy_hyy = (np.stack(gradient(x, y + h[:, 1]), -1) - np.stack(gradient(x, y - h[:, 1]), -1)) / (2 * h[:, 1:])
            hess = np.stack([hxx_hyx, hxy_hyy], axis=-1)     # (m, 2, 2), columns = d/dx, d/dy
            det = hess[:, 0, 0] * hess[:, 1, 1] - hess[:, 0, 1] * hess[:, 1, 0]
            scale = np.abs(hess).reshape(len(p), -1).max(axis=1) ** 2
            stuck |= ~np.isfinite(det) | ~(np.abs(det) > 1e-12 * scale) | ~np.all(np.isfinite(g), axis=1)
            step = np.zeros_like(p)
            ok = ~stuck
            if ok.any():
                step[ok] = np.linalg.solve(hess[ok], g[ok][..., None])[..., 0]
            p = p - step
            stuck |= ~np.all(np.isfinite(p), axis=1)
            p[stuck] = seeds[stuck]
            if np.all(np.abs(step) <= 1e-15 * np.maximum(1.0, np.abs(p))):
                break
    if strict and stuck.any():
        raise np.linalg.LinAlgError("a minimum could not be polished")
    for a, b in seeds[stuck]:
        warnings.warn(f"minimum ({a:g}, {b:g}) could not be polished (the surface is flat or undefined "
                      f"there); it is kept as given", stacklevel=3)
    return [(float(a), float(b)) for a, b in p]


class Surface:
    """A loss surface f(x, y). Subclasses define ``value``, ``gradient``, ``latex``."""

    name: str = "surface"
    window: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0)
    axis_labels: tuple[str, str] = ("x", "y")     # what the two coordinates mean

    def __call__(self, x, y):
        return self.value(np.asarray(x, dtype=float), np.asarray(y, dtype=float))

    def value(self, x, y):
        raise NotImplementedError

    def gradient(self, x, y):
        raise NotImplementedError

    @property
    def latex(self) -> str:
        return ""

    # Approximate positions of the minima, polished by Newton's method on first use.
    _seeds: tuple = ()

    @property
    def minima(self) -> list[tuple[float, float]]:
        if not self._seeds:
            return []
        return self._polished_minima

    @functools.cached_property
    def _polished_minima(self):
        return newton_minima(self.gradient, self._seeds)

    def check(self) -> None:
        """Raise a one-line ValueError if the surface cannot be evaluated as a simulation
        evaluates it (a Scene asks before any work). The library's own surfaces can."""

    def grid(self, n: int = 200, window=None):
        """X, Y, Z over the window (or another one) on an n x n grid."""
        xmin, xmax, ymin, ymax = self.window if window is None else window
        xs = np.linspace(xmin, xmax, n)
        ys = np.linspace(ymin, ymax, n)
        X, Y = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            return X, Y, self(X, Y)

    def __repr__(self):
        return f"<surface {self.name}>"


_REGISTRY: dict[str, type] = {}


def register(name: str):
    """Class decorator: make a frozen dataclass Surface and list it under ``name``."""
    def wrap(cls):
        cls.name = name
        cls = dataclasses.dataclass(frozen=True, eq=True)(cls)
        _REGISTRY[name] = cls
        return cls
    return wrap


def names() -> list[str]:
    """Every registered surface name, in registration order."""
    return list(_REGISTRY)


def get(name: str, **params) -> Surface:
    """Build the registered surface ``name`` with its parameters (defaults otherwise)."""
    try:
        cls = _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(_REGISTRY)}"
        raise ValueError(f"unknown surface {name!r}{hint}") from None
    if dataclasses.is_dataclass(cls):
        known = [f.name for f in dataclasses.fields(cls)]
        for key in params:
            if key not in known:
                raise ValueError(f"{name}: unknown parameter {key!r}; valid ones are {', '.join(known)}")
    try:
        return cls(**params)
    except TypeError as error:
        raise ValueError(f"{name}: {error}") from None


class _Fixed(Surface):
    """Common checks for the registered analytic surfaces."""

    def __post_init__(self):
        object.__setattr__(self, "window", checks.window(self.name, self.window))
        for f in dataclasses.fields(self):
            if f.name != "window":
                object.__setattr__(self, f.name, checks.number(self.name, f.name, getattr(self, f.name)))


# --- the source material's surfaces ------------------------------------------------------

@register("quadratic")
class Quadratic(_Fixed):
    """a x^2 + b y^2 + c: the notebook's quadratic minimum (c = -1 there)."""
    a: float = 1.0
    b: float = 1.0
    c: float = 0.0
    window: tuple = (-4.5, 4.5, -4.5, 4.5)

    def value(self, x, y):
        return self.a * x * x + self.b * y * y + self.c

    def gradient(self, x, y):
        return 2 * self.a * x + 0 * y, 2 * self.b * y + 0 * x

    @property
    def latex(self):
        c = "" if self.c == 0 else f" {'+' if self.c > 0 else '-'} {abs(self.c):g}"
        return f"{self.a:g}x^2 + {self.b:g}y^2{c}"

    @property
    def minima(self):
        return [(0.0, 0.0)] if self.a > 0 and self.b > 0 else []


@register("saddle")
class Saddle(_Fixed):
    """a x^2 - b y^2: a saddle point at the origin, no minimum."""
    a: float = 1.0
    b: float = 1.0
    window: tuple = (-2.0, 2.0, -2.0, 2.0)

    def value(self, x, y):
        return self.a * x * x - self.b * y * y

    def gradient(self, x, y):
        return 2 * self.a * x + 0 * y, -2 * self.b * y + 0 * x

    @property
    def latex(self):
        return f"{self.a:g}x^2 - {self.b:g}y^2"


@register("monkey_saddle")
class MonkeySaddle(_Fixed):
    """x^3 - 3 x y^2: three valleys meet at a flat saddle; no minimum."""
    window: tuple = (-2.0, 2.0, -2.0, 2.0)

    def value(self, x, y):
        return x ** 3 - 3 * x * y * y

    def gradient(self, x, y):
        return 3 * x * x - 3 * y * y, -6 * x * y

    latex = "x^3 - 3xy^2"


@register("beale")
class Beale(_Fixed):
    """Beale's function: a flat basin with steep walls; minimum 0 at (3, 0.5)."""
    window: tuple = (-4.5, 4.5, -4.5, 4.5)

    def value(self, x, y):
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2

    def gradient(self, x, y):
        y2 = y * y
        u1, u2, u3 = y - 1, y2 - 1, y2 * y - 1     # d/dx of the three residuals
        a = x * u1 + 1.5
        b = x * u2 + 2.25
        c = x * u3 + 2.625
        gx = 2 * (a * u1 + b * u2 + c * u3)
        gy = 2 * x * (a + (2 * y) * (b + 1.5 * y * c))
        return gx, gy

    latex = r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"
    minima = [(3.0, 0.5)]


@register("bowl")
class Bowl(_Fixed):
    """x^2 + y^2: the archetypal convex bowl."""
    window: tuple = (-7.0, 7.0, -7.0, 7.0)

    def value(self, x, y):
        return x * x + y * y

    def gradient(self, x, y):
        return 2 * x + 0 * y, 2 * y + 0 * x

    latex = "x^2 + y^2"
    minima = [(0.0, 0.0)]


@register("mult")
class Mult(_Fixed):
    """sin(sqrt(x^2 + y^2)): a cone-tipped local minimum at the origin inside a ring of
    global minima (f = -1 on the circle r = 3 pi / 2). The gradient at the tip is taken as 0."""
    window: tuple = (-6.0, 6.0, -6.0, 6.0)

    def value(self, x, y):
        return np.sin(np.sqrt(x * x + y * y))

    def gradient(self, x, y):
        r = np.sqrt(x * x + y * y)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(r > 0, np.cos(r) / np.where(r > 0, r, 1.0), 0.0)
        return s * x, s * y

    latex = r"\sin\sqrt{x^2 + y^2}"
    minima = [(0.0, 0.0)]


@register("matyas")
class Matyas(_Fixed):
    """0.26 (x^2 + y^2) - 0.48 x y: a long, shallow, tilted valley."""
    window: tuple = (-5.0, 5.0, -5.0, 5.0)

    def value(self, x, y):
        return 0.26 * (x * x + y * y) - 0.48 * x * y

    def gradient(self, x, y):
        return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x

    latex = r"0.26(x^2 + y^2) - 0.48xy"
    minima = [(0.0, 0.0)]


@register("easom")
class Easom(_Fixed):
    """-cos x cos y exp(-((x - pi)^2 + (y - pi)^2)): flat almost everywhere, with one deep,
    narrow well at (pi, pi)."""
    window: tuple = (PI - 4.0, PI + 4.0, PI - 4.0, PI + 4.0)

    def value(self, x, y):
        return -np.cos(x) * np.cos(y) * np.exp(-((x - PI) ** 2 + (y - PI) ** 2))

    def gradient(self, x, y):
        e = np.exp(-((x - PI) ** 2 + (y - PI) ** 2))
        cx, cy = np.cos(x), np.cos(y)
        gx = cy * e * (np.sin(x) + 2 * (x - PI) * cx)
        gy = cx * e * (np.sin(y) + 2 * (y - PI) * cy)
        return gx, gy

    latex = r"-\cos x \cos y\, e^{-(x-\pi)^2 - (y-\pi)^2}"
    minima = [(PI, PI)]


# The article's surfaces, all framed on [-3, 3]^2.

@register("wobbly")
class Wobbly(_Fixed):
    """The article's "wobbly" surface: a bowl with a sine ripple, a kink along x = 0 and a bump."""
    window: tuple = (-3.0, 3.0, -3.0, 3.0)

    def value(self, x, y):
        ax = np.abs(x)
        return ((x * x + y * y) / 3 + ax * np.sqrt(ax + 0.1) + 3 * np.sin(x + y) + 3
                + 8 * np.exp(-2 * ((x + 1) ** 2 + (y + 2) ** 2)))

    def gradient(self, x, y):
        ax = np.abs(x)
        root = np.sqrt(ax + 0.1)
        bump = np.exp(-2 * ((x + 1) ** 2 + (y + 2) ** 2))
        wave = 3 * np.cos(x + y)
        gx = 2 * x / 3 + np.sign(x) * (root + ax / (2 * root)) + wave - 32 * (x + 1) * bump
        gy = 2 * y / 3 + wave - 32 * (y + 2) * bump
        return gx, gy

    latex = (r"\frac{x^2+y^2}{3} + |x|\sqrt{|x|+0.1} + 3\sin(x+y) + 3"
             r" + 8e^{-2((x+1)^2+(y+2)^2)}")
    _seeds = ((-0.17, -0.91),)


@register("basins_and_walls")
class BasinsAndWalls(_Fixed):
    """The article's "basins and walls": a bowl cut by walls sin^2(4x) into basins along x."""
    window: tuple = (-3.0, 3.0, -3.0, 3.0)

    def value(self, x, y):
        return (x * x + y * y) / 2 + np.sin(4 * x) ** 2

    def gradient(self, x, y):
        return x + 4 * np.sin(8 * x), y + 0 * x

    latex = r"\frac{x^2+y^2}{2} + \sin^2 4x"
    _seeds = ((0.0, 0.0), (0.72, 0.0), (-0.72, 0.0), (1.48, 0.0), (-1.48, 0.0),
              (2.21, 0.0), (-2.21, 0.0))


@register("ripple")
class Ripple(_Fixed):
    """The article's "ripple": a shallow bowl covered in fine ripples (many local minima;
    the global one at the origin is listed)."""
    window: tuple = (-3.0, 3.0, -3.0, 3.0)

    def value(self, x, y):
        return (x * x + y * y) / 3 + (np.sin(20 * x) ** 2 + np.sin(20 * y) ** 2) / 15

    def gradient(self, x, y):
        return 2 * x / 3 + 4 * np.sin(40 * x) / 3, 2 * y / 3 + 4 * np.sin(40 * y) / 3

    latex = r"\frac{x^2+y^2}{3} + \frac{\sin^2 20x + \sin^2 20y}{15}"
    minima = [(0.0, 0.0)]


@register("giant_plateau")
class GiantPlateau(_Fixed):
    """The article's "giant plateau": a narrow well in an almost flat plain."""
    window: tuple = (-3.0, 3.0, -3.0, 3.0)

    def value(self, x, y):
        return 4 * (1 - np.exp(-(x * x + y * y)))

    def gradient(self, x, y):
        e = np.exp(-(x * x + y * y))
        return 8 * x * e, 8 * y * e

    latex = r"4\left(1 - e^{-x^2-y^2}\right)"
    minima = [(0.0, 0.0)]


@register("hills_and_canyon")
class HillsAndCanyon(_Fixed):
    """The article's "hills and canyon": four Gaussian hills and a diagonal canyon x + y = 0."""
    window: tuple = (-3.0, 3.0, -3.0, 3.0)

    @staticmethod
    def _bumps(x, y):
        return (np.exp(-((x + 1) ** 2 + (y + 2) ** 2)),
                np.exp(-1.5 * (2 * (x + 2) ** 2 + (y - 0.5) ** 2)),
                np.exp(-1.5 * ((x - 1) ** 2 + 2 * (y + 1.5) ** 2)),
                np.exp(-((x + 1.5) ** 2 + 3 * (y + 0.5) ** 2)),
                np.exp(-((x + y) ** 2)))

    def value(self, x, y):
        e1, e2, e3, e4, e5 = self._bumps(x, y)
        return (x * x + y * y) / 3 + 3 * e1 + e2 + 3 * e3 + 1.5 * e4 + 4 * (1 - e5)

    def gradient(self, x, y):
        e1, e2, e3, e4, e5 = self._bumps(x, y)
        canyon = 8 * (x + y) * e5
        gx = (2 * x / 3 - 6 * (x + 1) * e1 - 6 * (x + 2) * e2 - 9 * (x - 1) * e3
              - 3 * (x + 1.5) * e4 + canyon)
        gy = (2 * y / 3 - 6 * (y + 2) * e1 - 3 * (y - 0.5) * e2 - 18 * (y + 1.5) * e3
              - 9 * (y + 0.5) * e4 + canyon)
        return gx, gy

    latex = (r"\frac{x^2+y^2}{3} + 3e^{-(x+1)^2-(y+2)^2} + e^{-1.5(2(x+2)^2+(y-0.5)^2)}"
             r" + 3e^{-1.5((x-1)^2+2(y+1.5)^2)} + 1.5e^{-(x+1.5)^2-3(y+0.5)^2}"
             r" + 4(1-e^{-(x+y)^2})")
    _seeds = ((-0.04, 0.07), (1.93, -1.92), (-2.03, -1.08))


@register("two_minima")
class TwoMinima(_Fixed):
    """The article's "bad init" surface: a shallow minimum near (-2.5, -2.5) where its start
    lies, and a deep one at the origin."""
    window: tuple = (-3.0, 3.0, -3.0, 3.0)

    def value(self, x, y):
        return 4 - 0.5 * np.exp(-((x + 2.5) ** 2 + (y + 2.5) ** 2)) - 3 * np.exp(-(x * x + y * y))

    def gradient(self, x, y):
        e1 = np.exp(-((x + 2.5) ** 2 + (y + 2.5) ** 2))
        e2 = np.exp(-(x * x + y * y))
        return (x + 2.5) * e1 + 6 * x * e2, (y + 2.5) * e1 + 6 * y * e2

    latex = r"4 - \frac{1}{2}e^{-(x+2.5)^2-(y+2.5)^2} - 3e^{-x^2-y^2}"
    _seeds = ((-2.5, -2.5), (0.0, 0.0))


# --- classic optimisation test functions --------------------------------------------------

@register("rosenbrock")
class Rosenbrock(_Fixed):
    """Rosenbrock's banana valley: minimum 0 at (a, a^2)."""
    a: float = 1.0
    b: float = 100.0
    window: tuple = (-2.0, 2.0, -1.0, 3.0)

    def value(self, x, y):
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def gradient(self, x, y):
        inner = y - x * x
        return -2 * (self.a - x) - 4 * self.b * x * inner, 2 * self.b * inner

    @property
    def latex(self):
        return f"({self.a:g} - x)^2 + {self.b:g}(y - x^2)^2"

    @property
    def minima(self):
        return [(self.a, self.a * self.a)] if self.b > 0 else []


@register("himmelblau")
class Himmelblau(_Fixed):
    """Himmelblau's function: four minima of value 0."""
    window: tuple = (-5.0, 5.0, -5.0, 5.0)

    def value(self, x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def gradient(self, x, y):
        a = x * x + y - 11
        b = x + y * y - 7
        return 4 * x * a + 2 * b, 2 * a + 4 * y * b

    latex = r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
    _seeds = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126))


@register("rastrigin")
class Rastrigin(_Fixed):
    """Rastrigin's function: a bowl under an egg-crate of local minima; global 0 at the origin."""
    A: float = 10.0
    window: tuple = (-5.12, 5.12, -5.12, 5.12)

    def value(self, x, y):
        tau = 2 * PI
        return 2 * self.A + x * x - self.A * np.cos(tau * x) + y * y - self.A * np.cos(tau * y)

    def gradient(self, x, y):
        tau = 2 * PI
        return (2 * x + tau * self.A * np.sin(tau * x),
                2 * y + tau * self.A * np.sin(tau * y))

    @property
    def latex(self):
        return rf"{2 * self.A:g} + x^2 - {self.A:g}\cos 2\pi x + y^2 - {self.A:g}\cos 2\pi y"

    minima = [(0.0, 0.0)]


@register("booth")
class Booth(_Fixed):
    """Booth's function: a tilted quadratic bowl; minimum 0 at (1, 3)."""
    window: tuple = (-10.0, 10.0, -10.0, 10.0)

    def value(self, x, y):
        return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2

    def gradient(self, x, y):
        a = x + 2 * y - 7
        b = 2 * x + y - 5
        return 2 * a + 4 * b, 4 * a + 2 * b

    latex = r"(x + 2y - 7)^2 + (2x + y - 5)^2"
    minima = [(1.0, 3.0)]


@register("three_hump_camel")
class ThreeHumpCamel(_Fixed):
    """Three-hump camel: global minimum at the origin, two local ones beside it."""
    window: tuple = (-2.5, 2.5, -2.5, 2.5)

    def value(self, x, y):
        x2 = x * x
        return 2 * x2 - 1.05 * x2 * x2 + x2 ** 3 / 6 + x * y + y * y

    def gradient(self, x, y):
        x2 = x * x
        return 4 * x - 4.2 * x2 * x + x2 * x2 * x + y, x + 2 * y

    latex = r"2x^2 - 1.05x^4 + \frac{x^6}{6} + xy + y^2"
    _seeds = ((0.0, 0.0), (1.7476, -0.8738), (-1.7476, 0.8738))


@register("six_hump_camel")
class SixHumpCamel(_Fixed):
    """Six-hump camel: six local minima, two of them global (about -1.0316)."""
    window: tuple = (-2.2, 2.2, -1.2, 1.2)

    def value(self, x, y):
        x2 = x * x
        y2 = y * y
        return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2

    def gradient(self, x, y):
        x2 = x * x
        return 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y, x - 8 * y + 16 * y * y * y

    latex = r"\left(4 - 2.1x^2 + \frac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)y^2"
    _seeds = ((0.0898, -0.7126), (-0.0898, 0.7126), (1.7036, -0.7961), (-1.7036, 0.7961),
              (1.6071, 0.5687), (-1.6071, -0.5687))


@register("ackley")
class Ackley(_Fixed):
    """Ackley's function: a cone of ripples; global minimum 0 at the origin (a cusp, where
    the gradient is taken as 0)."""
    window: tuple = (-5.0, 5.0, -5.0, 5.0)

    def value(self, x, y):
        tau = 2 * PI
        r = np.sqrt(0.5 * (x * x + y * y))
        return (-20 * np.exp(-0.2 * r) - np.exp(0.5 * (np.cos(tau * x) + np.cos(tau * y)))
                + math.e + 20)

    def gradient(self, x, y):
        tau = 2 * PI
        r = np.sqrt(0.5 * (x * x + y * y))
        with np.errstate(divide="ignore", invalid="ignore"):
            cone = np.where(r > 0, 2 * np.exp(-0.2 * r) / np.where(r > 0, r, 1.0), 0.0)
        wave = PI * np.exp(0.5 * (np.cos(tau * x) + np.cos(tau * y)))
        return cone * x + wave * np.sin(tau * x), cone * y + wave * np.sin(tau * y)

    latex = (r"-20e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20")
    minima = [(0.0, 0.0)]


@register("goldstein_price")
class GoldsteinPrice(_Fixed):
    """Goldstein-Price: global minimum 3 at (0, -1) and three local minima; values span
    five decades (use log levels)."""
    window: tuple = (-2.0, 2.0, -2.0, 2.0)

    @staticmethod
    def _factors(x, y):
        p = x + y + 1
        q = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
        s = 2 * x - 3 * y
        u = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
        return p, q, s, u

    def value(self, x, y):
        p, q, s, u = self._factors(x, y)
        return (1 + p * p * q) * (30 + s * s * u)

    def gradient(self, x, y):
        p, q, s, u = self._factors(x, y)
        A = 1 + p * p * q
        B = 30 + s * s * u
        dA = 2 * p * q + p * p * (-14 + 6 * x + 6 * y)      # dA/dx = dA/dy
        dBx = 4 * s * u + s * s * (-32 + 24 * x - 36 * y)
        dBy = -6 * s * u + s * s * (48 - 36 * x + 54 * y)
        return dA * B + A * dBx, dA * B + A * dBy

    latex = (r"[1 + (x+y+1)^2(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)]"
             r"[30 + (2x-3y)^2(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]")
    _seeds = ((0.0, -1.0), (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8))


@register("styblinski_tang")
class StyblinskiTang(_Fixed):
    """Styblinski-Tang: four minima at the corners of a square; global near (-2.9035, -2.9035)."""
    window: tuple = (-5.0, 5.0, -5.0, 5.0)

    def value(self, x, y):
        return (x ** 4 - 16 * x * x + 5 * x + y ** 4 - 16 * y * y + 5 * y) / 2

    def gradient(self, x, y):
        return (4 * x ** 3 - 32 * x + 5) / 2, (4 * y ** 3 - 32 * y + 5) / 2

    latex = r"\frac{x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y}{2}"
    _seeds = ((-2.9035, -2.9035), (-2.9035, 2.7468), (2.7468, -2.9035), (2.7468, 2.7468))


# --- any function -------------------------------------------------------------------------

class Function(Surface):
    """Any numpy-written f(x, y); its gradient is exact (forward-mode autodiff) unless given.

    ``minima`` are polished with Newton's method on the gradient, so approximate positions
    are enough.
    """

    def __init__(self, f: Callable, gradient: Callable | None = None,
                 window=(-3.0, 3.0, -3.0, 3.0), minima=(), name: str = "function",
                 latex: str = ""):
        if not callable(f):
            raise ValueError(f"Function: f must be callable, got {checks._short(f)}")
        if gradient is not None and not callable(gradient):
            raise ValueError(f"Function: gradient must be callable or None, got {checks._short(gradient)}")
        self.f = f
        self._gradient = gradient
        self.name = checks.text("Function", "name", name) or "function"
        owner = f"Function {self.name!r}"
        self.window = checks.window(owner, window)
        self._latex = checks.text(owner, "latex", latex, checks.MAX_FORMULA) or ""
        if isinstance(minima, (str, bytes)):
            raise ValueError(f"{owner}: minima must be a list of (x, y) pairs, got {checks._short(minima)}")
        try:
            minima = tuple(minima)
        except TypeError:
            raise ValueError(f"{owner}: minima must be a list of (x, y) pairs, got {checks._short(minima)}") from None
        self._seeds = tuple(checks.point(owner, f"minima[{i}]", p) for i, p in enumerate(minima))

    def value(self, x, y):
        out = self.f(x, y)
        if out is None:
            raise ValueError(f"Function {self.name!r}: f(x, y) returned None; it must return a value at each "
                             f"point, shaped like x and y (is a return missing?)")
        return np.asarray(out, dtype=float) + np.zeros(np.broadcast_shapes(np.shape(x), np.shape(y)))

    def gradient(self, x, y):
        if self._gradient is not None:
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            shape = np.broadcast_shapes(x.shape, y.shape)
            gx, gy = self._gradient(x, y)
            gx, gy = np.asarray(gx, dtype=float), np.asarray(gy, dtype=float)
            # A constant part (a number for a slope) takes the shape of the points.
            return (gx if gx.shape == shape else np.broadcast_to(gx, shape).copy(),
                    gy if gy.shape == shape else np.broadcast_to(gy, shape).copy())
        return autodiff.gradient(self.f, x, y)

    def _pair(self, out, shape) -> tuple[np.ndarray, np.ndarray]:
        """A given gradient's (df/dx, df/dy), each checked as ``_numbers`` checks."""
        what = "gradient(x, y)"
        try:
            pair = not isinstance(out, (str, bytes)) and len(out) == 2
        except TypeError:
            pair = False
        if not pair:
            raise ValueError(f"Function {self.name!r}: {what} must return a pair (df/dx, df/dy), "
                             f"got {checks._short(out)}")
        return (self._numbers(f"{what}'s df/dx", out[0], shape), self._numbers(f"{what}'s df/dy", out[1], shape))

    def _numbers(self, what: str, out, shape) -> np.ndarray:
        """``out`` as real numbers, one per point of ``shape`` (or fewer, broadcast), or a
        one-line ValueError saying what it was instead."""
        owner = f"Function {self.name!r}"
        if out is None:
            raise ValueError(f"{owner}: {what} returned None; it must return a value at each point, shaped "
                             f"like x and y (is a return missing?)")
        try:
            array = np.asarray(out)
        except Exception:
            array = np.asarray(None)
        if array.dtype.kind == "c":
            raise ValueError(f"{owner}: {what} returned complex numbers; a loss and its gradient are real")
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{owner}: {what} returned {checks._short(out)}; it must return numbers")
        try:
            fits = np.broadcast_shapes(array.shape, shape) == tuple(shape)
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{owner}: {what} returned an array of shape {array.shape} for points of shape "
                             f"{tuple(shape)}; it must return one value per point, shaped like x and y")
        return np.asarray(array, dtype=float)

    def check(self) -> None:
        """f, and its gradient, at six points of the window, as views evaluate f (on arrays)
        and the simulation its gradient (on forward-mode values, or by ``gradient``): code
        that cannot run so (math.sin, an ``if`` on an array, a missing return) is one line
        naming where it failed, before any work."""
        owner = f"Function {self.name!r}"
        how = "numpy arrays" + (" and forward-mode values" if self._gradient is None else "")
        advice = f"it is evaluated on {how}: use numpy's functions (np.sin, not math.sin; np.where, not if)"
        xmin, xmax, ymin, ymax = self.window
        X = xmin + (xmax - xmin) * np.array([[0.3, 0.55, 0.8], [0.65, 0.2, 0.45]])
        Y = ymin + (ymax - ymin) * np.array([[0.7, 0.4, 0.85], [0.25, 0.6, 0.35]])
        out = checks.attempt(owner, "f(x, y)", self.f, X, Y, advice=advice)
        if out is not checks.SKIPPED:
            self._numbers("f(x, y)", out, X.shape)
        x, y = X[0], Y[0]
        if self._gradient is not None:
            out = checks.attempt(owner, "gradient(x, y)", self._gradient, x, y, advice=advice)
            if out is not checks.SKIPPED:
                self._pair(out, x.shape)
            return
        out = checks.attempt(owner, "f(x, y)", self.f, autodiff.Dual(x, 1.0, 0.0), autodiff.Dual(y, 0.0, 1.0),
                             advice=advice)
        if out is not checks.SKIPPED:
            self._numbers("f(x, y)", out.value if isinstance(out, autodiff.Dual) else out, x.shape)

    @property
    def latex(self):
        return self._latex


# --- model losses on data -----------------------------------------------------------------

SHOWN = 1000        # data points a LeastSquares keeps to draw


def _kept(array) -> np.ndarray:
    """A read-only copy."""
    array = np.array(array, dtype=float)
    array.flags.writeable = False
    return array


MAX_POINTS = 10_000_000     # data points a generated data set draws


def _data(owner: str, X, y, name: str) -> tuple[np.ndarray, np.ndarray]:
    """X and ``name`` as arrays of floats, or a one-line ValueError."""
    try:
        return np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: X and {name} must be arrays of numbers, got {checks._short(X)} "
                         f"and {checks._short(y)}") from None


def _model_window(center) -> tuple[float, float, float, float]:
    half = max(10.0, 2.0 * float(np.max(np.abs(center))))
    return (-half, half, -half, half)


class LeastSquares(Surface):
    r"""Mean squared error of a linear model y ~ theta_0 X[:, 0] + theta_1 X[:, 1].

    Evaluated from sufficient statistics: with :math:`A = X^T X / n` and the least-squares
    solution :math:`\theta^*`, :math:`f(\theta) = (\theta-\theta^*)^T A (\theta-\theta^*) + f(\theta^*)`,
    so a 400 x 400 grid costs the same for 10 or 10^6 data points, and the centred form keeps
    full precision near the minimum.
    """

    name = "least_squares"

    axis_labels = (r"$\theta_0$", r"$\theta_1$")

    def __init__(self, X, y, window=None, name: str = "least_squares", axis_labels=None):
        X, y = _data("LeastSquares", X, y, "y")
        if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],) or X.shape[0] < 2:
            raise ValueError(f"LeastSquares: X must be (n, 2) and y (n,) with n >= 2, "
                             f"got {X.shape} and {y.shape}")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("LeastSquares: X and y must be finite")
        n = X.shape[0]
        self.A = X.T @ X / n
        if np.linalg.cond(self.A) > 1e12:
            raise ValueError("LeastSquares: the columns of X are (nearly) collinear; "
                             "the loss has no single minimum")
        self.solution = np.linalg.solve(self.A, X.T @ y / n)
        # What a data panel draws: the data, or an even sample of it (never all of a large
        # set: the surface itself keeps only sufficient statistics).
        shown = np.arange(n) if n <= SHOWN else np.sort(np.random.default_rng(0).choice(n, SHOWN, replace=False))
        self.shown_X, self.shown_y = _kept(X[shown]), _kept(y[shown])
        self.residual = float(np.mean((y - X @ self.solution) ** 2))
        self.n = n
        self.name = name
        if axis_labels is not None:
            self.axis_labels = tuple(axis_labels)
        self.window = _model_window(self.solution) if window is None \
            else checks.window("LeastSquares", window)

    @classmethod
    def line(cls, intercept: float = -2.0, slope: float = 2.0, n: int = 1000,
             noise: float = 0.001, x=(-5.0, 5.0), seed: int = 0, window=(-10.0, 10.0, -10.0, 10.0)):
        """Fit of a line y = intercept + slope * x to n noisy points, x uniform on ``x``.

        The surface's coordinates are (intercept, slope). The defaults are the blog post's
        OLS problem.
        """
        owner = "LeastSquares.line"
        intercept, slope = (checks.number(owner, k, v) for k, v in (("intercept", intercept), ("slope", slope)))
        n = checks.integer(owner, "n", n, 2, MAX_POINTS)
        noise = checks.number(owner, "noise", noise, 0)
        lo, hi = checks.point(owner, "x", x)
        rng = np.random.default_rng(checks.integer(owner, "seed", seed, 0))
        xs = rng.uniform(lo, hi, n)
        ys = intercept + slope * xs + rng.normal(0.0, noise, n)
        return cls(np.column_stack([np.ones_like(xs), xs]), ys, window=window,
                   axis_labels=("intercept", "slope"))

    def value(self, x, y):
        d0 = x - self.solution[0]
        d1 = y - self.solution[1]
        A = self.A
        return A[0, 0] * d0 * d0 + 2 * A[0, 1] * d0 * d1 + A[1, 1] * d1 * d1 + self.residual

    def gradient(self, x, y):
        d0 = x - self.solution[0]
        d1 = y - self.solution[1]
        A = self.A
        return 2 * (A[0, 0] * d0 + A[0, 1] * d1), 2 * (A[0, 1] * d0 + A[1, 1] * d1)

    @property
    def minima(self):
        return [(float(self.solution[0]), float(self.solution[1]))]

    latex = r"\frac{1}{n}\sum_i \left(y_i - \theta_0 x_{i0} - \theta_1 x_{i1}\right)^2"


class Logistic(Surface):
    r"""Mean logistic loss of a linear classifier on 2D data, plus an optional L2 penalty.

    .. math:: f(w) = \frac{1}{n}\sum_i \log\left(1 + e^{-s_i\, w\cdot x_i}\right)
              + \frac{\lambda}{2}\lVert w\rVert^2, \qquad s_i = \pm 1

    No sufficient statistics exist for this loss, so points are evaluated in chunks that
    bound memory; with separable data and no penalty there is no finite minimum.
    """

    name = "logistic"
    axis_labels = ("$w_1$", "$w_2$")

    def __init__(self, X, labels, l2: float = 0.0, window=None, name: str = "logistic"):
        X, labels = _data("Logistic", X, labels, "labels")
        if X.ndim != 2 or X.shape[1] != 2 or labels.shape != (X.shape[0],) or X.shape[0] < 1:
            raise ValueError(f"Logistic: X must be (n, 2) and labels (n,), got {X.shape} and {labels.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("Logistic: X must be finite")
        if not np.all(np.isin(labels, (0.0, 1.0, -1.0))):
            raise ValueError("Logistic: labels must be 0/1 or -1/+1")
        l2 = checks.number("Logistic", "l2", l2, 0)
        self.signed = np.where(labels > 0, 1.0, -1.0)[:, None] * X   # s_i x_i, (n, 2)
        self.X, self.labels = _kept(X), _kept(labels)   # the data, for a data panel
        self.l2 = float(l2)
        self.name = name
        self._seeds = ((0.0, 0.0),)
        try:
            # Separable data without a penalty has no finite minimum: Newton finds none.
            center = np.array(newton_minima(self.gradient, self._seeds, strict=True)[0])
            self._polished_minima = [tuple(center)]
            if not np.all(np.isfinite(center)) or np.max(np.abs(center)) > 1e6:
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            self._seeds = ()
            center = np.zeros(2)
        self.window = _model_window(center) if window is None else checks.window("Logistic", window)

    @classmethod
    def blobs(cls, n: int = 200, distance: float = 2.0, seed: int = 0, l2: float = 0.0):
        """Two overlapping Gaussian classes centred at +-(distance/2)(1, 0.5)."""
        n = checks.integer("Logistic.blobs", "n", n, 2, MAX_POINTS)
        distance = checks.number("Logistic.blobs", "distance", distance)
        rng = np.random.default_rng(checks.integer("Logistic.blobs", "seed", seed, 0))
        labels = np.repeat([1.0, 0.0], [n - n // 2, n // 2])
        centers = np.where(labels[:, None] > 0, 1.0, -1.0) * (distance / 2) * np.array([1.0, 0.5])
        return cls(centers + rng.normal(size=(n, 2)), labels, l2=l2)

    def _margins(self, x, y, chunk_bytes=32 << 20):
        """Yield (slice of flattened points, margins (chunk, n)) with bounded memory."""
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        flat_x, flat_y = x.ravel(), y.ravel()
        step = max(1, chunk_bytes // (8 * len(self.signed)))
        for start in range(0, flat_x.size, step):
            sl = slice(start, start + step)
            yield x.shape, sl, flat_x[sl, None] * self.signed[:, 0] + flat_y[sl, None] * self.signed[:, 1]

    def value(self, x, y):
        out = None
        for shape, sl, m in self._margins(x, y):
            out = np.empty(int(np.prod(shape))) if out is None else out
            out[sl] = np.mean(np.logaddexp(0.0, -m), axis=1)
        out = out.reshape(np.broadcast_shapes(np.shape(x), np.shape(y)))
        return out + 0.5 * self.l2 * (x * x + y * y)

    def gradient(self, x, y):
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        gx = np.empty(int(np.prod(shape)))
        gy = np.empty(int(np.prod(shape)))
        for _, sl, m in self._margins(x, y):
            w = -0.5 * (1 - np.tanh(0.5 * m))          # -sigmoid(-m), stable
            gx[sl] = np.mean(w * self.signed[:, 0], axis=1)
            gy[sl] = np.mean(w * self.signed[:, 1], axis=1)
        return (gx.reshape(shape) + self.l2 * np.asarray(x),
                gy.reshape(shape) + self.l2 * np.asarray(y))

    latex = r"\frac{1}{n}\sum_i \log\left(1 + e^{-s_i w^\top x_i}\right)"


def _least_squares(**params) -> LeastSquares:
    return LeastSquares.line(**params)


def _logistic(**params) -> Logistic:
    return Logistic.blobs(**params)


_REGISTRY["least_squares"] = _least_squares
_REGISTRY["logistic"] = _logistic


# Models over D parameters live in render.models; scene files reach them here, beside the
# surfaces they take the place of.
from .models import MLP, Model  # noqa: E402


def __getattr__(name):
    # surfaces.Torch: a torch.nn.Module's loss on your data; it loads only when asked for.
    if name == "Torch":
        from .torch_model import TorchModel
        return TorchModel
    raise AttributeError(f"module 'render.surfaces' has no attribute {name!r}")
