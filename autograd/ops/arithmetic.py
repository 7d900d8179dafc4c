"""Arithmetic: + - * / ** and negation, declared once for Value and Tensor.

Each declaration's rule serves both node types (floats and arrays, or nodes under
``create_graph``). An op with a Python number for one operand records the number in its context
instead of making a constant node: one node fewer, and a drawing that reads ``* 3``.

Tensor forwards follow PyTorch's type promotion (see dtypes.py) and PyTorch's arithmetic:
division by a number is a true division (not a multiplication by its inverse), an integer
division gives the default float dtype, and an integer to a negative integer power raises.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..graph import Node
from ..op import Op, check, nonzero, positive, real
from ..tensor import Tensor, as_tensor, make, make_const, number_kind
from .common import array_pow, power_by_number, raw, select, shape_str, unbroadcast
from .common import div as _div
from .common import log as _log
from .common import power as _power

# --- the declarations ---------------------------------------------------------------------------


def _add_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g, g


ADD = Op(
    "+",
    _add_rule,
    elementwise=True,
    linear=True,
    factors=("1", "1"),
    checks=[
        check(lambda t, x, y: x + y, real(3, 4), real(3, 4), value=True),
        check(lambda t, x, y: x + y, real(3, 4), real(4)),
        check(lambda t, x, y: t.add(x, y, alpha=2.5), real(2, 1, 3), real(4, 1)),
    ],
)


def _add_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g,)


ADD_CONST = Op(
    "+c",
    _add_const_rule,
    elementwise=True,
    linear=True,
    factors=("1",),
    label="+ {c}",
    checks=[
        check(lambda t, x: x + 1.5, real(3, 4), value=True),
        check(lambda t, x: x - 0.25, real(3, 4), value=True),
        check(lambda t, x: 2 + x, real(5), value=True),
    ],
)


def _sub_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g, -g


SUB = Op(
    "-",
    _sub_rule,
    elementwise=True,
    linear=True,
    factors=("1", "-1"),
    checks=[
        check(lambda t, x, y: x - y, real(3, 4), real(3, 4), value=True),
        check(lambda t, x, y: t.sub(x, y), real(2, 3), real(1)),
    ],
)


def _rsub_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g,)


RSUB_CONST = Op(
    "c-",
    _rsub_const_rule,
    elementwise=True,
    linear=True,
    factors=("-1",),
    label="{c} - x",
    checks=[check(lambda t, x: 1.5 - x, real(3, 4), value=True)],
)


def _mul_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g * y, g * x


MUL = Op(
    "*",
    _mul_rule,
    saves="x y",
    elementwise=True,
    factors=("y", "x"),
    partner=lambda k, ctx: 1 - k,
    checks=[
        check(lambda t, x, y: x * y, real(3, 4), real(3, 4), value=True),
        check(lambda t, x, y: x * y, real(3, 1), real(1, 4)),
        check(lambda t, x: x * x, real(6), value=True),
        check(lambda t, x, y: t.mul(x, y), real(2, 3), real()),
    ],
)


def _mul_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * ctx,)


MUL_CONST = Op(
    "*c",
    _mul_const_rule,
    elementwise=True,
    linear=True,
    factors=("c",),
    label="* {c}",
    checks=[
        check(lambda t, x: x * 3.0, real(3, 4), value=True),
        check(lambda t, x: -0.5 * x, real(4), value=True),
    ],
)


def _div_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    # PyTorch's formulas: the same rounding, overflow and underflow at extreme values. Recording
    # (create_graph), x / y is a new node, as in PyTorch's graph of the rule; raw, out is x / y.
    quotient = _div(x, y) if isinstance(out, Node) else out
    return _div(g, y), -g * _div(quotient, y)


DIV = Op(
    "/",
    _div_rule,
    saves="y out",
    elementwise=True,
    factors=("1/y", "-x/y²"),
    checks=[
        check(lambda t, x, y: x / y, real(3, 4), nonzero(3, 4), value=True),
        check(lambda t, x, y: t.div(x, y), real(3, 4), nonzero(4)),
    ],
)


def _div_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (_div(g, ctx),)


DIV_CONST = Op(
    "/c",
    _div_const_rule,
    elementwise=True,
    linear=True,
    factors=("1/c",),
    label="/ {c}",
    checks=[
        check(lambda t, x: x / 3.0, real(3, 4), value=True),
        check(lambda t, x: x / -0.1, real(7), value=True),
    ],
)


def _rdiv_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    # c / x is computed as (1 / x) * c, as PyTorch and micrograd do; so is its gradient
    r = _div(1.0, x)
    return (-(g * ctx) * (r * r),)


def reciprocal_times(x: Any, c: float) -> Any:
    """``c / x`` computed as PyTorch computes it: the reciprocal of x, times c."""
    return _div(1.0, x) * c


RDIV_CONST = Op(
    "c/",
    _rdiv_const_rule,
    saves="x",
    elementwise=True,
    factors=lambda k, c: f"-{c:.4g}/x²",
    label="{c} / x",
    checks=[check(lambda t, x: 2.0 / x, nonzero(3, 4), value=True)],
)


def _neg_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g,)


NEG = Op(
    "neg",
    _neg_rule,
    elementwise=True,
    linear=True,
    factors=("-1",),
    label="-x",
    checks=[
        check(lambda t, x: -x, real(3, 4), value=True),
        check(lambda t, x: t.neg(x), real(2)),
    ],
)


def zeros_like(g: Any) -> Any:
    """A zero gradient of g's shape and dtype (floats, arrays or nodes): a constant, outside the
    graph (as PyTorch's), so no second derivative flows through it (0 * inf would be NaN)."""
    if type(g) is float:
        return 0.0
    if isinstance(g, Node):
        return make_const(np.zeros_like(g.data)) if isinstance(g, Tensor) else 0.0
    return np.zeros_like(g)


def _pow_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    if ctx == 0.0:  # x ** 0 is flat, even where the formula gives 0 * inf
        return (zeros_like(g),)
    if ctx == 2.0:
        return (g * (2.0 * x),)
    return (g * (ctx * power_by_number(x, ctx - 1.0)),)


def _pow_const_factor(k: int, c: Any) -> str:
    c = float(c)
    if c == 2.0:
        return "2 x"
    return f"{c:.4g} x^{c - 1.0:.4g}"


POW_CONST = Op(
    "**c",
    _pow_const_rule,
    saves="x",
    elementwise=True,
    factors=_pow_const_factor,
    label="** {c}",
    checks=[
        check(lambda t, x: x**2, real(3, 4), value=True),
        check(lambda t, x: x**3, real(5), value=True),
        check(lambda t, x: x**0.5, positive(3, 4), value=True),
        check(lambda t, x: x**-1.5, positive(4), value=True),
        check(lambda t, x: x**0, real(4), value=True),
    ],
)


def _rpow_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    if ctx == 0.0:  # 0 ** x is flat for x >= 0, where the formula gives 0 * -inf
        return (g * select(raw(x) >= 0, 0.0, out * _log(ctx)),)
    return (g * (out * _log(ctx)),)


RPOW_CONST = Op(
    "c**",
    _rpow_const_rule,
    saves="x out",
    elementwise=True,
    factors=lambda k, c: f"{float(c):.4g}^x ln {float(c):.4g}",
    label="{c} ** x",
    checks=[
        check(lambda t, x: 2.0**x, real(3, 4), value=True),
        check(lambda t, x: 0.5**x, real(4), value=True),
    ],
)


def _pow_rule(ctx: bool, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    # where the formulas give 0 * inf, x ** y is flat (as in PyTorch): in x where y == 0, in y
    # at a zero base where y >= 0
    xd, yd = raw(x), raw(y)
    gx = select(yd == 0, zeros_like(g), g * (y * _power(x, y - 1.0)))
    if not ctx:  # a constant exponent: skip its log (nan for a negative base)
        return gx, None
    # (the base's gradient is selected, the exponent's multiplied: PyTorch's forms, which give
    # the same NaNs in second derivatives)
    return gx, g * select((xd == 0) & (yd >= 0), 0.0, out * _log(x))


POW = Op(
    "**",
    _pow_rule,
    saves="x y out",
    elementwise=True,
    factors=("y x^(y-1)", "x^y ln x"),
    checks=[
        check(lambda t, x, y: x**y, positive(3, 4), real(3, 4), value=True),
        check(lambda t, x, y: t.pow(x, y), positive(3, 1), real(4)),
    ],
)


# --- the broadcasting forms: the same facts, a rule that sums gradients to input shapes ----------


def broadcasting(op: Op) -> Op:
    """``op`` for inputs of shapes or dtypes other than the output's: each gradient is summed
    back to its input's shape and cast to its dtype (broadcasting undone in this one place)."""
    rule = op.backward

    def summed(ctx: Any, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
        grads = rule(ctx, g, out, *inputs)
        return tuple(
            None if gi is None else unbroadcast(gi, x.shape, x.dtype)
            for gi, x in zip(grads, inputs)
        )

    return op.sibling(summed)


BROADCASTING: dict[Op, Op] = {op: broadcasting(op) for op in (ADD, SUB, MUL, DIV, POW)}


# --- Tensor forwards ----------------------------------------------------------------------------


def promoted(op: str, x: Tensor, y: Tensor, true_division: bool = False) -> tuple[Any, Any]:
    """The two operands' data in their common dtype (``torch.result_type``)."""
    xd, yd = x.data, y.data
    if xd.dtype is not yd.dtype and xd.dtype != yd.dtype:
        common = dtypes.result_type(xd, yd)
        xd = xd if xd.dtype == common else xd.astype(common)
        yd = yd if yd.dtype == common else yd.astype(common)
    if true_division and xd.dtype.kind != "f":
        float_dtype = dtypes.get_default_dtype()
        xd, yd = xd.astype(float_dtype), yd.astype(float_dtype)
    return xd, yd


def binary(op: Op, fn: Any, x: Any, y: Any, name: str, ctx: Any = None) -> Tensor:
    """An elementwise op of two tensors (numbers and arrays become constants)."""
    x, y = as_tensor(x, name), as_tensor(y, name)
    xd, yd = promoted(name, x, y, op is DIV)
    try:
        data = fn(xd, yd)
    except ValueError:
        raise ValueError(
            f"{name}: shapes {shape_str(x.shape, y.shape)} cannot be broadcast together"
        ) from None
    except TypeError as err:  # NumPy's UFuncTypeError: no loop for these dtypes
        raise TypeError(
            f"{name}: not supported for dtypes {x.dtype} and {y.dtype} ({err})"
        ) from None
    if x.shape != data.shape or y.shape != data.shape or x.dtype != y.dtype:
        op = BROADCASTING[op]
    return make(data, (x, y), op, ctx)


def _scalar_operand(x: Tensor, c: Any, name: str, true_division: bool = False) -> Any:
    """``x``'s data, cast up when the number is of a higher category (int tensor + 2.5)."""
    d = x.data
    kind = number_kind(c)
    if kind > dtypes.category(d.dtype) or (true_division and d.dtype.kind != "f"):
        d = d.astype(dtypes.get_default_dtype() if kind == 2 or true_division else dtypes.int64)
    return d


def _with_number(
    op: Op, fn: Any, x: Tensor, c: Any, name: str, true_division: bool = False
) -> Tensor:
    if isinstance(c, np.generic):  # a NumPy number counts as a Python number, as in PyTorch
        c = c.item()
    d = _scalar_operand(x, c, name, true_division)
    try:
        data = fn(d, c)
    except TypeError as err:
        raise TypeError(f"{name}: not supported for a Tensor of dtype {x.dtype} ({err})") from None
    return make(data, (x,), op, c)


def _is_number(y: Any) -> bool:
    cls = type(y)
    return cls is float or cls is int or number_kind(y) >= 0


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input + alpha * other``."""
    if type(other) is float and isinstance(input, Tensor) and input.data.dtype.kind == "f":
        return make(input.data + other, (input,), ADD_CONST, other)  # the common case, fast
    if alpha != 1:
        other = mul(other, alpha)
    if isinstance(input, Tensor) and _is_number(other):
        return _with_number(ADD_CONST, np.add, input, other, "add")
    if isinstance(other, Tensor) and _is_number(input):
        return _with_number(ADD_CONST, np.add, other, input, "add")
    return binary(ADD, np.add, input, other, "add")


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``."""
    if type(other) is float and isinstance(input, Tensor) and input.data.dtype.kind == "f":
        return make(input.data - other, (input,), ADD_CONST, -other)  # the common case, fast
    if _is_bool(input) or _is_bool(other):
        raise TypeError(
            "sub: subtraction (-) with a bool tensor or a bool is not supported, as in PyTorch; "
            "to invert a mask use ~ (logical_not)"
        )
    if alpha != 1:
        other = mul(other, alpha)
    if isinstance(input, Tensor) and _is_number(other):
        return _sub_number(input, other)
    if isinstance(other, Tensor) and _is_number(input):
        return _with_number(RSUB_CONST, _reverse(np.subtract), other, input, "sub")
    return binary(SUB, np.subtract, input, other, "sub")


def _is_bool(x: Any) -> bool:
    return x.dtype == dtypes.bool_ if isinstance(x, Tensor) else number_kind(x) == 0


def _sub_number(x: Tensor, c: Any) -> Tensor:
    """``x - c`` as ``x + (-c)`` node-wise (the same gradient), computed as a subtraction."""
    d = _scalar_operand(x, c, "sub")
    try:
        data = np.subtract(d, c)
    except TypeError as err:
        raise TypeError(f"sub: not supported for a Tensor of dtype {x.dtype} ({err})") from None
    return make(data, (x,), ADD_CONST, -c)


def _reciprocal_times(d: np.ndarray, c: Any) -> np.ndarray:
    return np.multiply(np.true_divide(1, d), c)


def _reverse(fn: Any) -> Any:
    return lambda d, c: fn(c, d)


def mul(input: Any, other: Any) -> Tensor:
    if type(other) is float and isinstance(input, Tensor) and input.data.dtype.kind == "f":
        return make(input.data * other, (input,), MUL_CONST, other)  # the common case, fast
    if isinstance(input, Tensor) and _is_number(other):
        return _with_number(MUL_CONST, np.multiply, input, other, "mul")
    if isinstance(other, Tensor) and _is_number(input):
        return _with_number(MUL_CONST, np.multiply, other, input, "mul")
    return binary(MUL, np.multiply, input, other, "mul")


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """True division (``rounding_mode=None``), or rounded toward zero (``"trunc"``) or down
    (``"floor"``), which is flat: its gradient is 0, as in PyTorch."""
    if rounding_mode is not None:
        from .rounding import rounded_div

        return rounded_div(input, other, rounding_mode)
    if type(other) is float and isinstance(input, Tensor) and input.data.dtype.kind == "f":
        return make(input.data / other, (input,), DIV_CONST, other)  # the common case, fast
    if isinstance(input, Tensor) and _is_number(other):
        return _with_number(DIV_CONST, np.true_divide, input, other, "div", True)
    if isinstance(other, Tensor) and _is_number(input):
        return _with_number(RDIV_CONST, _reciprocal_times, other, input, "div", True)
    return binary(DIV, np.true_divide, input, other, "div")


def neg(input: Any) -> Tensor:
    x = as_tensor(input, "neg")
    if x.dtype == dtypes.bool_:
        raise TypeError("neg: negation (-) of a bool tensor is not supported; use ~ (logical_not)")
    return make(np.negative(x.data), (x,), NEG)


def _negative_int_power(base: Any, exponent: Any) -> bool:
    return dtypes.category(base.dtype) < 2 and number_kind(exponent) == 1 and exponent < 0


def power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` (``torch.pow``)."""
    if isinstance(input, Tensor) and _is_number(exponent):
        if _negative_int_power(input.data, exponent):
            raise ValueError("pow: integers to negative integer powers are not allowed")
        return _with_number(POW_CONST, _tensor_power_by_number, input, exponent, "pow")
    if isinstance(exponent, Tensor) and _is_number(input):
        return _with_number(RPOW_CONST, _reverse(np.power), exponent, input, "pow")
    x, y = as_tensor(input, "pow"), as_tensor(exponent, "pow")
    # the rule needs to know whether the exponent wants a gradient (ctx)
    return binary(POW, _int_safe_power, x, y, "pow", y.requires_grad)


def _tensor_power_by_number(d: np.ndarray, c: Any) -> np.ndarray:
    if d.dtype.kind == "f" and type(c) is not bool:
        return np.asarray(power_by_number(d, float(c)), dtype=d.dtype)
    return np.power(d, c)


def _int_safe_power(x: Any, y: Any) -> Any:
    if y.dtype.kind in "iu" and x.dtype.kind in "iu" and (y < 0).any():
        # PyTorch's integer power: x ** -n is 1 for x = 1, ±1 for x = -1, else 0 (truncated)
        base, exponent = np.broadcast_arrays(x, y)
        out = np.power(base, np.where(exponent < 0, 0, exponent))
        odd = (exponent % 2) == 1
        negative_power = np.where(base == 1, 1, np.where(base == -1, np.where(odd, -1, 1), 0))
        return np.where(exponent < 0, negative_power, out).astype(out.dtype)
    return array_pow(np.asarray(x), np.asarray(y))


# PyTorch's other names for the same functions
subtract, multiply, divide, negative = sub, mul, div, neg


def true_divide(input: Any, other: Any) -> Tensor:
    """``input / other`` (``div`` without rounding)."""
    return div(input, other)
