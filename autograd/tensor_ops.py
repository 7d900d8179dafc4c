"""Tensor ops: each forward function with its backward rule (VJP) right below it.

Rules receive raw ndarrays in the fast path and Tensors when the gradient is being recorded
(``grad(..., create_graph=True)``), so they use only what both support: operators, ``.reshape``,
``.swapaxes``, ``.sum``, indexing, and the helpers ``broadcast_to``/``unbroadcast`` below, which are
themselves differentiable ops when given Tensors.

Broadcasting is undone in one place: ``unbroadcast``, applied to every elementwise binary op's
gradients by the ``broadcasting`` decorator (and used by matmul for batch dimensions).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from .graph import rule
from .tensor import Tensor, _make, _make_const, _raw, as_tensor, is_number

Axis = int | tuple[int, ...] | None


# --- helpers shared by the rules --------------------------------------------------------------


def unbroadcast(g: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """Sum a gradient of a broadcast result back to the ``shape`` (and ``dtype``) of an input."""
    if g.shape != shape:
        lead = len(g.shape) - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
        )
        if axes:
            g = g.sum(axis=axes)
        if g.shape != shape:
            g = g.reshape(shape)
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g


def _in_dtype(g: Any, dtype: Any) -> Any:
    """``g`` in its input's dtype: an op over mixed dtypes must not change a gradient's dtype."""
    return g if g.dtype == dtype else g.astype(dtype)


def broadcasting(rule_fn: Any) -> Any:
    """Wrap an elementwise rule so that each gradient is reduced to its input's shape."""

    @functools.wraps(rule_fn)
    def wrapped(ctx: Any, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
        grads = rule_fn(ctx, g, out, *inputs)
        return tuple(
            None if gi is None else unbroadcast(gi, x.shape, x.dtype)
            for gi, x in zip(grads, inputs)
        )

    return wrapped


def _shape_str(*shapes: tuple[int, ...]) -> str:
    return " and ".join(str(tuple(s)) for s in shapes)


def _broadcast_shape(op: str, a: np.ndarray, b: np.ndarray) -> None:
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {_shape_str(a.shape, b.shape)} cannot be broadcast together"
        ) from None


def _binary(op: str, fn: Any, rule_fn: Any, x: Any, y: Any, ctx: Any = None) -> Tensor:
    x = as_tensor(x)
    y = as_tensor(y)
    try:
        data = fn(x.data, y.data)
    except ValueError as err:
        _broadcast_shape(op, x.data, y.data)
        raise ValueError(
            f"{op}: {err} (operands of shapes {_shape_str(x.shape, y.shape)} and dtypes "
            f"{x.dtype} and {y.dtype})"
        ) from None
    return _make(data, (x, y), rule_fn, ctx)


# --- elementwise arithmetic -----------------------------------------------------------------


@rule("+")
@broadcasting
def _add_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g, g


@rule("+c")
def _add_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g,)


def add(x: Any, y: Any) -> Tensor:
    if is_number(y) and isinstance(x, Tensor):
        return _make(x.data + float(y), (x,), _add_const_rule, y)
    return _binary("add", np.add, _add_rule, x, y)


@rule("-")
@broadcasting
def _sub_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g, -g


@rule("c-")
def _rsub_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g,)


def sub(x: Any, y: Any) -> Tensor:
    if is_number(y) and isinstance(x, Tensor):
        return _make(x.data - float(y), (x,), _add_const_rule, -y)
    if is_number(x) and isinstance(y, Tensor):
        return _make(float(x) - y.data, (y,), _rsub_const_rule, x)
    return _binary("sub", np.subtract, _sub_rule, x, y)


@rule("*")
@broadcasting
def _mul_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g * y, g * x


@rule("*c")
def _mul_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * ctx,)


def mul(x: Any, y: Any) -> Tensor:
    if is_number(y) and isinstance(x, Tensor):
        c = float(y)
        return _make(x.data * c, (x,), _mul_const_rule, c)
    return _binary("mul", np.multiply, _mul_rule, x, y)


@rule("/")
@broadcasting
def _div_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    gx = g / y
    return gx, -gx * out


@rule("c/")
def _rdiv_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g * out / x,)


