"""Pooling: the maximum or the average of each window (max_pool, avg_pool and their adaptive
forms), 1-d and 2-d.

Each pooling is one node. Its backward pass is a linear map of the gradient, declared as an op
of its own whose rule is the pooling again: max pooling routes each window's gradient to the
element that won the window, and the route's gradient takes the values at the winners; average
pooling spreads each window's gradient over the window, and the spread's gradient averages.
So second derivatives work.

Regular windows (kernel, stride, padding, dilation, ceil_mode) are strided views of the padded
input, one per kernel tap: the maximum is a running ``np.maximum`` over the taps and the
backward pass one masked add per tap, with no index arrays. The winner of a window is found
when needed (in backward, or for ``return_indices``) as PyTorch's CPU kernel picks it: the first
largest element in row-major order, the last NaN if the window holds one, and never padding.
Adaptive windows of unequal sizes are gathered with index arrays instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..op import Op, check, distinct, real
from ..tensor import Tensor, as_tensor, make, make_const
from .common import flag, is_int, keep_where
from .windows import Grid, channels_last, pad_spatial, tuple_arg, windows


def _lowest(dtype: np.dtype[Any]) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _copy_like(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    out = np.empty_like(like)
    out[...] = a
    return out


def _zeros(shape: tuple[int, ...], dtype: Any, like: np.ndarray) -> np.ndarray:
    """Zeros of (N, C, *spatial) ``shape`` in the memory order of ``like`` (channels-last
    stays channels-last, so the next convolution reads it without a copy)."""
    if like.ndim > 2 and not like.flags.c_contiguous and channels_last(like).flags.c_contiguous:
        return np.moveaxis(np.zeros((shape[0], *shape[2:], shape[1]), dtype), -1, 1)
    return np.zeros(shape, dtype)


# --- regular windows: one strided view per kernel tap ---------------------------------------------


class Taps:
    """The regular windows of a pooling: a ``Grid`` on (N, C, *spatial) inputs."""

    __slots__ = ("grid", "offsets", "_valid")

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.offsets = list(grid.offsets())
        self._valid: list[Any] | None = None

    def views(self, xp: np.ndarray) -> list[np.ndarray]:
        return [xp[self.grid.tap(o, 2)] for o in self.offsets]

    def pad(self, x: np.ndarray, fill: Any = 0.0) -> np.ndarray:
        return pad_spatial(x, self.grid, 2, fill)

    def crop(self, xp: np.ndarray) -> np.ndarray:
        return xp[self.grid.inner(2)] if self.grid.needs_padding() else xp

    def valid(self) -> list[Any]:
        """Per tap: where it reads the input, not padding (a broadcastable mask; None: all)."""
        if self._valid is None:
            gr, found = self.grid, []
            for offset in self.offsets:
                mask = None
                for axis in range(gr.dims):
                    pos = (
                        np.arange(gr.small[axis]) * gr.stride[axis]
                        + offset[axis] * gr.dilation[axis]
                        - gr.pad[axis]
                    )
                    ok = (pos >= 0) & (pos < gr.big[axis])
                    if not ok.all():
                        shape = [1] * (2 + gr.dims)
                        shape[2 + axis] = len(ok)
                        mask = ok.reshape(shape) if mask is None else mask & ok.reshape(shape)
                found.append(mask)
            self._valid = found
        return self._valid

    def winners(self, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Each window's winning tap, as PyTorch picks it."""
        views = self.views(self.pad(x, _lowest(x.dtype)))
        kmap = np.zeros(out.shape, np.int16 if len(views) < 2**15 else np.int64)
        valid = self.valid()
        for t in range(len(views) - 1, -1, -1):  # the first tap holding the maximum wins
            hit = views[t] == out
            if valid[t] is not None:
                hit &= valid[t]
            np.copyto(kmap, t, where=hit)
        if out.dtype.kind == "f":
            nan = np.isnan(out)
            if nan.any():  # PyTorch's scan lets every NaN take the place: the last one stays
                for t, view in enumerate(views):
                    np.copyto(kmap, t, where=nan & np.isnan(view))
        return kmap

    def take(self, x: np.ndarray, kmap: np.ndarray) -> np.ndarray:
        views = self.views(self.pad(x))
        out = views[0].copy(order="K")
        for t in range(1, len(views)):
            np.copyto(out, views[t], where=kmap == t)
        return out

    def route(self, g: np.ndarray, kmap: np.ndarray, like: np.ndarray) -> np.ndarray:
        """Each window's gradient added onto its winning tap (``like``: the input's layout)."""
        buf = _zeros((*like.shape[:2], *self.grid.padded), g.dtype, like)
        for t, view in enumerate(self.views(buf)):
            np.add(view, g, out=view, where=kmap == t)
        return self.crop(buf)

    def tiles(self) -> bool:
        """Windows side by side, without padding or overlap (each element in one at most)."""
        gr = self.grid
        return (
            not gr.needs_padding() and gr.stride == gr.kernel and all(d == 1 for d in gr.dilation)
        )

    def route_tiles(self, g: np.ndarray, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``route`` for tiling windows, without finding the winners first: per tap, the
        windows it wins (it holds the maximum and no earlier tap did) take g, the others 0,
        written branch-free (masked NumPy operations, ``where=``, take several times longer).
        ``out`` must be NaN-free (a NaN equals nothing)."""
        gr = self.grid
        if g.flags.c_contiguous != out.flags.c_contiguous:  # one layout (the input's) for all
            g = _copy_like(g, out)
        covered = all(o * k == n for o, k, n in zip(gr.small, gr.kernel, gr.big))
        dx = (np.empty_like if covered else np.zeros_like)(x)  # the input's memory order
        taken = None
        views, targets = self.views(x), self.views(dx)
        for t, (view, target) in enumerate(zip(views, targets)):
            hit = view == out
            if taken is None:
                taken = hit  # (changed below only once its product is written)
            else:
                hit &= ~taken
                if t < len(views) - 1:
                    taken |= hit
            keep_where(g, hit, out=target)
        return dx

    def flat(self, kmap: np.ndarray) -> np.ndarray:
        """Winners as PyTorch's indices: flat positions in each (unpadded) input plane."""
        gr = self.grid
        taps = np.unravel_index(kmap, gr.kernel)
        flat = np.zeros(kmap.shape, np.int64)
        for axis in range(gr.dims):
            shape = [1] * kmap.ndim
            shape[2 + axis] = gr.small[axis]
            start = (np.arange(gr.small[axis]) * gr.stride[axis] - gr.pad[axis]).reshape(shape)
            flat = flat * gr.big[axis] + start + taps[axis] * gr.dilation[axis]
        return flat

    def total(self, x: np.ndarray) -> np.ndarray:
        views = self.views(self.pad(x))
        out = views[0].copy(order="K")
        for view in views[1:]:
            out += view
        return out

    def spread(self, g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        buf = _zeros((*shape[:2], *self.grid.padded), g.dtype, g)
        for view in self.views(buf):
            view += g
        return self.crop(buf)


# --- adaptive windows of unequal sizes: gathered by index arrays ----------------------------------


class Gathered:
    """Adaptive windows: output ``o`` of a dim of size ``n`` covers [o n / out, (o+1) n / out).
    The windows are gathered as (N, C, *out, taps), short ones padded with repeats of their last
    element (which change no maximum and are masked out of sums)."""

    __slots__ = ("big", "small", "index", "flat_pos", "valid", "count")

    def __init__(self, big: tuple[int, ...], small: tuple[int, ...]) -> None:
        self.big, self.small = big, small
        dims = len(big)
        index, flat, valid, count = [], np.zeros((), np.int64), np.ones((), bool), np.ones(())
        for axis, (n, o) in enumerate(zip(big, small)):
            start = np.arange(o) * n // o
            length = -(-(np.arange(1, o + 1) * n) // o) - start
            k = np.arange(int(length.max(initial=1)))
            pos = start[:, None] + np.minimum(k, length[:, None] - 1)
            shape = [1] * (2 * dims)
            shape[axis], shape[dims + axis] = o, len(k)
            index.append(pos.reshape(shape))
            flat = flat * n + pos.reshape(shape)
            valid = valid & (k < length[:, None]).reshape(shape)
            count = count * length.reshape(shape[:dims])
        self.index = tuple(index)
        self.flat_pos = flat.reshape(*small, -1)
        self.valid = np.broadcast_to(valid, flat.shape).reshape(*small, -1)
        self.count = count

    def gather(self, x: np.ndarray) -> np.ndarray:
        return x[(slice(None), slice(None)) + self.index].reshape(*x.shape[:2], *self.small, -1)

    def winners(self, x: np.ndarray) -> np.ndarray:
        """Flat positions of each window's winner (first maximum; last NaN)."""
        vals = self.gather(x)
        arg = np.argmax(vals, axis=-1)
        if vals.dtype.kind == "f":
            nan = np.isnan(vals)
            some = nan.any(axis=-1)
            if some.any():
                last = nan.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
                arg = np.where(some, last, arg)
        pos = np.broadcast_to(self.flat_pos, vals.shape)
        return np.take_along_axis(pos, arg[..., None], axis=-1)[..., 0]

    def total(self, x: np.ndarray) -> np.ndarray:
        return np.where(self.valid, self.gather(x), 0).sum(axis=-1)  # type: ignore[no-any-return]

    def spread(self, g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        vals = np.where(self.valid, g[..., None], 0)
        return _scatter(vals, np.broadcast_to(self.flat_pos, vals.shape), shape)


def _scatter(vals: np.ndarray, flat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of (N, C, *spatial) ``shape`` with ``vals`` added at flat positions per plane."""
    planes = shape[0] * shape[1]
    z = np.zeros((planes, math.prod(shape[2:])), vals.dtype)
    np.add.at(z, (np.arange(planes)[:, None], flat.reshape(planes, -1)), vals.reshape(planes, -1))
    return z.reshape(shape)


def _take(x: np.ndarray, flat: np.ndarray) -> np.ndarray:
    planes = x.shape[0] * x.shape[1]
    got = np.take_along_axis(x.reshape(planes, -1), flat.reshape(planes, -1), axis=1)
    return got.reshape(flat.shape)


# --- max pooling ----------------------------------------------------------------------------------


class MaxCtx:
    """A max pooling's windows and, once known, its winners (tap numbers for regular windows,
    flat positions for gathered ones). Its route and take nodes share it."""

    __slots__ = ("text", "shape", "windows", "kmap", "flat")

    def __init__(self, text: str, shape: tuple[int, ...], windows: Taps | Gathered) -> None:
        self.text, self.shape, self.windows = text, shape, windows
        self.kmap: np.ndarray | None = None
        self.flat: np.ndarray | None = None

    def find(self, x: np.ndarray, out: np.ndarray) -> None:
        if isinstance(self.windows, Taps):
            if self.kmap is None:
                self.kmap = self.windows.winners(x, out)
        elif self.flat is None:
            self.flat = self.windows.winners(x)

    def indices(self) -> np.ndarray:
        if isinstance(self.windows, Taps):
            assert self.kmap is not None
            return self.windows.flat(self.kmap)
        assert self.flat is not None
        return self.flat

    def route(self, g: np.ndarray, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The gradient of the input (of the input's layout) from ``g``, the output's."""
        w = self.windows
        if isinstance(w, Taps):
            if self.kmap is None and w.tiles() and not _has_nan(out):
                return w.route_tiles(g, x, out)
            self.find(x, out)
            return w.route(g, self.kmap, x)  # type: ignore[arg-type]
        self.find(x, out)
        return _scatter(g, self.flat, self.shape)  # type: ignore[arg-type]

    def take(self, x: np.ndarray) -> np.ndarray:
        if isinstance(self.windows, Taps):
            return self.windows.take(x, self.kmap)  # type: ignore[arg-type]
        return _take(x, self.flat)  # type: ignore[arg-type]


def _max_rule(ctx: MaxCtx, g: Any, out: Any, x: Any) -> tuple[Any]:
    xd, od = (x.data, out.data) if isinstance(x, Tensor) else (x, out)
    if isinstance(g, Tensor):
        ctx.find(xd, od)
        return (make(ctx.route(g.data, xd, od), (g,), MAX_ROUTE, ctx),)
    return (ctx.route(g, xd, od),)


def _route_rule(ctx: MaxCtx, g: Any, out: Any, x: Any) -> tuple[Any]:
    if isinstance(g, Tensor):
        return (make(ctx.take(g.data), (g,), MAX_POOL, ctx),)
    return (ctx.take(g),)


def _has_nan(a: np.ndarray) -> bool:
    return a.dtype.kind == "f" and bool(np.isnan(a).any())


def _call(name: str, *args: Any, **kw: Any) -> Any:
    return lambda t, x: getattr(t.nn.functional, name)(x, *args, **kw)


MAX_POOL = Op(
    "max_pool",
    _max_rule,
    saves="x out",
    factors=("g routed to each window's largest element",),
    label=lambda ctx: ctx.text,
    checks=[
        check(_call("max_pool2d", 2), distinct(2, 3, 4, 6)),
        check(_call("max_pool2d", 3, 2, 1), distinct(1, 2, 7, 6)),
        check(_call("max_pool2d", (2, 3), (1, 2), (1, 0), (2, 1), True), distinct(2, 2, 6, 7)),
        check(_call("max_pool2d", 2, ceil_mode=True), distinct(1, 2, 5, 5)),
        check(_call("max_pool2d", 3, 1, dilation=2), distinct(3, 7, 7)),
        check(_call("max_pool1d", 3, 2, 1, ceil_mode=True), distinct(2, 3, 8)),
        check(_call("adaptive_max_pool2d", (3, 2)), distinct(2, 2, 7, 5)),
        check(_call("adaptive_max_pool2d", 2), distinct(1, 3, 6, 4)),
        check(_call("adaptive_max_pool1d", 4), distinct(2, 2, 6)),
    ],
)

MAX_ROUTE = Op(
    "max_pool_backward",
    _route_rule,
    factors=("g taken at each window's largest element",),
    label=lambda ctx: f"{ctx.text} backward",
    tested_by="the second derivatives of max_pool (its checks)",
)


def _spatial(op: str, x: Tensor, dims: int) -> tuple[Tensor, bool]:
    """(N, C, *spatial) with N added for an unbatched input; True if it was added."""
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(
            f"{op}(): expected a {dims + 1}-d (unbatched) or {dims + 2}-d (batched) input, got "
            f"shape {tuple(x.shape)}"
        )
    if any(n == 0 for n in x.shape[-dims:]):
        raise ValueError(f"{op}(): input of shape {tuple(x.shape)} has an empty spatial dim")
    if x.ndim == dims + 1:
        return x.unsqueeze(0), True
    return x, False


def _grid(
    op: str,
    x: Tensor,
    dims: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: Any,
) -> Grid:
    k = tuple_arg(op, "kernel_size", kernel_size, dims, 1)
    none = stride is None or (isinstance(stride, (tuple, list)) and not stride)
    s = k if none else tuple_arg(op, "stride", stride, dims, 1)
    p = tuple_arg(op, "padding", padding, dims, 0)
    d = tuple_arg(op, "dilation", dilation, dims, 1)
    ceil = flag(op, "ceil_mode", ceil_mode)
    if any(2 * pp > kk for pp, kk in zip(p, k)):
        raise ValueError(f"{op}(): padding {p} must be at most half of the kernel size {k}")
    big = tuple(x.shape[2:])
    small = tuple(windows(*args, ceil) for args in zip(big, k, s, p, d))
    if any(o < 1 for o in small):
        raise ValueError(
            f"{op}(): input of shape {tuple(x.shape)} is too small for kernel {k} with stride "
            f"{s}, padding {p} and dilation {d}: the output would have size {small}"
        )
    return Grid(big, small, k, s, d, p)


def _pool_text(op: str, grid: Grid, ceil: bool, extra: str = "") -> str:
    parts = ["×".join(map(str, grid.kernel))]
    if grid.stride != grid.kernel:
        parts.append(f"stride={_short(grid.stride)}")
    if any(grid.pad):
        parts.append(f"padding={_short(grid.pad)}")
    if any(d != 1 for d in grid.dilation):
        parts.append(f"dilation={_short(grid.dilation)}")
    if ceil:
        parts.append("ceil_mode")
    return f"{op}({', '.join(parts)}{extra})"


def _short(values: tuple[int, ...]) -> Any:
    return values[0] if len(set(values)) == 1 else values


def _finish(out: Tensor, unbatched: bool) -> Tensor:
    return out.squeeze(0) if unbatched else out


def _max_pool(
    dims: int,
    input: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: Any,
    return_indices: Any,
) -> Any:
    op = f"max_pool{dims}d"
    x, unbatched = _spatial(op, as_tensor(input, op), dims)
    grid = _grid(op, x, dims, kernel_size, stride, padding, dilation, ceil_mode)
    indices = flag(op, "return_indices", return_indices)
    taps = Taps(grid)
    views = taps.views(taps.pad(x.data, _lowest(x.dtype)))
    data = views[0].copy(order="K")
    for view in views[1:]:
        np.maximum(data, view, out=data)
    ctx = MaxCtx(_pool_text(op, grid, bool(ceil_mode)), x.shape, taps)
    out = _finish(make(data, (x,), MAX_POOL, ctx), unbatched)
    if not indices:
        return out
    ctx.find(x.data, data)
    return out, _finish(make_const(ctx.indices()), unbatched)


def max_pool1d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The largest element of each window of (N, C, L) or (C, L) ``input``."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The largest element of each window of (N, C, H, W) or (C, H, W) ``input``; stride
    defaults to the kernel size. The gradient goes to the element PyTorch picks (the first
    largest in row-major order; with ``return_indices=True``, its flat index per plane)."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _output_size(op: str, output_size: Any, big: tuple[int, ...]) -> tuple[int, ...]:
    dims = len(big)
    values = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * dims
    if len(values) != dims or not all(v is None or is_int(v) for v in values):
        raise TypeError(
            f"{op}(): output_size must be an integer or a tuple of {dims} integers (or None), "
            f"got {output_size!r:.40}"
        )
    sizes = tuple(n if v is None else int(v) for v, n in zip(values, big))
    if any(s < 1 for s in sizes):
        raise ValueError(f"{op}(): output_size must be positive, got {output_size!r}")
    return sizes


def _adaptive(op: str, x: Tensor, output_size: Any) -> tuple[Taps | Gathered, str]:
    big = tuple(x.shape[2:])
    small = _output_size(op, output_size, big)
    text = f"{op}({_short(small)})"
    if all(n % o == 0 for n, o in zip(big, small)):  # equal windows: the fast regular path
        k = tuple(n // o for n, o in zip(big, small))
        return Taps(Grid(big, small, k, k, (1,) * len(big), (0,) * len(big))), text
    return Gathered(big, small), text


def _adaptive_max(dims: int, input: Any, output_size: Any, return_indices: Any) -> Any:
    op = f"adaptive_max_pool{dims}d"
    x, unbatched = _spatial(op, as_tensor(input, op), dims)
    indices = flag(op, "return_indices", return_indices)
    windows_, text = _adaptive(op, x, output_size)
    ctx = MaxCtx(text, x.shape, windows_)
    if isinstance(windows_, Taps):
        views = windows_.views(x.data)
        data = views[0].copy(order="K")
        for view in views[1:]:
            np.maximum(data, view, out=data)
    else:
        ctx.flat = windows_.winners(x.data)
        data = _take(x.data, ctx.flat)
    out = _finish(make(data, (x,), MAX_POOL, ctx), unbatched)
    if not indices:
        return out
    ctx.find(x.data, data)
    return out, _finish(make_const(ctx.indices()), unbatched)


def adaptive_max_pool1d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """The largest element of each of ``output_size`` windows per plane; window ``i`` of a
    dim of size n covers [floor(i n / out), ceil((i + 1) n / out))."""
    return _adaptive_max(2, input, output_size, return_indices)


# --- average pooling ------------------------------------------------------------------------------


class AvgCtx:
    """An average pooling's windows and divisors (per window, or one number)."""

    __slots__ = ("text", "shape", "windows", "divisor")

    def __init__(
        self, text: str, shape: tuple[int, ...], windows: Taps | Gathered, divisor: Any
    ) -> None:
        self.text, self.shape, self.windows, self.divisor = text, shape, windows, divisor

    def average(self, x: np.ndarray) -> np.ndarray:
        total = self.windows.total(x)
        if total.dtype.kind != "f":  # integer pooling divides as C does: toward zero
            return np.trunc(total / self.divisor).astype(total.dtype)  # type: ignore[no-any-return]
        total /= np.asarray(self.divisor, total.dtype)
        return total

    def spread(self, g: np.ndarray) -> np.ndarray:
        return self.windows.spread(g / np.asarray(self.divisor, g.dtype), self.shape)


def _avg_rule(ctx: AvgCtx, g: Any, out: Any, x: Any) -> tuple[Any]:
    if isinstance(g, Tensor):
        return (make(ctx.spread(g.data), (g,), AVG_SPREAD, ctx),)
    return (ctx.spread(g),)


def _spread_rule(ctx: AvgCtx, g: Any, out: Any, x: Any) -> tuple[Any]:
    if isinstance(g, Tensor):
        return (make(ctx.average(g.data), (g,), AVG_POOL, ctx),)
    return (ctx.average(g),)


AVG_POOL = Op(
    "avg_pool",
    _avg_rule,
    factors=("g / window size, spread over the window",),
    label=lambda ctx: ctx.text,
    checks=[
        check(_call("avg_pool2d", 2), real(2, 3, 4, 6)),
        check(_call("avg_pool2d", 3, 2, 1), real(1, 2, 7, 6)),
        check(_call("avg_pool2d", 3, 2, 1, count_include_pad=False), real(2, 1, 6, 7)),
        check(_call("avg_pool2d", (2, 3), (2, 1), (1, 1), True), real(1, 2, 5, 6)),
        check(_call("avg_pool2d", 3, 2, 1, True, False), real(1, 2, 6, 6)),
        check(_call("avg_pool2d", 2, divisor_override=3), real(3, 4, 4)),
        check(_call("avg_pool1d", 3, 2, 1, ceil_mode=True), real(2, 3, 8)),
        check(_call("adaptive_avg_pool2d", (3, 2)), real(2, 2, 7, 5)),
        check(_call("adaptive_avg_pool2d", (None, 3)), real(1, 3, 4, 6)),
        check(_call("adaptive_avg_pool1d", 4), real(2, 2, 6)),
    ],
)

AVG_SPREAD = Op(
    "avg_pool_backward",
    _spread_rule,
    factors=("g averaged over the window",),
    label=lambda ctx: f"{ctx.text} backward",
    tested_by="the second derivatives of avg_pool (its checks)",
)


def _divisor(grid: Grid, include_pad: bool) -> np.ndarray:
    """PyTorch's divisor per window: its size inside the padded input (with the padding) or
    inside the input (without); a ceil-mode window hanging past the padding counts less."""
    out = np.ones(())
    for axis in range(grid.dims):
        n, k, s, p = grid.big[axis], grid.kernel[axis], grid.stride[axis], grid.pad[axis]
        start = np.arange(grid.small[axis]) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start if include_pad else np.minimum(end, n) - np.maximum(start, 0)
        out = np.multiply.outer(out, size)
    return out


def _avg_pool(
    dims: int,
    input: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: Any,
    count_include_pad: Any,
    divisor_override: Any,
) -> Tensor:
    op = f"avg_pool{dims}d"
    x, unbatched = _spatial(op, as_tensor(input, op), dims)
    grid = _grid(op, x, dims, kernel_size, stride, padding, 1, ceil_mode)
    include = flag(op, "count_include_pad", count_include_pad)
    if divisor_override is not None:
        if not is_int(divisor_override) or divisor_override < 1:
            raise ValueError(
                f"{op}(): divisor_override must be a positive integer, got {divisor_override!r}"
            )
        divisor: Any = int(divisor_override)
    else:
        divisor = _divisor(grid, include)
        if np.all(divisor == divisor.flat[0]):
            divisor = divisor.flat[0]
    extra = "" if include or not any(grid.pad) else ", count_include_pad=False"
    ctx = AvgCtx(_pool_text(op, grid, bool(ceil_mode), extra), x.shape, Taps(grid), divisor)
    return _finish(make(ctx.average(x.data), (x,), AVG_POOL, ctx), unbatched)


def avg_pool1d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Tensor:
    """The mean of each window of (N, C, H, W) or (C, H, W) ``input``, with PyTorch's
    divisors: padding counts unless ``count_include_pad=False``, a ceil-mode window hanging
    past the padding divides by what it covers, ``divisor_override`` replaces both."""
    return _avg_pool(
        2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def _adaptive_avg(dims: int, input: Any, output_size: Any) -> Tensor:
    op = f"adaptive_avg_pool{dims}d"
    x, unbatched = _spatial(op, as_tensor(input, op), dims)
    windows_, text = _adaptive(op, x, output_size)
    divisor = windows_.grid.taps if isinstance(windows_, Taps) else windows_.count
    ctx = AvgCtx(text, x.shape, windows_, divisor)
    return _finish(make(ctx.average(x.data), (x,), AVG_POOL, ctx), unbatched)


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """The mean of each of ``output_size`` windows per plane (None keeps a dim's size);
    window ``i`` of a dim of size n covers [floor(i n / out), ceil((i + 1) n / out))."""
    return _adaptive_avg(2, input, output_size)
