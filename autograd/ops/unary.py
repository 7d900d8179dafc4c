"""Elementwise functions of one input, declared once for Value and Tensor.

A declaration names the function on a Python float (for Value), on an array (for Tensor) and the
backward rule both share, with the facts for drawings and tests. The declared object is also
the public function: ``autograd.tanh(x)`` (and ``x.tanh()``).

To add one: write its rule under ``@unary(...)`` here, add a method line to Tensor (and to
Value if scalars should have it), export it in ``autograd/__init__.py``; its tests follow from
``checks``.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..graph import Node
from ..op import Check, Op, check, nonzero, positive, real
from .common import (
    array_sigmoid,
    div,
    float_sigmoid,
    ieee_div,
    ieee_exp,
    ieee_log,
    ieee_sqrt,
    raw,
    select,
    sign,
)


class Unary(Op):
    """An elementwise op of one input: ``on_float`` computes it for a Value, ``on_array`` for a
    Tensor (``floating``: integer tensors are turned into the default float dtype first)."""

    __slots__ = ("on_float", "on_array", "floating")

    def __init__(
        self,
        name: str,
        backward: Any,
        on_float: Callable[[float], float],
        on_array: Callable[[np.ndarray], np.ndarray],
        floating: bool = True,
        **facts: Any,
    ) -> None:
        super().__init__(name, backward, elementwise=True, **facts)
        self.on_float = on_float
        self.on_array = on_array
        self.floating = floating

    def __call__(self, input: Any) -> Any:
        if isinstance(input, Node):
            return input._unary(self)  # type: ignore[attr-defined]
        from ..tensor import as_tensor

        return as_tensor(input, self.name)._unary(self)


def apply(op: Unary, x: Any) -> Any:
    """``op`` on a float (a Value's rule), an array (a Tensor's) or a node (recording): for
    rules whose factor is another elementwise function (sin's is cos)."""
    if isinstance(x, Node):
        return x._unary(op)  # type: ignore[attr-defined]
    if isinstance(x, float):
        return op.on_float(x)
    return op.on_array(x)


def ieee(
    fn: Callable[[float], float], edge: Callable[[float], float] | None = None
) -> Callable[[float], float]:
    """``fn`` on a Python float with IEEE results where ``math`` raises: ``edge(x)`` at a domain
    edge or an overflow (log1p(-1) = -inf, sinh(1000) = inf), NaN outside the domain."""

    def on_float(x: float) -> float:
        try:
            return fn(x)
        except (ValueError, OverflowError):
            if x != x:
                return x
            return edge(x) if edge is not None else math.nan

    on_float.__name__ = getattr(fn, "__name__", "on_float")
    return on_float


def unary(
    name: str,
    on_float: Callable[[float], float],
    on_array: Callable[[np.ndarray], np.ndarray],
    *,
    saves: str,
    factor: str,
    checks: list[Check],
    floating: bool = True,
) -> Callable[[Any], Unary]:
    """Declare the decorated rule as the unary op ``name``."""

    def declare(rule: Any) -> Unary:
        return Unary(
            name, rule, on_float, on_array, floating, saves=saves, factors=(factor,), checks=checks
        )

    return declare


@unary(
    "exp",
    ieee_exp,
    np.exp,
    saves="out",
    factor="exp(x)",
    checks=[check(lambda t, x: x.exp(), real(3, 4), value=True)],
)
def exp(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * out,)


@unary(
    "log",
    ieee_log,
    np.log,
    saves="x",
    factor="1/x",
    checks=[check(lambda t, x: x.log(), positive(3, 4), value=True)],
)
def log(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, x),)


@unary(
    "sqrt",
    ieee_sqrt,
    np.sqrt,
    saves="out",
    factor="1/(2√x)",
    checks=[check(lambda t, x: x.sqrt(), positive(3, 4), value=True)],
)
def sqrt(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, 2.0 * out),)


@unary(
    "tanh",
    math.tanh,
    np.tanh,
    saves="out",
    factor="1 - tanh²",
    checks=[check(lambda t, x: x.tanh(), real(3, 4), value=True)],
)
def tanh(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (1.0 - out * out),)


@unary(
    "sigmoid",
    float_sigmoid,
    array_sigmoid,
    saves="out",
    factor="σ(1 - σ)",
    checks=[check(lambda t, x: x.sigmoid(), real(3, 4, low=-6.0, high=6.0), value=True)],
)
def sigmoid(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (1.0 - out) * out,)


def _float_relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # NaN stays NaN


def _array_relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


