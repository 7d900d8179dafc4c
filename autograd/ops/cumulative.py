"""Running reductions along a dim: cumsum, cumprod, logcumsumexp, cummax, cummin.

A 0-d tensor takes dim 0 or -1 and is its own running total. Integer and bool tensors add and
multiply up in int64, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..graph import Node
from ..op import Op, check, distinct, mask, real
from ..tensor import Tensor, as_tensor, make, make_const
from .common import on_tensors, one_dim
from .reductions import ReturnTypes


def _flip(a: Any, d: int) -> Any:
    if isinstance(a, Node):
        from .layout import flip

        return flip(a, d)
    return np.flip(a, d)


def reverse_cumsum(a: Any, d: int) -> Any:
    """The sum from each position to the end of dim ``d``: raw data or a recorded op."""
    if isinstance(a, Node):
        return _flip(cumsum(_flip(a, d), d), d)
    return np.flip(np.cumsum(np.flip(a, d), axis=d), d)


def _prepared(op: str, input: Any, dim: Any, dtype: Any) -> tuple[Tensor, int | None]:
    """The input (cast to ``dtype``, integers to int64) and the dim (None for a 0-d tensor)."""
    x = as_tensor(input, op)
    d = one_dim(op, dim, x.ndim)
    if dtype is not None:
        x = x.to(dtypes.as_dtype(dtype, f"{op}()"))
    elif x.dtype.kind in "biu":
        x = x.to(dtypes.int64)
    return x, (d if x.ndim else None)


def _dim_label(name: str) -> Any:
    return lambda ctx: f"{name}(dim={ctx if not isinstance(ctx, tuple) else ctx[0]})"


# --- cumsum ------------------------------------------------------------------------------------


def _cumsum_rule(ctx: int | None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g if ctx is None else reverse_cumsum(g, ctx),)


CUMSUM = Op(
    "cumsum",
    _cumsum_rule,
    factors=("g summed from the end",),
    label=_dim_label("cumsum"),
    checks=[
        check(lambda t, x: x.cumsum(1), real(3, 4)),
        check(lambda t, x: t.cumsum(x, dim=0), real(3, 2, 2)),
        check(lambda t, x: t.cumsum(x, -1, dtype=t.float64), real(5)),
        check(lambda t, x: x.cumsum(0), real()),
    ],
)


def cumsum(input: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """The running sum along ``dim``."""
    x, d = _prepared("cumsum", input, dim, dtype)
    data = x.data.copy() if d is None else np.cumsum(x.data, axis=d, dtype=x.dtype)
    return make(data, (x,), CUMSUM, d)


# --- cumprod -----------------------------------------------------------------------------------


def _cumprod_rule(ctx: int | None, g: Any, out: Any, x: Any) -> tuple[Any]:
    d = ctx
    if d is None or x.shape[d] <= 1:
        return (g,)
    xd = np.asarray(x.data if isinstance(x, Node) else x)
    zero = xd == 0
    if not zero.any():  # d out_k / d x_i = out_k / x_i for k >= i
        return (reverse_cumsum(g * out, d) / x,)
    if isinstance(g, Tensor):
        return (_cumprod_grad_with_zeros(g, x, d),)
    # before the first zero of a row the same formula holds (out is 0 from that zero on); at
    # the first zero, the products that skip it; after it, 0
    before = np.cumsum(zero, axis=d) == 0
    first = zero & (np.cumsum(zero, axis=d) == 1)
    safe = np.where(zero, 1, xd)
    grad = np.where(before, reverse_cumsum(g * out, d) / safe, 0)
    skipping = np.cumprod(np.where(first, 1, xd), axis=d)
    grad = np.where(first, reverse_cumsum(g * skipping, d), grad)
    return (grad.astype(xd.dtype, copy=False),)


def _cumprod_grad_with_zeros(g: Tensor, x: Tensor, d: int) -> Tensor:
    """cumprod's gradient where the input has zeros, as recorded ops (as PyTorch does under
    create_graph): for each position k, the products of all elements but x_k, so that its
    own derivative is right too (O(n²) ops along the dim)."""
    from .indexing import narrow
    from .shape import cat, stack
    from .statistics import prod

    n = x.shape[d]
    parts = []
    for k in range(n):
        after = narrow(x, d, k + 1, n - k - 1)
        running = cumprod(after, d) if n - k - 1 else after
        ones = make_const(np.ones(narrow(x, d, 0, 1).shape, dtype=x.dtype))
        if k:
            before = prod(narrow(x, d, 0, k), d, keepdim=True)
            omitted = cat([before, before * running], d)
        else:
            omitted = cat([ones, running], d)
        parts.append((narrow(g, d, k, n - k) * omitted).sum(d))
    return stack(parts, d)


CUMPROD = Op(
    "cumprod",
    _cumprod_rule,
    saves="x out",
    factors=("Σ g·out/x from the end (exact at zeros)",),
    label=_dim_label("cumprod"),
    checks=[
        check(lambda t, x: x.cumprod(1), real(3, 4)),
        check(lambda t, x: t.cumprod(x, 0), real(4, 2)),
        # zeros: the first zero of a row, and the elements after it
        check(lambda t, x, m: t.cumprod(x.masked_fill(m, 0.0), -1), real(3, 5), mask(3, 5)),
        check(lambda t, x: x.cumprod(0), real()),
    ],
)


def cumprod(input: Any, dim: int, *, dtype: Any = None) -> Tensor:
    """The running product along ``dim``."""
    x, d = _prepared("cumprod", input, dim, dtype)
    data = x.data.copy() if d is None else np.cumprod(x.data, axis=d, dtype=x.dtype)
    return make(data, (x,), CUMPROD, d)


# --- logcumsumexp ------------------------------------------------------------------------------


@on_tensors
def _logcumsumexp_rule(ctx: int | None, g: Tensor, out: Tensor, x: Tensor) -> tuple[Any]:
    d = ctx
    if d is None:
        return (g,)
    # d out_k / d x_i = exp(x_i - out_k) for k >= i; summed against g in log space, the positive
    # and the negative parts of g apart, so nothing overflows (PyTorch's formula)
    lowest = make_const(np.asarray(np.finfo(g.dtype).min, dtype=g.dtype))
    from .selection import where

    log_g = g.abs().log()
    parts = []
    for part in (g > 0, g < 0):
        logs = where(part, log_g, lowest) - out
        parts.append((_flip(logcumsumexp(_flip(logs, d), d), d) + x).exp())
    return (parts[0] - parts[1],)


LOGCUMSUMEXP = Op(
    "logcumsumexp",
    _logcumsumexp_rule,
    saves="x out",
    factors=("Σ g·exp(x - out) from the end",),
    label=_dim_label("logcumsumexp"),
    checks=[
        check(lambda t, x: x.logcumsumexp(1), real(3, 4, low=-3.0, high=3.0)),
        check(lambda t, x: t.logcumsumexp(x, 0), real(5)),
        check(lambda t, x: t.logcumsumexp(x * 300.0, -1), real(2, 4)),
    ],
)


def logcumsumexp(input: Any, dim: int) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, computed without overflow."""
    x = as_tensor(input, "logcumsumexp")
    if x.dtype.kind != "f":
        raise TypeError(
            f"logcumsumexp(): the input must be floating, got dtype {x.dtype} (as in PyTorch)"
        )
    d = one_dim("logcumsumexp", dim, x.ndim)
    if x.ndim == 0:
        return make(x.data.copy(), (x,), LOGCUMSUMEXP, None)
    return make(np.logaddexp.accumulate(x.data, axis=d), (x,), LOGCUMSUMEXP, d)


