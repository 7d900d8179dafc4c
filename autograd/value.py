"""Value: a scalar node on Python floats, micrograd-compatible, fast.

Its ops are declared once, for Value and Tensor together, in ``ops/arithmetic.py`` and
``ops/unary.py``: each method below computes the number on floats and records the op whose
rule gives the input gradients. The graph stays alive after ``backward()`` (micrograd's
behaviour: draw it afterwards).

IEEE semantics throughout (Python's float maths raises instead): ``x / 0`` is ±inf (nan for 0/0),
``log(0)`` is -inf, ``log`` of a negative number is nan, ``exp`` of a large number is inf, and a
negative base to a fractional power is nan.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .graph import Node
from .modes import mode, unusual
from .op import Op
from .ops import trig, unary
from .ops.arithmetic import (
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
from .ops.common import ieee_div, ieee_pow, power_by_number

Number = int | float

_new = object.__new__
_INF = math.inf


def _make(
    data: float,
    parents: tuple[Value, ...],
    op: Any,
    ctx: Any = None,
    needs_grad: bool | None = None,
) -> Value:
    """The result of an op: records the graph only when grad mode is on and a parent needs it
    (``needs_grad``: whether one does, for ops of more than two inputs)."""
    out = _new(Value)
    out.data = data
    out._grad = 0.0
    if needs_grad is None:  # one or two parents: the first and the last are all of them
        needs_grad = parents[0].requires_grad or parents[-1].requires_grad
    if needs_grad and (not unusual.threads or mode.grad_enabled):  # (see modes.unusual)
        out.requires_grad = True
        out._parents = parents
        out.grad_fn = op
        out._ctx = ctx
        if unusual.threads and mode.anomaly:
            from .anomaly import on_forward

            on_forward(out)
    else:
        out.requires_grad = False
        out._parents = ()
        out.grad_fn = None
        out._ctx = None
    return out


make = _make  # swapped for _reporting_make while autograd.compile records a call


# --- hooks for autograd.compile ---------------------------------------------------------------
# While compile records a call, ``_observer`` is its recorder and ``make`` (which every Value op
# and value_sum/value_dot call through this module) reports each result to it. Outside a
# recording ``make`` is the plain function, and ``_observer`` is read only off the arithmetic hot
# path: in Value(), the comparisons, float() and item(). The recorder itself ignores calls from
# threads other than the one it records.
_observer: Any = None


def start_recording(observer: Any) -> None:
    """Report to ``observer`` until stop_recording(): ``op(out, parents, op, ctx)`` for every
    result of a Value op (constants too, with the parents they were computed from),
    ``made(value, source)`` for every ``Value(...)`` (``source``: the Value it was made from,
    when ``is_number(source)`` accepted it), ``compared(a, symbol, b, result)`` for every
    comparison and ``converted(value, number)`` for every float() or item()."""
    global _observer, make
    _observer = observer
    make = _reporting_make


def stop_recording() -> None:
    global _observer, make
    _observer = None
    make = _make


def _reporting_make(
    data: float,
    parents: tuple[Value, ...],
    op: Any,
    ctx: Any = None,
    needs_grad: bool | None = None,
) -> Value:
    out = _make(data, parents, op, ctx, needs_grad)
    observer = _observer
    if observer is not None:
        observer.op(out, parents, op, ctx)
    return out


def _detach_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (None,)  # never called: a detached Value does not require grad


# detach() is an op only so that a recording sees where its number comes from
DETACH = Op("detach", _detach_rule, label="detach", register=False)


def _const(x: Any) -> float:
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        return _as_float(x, "Value")
    raise TypeError(f"Value: cannot combine a Value with a {type(x).__name__} ({x!r:.40})")


def _as_float(x: Any, who: str) -> float:
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(f"{who}(): {x!r:.40} is too large for a float") from None


class Value(Node):
    """A scalar that records the operations applied to it.

    >>> a = Value(2.0); b = a * a * 3; b.backward(); a.grad
    12.0
    """

    __slots__ = ()
    _empty_grad = 0.0
    _keeps_graph = True
    _epoch = _INF  # immutable: never changed in place, so never checked
    _version = None
    # make NumPy hand mixed expressions (ndarray + Value) to Value's reflected operators,
    # which refuse arrays, instead of building an object array of Values
    __array_ufunc__ = None

    def __init__(self, data: Number, requires_grad: bool = True) -> None:
        source = None
        if isinstance(data, Value):
            if _observer is None or not _observer.is_number(data):
                raise TypeError(
                    "Value(): data is already a Value; use it directly or call .detach()"
                )
            # a number argument of a compiled step being recorded (it reaches the function as a
            # Value): Value(x) of it is a new leaf with its number, as Value() of a number is
            source, data = data, data.data
        try:
            if isinstance(data, (str, bytes, complex)):  # float() would parse "1.5": refuse text
                raise TypeError
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(
                f"Value(): data must be a real number, got {type(data).__name__} ({data!r:.40})"
            ) from None
        except OverflowError:
            raise OverflowError(f"Value(): {data!r:.40} is too large for a float") from None
        self._grad = 0.0
        self.requires_grad = bool(requires_grad)
        self._parents = ()
        self.grad_fn = None
        self._ctx = None
        if _observer is not None:
            _observer.made(self, source)

    @property
    def grad(self) -> Any:
        """d(output)/d(self) after backward(); a float (a Value under create_graph=True)."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if isinstance(value, (float, Value)):
            self._grad = value
            return
        try:
            if isinstance(value, (str, bytes)):  # float() would parse "1.5"
                raise TypeError
            self._grad = _as_float(value, "grad")
        except (TypeError, ValueError):
            raise TypeError(
                "Value.grad must be a number (or a Value), got a "
                f"{type(value).__name__} ({value!r:.40})"
            ) from None

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
        return "nan" if raw != raw else None

    def _unary(self, op: Any) -> Value:
        return make(op.on_float(self.data), (self,), op)

    # micrograd's attribute names, for code written against it (its draw_dot, for one)
    @property
    def _prev(self) -> set[Node]:
        return set(self._parents)

    @property
    def _op(self) -> str:
        return self.grad_fn.name if self.grad_fn is not None else ""

    def __reduce__(self) -> tuple[Any, ...]:
        # copy/deepcopy/pickle keep the number, its gradient and its flag, never the graph:
        # a copy is a leaf (so a million-node chain copies in constant time and depth)
        grad = self._grad.data if isinstance(self._grad, Value) else self._grad
        return (_rebuild_value, (self.data, grad, self.requires_grad))

    def detach(self) -> Value:
        """The same number as a constant: no graph, no gradient."""
        return make(self.data, (self,), DETACH, None, False)

    def item(self) -> float:
        if _observer is not None:
            _observer.converted(self, self.data)
        return self.data

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self._grad})"

    def __float__(self) -> float:
        if _observer is not None:
            _observer.converted(self, self.data)
        return self.data

    # comparisons compare the numbers and return plain bools; == stays identity so that
    # Values can live in sets and dicts (as in micrograd)
    def __lt__(self, other: Any) -> bool:
        o = _compared(other)
        if o is NotImplemented:
            return NotImplemented
        result = self.data < o
        if _observer is not None:
            _observer.compared(self, "<", other, result)
        return result

    def __le__(self, other: Any) -> bool:
        o = _compared(other)
        if o is NotImplemented:
            return NotImplemented
        result = self.data <= o
        if _observer is not None:
            _observer.compared(self, "<=", other, result)
        return result

    def __gt__(self, other: Any) -> bool:
        o = _compared(other)
        if o is NotImplemented:
            return NotImplemented
        result = self.data > o
        if _observer is not None:
            _observer.compared(self, ">", other, result)
        return result

    def __ge__(self, other: Any) -> bool:
        o = _compared(other)
        if o is NotImplemented:
            return NotImplemented
        result = self.data >= o
        if _observer is not None:
            _observer.compared(self, ">=", other, result)
        return result

    __hash__ = Node.__hash__

    # arithmetic (declared in ops/arithmetic.py) --------------------------------------------
    def __add__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return make(self.data + other.data, (self, other), ADD)
        c = _const(other)
        return make(self.data + c, (self,), ADD_CONST, c)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return make(self.data - other.data, (self, other), SUB)
        c = _const(other)
        return make(self.data - c, (self,), ADD_CONST, -c)

    def __rsub__(self, other: Number) -> Value:
        c = _const(other)
        return make(c - self.data, (self,), RSUB_CONST, c)

    def __mul__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return make(self.data * other.data, (self, other), MUL)
        c = _const(other)
        return make(self.data * c, (self,), MUL_CONST, c)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return make(ieee_div(self.data, other.data), (self, other), DIV)
        c = _const(other)
        return make(ieee_div(self.data, c), (self,), DIV_CONST, c)

    def __rtruediv__(self, other: Number) -> Value:
        c = _const(other)
        return make(ieee_div(1.0, self.data) * c, (self,), RDIV_CONST, c)

    def __neg__(self) -> Value:
        return make(-self.data, (self,), NEG)

    def __pos__(self) -> Value:
        return self

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return make(ieee_pow(self.data, other.data), (self, other), POW, True)
        c = _const(other)
        return make(power_by_number(self.data, c), (self,), POW_CONST, c)

    def __rpow__(self, other: Number) -> Value:
        c = _const(other)
        return make(ieee_pow(c, self.data), (self,), RPOW_CONST, c)

    # elementary functions (declared in ops/unary.py) ------------------------------------------
    def exp(self) -> Value:
        return make(unary.exp.on_float(self.data), (self,), unary.exp)

    def log(self) -> Value:
        return make(unary.log.on_float(self.data), (self,), unary.log)

    def sqrt(self) -> Value:
        return make(unary.sqrt.on_float(self.data), (self,), unary.sqrt)

    def tanh(self) -> Value:
        return make(unary.tanh.on_float(self.data), (self,), unary.tanh)

    def sigmoid(self) -> Value:
        return make(unary.sigmoid.on_float(self.data), (self,), unary.sigmoid)

    def relu(self) -> Value:
        return make(unary.relu.on_float(self.data), (self,), unary.relu)

    def abs(self) -> Value:
        return make(unary.abs.on_float(self.data), (self,), unary.abs)

    __abs__ = abs

    def sin(self) -> Value:
        return make(trig.sin.on_float(self.data), (self,), trig.sin)

    def cos(self) -> Value:
        return make(trig.cos.on_float(self.data), (self,), trig.cos)

    def tan(self) -> Value:
        return make(trig.tan.on_float(self.data), (self,), trig.tan)

    def asin(self) -> Value:
        return make(trig.asin.on_float(self.data), (self,), trig.asin)

    def acos(self) -> Value:
        return make(trig.acos.on_float(self.data), (self,), trig.acos)

    def atan(self) -> Value:
        return make(trig.atan.on_float(self.data), (self,), trig.atan)

    def sinh(self) -> Value:
        return make(trig.sinh.on_float(self.data), (self,), trig.sinh)

    def cosh(self) -> Value:
        return make(trig.cosh.on_float(self.data), (self,), trig.cosh)

    def asinh(self) -> Value:
        return make(trig.asinh.on_float(self.data), (self,), trig.asinh)

    def acosh(self) -> Value:
        return make(trig.acosh.on_float(self.data), (self,), trig.acosh)

    def atanh(self) -> Value:
        return make(trig.atanh.on_float(self.data), (self,), trig.atanh)

    def log2(self) -> Value:
        return make(unary.log2.on_float(self.data), (self,), unary.log2)

    def log10(self) -> Value:
        return make(unary.log10.on_float(self.data), (self,), unary.log10)

    def log1p(self) -> Value:
        return make(unary.log1p.on_float(self.data), (self,), unary.log1p)

    def exp2(self) -> Value:
        return make(unary.exp2.on_float(self.data), (self,), unary.exp2)

    def expm1(self) -> Value:
        return make(unary.expm1.on_float(self.data), (self,), unary.expm1)

    def rsqrt(self) -> Value:
        return make(unary.rsqrt.on_float(self.data), (self,), unary.rsqrt)

    def square(self) -> Value:
        return make(unary.square.on_float(self.data), (self,), unary.square)

    def reciprocal(self) -> Value:
        return make(unary.reciprocal.on_float(self.data), (self,), unary.reciprocal)

    def erf(self) -> Value:
        return make(unary.erf.on_float(self.data), (self,), unary.erf)


def _compared(other: Any) -> Any:
    """The number a Value is compared with; NotImplemented (Python then names both types in
    its error) for anything that is not a number."""
    if isinstance(other, Value):
        return other.data
    return other if isinstance(other, numbers.Real) else NotImplemented


def _rebuild_value(data: float, grad: float, requires_grad: bool) -> Value:
    v = Value(data, requires_grad=requires_grad)
    v._grad = grad
    return v