def div(x: Any, y: Any) -> Tensor:
    if is_number(y) and isinstance(x, Tensor) and float(y) != 0.0:  # x / 0 goes to np.divide
        c = 1.0 / float(y)
        return _make(x.data * c, (x,), _mul_const_rule, c)
    if is_number(x) and isinstance(y, Tensor):
        c = float(x)
        return _make(c / y.data, (y,), _rdiv_const_rule, c)
    return _binary("div", np.divide, _div_rule, x, y)


@rule("neg")
def _neg_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g,)


def neg(x: Tensor) -> Tensor:
    return _make(-x.data, (x,), _neg_rule)


@rule("**c")
def _pow_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    if ctx == 0.0:
        return (g * 0.0,)
    if ctx == 2.0:
        return (g * (2.0 * x),)
    return (g * (ctx * x ** (ctx - 1.0)),)


@rule("c**")
def _rpow_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * out * float(np.log(ctx)),)


@rule("**")
@broadcasting
def _pow_rule(ctx: bool, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    # at a zero base the formulas give 0 * inf = nan; there x**y is flat (as in PyTorch): in x
    # when y == 0, in y when y >= 0. A base of 1 in the formula gives those zeros.
    zero_base = _raw(x) == 0
    gx = g * y * _replace(zero_base & (_raw(y) == 0), 1.0, x) ** (y - 1.0)
    if not ctx:  # a constant exponent: skip its log (which warns for a negative base)
        return gx, None
    return gx, g * out * log(_replace(zero_base & (_raw(y) >= 0), 1.0, x))


def _replace(mask: np.ndarray, value: float, x: Any) -> Any:
    """``x`` with ``value`` where ``mask`` holds (``x`` itself when it holds nowhere)."""
    if not mask.any():
        return x
    return np.where(mask, value, x) if isinstance(x, np.ndarray) else where(mask, value, x)


def power(x: Any, y: Any) -> Tensor:
    if is_number(y) and isinstance(x, Tensor):
        c = float(y)
        return _make(x.data**c, (x,), _pow_const_rule, c)
    if is_number(x) and isinstance(y, Tensor):
        c = float(x)
        return _make(np.power(c, y.data), (y,), _rpow_const_rule, c)
    x, y = as_tensor(x), as_tensor(y)
    # the rule needs to know whether the exponent wants a gradient (ctx)
    return _binary("pow", np.power, _pow_rule, x, y, y.requires_grad)


# --- elementwise functions ------------------------------------------------------------------


@rule("exp")
def _exp_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * out,)


def exp(x: Any) -> Any:
    if isinstance(x, np.ndarray):  # rules call it on raw arrays too, as they do log
        return np.exp(x)
    return _make(np.exp(x.data), (x,), _exp_rule)


@rule("log")
def _log_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g / x,)


def log(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return np.log(x)
    return _make(np.log(x.data), (x,), _log_rule)


@rule("sqrt")
def _sqrt_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g / (2.0 * out),)


def sqrt(x: Tensor) -> Tensor:
    return _make(np.sqrt(x.data), (x,), _sqrt_rule)


@rule("tanh")
def _tanh_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (1.0 - out * out),)


def tanh(x: Tensor) -> Tensor:
    return _make(np.tanh(x.data), (x,), _tanh_rule)


@rule("sigmoid")
def _sigmoid_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (out * (1.0 - out)),)


def sigmoid(x: Tensor) -> Tensor:
    d = x.data
    # exp of a non-positive number only, so no overflow for large |x|
    e = np.exp(-np.abs(d))
    s = np.where(d >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return _make(s, (x,), _sigmoid_rule)


@rule("relu")
def _relu_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (_raw(x) > 0),)


def relu(x: Tensor) -> Tensor:
    return _make(np.maximum(x.data, 0), (x,), _relu_rule)


@rule("abs")
def _abs_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * np.sign(_raw(x)),)


def absolute(x: Tensor) -> Tensor:
    return _make(np.abs(x.data), (x,), _abs_rule)


@rule("astype")
def _astype_rule(ctx: np.dtype[Any], g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g.astype(ctx),)


