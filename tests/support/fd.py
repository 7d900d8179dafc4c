"""Central finite differences on float64 NumPy arrays, the ground truth of the engine tests.

Kept independent of autograd.gradcheck on purpose: the engine's tests must not trust code that
is built on the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

EPS = 1e-6


def numeric_grad(
    fn: Callable[..., float], arrays: Sequence[ArrayLike], eps: float = EPS
) -> list[np.ndarray]:
    """d fn(*arrays) / d arrays[i], one central difference per element (fn returns a number)."""
    points = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for point in points:
        grad = np.zeros_like(point)
        flat, flat_grad = point.reshape(-1), grad.reshape(-1)
        for j in range(flat.size):
            saved = flat[j]
            flat[j] = saved + eps
            up = float(fn(*points))
            flat[j] = saved - eps
            down = float(fn(*points))
            flat[j] = saved
            flat_grad[j] = (up - down) / (2 * eps)
        grads.append(grad)
    return grads


def numeric_directional(
    fn: Callable[..., Sequence[np.ndarray]],
    arrays: Sequence[ArrayLike],
    directions: Sequence[np.ndarray],
    eps: float = EPS,
) -> list[np.ndarray]:
    """The derivative of the array-valued fn(*arrays) along ``directions`` (one per input).

    Applied to a gradient function this gives a Hessian-vector product: one difference for the
    whole Hessian instead of one per element.
    """
    up = fn(*[np.asarray(a, np.float64) + eps * d for a, d in zip(arrays, directions)])
    down = fn(*[np.asarray(a, np.float64) - eps * d for a, d in zip(arrays, directions)])
    return [(np.asarray(u) - np.asarray(w)) / (2 * eps) for u, w in zip(up, down)]


def numeric_derivative(fn: Callable[[float], float], x: float, eps: float = EPS) -> float:
    """d fn / dx of a function of one float."""
    return (fn(x + eps) - fn(x - eps)) / (2 * eps)
