"""Each Value op's forward and backward as lines of Python, the same float operations eager mode
does, in the same order.

A forward template mirrors the op's Value method (``value.py``, ``ops/scalar.py``); a backward
template mirrors the op's rule (``ops/arithmetic.py``, ``ops/unary.py``, ``ops/scalar.py``) on
Python floats, down to the helper it calls where the rule calls one (``div`` where the rule uses
``common.div``). An op without a template of its own is replayed by calling its declaration:
``on_float`` forward (any ``Unary``) and its rule backward. The tests compare every op, compiled,
with eager mode bit for bit.

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
from ..ops.common import div, float_sigmoid, ieee_div, ieee_exp, ieee_log, ieee_pow, ieee_sqrt, sign
from ..ops.scalar import ADD_N, DOT
from ..ops.unary import Unary
from ..value import DETACH
from .expr import Expr, binary, both, call, choose, compare, literal, negate

GLOBALS: dict[str, Any] = {
    "div": div,  # common.div: the rules' division (a / b, IEEE where Python raises)
    "ieee_div": ieee_div,  # Value's division
    "ieee_pow": ieee_pow,
    "ieee_log": ieee_log,
    "exp": ieee_exp,
    "log": ieee_log,
    "sqrt": ieee_sqrt,
    "tanh": math.tanh,
    "sigmoid": float_sigmoid,
    "sign": sign,
}

ZERO, ONE, TWO = literal(0.0), literal(1.0), literal(2.0)

# a constant as an expression: a literal, or a name bound in the globals (inf, nan)
Constant = Callable[[Any], Expr]
Temp = Callable[[Expr], Expr]  # stores an expression in a variable, which it returns


@dataclass
class Contribution:
    """A gradient an op hands one input: ``expr``; ``plain``: it is its node's gradient passed on
    unchanged (so, like that gradient, never -0.0 when that gradient never is)."""

    expr: Expr
    plain: bool = False


# --- forward -------------------------------------------------------------------------------


def forward(op: Any, ctx: Any, xs: list[Expr], k: Constant, temp: Temp) -> Expr | None:
    """The expression computing the op's number from its inputs' (None: no template; the op is
    replayed by calling its ``on_float`` if it is a Unary). ``temp`` stores a long sum's first terms in a variable (the sum goes on from it, in order)."""
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
    if op is DIV:
        return call("ieee_div", xs[0], xs[1])
    if op is DIV_CONST:  # a / c never raises for c != 0: ieee_div gives a / c then
        return binary(xs[0], "/", k(ctx)) if ctx != 0.0 else call("ieee_div", xs[0], k(ctx))
    if op is RDIV_CONST:
        return call("ieee_div", k(ctx), xs[0])
    if op is NEG:
        return negate(xs[0])
    if op is POW:
        return call("ieee_pow", xs[0], xs[1])
    if op is POW_CONST:
        return call("ieee_pow", xs[0], k(ctx))
    if op is RPOW_CONST:
        return call("ieee_pow", k(ctx), xs[0])
    if op is unary.relu:  # _float_relu; needs x as a name (it reads it twice)
        return choose(compare(xs[0], "<=", ZERO), ZERO, xs[0])
    if op in _UNARY_CALLS:
        return call(_UNARY_CALLS[op], xs[0])
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


_UNARY_CALLS = {
    unary.exp: "exp",
    unary.log: "log",
    unary.sqrt: "sqrt",
    unary.tanh: "tanh",
    unary.sigmoid: "sigmoid",
    unary.abs: "abs",
}


def has_forward(op: Any) -> bool:
    return op in _KNOWN or isinstance(op, Unary)


_KNOWN = {
    ADD, ADD_CONST, SUB, RSUB_CONST, MUL, MUL_CONST, DIV, DIV_CONST, RDIV_CONST, NEG, POW,
    POW_CONST, RPOW_CONST, ADD_N, DOT, DETACH, *_UNARY_CALLS, unary.relu,
}  # fmt: skip


# --- backward ------------------------------------------------------------------------------


