"""Reductions: sum, mean, amax/amin, max/min (with indices along a dim), argmax/argmin,
logsumexp, and the softmax family.

Every reduction takes PyTorch's ``dim=``/``keepdim=`` and NumPy's ``axis=``/``keepdims=``; a 0-d
tensor takes dim 0 or -1. A reduction's gradient is broadcast back over the reduced dims by
``expand`` (a reshape and a broadcast, both differentiable when recording).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from .. import dtypes
from ..graph import Node
from ..op import Op, check, distinct, real
from ..tensor import Tensor, as_tensor, make, make_const
from .common import dim_alias, dims, exp, keep_shape, keepdim_alias, one_dim, raw, select

ReturnTypes = namedtuple("ReturnTypes", ["values", "indices"])  # torch.return_types.max


def broadcast_to(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` broadcast to ``shape``: a read-only view of raw data, or a recorded op on a node."""
    if isinstance(g, Node):
        from .shape import broadcast_to as node_broadcast

        return node_broadcast(g, shape)
    return np.broadcast_to(g, shape)


def expand(g: Any, keep: tuple[int, ...], shape: tuple[int, ...]) -> Any:
    """A reduction's output gradient broadcast back over the reduced dims."""
    if np.shape(raw(g)) != keep:
        g = g.reshape(keep)
    return broadcast_to(g, shape)


def _dims_label(name: str) -> Any:
    def label(ctx: Any) -> str:
        keep, shape = ctx[0], ctx[1]
        reduced = tuple(i for i, (k, n) in enumerate(zip(keep, shape)) if k == 1 and n != 1)
        if not reduced or all(k == 1 for k in keep):  # every dim reduced (or none to tell)
            return name
        return f"{name}(dim={reduced[0] if len(reduced) == 1 else reduced})"

    return label


def _reduction_args(
    op: str, x: Tensor, dim: Any, keepdim: Any, axis: Any, keepdims: Any
) -> tuple[tuple[int, ...], bool]:
    d = dim_alias(op, dim, axis)
    return dims(op, d, x.ndim), keepdim_alias(op, keepdim, keepdims)


# --- sum and mean --------------------------------------------------------------------------------


def _sum_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (expand(g, ctx[0], ctx[1]),)


SUM = Op(
    "sum",
    _sum_rule,
    factors=("g broadcast back",),
    label=_dims_label("sum"),
    checks=[
        check(lambda t, x: x.sum(), real(3, 4)),
        check(lambda t, x: x.sum(dim=1), real(3, 4)),
        check(lambda t, x: x.sum(dim=(0, 2), keepdim=True), real(2, 3, 4)),
        check(lambda t, x: x.sum(-1), real()),
        check(lambda t, x: t.sum(x, 0, dtype=t.float64), real(3, 2)),
    ],
)


def sum(  # noqa: A001 - torch.sum
    input: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: Any = None,
) -> Tensor:
    x = as_tensor(input, "sum")
    axes, keep = _reduction_args("sum", x, dim, keepdim, axis, keepdims)
    if dtype is not None:
        x = x.to(dtypes.as_dtype(dtype, "sum()"))
    elif x.dtype.kind in "biu":  # integers and bools add up in int64, as in PyTorch
        x = x.to(dtypes.int64)
    # (not .sum(): NumPy's wrapper would warn from its own module, past dagrad's warning
    # filter); small integers would add up in int64: keep the dtype asked for, as PyTorch
    data = np.add.reduce(  # type: ignore[call-overload]
        x.data, axis=axes, keepdims=keep, dtype=x.dtype if x.dtype.kind in "biu" else None
    )
    return make(data, (x,), SUM, (keep_shape(x.shape, axes), x.shape))


def _mean_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    keep, shape, count = ctx
    return (expand(g / count if count else g, keep, shape),)


MEAN = Op(
    "mean",
    _mean_rule,
    factors=("g/n broadcast back",),
    label=_dims_label("mean"),
    checks=[
        check(lambda t, x: x.mean(), real(3, 4)),
        check(lambda t, x: x.mean(dim=0, keepdim=True), real(3, 4)),
        check(lambda t, x: x.mean((1, 2)), real(2, 3, 4)),
    ],
)


