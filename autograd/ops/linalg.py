"""Linear algebra: matmul (``@``), with NumPy's batching and 1-D rules (PyTorch's are the same)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make
from .common import product_dtype, shape_str, unbroadcast


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
        gx = unbroadcast(g2 @ _swap_last(y2), x2.shape, x.dtype)
        if x.ndim == 1:
            gx = gx.reshape(x.shape)
    if need_y:
        gy = unbroadcast(_swap_last(x2) @ g2, y2.shape, y.dtype)
        if y.ndim == 1:
            gy = gy.reshape(y.shape)
    return gx, gy


def _swap_last(a: Any) -> Any:
    """``a`` with its last two dims swapped: raw data or a recorded op."""
    if isinstance(a, Tensor):
        return a.transpose(-2, -1)
    return a.swapaxes(-1, -2)


MATMUL = Op(
    "@",
    _matmul_rule,
    saves="x y",
    factors=("g @ yᵀ", "xᵀ @ g"),
    checks=[
        check(lambda t, x, y: x @ y, real(3, 4), real(4, 2)),
        check(lambda t, x, y: t.matmul(x, y), real(2, 3, 4), real(4, 5)),
        check(lambda t, x, y: x @ y, real(4), real(4, 3)),
        check(lambda t, x, y: x @ y, real(2, 4), real(4)),
        check(lambda t, x, y: x @ y, real(4), real(4)),
        check(lambda t, x, y: x.mm(y), real(2, 3), real(3, 2)),
        # the functions below, which record this op
        check(lambda t, x, y: t.dot(x, y), real(4), real(4)),
        check(lambda t, x, y: x.mv(y), real(3, 4), real(4)),
        check(lambda t, x, y: t.bmm(x, y), real(2, 3, 4), real(2, 4, 2)),
        check(lambda t, x, y: t.outer(x, y), real(3), real(4)),
        check(
            lambda t, b, x, y: t.addmm(b, x, y, beta=0.5, alpha=2.0),
            real(2),
            real(2, 3),
            real(3, 2),
        ),
    ],
)


def matmul(input: Any, other: Any) -> Tensor:
    x, y = as_tensor(input, "matmul"), as_tensor(other, "matmul")
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dim, got shapes {shape_str(x.shape, y.shape)}"
        )
    xd, yd = x.data, y.data
    if xd.dtype != yd.dtype:
        common = product_dtype("matmul", xd, yd)
        xd, yd = xd.astype(common, copy=False), yd.astype(common, copy=False)
    inner_x = x.shape[-1]
    inner_y = y.shape[0] if y.ndim == 1 else y.shape[-2]
    if inner_x != inner_y:
        raise ValueError(
            f"matmul: shapes {shape_str(x.shape, y.shape)} do not fit: x's last dim ({inner_x}) "
            f"must equal y's {'only' if y.ndim == 1 else 'second-to-last'} dim ({inner_y})"
        )
    try:
        data = np.matmul(xd, yd)
    except ValueError:
        raise ValueError(
            f"matmul: the batch dims of shapes {shape_str(x.shape, y.shape)} "
            f"({shape_str(x.shape[:-2], y.shape[:-2])}) cannot be broadcast together"
        ) from None
    return make(data, (x, y), MATMUL, (x.requires_grad, y.requires_grad))


def mm(input: Any, mat2: Any) -> Tensor:
    x, y = as_tensor(input, "mm"), as_tensor(mat2, "mm")
    if x.ndim != 2 or y.ndim != 2:
        raise ValueError(f"mm: both operands must be 2-D, got shapes {shape_str(x.shape, y.shape)}")
    return matmul(x, y)


def _dims_needed(op: str, x: Tensor, ndim: int, what: str) -> None:
    if x.ndim != ndim:
        raise ValueError(f"{op}: {what} must be {ndim}-D, got shape {tuple(x.shape)}")


def dot(input: Any, other: Any) -> Tensor:
    """The inner product of two 1-D tensors of one size."""
    x, y = as_tensor(input, "dot"), as_tensor(other, "dot")
    _dims_needed("dot", x, 1, "input")
    _dims_needed("dot", y, 1, "other")
    return matmul(x, y)


def mv(input: Any, vec: Any) -> Tensor:
    """A matrix times a vector."""
    x, v = as_tensor(input, "mv"), as_tensor(vec, "mv")
    _dims_needed("mv", x, 2, "input")
    _dims_needed("mv", v, 1, "vec")
    return matmul(x, v)


def bmm(input: Any, mat2: Any) -> Tensor:
    """Batches of matrix products: (b, n, m) @ (b, m, p), the batch sizes equal."""
    x, y = as_tensor(input, "bmm"), as_tensor(mat2, "bmm")
    _dims_needed("bmm", x, 3, "input")
    _dims_needed("bmm", y, 3, "mat2")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"bmm: batch sizes differ: shapes {shape_str(x.shape, y.shape)}")
    return matmul(x, y)


def outer(input: Any, vec2: Any) -> Tensor:
    """The outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    x, y = as_tensor(input, "outer"), as_tensor(vec2, "outer")
    _dims_needed("outer", x, 1, "input")
    _dims_needed("outer", y, 1, "vec2")
    if x.dtype != y.dtype:  # an outer product is elementwise: it promotes, as in PyTorch
        common = dtypes.result_type(x.data, y.data)
        x, y = x.to(common), y.to(common)
    return matmul(x.reshape(-1, 1), y.reshape(1, -1))


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``."""
    product = mm(mat1, mat2)
    if alpha != 1:
        product = product * alpha
    base = as_tensor(input, "addmm")
    common = product_dtype("addmm", product.data, base.data)
    if base.dtype != common:
        base = base.to(common)
    return product + (base if beta == 1 else base * beta)
