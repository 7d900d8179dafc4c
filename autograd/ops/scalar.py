"""Sums and dot products of many Values as one node each.

``sum(values)`` and micrograd's neuron ``sum((w * x for w, x in zip(ws, xs)), b)`` build a chain
of two-input nodes: one Python object per addition and per product, each visited by the backward
walk. ``value_sum`` and ``value_dot`` compute the same number (the same additions, in the same
order) as one node whose rule hands every input its gradient at once, so a scalar network's
neuron costs one node instead of 2 * fan-in. Both return a Value; a Tensor uses ``@`` and
``.sum()`` instead.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from .. import value as _value
from ..graph import Node
from ..op import Op, check, real
from ..value import Value

_requires_grad = attrgetter("requires_grad")


def _as_value(item: Any, caller: str, where: str) -> Value:
    """A Value as it is, a real number as a constant Value; anything else is refused."""
    if isinstance(item, Value):
        return item
    if isinstance(item, numbers.Real):
        return Value(float(item), requires_grad=False)
    hint = " (for Tensors use .sum() or @)" if isinstance(item, Node) else ""
    raise TypeError(
        f"{caller}(): {where} is a {type(item).__name__} ({item!r:.40}); "
        f"expected a Value or a real number{hint}"
    )


def _as_tuple(items: Iterable[Any], caller: str, name: str) -> tuple[Any, ...]:
    try:
        if isinstance(items, (str, bytes)):
            raise TypeError
        it = iter(items)
    except TypeError:
        raise TypeError(
            f"{caller}(): {name} must be an iterable of Values or numbers, "
            f"got a {type(items).__name__}"
        ) from None
    return tuple(it)  # an error raised by a generator's own code reaches the caller as it is


def _as_values(items: tuple[Any, ...], caller: str, name: str) -> tuple[Value, ...]:
    return tuple(_as_value(v, caller, f"{name}[{i}]") for i, v in enumerate(items))


def _result(data: float, parents: tuple[Value, ...], op: Op, ctx: Any) -> Value:
    # through the module: autograd.compile swaps value.make while it records a call
    return _value.make(data, parents, op, ctx, any(map(_requires_grad, parents)))


# The forward loops below check each item's type as they add it up: a plain loop is faster than
# map() and attrgetter here, and a number or a stranger among the items sends the call to the
# slow path once, which converts numbers to constants and names anything else.


def _add_n_rule(ctx: None, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
    return (g,) * len(inputs)


ADD_N = Op(
    "add_n",
    _add_n_rule,
    elementwise=True,
    linear=True,
    factors=lambda k, ctx: "1",
    label="Σ",
    checks=[
        check(
            lambda t, x, y, z: t.value_sum([x, y, z]),
            real(),
            real(),
            real(),
            value=True,
            tensor=False,
            reference=lambda t, x, y, z: x + y + z,
        )
    ],
)


def _sum_data(start: Value, values: tuple[Any, ...]) -> float | None:
    total = start.data
    for v in values:
        if type(v) is not Value:
            return None
        total += v.data
    return total


def value_sum(values: Iterable[Value | float], start: Value | float = 0.0) -> Value:
    """``sum(values, start)`` as one node (the same additions in the same order): every input's
    gradient is the output's.

    >>> a, b = Value(2.0), Value(3.0); s = value_sum([a, b, a]); s.backward(); (s.data, a.grad)
    (7.0, 2.0)
    """
    items = _as_tuple(values, "value_sum", "values")
    first = start if type(start) is Value else _as_value(start, "value_sum", "start")
    if not items:
        return first  # as sum([], start) returns start
    data = _sum_data(first, items)
    if data is None:
        items = _as_values(items, "value_sum", "values")
        data = _sum_data(first, items)
    return _result(data, (first, *items), ADD_N, None)  # type: ignore[arg-type]


def _dot_rule(n: int, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
    # inputs are w_1..w_n, x_1..x_n, then the bias: d/dw_i = x_i, d/dx_i = w_i, d/db = 1
    weights, xs = inputs[:n], inputs[n : 2 * n]
    return (*[g * x for x in xs], *[g * w for w in weights], g)


def _dot_partner(k: int, n: int) -> int | None:
    """Input ``k``'s factor is the input it is multiplied by (None for the bias)."""
    if k < n:
        return k + n
    return k - n if k < 2 * n else None


def _dot_factor(k: int, n: int) -> str:
    partner = _dot_partner(k, n)
    if partner is None:
        return "1"
    return f"x{partner - n + 1}" if partner >= n else f"w{partner + 1}"


DOT = Op(
    "dot",
    _dot_rule,
    saves="all",
    elementwise=True,
    factors=_dot_factor,
    partner=_dot_partner,
    label="b + Σ w·x",
    checks=[
        check(
            lambda t, w1, w2, x1, x2, b: t.value_dot([w1, w2], [x1, x2], b),
            real(),
            real(),
            real(),
            real(),
            real(),
            value=True,
            tensor=False,
            reference=lambda t, w1, w2, x1, x2, b: b + w1 * x1 + w2 * x2,
        )
    ],
)


def _dot_data(bias: Value, weights: tuple[Any, ...], xs: tuple[Any, ...]) -> float | None:
    total = bias.data
    for w, x in zip(weights, xs):
        if type(w) is not Value or type(x) is not Value:
            return None
        total += w.data * x.data
    return total


def value_dot(
    weights: Iterable[Value | float], inputs: Iterable[Value | float], bias: Value | float = 0.0
) -> Value:
    """``bias + w_1 * x_1 + ... + w_n * x_n`` as one node: a neuron's pre-activation.

    The same number as micrograd's ``sum((w * x for w, x in zip(weights, inputs)), bias)``,
    added in the same order; the gradient of w_i is x_i times the output's, of x_i is w_i
    times it, of the bias the output's own. Numbers are taken as constants.
    """
    ws = _as_tuple(weights, "value_dot", "weights")
    xs = _as_tuple(inputs, "value_dot", "inputs")
    if len(ws) != len(xs):
        raise ValueError(
            f"value_dot(): {len(ws)} weights but {len(xs)} inputs; give one weight per input"
        )
    b = bias if type(bias) is Value else _as_value(bias, "value_dot", "bias")
    if not ws:
        return b
    data = _dot_data(b, ws, xs)
    if data is None:
        ws = _as_values(ws, "value_dot", "weights")
        xs = _as_values(xs, "value_dot", "inputs")
        data = _dot_data(b, ws, xs)
    return _result(data, (*ws, *xs, b), DOT, len(ws))  # type: ignore[arg-type]
