"""Activations and losses as functions (``import nn.functional as F``), with PyTorch's semantics.

Everything is composed from the engine's differentiable ops, so gradients (and gradients of
gradients) come from the engine's rules; nothing here writes a backward pass. relu, sigmoid and
tanh also accept a Value; the rest work on Tensors.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from autograd import Tensor, Value, linear, softmax_cross_entropy, stack, where

__all__ = ["linear"]  # F.linear, as in PyTorch (the engine's fused op); the rest below

REDUCTIONS = ("mean", "sum", "none")


# --- input checks ---------------------------------------------------------------------------


def _tensor(x: Any, op: str) -> Tensor:
    """``x`` as a Tensor (arrays and numbers become constants); a Value is refused rather than
    silently turned into a constant without a graph."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Value):
        raise TypeError(f"{op}() works on Tensors, got a {type(x).__name__}")
    return Tensor(x)


def check_number(op: str, name: str, value: Any) -> float:
    """A setting that must be a real number (float() would also take the text "0.1")."""
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{op}(): {name} must be a number, got {value!r:.40}")
    return float(value)


def check_reduction(reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _like_input(op: str, x: Tensor, target: Any, what: str = "target") -> Tensor:
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
    return t


def _constant_like(x: Tensor, value: Any) -> Tensor:
    """Weights: a Tensor as given, anything else as a constant in ``x``'s dtype."""
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value), dtype=x.dtype)


def _class_targets(op: str, input: Any, target: Any) -> tuple[Tensor, np.ndarray, bool]:
    """Scores as (N, C) and class indices as (N,); True when a single example (C,) was given."""
    x = _tensor(input, op)
    if x.ndim not in (1, 2):
        raise ValueError(
            f"{op}(): input must hold scores per class, shape (N, C) or (C,), got {x.shape}"
        )
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{op}(): target must hold integer class indices, got dtype {t.dtype} "
            "(convert with .astype(int))"
        )
    if t.shape != x.shape[:-1]:
        raise ValueError(
            f"{op}(): input of shape {x.shape} needs a target of shape {x.shape[:-1]}, "
            f"got {t.shape}"
        )
    classes = x.shape[-1]
    outside = (t < 0) | (t >= classes)
    if outside.any():
        raise ValueError(
            f"{op}(): target holds class {t[outside].flat[0]}, but input has {classes} "
            f"classes (0 to {classes - 1})"
        )
    single = x.ndim == 1
    if single:
        x, t = x.reshape(1, classes), t.reshape(1)
    return x, t.astype(np.intp), single


def _class_weights(op: str, weight: Any, classes: int, dtype: Any) -> np.ndarray:
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=dtype)
    if w.shape != (classes,):
        raise ValueError(
            f"{op}(): weight needs one entry per class, shape ({classes},), got {w.shape}"
        )
    return w


# --- activations ----------------------------------------------------------------------------


def relu(x: Any) -> Any:
    """max(x, 0); the gradient at 0 is 0, as in PyTorch."""
    return x.relu() if isinstance(x, (Tensor, Value)) else Tensor(x).relu()


def sigmoid(x: Any) -> Any:
    return x.sigmoid() if isinstance(x, (Tensor, Value)) else Tensor(x).sigmoid()


def tanh(x: Any) -> Any:
    return x.tanh() if isinstance(x, (Tensor, Value)) else Tensor(x).tanh()


