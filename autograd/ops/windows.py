"""Where a convolution's or a pooling's windows lie on its input, and the user's hyper-parameters.

A ``Grid`` describes, per spatial dim, ``small`` windows of ``kernel`` taps placed on an input of
size ``big``: window ``o`` reads input positions ``o * stride + k * dilation - pad`` for
``k < kernel`` (positions outside the input are padding). Convolution, its transpose and its
weight gradient share one grid (the transpose maps ``small`` back to ``big``), and so do a pooling
and its backward. Its methods give strided views of padded arrays: no index arrays, no copies.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .common import is_int


@dataclass(frozen=True)
class Grid:
    big: tuple[int, ...]  # the input's spatial sizes (unpadded)
    small: tuple[int, ...]  # windows per dim (the output's spatial sizes)
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pad: tuple[int, ...]  # padding before the input (after it: ``after``)
    groups: int = 1

    @property
    def dims(self) -> int:
        return len(self.big)

    @functools.cached_property
    def after(self) -> tuple[int, ...]:
        """Padding needed after the input so that the last window fits."""
        return tuple(
            max(0, (o - 1) * s + (k - 1) * d - p - (n - 1))
            for n, o, k, s, d, p in zip(
                self.big, self.small, self.kernel, self.stride, self.dilation, self.pad
            )
        )

    @functools.cached_property
    def padded(self) -> tuple[int, ...]:
        return tuple(p + n + a for p, n, a in zip(self.pad, self.big, self.after))

    @functools.cached_property
    def taps(self) -> int:
        return math.prod(self.kernel)

    def needs_padding(self) -> bool:
        return self._needs_padding

    @functools.cached_property
    def _needs_padding(self) -> bool:
        return any(self.pad) or any(self.after)

    def offsets(self) -> Iterator[tuple[int, ...]]:
        """Every tap of the kernel, in row-major order (PyTorch's scan order)."""
        return itertools.product(*(range(k) for k in self.kernel))

    def tap(self, offset: tuple[int, ...], first: int) -> tuple[slice, ...]:
        """Slices of a padded array whose spatial dims start at axis ``first``: the elements
        tap ``offset`` reads, one per window."""
        return (slice(None),) * first + self._taps[offset]

    @functools.cached_property
    def _taps(self) -> dict[tuple[int, ...], tuple[slice, ...]]:
        return {
            offset: tuple(
                slice(k * d, k * d + (o - 1) * s + 1, s)
                for k, d, o, s in zip(offset, self.dilation, self.small, self.stride)
            )
            for offset in self.offsets()
        }

    @functools.cached_property
    def clipped(self) -> dict[tuple[int, ...], tuple[tuple[slice, ...], tuple[slice, ...], bool]]:
        """Per tap, the part that reads the input rather than padding: (the windows, as slices
        of the output's spatial dims; the input elements they read, as slices of the unpadded
        input; whether those are the whole input)."""
        out = {}
        for offset in self.offsets():
            wins, reads, whole = [], [], True
            for k, n, o, s, d, p in zip(
                offset, self.big, self.small, self.stride, self.dilation, self.pad
            ):
                shift = k * d - p  # window w reads input position w * s + shift
                lo = max(0, (-shift + s - 1) // s)
                hi = min(o, (n - 1 - shift) // s + 1) if n - 1 - shift >= 0 else 0
                hi = max(hi, lo)
                wins.append(slice(lo, hi))
                start = lo * s + shift
                reads.append(slice(start, start + (hi - lo - 1) * s + 1 if hi > lo else start, s))
                whole = whole and s == 1 and hi - lo == n
            out[offset] = (tuple(wins), tuple(reads), whole)
        return out

    def inner(self, first: int) -> tuple[slice, ...]:
        """Slices of a padded array (spatial dims from axis ``first``) that hold the input."""
        return (slice(None),) * first + tuple(slice(p, p + n) for p, n in zip(self.pad, self.big))


# --- padded copies and window views -----------------------------------------------------------


def pad_spatial(x: np.ndarray, grid: Grid, first: int, fill: float = 0.0) -> np.ndarray:
    """``x`` with the grid's padding around its spatial dims (from axis ``first``); ``x``
    itself when none is needed. The copy keeps ``x``'s memory order (channels last stays so)."""
    if not grid.needs_padding():
        return x
    shape = x.shape[:first] + grid.padded + x.shape[first + grid.dims :]
    out = np.full(shape, fill, dtype=x.dtype) if fill else np.zeros(shape, dtype=x.dtype)
    out[grid.inner(first)] = x
    return out


def patches(xp: np.ndarray, grid: Grid) -> np.ndarray:
    """A read-only view (groups, N, *windows, *kernel, C / groups) of a padded channels-last
    array (N, *spatial, C): im2col without copying. Reshaping it copies it once."""
    n, c = xp.shape[0], xp.shape[-1]
    cg = c // grid.groups
    s = xp.strides
    spatial = s[1:-1]
    shape = (grid.groups, n, *grid.small, *grid.kernel, cg)
    strides = (
        cg * s[-1],
        s[0],
        *(st * k for st, k in zip(spatial, grid.stride)),
        *(st * d for st, d in zip(spatial, grid.dilation)),
        s[-1],
    )
    return as_strided(xp, shape, strides, writeable=False)


def channels_last(x: np.ndarray) -> np.ndarray:
    """(N, C, *spatial) viewed as (N, *spatial, C): free, and contiguous when ``x`` was
    produced channels-last (as every convolution here produces its output)."""
    return np.moveaxis(x, 1, -1)


def channels_first(x: np.ndarray) -> np.ndarray:
    return np.moveaxis(x, -1, 1)


# --- the user's hyper-parameters ---------------------------------------------------------------


def tuple_arg(op: str, name: str, value: Any, dims: int, low: int) -> tuple[int, ...]:
    """An int or a tuple of ``dims`` ints, each at least ``low`` (PyTorch's int-or-tuple)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    if len(values) == 1 and dims > 1:
        values = values * dims
    if len(values) != dims or not all(is_int(v) for v in values):
        raise TypeError(
            f"{op}(): {name} must be an integer or a tuple of {dims} integers, got {value!r:.40}"
        )
    if any(v < low for v in values):
        what = "positive" if low == 1 else "non-negative"
        raise ValueError(f"{op}(): {name} must be {what}, got {value!r}")
    return tuple(int(v) for v in values)


def windows(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil: bool) -> int:
    """How many windows fit (PyTorch's formula; in ceil mode the last one must start inside the
    input or its left padding)."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    count = (-(-span // stride) if ceil else span // stride) + 1
    if ceil and (count - 1) * stride >= size + pad:
        count -= 1
    return count


def describe(grid: Grid, name: str, defaults: Sequence[tuple[str, int]] = ()) -> str:
    """A drawing's label: the kernel and the hyper-parameters that differ from the default."""
    kernel = "×".join(str(k) for k in grid.kernel)
    parts = [kernel]
    for field, default in (("stride", 1), ("pad", 0), ("dilation", 1), *defaults):
        value = getattr(grid, field)
        if any(v != default for v in value):
            shown = value[0] if len(set(value)) == 1 else value
            parts.append(f"{'padding' if field == 'pad' else field}={shown}")
    if grid.groups != 1:
        parts.append(f"groups={grid.groups}")
    return f"{name}({', '.join(parts)})"
