"""Ops that choose between values elementwise: where, maximum, minimum, clamp, masked_fill.

Their rules select the gradient (never multiply it by a 0/1 mask), so an inf or NaN gradient
arriving at an element that was not chosen gives 0 there, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..op import Arg, Op, check, distinct, mask, real
from ..tensor import Tensor, as_tensor, make, number_kind
from .arithmetic import BROADCASTING, binary, broadcasting, promoted
from .common import raw, select, shape_str, unbroadcast


def _where_rule(ctx: np.ndarray, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return select(ctx, g, 0.0), select(ctx, 0.0, g)


WHERE = Op(
    "where",
    _where_rule,
    elementwise=True,
    factors=("1[cond]", "1[not cond]"),
    checks=[
        check(lambda t, c, x, y: t.where(c, x, y), mask(3, 4), real(3, 4), real(3, 4)),
        check(lambda t, c, x, y: t.where(c, x, y), mask(3, 1), real(4), real(3, 4)),
        check(lambda t, c, x: t.where(c, x, 0.0), mask(5), real(5)),
    ],
)
_WHERE_B = broadcasting(WHERE)


def _condition(op: str, condition: Any) -> np.ndarray:
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"{op}(): condition must be a bool tensor, got dtype {cond.dtype}")
    return cond  # type: ignore[no-any-return]


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """Elementwise ``input`` where ``condition`` holds, else ``other`` (condition: a bool Tensor
    or array). With the condition alone: the indices where it holds, as
    ``nonzero(as_tuple=True)``."""
    if input is None and other is None:
        from .indexing import nonzero as _nonzero

        return _nonzero(condition, as_tuple=True)
    cond = _condition("where", condition)
    x, y = as_tensor(input, "where"), as_tensor(other, "where")
    try:
        shape = np.broadcast_shapes(cond.shape, x.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"where(): condition, input and other have shapes "
            f"{shape_str(cond.shape, x.shape, y.shape)}, which cannot be broadcast together"
        ) from None
    xd, yd = promoted("where", x, y)
    data = np.where(cond, xd, yd)
    if x.shape == y.shape == shape and x.dtype == y.dtype:
        return make(data, (x, y), WHERE, cond)
    return make(data, (x, y), _WHERE_B, np.broadcast_to(cond, shape))


def _maximum_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    xd, yd = raw(x), raw(y)
    shared = select(xd == yd, g * 0.5, g)  # ties split the gradient evenly, as PyTorch does
    return select(xd < yd, 0.0, shared), select(xd > yd, 0.0, shared)


MAXIMUM = Op(
    "maximum",
    _maximum_rule,
    saves="x y",
    elementwise=True,
    factors=("1[x ≥ y]", "1[y ≥ x]"),
    checks=[
        check(lambda t, x, y: t.maximum(x, y), distinct(3, 4), distinct(3, 4)),
        check(lambda t, x, y: t.maximum(x, y), distinct(3, 4), distinct(4)),
    ],
)


def _minimum_rule(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    xd, yd = raw(x), raw(y)
    shared = select(xd == yd, g * 0.5, g)
    return select(xd > yd, 0.0, shared), select(xd < yd, 0.0, shared)


MINIMUM = Op(
    "minimum",
    _minimum_rule,
    saves="x y",
    elementwise=True,
    factors=("1[x ≤ y]", "1[y ≤ x]"),
    checks=[check(lambda t, x, y: t.minimum(x, y), distinct(3, 4), distinct(1, 4))],
)
BROADCASTING[MAXIMUM] = broadcasting(MAXIMUM)
BROADCASTING[MINIMUM] = broadcasting(MINIMUM)


def maximum(input: Any, other: Any) -> Tensor:
    """The elementwise larger of two tensors; NaN if either is NaN."""
    return binary(MAXIMUM, np.maximum, input, other, "maximum")


def minimum(input: Any, other: Any) -> Tensor:
    """The elementwise smaller of two tensors; NaN if either is NaN."""
    return binary(MINIMUM, np.minimum, input, other, "minimum")


def _clamp_rule(ctx: Any, g: Any, out: Any, x: Any, *bounds: Any) -> tuple[Any, ...]:
    low, high, low_is_input, high_is_input = ctx
    xd = raw(x)
    rest = list(bounds)
    lo = raw(rest.pop(0)) if low_is_input else low
    hi = raw(rest.pop(0)) if high_is_input else high
    inside = np.ones(np.shape(xd), dtype=bool)
    if lo is not None:
        inside &= xd >= lo
    if hi is not None:
        inside &= xd <= hi
    grads = [select(inside, g, 0.0)]
    shape, dtype = np.shape(xd), xd.dtype
    if low_is_input:
        below = (xd < lo) & (True if hi is None else lo <= hi)
        grads.append(unbroadcast(select(below, g, 0.0), np.shape(raw(bounds[0])), dtype))
    if high_is_input:
        above = xd > hi if lo is None else (xd > hi) | (lo > hi)
        grads.append(unbroadcast(select(above, g, 0.0), np.shape(raw(bounds[-1])), dtype))
    grads[0] = unbroadcast(grads[0], shape, dtype)
    return tuple(grads)


def _clamp_label(ctx: Any) -> str:
    low, high, low_in, high_in = ctx
    parts = []
    if low is not None or low_in:
        parts.append(f"min={'input' if low_in else f'{low:.4g}'}")
    if high is not None or high_in:
        parts.append(f"max={'input' if high_in else f'{high:.4g}'}")
    return f"clamp({', '.join(parts)})"


CLAMP = Op(
    "clamp",
    _clamp_rule,
    saves="all",
    elementwise=True,
    factors=("1[min ≤ x ≤ max]", "1[x < min]", "1[x > max]"),
    label=_clamp_label,
    checks=[
        check(lambda t, x: x.clamp(-0.5, 0.7), Arg((3, 4), avoid=(-0.5, 0.7))),
        check(lambda t, x: x.clamp(min=0.3), Arg((3, 4), avoid=(0.3,))),
        check(lambda t, x: t.clamp(x, max=0.3), Arg((5,), avoid=(0.3,))),
        check(lambda t, x, lo: t.clamp(x, min=lo), distinct(3, 4), distinct(4)),
        check(lambda t, x: t.clamp_min(x, 0.3), Arg((3, 4), avoid=(0.3,))),
        check(lambda t, x, hi: x.clamp_max(hi), distinct(3, 4), distinct(3, 1)),
    ],
)


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - torch's names
    """Each element limited to [min, max] (either may be None; numbers or tensors)."""
    x = as_tensor(input, "clamp")
    if min is None and max is None:
        raise ValueError("clamp(): at least one of min and max must be given")
    parents = [x]
    scalars: list[Any] = []
    data = x.data
    for bound, fn in ((min, np.maximum), (max, np.minimum)):
        if bound is None:
            scalars.append(None)
        elif isinstance(bound, Tensor):
            parents.append(bound)
            scalars.append(None)
            data = fn(data, bound.data)
        elif number_kind(bound) >= 0:
            scalars.append(bound)
            if number_kind(bound) > dtypes.category(data.dtype):
                data = data.astype(dtypes.get_default_dtype())
            data = fn(data, bound)
        else:
            raise TypeError(f"clamp(): min and max must be numbers or tensors, got {bound!r:.40}")
    ctx = (scalars[0], scalars[1], isinstance(min, Tensor), isinstance(max, Tensor))
    return make(np.asarray(data), tuple(parents), CLAMP, ctx)


clip = clamp


def _masked_fill_rule(ctx: np.ndarray, g: Any, out: Any, x: Any, *value: Any) -> tuple[Any, ...]:
    gx = select(ctx, 0.0, g)
    if not value:
        return (gx,)
    return gx, select(ctx, g, 0.0).sum().reshape(np.shape(raw(value[0])))


MASKED_FILL = Op(
    "masked_fill",
    _masked_fill_rule,
    elementwise=True,
    factors=("1[not mask]", "Σ g over the mask"),
    checks=[
        check(lambda t, x, m: x.masked_fill(m, 0.5), real(3, 4), mask(3, 4)),
        check(lambda t, x, m, v: x.masked_fill(m, v), real(3, 4), mask(4), real()),
    ],
)


def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:
    """``input`` with ``value`` where the bool ``mask`` holds (the mask broadcasts)."""
    x = as_tensor(input, "masked_fill")
    m = _condition("masked_fill", mask)
    try:
        m = np.broadcast_to(m, x.shape)
    except ValueError:
        raise ValueError(
            f"masked_fill(): the mask of shape {m.shape} does not broadcast to the input's "
            f"shape {x.shape}"
        ) from None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ValueError(
                f"masked_fill(): value must be a number or a 0-d tensor, got shape {value.shape}"
            )
        return make(np.where(m, value.data.astype(x.dtype), x.data), (x, value), MASKED_FILL, m)
    if number_kind(value) < 0:
        raise TypeError(f"masked_fill(): value must be a number or a 0-d tensor, got {value!r:.40}")
    data = np.where(m, np.asarray(value).astype(x.dtype), x.data)
    return make(data, (x,), MASKED_FILL, m)


# --- lerp and nan_to_num ---------------------------------------------------------------------


def _lerp_rule(ctx: Any, g: Any, out: Any, start: Any, end: Any, *weight: Any) -> tuple[Any, ...]:
    w = weight[0] if weight else ctx
    gs, ge = g * (1.0 - w), g * w
    shapes = (np.shape(raw(start)), np.shape(raw(end)))
    dtype = raw(start).dtype
    grads = [unbroadcast(gs, shapes[0], dtype), unbroadcast(ge, shapes[1], dtype)]
    if weight:
        grads.append(unbroadcast(g * (end - start), np.shape(raw(w)), raw(w).dtype))
    return tuple(grads)


LERP = Op(
    "lerp",
    _lerp_rule,
    saves="all",
    elementwise=True,
    factors=("1 - w", "w", "end - start"),
    label=lambda ctx: "lerp" if ctx is None else f"lerp(weight={ctx:.4g})",
    checks=[
        check(lambda t, a, b: t.lerp(a, b, 0.3), real(3, 4), real(3, 4)),
        check(lambda t, a, b: a.lerp(b, 0.8), real(3, 4), real(4)),
        check(
            lambda t, a, b, w: t.lerp(a, b, w),
            real(3, 4),
            real(3, 4),
            real(3, 4, low=0.0, high=1.0),
        ),
        check(lambda t, a, b, w: a.lerp(b, w), real(2, 1), real(3), real(2, 3)),
    ],
)


def lerp(input: Any, end: Any, weight: Any) -> Tensor:
    """``input + weight * (end - input)``; ``weight`` a number or a tensor (all broadcast)."""
    a, b = as_tensor(input, "lerp"), as_tensor(end, "lerp")
    if a.dtype.kind != "f" or b.dtype != a.dtype:
        raise TypeError(
            f"lerp(): input and end must be floating tensors of one dtype, got {a.dtype} and "
            f"{b.dtype}"
        )
    parents: tuple[Tensor, ...] = (a, b)
    if isinstance(weight, Tensor):
        w: Any = weight.data if weight.dtype == a.dtype else weight.data.astype(a.dtype)
        if weight.dtype.kind != "f":
            raise TypeError(
                f"lerp(): weight must be a number or a floating tensor, got dtype {weight.dtype}"
            )
        parents = (a, b, weight)
        ctx = None
    elif number_kind(weight) >= 0:
        w = ctx = float(weight)
    else:
        raise TypeError(f"lerp(): weight must be a number or a tensor, got {weight!r:.40}")
    try:
        diff = b.data - a.data
        # PyTorch's formula: from the nearer end, so that weight 1 gives exactly `end`
        data = np.where(np.abs(w) < 0.5, a.data + w * diff, b.data - diff * (1.0 - w))
    except ValueError:
        shapes = [a.shape, b.shape] + ([weight.shape] if isinstance(weight, Tensor) else [])
        raise ValueError(
            f"lerp(): shapes {shape_str(*shapes)} cannot be broadcast together"
        ) from None
    return make(np.asarray(data, dtype=a.dtype), parents, LERP, ctx)


def _nan_to_num_rule(ctx: np.ndarray, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (select(ctx, g, 0.0),)


NAN_TO_NUM = Op(
    "nan_to_num",
    _nan_to_num_rule,
    elementwise=True,
    factors=("1[x finite]",),
    checks=[
        # the default replacements (the largest floats) overflow finite differences: fd=False
        check(
            lambda t, x, c: t.nan_to_num(x + _infinities(c)),
            real(3, 4),
            real(3, 4, grad=False),
            fd=False,
        ),
        check(
            lambda t, x, c: (x + _infinities(c)).nan_to_num(nan=1.0, posinf=2.0, neginf=-3.0),
            real(3, 4),
            real(3, 4, grad=False),
        ),
        check(lambda t, x: x.nan_to_num(), real(3, 4)),
    ],
)


def _infinities(c: Any) -> Any:
    """For nan_to_num's checks: c where |c| > 1, ±inf where 0.3 < |c| < 1, NaN elsewhere."""
    big = c.abs() > 1.0
    return (c / big) * (c.abs() > 0.3)


def nan_to_num(
    input: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN, inf and -inf replaced by numbers (by default 0 and the dtype's largest and smallest
    finite numbers); the gradient passes where the input was finite."""
    x = as_tensor(input, "nan_to_num")
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None and number_kind(v) < 0:
            raise TypeError(f"nan_to_num(): {name} must be a number, got {v!r:.40}")
    if x.dtype.kind != "f":
        return make(x.data.copy(), (x,), NAN_TO_NUM, np.ones(x.shape, dtype=bool))
    data = np.nan_to_num(x.data, nan=nan, posinf=posinf, neginf=neginf)
    return make(data, (x,), NAN_TO_NUM, np.isfinite(x.data))


def clamp_min(input: Any, min: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """``clamp(input, min=min)``."""
    return clamp(input, min=min)


def clamp_max(input: Any, max: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """``clamp(input, max=max)``."""
    return clamp(input, max=max)
