"""Padding and interpolation: ``pad`` (constant, reflect, replicate, circular) and
``interpolate`` (nearest, nearest-exact, linear, bilinear).

Constant padding is one op whose gradient is constant padding again with the pads negated (a
pad's transpose crops, and a crop's transpose pads with zeros). The other modes and the
interpolations are separable: along each resized dim, output ``j`` is a weighted sum of one or
two input elements at fixed positions (an ``AxisMap``). They are one op, ``resample``, whose
gradient adds each output's gradient back onto those positions (``resample_backward``, whose
own gradient is ``resample`` again).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make
from .common import flag, is_int, is_real

# --- constant padding -----------------------------------------------------------------------------


def _constant_data(x: np.ndarray, pads: tuple[tuple[int, int], ...], value: Any) -> np.ndarray:
    """``x`` with ``pads[i] = (before, after)`` added to its last dims (negative: removed)."""
    lead = x.ndim - len(pads)
    shape = x.shape[:lead] + tuple(n + a + b for n, (a, b) in zip(x.shape[lead:], pads))
    out = np.full(shape, value, dtype=x.dtype) if value else np.zeros(shape, dtype=x.dtype)
    src, dst = [slice(None)] * lead, [slice(None)] * lead
    for n, (a, b) in zip(x.shape[lead:], pads):
        lo, hi = max(-a, 0), n - max(-b, 0)
        src.append(slice(lo, max(hi, lo)))
        dst.append(slice(max(a, 0), max(a, 0) + max(hi - lo, 0)))
    out[tuple(dst)] = x[tuple(src)]
    return out


def _constant_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    pads, _ = ctx
    back = tuple((-a, -b) for a, b in pads)
    if isinstance(g, Tensor):
        return (make(_constant_data(g.data, back, 0), (g,), PAD, (back, 0)),)
    return (_constant_data(g, back, 0),)


def _pad_text(pads: tuple[tuple[int, int], ...], mode: str) -> str:
    flat = [v for pair in reversed(pads) for v in pair]
    return f"pad({tuple(flat)}{'' if mode == 'constant' else ', ' + mode})"


def _call(*args: Any, **kw: Any) -> Any:
    return lambda t, x: t.nn.functional.pad(x, *args, **kw)


PAD = Op(
    "pad",
    _constant_rule,
    factors=("g with the padding cut off",),
    label=lambda ctx: _pad_text(ctx[0], "constant") + ("" if not ctx[1] else f" value={ctx[1]}"),
    checks=[
        check(_call((1, 2)), real(2, 3)),
        check(_call((1, 0, 2, 1), value=1.5), real(2, 3, 4)),
        check(_call((-1, 2, 1, -2, 0, 1)), real(2, 3, 4)),
        check(_call((2, 2, 1, 1)), real(1, 2, 3, 3)),
    ],
)


# --- separable resampling: pad by reflection, replication, wrapping; interpolation ----------------


class AxisMap:
    """Along one dim: output j = sum over t of weight[t][j] * input[index[t][j]]
    (no weights: output j = input[index[0][j]])."""

    __slots__ = ("size", "index", "weight", "sorted")

    def __init__(
        self, size: int, index: Sequence[np.ndarray], weight: Sequence[np.ndarray] | None = None
    ) -> None:
        self.size = size
        self.index = [np.asarray(i, dtype=np.intp) for i in index]
        self.weight = None if weight is None else [np.asarray(w) for w in weight]
        self.sorted = all(bool(np.all(np.diff(i) >= 0)) for i in self.index)

    def apply(self, x: np.ndarray, axis: int) -> np.ndarray:
        if self.weight is None:
            return np.take(x, self.index[0], axis=axis)
        out = None
        for idx, w in zip(self.index, self.weight):
            term = np.take(x, idx, axis=axis) * _along(w.astype(x.dtype), axis, x.ndim)
            out = term if out is None else out.__iadd__(term)
        return out  # type: ignore[return-value]

    def transpose(self, g: np.ndarray, axis: int) -> np.ndarray:
        shape = list(g.shape)
        shape[axis] = self.size
        z = np.zeros(shape, g.dtype)
        for t, idx in enumerate(self.index):
            part = (
                g
                if self.weight is None
                else g * _along(self.weight[t].astype(g.dtype), axis, g.ndim)
            )
            _add_along(z, idx, part, axis, self.sorted)
        return z


def _along(w: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    shape = [1] * ndim
    shape[axis] = len(w)
    return w.reshape(shape)


def _add_along(z: np.ndarray, idx: np.ndarray, part: np.ndarray, axis: int, ordered: bool) -> None:
    """z[..., idx[j], ...] += part[..., j, ...] along ``axis`` (repeats add up)."""
    if len(idx) == 0:
        return
    if ordered:  # runs of equal indices: one reduceat, one assignment
        starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
        sums = np.add.reduceat(part, starts, axis=axis)
        where: list[Any] = [slice(None)] * z.ndim
        where[axis] = idx[starts]
        z[tuple(where)] += sums
        return
    zm, pm = np.moveaxis(z, axis, -1), np.moveaxis(part, axis, -1)
    np.add.at(zm, (..., idx), pm)  # type: ignore[arg-type]


class ResampleCtx:
    __slots__ = ("text", "maps", "shape")

    def __init__(self, text: str, maps: list[tuple[int, AxisMap]], shape: tuple[int, ...]) -> None:
        self.text, self.maps, self.shape = text, maps, shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        for axis, m in reversed(self.maps):  # the last dim first, as PyTorch's kernels
            x = m.apply(x, axis)
        return x

    def backward(self, g: np.ndarray) -> np.ndarray:
        for axis, m in self.maps:
            g = m.transpose(g, axis)
        return g


def _resample_rule(ctx: ResampleCtx, g: Any, out: Any, x: Any) -> tuple[Any]:
    if isinstance(g, Tensor):
        return (make(ctx.backward(g.data), (g,), RESAMPLE_BACKWARD, ctx),)
    return (ctx.backward(g),)


def _resample_backward_rule(ctx: ResampleCtx, g: Any, out: Any, x: Any) -> tuple[Any]:
    if isinstance(g, Tensor):
        return (make(ctx.forward(g.data), (g,), RESAMPLE, ctx),)
    return (ctx.forward(g),)


def _interp(**kw: Any) -> Any:
    return lambda t, x: t.nn.functional.interpolate(x, **kw)


RESAMPLE = Op(
    "resample",
    _resample_rule,
    factors=("g added back onto the elements each output was made of",),
    label=lambda ctx: ctx.text,
    checks=[
        check(_call((1, 2), mode="reflect"), real(2, 5)),
        check(_call((2, 1, 1, 2), mode="reflect"), real(1, 2, 4, 5)),
        check(_call((3, 1, 0, 2), mode="replicate"), real(2, 3, 4)),
        check(_call((1, 1, 1, 1, 2, 0), mode="replicate"), real(1, 1, 3, 3, 3)),
        check(_call((2, 3, 1, 0), mode="circular"), real(1, 2, 3, 4)),
        check(_call((-1, 2), mode="reflect"), real(1, 2, 4)),
        check(_interp(scale_factor=2), real(2, 2, 3, 4)),
        check(_interp(size=(5, 3)), real(1, 2, 4, 4)),
        check(_interp(size=7, mode="nearest-exact"), real(2, 3, 5)),
        check(_interp(scale_factor=1.5, mode="bilinear"), real(1, 2, 3, 4)),
        check(_interp(size=(7, 3), mode="bilinear", align_corners=True), real(2, 1, 4, 5)),
        check(_interp(size=(2, 6), mode="bilinear"), real(1, 2, 5, 4)),
        check(_interp(scale_factor=2.5, mode="linear", align_corners=False), real(2, 2, 4)),
    ],
)

RESAMPLE_BACKWARD = Op(
    "resample_backward",
    _resample_backward_rule,
    factors=("g resampled again",),
    label=lambda ctx: f"{ctx.text} backward",
    tested_by="the second derivatives of resample (its checks: pad and interpolate)",
)


# --- pad ------------------------------------------------------------------------------------------

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_pairs(x: Tensor, pad: Any) -> tuple[tuple[int, int], ...]:
    """``pad`` (left, right of the last dim, then of the dim before, ...) as (before, after)
    pairs for the padded dims in order."""
    if not isinstance(pad, (tuple, list)) or not all(is_int(p) for p in pad):
        raise TypeError(f"pad(): pad must be a tuple of integers, got {pad!r:.40}")
    if len(pad) % 2:
        raise ValueError(
            f"pad(): pad must hold pairs (before, after) per dim, got {len(pad)} numbers"
        )
    if len(pad) // 2 > x.ndim:
        raise ValueError(
            f"pad(): pad {tuple(pad)} pads {len(pad) // 2} dims, but the input of shape "
            f"{tuple(x.shape)} has {x.ndim}"
        )
    pairs = [(int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2)]
    return tuple(reversed(pairs))


def _index(mode: str, n: int, before: int, after: int) -> np.ndarray:
    if mode == "circular":  # wraps what is left after a negative pad cuts
        lo, hi = max(-before, 0), n - max(-after, 0)
        m = hi - lo
        i = np.arange(-max(before, 0), m + max(after, 0))
        return lo + i % m  # type: ignore[no-any-return]
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)  # type: ignore[no-any-return]
    i = np.abs(i)  # reflect: mirror at both ends without repeating the edge
    return np.where(i > n - 1, 2 * (n - 1) - i, i)  # type: ignore[no-any-return]


def pad(input: Any, pad: Any, mode: str = "constant", value: Any = None) -> Tensor:
    """Pad the last dims: ``pad`` = (left, right) for the last dim, then (top, bottom) for the
    one before, and so on; negative amounts cut. ``mode``: 'constant' (``value``, default 0),
    'reflect' (mirror, the edge not repeated), 'replicate' (the edge repeated), 'circular'."""
    x = as_tensor(input, "pad")
    pairs = _pad_pairs(x, pad)
    if mode not in PAD_MODES:
        raise ValueError(f"pad(): mode must be one of {PAD_MODES}, got {mode!r}")
    lead = x.ndim - len(pairs)
    sizes = x.shape[lead:]
    if mode == "constant":
        fill = 0 if value is None else value
        if isinstance(fill, (bool, str, bytes)) or not isinstance(fill, (int, float, np.number)):
            raise TypeError(f"pad(): value must be a number, got {value!r:.40}")
        if any(n + a + b < 0 for n, (a, b) in zip(sizes, pairs)):
            raise ValueError(
                f"pad(): pad {tuple(pad)} cuts more than the input of shape {tuple(x.shape)} holds"
            )
        return make(_constant_data(x.data, pairs, fill), (x,), PAD, (pairs, fill))
    if value not in (None, 0):
        raise ValueError(
            f"pad(): value is only for mode='constant', got value={value!r} with mode={mode!r}"
        )
    k = len(pairs)
    if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise ValueError(
            f"pad(): mode {mode!r} pads the last 1, 2 or 3 dims of a batched or unbatched "
            f"input (pad of length 2 for 2-d or 3-d input, 4 for 3-d or 4-d, 6 for 4-d or 5-d); "
            f"got pad {tuple(pad)} for an input of shape {tuple(x.shape)}"
        )
    for n, (a, b) in zip(sizes, pairs):
        if mode == "reflect" and (a >= n or b >= n):
            raise ValueError(
                f"pad(): reflect padding {(a, b)} must be smaller than the dim it pads ({n}) "
                f"(input of shape {tuple(x.shape)})"
            )
        kept = n - max(-a, 0) - max(-b, 0)
        if mode == "circular" and (kept < 1 or a > kept or b > kept):
            raise ValueError(
                f"pad(): circular padding {(a, b)} would wrap around a dim of size {kept} more "
                f"than once (input of shape {tuple(x.shape)})"
            )
        if n + a + b < 1:
            raise ValueError(
                f"pad(): pad {tuple(pad)} leaves nothing of the input of shape {tuple(x.shape)}"
            )
    maps = [
        (lead + i, AxisMap(n, [_index(mode, n, a, b)]))
        for i, (n, (a, b)) in enumerate(zip(sizes, pairs))
    ]
    ctx = ResampleCtx(_pad_text(pairs, mode), maps, x.shape)
    return make(ctx.forward(x.data), (x,), RESAMPLE, ctx)


# --- interpolate ----------------------------------------------------------------------------------

INTERPOLATE_MODES = {"nearest": 0, "nearest-exact": 0, "linear": 1, "bilinear": 2, "area": 0}


def _scale(n: int, out: int, align: bool, factor: float | None, dtype: Any) -> Any:
    """Input positions per output position (PyTorch's area_pixel_compute_scale)."""
    if align:
        return dtype((n - 1) / (out - 1)) if out > 1 else dtype(0)
    if factor is not None and factor > 0:
        return dtype(1.0) / dtype(factor)
    return dtype(n) / dtype(out)


def _nearest(n: int, out: int, factor: float | None, exact: bool) -> np.ndarray:
    j = np.arange(out, dtype=np.float32)
    scale = _scale(n, out, False, factor, np.float32)  # PyTorch works these out in float32
    src = np.floor((j + np.float32(0.5)) * scale if exact else j * scale)
    return np.minimum(src.astype(np.int64), n - 1)


def _linear(n: int, out: int, align: bool, factor: float | None, dtype: Any) -> AxisMap:
    if out == n:  # PyTorch copies a dim whose size stays, whatever the scale_factor
        return AxisMap(n, [np.arange(n)])
    kind = np.float32 if np.dtype(dtype) == np.float32 else np.float64
    scale = _scale(n, out, align, factor, kind)
    j = np.arange(out, dtype=kind)
    src = j * scale if align else np.maximum((j + kind(0.5)) * scale - kind(0.5), kind(0))
    i0 = np.minimum(src.astype(np.int64), n - 1)
    i1 = i0 + (i0 < n - 1)
    w1 = src - i0.astype(kind)
    return AxisMap(n, [i0, i1], [kind(1) - w1, w1])


def interpolate(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: Any = None,
    recompute_scale_factor: Any = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of (N, C, *spatial) ``input`` to ``size`` (or ``scale_factor``
    times, rounded down). Modes: 'nearest' (PyTorch's: floor(j * in / out)), 'nearest-exact',
    'linear' (3-d input), 'bilinear' (4-d; ``align_corners`` as PyTorch), 'area' (adaptive
    average pooling)."""
    x = as_tensor(input, "interpolate")
    if mode not in INTERPOLATE_MODES:
        raise ValueError(
            f"interpolate(): mode must be one of {tuple(INTERPOLATE_MODES)}, got {mode!r}"
        )
    if flag("interpolate", "antialias", antialias):
        raise ValueError("interpolate(): antialias=True is not supported")
    dims = x.ndim - 2
    if dims < 1 or (INTERPOLATE_MODES[mode] and dims != INTERPOLATE_MODES[mode]):
        need = {1: "3-d (N, C, L)", 2: "4-d (N, C, H, W)"}.get(
            INTERPOLATE_MODES[mode], "(N, C, *spatial)"
        )
        raise ValueError(
            f"interpolate(): mode {mode!r} needs a {need} input, got shape {tuple(x.shape)}"
        )
    if x.dtype.kind != "f" and mode in ("linear", "bilinear", "area"):
        raise TypeError(f"interpolate(): mode {mode!r} needs a floating input, got dtype {x.dtype}")
    linear = mode in ("linear", "bilinear")
    if align_corners is not None:
        if not linear:
            raise ValueError(
                f"interpolate(): align_corners is only for the linear modes, not {mode!r}"
            )
        flag("interpolate", "align_corners", align_corners)
    big = tuple(x.shape[2:])
    factors, small = _sizes(big, size, scale_factor, recompute_scale_factor)
    if mode == "area":
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

        return (adaptive_avg_pool1d if dims == 1 else adaptive_avg_pool2d)(x, small)
    maps = []
    for axis, (n, out, f) in enumerate(zip(big, small, factors)):
        if linear:
            m = _linear(n, out, bool(align_corners), f, x.dtype)
        else:
            m = AxisMap(n, [_nearest(n, out, f, mode == "nearest-exact")])
        maps.append((2 + axis, m))
    text = f"interpolate({mode}, size={small[0] if len(set(small)) == 1 else small}"
    text += ", align_corners)" if align_corners else ")"
    ctx = ResampleCtx(text, maps, x.shape)
    return make(ctx.forward(x.data), (x,), RESAMPLE, ctx)


def _sizes(
    big: tuple[int, ...], size: Any, scale_factor: Any, recompute: Any
) -> tuple[list[float | None], tuple[int, ...]]:
    dims = len(big)
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate(): give either size or scale_factor (exactly one)")
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * dims
        if len(sizes) != dims or not all(is_int(s) and s > 0 for s in sizes):
            raise ValueError(
                f"interpolate(): size must be {dims} positive integers, got {size!r:.40}"
            )
        return [None] * dims, tuple(int(s) for s in sizes)
    factors = (
        tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * dims
    )
    if len(factors) != dims or not all(is_real(f) and f > 0 for f in factors):
        raise ValueError(
            f"interpolate(): scale_factor must be {dims} positive numbers, got {scale_factor!r:.40}"
        )
    small = tuple(int(math.floor(n * float(f))) for n, f in zip(big, factors))
    if any(s < 1 for s in small):
        raise ValueError(
            f"interpolate(): scale_factor {scale_factor} makes an empty output from size {big}"
        )
    if recompute:  # the scale follows from the rounded sizes, as if size had been given
        return [None] * dims, small
    return [float(f) for f in factors], small