def astype(x: Tensor, dtype: Any) -> Tensor:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"astype(): {dtype!r} is not a dtype") from None
    if dtype.kind not in "biuf":
        raise TypeError(f"astype(): a Tensor holds numbers; dtype {dtype} is not numeric")
    if dtype == x.data.dtype:
        return x
    if x.requires_grad and dtype.kind != "f":
        return _make_const(x.data.astype(dtype))
    return _make(x.data.astype(dtype), (x,), _astype_rule, x.data.dtype)


# --- choosing: where, maximum, minimum ------------------------------------------------------


@rule("where")
@broadcasting
def _where_rule(ctx: np.ndarray, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g * ctx, g * ~ctx


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """Elementwise ``x`` where ``condition`` holds, else ``y`` (condition: a bool Tensor/array)."""
    cond = np.asarray(_raw(condition))
    if cond.dtype != np.bool_:
        raise TypeError(f"where(): condition must be bool, got dtype {cond.dtype}")
    x = as_tensor(x)
    y = as_tensor(y)
    try:
        np.broadcast_shapes(cond.shape, x.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"where(): condition, x and y have shapes {_shape_str(cond.shape, x.shape, y.shape)}, "
            "which cannot be broadcast together"
        ) from None
    return _make(np.where(cond, x.data, y.data), (x, y), _where_rule, cond)


@rule("maximum")
@broadcasting
def _maximum_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    xd, yd = _raw(x), _raw(y)
    wx = (xd > yd) + 0.5 * (xd == yd)  # ties split the gradient evenly
    return g * wx.astype(xd.dtype), g * (1.0 - wx).astype(yd.dtype)


def maximum(x: Any, y: Any) -> Tensor:
    return _binary("maximum", np.maximum, _maximum_rule, x, y)


@rule("minimum")
@broadcasting
def _minimum_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    xd, yd = _raw(x), _raw(y)
    wx = (xd < yd) + 0.5 * (xd == yd)
    return g * wx.astype(xd.dtype), g * (1.0 - wx).astype(yd.dtype)


def minimum(x: Any, y: Any) -> Tensor:
    return _binary("minimum", np.minimum, _minimum_rule, x, y)


# --- reductions -----------------------------------------------------------------------------


def _norm_axes(op: str, axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if hasattr(axis, "__iter__") else (axis,)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}(): axis {a!r} is not an integer")
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}(): axis {a!r} is out of range for a tensor with {ndim} dims")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}(): axis {axis!r} repeats an axis")
    return tuple(out)


def _one_axis(op: str, axis: Any, ndim: int) -> int:
    """A single axis (softmax and friends take exactly one)."""
    if axis is None or isinstance(axis, (tuple, list)):
        raise TypeError(f"{op}(): axis must be one integer, got {axis!r}")
    return _norm_axes(op, axis, ndim)[0]


def _flag(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}(): {name} must be True or False, got {value!r}")
    return bool(value)


def _integers(op: str, values: Sequence[Any]) -> tuple[int, ...]:
    """Sizes or axes given by the user: integers only (int() would truncate 2.5 to 2)."""
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{op}(): {v!r} is not an integer (in {tuple(values)!r})")
    return tuple(int(v) for v in values)


def _keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


