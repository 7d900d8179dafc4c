"""Indexing: ``x[index]`` and ``x[index] = v``, gather and its scatter, nonzero.

Indexing follows PyTorch where it differs from NumPy: an integer index is applied first, so it
never joins the array indices (``x[1, :, d]`` keeps ``d``'s dim in its place; NumPy would move it
to the front). A gradient is scattered back by selection (never multiplied by a mask), and
repeated indices add up.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Node
from ..op import Op, check, index, mask, real
from ..tensor import Tensor, as_tensor, make, make_const
from .common import is_int, raw, unbroadcast


def _clean(part: Any) -> Any:
    """One part of an index as NumPy takes it; Tensors and lists become arrays."""
    if isinstance(part, Tensor):
        part = part.data
    elif isinstance(part, Node):
        raise TypeError(f"indexing: a {type(part).__name__} cannot be an index")
    elif isinstance(part, list):
        part = np.asarray([_clean(p) for p in part])
        if part.size == 0:
            part = part.astype(np.int64)
    if isinstance(part, np.ndarray):
        if part.dtype.kind not in "biu":
            raise IndexError(
                f"indexing: tensors used as indices must be integer or bool tensors, got dtype "
                f"{part.dtype}"
            )
        return part
    if isinstance(part, (slice, type(None), type(Ellipsis))) or is_int(part):
        return part
    if isinstance(part, (bool, np.bool_)):
        return np.asarray(part)
    raise IndexError(
        f"indexing: only integers, slices, ..., None, lists and integer or bool tensors are "
        f"valid indices, got a {type(part).__name__} ({part!r:.40})"
    )


def clean_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_clean(p) for p in index)
    return _clean(index)


def _split_integers(index: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """PyTorch applies integer indices before array indices: the two steps, or None when NumPy
    already does the same (no integer beside an array)."""
    has_int = any(is_int(p) for p in index)
    has_array = any(isinstance(p, np.ndarray) and p.ndim > 0 for p in index)
    if not (has_int and has_array):
        return None
    first: list[Any] = []
    second: list[Any] = []
    for p in index:
        if is_int(p):
            first.append(p)
        elif p is Ellipsis:
            first.append(p)
            second.append(p)
        elif p is None:
            second.append(p)
        else:
            k = p.ndim if isinstance(p, np.ndarray) and p.dtype == np.bool_ else 1
            first.extend([slice(None)] * k)
            second.append(p)
    return tuple(first), tuple(second)


def _has_advanced(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) for p in parts)


def _getitem_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (index_add(g, ctx, x.shape, x.dtype),)


GETITEM = Op(
    "index",
    _getitem_rule,
    factors=("g scattered back",),
    checks=[
        check(lambda t, x: x[1:, ::2], real(3, 4)),
        check(lambda t, x: x[0], real(3, 4)),
        check(lambda t, x, i: x[i], real(5, 2), index(6, high=5)),
        check(lambda t, x, m: x[m], real(3, 4), mask(3, 4)),
        check(lambda t, x, i: x[1, :, i], real(2, 3, 4), index(2, high=4)),
        check(lambda t, x: x[None, ..., -1], real(2, 3)),
        # the functions below, which all record this op
        check(lambda t, x: x.narrow(1, 1, 2), real(3, 4)),
        check(lambda t, x: t.narrow(x, 0, -2, 2).select(1, -1), real(3, 4)),
        check(lambda t, x: x.split(2, dim=1), real(3, 5)),
        check(lambda t, x: t.split(x, [1, 3]), real(4, 2)),
        check(lambda t, x: x.chunk(3, -1), real(2, 7)),
        check(lambda t, x: t.unbind(x, 1), real(2, 3)),
        check(lambda t, x, i: x.index_select(1, i), real(3, 4), index(5, high=4)),
        check(lambda t, x, i: t.index_select(x, 0, i), real(3, 2), index(high=3)),
        check(lambda t, x, m: x.masked_select(m), real(3, 4), mask(3, 4)),
        check(lambda t, x, m: t.masked_select(x, m), real(4), mask(3, 1)),
        check(lambda t, x: x.repeat_interleave(2, dim=1), real(2, 3)),
        check(lambda t, x: t.repeat_interleave(x, 3), real(2, 2)),
        check(lambda t, x: x.repeat_interleave(t.tensor([2, 0, 1]), dim=0), real(3, 2)),
    ],
)


def getitem(input: Tensor, index: Any) -> Tensor:
    x = input
    idx = clean_index(index)
    if isinstance(idx, tuple):
        steps = _split_integers(idx)
        if steps is not None:
            return getitem(getitem(x, steps[0]), steps[1])
    try:
        data = _take(x.data, idx)
    except IndexError as err:
        raise IndexError(f"indexing a tensor of shape {tuple(x.shape)}: {err}") from None
    view = x if not _has_advanced(idx) else None
    return make(data, (x,), GETITEM, idx, view)


def _take(data: np.ndarray, idx: Any) -> Any:
    """``data[idx]``; a single element as a 0-d view of ``data`` rather than a NumPy scalar (a
    copy), so that an in-place change of ``x[0]`` is a change of ``x``, as in PyTorch."""
    out = data[idx]
    if isinstance(out, np.generic):
        out = data[(idx if isinstance(idx, tuple) else (idx,)) + (Ellipsis,)]
    return out


# --- functions that pick parts of a tensor, recorded as indexing ----------------------------------


def _at(dim: int, part: Any) -> tuple[Any, ...]:
    """An index that applies ``part`` to dim ``dim`` (every element of the dims before it)."""
    return (slice(None),) * dim + (part,)


def _position(op: str, value: Any, what: str) -> int:
    if isinstance(value, Tensor) and value.ndim == 0 and value.dtype.kind in "iu":
        value = value.item()
    if not is_int(value):
        raise TypeError(f"{op}(): {what} must be an integer, got {value!r:.40}")
    return int(value)


def narrow(input: Any, dim: int, start: Any, length: Any) -> Tensor:
    """``length`` elements of dim ``dim`` from ``start`` on (a view; a negative start counts
    from the end)."""
    from .common import one_dim

    x = as_tensor(input, "narrow")
    d = one_dim("narrow", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    begin, size = _position("narrow", start, "start"), _position("narrow", length, "length")
    if begin < 0:
        begin += n
    if not 0 <= begin <= n or size < 0 or begin + size > n:
        raise IndexError(
            f"narrow(): start {start} and length {length} do not fit dim {d} of size {n} "
            f"(shape {tuple(x.shape)})"
        )
    return getitem(x, _at(d, slice(begin, begin + size)))


def select(input: Any, dim: int, index: Any) -> Tensor:
    """The slice at ``index`` of dim ``dim``, which is removed (``x.select(0, i)`` is ``x[i]``)."""
    from .common import one_dim

    x = as_tensor(input, "select")
    if x.ndim == 0:
        raise IndexError("select(): cannot select from a 0-d tensor")
    d = one_dim("select", dim, x.ndim)
    i = _position("select", index, "index")
    if not -x.shape[d] <= i < x.shape[d]:
        raise IndexError(f"select(): index {i} is out of range for dim {d} of size {x.shape[d]}")
    return getitem(x, _at(d, i))


def _splits(x: Tensor, d: int, sizes: list[int]) -> tuple[Tensor, ...]:
    bounds = np.cumsum([0] + sizes)
    return tuple(getitem(x, _at(d, slice(int(a), int(b)))) for a, b in zip(bounds[:-1], bounds[1:]))


def split(tensor: Any, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of pieces of dim ``dim``: of ``split_size`` each (the last may be smaller), or of
    the sizes listed."""
    from .common import integers, one_dim

    x = as_tensor(tensor, "split")
    if x.ndim == 0:
        raise ValueError("split(): cannot split a 0-d tensor")
    d = one_dim("split", dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = list(integers("split", tuple(split_size_or_sections)))
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(
                f"split(): sizes {sizes} must be non-negative and add up to {n}, the size of "
                f"dim {d}"
            )
        return _splits(x, d, sizes)
    size = _position("split", split_size_or_sections, "split_size")
    if size <= 0 and not (size == 0 and n == 0):
        raise ValueError(f"split(): split_size must be positive, got {size}")
    if n == 0:
        return (getitem(x, _at(d, slice(0, 0))),)
    return _splits(x, d, [min(size, n - start) for start in range(0, n, size)])


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Dim ``dim`` split into ``chunks`` views of equal size (ceil(n / chunks); the last may be
    smaller, and there may be fewer chunks than asked for)."""
    from .common import one_dim

    x = as_tensor(input, "chunk")
    count = _position("chunk", chunks, "chunks")
    if count <= 0:
        raise ValueError(f"chunk(): chunks must be positive, got {count}")
    if x.ndim == 0:
        raise ValueError("chunk(): cannot chunk a 0-d tensor")
    d = one_dim("chunk", dim, x.ndim)
    n = x.shape[d]
    if n == 0:  # PyTorch: `chunks` empty pieces
        return tuple(getitem(x, _at(d, slice(0, 0))) for _ in range(count))
    size = -(-n // count)
    return _splits(x, d, [min(size, n - start) for start in range(0, n, size)])


def unbind(input: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, with that dim removed."""
    from .common import one_dim

    x = as_tensor(input, "unbind")
    if x.ndim == 0:
        raise ValueError("unbind(): cannot unbind a 0-d tensor")
    d = one_dim("unbind", dim, x.ndim)
    return tuple(getitem(x, _at(d, i)) for i in range(x.shape[d]))


def index_select(input: Any, dim: int, index: Any) -> Tensor:
    """The entries ``index`` (a 1-d integer tensor) of dim ``dim``, in that order (a copy)."""
    from .common import one_dim

    x = as_tensor(input, "index_select")
    idx = _index_tensor("index_select", index)
    if idx.ndim > 1:
        raise ValueError(f"index_select(): index must be 1-d (or 0-d), got shape {idx.shape}")
    d = one_dim("index_select", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index_select(): index out of range for dim {d} of size {n}")
    idx = idx.reshape(-1)
    if x.ndim == 0:
        return getitem(x.reshape(1), idx).reshape(idx.shape if idx.size != 1 else ())
    return getitem(x, _at(d, idx))


def masked_select(input: Any, mask: Any) -> Tensor:
    """The elements where the bool ``mask`` holds (mask and input broadcast), as a 1-d copy."""
    from .selection import _condition
    from .shape import broadcast_to

    x = as_tensor(input, "masked_select")
    m = _condition("masked_select", mask)
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise ValueError(
            f"masked_select(): the mask of shape {m.shape} and the input of shape "
            f"{tuple(x.shape)} cannot be broadcast together"
        ) from None
    if x.shape != shape:
        x = broadcast_to(x, shape)
    return getitem(x, np.broadcast_to(m, shape))


def repeat_interleave(
    input: Any, repeats: Any = None, dim: Any = None, *, output_size: Any = None
) -> Tensor:
    """Each element repeated ``repeats`` times along ``dim`` (the flattened tensor without a
    dim); ``repeats`` a number or one count per element. With the counts alone
    (``repeat_interleave(counts)``), the indices repeated: ``[0] * counts[0] + [1] * ...``."""
    from .common import one_dim

    if repeats is None:
        counts = _index_tensor("repeat_interleave", input)
        if counts.ndim > 1 or (counts.size and counts.min() < 0):
            raise ValueError(
                "repeat_interleave(): counts must be a 1-d tensor of non-negative integers"
            )
        return make_const(np.repeat(np.arange(counts.size, dtype=np.int64), counts.reshape(-1)))
    x = as_tensor(input, "repeat_interleave")
    if dim is None:
        x, d = x.reshape(-1), 0
    else:
        d = one_dim("repeat_interleave", dim, x.ndim)
        if x.ndim == 0:
            x = x.reshape(1)
    n = x.shape[d]
    if isinstance(repeats, Tensor):
        counts = _index_tensor("repeat_interleave", repeats).reshape(-1)
    else:
        counts = np.asarray([_position("repeat_interleave", repeats, "repeats")])
    if counts.size not in (1, n) or (counts.size and counts.min() < 0):
        raise ValueError(
            f"repeat_interleave(): repeats must be non-negative, one number or one per element "
            f"of dim {d} (size {n}), got {counts.size} of them"
        )
    positions = np.repeat(
        np.arange(n, dtype=np.int64), counts if counts.size == n else int(counts[0])
    )
    if output_size is not None and output_size != positions.size:
        raise ValueError(
            f"repeat_interleave(): output_size {output_size} != the result's size {positions.size}"
        )
    return getitem(x, _at(d, positions))


def _index_add_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g[ctx],)


INDEX_ADD = Op(
    "index_add",
    _index_add_rule,
    factors=("g gathered",),
    tested_by="the second derivative of index (getitem)",
)


def index_add(g: Any, index: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """A zero array of ``shape`` with ``g`` added at ``index`` (repeated indices add up)."""
    z = np.zeros(shape, dtype=dtype)
    if _has_advanced(index):
        np.add.at(z, index, raw(g))
    else:
        z[index] = raw(g)
    if isinstance(g, Tensor):
        return make(z, (g,), INDEX_ADD, index)
    return z


# --- x[index] = v ---------------------------------------------------------------------------------


def is_view_at(x: Tensor, index: Any, value: Tensor) -> bool:
    """Whether ``value`` is the very memory ``x[index]`` names (what Python writes back after an
    augmented assignment such as ``x[0] += 1``)."""
    try:
        target = _take(x.data, clean_index(index))
    except (IndexError, TypeError):
        return False
    v = value.data
    return (
        isinstance(target, np.ndarray)
        and target.base is not None
        and target.shape == v.shape
        and target.strides == v.strides
        and target.__array_interface__["data"][0] == v.__array_interface__["data"][0]
    )


def _index_put_rule(ctx: Any, g: Any, out: Any, x: Any, *value: Any) -> tuple[Any, ...]:
    gx = index_put(g, ctx, 0.0) if isinstance(g, Tensor) else _zeroed(g, ctx)
    if not value:
        return (gx,)
    v = value[0]
    return gx, unbroadcast(g[ctx], np.shape(raw(v)), raw(v).dtype)


def _zeroed(g: Any, index: Any) -> np.ndarray:
    out = np.array(g)
    out[index] = 0
    return out


INDEX_PUT = Op(
    "index_put",
    _index_put_rule,
    factors=("g, 0 where written", "g at the written places"),
    label="x[index] = v",
    tested_by="tests/autograd/test_inplace.py (x[index] = v)",
)


def index_put(input: Tensor, index: Any, value: Any) -> Tensor:
    """A copy of ``input`` with ``value`` written at ``index`` (what ``x[index] = value``
    records)."""
    idx = clean_index(index)
    data = input.data.copy()
    if isinstance(value, Tensor):
        v = value
        try:
            data[idx] = v.data
        except (ValueError, IndexError) as err:
            raise type(err)(
                f"x[index] = v: {err} (x of shape {tuple(input.shape)}, v of shape "
                f"{tuple(v.shape)})"
            ) from None
        return make(data, (input, v), INDEX_PUT, idx)
    if isinstance(value, Node):
        raise TypeError(f"x[index] = v: v is a {type(value).__name__}, not a number or a Tensor")
    try:
        data[idx] = value
    except (ValueError, TypeError, IndexError) as err:
        raise type(err)(f"x[index] = v: {err} (x of shape {tuple(input.shape)})") from None
    return make(data, (input,), INDEX_PUT, idx)


# --- gather and its scatter -----------------------------------------------------------------------


def _along(index: np.ndarray, dim: int) -> tuple[Any, ...]:
    """A full index for x[...] that takes ``index``'s entries along ``dim`` (gather's rule)."""
    grids: list[Any] = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _gather_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    dim, idx = ctx
    return (put_along(g, dim, idx, x.shape),)


GATHER = Op(
    "gather",
    _gather_rule,
    factors=("g scattered back along dim",),
    label=lambda ctx: f"gather(dim={ctx[0]})",
    checks=[
        check(lambda t, x, i: t.gather(x, 1, i), real(3, 4), index(3, 2, high=4)),
        check(lambda t, x, i: x.gather(0, i), real(3, 4), index(2, 4, high=3)),
    ],
)


def _index_tensor(op: str, index: Any) -> np.ndarray:
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}(): index must be an integer tensor, got dtype {idx.dtype}")
    return idx.astype(np.int64, copy=False)  # type: ignore[no-any-return]


def gather(input: Any, dim: int, index: Any) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` for dim 0 (and so on): values picked along ``dim``."""
    from .common import one_dim

    x = as_tensor(input, "gather")
    d = one_dim("gather", dim, x.ndim)
    idx = _index_tensor("gather", index)
    if idx.ndim != x.ndim:
        raise ValueError(f"gather(): index has {idx.ndim} dims but the input has {x.ndim}")
    if any(i > n for k, (i, n) in enumerate(zip(idx.shape, x.shape)) if k != d):
        raise ValueError(
            f"gather(): index of shape {idx.shape} is larger than the input of shape "
            f"{tuple(x.shape)} outside dim {d}"
        )
    if idx.size and (idx.min() < -x.shape[d] or idx.max() >= x.shape[d]):
        raise IndexError(f"gather(): index out of range for dim {d} of size {x.shape[d]}")
    idx = np.where(idx < 0, idx + x.shape[d], idx)
    return make(x.data[_along(idx, d)], (x,), GATHER, (d, idx))


def _put_along_rule(ctx: Any, g: Any, out: Any, src: Any) -> tuple[Any]:
    dim, idx, _ = ctx
    return (take_along(g, dim, idx),)


PUT_ALONG = Op(
    "scatter_add",
    _put_along_rule,
    factors=("g gathered along dim",),
    label=lambda ctx: f"scatter_add(dim={ctx[0]})",
    checks=[
        check(
            lambda t, z, i, s: z.scatter_add(0, i, s), real(3, 4), index(2, 4, high=3), real(2, 4)
        ),
    ],
)


def take_along(g: Any, dim: int, idx: np.ndarray) -> Any:
    if isinstance(g, Node):
        return gather(g, dim, make_const(idx))
    return g[_along(idx, dim)]


def put_along(g: Any, dim: int, idx: np.ndarray, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``idx`` along ``dim`` (gather's scatter)."""
    z = np.zeros(shape, dtype=raw(g).dtype)
    np.add.at(z, _along(idx, dim), raw(g))
    if isinstance(g, Tensor):
        return make(z, (g,), PUT_ALONG, (dim, idx, shape))
    return z


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor:
    """``input`` plus ``src``'s entries added at ``index`` along ``dim`` (repeats add up)."""
    from .common import one_dim

    x, s = as_tensor(input, "scatter_add"), as_tensor(src, "scatter_add")
    d = one_dim("scatter_add", dim, x.ndim)
    idx = _index_tensor("scatter_add", index)
    if idx.ndim != x.ndim or s.ndim != x.ndim:
        raise ValueError(
            f"scatter_add(): input, index and src must have the same number of dims, got "
            f"{x.ndim}, {idx.ndim} and {s.ndim}"
        )
    if any(i > n for i, n in zip(idx.shape, s.shape)) or any(
        i > n for k, (i, n) in enumerate(zip(idx.shape, x.shape)) if k != d
    ):
        raise ValueError(
            f"scatter_add(): index of shape {idx.shape} is larger than src {tuple(s.shape)} or "
            f"than the input {tuple(x.shape)} outside dim {d}"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[d]):
        raise IndexError(f"scatter_add(): index out of range for dim {d} of size {x.shape[d]}")
    used = s if s.shape == idx.shape else s[tuple(slice(0, n) for n in idx.shape)]
    return x + put_along(used, d, idx, x.shape)


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or one per dim."""
    x = as_tensor(input, "nonzero")
    if x.ndim == 0:  # PyTorch: (1, 0) or (0, 0); as a tuple, the indices of it as a 1-d tensor
        hit = bool(x.data)
        if as_tuple:
            return (make_const(np.zeros(int(hit), dtype=np.int64)),)
        return make_const(np.zeros((int(hit), 0), dtype=np.int64))
    found = np.nonzero(x.data)
    if as_tuple:
        return tuple(make_const(i.astype(np.int64)) for i in found)
    return make_const(
        np.stack(found, axis=1).astype(np.int64) if found else np.zeros((0, 0), np.int64)
    )