@unary(
    "relu",
    _float_relu,
    _array_relu,
    saves="out",
    factor="1[x > 0]",
    floating=False,
    checks=[check(lambda t, x: x.relu(), nonzero(3, 4), value=True)],
)
def relu(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    # selects, never multiplies by 0: an inf arriving where x <= 0 must not become nan
    return (select(raw(out) <= 0, 0.0, g),)


@unary(
    "abs",
    builtins.abs,
    np.abs,
    saves="x",
    factor="sign(x)",
    floating=False,
    checks=[check(lambda t, x: x.abs(), nonzero(3, 4), value=True)],
)
def abs(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:  # noqa: A001 - torch.abs
    return (g * sign(x),)


# --- logarithms and exponentials in other bases, and near 0 --------------------------------------

_LN2 = math.log(2.0)  # Python floats: a NumPy float64 scalar would turn float32 data into float64
_LN10 = math.log(10.0)


def _log_edge(x: float) -> float:
    """log of 0 is -inf; of a negative number NaN."""
    return -math.inf if x == 0.0 else math.nan


@unary(
    "log2",
    ieee(math.log2, _log_edge),
    np.log2,
    saves="x",
    factor="1/(x ln 2)",
    checks=[check(lambda t, x: x.log2(), positive(3, 4), value=True)],
)
def log2(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, x * _LN2),)


@unary(
    "log10",
    ieee(math.log10, _log_edge),
    np.log10,
    saves="x",
    factor="1/(x ln 10)",
    checks=[check(lambda t, x: x.log10(), positive(3, 4), value=True)],
)
def log10(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, x * _LN10),)


@unary(
    "log1p",
    ieee(math.log1p, lambda x: -math.inf if x == -1.0 else math.nan),
    np.log1p,
    saves="x",
    factor="1/(1 + x)",
    checks=[check(lambda t, x: x.log1p(), real(3, 4, low=-0.8, high=3.0), value=True)],
)
def log1p(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (div(g, 1.0 + x),)


def _float_exp2(x: float) -> float:
    try:
        return 2.0**x
    except OverflowError:
        return math.inf


@unary(
    "exp2",
    _float_exp2,
    np.exp2,
    saves="out",
    factor="2^x ln 2",
    checks=[check(lambda t, x: x.exp2(), real(3, 4), value=True)],
)
def exp2(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (out * _LN2),)


@unary(
    "expm1",
    ieee(math.expm1, lambda x: math.inf),
    np.expm1,
    saves="out",
    factor="exp(x)",
    checks=[check(lambda t, x: x.expm1(), real(3, 4), value=True)],
)
def expm1(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (out + 1.0),)


def _float_rsqrt(x: float) -> float:
    if x > 0.0:
        return 1.0 / math.sqrt(x)
    if x == 0.0:
        return math.copysign(math.inf, x)
    return math.nan  # negative or nan


def _array_rsqrt(x: np.ndarray) -> np.ndarray:
    return 1.0 / np.sqrt(x)  # type: ignore[no-any-return]


@unary(
    "rsqrt",
    _float_rsqrt,
    _array_rsqrt,
    saves="out",
    factor="-1/(2 x^1.5)",
    checks=[check(lambda t, x: x.rsqrt(), positive(3, 4), value=True)],
)
def rsqrt(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (-0.5 * out * out * out),)


@unary(
    "square",
    lambda x: x * x,
    np.square,
    saves="x",
    factor="2 x",
    floating=False,  # an integer tensor squared stays integer, as in PyTorch
    checks=[check(lambda t, x: x.square(), real(3, 4), value=True)],
)
def square(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (2.0 * x),)


def _float_reciprocal(x: float) -> float:
    return ieee_div(1.0, x)


def _array_reciprocal(x: np.ndarray) -> np.ndarray:
    return 1.0 / x  # type: ignore[no-any-return]


@unary(
    "reciprocal",
    _float_reciprocal,
    _array_reciprocal,
    saves="out",
    factor="-1/x²",
    checks=[check(lambda t, x: x.reciprocal(), nonzero(3, 4), value=True)],
)
def reciprocal(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g * (out * out),)


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_array_erf_object = np.frompyfunc(math.erf, 1, 1)


def _array_erf(x: np.ndarray) -> np.ndarray:
    # NumPy has no erf; math.erf per element is exact (and about 30x slower than np.tanh)
    return np.asarray(_array_erf_object(x), dtype=x.dtype)


@unary(
    "erf",
    math.erf,
    _array_erf,
    saves="x",
    factor="2/√π exp(-x²)",
    checks=[check(lambda t, x: x.erf(), real(3, 4), value=True)],
)
def erf(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (_TWO_OVER_SQRT_PI * apply(exp, -(x * x))),)


absolute = abs  # PyTorch's other name
