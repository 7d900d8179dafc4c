"""Shape ops: reshape/view, flatten, permute/transpose, squeeze/unsqueeze, expand, cat, stack.

Their rules only move the gradient back into the input's shape. Most results are NumPy views of
their input, so they share its memory and its version (an in-place change of one is a change
of the other), as PyTorch's views do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..graph import Node
from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make
from .common import in_dtype, integers, is_int, one_dim, raw, shape_str, unbroadcast


def _sizes(op: str, sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` (and a torch.Size / list) alike."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    return integers(op, sizes)


def _view_of(x: Tensor, data: np.ndarray) -> Tensor | None:
    return x if data.base is not None and np.shares_memory(data, x.data) else None


def _reshape_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g.reshape(x.shape),)


RESHAPE = Op(
    "reshape",
    _reshape_rule,
    factors=("g reshaped back",),
    checks=[
        check(lambda t, x: x.reshape(4, 3), real(3, 4)),
        check(lambda t, x: x.view(-1), real(2, 3)),
        check(lambda t, x: x.flatten(1), real(2, 3, 2)),
        check(lambda t, x: x.unsqueeze(1).squeeze(), real(3, 1, 2)),
        check(lambda t, x: x.reshape(()), real(1)),
        check(lambda t, x: t.ravel(x.t()), real(2, 3)),
        check(lambda t, x: x.squeeze((0, 1)).unsqueeze(-1), real(1, 1, 3, 2)),
        check(lambda t, x: t.squeeze(x, 2).view(2, -1), real(2, 1, 3, 4)),
        check(lambda t, x: t.flatten(x, 1, 2).unflatten(-1, (2, -1)), real(2, 2, 3)),
    ],
)


def _reshaped(op: str, x: Tensor, shape: tuple[int, ...]) -> Tensor:
    try:
        data = x.data.reshape(shape)
    except ValueError:
        raise RuntimeError(
            f"{op}(): shape {shape} is invalid for a tensor of shape {tuple(x.shape)} "
            f"({x.data.size} elements)"
        ) from None
    return make(data, (x,), RESHAPE, None, _view_of(x, data))


def reshape(input: Any, *shape: Any) -> Tensor:
    x = as_tensor(input, "reshape")
    return _reshaped("reshape", x, _sizes("reshape", shape))


def view(input: Any, *shape: Any) -> Tensor:
    """As reshape (NumPy copies where PyTorch's view would refuse; the values are the same).
    ``view(dtype)`` is not supported."""
    x = as_tensor(input, "view")
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list)) and not is_int(shape[0]):
        raise TypeError(
            f"view(): reinterpreting memory as another dtype ({shape[0]!r}) is not supported"
        )
    return _reshaped("view", x, _sizes("view", shape))


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    x = as_tensor(input, "flatten")
    if x.ndim == 0:
        return _reshaped("flatten", x, (1,))
    start, end = (one_dim("flatten", d, x.ndim) for d in (start_dim, end_dim))
    if start > end:
        raise ValueError(f"flatten(): start_dim {start_dim} comes after end_dim {end_dim}")
    shape = x.shape[:start] + (int(np.prod(x.shape[start : end + 1])),) + x.shape[end + 1 :]
    return _reshaped("flatten", x, shape)


def unflatten(input: Any, dim: int, sizes: Sequence[int]) -> Tensor:
    x = as_tensor(input, "unflatten")
    d = one_dim("unflatten", dim, x.ndim)
    sizes = integers("unflatten", tuple(sizes))
    if -1 in sizes:
        known = int(np.prod([s for s in sizes if s != -1]))
        sizes = tuple(x.shape[d] // known if s == -1 else s for s in sizes)
    if int(np.prod(sizes)) != x.shape[d]:
        raise RuntimeError(
            f"unflatten(): sizes {sizes} do not multiply to dim {d}'s size {x.shape[d]}"
        )
    return _reshaped("unflatten", x, x.shape[:d] + tuple(sizes) + x.shape[d + 1 :])


def squeeze(input: Any, dim: Any = None) -> Tensor:
    x = as_tensor(input, "squeeze")
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        from .common import dims

        chosen = dims("squeeze", dim, x.ndim)
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in chosen and n == 1))
    return _reshaped("squeeze", x, shape)


def unsqueeze(input: Any, dim: int) -> Tensor:
    x = as_tensor(input, "unsqueeze")
    d = one_dim("unsqueeze", dim, x.ndim + 1)
    return _reshaped("unsqueeze", x, x.shape[:d] + (1,) + x.shape[d:])


# --- permutations -------------------------------------------------------------------------------


def permute_any(g: Any, perm: tuple[int, ...]) -> Any:
    """``g`` with its dims permuted: raw data or a recorded op."""
    return permute(g, perm) if isinstance(g, Node) else np.transpose(g, perm)


def _permute_rule(ctx: tuple[int, ...], g: Any, out: Any, x: Any) -> tuple[Any]:
    return (permute_any(g, tuple(np.argsort(ctx))),)


def _permute_label(perm: tuple[int, ...]) -> str:
    moved = [i for i, p in enumerate(perm) if p != i]
    if len(moved) == 2:
        return f"transpose({moved[0]}, {moved[1]})"
    return f"permute{perm}"


PERMUTE = Op(
    "permute",
    _permute_rule,
    factors=("g permuted back",),
    label=_permute_label,
    checks=[
        check(lambda t, x: x.permute(2, 0, 1), real(2, 3, 4)),
        check(lambda t, x: x.transpose(0, 1), real(3, 4)),
        check(lambda t, x: x.T, real(3, 4)),
        check(lambda t, x: x.t(), real(3, 2)),
        check(lambda t, x: t.movedim(x, 0, -1), real(2, 3, 4)),
        check(lambda t, x: x.permute(-1, 0, 1), real(2, 3, 4)),
        check(lambda t, x: t.permute(x, (1, 0)).mT, real(2, 3)),
        check(lambda t, x: x.moveaxis((0, 1), (2, 0)), real(2, 3, 4)),
    ],
)


def permute(input: Any, *dims_: Any) -> Tensor:
    """The dims in the order given (``permute(x, (2, 0, 1))`` or ``x.permute(2, 0, 1)``)."""
    x = as_tensor(input, "permute")
    perm = tuple(d + x.ndim if d < 0 else d for d in _sizes("permute", dims_))
    if sorted(perm) != list(range(x.ndim)):
        raise ValueError(
            f"permute(): dims {tuple(_sizes('permute', dims_))} are not a permutation of the "
            f"{x.ndim} dims of shape {tuple(x.shape)}"
        )
    return make(x.data.transpose(perm), (x,), PERMUTE, perm, x)


def transpose(input: Any, dim0: int, dim1: int) -> Tensor:
    """``input`` with dims ``dim0`` and ``dim1`` swapped (PyTorch's transpose)."""
    x = as_tensor(input, "transpose")
    if x.ndim == 0:
        one_dim("transpose", dim0, 0), one_dim("transpose", dim1, 0)
        return x
    a, b = one_dim("transpose", dim0, x.ndim), one_dim("transpose", dim1, x.ndim)
    perm = list(range(x.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return permute(x, tuple(perm))


swapaxes = swapdims = transpose


def movedim(input: Any, source: Any, destination: Any) -> Tensor:
    """The dims ``source`` moved to positions ``destination`` (one dim or a tuple each); the
    others keep their order."""
    x = as_tensor(input, "movedim")
    src = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    dst = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise ValueError(
            f"movedim(): source {source!r} and destination {destination!r} differ in length"
        )
    src = tuple(one_dim("movedim", d, x.ndim) for d in src)
    dst = tuple(one_dim("movedim", d, x.ndim) for d in dst)
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim(): repeated dims in {source!r} or {destination!r}")
    rest = iter(d for d in range(x.ndim) if d not in src)
    placed = dict(zip(dst, src))
    return permute(x, tuple(placed[i] if i in placed else next(rest) for i in range(x.ndim)))


moveaxis = movedim


def ravel(input: Any) -> Tensor:
    """The elements as a 1-D tensor."""
    return reshape(as_tensor(input, "ravel"), -1)


def t(input: Any) -> Tensor:
    x = as_tensor(input, "t")
    if x.ndim > 2:
        raise ValueError(f"t(): expects a tensor with at most 2 dims, got shape {tuple(x.shape)}")
    return x if x.ndim < 2 else transpose(x, 0, 1)


# --- broadcasting ---------------------------------------------------------------------------------


def _expand_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (unbroadcast(g, x.shape, x.dtype),)


EXPAND = Op(
    "expand",
    _expand_rule,
    factors=("g summed over the expanded dims",),
    checks=[
        check(lambda t, x: x.expand(3, 4), real(1, 4)),
        check(lambda t, x: x.expand(2, -1, 3), real(4, 1)),
        check(lambda t, x: t.broadcast_to(x, (2, 3)), real(3)),
        check(lambda t, x: x.expand_as(t.zeros(2, 3, 4)), real(3, 1)),
    ],
)


def broadcast_to(input: Any, shape: Any) -> Tensor:
    x = as_tensor(input, "broadcast_to")
    shape = _sizes("broadcast_to", (shape,))
    try:
        data = np.broadcast_to(x.data, shape)
    except ValueError:
        raise ValueError(
            f"broadcast_to(): cannot broadcast shape {tuple(x.shape)} to {shape}"
        ) from None
    return make(data, (x,), EXPAND, None, x)


def expand(input: Any, *sizes: Any) -> Tensor:
    """``input`` broadcast to ``sizes`` (-1 keeps a dim's size), as a read-only view."""
    x = as_tensor(input, "expand")
    sizes = _sizes("expand", sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand(): {len(sizes)} sizes for a tensor with {x.ndim} dims")
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return broadcast_to(x, shape)


# --- joining --------------------------------------------------------------------------------------


def _cat_rule(ctx: Any, g: Any, out: Any, *xs: Any) -> tuple[Any, ...]:
    axis, bounds = ctx
    lead = (slice(None),) * axis
    return tuple(in_dtype(g[lead + (slice(a, b),)], x.dtype) for (a, b), x in zip(bounds, xs))


CAT = Op(
    "cat",
    _cat_rule,
    factors=lambda k, ctx: "slice of g",
    label=lambda ctx: f"cat(dim={ctx[0]})",
    checks=[
        check(lambda t, x, y: t.cat([x, y]), real(2, 3), real(4, 3)),
        check(lambda t, x, y, z: t.cat((x, y, z), dim=1), real(2, 1), real(2, 3), real(2, 2)),
    ],
)


def _sequence(op: str, tensors: Any) -> tuple[Tensor, ...]:
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{op}(): expected a list or tuple of tensors, got a {type(tensors).__name__}"
        )
    if not tensors:
        raise ValueError(f"{op}(): needs at least one tensor")
    ts = tuple(as_tensor(t, op) for t in tensors)
    common = dtypes.result_type(*[t.data for t in ts])
    return tuple(t if t.dtype == common else t.to(common) for t in ts)


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: Any = None) -> Tensor:
    """Tensors joined along an existing dim (``torch.cat``; NumPy's name: concatenate)."""
    ts = _sequence("cat", tensors)
    ax = one_dim("cat", dim if axis is None else axis, ts[0].ndim)
    try:
        data = np.concatenate([t.data for t in ts], axis=ax)
    except ValueError:
        raise ValueError(
            f"cat(): shapes {shape_str(*(t.shape for t in ts))} do not match outside dim {ax}"
        ) from None
    bounds, start = [], 0
    for x in ts:
        bounds.append((start, start + x.shape[ax]))
        start += x.shape[ax]
    return make(data, ts, CAT, (ax, tuple(bounds)))


concatenate = concat = cat


def _stack_rule(ctx: int, g: Any, out: Any, *xs: Any) -> tuple[Any, ...]:
    lead = (slice(None),) * ctx
    return tuple(in_dtype(g[lead + (i,)], x.dtype) for i, x in enumerate(xs))


STACK = Op(
    "stack",
    _stack_rule,
    factors=lambda k, ctx: "slice of g",
    label=lambda ctx: f"stack(dim={ctx})",
    checks=[
        check(lambda t, x, y: t.stack([x, y]), real(2, 3), real(2, 3)),
        check(lambda t, x, y: t.stack([x, y], dim=-1), real(3), real(3)),
    ],
)


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: Any = None) -> Tensor:
    """Tensors of one shape joined along a new dim."""
    ts = _sequence("stack", tensors)
    ax = one_dim("stack", dim if axis is None else axis, ts[0].ndim + 1)
    if len({t.shape for t in ts}) != 1:
        raise ValueError(
            f"stack(): all tensors need the same shape, got {shape_str(*(t.shape for t in ts))}"
        )
    return make(np.stack([t.data for t in ts], axis=ax), ts, STACK, ax)


def _raw_shape(x: Any) -> tuple[int, ...]:
    return np.shape(raw(x))