def backward(
    op: Any,
    ctx: Any,
    g: Expr,
    out: Expr,
    xs: list[Expr],
    want: list[bool],
    k: Constant,
    temp: Temp,
) -> list[Contribution | None] | None:
    """The gradients the op's rule hands its inputs, for those in ``want`` (None elsewhere), as
    expressions of ``g`` (a name), ``out`` and the inputs ``xs``; None: no template (the rule is
    called). ``out`` and the inputs are used only where the op declares them saved."""
    n_in = len(xs)
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
        return [_c(binary(g, "*", k(ctx)))]
    if op is DIV:  # gx = div(g, y); gy = -gx * out
        gx = call("div", g, xs[1])
        if want[0] and want[1]:
            gx = temp(gx)
        return [_c(gx) if want[0] else None, _c(binary(negate(gx), "*", out)) if want[1] else None]
    if op is DIV_CONST:
        return [_c(call("div", g, k(ctx)))]
    if op is RDIV_CONST:
        return [_c(call("div", binary(negate(g), "*", out), xs[0]))]
    if op is POW_CONST:
        return [_pow_const(ctx, g, xs[0], k)]
    if op is RPOW_CONST:
        factor = binary(g, "*", binary(out, "*", k(ieee_log(ctx))))
        if ctx == 0.0:  # 0 ** x is flat for x >= 0
            return [_c(choose(compare(xs[0], ">=", literal(0.0)), ZERO, factor))]
        return [_c(factor)]
    if op is POW:
        return _pow(ctx, g, out, xs, want)
    if op is unary.relu:  # select(out <= 0, 0.0, g): g itself, or +0.0
        return [Contribution(choose(compare(out, "<=", ZERO), ZERO, g), True)]
    if op in _UNARY_BACKWARD:
        return [_c(_UNARY_BACKWARD[op](g, out, xs[0]))]
    if op is DOT:  # w_i gets g * x_i, x_i gets g * w_i, the bias g
        n = ctx
        got: list[Contribution | None] = []
        for i in range(n_in):
            if not want[i]:
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


def _pow_const(c: float, g: Expr, x: Expr, k: Constant) -> Contribution:
    if c == 0.0:  # zeros_like(g)
        return Contribution(ZERO, True)
    if c == 2.0:
        return _c(binary(g, "*", binary(TWO, "*", x)))
    return _c(binary(g, "*", binary(k(c), "*", call("ieee_pow", x, k(c - 1.0)))))


def _pow(ctx: Any, g: Expr, out: Expr, xs: list[Expr], want: list[bool]) -> list[Contribution | None]:
    x, y = xs
    got: list[Contribution | None] = [None, None]
    if want[0]:  # select(y == 0, 0, g * (y * x ** (y - 1)))
        grad = binary(g, "*", binary(y, "*", call("ieee_pow", x, binary(y, "-", ONE))))
        got[0] = _c(choose(compare(y, "==", literal(0.0)), ZERO, grad))
    if want[1] and ctx:  # select((x == 0) & (y >= 0), 0, g * (out * log(x)))
        test = both(compare(x, "==", literal(0.0)), compare(y, ">=", literal(0.0)))
        got[1] = _c(choose(test, ZERO, binary(g, "*", binary(out, "*", call("ieee_log", x)))))
    return got


_UNARY_BACKWARD: dict[Any, Callable[[Expr, Expr, Expr], Expr]] = {
    unary.exp: lambda g, out, x: binary(g, "*", out),
    unary.log: lambda g, out, x: call("div", g, x),
    unary.sqrt: lambda g, out, x: call("div", g, binary(TWO, "*", out)),
    unary.tanh: lambda g, out, x: binary(g, "*", binary(ONE, "-", binary(out, "*", out))),
    unary.sigmoid: lambda g, out, x: binary(binary(g, "*", binary(ONE, "-", out)), "*", out),
    unary.abs: lambda g, out, x: binary(g, "*", call("sign", x)),
}


def has_backward(op: Any) -> bool:
    """The op's rule has a template (otherwise the generated code calls the rule)."""
    return op in _BACKWARD_KNOWN


_BACKWARD_KNOWN = {
    ADD, ADD_N, ADD_CONST, SUB, RSUB_CONST, NEG, MUL, MUL_CONST, DIV, DIV_CONST, RDIV_CONST,
    POW_CONST, RPOW_CONST, POW, DOT, unary.relu, *_UNARY_BACKWARD,
}  # fmt: skip
