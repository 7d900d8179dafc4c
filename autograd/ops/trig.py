"""Trigonometric and hyperbolic functions and their inverses, declared once for Value and
Tensor (``@unary``), and ``atan2``.

Each rule's factor is written with the other functions of this file (``apply``), so it works on
floats, arrays and nodes alike and second derivatives follow. On Python floats the functions
give IEEE results where ``math`` raises: NaN outside the domain (``asin(2)``), ±inf at a pole
(``atanh(1)``) or on overflow (``sinh(1000)``), as PyTorch does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..op import Arg, Op, check, nonzero, positive, real, unit
from ..tensor import Tensor, as_tensor, make
from .arithmetic import BROADCASTING, broadcasting, promoted
from .common import div, shape_str
from .unary import apply, ieee, sqrt, unary


def _signed_inf(x: float) -> float:
    return math.copysign(math.inf, x)


def _pole(x: float) -> float:
    """atanh at ±1: ±inf; elsewhere outside (-1, 1): NaN."""
    return _signed_inf(x) if abs(x) == 1.0 else math.nan


@unary(
    "sin",
    ieee(math.sin),
    np.sin,
    saves="x",
    factor="cos x",
    checks=[check(lambda t, x: x.sin(), real(3, 4, low=-4.0, high=4.0), value=True)],
)
def sin(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * apply(cos, x),)


@unary(
    "cos",
    ieee(math.cos),
    np.cos,
    saves="x",
    factor="-sin x",
    checks=[
        check(lambda t, x: x.cos(), real(3, 4, low=-4.0, high=4.0), value=True),
        check(lambda t, x: t.cos(x), real(5)),
    ],
)
def cos(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g * apply(sin, x),)


@unary(
    "tan",
    ieee(math.tan),
    np.tan,
    saves="out",
    factor="1 + tan²",
    checks=[check(lambda t, x: x.tan(), real(3, 4, low=-1.2, high=1.2), value=True)],
)
def tan(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (1.0 + out * out),)


@unary(
    "asin",
    ieee(math.asin),
    np.arcsin,
    saves="x",
    factor="1/√(1 - x²)",
    checks=[
        check(lambda t, x: x.asin(), unit(3, 4), value=True),
        check(lambda t, x: t.arcsin(x), unit(4)),
    ],
)
def asin(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, apply(sqrt, 1.0 - x * x)),)


@unary(
    "acos",
    ieee(math.acos),
    np.arccos,
    saves="x",
    factor="-1/√(1 - x²)",
    checks=[
        check(lambda t, x: x.acos(), unit(3, 4), value=True),
        check(lambda t, x: t.arccos(x), unit(4)),
    ],
)
def acos(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(-g, apply(sqrt, 1.0 - x * x)),)


@unary(
    "atan",
    math.atan,
    np.arctan,
    saves="x",
    factor="1/(1 + x²)",
    checks=[
        check(lambda t, x: x.atan(), real(3, 4, low=-3.0, high=3.0), value=True),
        check(lambda t, x: t.arctan(x), real(4)),
    ],
)
def atan(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, 1.0 + x * x),)


@unary(
    "sinh",
    ieee(math.sinh, _signed_inf),
    np.sinh,
    saves="x",
    factor="cosh x",
    checks=[check(lambda t, x: x.sinh(), real(3, 4), value=True)],
)
def sinh(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * apply(cosh, x),)


@unary(
    "cosh",
    ieee(math.cosh, lambda x: math.inf),
    np.cosh,
    saves="x",
    factor="sinh x",
    checks=[check(lambda t, x: x.cosh(), real(3, 4), value=True)],
)
def cosh(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * apply(sinh, x),)


@unary(
    "asinh",
    math.asinh,
    np.arcsinh,
    saves="x",
    factor="1/√(x² + 1)",
    checks=[
        check(lambda t, x: x.asinh(), real(3, 4, low=-3.0, high=3.0), value=True),
        check(lambda t, x: t.arcsinh(x), real(4)),
    ],
)
def asinh(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, apply(sqrt, x * x + 1.0)),)


@unary(
    "acosh",
    ieee(math.acosh),
    np.arccosh,
    saves="x",
    factor="1/√(x² - 1)",
    checks=[
        check(lambda t, x: x.acosh(), positive(3, 4, low=1.2, high=4.0), value=True),
        check(lambda t, x: t.arccosh(x), positive(4, low=1.2, high=3.0)),
    ],
)
def acosh(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, apply(sqrt, x * x - 1.0)),)


@unary(
    "atanh",
    ieee(math.atanh, _pole),
    np.arctanh,
    saves="x",
    factor="1/(1 - x²)",
    checks=[
        check(lambda t, x: x.atanh(), unit(3, 4), value=True),
        check(lambda t, x: t.arctanh(x), unit(4)),
    ],
)
def atanh(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, 1.0 - x * x),)


# --- atan2 -----------------------------------------------------------------------------------


def _atan2_rule(ctx: None, g: Any, out: Any, y: Any, x: Any) -> tuple[Any, Any]:
    # d/dy atan2(y, x) = x / (x² + y²), d/dx = -y / (x² + y²)
    scale = div(g, x * x + y * y)
    return scale * x, -scale * y


ATAN2 = Op(
    "atan2",
    _atan2_rule,
    saves="x y",
    elementwise=True,
    factors=("x/(x² + y²)", "-y/(x² + y²)"),
    checks=[
        check(lambda t, y, x: t.atan2(y, x), real(3, 4), nonzero(3, 4)),
        check(lambda t, y, x: y.atan2(x), nonzero(3, 4), real(4)),
        check(lambda t, y, x: t.arctan2(y, x), Arg((2, 3), avoid=(0.0,)), Arg((2, 1), low=0.3)),
    ],
)
BROADCASTING[ATAN2] = broadcasting(ATAN2)


def atan2(input: Any, other: Any) -> Tensor:
    """The angle of the point (other, input): ``atan(input / other)`` in the right quadrant."""
    y, x = as_tensor(input, "atan2"), as_tensor(other, "atan2")
    yd, xd = promoted("atan2", y, x, true_division=True)
    try:
        data = np.arctan2(yd, xd)
    except ValueError:
        raise ValueError(
            f"atan2: shapes {shape_str(y.shape, x.shape)} cannot be broadcast together"
        ) from None
    op = ATAN2 if y.shape == x.shape == data.shape and y.dtype == x.dtype else BROADCASTING[ATAN2]
    return make(data, (y, x), op)


arcsin, arccos, arctan, arcsinh, arccosh, arctanh, arctan2 = (
    asin,
    acos,
    atan,
    asinh,
    acosh,
    atanh,
    atan2,
)
