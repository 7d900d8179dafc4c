"""Value: a scalar node on Python floats, micrograd-compatible, fast.

Each op computes its result on floats and records the rule that gives its input gradients; the
rule sits right below the op. Rules use only arithmetic, comparisons and ``_log``, so they run on
floats in the fast path and on Values when the gradient itself is being recorded.

IEEE semantics throughout (Python's float maths raises instead): ``x / 0`` is ±inf (nan for 0/0),
``log(0)`` is -inf, ``log`` of a negative number is nan, ``exp`` of a large number is inf, and a
negative base to a fractional power is nan. Backward rules follow the same semantics, so a
backward pass never raises on these; at a zero base, pow's gradients are 0 where the formula
would give 0 * inf (as in PyTorch).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .anomaly import on_forward
from .graph import Node, _mode, rule

Number = int | float

_new = object.__new__
_INF = math.inf
_NAN = math.nan


def _ieee_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return _NAN
        return math.copysign(_INF, a) * math.copysign(1.0, b)


def _ieee_pow(a: float, b: float) -> float:
    try:
        r = a**b
    except ZeroDivisionError:  # 0.0 ** negative
        return _INF if (b % 2 != 1 or math.copysign(1.0, a) > 0) else -_INF
    except OverflowError:
        return _INF if a > 0 or b % 2 != 1 else -_INF
    return _NAN if isinstance(r, complex) else r


def _ieee_exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return _INF


def _ieee_log(a: float) -> float:
    if a > 0.0:
        return math.log(a)
    if a == 0.0:
        return -_INF
    return _NAN  # negative or nan


# Rules call these instead of / and ** so that the float path follows IEEE too; on Values they
# are the ordinary (already IEEE) operators.
def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Value) else _ieee_log(x)


def _div(a: Any, b: Any) -> Any:
    try:
        return a / b
    except ZeroDivisionError:
        return _ieee_div(a, b)


def _number(x: Any) -> float:
    """The float inside a rule argument (a Value when the gradient is being recorded)."""
    return x.data if isinstance(x, Value) else x  # type: ignore[no-any-return]


def _pow(a: Any, b: Any) -> Any:
    if isinstance(a, Value) or isinstance(b, Value):
        return a**b
    return _ieee_pow(a, b)


def _make(
    data: float,
    parents: tuple[Value, ...],
    rule_fn: Any,
    ctx: Any = None,
    needs_grad: bool | None = None,
) -> Value:
    """The result of an op: records the graph only when grad mode is on and a parent needs it
    (``needs_grad``: whether one does, for ops of more than two inputs)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    if needs_grad is None:  # one or two parents: the first and the last are all of them
        needs_grad = parents[0].requires_grad or parents[-1].requires_grad
    if _mode.enabled and needs_grad:
        out.requires_grad = True
        out._parents = parents
        out._rule = rule_fn
        out._ctx = ctx
        if _mode.anomaly:
            on_forward(out)
    else:
        out.requires_grad = False
        out._parents = ()
        out._rule = None
        out._ctx = None
    return out


def _const(x: Any) -> float:
    if isinstance(x, (int, float, numbers.Real)):
        return float(x)
    raise TypeError(f"Value: cannot combine a Value with a {type(x).__name__} ({x!r})")


# --- backward rules, each next to the op it belongs to (see the methods below) ------------


@rule("+")
def _add_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g, g


@rule("+c")
def _add_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g,)


@rule("-")
def _sub_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g, -g


@rule("c-")
def _rsub_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g,)


@rule("*")
def _mul_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return g * y, g * x


@rule("*c")
def _mul_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * ctx,)


@rule("/")
def _div_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    gx = _div(g, y)
    return gx, -gx * out


@rule("c/")
def _rdiv_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (_div(-g * out, x),)


@rule("neg")
def _neg_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (-g,)


@rule("**c")
def _pow_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    if ctx == 0.0:
        return (g * 0.0,)
    return (g * ctx * _pow(x, ctx - 1.0),)


@rule("c**")
def _rpow_const_rule(ctx: float, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * out * _ieee_log(ctx),)


@rule("**")
def _pow_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    # at a zero base the formulas give 0 * inf = nan; there x**y is flat (as in PyTorch): in x
    # when y == 0, in y when y >= 0
    zero_base, y_value = _number(x) == 0.0, _number(y)
    gx = g * 0.0 if zero_base and y_value == 0.0 else g * y * _pow(x, y - 1.0)
    gy = g * 0.0 if zero_base and y_value >= 0.0 else g * out * _log(x)
    return gx, gy


@rule("exp")
def _exp_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * out,)


@rule("log")
def _log_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (_div(g, x),)


@rule("tanh")
def _tanh_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (1.0 - out * out),)


@rule("sigmoid")
def _sigmoid_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * out * (1.0 - out),)


@rule("relu")
def _relu_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (x > 0.0),)


@rule("abs")
def _abs_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * ((x > 0.0) - (x < 0.0)),)


