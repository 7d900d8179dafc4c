"""Ops with bool or integer results, never differentiated: comparisons as functions
(``eq``, ``lt``, ...), bitwise ``& | ^ ~ << >>`` on bool and integer tensors, ``logical_*``,
``isnan``/``isinf``/``isfinite``, ``isclose``/``allclose``/``equal``, and ``any``/``all``.

Their results are constants (no graph). They are tested against PyTorch in
tests/autograd/test_torch_api.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor, as_tensor, make_const
from .common import dim_alias, dims, flag, is_real, keepdim_alias, shape_str

# --- comparisons --------------------------------------------------------------------------------


def eq(input: Any, other: Any) -> Tensor:
    """``input == other`` elementwise (a bool tensor)."""
    return as_tensor(input, "eq").__eq__(other)


def ne(input: Any, other: Any) -> Tensor:
    return as_tensor(input, "ne").__ne__(other)


def lt(input: Any, other: Any) -> Tensor:
    return as_tensor(input, "lt").__lt__(other)


def le(input: Any, other: Any) -> Tensor:
    return as_tensor(input, "le").__le__(other)


def gt(input: Any, other: Any) -> Tensor:
    return as_tensor(input, "gt").__gt__(other)


def ge(input: Any, other: Any) -> Tensor:
    return as_tensor(input, "ge").__ge__(other)


not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


# --- bitwise and logical ops --------------------------------------------------------------------


def _integral(name: str, symbol: str, x: Tensor, bools: bool = True) -> None:
    if x.dtype.kind not in ("biu" if bools else "iu"):
        kinds = "bool and integer" if bools else "integer"
        hint = " (for conditions on floats, compare first: (x > 0) & (y < 1))" if bools else ""
        raise TypeError(
            f"{name} ({symbol}): only {kinds} tensors are supported, as in PyTorch; got dtype "
            f"{x.dtype}{hint}"
        )


def _operands(name: str, input: Any, other: Any) -> tuple[np.ndarray, Any]:
    """The two operands' data in PyTorch's result dtype (numbers do not promote a tensor)."""
    x, y = as_tensor(input, name), as_tensor(other, name)
    common = dtypes.result_type(
        x.data if _is_tensor(input) else input, y.data if _is_tensor(other) else other
    )
    return x.data.astype(common, copy=False), y.data.astype(common, copy=False)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray))


def _bitwise(name: str, symbol: str, fn: Any, input: Any, other: Any, bools: bool = True) -> Tensor:
    x, y = as_tensor(input, name), as_tensor(other, name)
    _integral(name, symbol, x, bools)
    _integral(name, symbol, y, bools)
    xd, yd = _operands(name, input, other)
    try:
        return make_const(np.asarray(fn(xd, yd)))
    except ValueError:
        raise ValueError(
            f"{name} ({symbol}): shapes {shape_str(x.shape, y.shape)} cannot be broadcast together"
        ) from None


def bitwise_and(input: Any, other: Any) -> Tensor:
    """``input & other``: bitwise on integers, logical on bools."""
    return _bitwise("bitwise_and", "&", np.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    return _bitwise("bitwise_or", "|", np.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return _bitwise("bitwise_xor", "^", np.bitwise_xor, input, other)


def bitwise_not(input: Any) -> Tensor:
    """``~input``: the bits flipped (an integer tensor), or not (a bool tensor)."""
    x = as_tensor(input, "bitwise_not")
    _integral("bitwise_not", "~", x)
    return make_const(np.invert(x.data))


def _shift_left(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    # PyTorch: a shift by a negative amount or by the width or more gives 0
    bits = x.dtype.itemsize * 8
    safe = np.where((s < 0) | (s >= bits), 0, s).astype(x.dtype)
    return np.where((s < 0) | (s >= bits), 0, np.left_shift(x, safe)).astype(x.dtype)


def _shift_right(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    # PyTorch: a shift by the width or more (or a negative amount) keeps only the sign
    bits = x.dtype.itemsize * 8
    out_of_range = (s < 0) | (s >= bits)
    safe = np.where(out_of_range, 0, s).astype(x.dtype)
    return np.where(out_of_range, np.where(x < 0, -1, 0), np.right_shift(x, safe)).astype(x.dtype)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """``input << other`` on integer tensors."""
    return _bitwise("bitwise_left_shift", "<<", _shift_left, input, other, bools=False)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """``input >> other`` on integer tensors (the sign is kept)."""
    return _bitwise("bitwise_right_shift", ">>", _shift_right, input, other, bools=False)


def _truth(name: str, x: Any) -> np.ndarray:
    return as_tensor(x, name).data.astype(bool)  # type: ignore[no-any-return]


def _logical(name: str, fn: Any, input: Any, other: Any) -> Tensor:
    a, b = _truth(name, input), _truth(name, other)
    try:
        return make_const(np.asarray(fn(a, b)))
    except ValueError:
        raise ValueError(
            f"{name}(): shapes {shape_str(a.shape, b.shape)} cannot be broadcast together"
        ) from None


def logical_and(input: Any, other: Any) -> Tensor:
    """Both nonzero, elementwise (any dtypes; a bool tensor)."""
    return _logical("logical_and", np.logical_and, input, other)


def logical_or(input: Any, other: Any) -> Tensor:
    return _logical("logical_or", np.logical_or, input, other)


def logical_xor(input: Any, other: Any) -> Tensor:
    return _logical("logical_xor", np.logical_xor, input, other)


def logical_not(input: Any) -> Tensor:
    return make_const(np.logical_not(_truth("logical_not", input)))


# --- floating-point tests -----------------------------------------------------------------------


def isnan(input: Any) -> Tensor:
    return make_const(np.isnan(as_tensor(input, "isnan").data))


def isinf(input: Any) -> Tensor:
    return make_const(np.isinf(as_tensor(input, "isinf").data))


def isfinite(input: Any) -> Tensor:
    return make_const(np.isfinite(as_tensor(input, "isfinite").data))


def isposinf(input: Any) -> Tensor:
    return make_const(np.isposinf(as_tensor(input, "isposinf").data))


def isneginf(input: Any) -> Tensor:
    return make_const(np.isneginf(as_tensor(input, "isneginf").data))


def _tolerance(name: str, rtol: Any, atol: Any, equal_nan: Any) -> tuple[float, float, bool]:
    for what, v in (("rtol", rtol), ("atol", atol)):
        if not is_real(v) or v < 0:
            raise ValueError(f"{name}(): {what} must be a non-negative number, got {v!r:.40}")
    return float(rtol), float(atol), flag(name, "equal_nan", equal_nan)


def isclose(
    input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise; equal infinities are close."""
    rtol, atol, equal_nan = _tolerance("isclose", rtol, atol, equal_nan)
    a, b = _operands("isclose", input, other)
    try:
        with np.errstate(invalid="ignore", over="ignore"):
            if a.dtype.kind == "b":
                return make_const(np.asarray(a == b))
            if a.dtype.kind in "iu":  # no overflow in the difference: compare in float64
                a, b = a.astype(np.float64), b.astype(np.float64)
            # infinities are close only to themselves
            close = (np.abs(a - b) <= atol + rtol * np.abs(b)) & np.isfinite(a) & np.isfinite(b)
            close = close | (a == b)
            if equal_nan:
                close = close | (np.isnan(a) & np.isnan(b))
    except ValueError:
        raise ValueError(
            f"isclose(): shapes {shape_str(np.shape(a), np.shape(b))} cannot be broadcast together"
        ) from None
    return make_const(np.asarray(close))


