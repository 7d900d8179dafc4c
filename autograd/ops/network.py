"""Fused network ops: a linear layer and softmax cross-entropy, each one node.

Written as separate ops they cost several nodes and temporaries per layer; fused, the forward
keeps only what the backward needs. ``nn.functional.linear`` and ``cross_entropy`` use them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..op import Op, check, index, real
from ..tensor import Tensor, as_tensor, make
from .common import product_dtype, unbroadcast

REDUCTIONS = ("mean", "sum", "none")


def _linear_rule(
    ctx: tuple[bool, ...], g: Any, out: Any, x: Any, w: Any, *bias: Any
) -> tuple[Any, ...]:
    need_x, need_w = ctx
    gx = gw = None
    batch = g.ndim == 2 and x.ndim == 2  # the common case: no reshapes, no broadcast to undo
    if need_x:
        gx = g @ w
        if not batch or gx.dtype != x.dtype:
            gx = unbroadcast(gx, x.shape, x.dtype)
    if need_w:
        if batch:
            gw = g.T @ x
        else:  # leading dims of a batch all add into the weight
            gw = g.reshape((-1, g.shape[-1])).T @ x.reshape((-1, x.shape[-1]))
        if gw.dtype != w.dtype:
            gw = gw.astype(w.dtype)
    if not bias:
        return gx, gw
    b = bias[0]
    if batch and b.ndim == 1 and g.dtype == b.dtype:
        return gx, gw, g.sum(axis=0)
    return gx, gw, unbroadcast(g, b.shape, b.dtype)


LINEAR = Op(
    "linear",
    _linear_rule,
    saves="x y",
    factors=("g @ W", "gᵀ @ x", "g summed over the batch"),
    checks=[
        check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), real(5, 3), real(2, 3), real(2)),
        check(lambda t, x, w: t.nn.functional.linear(x, w), real(2, 4, 3), real(2, 3)),
        check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), real(3), real(2, 3), real(2)),
    ],
)


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:
    """``input @ weight.T + bias`` as one op (PyTorch's F.linear): weight has shape (out, in).

    One node instead of three, and the bias is added into the product in place, so a layer keeps
    one activation-sized array alive instead of two.
    """
    x = input if type(input) is Tensor else as_tensor(input, "linear")
    w = weight if isinstance(weight, Tensor) else as_tensor(weight, "linear")
    xd, wd = x.data, w.data
    if wd.ndim != 2 or xd.ndim == 0 or xd.shape[-1] != wd.shape[1]:
        raise ValueError(
            f"linear: input of shape {tuple(x.shape)} and weight of shape {tuple(w.shape)} do not "
            "fit: the weight must be (out_features, in_features) with in_features = the input's "
            "last dim"
        )
    if xd.dtype != wd.dtype:
        common = product_dtype("linear", xd, wd)
        xd, wd = xd.astype(common, copy=False), wd.astype(common, copy=False)
    data = np.matmul(xd, wd.T)
    ctx = (x.requires_grad, w.requires_grad)
    if bias is None:
        return make(data, (x, w), LINEAR, ctx)
    b = bias if isinstance(bias, Tensor) else as_tensor(bias, "linear")
    bd = b.data
    if bd.shape != (wd.shape[0],) and bd.shape not in ((), (1,)):
        raise ValueError(
            f"linear: bias of shape {tuple(bd.shape)} does not fit {wd.shape[0]} outputs"
        )
    if bd.dtype != data.dtype:
        common = product_dtype("linear", data, bd)
        data, bd = data.astype(common, copy=False), bd.astype(common, copy=False)
    data += bd  # data is our own fresh array
    return make(data, (x, w, b), LINEAR, ctx)


def _cross_entropy_rule(ctx: Any, g: Any, out: Any, logits: Any) -> tuple[Any]:
    picks, n, exps, totals, reduction = ctx  # picks: each row's target in the flat (N*C) array
    if isinstance(logits, Tensor):  # recording the gradient: the softmax as a node of it
        onehot = np.zeros(exps.shape, exps.dtype)  # (C order, as exps)
        onehot.reshape(-1)[picks] = 1
        delta = logits.softmax(dim=1) - onehot
        if reduction == "none":
            return (delta * g.reshape((-1, 1)),)
        return (delta * (g / n if reduction == "mean" and n else g),)
    delta = exps / totals  # the softmax, in a fresh array: scaled in place below
    delta.reshape(-1)[picks] -= 1  # (flat indices: a third of the cost of [rows, targets])
    if reduction == "none":
        delta *= g.reshape((-1, 1))
    else:
        delta *= g / n if reduction == "mean" and n else g
    return (delta,)


CROSS_ENTROPY = Op(
    "cross_entropy",
    _cross_entropy_rule,
    factors=("(softmax - onehot) · g (/N for the mean)",),
    checks=[
        check(lambda t, x, y: t.nn.functional.cross_entropy(x, y), real(4, 3), index(4, high=3)),
        check(
            lambda t, x, y: t.nn.functional.cross_entropy(x, y, reduction="sum"),
            real(5, 2),
            index(5, high=2),
        ),
        check(
            lambda t, x, y: t.nn.functional.cross_entropy(x, y, reduction="none"),
            real(3, 4),
            index(3, high=4),
        ),
    ],
)


def softmax_cross_entropy(logits: Tensor, targets: np.ndarray, reduction: str = "mean") -> Tensor:
    """-log softmax(logits)[i, targets[i]] for each row i of (N, C) ``logits``, then the mean or
    sum over the rows ("none": the N losses). ``targets``: class indices in [0, C), shape (N,)
    (nn.functional.cross_entropy also takes ignore_index, weights and smoothing, and then
    builds the loss from smaller ops). The mean of no rows is NaN."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"cross_entropy(): reduction must be one of {REDUCTIONS}, got {reduction!r}"
        )
    d = logits.data
    if d.dtype.kind != "f":
        raise TypeError(f"cross_entropy(): logits must be floating, got dtype {d.dtype}")
    if d.ndim != 2:
        raise ValueError(f"cross_entropy(): logits must have shape (N, C), got {d.shape}")
    n, classes = d.shape
    targets = _class_targets(targets, n, classes)
    picks = targets + np.arange(0, n * classes, classes) if classes else targets
    # (NumPy's reduce ufuncs directly: d.max and e.sum each add a Python call on the way).
    # Row-major whatever d's layout (a transpose's is column-major): the flat picks here and
    # in the rule index the rows of a C-ordered array, and reshape(-1) must be a view
    shifted = (
        np.subtract(d, np.maximum.reduce(d, axis=1, keepdims=True), order="C")
        if d.size
        else d.copy(order="C")
    )
    picked = shifted.reshape(-1).take(picks)  # shifted[i, targets[i]] for each row i
    e = np.exp(shifted, out=shifted)  # (shifted is our own array: no second one)
    total = np.add.reduce(e, axis=1, keepdims=True)
    losses = np.log(total[:, 0]) - picked
    if reduction == "mean":
        total_loss = np.add.reduce(losses)
        losses = np.asarray(total_loss / n if n else np.nan, dtype=d.dtype)
    elif reduction == "sum":
        losses = np.asarray(losses.sum(), dtype=d.dtype)
    # the backward pass divides e by total again rather than keeping a copy of the softmax
    return make(losses, (logits,), CROSS_ENTROPY, (picks, n, e, total, reduction))


