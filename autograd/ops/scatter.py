"""``scatter``: a copy of a tensor with values written at indices along a dim (the inverse of
``gather``; ``scatter_add``, which adds instead, is in indexing.py).

The written places get their gradient from the source (``src``'s gradient is ``g`` gathered at
the indices, as in PyTorch, whose result is only well defined for distinct indices); everywhere
else the gradient goes to the input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Node
from ..op import Op, check, index, real
from ..tensor import Tensor, as_tensor, make, number_kind
from .common import one_dim, raw
from .indexing import _along, _index_tensor, take_along


def _scatter_rule(ctx: Any, g: Any, out: Any, x: Any, *src: Any) -> tuple[Any, ...]:
    dim, idx = ctx
    gx: Any
    if isinstance(g, Node):
        gx = scatter(g, dim, idx, 0.0)
    else:
        gx = np.array(g)
        gx[_along(idx, dim)] = 0
    if not src:
        return (gx,)
    return gx, take_along(g, dim, idx) if np.shape(raw(src[0])) == idx.shape else _padded(
        g, dim, idx, src[0]
    )


def _padded(g: Any, dim: int, idx: np.ndarray, src: Any) -> Any:
    """src's gradient when src is larger than index: g gathered into the used corner, 0 else."""
    from .indexing import index_add

    corner = tuple(slice(0, n) for n in idx.shape)
    return index_add(take_along(g, dim, idx), corner, np.shape(raw(src)), raw(src).dtype)


SCATTER = Op(
    "scatter",
    _scatter_rule,
    factors=("g, 0 where written", "g gathered along dim"),
    label=lambda ctx: f"scatter(dim={ctx[0]})",
    checks=[
        check(
            lambda t, x, s: x.scatter(1, t.tensor([[0, 2], [3, 1], [1, 0]]), s),
            real(3, 4),
            real(3, 2),
        ),
        check(lambda t, x, s: t.scatter(x, 0, t.tensor([[2, 0, 1]]), s), real(3, 3), real(1, 3)),
        check(lambda t, x: x.scatter(1, t.tensor([[1], [0]]), 0.5), real(2, 3)),
        check(lambda t, x, i: t.scatter(x, 0, i, value=-1.0), real(4, 2), index(2, 2, high=4)),
    ],
)


def scatter(
    input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None
) -> Tensor:
    """A copy of ``input`` with ``src``'s entries (or the number ``value``) written at ``index``
    along ``dim``: for dim 0, ``out[index[i][j]][j] = src[i][j]``. ``reduce="add"`` adds them
    (``scatter_add``)."""
    x = as_tensor(input, "scatter")
    if src is None and value is None:
        raise TypeError("scatter(): give src (a tensor) or value (a number)")
    if src is not None and value is not None:
        raise TypeError("scatter(): give src or value, not both")
    if src is None:
        src = value
    if reduce is not None:
        if reduce != "add":
            raise ValueError(
                f"scatter(): reduce={reduce!r} is not supported; reduce='add' (or scatter_add) is"
            )
        from .indexing import scatter_add

        s = src if isinstance(src, Tensor) else _filled(x, index, src)
        return scatter_add(x, dim, index, s)
    d = one_dim("scatter", dim, x.ndim)
    idx = _index_tensor("scatter", index)
    if idx.ndim != x.ndim and x.ndim:
        raise ValueError(f"scatter(): index has {idx.ndim} dims but the input has {x.ndim}")
    if any(i > n for k, (i, n) in enumerate(zip(idx.shape, x.shape)) if k != d):
        raise ValueError(
            f"scatter(): index of shape {idx.shape} is larger than the input of shape "
            f"{tuple(x.shape)} outside dim {d}"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= (x.shape[d] if x.ndim else 1)):
        raise IndexError(
            f"scatter(): index out of range for dim {d} of a tensor of shape {tuple(x.shape)}"
        )
    data = x.data.copy()
    where = _along(idx, d)
    if isinstance(src, Tensor):
        if src.ndim != idx.ndim or any(i > n for i, n in zip(idx.shape, src.shape)):
            raise ValueError(
                f"scatter(): src of shape {tuple(src.shape)} must have index's {idx.ndim} dims and "
                f"be at least as large as index {idx.shape}"
            )
        data[where] = src.data[tuple(slice(0, n) for n in idx.shape)]
        return make(data, (x, src), SCATTER, (d, idx))
    if number_kind(src) < 0:
        raise TypeError(f"scatter(): src must be a tensor or value a number, got {src!r:.40}")
    data[where] = src
    return make(data, (x,), SCATTER, (d, idx))


def _filled(x: Tensor, index: Any, value: Any) -> Tensor:
    from ..tensor import make_const

    return make_const(np.full(_index_tensor("scatter", index).shape, value, dtype=x.dtype))
