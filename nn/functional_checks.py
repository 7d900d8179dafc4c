"""Argument checks shared by nn.functional and the layers: inputs as Tensors, numbers, reductions,
targets and weights, each error naming the function and the argument."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from autograd import Tensor, Value

REDUCTIONS = ("mean", "sum", "none")


def as_input(x: Any, op: str) -> Tensor:
    """``x`` as a Tensor (arrays and numbers become constants); a Value is refused rather than
    silently turned into a constant without a graph."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Value):
        raise TypeError(f"{op}() works on Tensors, got a {type(x).__name__}")
    return Tensor(x)


def as_float_input(x: Any, op: str) -> Tensor:
    """As ``as_input``, and floating (PyTorch's activations refuse integer tensors)."""
    t = as_input(x, op)
    if t.dtype.kind != "f":
        raise TypeError(
            f"{op}(): input must be a floating tensor, got dtype {t.dtype} "
            "(convert it with .float())"
        )
    return t


def is_int(value: Any) -> bool:
    """An integer that is not a bool (True is an int to Python, never a size here)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_number(op: str, name: str, value: Any) -> float:
    """A setting that must be a real number (float() would also take the text "0.1")."""
    if type(value) is float or type(value) is int:  # the usual case, without the ABC check
        return float(value)
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{op}(): {name} must be a number, got {value!r:.40}")
    return float(value)


def check_int(op: str, name: str, value: Any, low: int | None = None) -> int:
    if not is_int(value):
        raise TypeError(f"{op}(): {name} must be an integer, got {value!r:.40}")
    if low is not None and value < low:
        raise ValueError(f"{op}(): {name} must be at least {low}, got {value}")
    return int(value)


def check_probability(op: str, name: str, value: Any) -> float:
    p = check_number(op, name, value)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}(): {name} must be between 0 and 1, got {value!r}")
    return p


def check_reduction(reduction: str, allowed: tuple[str, ...] = REDUCTIONS) -> str:
    if reduction not in allowed:
        listed = ", ".join(repr(r) for r in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(f"reduction must be {listed}, got {reduction!r}")
    return reduction


def reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def like_input(op: str, x: Tensor, target: Any, what: str = "target") -> Tensor:
    """A target of the same shape as ``x``; arrays and lists take ``x``'s dtype."""
    if not isinstance(target, Tensor) and np.asarray(target).dtype.kind not in "biuf":
        raise TypeError(
            f"{op}(): {what} must hold numbers, got a {type(target).__name__} ({target!r:.40})"
        )
    t = target if isinstance(target, Tensor) else Tensor(np.asarray(target), dtype=x.dtype)
    if t.shape != x.shape:
        raise ValueError(
            f"{op}(): input has shape {x.shape} but {what} has shape {t.shape}; they must "
            "match (reshape one of them, e.g. target.reshape(-1, 1))"
        )
    if t.dtype.kind != "f" and x.dtype.kind == "f":
        t = t.to(x.dtype)  # an integer 0/1 target in a float loss (PyTorch promotes too)
    return t


def constant_like(x: Tensor, value: Any) -> Tensor:
    """Weights: a Tensor that requires grad as given, anything else as a constant in ``x``'s
    dtype (a float64 weight does not turn a float32 loss into float64)."""
    if isinstance(value, Tensor):
        if value.requires_grad or value.dtype == x.dtype or x.dtype.kind != "f":
            return value
        return value.to(x.dtype)
    return Tensor(np.asarray(value), dtype=x.dtype)


def class_weights(op: str, weight: Any, classes: int, dtype: Any) -> np.ndarray:
    """Per-class weights as an array of ``dtype`` and shape (classes,)."""
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if w.dtype.kind not in "biuf":
        raise TypeError(f"{op}(): weight must hold numbers, got dtype {w.dtype}")
    if w.shape != (classes,):
        raise ValueError(
            f"{op}(): weight needs one entry per class, shape ({classes},), got {w.shape}"
        )
    return w.astype(dtype, copy=False)


def dim_of(op: str, dim: Any, ndim: int) -> int:
    """A dim given as PyTorch allows (negative counts from the end), checked."""
    if not is_int(dim):
        raise TypeError(f"{op}(): dim must be an integer, got {dim!r:.40}")
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"{op}(): dim {dim} is out of range for a tensor of {ndim} dims "
            f"(expected to be in range of [{-size}, {size - 1}])"
        )
    return int(dim) % size