@rule("broadcast_to")
def _broadcast_to_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (unbroadcast(g, x.shape, x.dtype),)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    if isinstance(x, np.ndarray):
        return np.broadcast_to(x, shape)
    x = as_tensor(x)
    try:
        data = np.broadcast_to(x.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to(): cannot broadcast shape {x.shape} to {shape}") from None
    return _make(data, (x,), _broadcast_to_rule)


def _expand(g: Any, ctx: tuple[tuple[int, ...], tuple[int, ...]]) -> Any:
    """Broadcast a reduction's output gradient back over the reduced axes."""
    keep_shape, in_shape = ctx
    if g.shape != keep_shape:
        g = g.reshape(keep_shape)
    return broadcast_to(g, in_shape)


@rule("sum")
def _sum_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (_expand(g, ctx),)


def reduce_sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    axes = _norm_axes("sum", axis, x.ndim)
    keepdims = _flag("sum", "keepdims", keepdims)
    data = np.asarray(np.sum(x.data, axis=axes, keepdims=keepdims))
    return _make(data, (x,), _sum_rule, (_keepdims_shape(x.shape, axes), x.shape))


@rule("mean")
def _mean_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    keep_shape, in_shape, count = ctx
    return (_expand(g * (1.0 / count), (keep_shape, in_shape)),)


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    axes = _norm_axes("mean", axis, x.ndim)
    keepdims = _flag("mean", "keepdims", keepdims)
    if x.data.dtype.kind != "f":
        x = astype(x, np.float32)
    count = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    if count == 0:
        raise ValueError(f"mean(): the reduced axes of shape {x.shape} are empty")
    data = np.asarray(np.mean(x.data, axis=axes, keepdims=keepdims))
    return _make(data, (x,), _mean_rule, (_keepdims_shape(x.shape, axes), x.shape, count))


@rule("max")
def _extreme_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    keep_shape, in_shape, axes = ctx
    xd = _raw(x)
    hit = xd == _raw(out).reshape(keep_shape)
    # ties share the gradient evenly (as torch.amax does)
    weight = (hit / hit.sum(axis=axes, keepdims=True)).astype(xd.dtype)
    return (_expand(g, (keep_shape, in_shape)) * weight,)


def _extreme(op: str, fn: Any, rule_fn: Any, x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    axes = _norm_axes(op, axis, x.ndim)
    keepdims = _flag(op, "keepdims", keepdims)
    if any(x.shape[a] == 0 for a in axes) or x.size == 0:
        raise ValueError(f"{op}(): cannot reduce an empty tensor of shape {x.shape}")
    data = np.asarray(fn(x.data, axis=axes, keepdims=keepdims))
    ctx = (_keepdims_shape(x.shape, axes), x.shape, axes)
    return _make(data, (x,), rule_fn, ctx)


@rule("min")
def _min_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    return _extreme_rule(ctx, g, out, x)


def amax(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return _extreme("max", np.max, _extreme_rule, x, axis, keepdims)


def amin(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return _extreme("min", np.min, _min_rule, x, axis, keepdims)


@rule("logsumexp")
def _logsumexp_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    keep_shape, _ = ctx
    return (_expand(g, ctx) * exp(x - out.reshape(keep_shape)),)


def logsumexp(x: Tensor, axis: Axis = -1, keepdims: bool = False) -> Tensor:
    axes = _norm_axes("logsumexp", axis, x.ndim)
    keepdims = _flag("logsumexp", "keepdims", keepdims)
    d = x.data
    m = _shift(d, axes)
    m = np.where(np.isfinite(m), m, 0)  # an all -inf row must give -inf, not nan
    with np.errstate(divide="ignore"):  # an empty or all -inf row: log(0) = -inf
        data = np.log(np.sum(np.exp(d - m), axis=axes, keepdims=True)) + m
    keep_shape = _keepdims_shape(x.shape, axes)
    if not keepdims:
        data = data.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes))
    return _make(np.asarray(data, dtype=d.dtype), (x,), _logsumexp_rule, (keep_shape, x.shape))


@rule("softmax")
def _softmax_rule(ctx: int, g: Any, out: Any, x: Any) -> tuple[Any]:
    gs = g * out
    return (gs - out * gs.sum(axis=ctx, keepdims=True),)


def _shift(d: np.ndarray, axes: Any) -> np.ndarray:
    """The max over ``axes`` (kept), subtracted before exp; 0 where there is nothing to reduce
    (NumPy's max of an empty axis raises)."""
    if d.size == 0:
        shape = np.sum(d, axis=axes, keepdims=True).shape
        return np.zeros(shape, dtype=d.dtype)
    return np.max(d, axis=axes, keepdims=True)  # type: ignore[no-any-return]


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    ax = _one_axis("softmax", axis, x.ndim)
    d = x.data
    e = np.exp(d - _shift(d, ax))
    return _make(e / np.sum(e, axis=ax, keepdims=True), (x,), _softmax_rule, ax)


@rule("log_softmax")
def _log_softmax_rule(ctx: int, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g - exp(out) * g.sum(axis=ctx, keepdims=True),)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    ax = _one_axis("log_softmax", axis, x.ndim)
    d = x.data
    shifted = d - _shift(d, ax)
    with np.errstate(divide="ignore"):  # an empty row: log(0), subtracted from nothing
        data = shifted - np.log(np.sum(np.exp(shifted), axis=ax, keepdims=True))
    return _make(data, (x,), _log_softmax_rule, ax)


# --- shape ----------------------------------------------------------------------------------


@rule("reshape")
def _reshape_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g.reshape(x.shape),)


def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = _integers("reshape", shape)
    try:
        data = x.data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape(): cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
            f"into shape {shape}"
        ) from None
    return _make(data, (x,), _reshape_rule)


