"""Convolution (1-d and 2-d), its transpose, and the weight gradient that links them.

The three are one trilinear form seen from each side, so each one's backward rule is written
with the other two: conv's input gradient is conv_transpose, its weight gradient conv_weight;
conv_transpose's input gradient is conv; conv_weight's gradients are conv_transpose and conv.
Under ``create_graph=True`` the rules make nodes of these ops, so second derivatives (and
third...) come for free.

Speed: channels-last inside. An input (N, C, *S) is read as (N, *S, C) (free for the output of
another convolution, which is produced channels-last), its windows are a strided view (im2col by
stride tricks, one copy) and the convolution is one matmul per group; the output is returned as
an (N, C_out, *S') view of channels-last memory, as PyTorch's channels_last format. The backward
pass reuses the forward's im2col for the weight gradient and adds the input gradient back with
one strided add per kernel tap (col2im).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..modes import mode
from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make
from .common import is_int
from .windows import Grid, channels_first, channels_last, describe, pad_spatial, patches, tuple_arg


class ConvCtx:
    """A convolution node's context: its grid, which inputs need gradients, and the forward's
    im2col of its input (reused by the weight gradient; None when not kept)."""

    __slots__ = ("grid", "need", "cols", "output_padding")

    def __init__(
        self, grid: Grid, need: tuple[bool, ...], cols: Any = None, output_padding: Any = None
    ) -> None:
        self.grid, self.need, self.cols, self.output_padding = grid, need, cols, output_padding


# --- the maths on arrays ------------------------------------------------------------------------


def _weight_matrix(w: np.ndarray, grid: Grid) -> np.ndarray:
    """(C_out, C_in / g, *kernel) -> (g, taps * C_in / g, C_out / g), rows in (tap, channel)
    order like the im2col columns."""
    g, d = grid.groups, grid.dims
    wk = w.reshape(g, w.shape[0] // g, *w.shape[1:])
    return wk.transpose(0, *range(3, 3 + d), 2, 1).reshape(g, -1, w.shape[0] // g)


def _from_weight_matrix(m: np.ndarray, grid: Grid, cg: int) -> np.ndarray:
    g, d = grid.groups, grid.dims
    og = m.shape[-1]
    wk = m.reshape(g, *grid.kernel, cg, og).transpose(0, d + 2, d + 1, *range(1, d + 1))
    return wk.reshape(g * og, cg, *grid.kernel)


def im2col(x: np.ndarray, grid: Grid) -> np.ndarray:
    """(N, C, *S) -> (g, N * windows, taps * C / g): every window's elements in a row."""
    xl = channels_last(x)
    if x.shape[1] == grid.groups:  # one channel per group: one strided copy per tap is faster
        return _im2col_by_taps(xl, grid)
    view = patches(pad_spatial(xl, grid, 1), grid)
    return view.reshape(grid.groups, -1, grid.taps * view.shape[-1])


def _im2col_by_taps(xl: np.ndarray, grid: Grid) -> np.ndarray:
    """im2col for one channel per group: the windows' elements written tap by tap, straight
    from the input (zeros where a window reads padding)."""
    g = grid.groups
    cols = np.empty((g, len(xl), *grid.small, *grid.kernel), dtype=xl.dtype)
    source = np.moveaxis(xl, -1, 0)  # (g, N, *S)
    lead = (slice(None), slice(None))
    for offset, (wins, reads, _) in grid.clipped.items():
        target = cols[lead + (Ellipsis,) + offset]  # (g, N, *windows)
        target[lead + wins] = source[lead + reads]
        for axis, win in enumerate(wins):  # the windows of this tap that read padding
            if win.start:
                target[lead + (slice(None),) * axis + (slice(0, win.start),)] = 0
            if win.stop < grid.small[axis]:
                target[lead + (slice(None),) * axis + (slice(win.stop, None),)] = 0
    return cols.reshape(g, -1, grid.taps)


def _rows(y: np.ndarray, grid: Grid) -> np.ndarray:
    """(N, O, *windows) -> (g, N * windows, O / g); free when ``y`` is channels-last."""
    yl = channels_last(y).reshape(-1, y.shape[1])
    if grid.groups == 1:
        return yl[None]
    return yl.reshape(len(yl), grid.groups, -1).transpose(1, 0, 2)


