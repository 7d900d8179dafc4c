"""Ops that rearrange or repeat elements: flip, roll, repeat, tril/triu.

Each result is a new array (as in PyTorch: none of them is a view). Their rules apply the same
kind of op to the gradient (flip back, roll back, add up the repeats, keep the triangle), so
they work on raw data and on nodes, and second derivatives follow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Node
from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make
from .common import dims, integers, is_int, one_dim, raw

# --- flip --------------------------------------------------------------------------------------


def _flip_rule(ctx: tuple[int, ...], g: Any, out: Any, x: Any) -> tuple[Any]:
    return (flip(g, ctx) if isinstance(g, Node) else np.flip(g, ctx),)


FLIP = Op(
    "flip",
    _flip_rule,
    factors=("g flipped back",),
    label=lambda ctx: f"flip(dims={ctx})",
    checks=[
        check(lambda t, x: x.flip(0), real(3, 4)),
        check(lambda t, x: t.flip(x, (0, 2)), real(2, 3, 4)),
        check(lambda t, x: x.fliplr(), real(3, 4)),
        check(lambda t, x: t.flipud(x), real(3, 2)),
    ],
)


def _dim_list(op: str, dims_: Any) -> Any:
    """``f(x, 0, 1)``, ``f(x, (0, 1))`` and ``f(x, [0, 1])`` alike."""
    if len(dims_) == 1 and isinstance(dims_[0], (tuple, list)):
        return tuple(dims_[0])
    return tuple(dims_)


def flip(input: Any, *dims_: Any) -> Tensor:
    """The order of elements reversed along ``dims`` (``flip(x, (0, 1))`` or ``x.flip(0, 1)``)."""
    x = as_tensor(input, "flip")
    given = _dim_list("flip", dims_)
    if not given:
        raise TypeError("flip(): dims is required (the dims to reverse), e.g. x.flip(0)")
    axes = dims("flip", given, x.ndim)
    return make(np.flip(x.data, axes).copy(), (x,), FLIP, axes)


def fliplr(input: Any) -> Tensor:
    """Columns reversed (dim 1); the input needs at least 2 dims."""
    x = as_tensor(input, "fliplr")
    if x.ndim < 2:
        raise ValueError(
            f"fliplr(): the input must have at least 2 dims, got shape {tuple(x.shape)}"
        )
    return flip(x, 1)


def flipud(input: Any) -> Tensor:
    """Rows reversed (dim 0); the input needs at least 1 dim."""
    x = as_tensor(input, "flipud")
    if x.ndim < 1:
        raise ValueError("flipud(): the input must have at least 1 dim, got a 0-d tensor")
    return flip(x, 0)


# --- roll --------------------------------------------------------------------------------------


def _roll_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    shifts, axes = ctx
    back = tuple(-s for s in shifts)
    if isinstance(g, Node):
        return (roll(g, back, axes),)
    return (_rolled(g, back, axes),)


def _rolled(d: Any, shifts: tuple[int, ...], axes: tuple[int, ...] | None) -> np.ndarray:
    if axes is None:  # the flattened tensor rolled, then given its shape back
        return np.roll(d.reshape(-1), shifts[0]).reshape(d.shape)  # type: ignore[no-any-return]
    return np.roll(d, shifts, axes)  # type: ignore[no-any-return]


ROLL = Op(
    "roll",
    _roll_rule,
    factors=("g rolled back",),
    label=lambda ctx: f"roll(shifts={ctx[0]}, dims={ctx[1]})",
    checks=[
        check(lambda t, x: x.roll(1, 0), real(3, 4)),
        check(lambda t, x: t.roll(x, (2, -1), (1, 0)), real(3, 4)),
        check(lambda t, x: t.roll(x, 5), real(3, 4)),
    ],
)


def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor:
    """Elements shifted by ``shifts`` along ``dims``, wrapping around; without ``dims`` the
    flattened tensor is rolled and the shape restored."""
    x = as_tensor(input, "roll")
    shift = integers(
        "roll", tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,), "shift"
    )
    if dims is None:
        if len(shift) != 1:
            raise ValueError(f"roll(): without dims, shifts must be one integer, got {shifts!r}")
        ctx: Any = (shift, None)
    else:
        given = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        axes = tuple(one_dim("roll", d, x.ndim) for d in given)
        if len(axes) != len(shift):
            raise ValueError(
                f"roll(): shifts and dims must have the same length, got {len(shift)} and "
                f"{len(axes)}"
            )
        ctx = (shift, axes)
    return make(_rolled(x.data, *ctx), (x,), ROLL, ctx)


# --- repeat ------------------------------------------------------------------------------------


def _repeat_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    reps, padded, shape = ctx
    # g's dim i is reps[i] copies of the input's dim i: split each into (copies, size), add up
    split = tuple(n for pair in zip(reps, padded) for n in pair)
    summed = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
    return (summed.reshape(shape),)


REPEAT = Op(
    "repeat",
    _repeat_rule,
    factors=("g summed over the copies",),
    label=lambda ctx: f"repeat{ctx[0]}",
    checks=[
        check(lambda t, x: x.repeat(2, 3), real(3, 4)),
        check(lambda t, x: x.repeat(2, 1, 3), real(3, 2)),
        check(lambda t, x: x.repeat((2,)), real(3)),
    ],
)


def repeat(input: Any, *sizes: Any) -> Tensor:
    """The tensor tiled ``sizes[i]`` times along dim i (extra leading sizes add dims), as
    ``x.repeat(2, 3)`` in PyTorch (NumPy's ``tile``)."""
    x = as_tensor(input, "repeat")
    reps = integers(
        "repeat",
        tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes,
    )
    if len(reps) < x.ndim:
        raise ValueError(
            f"repeat(): {len(reps)} repeats for a tensor with {x.ndim} dims; give at least one "
            "per dim"
        )
    if any(r < 0 for r in reps):
        raise ValueError(f"repeat(): repeats must be non-negative, got {reps}")
    padded = (1,) * (len(reps) - x.ndim) + tuple(x.shape)
    return make(np.tile(x.data.reshape(padded), reps), (x,), REPEAT, (reps, padded, x.shape))


# --- tril and triu -----------------------------------------------------------------------------


def _tril_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    lower, k = ctx
    if isinstance(g, Node):
        return ((tril if lower else triu)(g, k),)
    return ((np.tril if lower else np.triu)(g, k),)


TRIL = Op(
    "tril",
    _tril_rule,
    factors=("g's lower triangle",),
    label=lambda ctx: f"tril({ctx[1]})",
    checks=[
        check(lambda t, x: x.tril(), real(4, 4)),
        check(lambda t, x: t.tril(x, -1), real(2, 3, 4)),
    ],
)
TRIU = Op(
    "triu",
    _tril_rule,
    factors=("g's upper triangle",),
    label=lambda ctx: f"triu({ctx[1]})",
    checks=[
        check(lambda t, x: x.triu(1), real(3, 4)),
        check(lambda t, x: t.triu(x, diagonal=-1), real(4, 3)),
    ],
)


def _triangle(lower: bool, input: Any, diagonal: Any) -> Tensor:
    name = "tril" if lower else "triu"
    x = as_tensor(input, name)
    if x.ndim < 2:
        raise ValueError(
            f"{name}(): the input must have at least 2 dims, got shape {tuple(x.shape)}"
        )
    if not is_int(diagonal):
        raise TypeError(f"{name}(): diagonal must be an integer, got {diagonal!r:.40}")
    data = (np.tril if lower else np.triu)(x.data, int(diagonal))
    return make(data, (x,), TRIL if lower else TRIU, (lower, int(diagonal)))


def tril(input: Any, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (on and below ``diagonal``), zeros elsewhere."""
    return _triangle(True, input, diagonal)


def triu(input: Any, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (on and above ``diagonal``), zeros elsewhere."""
    return _triangle(False, input, diagonal)


# --- diagonals ---------------------------------------------------------------------------------


def _diagonal_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """The diagonal ``offset`` of dims ``d1`` and ``d2`` of ``a`` as a view (writable if ``a``
    is), those dims removed and the diagonal as the last dim (PyTorch's layout)."""
    start = [slice(None)] * a.ndim
    if offset >= 0:
        start[d2] = slice(min(offset, a.shape[d2]), None)
    else:
        start[d1] = slice(min(-offset, a.shape[d1]), None)
    part = a[tuple(start)]
    length = min(part.shape[d1], part.shape[d2])
    rest = [k for k in range(a.ndim) if k not in (d1, d2)]
    shape = tuple(part.shape[k] for k in rest) + (length,)
    strides = tuple(part.strides[k] for k in rest) + (part.strides[d1] + part.strides[d2],)
    return np.lib.stride_tricks.as_strided(part, shape, strides, writeable=part.flags.writeable)


def _diagonal_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    offset, d1, d2, shape = ctx
    return (embed_diagonal(g, offset, d1, d2, shape),)


DIAGONAL = Op(
    "diagonal",
    _diagonal_rule,
    factors=("g placed on the diagonal",),
    label=lambda ctx: f"diagonal({ctx[0]})" if ctx[0] else "diagonal",
    checks=[
        check(lambda t, x: x.diagonal(), real(3, 4)),
        check(lambda t, x: t.diagonal(x, 1), real(4, 3)),
        check(lambda t, x: x.diagonal(-1, 0, 2), real(3, 2, 4)),
        check(lambda t, x: t.diagonal(x, offset=2, dim1=-1, dim2=0), real(3, 2, 4)),
        check(lambda t, x: t.diag(x), real(3, 3)),
        check(lambda t, x: x.diag(-1), real(2, 4)),
        check(lambda t, x: t.trace(x), real(3, 4)),
    ],
)


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal ``offset`` (above the main one if positive) of dims ``dim1`` and ``dim2``,
    as a view whose last dim runs along the diagonal."""
    x = as_tensor(input, "diagonal")
    if x.ndim < 2:
        raise ValueError(
            f"diagonal(): the input must have at least 2 dims, got shape {tuple(x.shape)}"
        )
    d1, d2 = one_dim("diagonal", dim1, x.ndim), one_dim("diagonal", dim2, x.ndim)
    if d1 == d2:
        raise ValueError(f"diagonal(): dim1 and dim2 must be different dims, got {dim1} and {dim2}")
    if not is_int(offset):
        raise TypeError(f"diagonal(): offset must be an integer, got {offset!r:.40}")
    data = _diagonal_view(x.data, int(offset), d1, d2)
    return make(data, (x,), DIAGONAL, (int(offset), d1, d2, x.shape), x)


_diagonal_of = diagonal  # diag's argument is named diagonal, as in PyTorch


def _embed_rule(ctx: Any, g: Any, out: Any, diag: Any) -> tuple[Any]:
    offset, d1, d2, _ = ctx
    if isinstance(g, Node):
        return (diagonal(g, offset, d1, d2),)
    return (_diagonal_view(g, offset, d1, d2),)


EMBED = Op(
    "diag_embed",
    _embed_rule,
    factors=("g's diagonal",),
    checks=[check(lambda t, x: t.diag(x), real(3)), check(lambda t, x: x.diag(2), real(2))],
)


def embed_diagonal(g: Any, offset: int, d1: int, d2: int, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``g`` on the diagonal ``offset`` of dims ``d1``, ``d2``."""
    z = np.zeros(shape, dtype=np.asarray(raw(g)).dtype)
    _diagonal_view(z, offset, d1, d2)[...] = raw(g)
    if isinstance(g, Tensor):
        return make(z, (g,), EMBED, (offset, d1, d2, shape))
    return z


def diag(input: Any, diagonal: int = 0) -> Tensor:
    """A 1-d input: the square matrix with it on diagonal ``diagonal``; a 2-d input: that
    diagonal of it (a view)."""
    x = as_tensor(input, "diag")
    if not is_int(diagonal):
        raise TypeError(f"diag(): diagonal must be an integer, got {diagonal!r:.40}")
    k = int(diagonal)
    if x.ndim == 2:
        return _diagonal_of(x, k)
    if x.ndim != 1:
        raise ValueError(f"diag(): the input must be 1-d or 2-d, got shape {tuple(x.shape)}")
    n = x.shape[0] + abs(k)
    return embed_diagonal(x, k, 0, 1, (n, n))


def trace(input: Any) -> Tensor:
    """The sum of a matrix's main diagonal."""
    x = as_tensor(input, "trace")
    if x.ndim != 2:
        raise ValueError(f"trace(): the input must be 2-D, got shape {tuple(x.shape)}")
    return _diagonal_of(x).sum()