def _class_targets(targets: Any, n: int, classes: int) -> np.ndarray:
    """``targets`` as an integer array of N class indices in [0, C), or a clear error (a bad
    index would otherwise pick another row's score through the flat indices)."""
    t = np.asarray(targets)
    if t.dtype.kind not in "iu" or t.shape != (n,):
        raise TypeError(
            f"cross_entropy(): targets must be {n} integer class indices, got dtype {t.dtype} "
            f"and shape {t.shape}"
        )
    if n and not _all_below(t, classes):
        bad = t[(t < 0) | (t >= classes)].flat[0]
        raise ValueError(
            f"cross_entropy(): target holds class {bad}, but the logits have {classes} classes"
        )
    return t.astype(np.intp, copy=False)


def _all_below(t: np.ndarray, classes: int) -> bool:
    """Whether every integer in ``t`` lies in [0, classes): for int64 one pass, not a min and a
    max, as a negative int64 seen as uint64 is at least 2**63."""
    if t.dtype.kind == "i":
        if t.dtype.itemsize != 8 or not t.dtype.isnative:  # a narrower unsigned view could
            return bool(t.min() >= 0 and t.max() < classes)  # fall below C; a swapped one lies
        t = t.view(np.uint64)
    return bool(np.maximum.reduce(t) < classes)