def conv_data(
    x: np.ndarray, w: np.ndarray, grid: Grid, bias: Any = None, cols: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """The convolution of (N, C, *S) ``x`` with ``w``, channels-last in memory, and the im2col."""
    if cols is None:
        cols = im2col(x, grid)
    wm = _weight_matrix(w, grid)
    if grid.groups == 1:
        out = cols[0] @ wm[0]
    else:
        prod = np.matmul(cols, wm)
        out = np.empty((prod.shape[1], grid.groups, prod.shape[2]), dtype=prod.dtype)
        out[...] = prod.transpose(1, 0, 2)
        out = out.reshape(prod.shape[1], -1)
    if bias is not None:
        out += bias
    return channels_first(out.reshape(len(x), *grid.small, w.shape[0])), cols


def transpose_data(y: np.ndarray, w: np.ndarray, grid: Grid, bias: Any = None) -> np.ndarray:
    """conv_transpose of (N, O, *windows) ``y``: every window's products added back onto the
    positions it read (col2im by one strided add per tap), channels-last in memory."""
    g = grid.groups
    wm = _weight_matrix(w, grid)
    cols = np.matmul(_rows(y, grid), wm.transpose(0, 2, 1))
    cg = wm.shape[1] // grid.taps
    n = len(y)
    cols = cols.reshape(g, n, *grid.small, *grid.kernel, cg)
    # col2im straight into the unpadded input (what lands on padding is never written): a tap
    # that covers the whole input is assigned first, so the buffer needs no zeros
    taps = grid.clipped
    first = next((o for o, (_, _, whole) in taps.items() if whole), None)
    make = np.empty if first is not None else np.zeros
    out = make((n, *grid.big, g * cg), dtype=cols.dtype)
    grouped = np.moveaxis(out.reshape(n, *grid.big, g, cg), -2, 0)  # (g, N, *S, cg), a view
    lead = (slice(None), slice(None))
    if first is not None:
        wins, reads, _ = taps[first]
        grouped[lead + reads] = cols[lead + wins + first]
    for offset, (wins, reads, _) in taps.items():
        if offset != first:
            grouped[lead + reads] += cols[lead + wins + offset]
    if bias is not None:
        out += bias
    return channels_first(out)


def weight_data(x: np.ndarray, y: np.ndarray, grid: Grid, cols: Any = None) -> np.ndarray:
    """The weight gradient: each (output, input) channel pair's window products summed."""
    if cols is None:
        cols = im2col(x, grid)
    rows = _rows(y, grid)
    m = cols[0].T @ rows[0] if grid.groups == 1 else np.matmul(cols.transpose(0, 2, 1), rows)
    return _from_weight_matrix(
        m.reshape(grid.groups, *m.shape[-2:]), grid, x.shape[1] // grid.groups
    )


def bias_data(y: np.ndarray) -> np.ndarray:
    """``y`` summed over all dims but the channels': as a product with ones when ``y`` is
    channels-last (NumPy sums a tall, narrow array over its rows ten times slower)."""
    yl = channels_last(y)
    if yl.flags.c_contiguous and yl.size:
        flat = yl.reshape(-1, y.shape[1])
        return np.ones(len(flat), dtype=y.dtype) @ flat  # type: ignore[no-any-return]
    return y.sum(axis=(0, *range(2, y.ndim)))  # type: ignore[no-any-return]


# --- the three ops, on arrays or on nodes ---------------------------------------------------------


def _nodes(*xs: Any) -> bool:
    return any(isinstance(x, Tensor) for x in xs)


def _bias_grad(g: Any, dims: int) -> Any:
    if isinstance(g, Tensor):
        return g.sum(axis=(0, *range(2, 2 + dims)))
    return bias_data(g)


def convolve(x: Any, w: Any, grid: Grid, cols: Any = None) -> Any:
    """conv(x, w) without bias: raw data, or a node when either is one (rules that record)."""
    if not _nodes(x, w):
        return conv_data(x, w, grid, cols=cols)[0]
    xt, wt = as_tensor(x), as_tensor(w)
    data, cols = conv_data(xt.data, wt.data, grid, cols=cols)
    return make(data, (xt, wt), CONV, ConvCtx(grid, (xt.requires_grad, wt.requires_grad), cols))


def convolve_transpose(y: Any, w: Any, grid: Grid) -> Any:
    if not _nodes(y, w):
        return transpose_data(y, w, grid)
    yt, wt = as_tensor(y), as_tensor(w)
    data = transpose_data(yt.data, wt.data, grid)
    return make(data, (yt, wt), CONV_TRANSPOSE, ConvCtx(grid, (yt.requires_grad, wt.requires_grad)))


def convolve_weight(x: Any, y: Any, grid: Grid, cols: Any = None) -> Any:
    if not _nodes(x, y):
        return weight_data(x, y, grid, cols)
    xt, yt = as_tensor(x), as_tensor(y)
    if cols is None:
        cols = im2col(xt.data, grid)
    data = weight_data(xt.data, yt.data, grid, cols)
    return make(
        data, (xt, yt), CONV_WEIGHT, ConvCtx(grid, (xt.requires_grad, yt.requires_grad), cols)
    )


def _conv_rule(ctx: ConvCtx, g: Any, out: Any, x: Any, w: Any, *bias: Any) -> tuple[Any, ...]:
    grid, need = ctx.grid, ctx.need
    gx = convolve_transpose(g, w, grid) if need[0] else None
    gw = convolve_weight(x, g, grid, ctx.cols) if need[1] else None
    return (gx, gw, _bias_grad(g, grid.dims)) if bias else (gx, gw)


def _transpose_rule(ctx: ConvCtx, g: Any, out: Any, y: Any, w: Any, *bias: Any) -> tuple[Any, ...]:
    grid, need = ctx.grid, ctx.need
    gy = gw = None
    cols = None
    if need[0] or need[1]:
        cols = im2col(g.data if isinstance(g, Tensor) else g, grid)
    if need[0]:
        gy = convolve(g, w, grid, cols)
    if need[1]:
        gw = convolve_weight(g, y, grid, cols)
    return (gy, gw, _bias_grad(g, grid.dims)) if bias else (gy, gw)


def _weight_rule(ctx: ConvCtx, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, ...]:
    grid, need = ctx.grid, ctx.need
    gx = convolve_transpose(y, g, grid) if need[0] else None
    gy = convolve(x, g, grid, ctx.cols) if need[1] else None
    return gx, gy


def _label(kind: str) -> Any:
    def label(ctx: ConvCtx) -> str:
        extra = ""
        if ctx.output_padding is not None and any(ctx.output_padding):
            op = ctx.output_padding
            extra = f", output_padding={op[0] if len(set(op)) == 1 else op}"
        text = describe(ctx.grid, f"{kind}{ctx.grid.dims}d")
        return text[:-1] + extra + ")"

    return label


def _conv_call(dims: int, **kw: Any) -> Any:
    name = f"conv{dims}d"
    return lambda t, x, w, *b: getattr(t.nn.functional, name)(x, w, *b, **kw)


def _transpose_call(dims: int, **kw: Any) -> Any:
    name = f"conv_transpose{dims}d"
    return lambda t, x, w, *b: getattr(t.nn.functional, name)(x, w, *b, **kw)


CONV = Op(
    "conv",
    _conv_rule,
    saves="x y",
    factors=(
        "g convolved back with W (conv_transpose)",
        "g correlated with x (conv_weight)",
        "g summed over the batch and positions",
    ),
    label=_label("conv"),
    checks=[
        check(_conv_call(2), real(2, 3, 5, 5), real(4, 3, 3, 3), real(4)),
        check(_conv_call(2, stride=2, padding=1), real(2, 2, 6, 5), real(3, 2, 3, 2), real(3)),
        check(_conv_call(2, padding=(2, 1), dilation=(2, 1)), real(1, 2, 5, 6), real(2, 2, 3, 3)),
        check(_conv_call(2, groups=2, stride=(1, 2)), real(2, 4, 5, 5), real(6, 2, 2, 3), real(6)),
        check(_conv_call(2, padding="same", dilation=2), real(1, 2, 6, 5), real(2, 2, 2, 3)),
        check(_conv_call(2, padding="valid"), real(2, 2, 4, 4), real(3, 2, 4, 4)),
        check(_conv_call(1, stride=2, padding=1), real(2, 3, 9), real(4, 3, 3), real(4)),
        check(_conv_call(1, groups=3, dilation=2, padding="same"), real(1, 3, 7), real(3, 1, 4)),
        check(_conv_call(2), real(3, 6, 6), real(2, 3, 3, 3)),  # unbatched
    ],
)

CONV_TRANSPOSE = Op(
    "conv_transpose",
    _transpose_rule,
    saves="x y",
    factors=("g convolved with W (conv)", "x correlated with g (conv_weight)", "g summed"),
    label=_label("conv_transpose"),
    checks=[
        check(_transpose_call(2), real(2, 3, 4, 4), real(3, 2, 3, 3), real(2)),
        check(
            _transpose_call(2, stride=2, padding=1, output_padding=1),
            real(1, 2, 3, 4),
            real(2, 3, 3, 3),
            real(3),
        ),
        check(
            _transpose_call(2, stride=(2, 1), groups=2, dilation=(1, 2)),
            real(2, 4, 3, 3),
            real(4, 1, 2, 3),
        ),
        check(
            _transpose_call(2, stride=1, dilation=2, output_padding=1),
            real(1, 1, 3, 3),
            real(1, 2, 2, 2),
        ),
        check(
            _transpose_call(1, stride=3, padding=2, output_padding=2),
            real(2, 2, 5),
            real(2, 3, 4),
            real(3),
        ),
        check(_transpose_call(2, padding=1), real(2, 5, 5), real(2, 2, 3, 3)),  # unbatched
    ],
)

CONV_WEIGHT = Op(
    "conv_weight",
    _weight_rule,
    saves="x y",
    factors=("y convolved back with g (conv_transpose)", "x convolved with g (conv)"),
    label=_label("conv_weight"),
    tested_by="the second derivatives of conv and conv_transpose (their checks)",
)


# --- the user's functions -------------------------------------------------------------------------


def _floating(op: str, **tensors: Tensor | None) -> None:
    dtypes = {name: t.dtype for name, t in tensors.items() if t is not None}
    for name, dt in dtypes.items():
        if dt.kind != "f":
            raise TypeError(f"{op}(): {name} must be floating, got dtype {dt}")
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{n} {d}" for n, d in dtypes.items())
        raise TypeError(f"{op}(): input, weight and bias must have the same dtype, got {listed}")


def _rank(op: str, x: Tensor, w: Tensor, dims: int, layout: str) -> None:
    if w.ndim != dims + 2:
        raise ValueError(
            f"{op}(): weight must have {dims + 2} dims {layout}, got shape {tuple(w.shape)}"
        )
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(
            f"{op}(): expected a {dims + 1}-d (unbatched) or {dims + 2}-d (batched) input, got "
            f"shape {tuple(x.shape)}"
        )


def _groups(op: str, groups: Any) -> int:
    if not is_int(groups) or groups < 1:
        raise ValueError(f"{op}(): groups must be a positive integer, got {groups!r}")
    return int(groups)


def _bias(op: str, bias: Any, channels: int, w: Tensor) -> Tensor | None:
    if bias is None:
        return None
    b = as_tensor(bias, op)
    if b.shape != (channels,):
        raise ValueError(
            f"{op}(): bias must have shape ({channels},) for a weight of shape "
            f"{tuple(w.shape)}, got {tuple(b.shape)}"
        )
    return b


def _batched(x: Tensor, dims: int) -> tuple[Tensor, bool]:
    if x.ndim == dims + 1:
        return x.unsqueeze(0), True
    return x, False


def _same_padding(
    op: str, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if any(s != 1 for s in stride):
        raise ValueError(f"{op}(): padding='same' needs stride 1, got stride={stride}")
    total = tuple(d * (k - 1) for k, d in zip(kernel, dilation))
    lo = tuple(t // 2 for t in total)  # an odd total puts the extra zero after, as PyTorch
    return lo, tuple(t - p for t, p in zip(total, lo))


def _conv(
    dims: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
) -> Tensor:
    op = f"conv{dims}d"
    x, w = as_tensor(input, op), as_tensor(weight, op)
    _rank(op, x, w, dims, "(out_channels, in_channels / groups, *kernel)")
    g = _groups(op, groups)
    b = _bias(op, bias, w.shape[0], w)
    _floating(op, input=x, weight=w, bias=b)
    x, unbatched = _batched(x, dims)
    kernel = tuple(w.shape[2:])
    channels = x.shape[1]
    if w.shape[0] % g:
        raise ValueError(
            f"{op}(): groups={g} must divide the weight's {w.shape[0]} output channels (weight "
            f"of shape {tuple(w.shape)})"
        )
    if channels != w.shape[1] * g:
        raise ValueError(
            f"{op}(): input of shape {tuple(x.shape)} has {channels} channels, but the weight "
            f"of shape {tuple(w.shape)} with groups={g} expects {w.shape[1] * g}"
        )
    s = tuple_arg(op, "stride", stride, dims, 1)
    d = tuple_arg(op, "dilation", dilation, dims, 1)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(
                f"{op}(): padding must be 'same', 'valid' or integers, got {padding!r}"
            )
        lo, hi = _same_padding(op, kernel, s, d) if padding == "same" else ((0,) * dims,) * 2
    else:
        lo = hi = tuple_arg(op, "padding", padding, dims, 0)
    spatial = x.shape[2:]
    small = tuple(
        (n + a + b - dd * (k - 1) - 1) // ss + 1
        for n, a, b, dd, k, ss in zip(spatial, lo, hi, d, kernel, s)
    )
    if any(n + a + b < dd * (k - 1) + 1 for n, a, b, dd, k in zip(spatial, lo, hi, d, kernel)):
        span = tuple(dd * (k - 1) + 1 for dd, k in zip(d, kernel))
        padded = tuple(n + a + b for n, a, b in zip(spatial, lo, hi))
        raise ValueError(
            f"{op}(): the kernel {kernel} (spanning {span} with dilation {d}) is larger than "
            f"the padded input {padded} (input of shape {tuple(x.shape)})"
        )
    grid = Grid(tuple(spatial), small, kernel, s, d, lo, g)
    need = (x.requires_grad, w.requires_grad, b is not None and b.requires_grad)
    data, cols = conv_data(x.data, w.data, grid, None if b is None else b.data)
    keep = cols if need[1] and mode.grad_enabled else None
    parents = (x, w) if b is None else (x, w, b)
    out = make(data, parents, CONV, ConvCtx(grid, need, keep))
    return out.squeeze(0) if unbatched else out


def conv1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
) -> Tensor:
    """1-d convolution (cross-correlation, as PyTorch) of (N, C, L) or (C, L) ``input`` with
    ``weight`` of shape (out_channels, C / groups, k); ``padding``: an int, 'same' or 'valid'."""
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
) -> Tensor:
    """2-d convolution (cross-correlation, as PyTorch) of (N, C, H, W) or (C, H, W) ``input``
    with ``weight`` of shape (out_channels, C / groups, kh, kw); ``padding``: an int, a pair,
    'same' (stride 1; an odd total puts the extra zero after) or 'valid'."""
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(
    dims: int,
    input: Any,
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: Any,
    dilation: Any,
) -> Tensor:
    op = f"conv_transpose{dims}d"
    y, w = as_tensor(input, op), as_tensor(weight, op)
    _rank(op, y, w, dims, "(in_channels, out_channels / groups, *kernel)")
    g = _groups(op, groups)
    b = _bias(op, bias, w.shape[1] * g, w)
    _floating(op, input=y, weight=w, bias=b)
    y, unbatched = _batched(y, dims)
    if w.shape[0] % g:
        raise ValueError(
            f"{op}(): groups={g} must divide the weight's {w.shape[0]} input channels (weight of "
            f"shape {tuple(w.shape)})"
        )
    if y.shape[1] != w.shape[0]:
        raise ValueError(
            f"{op}(): input of shape {tuple(y.shape)} has {y.shape[1]} channels, but the weight "
            f"of shape {tuple(w.shape)} expects {w.shape[0]}"
        )
    s = tuple_arg(op, "stride", stride, dims, 1)
    d = tuple_arg(op, "dilation", dilation, dims, 1)
    p = tuple_arg(op, "padding", padding, dims, 0)
    extra = tuple_arg(op, "output_padding", output_padding, dims, 0)
    if any(e >= ss and e >= dd for e, ss, dd in zip(extra, s, d)):
        raise ValueError(
            f"{op}(): output_padding {extra} must be smaller than the stride {s} or the "
            f"dilation {d}"
        )
    kernel = tuple(w.shape[2:])
    small = tuple(y.shape[2:])
    big = tuple(
        (o - 1) * ss - 2 * pp + dd * (k - 1) + e + 1
        for o, ss, pp, dd, k, e in zip(small, s, p, d, kernel, extra)
    )
    if any(n < 1 for n in big):
        raise ValueError(
            f"{op}(): input of shape {tuple(y.shape)} with kernel {kernel}, stride {s}, "
            f"padding {p} and dilation {d} gives an output of size {big}: not positive"
        )
    grid = Grid(big, small, kernel, s, d, p, g)
    need = (y.requires_grad, w.requires_grad, b is not None and b.requires_grad)
    data = transpose_data(y.data, w.data, grid, None if b is None else b.data)
    parents = (y, w) if b is None else (y, w, b)
    out = make(data, parents, CONV_TRANSPOSE, ConvCtx(grid, need, output_padding=extra))
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: Any = 1,
    dilation: Any = 1,
) -> Tensor:
    """The transpose of conv1d (its gradient with respect to the input), with ``weight`` of
    shape (in_channels, out_channels / groups, k)."""
    return _conv_transpose(
        1, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: Any = 1,
    dilation: Any = 1,
) -> Tensor:
    """The transpose of conv2d (its gradient with respect to the input), with ``weight`` of
    shape (in_channels, out_channels / groups, kh, kw); ``output_padding`` adds rows and
    columns at the end to pick among the input sizes a strided conv2d maps to one size."""
    return _conv_transpose(
        2, input, weight, bias, stride, padding, output_padding, groups, dilation
    )