def mean(
    input: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: Any = None,
) -> Tensor:
    """The mean (the mean of nothing is NaN, as in PyTorch)."""
    x = as_tensor(input, "mean")
    axes, keep = _reduction_args("mean", x, dim, keepdim, axis, keepdims)
    if dtype is not None:
        x = x.to(dtypes.as_dtype(dtype, "mean()"))
    if x.dtype.kind != "f":
        raise TypeError(
            f"mean(): could not infer output dtype. Input dtype must be floating point, got "
            f"{x.dtype}; use x.float().mean() or pass dtype="
        )
    count = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    with np.errstate(invalid="ignore", divide="ignore"):  # the mean of nothing: 0/0 = nan
        data = np.add.reduce(x.data, axis=axes, keepdims=keep) / count  # type: ignore[call-overload]
    ctx = (keep_shape(x.shape, axes), x.shape, count)
    return make(np.asarray(data, dtype=x.dtype), (x,), MEAN, ctx)


# --- extremes --------------------------------------------------------------------------------


def _amax_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    keep, shape, axes = ctx
    xd = raw(x)
    hit = xd == raw(out).reshape(keep)
    weight = (hit / hit.sum(axis=axes, keepdims=True)).astype(xd.dtype)
    # multiplies, as torch.amax does (an inf gradient gives nan at the other elements)
    return (expand(g, keep, shape) * weight,)


AMAX = Op(
    "amax",
    _amax_rule,
    saves="x out",
    factors=("g shared by the largest",),
    label=_dims_label("amax"),
    checks=[
        check(lambda t, x: x.amax(), distinct(3, 4)),
        check(lambda t, x: x.amax(dim=1), distinct(3, 4)),
        check(lambda t, x: t.amax(x, (0, 2), keepdim=True), distinct(2, 3, 2)),
        check(
            lambda t, x: t.cat([x, x.detach(), x], 1).amax(1), real(3, 2), fd=False
        ),  # ties share
    ],
)
AMIN = Op(
    "amin",
    _amax_rule,
    saves="x out",
    factors=("g shared by the smallest",),
    label=_dims_label("amin"),
    checks=[check(lambda t, x: x.amin(dim=0), distinct(3, 4))],
)


def _extreme(
    op: Op, fn: Any, input: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any
) -> Tensor:
    x = as_tensor(input, op.name)
    axes, keep = _reduction_args(op.name, x, dim, keepdim, axis, keepdims)
    if any(x.shape[a] == 0 for a in axes) or (x.data.size == 0 and not axes):
        raise ValueError(f"{op.name}(): cannot reduce an empty tensor of shape {x.shape}")
    data = getattr(x.data, fn)(axis=axes, keepdims=keep)
    return make(data, (x,), op, (keep_shape(x.shape, axes), x.shape, axes))


