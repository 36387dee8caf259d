"""The baseline: per-run Python loops, the way the source notebook advances its optimizers.

One function per optimizer walks one run step by step on a length-2 array. Like the notebook,
every step draws a Gaussian "noise" vector (scaled by noise, 0 by default) and calls a
gradient function of one point; the update rules are the same as render.optimizers'.
"""
import numpy as np


def _grad(surface, noise):
    def grad(params):
        return np.array(surface.gradient(params[0], params[1])) + noise * np.random.randn(2)
    return grad


def _begin(start, steps):
    params = np.array(start, dtype=float)
    path = np.zeros((steps + 1, 2))
    path[0] = params
    return params, path


def gd(surface, start, steps, lr, noise=0.0):
    grad = _grad(surface, noise)
    params, path = _begin(start, steps)
    for t in range(steps):
        params = params - lr * grad(params)
        path[t + 1] = params
    return path


def momentum(surface, start, steps, lr, mu=0.9, noise=0.0):
    grad = _grad(surface, noise)
    params, path = _begin(start, steps)
    v = np.zeros(2)
    for t in range(steps):
        v = mu * v + lr * grad(params)
        params = params - v
        path[t + 1] = params
    return path


def nesterov(surface, start, steps, lr, mu=0.9, noise=0.0):
    grad = _grad(surface, noise)
    params, path = _begin(start, steps)
    v = np.zeros(2)
    for t in range(steps):
        v = mu * v + lr * grad(params - mu * v)
        params = params - v
        path[t + 1] = params
    return path


def rmsprop(surface, start, steps, lr, alpha=0.99, eps=1e-8, noise=0.0):
    grad = _grad(surface, noise)
    params, path = _begin(start, steps)
    s = np.zeros(2)
    for t in range(steps):
        g = grad(params)
        s = alpha * s + (1 - alpha) * g * g
        params = params - lr * g / (np.sqrt(s) + eps)
        path[t + 1] = params
    return path


def adam(surface, start, steps, lr, beta1=0.9, beta2=0.999, eps=1e-8, noise=0.0):
    grad = _grad(surface, noise)
    params, path = _begin(start, steps)
    m = np.zeros(2)
    s = np.zeros(2)
    for t in range(1, steps + 1):
        g = grad(params)
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        s_hat = s / (1 - beta2 ** t)
        params = params - lr * m_hat / (np.sqrt(s_hat) + eps)
        path[t] = params
    return path
