"""Linear algebra: matmul (``@``), with NumPy's batching and 1-D rules (PyTorch's are the same)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make
from .common import shape_str, unbroadcast


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
        common = dtypes.result_type(xd, yd)
        xd, yd = xd.astype(common), yd.astype(common)
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