def amax(
    input: Any, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    """The largest elements over ``dim`` (all dims by default); ties share the gradient."""
    return _extreme(AMAX, "max", input, None if dim == () else dim, keepdim, axis, keepdims)


def amin(
    input: Any, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    return _extreme(AMIN, "min", input, None if dim == () else dim, keepdim, axis, keepdims)


def _max_all_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    xd, value = raw(x), raw(out)
    hit = np.isnan(xd) if np.isnan(value) else xd == value  # a NaN is the max: it gets g
    share = g / int(hit.sum()) if hit.any() else g
    # selects: the gradient goes to the tied largest elements and nowhere else (torch.max())
    return (select(hit, broadcast_to(share, xd.shape), 0.0),)


MAX_ALL = Op(
    "max",
    _max_all_rule,
    saves="x out",
    factors=("g shared by the largest",),
    checks=[
        check(lambda t, x: x.max(), distinct(3, 4)),
        check(lambda t, x: t.max(x), distinct(5)),
        check(lambda t, x: t.cat([x, x.detach(), x]).max(), distinct(4), fd=False),  # ties share
    ],
)
MIN_ALL = Op(
    "min",
    _max_all_rule,
    saves="x out",
    factors=("g shared by the smallest",),
    checks=[check(lambda t, x: x.min(), distinct(3, 4))],
)


def _max_dim_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    dim, indices, keepdim, shape = ctx
    from .indexing import put_along

    if not keepdim:
        g = g.reshape(np.shape(indices))
    return (put_along(g, dim, indices, shape),)


def _max_dim_label(name: str) -> Any:
    return lambda ctx: f"{name}(dim={ctx[0]})"


MAX_DIM = Op(
    "max(dim)",
    _max_dim_rule,
    factors=("g to the largest's index",),
    label=_max_dim_label("max"),
    checks=[
        check(lambda t, x: x.max(dim=1).values, distinct(3, 4)),
        check(lambda t, x: t.max(x, 0, keepdim=True)[0], distinct(3, 4)),
        check(
            lambda t, x: t.stack([x.detach(), x], 1).max(1)[0], real(4), fd=False
        ),  # the first of ties
    ],
)
MIN_DIM = Op(
    "min(dim)",
    _max_dim_rule,
    factors=("g to the smallest's index",),
    label=_max_dim_label("min"),
    checks=[check(lambda t, x: x.min(-1)[0], distinct(2, 3, 4))],
)


def _max_or_min(
    largest: bool, input: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any, other: Any = None
) -> Any:
    name = "max" if largest else "min"
    x = as_tensor(input, name)
    if isinstance(dim, Tensor) and other is None:  # torch.max(a, b): the elementwise maximum
        from .selection import maximum, minimum

        return (maximum if largest else minimum)(x, dim)
    d = dim_alias(name, dim, axis)
    keep = keepdim_alias(name, keepdim, keepdims)
    if d is None:
        if x.data.size == 0:
            raise ValueError(f"{name}(): cannot reduce an empty tensor of shape {x.shape}")
        data = x.data.max() if largest else x.data.min()
        return make(data, (x,), MAX_ALL if largest else MIN_ALL)
    axis_ = one_dim(name, d, x.ndim)
    if x.ndim == 0:
        return ReturnTypes(x if not x.requires_grad else x * 1, make_const(np.asarray(0)))
    if x.shape[axis_] == 0:
        raise ValueError(f"{name}(): cannot reduce an empty dim {axis_} of shape {x.shape}")
    kept = np.expand_dims(_arg_extreme(x.data, axis_, largest), axis_)
    values = np.take_along_axis(x.data, kept, axis_)
    indices = kept if keep else np.squeeze(kept, axis_)
    op = MAX_DIM if largest else MIN_DIM
    values_node = make(
        values if keep else np.squeeze(values, axis_), (x,), op, (axis_, kept, keep, x.shape)
    )
    return ReturnTypes(values_node, make_const(indices.astype(np.int64)))


def _arg_extreme(d: np.ndarray, axis: int, largest: bool) -> np.ndarray:
    """The index of the first largest (smallest) element along ``axis``; a NaN counts as both
    (NumPy's argmax and argmin, like PyTorch, return the first NaN)."""
    return np.argmax(d, axis=axis) if largest else np.argmin(d, axis=axis)


def max(
    input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Any:  # noqa: A001
    """The largest element (a 0-d tensor); with ``dim``, ``(values, indices)`` along it; with a
    tensor for ``dim``, the elementwise maximum (``torch.max(a, b)``)."""
    return _max_or_min(True, input, dim, keepdim, axis, keepdims)


def min(
    input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Any:  # noqa: A001
    return _max_or_min(False, input, dim, keepdim, axis, keepdims)


def _arg(largest: bool, input: Any, dim: Any, keepdim: bool, axis: Any) -> Tensor:
    name = "argmax" if largest else "argmin"
    x = as_tensor(input, name)
    d = dim_alias(name, dim, axis)
    if x.data.size == 0:
        raise ValueError(f"{name}(): cannot reduce an empty tensor of shape {x.shape}")
    if d is None:
        flat = _arg_extreme(x.data.reshape(-1), 0, largest)
        out = np.asarray(flat, dtype=np.int64)
        return make_const(out.reshape((1,) * x.ndim) if keepdim else out)
    axis_ = one_dim(name, d, x.ndim)
    if x.ndim == 0:
        return make_const(np.asarray(0, dtype=np.int64))
    idx = _arg_extreme(x.data, axis_, largest).astype(np.int64)
    return make_const(np.expand_dims(idx, axis_) if keepdim else idx)


def argmax(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
    """The index of the largest element (of the flattened tensor without ``dim``)."""
    return _arg(True, input, dim, keepdim, axis)


def argmin(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
    return _arg(False, input, dim, keepdim, axis)


# --- logsumexp and the softmax family ------------------------------------------------------------


def _logsumexp_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    keep, shape = ctx
    return (expand(g, keep, shape) * exp(x - out.reshape(keep)),)


LOGSUMEXP = Op(
    "logsumexp",
    _logsumexp_rule,
    saves="x out",
    factors=("g × softmax(x)",),
    label=_dims_label("logsumexp"),
    checks=[
        check(lambda t, x: x.logsumexp(dim=1), real(3, 4)),
        check(lambda t, x: t.logsumexp(x, (0, 1), keepdim=True), real(2, 3)),
    ],
)


def _shift(d: np.ndarray, axes: Any, finite: bool = False) -> np.ndarray:
    """The max over ``axes`` (kept), subtracted before exp; 0 where there is nothing to reduce.
    ``finite``: 0 also where the max is infinite (logsumexp of an all -inf row is -inf); softmax
    keeps it, so a row holding inf gives NaN, as in PyTorch."""
    if d.size == 0:
        return np.zeros(d.sum(axis=axes, keepdims=True).shape, dtype=d.dtype)
    m = d.max(axis=axes, keepdims=True)
    return np.where(np.isfinite(m), m, 0) if finite else m  # type: ignore[no-any-return]


def logsumexp(
    input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:
    x = as_tensor(input, "logsumexp")
    if dim is None and axis is None:
        raise TypeError(
            "logsumexp(): dim is required, as in PyTorch (pass dim=tuple(range(x.dim())) for all)"
        )
    axes, keep = _reduction_args("logsumexp", x, dim, keepdim, axis, keepdims)
    if x.dtype.kind != "f":
        x = x.to(dtypes.get_default_dtype())
    d = x.data
    m = _shift(d, axes, finite=True)
    with np.errstate(divide="ignore"):  # an empty or all -inf row: log(0) = -inf
        data = np.log(np.exp(d - m).sum(axis=axes, keepdims=True)) + m
    keep_ = keep_shape(x.shape, axes)
    if not keep:
        data = data.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes))
    return make(np.asarray(data, dtype=d.dtype), (x,), LOGSUMEXP, (keep_, x.shape))


def _softmax_rule(ctx: int, g: Any, out: Any, x: Any) -> tuple[Any]:
    gs = g * out
    return (gs - out * gs.sum(axis=ctx, keepdims=True),)


def _dim_label(name: str) -> Any:
    return lambda ctx: f"{name}(dim={ctx})"


SOFTMAX = Op(
    "softmax",
    _softmax_rule,
    saves="out",
    factors=("softmax Jacobian · g",),
    label=_dim_label("softmax"),
    checks=[
        check(lambda t, x: x.softmax(dim=1), real(3, 4)),
        check(lambda t, x: t.softmax(x, 0), real(3, 2)),
        check(lambda t, x: x.softmax(0), real()),
    ],
)


def _softmax_dim(op: str, x: Tensor, dim: Any, axis: Any) -> int | None:
    """The dim to normalise over (None for a 0-d tensor, whose one element is its own row)."""
    d = dim_alias(op, dim, axis)
    if d is None:
        raise TypeError(f"{op}(): dim is required, as in PyTorch (softmax over dim=-1: pass -1)")
    ax = one_dim(op, d, x.ndim)
    return ax if x.ndim else None


def softmax(input: Any, dim: Any = None, *, axis: Any = None, dtype: Any = None) -> Tensor:
    x = as_tensor(input, "softmax")
    ax = _softmax_dim("softmax", x, dim, axis)
    if dtype is not None:
        x = x.to(dtypes.as_dtype(dtype, "softmax()"))
    elif x.dtype.kind != "f":
        x = x.to(dtypes.get_default_dtype())
    d = x.data
    e = np.exp(d - _shift(d, ax))
    return make(e / e.sum(axis=ax, keepdims=True), (x,), SOFTMAX, ax)


def _log_softmax_rule(ctx: int, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g - exp(out) * g.sum(axis=ctx, keepdims=True),)


LOG_SOFTMAX = Op(
    "log_softmax",
    _log_softmax_rule,
    saves="out",
    factors=("g - softmax · Σg",),
    label=_dim_label("log_softmax"),
    checks=[
        check(lambda t, x: x.log_softmax(dim=-1), real(3, 4)),
        check(lambda t, x: t.log_softmax(x, 0), real(3, 2)),
    ],
)


def log_softmax(input: Any, dim: Any = None, *, axis: Any = None, dtype: Any = None) -> Tensor:
    x = as_tensor(input, "log_softmax")
    ax = _softmax_dim("log_softmax", x, dim, axis)
    if dtype is not None:
        x = x.to(dtypes.as_dtype(dtype, "log_softmax()"))
    elif x.dtype.kind != "f":
        x = x.to(dtypes.get_default_dtype())
    d = x.data
    shifted = d - _shift(d, ax)
    with np.errstate(divide="ignore"):  # an empty row: log(0), subtracted from nothing
        data = shifted - np.log(np.exp(shifted).sum(axis=ax, keepdims=True))
    return make(data, (x,), LOG_SOFTMAX, ax)
