"""``unfold`` (im2col: every window of an image as a column) and ``fold`` (col2im: columns added
back onto the image), PyTorch's layouts: (N, C * kh * kw, windows), channel-major.

Each is the other's transpose, so each one's backward rule is the other.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make
from .windows import Grid, pad_spatial, tuple_arg, windows


def unfold_data(x: np.ndarray, grid: Grid) -> np.ndarray:
    xp = pad_spatial(x, grid, 2)
    s = xp.strides
    shape = (*xp.shape[:2], *grid.kernel, *grid.small)
    strides = (
        *s[:2],
        *(st * d for st, d in zip(s[2:], grid.dilation)),
        *(st * k for st, k in zip(s[2:], grid.stride)),
    )
    view = as_strided(xp, shape, strides, writeable=False)
    return view.reshape(len(x), x.shape[1] * grid.taps, -1)


def fold_data(cols: np.ndarray, grid: Grid) -> np.ndarray:
    n = len(cols)
    c = cols.shape[1] // grid.taps
    blocks = cols.reshape(n, c, *grid.kernel, *grid.small)
    buf = np.zeros((n, c, *grid.padded), dtype=cols.dtype)
    for offset in grid.offsets():
        buf[grid.tap(offset, 2)] += blocks[(slice(None), slice(None)) + offset]
    return buf[grid.inner(2)] if grid.needs_padding() else buf


def _unfold_rule(ctx: Grid, g: Any, out: Any, x: Any) -> tuple[Any]:
    if isinstance(g, Tensor):
        return (make(fold_data(g.data, ctx), (g,), FOLD, ctx),)
    return (fold_data(g, ctx),)


def _fold_rule(ctx: Grid, g: Any, out: Any, x: Any) -> tuple[Any]:
    if isinstance(g, Tensor):
        return (make(unfold_data(g.data, ctx), (g,), UNFOLD, ctx),)
    return (unfold_data(g, ctx),)


def _label(name: str) -> Any:
    def label(grid: Grid) -> str:
        parts = ["×".join(map(str, grid.kernel))]
        for field, default in (("stride", 1), ("pad", 0), ("dilation", 1)):
            value = getattr(grid, field)
            if any(v != default for v in value):
                parts.append(f"{'padding' if field == 'pad' else field}={value}")
        return f"{name}({', '.join(parts)})"

    return label


UNFOLD = Op(
    "unfold",
    _unfold_rule,
    factors=("g's columns added back onto the image (fold)",),
    label=_label("unfold"),
    checks=[
        check(lambda t, x: t.nn.functional.unfold(x, 2), real(2, 3, 4, 5)),
        check(lambda t, x: t.nn.functional.unfold(x, (2, 3), 2, 1, (2, 1)), real(1, 2, 6, 5)),
        check(lambda t, x: t.nn.functional.unfold(x, 3, padding=1), real(2, 4, 4)),
    ],
)

FOLD = Op(
    "fold",
    _fold_rule,
    factors=("g's windows as columns (unfold)",),
    label=_label("fold"),
    checks=[
        check(lambda t, x: t.nn.functional.fold(x, (4, 5), 2), real(2, 12, 12)),
        check(lambda t, x: t.nn.functional.fold(x, (5, 6), (2, 3), 2, 1, (1, 2)), real(1, 12, 10)),
        check(lambda t, x: t.nn.functional.fold(x, 4, 3, padding=1), real(18, 16)),
    ],
)


def _grid(
    op: str, big: tuple[int, ...], kernel_size: Any, dilation: Any, padding: Any, stride: Any
) -> Grid:
    k = tuple_arg(op, "kernel_size", kernel_size, 2, 1)
    d = tuple_arg(op, "dilation", dilation, 2, 1)
    p = tuple_arg(op, "padding", padding, 2, 0)
    s = tuple_arg(op, "stride", stride, 2, 1)
    small = tuple(windows(n, kk, ss, pp, dd, False) for n, kk, ss, pp, dd in zip(big, k, s, p, d))
    if any(o < 1 for o in small):
        raise ValueError(
            f"{op}(): kernel {k} with dilation {d} does not fit the spatial size {big} padded by "
            f"{p}: no window"
        )
    return Grid(big, small, k, s, d, p)


def unfold(
    input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """Every kh x kw window of (N, C, H, W) or (C, H, W) ``input`` as a column: (N, C * kh *
    kw, windows), channel-major, windows in row-major order (PyTorch's im2col)."""
    x = as_tensor(input, "unfold")
    if x.ndim not in (3, 4):
        raise ValueError(
            f"unfold(): expected a 3-d or 4-d input (N, C, H, W), got shape {tuple(x.shape)}"
        )
    unbatched = x.ndim == 3
    if unbatched:
        x = x.unsqueeze(0)
    grid = _grid("unfold", tuple(x.shape[2:]), kernel_size, dilation, padding, stride)
    out = make(unfold_data(x.data, grid), (x,), UNFOLD, grid)
    return out.squeeze(0) if unbatched else out


def fold(
    input: Any,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """unfold's transpose: (N, C * kh * kw, windows) columns added onto an (N, C, *output_size)
    image, overlapping windows summed (PyTorch's col2im)."""
    cols = as_tensor(input, "fold")
    if cols.ndim not in (2, 3):
        raise ValueError(
            "fold(): expected a 2-d or 3-d input (N, C * kh * kw, L), got shape "
            f"{tuple(cols.shape)}"
        )
    size = tuple_arg("fold", "output_size", output_size, 2, 1)
    unbatched = cols.ndim == 2
    if unbatched:
        cols = cols.unsqueeze(0)
    grid = _grid("fold", size, kernel_size, dilation, padding, stride)
    if cols.shape[1] % grid.taps or cols.shape[2] != grid.small[0] * grid.small[1]:
        raise ValueError(
            f"fold(): input of shape {tuple(cols.shape)} does not fit output_size {size} with "
            f"kernel {grid.kernel}: need C * {grid.taps} rows and {grid.small[0]} * "
            f"{grid.small[1]} = {grid.small[0] * grid.small[1]} windows"
        )
    out = make(fold_data(cols.data, grid), (cols,), FOLD, grid)
    return out.squeeze(0) if unbatched else out
