"""Forward-mode automatic differentiation of numpy code in two variables.

``gradient(f, x, y)`` runs ``f`` once on dual numbers that carry the value together with its
partial derivatives in x and y, so the gradient is exact to rounding, not a finite
difference. ``f`` may use numpy's ufuncs (arithmetic, powers, exp/log, trig and hyperbolic
functions, abs, sqrt, maximum/minimum, hypot, arctan2, ...), ``np.where``, indexing and
``len``/``.shape`` as on arrays; anything else
raises a TypeError that names it. Unlike the complex-step trick this handles ``abs`` and
``maximum`` correctly (one-sided where they kink).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["Dual", "gradient"]


def _value(a):
    return a.value if isinstance(a, Dual) else a


def _parts(a):
    """(value, d/dx, d/dy) of a Dual or a constant."""
    if isinstance(a, Dual):
        return a.value, a.dx, a.dy
    return a, 0.0, 0.0


# Unary ufuncs: the derivative f'(v), given v and f(v).
_UNARY = {
    np.negative: lambda v, fv: -1.0,
    np.positive: lambda v, fv: 1.0,
    np.absolute: lambda v, fv: np.sign(v),
    np.fabs: lambda v, fv: np.sign(v),
    np.sqrt: lambda v, fv: 0.5 / fv,
    np.cbrt: lambda v, fv: 1.0 / (3.0 * fv * fv),
    np.square: lambda v, fv: 2.0 * v,
    np.reciprocal: lambda v, fv: -fv * fv,
    np.exp: lambda v, fv: fv,
    np.exp2: lambda v, fv: fv * math.log(2.0),
    np.expm1: lambda v, fv: fv + 1.0,
    np.log: lambda v, fv: 1.0 / v,
    np.log2: lambda v, fv: 1.0 / (v * math.log(2.0)),
    np.log10: lambda v, fv: 1.0 / (v * math.log(10.0)),
    np.log1p: lambda v, fv: 1.0 / (1.0 + v),
    np.sin: lambda v, fv: np.cos(v),
    np.cos: lambda v, fv: -np.sin(v),
    np.tan: lambda v, fv: 1.0 + fv * fv,
    np.arcsin: lambda v, fv: 1.0 / np.sqrt(1.0 - v * v),
    np.arccos: lambda v, fv: -1.0 / np.sqrt(1.0 - v * v),
    np.arctan: lambda v, fv: 1.0 / (1.0 + v * v),
    np.sinh: lambda v, fv: np.cosh(v),
    np.cosh: lambda v, fv: np.sinh(v),
    np.tanh: lambda v, fv: 1.0 - fv * fv,
    np.arcsinh: lambda v, fv: 1.0 / np.sqrt(v * v + 1.0),
    np.arccosh: lambda v, fv: 1.0 / np.sqrt(v * v - 1.0),
    np.arctanh: lambda v, fv: 1.0 / (1.0 - v * v),
    np.deg2rad: lambda v, fv: math.pi / 180.0,
    np.radians: lambda v, fv: math.pi / 180.0,
    np.rad2deg: lambda v, fv: 180.0 / math.pi,
    np.degrees: lambda v, fv: 180.0 / math.pi,
    # Piecewise constant: derivative zero almost everywhere.
    np.sign: lambda v, fv: 0.0,
    np.floor: lambda v, fv: 0.0,
    np.ceil: lambda v, fv: 0.0,
    np.rint: lambda v, fv: 0.0,
    np.trunc: lambda v, fv: 0.0,
}

# Ufuncs that look only at values (comparisons, predicates): results are plain arrays.
_VALUE_ONLY = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.isfinite, np.isnan, np.isinf, np.signbit, np.logical_and, np.logical_or, np.logical_not,
}


def _binary(ufunc, a, b):
    av, adx, ady = _parts(a)
    bv, bdx, bdy = _parts(b)
    if ufunc is np.add:
        return Dual(av + bv, adx + bdx, ady + bdy)
    if ufunc is np.subtract:
        return Dual(av - bv, adx - bdx, ady - bdy)
    if ufunc is np.multiply:
        return Dual(av * bv, adx * bv + av * bdx, ady * bv + av * bdy)
    if ufunc in (np.true_divide, np.divide):
        q = av / bv
        return Dual(q, (adx - q * bdx) / bv, (ady - q * bdy) / bv)
    if ufunc in (np.power, np.float_power):
        p = np.power(av, bv)
        if isinstance(b, Dual):
            # d(a^b) = b a^(b-1) da + a^b log(a) db
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = np.where(np.asarray(av) > 0, np.log(np.where(np.asarray(av) > 0, av, 1.0)), 0.0)
            da = bv * np.power(av, bv - 1.0)
            return Dual(p, da * adx + p * log_a * bdx, da * ady + p * log_a * bdy)
        da = bv * np.power(av, bv - 1.0) if np.all(np.asarray(bv) != 0) else np.where(
            np.asarray(bv) == 0, 0.0, bv * np.power(av, bv - 1.0))
        return Dual(p, da * adx, da * ady)
    if ufunc in (np.maximum, np.fmax, np.minimum, np.fmin):
        pick_a = (av >= bv) if ufunc in (np.maximum, np.fmax) else (av <= bv)
        return Dual(np.where(pick_a, av, bv), np.where(pick_a, adx, bdx), np.where(pick_a, ady, bdy))
    if ufunc is np.matmul:
        # d(A B) = dA B + A dB; a constant's partials are the scalar 0.
        product = lambda a, b: 0.0 if (np.ndim(a) == 0 and a == 0) or (np.ndim(b) == 0 and b == 0) \
            else np.matmul(a, b)
        return Dual(np.matmul(av, bv), product(adx, bv) + product(av, bdx), product(ady, bv) + product(av, bdy))
    if ufunc is np.hypot:
        h = np.hypot(av, bv)
        with np.errstate(divide="ignore", invalid="ignore"):
            ua = np.where(h > 0, av / h, 0.0)
            ub = np.where(h > 0, bv / h, 0.0)
        return Dual(h, ua * adx + ub * bdx, ua * ady + ub * bdy)
    if ufunc is np.arctan2:
        r2 = av * av + bv * bv
        # d atan2(a, b) = (b da - a db) / (a^2 + b^2)
        return Dual(np.arctan2(av, bv), (bv * adx - av * bdx) / r2, (bv * ady - av * bdy) / r2)
    if ufunc is np.logaddexp:
        m = np.logaddexp(av, bv)
        wa, wb = np.exp(av - m), np.exp(bv - m)
        return Dual(m, wa * adx + wb * bdx, wa * ady + wb * bdy)
    if ufunc is np.copysign:
        s = np.sign(av) * np.sign(np.copysign(1.0, bv))
        return Dual(np.copysign(av, bv), s * adx, s * ady)
    return NotImplemented


class Dual:
    """A value with its partial derivatives in x and y; numpy ufuncs propagate them."""

    __slots__ = ("value", "dx", "dy")
    __array_priority__ = 1000

    def __init__(self, value, dx=0.0, dy=0.0):
        self.value = value
        self.dx = dx
        self.dy = dy

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs.get("out") is not None:
            raise TypeError(f"automatic gradient: numpy.{ufunc.__name__}.{method} "
                            "is not supported; pass gradient= explicitly")
        if ufunc in _VALUE_ONLY:
            return ufunc(*(_value(a) for a in inputs))
        if len(inputs) == 1 and ufunc in _UNARY:
            v = inputs[0].value
            fv = ufunc(v)
            d = _UNARY[ufunc](v, fv)
            return Dual(fv, d * inputs[0].dx, d * inputs[0].dy)
        if len(inputs) == 2:
            result = _binary(ufunc, *inputs)
            if result is not NotImplemented:
                return result
        raise TypeError(f"automatic gradient: numpy.{ufunc.__name__} is not supported; "
                        "pass gradient= explicitly")

    def __array_function__(self, func, types, args, kwargs):
        if func is np.where and len(args) == 3 and not kwargs:
            cond = np.asarray(_value(args[0]), dtype=bool)
            a, b = args[1], args[2]
            av, adx, ady = _parts(a)
            bv, bdx, bdy = _parts(b)
            return Dual(np.where(cond, av, bv), np.where(cond, adx, bdx), np.where(cond, ady, bdy))
        if func in (np.sum, np.mean) and len(args) in (1, 2) and isinstance(args[0], Dual):
            rest = args[1:]           # the axis, given by position: np.sum(P, -1)
            return Dual(func(args[0].value, *rest, **kwargs),
                        func(np.broadcast_to(args[0].dx, np.shape(args[0].value)), *rest, **kwargs),
                        func(np.broadcast_to(args[0].dy, np.shape(args[0].value)), *rest, **kwargs))
        if func is np.clip and len(args) == 3:
            return np.minimum(np.maximum(args[0], args[1]), args[2])
        if func in (np.shape, np.ndim, np.size) and len(args) == 1:
            return func(args[0].value, **kwargs)           # sizes, as of the values
        raise TypeError(f"automatic gradient: numpy.{func.__name__} is not supported; "
                        "pass gradient= explicitly")

    def __getitem__(self, index):
        shape = np.shape(self.value)
        return Dual(self.value[index], np.broadcast_to(self.dx, shape)[index],
                    np.broadcast_to(self.dy, shape)[index])

    @property
    def shape(self):
        return np.shape(self.value)

    @property
    def ndim(self):
        return np.ndim(self.value)

    @property
    def size(self):
        return np.size(self.value)

    def __len__(self):
        return len(self.value)

    def sum(self, axis=None, keepdims=False):
        return np.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return np.mean(self, axis=axis, keepdims=keepdims)

    # Python operators route through the ufuncs above.
    def __matmul__(self, other): return np.matmul(self, other)
    def __rmatmul__(self, other): return np.matmul(other, self)
    def __add__(self, other): return np.add(self, other)
    def __radd__(self, other): return np.add(other, self)
    def __sub__(self, other): return np.subtract(self, other)
    def __rsub__(self, other): return np.subtract(other, self)
    def __mul__(self, other): return np.multiply(self, other)
    def __rmul__(self, other): return np.multiply(other, self)
    def __truediv__(self, other): return np.true_divide(self, other)
    def __rtruediv__(self, other): return np.true_divide(other, self)
    def __pow__(self, other): return np.power(self, other)
    def __rpow__(self, other): return np.power(other, self)
    def __neg__(self): return np.negative(self)
    def __pos__(self): return self
    def __abs__(self): return np.absolute(self)
    def __lt__(self, other): return np.less(self, other)
    def __le__(self, other): return np.less_equal(self, other)
    def __gt__(self, other): return np.greater(self, other)
    def __ge__(self, other): return np.greater_equal(self, other)

    def __bool__(self):
        raise TypeError("automatic gradient: the function branches on a value with Python's "
                        "if/and/or; use np.where, or pass gradient= explicitly")

    def __float__(self):
        raise TypeError("automatic gradient: the function converts to a Python float "
                        "(math.* functions do); use numpy functions, or pass gradient= explicitly")

    def __repr__(self):
        return f"Dual({self.value!r}, dx={self.dx!r}, dy={self.dy!r})"


def gradient(f, x, y):
    """(df/dx, df/dy) of ``f(x, y)`` at arrays ``x``, ``y``, exact to rounding."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    shape = np.broadcast_shapes(x.shape, y.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = f(Dual(x, 1.0, 0.0), Dual(y, 0.0, 1.0))
    if out is None:
        raise ValueError("automatic gradient: the function returned None; it must return its value "
                         "(is a return missing?)")
    if not isinstance(out, Dual):      # f does not depend on x or y
        return np.zeros(shape), np.zeros(shape)
    gx = np.broadcast_to(np.asarray(out.dx, dtype=float), shape).copy()
    gy = np.broadcast_to(np.asarray(out.dy, dtype=float), shape).copy()
    return gx, gy