@rule("transpose")
def _transpose_rule(ctx: tuple[int, ...], g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g.transpose(tuple(np.argsort(ctx))),)


def transpose(x: Tensor, axes: Sequence[int] | None = None) -> Tensor:
    if axes is None:
        perm = tuple(range(x.ndim))[::-1]
    else:
        perm = tuple(a + x.ndim if a < 0 else a for a in _integers("transpose", axes))
        if sorted(perm) != list(range(x.ndim)):  # also catches axes out of range
            raise ValueError(
                f"transpose(): axes {tuple(axes)} are not a permutation of the {x.ndim} "
                f"dims of shape {x.shape}"
            )
    return _make(x.data.transpose(perm), (x,), _transpose_rule, perm)


def swapaxes(x: Tensor, a: int, b: int) -> Tensor:
    ((a,), (b,)) = (_norm_axes("swapaxes", axis, x.ndim) for axis in (a, b))
    perm = list(range(x.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


@rule("index")
def _getitem_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (index_add(g, ctx, x.shape, x.dtype),)


def _clean_index(index: Any) -> Any:
    """Turn Tensors inside an index into arrays (indices are never differentiated)."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(_clean_index(i) for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def getitem(x: Tensor, index: Any) -> Tensor:
    index = _clean_index(index)
    try:
        data = x.data[index]
    except IndexError as err:
        raise IndexError(f"indexing a tensor of shape {x.shape}: {err}") from None
    return _make(np.asarray(data), (x,), _getitem_rule, index)


def _has_advanced(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) for p in parts)


@rule("index_add")
def _index_add_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g[ctx],)


def index_add(g: Any, index: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """A zero array of ``shape`` with ``g`` added at ``index`` (repeated indices add up)."""
    raw = _raw(g)
    z = np.zeros(shape, dtype=dtype)
    if _has_advanced(index):
        np.add.at(z, index, raw)
    else:
        z[index] = raw
    if isinstance(g, Tensor):
        return _make(z, (g,), _index_add_rule, index)
    return z


@rule("concatenate")
def _concatenate_rule(ctx: Any, g: Any, out: Any, *xs: Any) -> tuple[Any, ...]:
    axis, bounds = ctx
    lead = (slice(None),) * axis
    return tuple(_in_dtype(g[lead + (slice(a, b),)], x.dtype) for (a, b), x in zip(bounds, xs))


def _sequence(op: str, tensors: Any) -> tuple[Tensor, ...]:
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{op}(): expected a list or tuple of tensors, got a {type(tensors).__name__}"
        )
    return tuple(as_tensor(t) for t in tensors)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    ts = _sequence("concatenate", tensors)
    if not ts:
        raise ValueError("concatenate(): needs at least one tensor")
    ax = _one_axis("concatenate", axis, ts[0].ndim)
    try:
        data = np.concatenate([t.data for t in ts], axis=ax)
    except ValueError:
        raise ValueError(
            f"concatenate(): shapes {_shape_str(*(t.shape for t in ts))} do not match "
            f"outside axis {axis}"
        ) from None
    bounds, start = [], 0
    for t in ts:
        bounds.append((start, start + t.shape[ax]))
        start += t.shape[ax]
    return _make(data, ts, _concatenate_rule, (ax, tuple(bounds)))


@rule("stack")
def _stack_rule(ctx: int, g: Any, out: Any, *xs: Any) -> tuple[Any, ...]:
    lead = (slice(None),) * ctx
    return tuple(_in_dtype(g[lead + (i,)], x.dtype) for i, x in enumerate(xs))


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    ts = _sequence("stack", tensors)
    if not ts:
        raise ValueError("stack(): needs at least one tensor")
    ax = _one_axis("stack", axis, ts[0].ndim + 1)
    if len({t.shape for t in ts}) != 1:
        raise ValueError(
            f"stack(): all tensors need the same shape, got {_shape_str(*(t.shape for t in ts))}"
        )
    return _make(np.stack([t.data for t in ts], axis=ax), ts, _stack_rule, ax)


# --- linear algebra -------------------------------------------------------------------------


@rule("@")
def _matmul_rule(ctx: tuple[bool, bool], g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    need_x, need_y = ctx
    # treat 1-D operands as matrices (a row for x, a column for y), as matmul itself does
    x2 = x.reshape((1,) + x.shape) if x.ndim == 1 else x
    y2 = y.reshape(y.shape + (1,)) if y.ndim == 1 else y
    g2 = g
    if y.ndim == 1:
        g2 = g2.reshape(g2.shape + (1,))
    if x.ndim == 1:
        g2 = g2.reshape(g2.shape[:-1] + (1,) + g2.shape[-1:])
    gx = gy = None
    if need_x:
        gx = unbroadcast(g2 @ y2.swapaxes(-1, -2), x2.shape, x.dtype)
        if x.ndim == 1:
            gx = gx.reshape(x.shape)
    if need_y:
        gy = unbroadcast(x2.swapaxes(-1, -2) @ g2, y2.shape, y.dtype)
        if y.ndim == 1:
            gy = gy.reshape(y.shape)
    return gx, gy


def matmul(x: Any, y: Any) -> Tensor:
    x = as_tensor(x)
    y = as_tensor(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"matmul: operands must have at least 1 dim, got shapes {_shape_str(x.shape, y.shape)}"
        )
    try:
        data = np.matmul(x.data, y.data)
    except ValueError:
        raise ValueError(
            f"matmul: shapes {_shape_str(x.shape, y.shape)} do not fit: x's last dim "
            f"({x.shape[-1]}) must equal y's {'only' if y.ndim == 1 else 'second-to-last'} dim "
            f"({y.shape[0] if y.ndim == 1 else y.shape[-2]})"
        ) from None
    return _make(data, (x, y), _matmul_rule, (x.requires_grad, y.requires_grad))


@rule("linear")
def _linear_rule(
    ctx: tuple[bool, ...], g: Any, out: Any, x: Any, w: Any, *bias: Any
) -> tuple[Any, ...]:
    need_x, need_w = ctx[0], ctx[1]
    gx = gw = None
    if need_x:
        gx = unbroadcast(g @ w, x.shape, x.dtype)
    if need_w:
        rows = g.reshape((-1, g.shape[-1]))  # leading dims of a batch all add into the weight
        gw = rows.T @ x.reshape((-1, x.shape[-1]))
        if gw.dtype != w.dtype:
            gw = gw.astype(w.dtype)
    if not bias:
        return gx, gw
    return gx, gw, unbroadcast(g, bias[0].shape, bias[0].dtype)


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """``x @ weight.T + bias`` as one op (PyTorch's F.linear): weight has shape (out, in).

    One node instead of three, and the bias is added into the product in place, so a layer keeps
    one activation-sized array alive instead of two.
    """
    x, w = as_tensor(x), as_tensor(weight)
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} and weight of shape {w.shape} do not fit: the "
            "weight must be (out_features, in_features) with in_features = the input's last dim"
        )
    data = np.matmul(x.data, w.data.T)
    if bias is None:
        return _make(data, (x, w), _linear_rule, (x.requires_grad, w.requires_grad))
    b = as_tensor(bias)
    if b.shape not in ((), (1,), (w.shape[0],)):
        raise ValueError(f"linear: bias of shape {b.shape} does not fit {w.shape[0]} outputs")
    if np.result_type(data, b.data) == data.dtype:
        data += b.data  # data is our own fresh array
    else:
        data = data + b.data
    return _make(data, (x, w, b), _linear_rule, (x.requires_grad, w.requires_grad))
