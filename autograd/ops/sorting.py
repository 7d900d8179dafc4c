"""Sorting: sort, argsort, msort and topk, with PyTorch's placement of ties and NaN.

NaN counts as larger than everything (last ascending, first descending). Equal elements come
out where PyTorch's CPU kernels put them: ``stable=True`` keeps their order; otherwise PyTorch
runs C++'s std::sort (stable up to 16 elements, and for its radix sort of long 1-d integer
tensors), and ``topk`` a heap or nth_element; rows with ties replay those (stdsort.py). The
gradient of the values goes back to the elements they came from.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..op import Op, check, distinct, real
from ..tensor import Tensor, as_tensor, make, make_const
from .common import flag, is_int, one_dim
from .reductions import ReturnTypes
from .stdsort import sort_row, topk_row


def _sorted_back_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    from .indexing import put_along

    d, indices, shape = ctx
    if d is None:
        return (g,)
    return (put_along(g, d, indices, shape),)


SORT = Op(
    "sort",
    _sorted_back_rule,
    factors=("g back to where each value came from",),
    label=lambda ctx: f"sort(dim={ctx[0]})",
    checks=[
        check(lambda t, x: x.sort(), distinct(3, 4)),
        check(lambda t, x: t.sort(x, 0, descending=True), distinct(4, 3)),
        check(lambda t, x: x.sort(dim=1, stable=True).values, distinct(2, 5)),
        check(lambda t, x: t.msort(x), distinct(4, 2)),
        # ties between x and a detached copy: the gradient says which came first (18 elements:
        # beyond std::sort's insertion sort). Ties are kinks: PyTorch's answer, no finite
        # differences
        check(lambda t, x: t.cat([x, x.detach()], -1).sort(), real(2, 9), fd=False),
        check(
            lambda t, x: t.cat([x.detach(), x], 0).sort(0, descending=True).values,
            real(9, 2),
            fd=False,
        ),
    ],
)
TOPK = Op(
    "topk",
    _sorted_back_rule,
    factors=("g back to the chosen elements",),
    label=lambda ctx: f"topk(dim={ctx[0]})",
    checks=[
        check(lambda t, x: x.topk(2), distinct(3, 5)),
        check(lambda t, x: t.topk(x, 3, dim=0, largest=False), distinct(4, 2)),
        check(lambda t, x: x.topk(1, 0).values, distinct(6)),
        # ties: which of the equal elements is chosen decides where the gradient goes (ties
        # are kinks: compared with PyTorch, not with finite differences)
        check(
            lambda t, x: (x.round() * 0.5).topk(4, -1).indices,
            real(3, 8, low=-1.0, high=1.0),
            order=0,
        ),
        check(
            lambda t, x: t.cat([x, x.detach()], -1).topk(3, 1, sorted=False), real(2, 9), fd=False
        ),
        check(lambda t, x: t.cat([x.detach(), x], -1).topk(5, largest=False), real(2, 9), fd=False),
        check(
            lambda t, x: t.cat([x, x.detach()] * 40, -1).topk(2), real(2, 4), fd=False
        ),  # the heap
    ],
)


def _stable_order(d: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """A stable sorting order along ``axis`` (equal elements keep their order either way)."""
    if not descending:
        return np.argsort(d, axis=axis, kind="stable")
    n = d.shape[axis]
    flipped = np.argsort(np.flip(d, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(flipped, axis)  # type: ignore[no-any-return]


_INSERTION_LIMIT = 16  # std::sort sorts up to this many elements by insertion: stably
_RADIX_MIN = 32768  # PyTorch radix-sorts (stably) 1-d integer tensors this long, ascending


def _order(d: np.ndarray, axis: int, descending: bool, stable: bool) -> np.ndarray:
    """The order PyTorch's CPU sort gives along ``axis``."""
    order = _stable_order(d, axis, descending)
    n = d.shape[axis]
    radix = d.ndim == 1 and d.dtype.kind in "iu" and not descending and d.size >= _RADIX_MIN
    if stable or radix or n <= _INSERTION_LIMIT:
        return order
    # std::sort differs from a stable sort only where equal elements meet
    moved_order = np.moveaxis(order, axis, -1).reshape(-1, n)
    rows = np.moveaxis(d, axis, -1).reshape(-1, n)
    ordered = np.take_along_axis(rows, moved_order, 1)
    ties = _same(ordered[:, :-1], ordered[:, 1:]).any(axis=1)
    if not ties.any():
        return order
    moved_order = moved_order.copy()
    for r in np.nonzero(ties)[0]:
        moved_order[r] = sort_row(_rank_keys(rows[r], descending))
    shape = np.moveaxis(d, axis, -1).shape
    return np.moveaxis(moved_order.reshape(shape), -1, axis)  # type: ignore[no-any-return]


def _sort_args(op: str, input: Any, dim: Any, descending: Any, stable: Any) -> tuple[Tensor, int]:
    x = as_tensor(input, op)
    flag(op, "descending", descending)
    if stable is not None:
        flag(op, "stable", stable)
    return x, one_dim(op, dim, x.ndim)