# --- cummax and cummin -------------------------------------------------------------------------


def _cummax_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    from .indexing import put_along

    d, indices, shape = ctx
    if d is None:
        return (g,)
    return (put_along(g, d, indices, shape),)  # each g_k to the element that was the extreme


CUMMAX = Op(
    "cummax",
    _cummax_rule,
    factors=("g to the running largest's index",),
    label=_dim_label("cummax"),
    checks=[
        check(lambda t, x: x.cummax(1), distinct(3, 4)),
        check(lambda t, x: t.cummax(x, 0).values, distinct(5, 2)),
        # ties (a kink: no finite differences): the latest of equal elements
        check(
            lambda t, x: t.stack([x.detach(), x, x.detach()], 1).reshape(-1).cummax(0),
            real(3),
            fd=False,
        ),
    ],
)
CUMMIN = Op(
    "cummin",
    _cummax_rule,
    factors=("g to the running smallest's index",),
    label=_dim_label("cummin"),
    checks=[
        check(lambda t, x: x.cummin(-1), distinct(3, 4)),
        check(lambda t, x: t.cummin(x, 0)[0], distinct(4)),
    ],
)


def _running_extreme(largest: bool, input: Any, dim: int) -> ReturnTypes:
    name = "cummax" if largest else "cummin"
    x = as_tensor(input, name)
    d = one_dim(name, dim, x.ndim)
    op = CUMMAX if largest else CUMMIN
    if x.ndim == 0:
        values = make(x.data.copy(), (x,), op, (None, None, x.shape))
        return ReturnTypes(values, make_const(np.asarray(0, dtype=np.int64)))
    data = x.data
    extreme = (np.maximum if largest else np.minimum).accumulate(data, axis=d)
    # the index of the latest element equal to the running extreme (ties: the later one, NaN:
    # the latest NaN, as in PyTorch)
    hit = data == extreme
    if data.dtype.kind == "f":
        hit |= np.isnan(data)
    shape = [1] * data.ndim
    shape[d] = data.shape[d]
    positions = np.where(hit, np.arange(data.shape[d]).reshape(shape), 0)
    indices = np.maximum.accumulate(positions, axis=d).astype(np.int64)
    values = make(extreme, (x,), op, (d, indices, x.shape))
    return ReturnTypes(values, make_const(indices))


def cummax(input: Any, dim: int) -> ReturnTypes:
    """The running largest along ``dim`` and its index: ``(values, indices)``."""
    return _running_extreme(True, input, dim)


def cummin(input: Any, dim: int) -> ReturnTypes:
    """The running smallest along ``dim`` and its index: ``(values, indices)``."""
    return _running_extreme(False, input, dim)
