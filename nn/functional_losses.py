"""Loss functions with PyTorch's names, arguments, defaults and results, composed from the
engine's differentiable ops (so second derivatives come from the engine).

Class-index losses (cross_entropy, nll_loss, multi_margin_loss) take scores of shape (N, C),
(C,) or (N, C, d1, ...) and integer targets of shape (N,), () or (N, d1, ...), as a Tensor or a
NumPy array. The plain cross-entropy case (N, C) without weights, smoothing or ignored targets
is one fused node (``autograd.softmax_cross_entropy``), the fast path training loops take.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, softmax_cross_entropy, where

from .functional_activations import softplus
from .functional_checks import (
    as_float_input,
    as_input,
    check_number,
    check_probability,
    check_reduction,
    class_weights,
    constant_like,
    like_input,
    reduce,
)


class TargetError(ValueError, IndexError):
    """A class index outside the classes: PyTorch raises IndexError, dagrad's earlier versions
    ValueError; this is both."""


def legacy_reduction(size_average: Any, reduce_: Any, reduction: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` flags, turned into a reduction. A
    reduction name given in size_average's place (dagrad's earlier positional order, e.g.
    ``mse_loss(x, y, "sum")``) is taken as the reduction (PyTorch would silently average)."""
    if isinstance(size_average, str) and reduce_ is None:
        return size_average
    if size_average is None and reduce_ is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction='"
        + ("none" if reduce_ is False else "mean" if size_average is not False else "sum")
        + "' instead.",
        UserWarning,
        stacklevel=3,
    )
    if reduce_ is False:
        return "none"
    return "sum" if size_average is False else "mean"


# --- regression -----------------------------------------------------------------------------