def sort(
    input: Any, dim: int = -1, descending: bool = False, stable: bool | None = False
) -> ReturnTypes:
    """``(values, indices)``: the elements along ``dim`` in order (a stable sort)."""
    x, d = _sort_args("sort", input, dim, descending, stable)
    if x.ndim == 0:
        values = make(x.data.copy(), (x,), SORT, (None, None, x.shape))
        return ReturnTypes(values, make_const(np.asarray(0, dtype=np.int64)))
    idx = _order(x.data, d, bool(descending), bool(stable)).astype(np.int64)
    values = make(np.take_along_axis(x.data, idx, d), (x,), SORT, (d, idx, x.shape))
    return ReturnTypes(values, make_const(idx))


def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (``sort(...).indices``)."""
    x, d = _sort_args("argsort", input, dim, descending, stable)
    if x.ndim == 0:
        return make_const(np.asarray(0, dtype=np.int64))
    return make_const(_order(x.data, d, bool(descending), bool(stable)).astype(np.int64))


def msort(input: Any) -> Tensor:
    """The elements sorted along dim 0 (``sort(input, 0).values``)."""
    return sort(input, 0).values  # type: ignore[no-any-return]


# --- topk ----------------------------------------------------------------------------------------


def _rank_keys(row: np.ndarray, largest: bool) -> list[Any]:
    """Keys whose order is the comparator's: a larger key goes first; NaN is the largest."""
    finite = ~np.isnan(row) if row.dtype.kind == "f" else np.ones(row.shape, bool)
    levels = np.unique(row[finite])
    ranks = np.searchsorted(levels, row).astype(np.float64)
    if largest:
        return np.where(finite, ranks, np.inf).tolist()  # type: ignore[no-any-return]
    return np.where(finite, -ranks, -np.inf).tolist()  # type: ignore[no-any-return]


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    same = a == b
    if a.dtype.kind == "f":
        same |= np.isnan(a) & np.isnan(b)
    return same  # type: ignore[no-any-return]


def _topk_indices(rows: np.ndarray, k: int, largest: bool, sorted_: bool) -> np.ndarray:
    """For each row of a 2-d array, the indices of its k largest (smallest) elements as
    PyTorch's CPU topk gives them."""
    full = _stable_order(rows, 1, largest)
    order = full[:, :k].copy()
    if k == 0:
        return order
    values = np.take_along_axis(rows, full[:, : k + 1], 1)
    # a stable sort gives PyTorch's answer unless equal elements meet among the chosen or at
    # the boundary, or the order of an unsorted result matters: those rows are replayed
    ties = _same(values[:, :-1], values[:, 1:]).any(axis=1)
    replay = ties | (not sorted_ and k > 1)
    for r in np.nonzero(replay)[0]:
        order[r] = topk_row(_rank_keys(rows[r], largest), k, sorted_)
    return order


def topk(
    input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> ReturnTypes:  # noqa: A002
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) elements along
    ``dim``, largest first (``sorted=True``)."""
    x = as_tensor(input, "topk")
    largest, sorted_ = flag("topk", "largest", largest), flag("topk", "sorted", sorted)
    if not is_int(k):
        raise TypeError(f"topk(): k must be an integer, got {k!r:.40}")
    d = one_dim("topk", dim, x.ndim)
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise ValueError(f"topk(): k ({k}) is out of range for dim {d} of size {n}")
    if x.ndim == 0:
        values = make(
            x.data.copy() if k else x.data.reshape(1)[:0], (x,), TOPK, (None, None, x.shape)
        )
        return ReturnTypes(
            values, make_const(np.zeros((), np.int64) if k else np.zeros(0, np.int64))
        )
    moved = np.moveaxis(x.data, d, -1)
    chosen = _topk_indices(moved.reshape(-1, n), int(k), largest, sorted_)
    idx = np.moveaxis(chosen.reshape(moved.shape[:-1] + (int(k),)), -1, d).astype(np.int64)
    values = make(np.take_along_axis(x.data, idx, d), (x,), TOPK, (d, idx, x.shape))
    return ReturnTypes(values, make_const(idx))


# --- unique --------------------------------------------------------------------------------------


def unique(
    input: Any,
    sorted: bool = True,
    return_inverse: bool = False,  # noqa: A002
    return_counts: bool = False,
    dim: Any = None,
) -> Any:
    """The distinct elements (or, with ``dim``, the distinct slices along it), in ascending
    order (PyTorch's CPU unique sorts either way); optionally the index of each element's
    value in that list and the counts. NaNs are all distinct, as in PyTorch. Not differentiable."""
    x = as_tensor(input, "unique")
    for name, value in (
        ("sorted", sorted),
        ("return_inverse", return_inverse),
        ("return_counts", return_counts),
    ):
        flag("unique", name, value)
    axis = None if dim is None else one_dim("unique", dim, x.ndim)
    kwargs: dict[str, Any] = {"return_inverse": True, "return_counts": True}
    if x.dtype.kind == "f" and axis is None:
        kwargs["equal_nan"] = False
    values, inverse, counts = np.unique(x.data, axis=axis, **kwargs)
    out: list[Tensor] = [make_const(values)]
    if return_inverse:
        shape = x.shape if axis is None else (x.shape[axis],)
        out.append(make_const(inverse.reshape(shape).astype(np.int64)))
    if return_counts:
        out.append(make_const(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
