"""Convolution, pooling, padding and resampling in ONNX, read from the ops' recorded windows.

A convolution's or pooling's ctx holds its ``Grid``: kernel, stride, dilation, the padding
before the input and the padding after it that the last window needs. Written as ONNX with
exactly those pads, the output has exactly the engine's size, ceil_mode included. Poolings over
padding pad first (with the lowest number for max, zeros for average) and then pool without
pads; an average is rescaled by the engine's own divisors (count_include_pad=False, ceil_mode
and divisor_override all show up only there). Adaptive poolings whose windows are unequal, and
every resampling (reflect/replicate/circular padding, nearest and linear interpolation) are
gathers of fixed positions with fixed weights, which ONNX's Gather writes exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .builder import Builder, ExportError


def _grid_attrs(grid: Any) -> dict[str, Any]:
    return {
        "kernel_shape": list(grid.kernel),
        "strides": list(grid.stride),
        "dilations": list(grid.dilation),
    }


def _conv(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    grid = step.ctx.grid
    pads = list(grid.pad) + list(grid.after)
    return b.node("Conv", ins, "conv", pads=pads, group=grid.groups, **_grid_attrs(grid))


def _conv_transpose(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    grid = step.ctx.grid
    extra = list(step.ctx.output_padding or (0,) * grid.dims)
    return b.node(
        "ConvTranspose",
        ins,
        "conv_transpose",
        pads=list(grid.pad) * 2,
        output_padding=extra,
        group=grid.groups,
        **_grid_attrs(grid),
    )


def _padded(b: Builder, x: str, grid: Any, fill: Any, dtype: Any) -> str:
    """x with the grid's padding before and after its spatial dims (none: x itself)."""
    if not grid.needs_padding():
        return x
    pads = [0, 0, *grid.pad, 0, 0, *grid.after]
    return b.node("Pad", [x, b.ints(pads), b.scalar(fill, dtype)], "pad", mode="constant")


def _lowest(dtype: Any) -> Any:
    dt = np.dtype(dtype)
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _max_pool(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    windows = step.ctx.windows
    if not hasattr(windows, "grid"):  # unequal adaptive windows
        gathered = _gather_windows(b, ins[0], windows, parents[0])
        return b.node("ReduceMax", [gathered], "adaptive_max_pool", axes=[-1], keepdims=0)
    grid = windows.grid
    x = _padded(b, ins[0], grid, _lowest(step.dtype), step.dtype)
    return b.node("MaxPool", [x], "max_pool", **_grid_attrs(grid))


def _avg_pool(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    windows, divisor = step.ctx.windows, np.asarray(step.ctx.divisor, dtype=step.dtype)
    if not hasattr(windows, "grid"):
        gathered = _gather_windows(b, ins[0], windows, parents[0])
        valid = b.const(windows.valid.astype(step.dtype), "valid")
        total = b.node("ReduceSum", [b.node("Mul", [gathered, valid]), b.ints([-1])], keepdims=0)
        return b.node("Div", [total, b.const(divisor, "divisor")], "adaptive_avg_pool")
    grid = windows.grid
    if any(d != 1 for d in grid.dilation):
        raise ExportError("avg_pool with dilation has no ONNX form in opset 17")
    x = _padded(b, ins[0], grid, 0, step.dtype)
    attrs = _grid_attrs(grid)
    del attrs["dilations"]
    mean = b.node("AveragePool", [x], "avg_pool", **attrs)
    taps = float(grid.taps)
    if divisor.ndim == 0 and float(divisor) == taps:
        return mean
    rescale = b.const((taps / divisor).astype(step.dtype), "rescale")  # sum / the engine's divisor
    return b.node("Mul", [mean, rescale], "avg_pool")


def _gather_windows(b: Builder, x: str, windows: Any, parent: Any) -> str:
    """(N, C, *big) -> (N, C, *small, taps): each output's window, short ones padded with
    repeats of their last element."""
    rows = b.node("Reshape", [x, b.ints([0, 0, -1])], "planes")
    positions = b.const(windows.flat_pos.astype(np.int64), "window_positions")
    return b.node("Gather", [rows, positions], "windows", axis=2)


def _resample(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    """Along each resampled dim, output j = sum_t weight_t[j] * input[index_t[j]]."""
    x = ins[0]
    ndim = len(step.dims)
    for axis, m in reversed(step.ctx.maps):  # the last dim first, as the engine applies them
        terms = []
        for t, index in enumerate(m.index):
            taken = b.node("Gather", [x, b.const(index.astype(np.int64), "positions")], axis=axis)
            if m.weight is not None:
                shape = [1] * ndim
                shape[axis] = len(m.weight[t])
                weight = b.const(m.weight[t].astype(step.dtype).reshape(shape), "weights")
                taken = b.node("Mul", [taken, weight])
            terms.append(taken)
        x = terms[0] if len(terms) == 1 else b.node("Sum", terms, "resample")
    return x


def _pad(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    """Constant padding: ctx is ((before, after) for each of the last dims, value); negative
    amounts crop, as in ONNX."""
    amounts, value = step.ctx
    lead = len(step.dims) - len(amounts)
    pads = [0] * lead + [a for a, _ in amounts] + [0] * lead + [z for _, z in amounts]
    fill = b.scalar(value or 0, step.dtype)
    return b.node("Pad", [ins[0], b.ints(pads), fill], "pad", mode="constant")


WINDOW_OPS = {
    "conv": _conv,
    "conv_transpose": _conv_transpose,
    "max_pool": _max_pool,
    "avg_pool": _avg_pool,
    "resample": _resample,
    "pad": _pad,
}