def mse_loss(
    input: Any,
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    """(input - target)^2, reduced. Shapes must match (no silent broadcasting)."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = as_input(input, "mse_loss")
    diff = x - like_input("mse_loss", x, target)
    return _weighted("mse_loss", x, diff * diff, weight, reduction, by_weights=True)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    return reduce(loss, reduction)


def _weighted(
    op: str, x: Tensor, loss: Tensor, weight: Any, reduction: str, by_weights: bool
) -> Tensor:
    """``loss`` times the elementwise ``weight`` (of the input's shape), reduced as PyTorch:
    mse_loss and l1_loss divide a weighted 'mean' by the sum of the weights, huber_loss by the
    number of elements."""
    if weight is None:
        return _reduce(loss, reduction)
    w = constant_like(x, weight)
    if w.shape != x.shape:
        raise ValueError(
            f"{op}(): weight has shape {w.shape} but input has shape {x.shape}; weights and "
            "input must have the same size"
        )
    loss = loss * w
    if reduction == "mean" and by_weights:
        return loss.sum() / w.sum()
    return _reduce(loss, reduction)


def l1_loss(
    input: Any,
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    """|input - target|, reduced: the lecture's MAE with reduction='mean'."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = as_input(input, "l1_loss")
    loss = (x - like_input("l1_loss", x, target)).abs()
    return _weighted("l1_loss", x, loss, weight, reduction, by_weights=True)


def huber_loss(
    input: Any, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None
) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = input - target: squared
    near the target, linear (robust to outliers) far from it."""
    check_reduction(reduction)
    size = check_number("huber_loss", "delta", delta)
    if not size > 0:
        raise ValueError(f"huber_loss(): delta must be positive, got {delta!r}")
    x = as_input(input, "huber_loss")
    d = x - like_input("huber_loss", x, target)
    near = np.abs(d.data) < size
    loss = where(near, d * d * 0.5, (d.abs() - 0.5 * size) * size)
    return _weighted("huber_loss", x, loss, weight, reduction, by_weights=False)


def smooth_l1_loss(
    input: Any,
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (Huber divided by beta; with
    beta = 0, the L1 loss)."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    b = check_number("smooth_l1_loss", "beta", beta)
    if b < 0:
        raise ValueError(f"smooth_l1_loss(): beta must be non-negative, got {beta!r}")
    x = as_input(input, "smooth_l1_loss")
    d = x - like_input("smooth_l1_loss", x, target)
    if b == 0.0:
        return _reduce(d.abs(), reduction)
    near = np.abs(d.data) < b
    return _reduce(where(near, d * d * (0.5 / b), d.abs() - 0.5 * b), reduction)


# --- probabilities --------------------------------------------------------------------------


def _xlogy_self(t: Tensor) -> Tensor:
    """t log t, 0 where t = 0 (``xlogy(t, t)``); the log of the dropped zeros reads 1."""
    positive = t.data > 0
    safe = where(positive, t, np.ones((), t.dtype))
    return where(positive, t * safe.log(), np.zeros((), t.dtype))


def kl_div(
    input: Any,
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """The Kullback-Leibler divergence of ``input`` (log-probabilities) from ``target``
    (probabilities, or log-probabilities with ``log_target=True``), elementwise:
    target (log target - input). 'batchmean' divides the sum by the batch size, the true
    KL divergence; 'mean' (PyTorch's default) divides by the number of elements."""
    reduction = check_reduction(
        legacy_reduction(size_average, reduce, reduction), ("mean", "batchmean", "sum", "none")
    )
    x = as_float_input(input, "kl_div")
    t = like_input("kl_div", x, target)
    if log_target:
        loss = t.exp() * (t - x)
    else:
        loss = _xlogy_self(t) - t * x
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return _reduce(loss, reduction)


def binary_cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """-w [t log(p) + (1 - t) log(1 - p)] for probabilities p in [0, 1] (each log floored at
    -100, as PyTorch does, so p = 0 or 1 gives a finite loss).

    The gradient is PyTorch's w (p - t) / max(p (1 - p), 1e-12) everywhere: where
    p (1 - p) <= 1e-12 the loss is PyTorch's value plus a term whose slope is that (and whose
    second derivative is 0); elsewhere it is the formula above on the engine's ops."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    p = as_float_input(input, "binary_cross_entropy")
    t = like_input("binary_cross_entropy", p, target)
    d = p.data
    if d.size and not ((d >= 0) & (d <= 1)).all():
        bad = d[~((d >= 0) & (d <= 1))].flat[0]
        raise ValueError(
            f"binary_cross_entropy(): all elements of input should be between 0 and 1, found "
            f"{bad} (pass probabilities, e.g. sigmoid(x), or use "
            "binary_cross_entropy_with_logits on x)"
        )
    eps = 1e-12
    edge = d * (1 - d) <= eps
    if edge.any():
        inner = where(edge, np.asarray(0.5, d.dtype), p)  # the dropped branch stays finite
    else:
        inner = p
    loss = -(t * inner.log() + (1.0 - t) * (1.0 - inner).log())
    if edge.any():
        with np.errstate(divide="ignore"):
            td = t.data
            value = -(
                td * np.maximum(np.log(d), -100.0) + (1 - td) * np.maximum(np.log1p(-d), -100.0)
            )
            slope = (d - td) / eps
        pinned = Tensor(value.astype(d.dtype)) + (p - p.detach()) * Tensor(slope.astype(d.dtype))
        loss = where(edge, pinned, loss)
    if weight is not None:
        loss = loss * constant_like(p, weight)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """-[p t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))] from logits x, without overflow.

    Written as (1 - t) x + (1 + (p - 1) t) softplus(-x), whose gradient is the familiar
    sigmoid(x) - t (when p = 1). ``weight`` rescales each element, ``pos_weight`` (p) the
    positive class (one entry per class, along the last dim); both broadcast as in PyTorch.
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = as_float_input(input, "binary_cross_entropy_with_logits")
    t = like_input("binary_cross_entropy_with_logits", x, target)
    if pos_weight is None:
        loss = (1.0 - t) * x + softplus(-x, 1.0, np.inf)
    else:
        p = constant_like(x, pos_weight)
        loss = (1.0 - t) * x + (1.0 + (p - 1.0) * t) * softplus(-x, 1.0, np.inf)
    if weight is not None:
        loss = loss * constant_like(x, weight)
    return _reduce(loss, reduction)


# --- classes ----------------------------------------------------------------------------------


def _target_array(target: Any) -> np.ndarray:
    return np.asarray(target.data if isinstance(target, Tensor) else target)


def _class_indices(
    op: str, x: Tensor, target: Any, ignore_index: int | None = None
) -> tuple[Tensor, np.ndarray, tuple[int, ...], bool]:
    """Scores as (M, C) rows and class indices as (M,), from (N, C) / (C,) / (N, C, d1, ...)
    scores; also the shape of the per-example losses ((N,), () or (N, d1, ...)) and whether
    any target is ``ignore_index``."""
    shape = x.data.shape  # (read once: this runs every training step)
    ndim = len(shape)
    if ndim == 0:
        raise ValueError(
            f"{op}(): input must hold scores per class, shape (N, C), (C,) or (N, C, d1, ...), "
            f"got {x.shape}"
        )
    t = _target_array(target)
    kind = t.dtype.kind
    if kind != "i" and kind != "u":
        raise TypeError(
            f"{op}(): target must hold integer class indices, got dtype {t.dtype} (convert "
            "with .long(); class probabilities need the input's shape "
            f"{x.shape})"
        )
    want = shape[:1] + shape[2:] if ndim >= 2 else ()
    if t.shape != want:
        raise ValueError(
            f"{op}(): input of shape {x.shape} needs a target of shape {want}, got {t.shape}"
        )
    classes = shape[1] if ndim >= 2 else shape[0]
    ignored = False
    if t.size:  # min and max: two passes over the targets where masks would take several
        low, high = t.min(), t.max()
        if ignore_index is not None and (low < 0 or high >= classes or 0 <= ignore_index < classes):
            ignored = bool((t == ignore_index).any())
        if low < 0 or high >= classes:
            outside = (t < 0) | (t >= classes)
            if ignore_index is not None:
                outside &= t != ignore_index
            if outside.any():
                raise TargetError(
                    f"{op}(): target holds class {t[outside].flat[0]}, but input has {classes} "
                    f"classes (0 to {classes - 1})"
                )
    if ndim == 1:
        rows = x.reshape(1, classes)
    elif ndim == 2:
        rows = x
    else:  # classes along dim 1: move them last, one row per position
        order = (0, *range(2, ndim), 1)
        rows = x.permute(*order).reshape(-1, classes)
    return rows, t.reshape(-1).astype(np.intp, copy=False), want, ignored


def _picked_nll(
    op: str,
    logp: Tensor,
    t: np.ndarray,
    weight: Any,
    ignore_index: int,
    reduction: str,
    shape: tuple[int, ...],
) -> tuple[Tensor, np.ndarray | None, np.ndarray]:
    """-w[t] logp[t] per row (0 for ignored rows), reduced as PyTorch's nll_loss: 'mean'
    divides by the summed weights of the rows kept. Also the weights and the kept rows."""
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    rows = np.arange(len(t))
    w = None
    picked = -logp[rows, safe]
    if weight is not None:
        w = class_weights(op, weight, logp.shape[1], logp.dtype)
        row_weights = np.where(keep, w[safe], 0).astype(logp.dtype)
        picked = picked * row_weights
    else:
        row_weights = keep.astype(logp.dtype)
    if not keep.all():
        picked = where(keep, picked, np.zeros((), logp.dtype))
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            total = row_weights.sum()
        return picked.sum() / Tensor(np.asarray(total, logp.dtype)), w, keep
    if reduction == "sum":
        return picked.sum(), w, keep
    return picked.reshape(shape), w, keep


def nll_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """-weight[t] * input[t] per example, for log-probabilities ``input`` (log_softmax's output)
    and class indices t; examples whose target is ``ignore_index`` count for nothing. 'mean'
    divides by the summed weights of the examples kept (NaN when none is)."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    x = as_float_input(input, "nll_loss")
    rows, t, shape, _ = _class_indices("nll_loss", x, target, ignore_index)
    return _picked_nll("nll_loss", rows, t, weight, ignore_index, reduction, shape)[0]


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy from unnormalised scores (logits), as PyTorch's.

    ``target`` holds class indices (shape (N,), () or (N, d1, ...)) or class probabilities
    (the input's shape, floating). ``weight`` (one per class) rescales each class;
    ``ignore_index`` marks targets to skip; ``label_smoothing`` eps mixes the target with the
    uniform distribution: (1 - eps) target + eps / C. Computed through log_softmax, so huge
    logits give finite losses.
    """
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    smoothing = check_probability("cross_entropy", "label_smoothing", label_smoothing)
    x = as_float_input(input, "cross_entropy")
    t_raw = _target_array(target)
    if t_raw.dtype.kind == "f" and x.ndim >= 1 and t_raw.shape == x.shape:
        return _cross_entropy_probabilities(x, target, weight, reduction, smoothing)
    scores = x.data.shape
    fused = weight is None and smoothing == 0.0 and len(scores) == 2  # one node does it all
    in_range = fused and ignore_index is not None and 0 <= ignore_index < scores[1]
    if fused and not in_range and scores[0] and t_raw.shape == scores[:1]:
        try:  # the fused op checks the targets itself: the common case, without a second check
            return softmax_cross_entropy(x, t_raw, reduction)
        except (TypeError, ValueError):
            pass  # an ignored or a bad target: the general path handles or names it
    rows, t, shape, ignored = _class_indices("cross_entropy", x, target, ignore_index)
    if fused and len(t) and not ignored:  # an ignore_index in [0, C) that no target holds
        return softmax_cross_entropy(rows, t, reduction)
    logp = rows.log_softmax(dim=1)
    nll, w, keep = _picked_nll("cross_entropy", logp, t, weight, ignore_index, reduction, shape)
    if smoothing == 0.0:
        return nll
    classes = rows.shape[1]
    smooth = -(logp * w).sum(dim=1) if w is not None else -logp.sum(dim=1)
    if not keep.all():
        smooth = where(keep, smooth, np.zeros((), logp.dtype))
    if reduction == "mean":
        if w is not None:
            total = np.where(keep, w[np.where(keep, t, 0)], 0).sum()
        else:
            total = keep.sum()
        smooth_reduced = smooth.sum() / Tensor(np.asarray(total, logp.dtype))
    elif reduction == "sum":
        smooth_reduced = smooth.sum()
    else:
        smooth_reduced = smooth.reshape(shape)
    return nll * (1.0 - smoothing) + smooth_reduced * (smoothing / classes)


def _cross_entropy_probabilities(
    x: Tensor, target: Any, weight: Any, reduction: str, smoothing: float
) -> Tensor:
    """-sum_c w_c p_c log softmax(x)_c per example, for target probabilities p; 'mean' divides
    by the number of examples (not by weights, as PyTorch)."""
    p = like_input("cross_entropy", x, target)
    class_dim = 1 if x.ndim >= 2 else 0
    classes = x.shape[class_dim]
    if smoothing:
        p = p * (1.0 - smoothing) + smoothing / classes
    logp = x.log_softmax(dim=class_dim)
    terms = logp * p
    if weight is not None:
        w = class_weights("cross_entropy", weight, classes, x.dtype)
        terms = terms * w.reshape((classes,) + (1,) * (x.ndim - class_dim - 1))
    loss = -terms.sum(dim=class_dim)
    return _reduce(loss, reduction)


def multi_margin_loss(
    input: Any,
    target: Any,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-class SVM (hinge) loss: for each example, the sum over the wrong classes j of
    max(0, margin - x[y] + x[j])^p, divided by the number of classes C (PyTorch's
    MultiMarginLoss). It is zero once the right class beats every other by ``margin``."""
    reduction = check_reduction(legacy_reduction(size_average, reduce, reduction))
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss(): p must be 1 or 2, got {p!r}")
    x = as_input(input, "multi_margin_loss")
    if x.ndim not in (1, 2):
        raise ValueError(
            f"multi_margin_loss(): input must hold scores per class, shape (N, C) or (C,), "
            f"got {x.shape}"
        )
    rows, t, shape, _ = _class_indices("multi_margin_loss", x, target)
    n, classes = rows.shape
    index = np.arange(n)
    right = rows[index, t].reshape(n, 1)
    hinge = (float(margin) - right + rows).relu()  # PyTorch's order of operations
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        w = class_weights("multi_margin_loss", weight, classes, rows.dtype)
        hinge = hinge * w[t].reshape(n, 1)
    wrong = np.ones((n, classes), dtype=rows.dtype)
    wrong[index, t] = 0.0  # the right class is not compared with itself
    per_example = (hinge * wrong).sum(dim=1) / float(classes)
    return _reduce(per_example.reshape(shape), reduction)