def hard_sigmoid(x: Any) -> Tensor:
    """The lecture's flat-ramp-flat piece, as PyTorch's Hardsigmoid: 0 for x <= -3, 1 for
    x >= 3 and x/6 + 1/2 in between. It equals (relu(x + 3) - relu(x - 3)) / 6, the lecture's
    "two ReLUs make one hard sigmoid"; written with ``where`` so the gradient is exactly
    PyTorch's: 1/6 strictly inside the ramp and 0 at both corners."""
    x = _tensor(x, "hard_sigmoid")
    d = x.data
    zero, one = np.zeros((), d.dtype), np.ones((), d.dtype)  # keep x's dtype (float16 too)
    return where(d <= -3.0, zero, where(d >= 3.0, one, x * (1.0 / 6.0) + 0.5))


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope * x otherwise (slope negative_slope at 0, as PyTorch)."""
    x = _tensor(x, "leaky_relu")
    slope = check_number("leaky_relu", "negative_slope", negative_slope)
    return where(x.data > 0, x, x * slope)


def softplus(x: Any) -> Tensor:
    """log(1 + exp(x)) without overflow, as logsumexp over (0, x); its gradient is sigmoid(x)
    everywhere, 0.5 at 0 included."""
    x = _tensor(x, "softplus")
    return stack([Tensor(np.zeros_like(x.data)), x], axis=-1).logsumexp(axis=-1)


def softmax(x: Any, axis: int = -1) -> Tensor:
    return _tensor(x, "softmax").softmax(axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    return _tensor(x, "log_softmax").log_softmax(axis)


# --- losses ---------------------------------------------------------------------------------


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """(input - target)^2, reduced. Shapes must match (no silent broadcasting)."""
    check_reduction(reduction)
    x = _tensor(input, "mse_loss")
    diff = x - _like_input("mse_loss", x, target)
    return _reduce(diff * diff, reduction)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """|input - target|, reduced: the lecture's MAE with reduction='mean'."""
    check_reduction(reduction)
    x = _tensor(input, "l1_loss")
    return _reduce((x - _like_input("l1_loss", x, target)).abs(), reduction)


def cross_entropy(input: Any, target: Any, weight: Any = None, reduction: str = "mean") -> Tensor:
    """-log softmax(input)[target] per example: input holds unnormalised scores (logits) of
    shape (N, C) or (C,), target integer class indices of shape (N,) or ().

    Computed through log_softmax, so huge logits give finite losses. With class ``weight``s,
    'mean' divides by the summed weights of the targets, as PyTorch does.
    """
    check_reduction(reduction)
    x, t, single = _class_targets("cross_entropy", input, target)
    if weight is None and not single and len(t) and x.dtype.kind == "f":  # as one op
        return softmax_cross_entropy(x, t, reduction)
    rows = np.arange(len(t))
    per_example = -x.log_softmax(axis=1)[rows, t]
    if weight is not None:
        w = _class_weights("cross_entropy", weight, x.shape[1], x.dtype)[t]
        per_example = per_example * w
        if reduction == "mean":
            return per_example.sum() / float(w.sum())
    if single:
        per_example = per_example.reshape(())
    return _reduce(per_example, reduction)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """-[p t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))] from logits x, without overflow.

    Written as (1 - t) x + (1 + (p - 1) t) softplus(-x), whose gradient is the familiar
    sigmoid(x) - t (when p = 1). ``weight`` rescales each element, ``pos_weight`` (p) the
    positive class; both broadcast against input as in PyTorch.
    """
    check_reduction(reduction)
    x = _tensor(input, "binary_cross_entropy_with_logits")
    t = _like_input("binary_cross_entropy_with_logits", x, target)
    if pos_weight is None:
        loss = (1.0 - t) * x + softplus(-x)
    else:
        p = _constant_like(x, pos_weight)
        loss = (1.0 - t) * x + (1.0 + (p - 1.0) * t) * softplus(-x)
    if weight is not None:
        loss = loss * _constant_like(x, weight)
    return _reduce(loss, reduction)


def multi_margin_loss(
    input: Any,
    target: Any,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-class SVM (hinge) loss: for each example, the sum over the wrong classes j of
    max(0, margin - x[y] + x[j])^p, divided by the number of classes C (PyTorch's
    MultiMarginLoss). It is zero once the right class beats every other by ``margin``."""
    check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss(): p must be 1 or 2, got {p!r}")
    x, t, single = _class_targets("multi_margin_loss", input, target)
    n, classes = x.shape
    rows = np.arange(n)
    right = x[rows, t].reshape(n, 1)
    hinge = (float(margin) - right + x).relu()  # PyTorch's order of operations
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        w = _class_weights("multi_margin_loss", weight, classes, x.dtype)
        hinge = hinge * w[t].reshape(n, 1)
    wrong = np.ones((n, classes), dtype=x.dtype)
    wrong[rows, t] = 0.0  # the right class is not compared with itself
    per_example = (hinge * wrong).sum(axis=1) / float(classes)
    if single:
        per_example = per_example.reshape(())
    return _reduce(per_example, reduction)
from .functional_conv import *  # noqa: E402, F403 - convolution, pooling, pad, interpolate
