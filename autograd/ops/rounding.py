"""Rounding and remainders: floor, ceil, round, trunc, sign (flat: gradient 0, as in PyTorch),
``div(rounding_mode=)``, ``//`` (not differentiable), ``%`` (remainder) and fmod."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..op import Op, check, nonzero, positive, real
from ..tensor import Tensor, as_tensor, make
from .arithmetic import broadcasting, promoted, zeros_like
from .common import raw, shape_str
from .common import sign as _sign
from .unary import unary


def _flat_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (zeros_like(g),)


floor = unary(
    "floor",
    lambda x: float(math.floor(x)) if math.isfinite(x) else x,
    np.floor,
    saves="",
    factor="0",
    floating=False,
    checks=[check(lambda t, x: x.floor(), real(3, 4), order=1)],
)(_flat_rule)
ceil = unary(
    "ceil",
    lambda x: float(math.ceil(x)) if math.isfinite(x) else x,
    np.ceil,
    saves="",
    factor="0",
    floating=False,
    checks=[check(lambda t, x: x.ceil(), real(3, 4), order=1)],
)(_flat_rule)
trunc = unary(
    "trunc",
    lambda x: float(math.trunc(x)) if math.isfinite(x) else x,
    np.trunc,
    saves="",
    factor="0",
    floating=False,
    checks=[check(lambda t, x: x.trunc(), real(3, 4), order=1)],
)(_flat_rule)
round = unary(  # noqa: A001 - torch.round: halves to even, as NumPy and PyTorch
    "round",
    lambda x: float(np.round(x)),
    np.round,
    saves="",
    factor="0",
    floating=False,
    checks=[check(lambda t, x: x.round(), real(3, 4), order=1)],
)(_flat_rule)
sign = unary(
    "sign",
    lambda x: float(_sign(x)),
    _sign,
    saves="",
    factor="0",
    floating=False,
    checks=[check(lambda t, x: x.sign(), nonzero(3, 4), order=1)],
)(_flat_rule)


def _flat2_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return zeros_like(g), zeros_like(g)


ROUNDED_DIV = Op(
    "div(rounded)",
    _flat2_rule,
    elementwise=True,
    factors=("0", "0"),
    label=lambda ctx: f"div(rounding_mode={ctx!r})",
    checks=[
        check(
            lambda t, x, y: t.div(x, y, rounding_mode="floor"), real(3, 4), nonzero(3, 4), order=1
        ),
        check(lambda t, x, y: x.div(y, rounding_mode="trunc"), real(3, 4), nonzero(4), order=1),
    ],
)
_ROUNDED_DIV_B = broadcasting(ROUNDED_DIV)


def floor_of_quotient(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """floor(a / b) for floats as PyTorch computes it: from fmod, so the result is exact where
    a / b would round up to the next integer, and inf // b is nan (fmod(inf, b) is nan)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mod = np.fmod(a, b)
        div = (a - mod) / b
        div = np.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
        floored = np.floor(div)
        floored = np.where(div - floored > 0.5, floored + 1, floored)
        out = np.where(div != 0, floored, np.copysign(0.0, a / b))
        return np.where(b == 0, a / b, out).astype(np.result_type(a, b), copy=False)


def python_remainder(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a % b with the sign of b, as PyTorch computes it from fmod (signed zeros included)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mod = np.fmod(a, b)
        return np.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)


def rounded_div(input: Any, other: Any, mode: str) -> Tensor:
    if mode not in ("floor", "trunc"):
        raise ValueError(f"div(): rounding_mode must be None, 'trunc' or 'floor', got {mode!r}")
    x, y = as_tensor(input, "div"), as_tensor(other, "div")
    xd, yd = promoted("div", x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        if xd.dtype.kind in "iu":
            if mode == "floor":
                data = np.floor_divide(xd, yd)
            else:
                data = np.trunc(np.true_divide(xd, yd)).astype(xd.dtype)
        elif mode == "floor":
            data = floor_of_quotient(xd, yd)
        else:
            data = np.trunc(np.true_divide(xd, yd))
    op = ROUNDED_DIV if x.shape == y.shape == data.shape and x.dtype == y.dtype else _ROUNDED_DIV_B
    return make(data, (x, y), op, mode)


def _not_differentiable(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    raise RuntimeError(
        "the derivative of floor_divide (//) is not implemented, as in PyTorch; use "
        "div(x, y, rounding_mode='floor'), whose gradient is 0"
    )


FLOOR_DIVIDE = Op(
    "floor_divide",
    _not_differentiable,
    elementwise=True,
    factors=("?", "?"),
    checks=[check(lambda t, x, y: x // y, real(3, 4), positive(3, 4), order=0)],
)


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``: the quotient rounded down (PyTorch gives it no derivative)."""
    x, y = as_tensor(input, "floor_divide"), as_tensor(other, "floor_divide")
    xd, yd = promoted("floor_divide", x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        if xd.dtype.kind in "iu" and (np.asarray(yd) == 0).any():
            raise ZeroDivisionError("floor_divide (//): integer division by zero")
        try:
            data = np.floor_divide(xd, yd) if xd.dtype.kind in "iu" else floor_of_quotient(xd, yd)
        except ValueError:
            raise ValueError(
                f"floor_divide: shapes {shape_str(x.shape, y.shape)} cannot be broadcast together"
            ) from None
    return make(data, (x, y), FLOOR_DIVIDE)


def _remainder_rule(ctx: Any, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    # x - y * floor(x / y): slope 1 in x, -floor(x / y) in y
    xd, yd = raw(x), raw(y)
    if ctx == "remainder":
        q = floor_of_quotient(xd, yd) if xd.dtype.kind == "f" else np.floor_divide(xd, yd)
    else:
        q = np.trunc(xd / yd)
    return g, -g * q


REMAINDER = Op(
    "remainder",
    _remainder_rule,
    saves="x y",
    elementwise=True,
    factors=("1", "-floor(x/y)"),
    label=lambda ctx: str(ctx),
    checks=[
        check(lambda t, x, y: x % y, real(3, 4), positive(3, 4), order=1),
        check(lambda t, x, y: t.remainder(x, y), real(3, 4), positive(4), order=1),
        check(lambda t, x, y: t.fmod(x, y), real(3, 4), positive(3, 4), order=1),
    ],
)
_REMAINDER_B = broadcasting(REMAINDER)


def _modulo(name: str, input: Any, other: Any) -> Tensor:
    x, y = as_tensor(input, name), as_tensor(other, name)
    xd, yd = promoted(name, x, y)
    if xd.dtype.kind in "iu" and (np.asarray(yd) == 0).any():
        raise ZeroDivisionError(f"{name}: integer division by zero")
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            if name == "fmod":
                data = np.fmod(xd, yd)
            else:
                data = np.remainder(xd, yd) if xd.dtype.kind in "iu" else python_remainder(xd, yd)
        except ValueError:
            raise ValueError(
                f"{name}: shapes {shape_str(x.shape, y.shape)} cannot be broadcast together"
            ) from None
    op = REMAINDER if x.shape == y.shape == data.shape and x.dtype == y.dtype else _REMAINDER_B
    return make(data, (x, y), op, name)


def remainder(input: Any, other: Any) -> Tensor:
    """``input % other``: the remainder with the sign of ``other`` (Python's %)."""
    return _modulo("remainder", input, other)


def fmod(input: Any, other: Any) -> Tensor:
    """The remainder with the sign of ``input`` (C's fmod)."""
    return _modulo("fmod", input, other)


sgn = sign  # PyTorch's name for sign that also covers complex numbers (dagrad has none)