def allclose(
    input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether every element is close (``isclose``): a Python bool."""
    return bool(isclose(input, other, rtol, atol, equal_nan).data.all())


def equal(input: Any, other: Any) -> bool:
    """Whether two tensors have the same shape and the same elements (NaN is never equal)."""
    a, b = as_tensor(input, "equal"), as_tensor(other, "equal")
    return a.shape == b.shape and bool(np.array_equal(a.data, b.data))


# --- any and all --------------------------------------------------------------------------------


def _any_all(
    name: str, fn: Any, input: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any
) -> Tensor:
    x = as_tensor(input, name)
    axes = dims(name, dim_alias(name, dim, axis), x.ndim)
    keep = keepdim_alias(name, keepdim, keepdims)
    data = fn(x.data, axis=axes, keepdims=keep)
    # a uint8 tensor answers in uint8, as in PyTorch; every other dtype in bool
    return make_const(np.asarray(data, dtype=np.uint8 if x.dtype == dtypes.uint8 else np.bool_))


def any(
    input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:  # noqa: A001
    """Whether any element (along ``dim``) is nonzero."""
    return _any_all("any", np.any, input, dim, keepdim, axis, keepdims)


def all(
    input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
) -> Tensor:  # noqa: A001
    """Whether every element (along ``dim``) is nonzero."""
    return _any_all("all", np.all, input, dim, keepdim, axis, keepdims)


def count_nonzero(input: Any, dim: Any = None) -> Tensor:
    """How many elements (along ``dim``) are nonzero: an int64 tensor."""
    x = as_tensor(input, "count_nonzero")
    axes = dims("count_nonzero", dim, x.ndim)
    return make_const(np.asarray(np.count_nonzero(x.data, axis=axes), dtype=np.int64))
