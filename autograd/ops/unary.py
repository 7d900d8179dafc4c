"""Elementwise functions of one input, declared once for Value and Tensor.

A declaration names the function on a Python float (for Value), on an array (for Tensor) and the
backward rule both share, with the facts for drawings and tests. The declared object is also
the public function: ``autograd.tanh(x)`` (and ``x.tanh()``).

To add one: write its rule under ``@unary(...)`` here, add a method line to Tensor (and to
Value if scalars should have it), export it in ``autograd/__init__.py``; its tests follow from
``checks``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..graph import Node
from ..op import Check, Op, check, nonzero, positive, real
from .common import array_sigmoid, div, float_sigmoid, ieee_exp, ieee_log, ieee_sqrt, raw, select, sign


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
    abs,
    np.abs,
    saves="x",
    factor="sign(x)",
    floating=False,
    checks=[check(lambda t, x: x.abs(), nonzero(3, 4), value=True)],
)
def abs(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:  # noqa: A001 - torch.abs
    return (g * sign(x),)
