"""Each Value op's forward and backward as Python expressions: the same float operations eager
mode does, in the same order.

Forward templates mirror the Value methods (``value.py``, ``ops/scalar.py``) and call the same
helpers they call (``ieee_div``, ``power_by_number``, a unary op's own ``on_float``). Backward
templates are written out only for the ops a scalar network is made of (+ - * neg, relu, tanh,
exp, value_sum, value_dot), whose rules are one product or none; every other op's rule is called
as it is (``rule(ctx, g, out, *inputs)``), so a change to a rule needs no change here. The tests
compare every op, compiled, with eager mode bit for bit.

The names the templates call are bound in the generated code's globals (``GLOBALS``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..ops import unary
from ..ops.arithmetic import (
    ADD,
    ADD_CONST,
    DIV,
    DIV_CONST,
    MUL,
    MUL_CONST,
    NEG,
    POW,
    POW_CONST,
    RDIV_CONST,
    RPOW_CONST,
    RSUB_CONST,
    SUB,
)
from ..ops.common import ieee_div, ieee_pow, power_by_number
from ..ops.scalar import ADD_N, DOT
from ..ops.unary import Unary
from ..value import DETACH
from .expr import Expr, binary, call, choose, compare, literal, negate

GLOBALS: dict[str, Any] = {
    "ieee_div": ieee_div,  # Value's division, ** and ** by a number
    "ieee_pow": ieee_pow,
    "power_by_number": power_by_number,
}

ZERO, ONE = literal(0.0), literal(1.0)

# a constant as an expression: a literal, or a name bound in the globals (inf, nan)
Constant = Callable[[Any], Expr]
Temp = Callable[[Expr], Expr]  # stores an expression in a variable, which it returns
Bind = Callable[[Any, str], str]  # binds an object in the globals, under a name it returns


@dataclass
class Contribution:
    """A gradient an op hands one input: ``expr``; ``plain``: it is its node's gradient passed on
    unchanged (so, like that gradient, never -0.0 when that gradient never is)."""

    expr: Expr
    plain: bool = False


# --- forward -------------------------------------------------------------------------------


def forward(op: Any, ctx: Any, xs: list[Expr], k: Constant, temp: Temp, bind: Bind) -> Expr | None:
    """The expression computing the op's number from its inputs' (None: the op cannot be
    replayed). ``temp`` stores a long sum's first terms in a variable (the sum goes on from it,
    in order); ``bind`` names a function in the globals."""
    if op is ADD or op is SUB or op is MUL:
        return binary(xs[0], op.name, xs[1])
    if op is ADD_CONST:  # x - c is recorded as x + (-c): the same number; written as x - c
        if ctx == ctx and math.copysign(1.0, ctx) < 0:
            return binary(xs[0], "-", k(-ctx))
        return binary(xs[0], "+", k(ctx))
    if op is RSUB_CONST:
        return binary(k(ctx), "-", xs[0])
    if op is MUL_CONST:
        return binary(xs[0], "*", k(ctx))
    if op is NEG:
        return negate(xs[0])
    if op is DIV:
        return call("ieee_div", xs[0], xs[1])
    if op is DIV_CONST:  # a / c never raises for c != 0: ieee_div gives a / c then
        return binary(xs[0], "/", k(ctx)) if ctx != 0.0 else call("ieee_div", xs[0], k(ctx))
    if op is RDIV_CONST:
        return binary(call("ieee_div", ONE, xs[0]), "*", k(ctx))
    if op is POW:
        return call("ieee_pow", xs[0], xs[1])
    if op is POW_CONST:
        return call("power_by_number", xs[0], k(ctx))
    if op is RPOW_CONST:
        return call("ieee_pow", k(ctx), xs[0])
    if op is unary.relu:  # its on_float, written out; needs x as a name (it reads it twice)
        return choose(compare(xs[0], "<=", ZERO), ZERO, xs[0])
    if isinstance(op, Unary):
        return call(bind(op.on_float, op.name), xs[0])
    if op is ADD_N:  # value_sum: start + v1 + v2 ... in this order
        total = xs[0]
        for x in xs[1:]:
            total = binary(_short(total, temp), "+", x)
        return total
    if op is DOT:  # value_dot: b + w1 * x1 + w2 * x2 ...
        n = ctx
        total = xs[2 * n]
        for w, x in zip(xs[:n], xs[n : 2 * n]):
            total = binary(_short(total, temp), "+", binary(w, "*", x))
        return total
    if op is DETACH:
        return xs[0]
    return None


CHAIN = 32  # terms of a sum written on one line


def _short(total: Expr, temp: Temp) -> Expr:
    return temp(total) if total.depth >= CHAIN else total


def reads_twice(op: Any) -> bool:
    """The forward template names its input twice: it must be a variable, not an expression."""
    return op is unary.relu


def has_forward(op: Any) -> bool:
    return op in _KNOWN or isinstance(op, Unary)


_KNOWN = {
    ADD,
    ADD_CONST,
    SUB,
    RSUB_CONST,
    MUL,
    MUL_CONST,
    DIV,
    DIV_CONST,
    RDIV_CONST,
    NEG,
    POW,
    POW_CONST,
    RPOW_CONST,
    ADD_N,
    DOT,
    DETACH,
}


# --- backward ------------------------------------------------------------------------------


def backward(
    op: Any, ctx: Any, g: Expr, out: Expr, xs: list[Expr], want: list[bool]
) -> list[Contribution | None] | None:
    """The gradients the op's rule hands its inputs, for those in ``want`` (None elsewhere), as
    expressions of ``g`` (a name), ``out`` and the inputs ``xs``; None: no template (the rule is
    called). ``out`` and the inputs are used only where the op declares them saved."""
    if op is ADD or op is ADD_N:
        return [Contribution(g, True) if w else None for w in want]
    if op is ADD_CONST:
        return [Contribution(g, True)]
    if op is SUB:
        return [Contribution(g, True) if want[0] else None, _c(negate(g)) if want[1] else None]
    if op is RSUB_CONST or op is NEG:
        return [_c(negate(g))]
    if op is MUL:
        return [
            _c(binary(g, "*", xs[1])) if want[0] else None,
            _c(binary(g, "*", xs[0])) if want[1] else None,
        ]
    if op is MUL_CONST:
        return [_c(binary(g, "*", _number(ctx)))]
    if op is unary.relu:  # select(out <= 0, 0.0, g): g itself, or +0.0
        return [Contribution(choose(compare(out, "<=", ZERO), ZERO, g), True)]
    if op is unary.tanh:
        return [_c(binary(g, "*", binary(ONE, "-", binary(out, "*", out))))]
    if op is unary.exp:
        return [_c(binary(g, "*", out))]
    if op is DOT:  # w_i gets g * x_i, x_i gets g * w_i, the bias g
        n = ctx
        got: list[Contribution | None] = []
        for i, w in enumerate(want):
            if not w:
                got.append(None)
            elif i < n:
                got.append(_c(binary(g, "*", xs[n + i])))
            elif i < 2 * n:
                got.append(_c(binary(g, "*", xs[i - n])))
            else:
                got.append(Contribution(g, True))
        return got
    return None


def _c(expr: Expr) -> Contribution:
    return Contribution(expr, False)


def _number(c: float) -> Expr:
    """MUL_CONST's constant: a float (Value's _const makes it one); finite or not."""
    return literal(c) if math.isfinite(c) else Expr(f"float({str(c)!r})")


def has_backward(op: Any) -> bool:
    """The op's rule has a template (otherwise the generated code calls the rule)."""
    return op in _BACKWARD_KNOWN


_BACKWARD_KNOWN = {
    ADD,
    ADD_N,
    ADD_CONST,
    SUB,
    RSUB_CONST,
    NEG,
    MUL,
    MUL_CONST,
    DOT,
    unary.relu,
    unary.tanh,
    unary.exp,
}
