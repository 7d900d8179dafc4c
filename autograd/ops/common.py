"""What the ops share: maths that works on floats, arrays and nodes alike (for backward rules),
IEEE arithmetic on Python floats, undoing broadcasts, and checking the user's arguments.

Rules run on raw data in the fast path and on nodes under ``create_graph=True``; the helpers
here take either. ``select`` is how a rule masks a gradient: it picks, never multiplies by 0, so
an inf or NaN arriving where the mask is off cannot leak through as ``0 * inf = nan``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from .. import dtypes
from ..graph import Node
from ..modes import mode

_INF = math.inf
_NAN = math.nan


# --- IEEE arithmetic on Python floats (Python raises where IEEE and NumPy give inf or nan) ---


def ieee_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return _NAN
        return math.copysign(_INF, a) * math.copysign(1.0, b)


def ieee_pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)  # C's pow, as a ** b, but never complex
    except (ValueError, OverflowError):  # a domain error or an overflow: IEEE says nan or inf
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(a), np.float64(b)))


def ieee_exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return _INF


def ieee_log(a: float) -> float:
    if a > 0.0:
        return math.log(a)
    if a == 0.0:
        return -_INF
    return _NAN  # negative or nan


def ieee_sqrt(a: float) -> float:
    return math.sqrt(a) if a >= 0.0 else _NAN


def float_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def array_sigmoid(d: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(d))  # exp of a non-positive number only: no overflow for large |x|
    return np.where(d >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(d.dtype, copy=False)


# --- maths for rules: floats, arrays and nodes -----------------------------------------------


def power_by_number(x: Any, c: float) -> Any:
    """``x ** c`` for a number ``c``, with PyTorch's special cases for the common exponents (a
    product, a square root or a reciprocal: exact, and with their signed zeros and infinities).
    A node gets one ``**`` op (whose own derivative is then PyTorch's too)."""
    if isinstance(x, Node):
        return cast(Any, x) ** c
    if c == 2.0:
        return x * x
    if c == 0.5:
        return sqrt(x)
    if c == 3.0:
        return x * x * x
    if c == -0.5:
        return div(1.0, sqrt(x))
    if c == -1.0:
        return div(1.0, x)
    if c == -2.0:
        return div(1.0, x * x)
    return power(x, c)


def sqrt(x: Any) -> Any:
    if isinstance(x, Node):
        return cast(Any, x).sqrt()
    if isinstance(x, float):
        return ieee_sqrt(x)
    return np.sqrt(x)


def raw(x: Any) -> Any:
    """The data of a node, or ``x`` itself."""
    return x.data if isinstance(x, Node) else x


def div(a: Any, b: Any) -> Any:
    try:
        return a / b
    except ZeroDivisionError:
        return ieee_div(a, b)


def power(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float:
        return ieee_pow(a, b)
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return array_pow(a, b)
    return a**b


def array_pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a ** b`` elementwise as C's pow (PyTorch's tensor ** tensor, Python's math.pow): NumPy
    gives NaN for -inf to a power that is not an integer, C gives +inf (b > 0) or +0 (b < 0)."""
    out = np.power(a, b)
    if out.dtype.kind == "f" and np.isneginf(a).any():
        with np.errstate(invalid="ignore"):
            fix = np.isneginf(a) & np.isfinite(b) & (np.floor(b) != b)
        if fix.any():
            out = np.where(fix, np.where(b > 0, np.inf, 0.0), out).astype(out.dtype)
    return out  # type: ignore[no-any-return]


def log(x: Any) -> Any:
    if isinstance(x, Node):
        return cast(Any, x).log()
    if isinstance(x, float):
        return ieee_log(x)
    return np.log(x)


def exp(x: Any) -> Any:
    if isinstance(x, Node):
        return cast(Any, x).exp()
    if isinstance(x, float):
        return ieee_exp(x)
    return np.exp(x)


def sign(x: Any) -> Any:
    """-1, 0 or 1 (0 for NaN, as PyTorch's sign), as raw data: never differentiated."""
    x = raw(x)
    if isinstance(x, float):
        return float((x > 0.0) - (x < 0.0))
    s = np.sign(x)
    return np.where(s == s, s, 0) if s.dtype.kind == "f" else s


def select(condition: Any, a: Any, b: Any) -> Any:
    """``a`` where ``condition`` holds, else ``b``: floats, arrays or nodes (the condition is
    raw data: a bool, or a bool array or Tensor)."""
    if type(condition) is bool:  # a Value's rule: Python floats, or Values
        return a if condition else b
    if isinstance(a, Node) or isinstance(b, Node):
        from .selection import where

        return where(condition, a, b)
    c = raw(condition)
    if type(c) is np.ndarray and c.dtype == np.bool_ and c.size > 1024:  # (small: one np.where)
        if type(b) is float and b == 0.0 and _same_array(a, c):
            return keep_where(a, c)
        if type(a) is float and a == 0.0 and _same_array(b, c):
            return keep_where(b, c, invert=True)
    return np.where(c, a, b)


_INTS = {2: np.int16, 4: np.int32, 8: np.int64}


def _same_array(x: Any, c: np.ndarray) -> bool:
    return (
        type(x) is np.ndarray
        and x.dtype.kind == "f"
        and x.dtype.itemsize in _INTS
        and x.shape == c.shape
    )


def keep_where(
    g: np.ndarray, mask: np.ndarray, invert: bool = False, out: Any = None
) -> np.ndarray:
    """``g`` where ``mask`` holds (where it does not, with ``invert``), +0.0 elsewhere: exactly
    ``np.where(mask, g, 0.0)``, inf and NaN included, but branch-free (an AND of the bits with
    all-ones or zero). np.where branches per element, and on a random mask (relu's, a max
    pool's) runs about ten times slower. ``out``: an array (or strided view) to write into."""
    ints = _INTS[g.dtype.itemsize]
    bits = mask.astype(ints)  # 0 or 1
    if invert:
        bits -= 1  # 1 -> 0, 0 -> all ones
    else:
        np.negative(bits, out=bits)  # 1 -> all ones
    if out is None:
        bits &= g.view(ints)
        return bits.view(g.dtype)
    np.bitwise_and(g.view(ints), bits, out=out.view(ints))
    return out  # type: ignore[no-any-return]


# --- undoing broadcasts ------------------------------------------------------------------------


def unbroadcast(g: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """Sum a gradient of a broadcast result back to the ``shape`` (and ``dtype``) of an input."""
    gshape = np.shape(raw(g))
    if gshape != shape:
        lead = len(gshape) - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1
        )
        if axes:
            g = g.sum(axis=axes)
        if np.shape(raw(g)) != shape:
            g = g.reshape(shape)
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g


def in_dtype(g: Any, dtype: Any) -> Any:
    """``g`` in its input's dtype: an op over mixed dtypes must not change a gradient's dtype."""
    return g if g.dtype == dtype else g.astype(dtype)


# --- the user's arguments --------------------------------------------------------------------


def shape_str(*shapes: tuple[int, ...]) -> str:
    return " and ".join(str(tuple(s)) for s in shapes)


def flag(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}(): {name} must be True or False, got {value!r}")
    return bool(value)


def is_int(x: Any) -> bool:
    """An integer that is not a bool (True is an int to Python, never a size or a dim here)."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def product_dtype(op: str, *arrays: Any) -> Any:
    """The dtype a product (matmul, linear, einsum, addmm) computes in. Its operands must have
    one dtype, as in PyTorch: a float32 model fed float64 data is an error rather than a silent
    copy (under gradcheck, whose float64 copies meet float32 weights, they promote)."""
    first = arrays[0].dtype
    for other in arrays[1:]:
        if other.dtype != first:
            if mode.promote_products:
                return dtypes.result_type(*arrays)
            raise TypeError(
                f"{op}: the operands must have the same dtype, got {first} and {other.dtype} "
                "(as in PyTorch; convert one first, e.g. x.to(w.dtype), x.float() or x.double())"
            )
    return first


def is_real(x: Any) -> bool:
    """A real number that is not a bool (a tolerance of True is a mistake, not 1.0)."""
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(
        x, (bool, np.bool_)
    )


def integers(op: str, values: Sequence[Any], what: str = "size") -> tuple[int, ...]:
    """Sizes or dims given by the user: integers only (int() would truncate 2.5 to 2)."""
    for v in values:
        if not is_int(v):
            raise TypeError(f"{op}(): {what} {v!r} is not an integer (in {tuple(values)!r})")
    return tuple(int(v) for v in values)


def dims(op: str, dim: Any, ndim: int) -> tuple[int, ...]:
    """Dims to reduce over, normalised (negative dims count from the end). None: all of them.
    A 0-d tensor takes dim 0 or -1, as in PyTorch."""
    if dim is None:
        return tuple(range(ndim))
    given = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    span = max(ndim, 1)
    out = []
    for d in given:
        if not is_int(d):
            raise TypeError(f"{op}(): dim {d!r} is not an integer")
        if not -span <= d < span:
            raise IndexError(
                f"{op}(): dim {d} is out of range for a tensor with {ndim} dims "
                f"(expected a dim in [{-span}, {span - 1}])"
            )
        out.append(int(d) % span)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}(): dim {dim!r} repeats a dim")
    return tuple(d for d in out if d < ndim)


def one_dim(op: str, dim: Any, ndim: int) -> int:
    """Exactly one dim (softmax and friends), normalised; 0 for a 0-d tensor."""
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}(): dim must be one integer, got {dim!r}")
    found = dims(op, dim, ndim)
    return found[0] if found else 0


def dim_alias(op: str, dim: Any, axis: Any, default: Any = None) -> Any:
    """PyTorch's ``dim=`` and NumPy's ``axis=`` name the same argument: take either."""
    if axis is not None and dim is not None and axis is not _UNSET:
        raise TypeError(f"{op}(): pass dim or axis, not both")
    if dim is not None:
        return dim
    return default if axis is None or axis is _UNSET else axis


def keepdim_alias(op: str, keepdim: Any, keepdims: Any) -> bool:
    value = keepdim if keepdims is None else keepdims
    return flag(op, "keepdim", value)


_UNSET = object()


def keep_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced ``axes`` kept as size 1."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


# --- rules written once with Tensor ops -----------------------------------------------------------


def on_tensors(rule: Any) -> Any:
    """Run a rule written with Tensor ops on raw arrays too: in the fast path its arguments are
    wrapped as constant Tensors (nothing is recorded) and the results unwrapped; under
    ``create_graph`` it runs on the nodes, so second derivatives follow. For rules too intricate
    to write twice (prod, cumprod, norm); the wrapping costs a few microseconds per call."""

    def run(ctx: Any, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
        if isinstance(g, Node):
            return rule(ctx, g, out, *inputs)  # type: ignore[no-any-return]
        from ..tensor import make_const

        wrapped = [make_const(np.asarray(a)) for a in (g, out, *inputs)]
        grads = rule(ctx, *wrapped)
        return tuple(None if r is None else r.data for r in grads)

    run.__name__ = run.__qualname__ = getattr(rule, "__name__", "rule")
    run.__doc__ = rule.__doc__
    return run
