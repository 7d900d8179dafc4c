"""Reductions beyond the sum: prod, var and std (with ``correction``/``unbiased``), var_mean and
std_mean, and norm (vector p-norms, Frobenius).

Their rules are written with Tensor ops (``on_tensors``), so second derivatives follow, and they
give PyTorch's gradients at the awkward points: prod at zeros (the products of the other
elements, exactly), std and the 2-norm at 0 (zero), the inf-norm at ties (shared evenly).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..op import Arg, Op, check, distinct, mask, nonzero, real
from ..tensor import Tensor, as_tensor, make, make_const
from .common import dim_alias, dims, is_int, is_real, keep_shape, keepdim_alias, on_tensors, one_dim
from .selection import where

# --- prod --------------------------------------------------------------------------------------


def _others(x: Tensor, d: int) -> Tensor:
    """The product of all elements of dim ``d`` but each one itself, from running products
    from both ends (exact where there are zeros, and differentiable again)."""
    from .cumulative import cumprod
    from .indexing import narrow
    from .layout import flip
    from .shape import cat

    n = x.shape[d]
    ones = make_const(np.ones(keep_shape(x.shape, (d,)), dtype=x.dtype))
    left = cumprod(cat([ones, narrow(x, d, 0, n - 1)], d), d)
    right = flip(cumprod(cat([ones, flip(narrow(x, d, 1, n - 1), d)], d), d), d)
    return left * right


@on_tensors
def _prod_rule(ctx: Any, g: Tensor, out: Tensor, x: Tensor) -> tuple[Any]:
    d, keep = ctx
    if x.ndim == 0:
        return (g,)
    g_, out_ = g.reshape(keep), out.reshape(keep)
    if not (x.data == 0).any():
        return (g_ * out_ / x,)
    if d is None:  # over every element: the same along the flattened tensor
        recording = g.requires_grad or x.requires_grad
        if not recording and int((x.data == 0).sum()) > 1:  # two zeros: every gradient is 0
            return (make_const(np.zeros(x.shape, dtype=x.dtype)),)
        # recorded, the exclusive products keep the second derivative (a pair of zeros gives
        # the product of the rest, as PyTorch's double backward does)
        return ((g_.reshape(1) * _others(x.reshape(-1), 0)).reshape(x.shape),)
    return (g_ * _others(x, d),)


PROD = Op(
    "prod",
    _prod_rule,
    saves="x out",
    factors=("g × the product of the others",),
    label=lambda ctx: "prod" if ctx[0] is None else f"prod(dim={ctx[0]})",
    checks=[
        check(lambda t, x: x.prod(), real(3, 4)),
        check(lambda t, x: t.prod(x, 1), real(3, 4)),
        check(lambda t, x: x.prod(0, keepdim=True), real(3, 2)),
        # one zero in a row, two zeros in a row: the gradient and its derivative are exact
        check(lambda t, x, m: x.masked_fill(m, 0.0).prod(1), real(4, 3), mask(4, 3)),
        check(lambda t, x, m: x.masked_fill(m, 0.0).prod(), real(5), mask(5)),
        check(lambda t, x: t.prod(x, 0, dtype=t.float64), real(3)),
    ],
)


def prod(
    input: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = None,
    keepdims: Any = None,
) -> Tensor:
    """The product of all elements, or along ``dim`` (one dim, as in PyTorch)."""
    x = as_tensor(input, "prod")
    dim = dim_alias("prod", dim, axis)
    if dim is not None and not is_int(dim):
        raise TypeError(
            f"prod(): dim must be one integer (or None for all elements), got {dim!r:.40}"
        )
    keep = keepdim_alias("prod", keepdim, keepdims)
    if dtype is not None:
        x = x.to(dtypes.as_dtype(dtype, "prod()"))
    elif x.dtype.kind in "biu":
        x = x.to(dtypes.int64)
    if dim is None:
        d, axes = None, tuple(range(x.ndim))
    else:
        d = one_dim("prod", dim, x.ndim)
        axes = (d,) if x.ndim else ()
    data = np.prod(
        x.data, axis=axes, keepdims=keep, dtype=x.dtype if x.dtype.kind in "biu" else None
    )
    return make(data, (x,), PROD, (d if x.ndim else None, keep_shape(x.shape, axes)))


# --- var and std -------------------------------------------------------------------------------


def _correction(op: str, unbiased: Any, correction: Any) -> float:
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass unbiased or correction, not both")
    if correction is not None:
        if not is_real(correction):
            raise TypeError(f"{op}(): correction must be a number, got {correction!r:.40}")
        return float(correction)
    if unbiased is not None and not isinstance(unbiased, (bool, np.bool_)):
        raise TypeError(f"{op}(): unbiased must be True or False, got {unbiased!r:.40}")
    return 0.0 if unbiased is False else 1.0


def _spread_args(
    op: str,
    input: Any,
    dim: Any,
    unbiased: Any,
    keepdim: Any,
    correction: Any,
    axis: Any,
    keepdims: Any,
) -> tuple[Tensor, tuple[int, ...], bool, float]:  # noqa: E501
    x = as_tensor(input, op)
    if isinstance(dim, (bool, np.bool_)):  # the old overload: var(x, unbiased)
        if unbiased is not None:
            raise TypeError(f"{op}(): dim must be an integer or a tuple of them, got {dim!r}")
        dim, unbiased = None, dim
    if x.dtype.kind != "f":
        raise TypeError(
            f"{op}(): only floating tensors are supported (as in PyTorch), got dtype {x.dtype}"
        )
    axes = dims(op, dim_alias(op, dim, axis), x.ndim)
    return x, axes, keepdim_alias(op, keepdim, keepdims), _correction(op, unbiased, correction)


def _dof(x: Tensor, axes: tuple[int, ...], correction: float) -> tuple[int, float]:
    count = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    return count, max(0.0, count - correction)


def _variance(x: Tensor, axes: tuple[int, ...], keep: bool, correction: float) -> np.ndarray:
    _, dof = _dof(x, axes, correction)
    d = x.data
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        centred = d - np.mean(d, axis=axes, keepdims=True)
        # one correction pass (the corrected two-pass algorithm): constant data, whose rounded
        # mean can miss the value by an ulp, get a variance of exactly 0 rather than 1e-34, and
        # so std's gradient 0 at its kink (PyTorch's is 0 where its std is exactly 0, and of
        # order 0.1 where rounding leaves 3e-17). Skipped where the mean overflowed.
        shift = np.mean(centred, axis=axes, keepdims=True)
        centred -= np.where(np.isfinite(shift), shift, 0.0)
        squares = np.sum(centred * centred, axis=axes, keepdims=keep)
        return np.asarray(squares / dof if dof else squares * math.inf, dtype=d.dtype)  # type: ignore[no-any-return]


def _centred(x: Tensor, axes: tuple[int, ...]) -> Tensor:
    """x minus its mean, corrected as in the forward: exactly 0 for constant data. The
    correction is a constant of the graph: its derivative is 0 in exact arithmetic, so second
    derivatives are those of x - mean(x), NaNs and infinities included."""
    centred = x - x.mean(axes, keepdim=True)
    shift = centred.detach().mean(axes, keepdim=True)
    return centred - where(shift.isfinite(), shift, 0.0)


def _spread_label(name: str) -> Any:
    return lambda ctx: f"{name}(correction={ctx[2]:g})"


@on_tensors
def _var_rule(ctx: Any, g: Tensor, out: Tensor, x: Tensor) -> tuple[Any]:
    axes, keep, correction = ctx
    _, dof = _dof(x, axes, correction)
    scale = 2.0 / dof if dof else math.inf
    return (g.reshape(keep) * scale * _centred(x, axes),)


VAR = Op(
    "var",
    _var_rule,
    saves="x",
    factors=("2 (x - mean) / (n - correction)",),
    label=_spread_label("var"),
    checks=[
        check(lambda t, x: x.var(), real(3, 4)),
        check(lambda t, x: t.var(x, 1), real(3, 4)),
        check(lambda t, x: x.var(0, False, True), real(3, 4)),
        check(lambda t, x: x.var(dim=(0, 2), correction=0, keepdim=True), real(2, 3, 4)),
        check(lambda t, x: x.var(False), real(5)),
        check(lambda t, x: t.var_mean(x, 1)[0], real(3, 4)),
    ],
)


def var(
    input: Any,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
    axis: Any = None,
    keepdims: Any = None,
) -> Tensor:
    """The variance: the sum of squared deviations from the mean over ``n - correction``
    (``correction=1``, Bessel's, by default; ``unbiased=False`` is ``correction=0``)."""
    x, axes, keep, c = _spread_args(
        "var", input, dim, unbiased, keepdim, correction, axis, keepdims
    )
    return make(_variance(x, axes, keep, c), (x,), VAR, (axes, keep_shape(x.shape, axes), c))


@on_tensors
def _std_rule(ctx: Any, g: Tensor, out: Tensor, x: Tensor) -> tuple[Any]:
    axes, keep, correction = ctx
    _, dof = _dof(x, axes, correction)
    scale = 1.0 / dof if dof else math.inf
    out_ = out.reshape(keep)
    # where the std is 0 the gradient is 0, as in PyTorch (not 0/0)
    share = where(out_ == 0, 0.0, g.reshape(keep) / out_)
    return (share * scale * _centred(x, axes),)


STD = Op(
    "std",
    _std_rule,
    saves="x out",
    factors=("(x - mean) / ((n - correction) std)",),
    label=_spread_label("std"),
    checks=[
        check(lambda t, x: x.std(), distinct(3, 4)),
        check(lambda t, x: t.std(x, 0, keepdim=True), distinct(3, 4)),
        check(lambda t, x: x.std(dim=-1, unbiased=False), distinct(2, 5)),
        check(lambda t, x: x.std(1, correction=2), distinct(3, 4)),
        check(lambda t, x: t.std_mean(x, dim=0)[0], distinct(4, 2)),
        check(lambda t, x: (x * 0.0 + 1.0).std(1), real(2, 3), order=1),  # a kink: gradient 0
    ],
)


def std(
    input: Any,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
    axis: Any = None,
    keepdims: Any = None,
) -> Tensor:
    """The standard deviation: the square root of ``var`` (same arguments)."""
    x, axes, keep, c = _spread_args(
        "std", input, dim, unbiased, keepdim, correction, axis, keepdims
    )
    data = np.sqrt(_variance(x, axes, keep, c))
    return make(data, (x,), STD, (axes, keep_shape(x.shape, axes), c))


def var_mean(
    input: Any,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over the same dims."""
    v = var(input, dim, unbiased, keepdim, correction=correction)
    d = None if isinstance(dim, (bool, np.bool_)) else dim
    return v, _mean_of(input, d, keepdim)


def std_mean(
    input: Any,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over the same dims."""
    s = std(input, dim, unbiased, keepdim, correction=correction)
    d = None if isinstance(dim, (bool, np.bool_)) else dim
    return s, _mean_of(input, d, keepdim)


def _mean_of(input: Any, dim: Any, keepdim: bool) -> Tensor:
    from .reductions import mean

    return mean(input, dim, keepdim)


# --- norm --------------------------------------------------------------------------------------


def _sign(x: Tensor) -> Tensor:
    return make_const(np.sign(x.data))


@on_tensors
def _norm_rule(ctx: Any, g: Tensor, out: Tensor, x: Tensor) -> tuple[Any]:
    p, keep, axes = ctx
    g_, n_ = g.reshape(keep), out.reshape(keep)
    if p == 0.0:
        return (x * 0.0,)
    if p == 1.0:
        return (g_ * _sign(x),)
    if p == 2.0:
        return (g_ * where(n_ == 0, 0.0, x / n_),)
    if math.isinf(p):  # shared evenly by the elements at the extreme (and NaNs)
        a = np.abs(x.data)
        hit = (a == n_.data) | np.isnan(a)
        share = make_const(
            (np.sign(x.data) * hit / hit.sum(axis=axes, keepdims=True)).astype(x.dtype)
        )
        return (g_ * share,)
    a = x.abs()
    if p < 1.0:
        scaled = _sign(x) * where(x == 0, 0.0, a ** (p - 1.0))
        return (scaled * g_ * n_ ** (1.0 - p),)
    scale = where(n_ == 0, 0.0, g_ / n_ ** (p - 1.0))
    if p < 2.0:
        return (_sign(x) * a ** (p - 1.0) * scale,)
    return (x * a ** (p - 2.0) * scale,)


NORM = Op(
    "norm",
    _norm_rule,
    saves="x out",
    factors=("g × ∂‖x‖ₚ/∂x",),
    label=lambda ctx: f"norm(p={ctx[0]:g})",
    checks=[
        check(lambda t, x: x.norm(), real(3, 4)),
        check(lambda t, x: t.norm(x, dim=1), real(3, 4)),
        check(lambda t, x: x.norm(1), nonzero(3, 4)),
        check(lambda t, x: x.norm(p=3, dim=0, keepdim=True), nonzero(3, 4)),
        check(lambda t, x: x.norm(1.5, 1), nonzero(2, 5)),
        check(lambda t, x: t.norm(x, 0.5), Arg((6,), low=0.3)),
        # distinct magnitudes (no tie of |x| between x and -x)
        check(lambda t, x: x.norm(float("inf"), dim=1), distinct(3, 4, low=0.2)),
        check(lambda t, x: x.norm(-float("inf")), distinct(5, low=0.2)),
        check(lambda t, x: t.norm(x, "fro", dim=(0, 1)), real(2, 3, 2)),
        check(lambda t, x: x.norm(0), real(4), order=1),
        check(lambda t, x: (x * 0.0).norm(dim=1), real(2, 3), order=1),  # at 0 (a kink): gradient 0
    ],
)


def norm(
    input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The vector p-norm ``(Σ|x|^p)^(1/p)`` over ``dim`` (all elements by default; p may be
    inf, -inf or 0); ``p="fro"`` is the 2-norm."""
    x = as_tensor(input, "norm")
    if p == "nuc":
        raise ValueError(
            "norm(): the nuclear norm (p='nuc') needs an SVD, which dagrad does not have"
        )
    if p == "fro" or p is None:
        p = 2.0
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"norm(): p must be a number, inf, -inf or 'fro', got {p!r:.40}")
    p = float(p)
    if dtype is not None:
        x = x.to(dtypes.as_dtype(dtype, "norm()"))
    if x.dtype.kind != "f":
        raise TypeError(f"norm(): the input must be floating (as in PyTorch), got dtype {x.dtype}")
    axes = dims("norm", dim, x.ndim)
    keep = keepdim_alias("norm", keepdim, None)
    a = np.abs(x.data)
    if math.isinf(p):
        if any(x.shape[k] == 0 for k in axes) or (x.size == 0 and not axes):
            raise ValueError(
                f"norm(): the inf-norm of an empty tensor of shape {x.shape} is undefined"
            )
        data = (np.max if p > 0 else np.min)(a, axis=axes, keepdims=keep)
    elif p == 0.0:
        data = np.sum(a != 0, axis=axes, keepdims=keep).astype(x.dtype)
    elif p == 1.0:
        data = np.sum(a, axis=axes, keepdims=keep)
    elif p == 2.0:
        data = np.sqrt(np.sum(a * a, axis=axes, keepdims=keep))
    else:
        data = np.sum(a**p, axis=axes, keepdims=keep) ** (1.0 / p)
    return make(np.asarray(data, dtype=x.dtype), (x,), NORM, (p, keep_shape(x.shape, axes), axes))