class Value(Node):
    """A scalar that records the operations applied to it.

    >>> a = Value(2.0); b = a * a * 3; b.backward(); a.grad
    12.0
    """

    __slots__ = ()
    _empty_grad = 0.0
    # make NumPy hand mixed expressions (ndarray + Value) to Value's reflected operators,
    # which refuse arrays, instead of building an object array of Values
    __array_ufunc__ = None

    def __init__(self, data: Number, requires_grad: bool = True) -> None:
        if isinstance(data, Value):
            raise TypeError("Value(): data is already a Value; use it directly or call .detach()")
        try:
            if isinstance(data, (str, bytes)):  # float() would parse "1.5": refuse text
                raise TypeError
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(
                f"Value(): data must be a real number, got {type(data).__name__} ({data!r})"
            ) from None
        self.grad = 0.0
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self._rule = None
        self._ctx = None

    # hooks for the graph core
    def _seed_grad(self) -> float:
        return 1.0

    def _check_seed(self, seed: Any, where: str) -> Any:
        if isinstance(seed, Value):
            return seed
        if isinstance(seed, (str, bytes)) or not isinstance(seed, numbers.Real):
            raise TypeError(
                f"{where} must be a number (or a Value) for a Value output, got a "
                f"{type(seed).__name__} ({seed!r:.40})"
            )
        return float(seed)

    @classmethod
    def _wrap_grad(cls, raw: Any) -> Value:
        return cls(raw, requires_grad=False)

    def _describe(self) -> str:
        return f"Value({self.data})"

    @staticmethod
    def _non_finite(raw: Any) -> str | None:
        if raw != raw:
            return "nan"
        return "inf" if raw in (_INF, -_INF) else None

    # micrograd's attribute names, for code written against it (its draw_dot, for one)
    @property
    def _prev(self) -> set[Node]:
        return set(self._parents)

    @property
    def _op(self) -> str:
        return getattr(self._rule, "op_name", "") if self._rule is not None else ""

    def __reduce__(self) -> tuple[Any, ...]:
        # copy/deepcopy/pickle keep the number, its gradient and its flag, never the graph:
        # a copy is a leaf (so a million-node chain copies in constant time and depth)
        return (_rebuild_value, (self.data, self.grad, self.requires_grad))

    def detach(self) -> Value:
        """The same number as a constant: no graph, no gradient."""
        return Value(self.data, requires_grad=False)

    def item(self) -> float:
        return self.data

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    def __float__(self) -> float:
        return self.data

    # comparisons compare the numbers and return plain bools; == stays identity so that
    # Values can live in sets and dicts (as in micrograd)
    def __lt__(self, other: Any) -> bool:
        o = _compared(other)
        return NotImplemented if o is NotImplemented else self.data < o

    def __le__(self, other: Any) -> bool:
        o = _compared(other)
        return NotImplemented if o is NotImplemented else self.data <= o

    def __gt__(self, other: Any) -> bool:
        o = _compared(other)
        return NotImplemented if o is NotImplemented else self.data > o

    def __ge__(self, other: Any) -> bool:
        o = _compared(other)
        return NotImplemented if o is NotImplemented else self.data >= o

    __hash__ = Node.__hash__

    # arithmetic -------------------------------------------------------------------------
    def __add__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _make(self.data + other.data, (self, other), _add_rule)
        c = _const(other)
        return _make(self.data + c, (self,), _add_const_rule, c)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _make(self.data - other.data, (self, other), _sub_rule)
        c = _const(other)
        return _make(self.data - c, (self,), _add_const_rule, -c)

    def __rsub__(self, other: Number) -> Value:
        c = _const(other)
        return _make(c - self.data, (self,), _rsub_const_rule, c)

    def __mul__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _make(self.data * other.data, (self, other), _mul_rule)
        c = _const(other)
        return _make(self.data * c, (self,), _mul_const_rule, c)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _make(_ieee_div(self.data, other.data), (self, other), _div_rule)
        c = _const(other)
        return _make(_ieee_div(self.data, c), (self,), _mul_const_rule, _ieee_div(1.0, c))

    def __rtruediv__(self, other: Number) -> Value:
        c = _const(other)
        return _make(_ieee_div(c, self.data), (self,), _rdiv_const_rule, c)

    def __neg__(self) -> Value:
        return _make(-self.data, (self,), _neg_rule)

    def __pos__(self) -> Value:
        return self

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _make(_ieee_pow(self.data, other.data), (self, other), _pow_rule)
        c = _const(other)
        return _make(_ieee_pow(self.data, c), (self,), _pow_const_rule, c)

    def __rpow__(self, other: Number) -> Value:
        c = _const(other)
        return _make(_ieee_pow(c, self.data), (self,), _rpow_const_rule, c)

    # elementary functions ----------------------------------------------------------------
    def exp(self) -> Value:
        return _make(_ieee_exp(self.data), (self,), _exp_rule)

    def log(self) -> Value:
        return _make(_ieee_log(self.data), (self,), _log_rule)

    def tanh(self) -> Value:
        return _make(math.tanh(self.data), (self,), _tanh_rule)

    def sigmoid(self) -> Value:
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _make(s, (self,), _sigmoid_rule)

    def relu(self) -> Value:
        x = self.data
        return _make(x if x > 0.0 else 0.0, (self,), _relu_rule)

    def abs(self) -> Value:
        return _make(abs(self.data), (self,), _abs_rule)

    __abs__ = abs


def _compared(other: Any) -> Any:
    """The number a Value is compared with; NotImplemented (Python then names both types in
    its error) for anything that is not a number."""
    if isinstance(other, Value):
        return other.data
    return other if isinstance(other, numbers.Real) else NotImplemented


def _rebuild_value(data: float, grad: float, requires_grad: bool) -> Value:
    v = Value(data, requires_grad=requires_grad)
    v.grad = grad
    return v
