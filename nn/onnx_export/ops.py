"""The engine's ops in ONNX: one emitter per op name, each writing the op's ONNX nodes from the
traced step (its ctx holds the op's settings) and the names of its inputs' values.

An emitter is ``emit(builder, step, inputs, parents) -> output value name``. Elementwise ops
cast their inputs to the result's dtype first: the engine promotes dtypes as PyTorch does, while
ONNX wants both operands of an Add alike. Ops without an ONNX form here are refused by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .builder import Builder, ExportError
from .windows import WINDOW_OPS

Emit = Callable[[Builder, Any, list[str], list[Any]], str]

_INT64_MAX = np.iinfo(np.int64).max
_INT64_MIN = np.iinfo(np.int64).min


def _alike(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> list[str]:
    """The inputs cast to the result's dtype."""
    return [b.cast(name, p.dtype, step.dtype) for name, p in zip(ins, parents)]


def _elementwise(op_type: str) -> Emit:
    def emit(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
        return b.node(op_type, _alike(b, step, ins, parents), step.name)

    return emit


def _with_constant(op_type: str, constant_first: bool) -> Emit:
    """``x + c``, ``c - x``...: the constant is the op's ctx."""

    def emit(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
        x = _alike(b, step, ins, parents)[0]
        c = b.scalar(step.ctx, step.dtype)
        return b.node(op_type, [c, x] if constant_first else [x, c], step.name)

    return emit


def _composed(build: Callable[[Builder, str, Any], str]) -> Emit:
    """A unary op written with a few ONNX ops: ``build(builder, x, dtype)``."""

    def emit(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
        return build(b, _alike(b, step, ins, parents)[0], step.dtype)

    return emit


# --- reductions ------------------------------------------------------------------------------


def _axes(keep: tuple[int, ...], shape: tuple[int, ...]) -> list[int]:
    """The reduced axes: where the kept shape has 1 and the input did not."""
    return [i for i, (k, n) in enumerate(zip(keep, shape)) if k != n]


def _finish(b: Builder, value: str, step: Any, parent: Any) -> str:
    """A reduction was written with keepdims: reshape to the result's own rank."""
    if len(step.dims) == len(parent.dims):
        return value
    return b.node("Reshape", [value, b.shape(step.dims, minus_one=True)], step.name)


def _reduce(op_type: str, axes_in_input: bool = False) -> Emit:
    def emit(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
        parent = parents[0]
        if step.ctx is None:  # max()/min() over every element
            axes = list(range(len(parent.dims)))
        else:
            axes = _axes(step.ctx[0], step.ctx[1])
        x = _alike(b, step, ins, parents)[0]
        if not axes:  # only dims of size 1: nothing to add up
            return _finish(b, x, step, parent)
        if axes_in_input:
            value = b.node(op_type, [x, b.ints(axes)], step.name, keepdims=1)
        else:
            value = b.node(op_type, [x], step.name, axes=axes, keepdims=1)
        return _finish(b, value, step, parent)

    return emit


def _reduce_dim(op_type: str) -> Emit:
    """max(dim)/min(dim): ctx is (dim, indices, keepdim, input shape)."""

    def emit(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
        dim = step.ctx[0]
        value = b.node(op_type, ins, step.name, axes=[dim], keepdims=1)
        return _finish(b, value, step, parents[0])

    return emit


def _logsumexp(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    """m + log(sum(exp(x - m))) with m the maximum: no overflow."""
    parent = parents[0]
    axes = _axes(step.ctx[0], step.ctx[1])
    if not axes:
        return _finish(b, ins[0], step, parent)
    top = b.node("ReduceMax", ins, "max", axes=axes, keepdims=1)
    exp = b.node("Exp", [b.node("Sub", [ins[0], top])])
    total = b.node("ReduceSum", [exp, b.ints(axes)], "sum", keepdims=1)
    value = b.node("Add", [top, b.node("Log", [total])], step.name)
    return _finish(b, value, step, parent)


def _variance(root: bool) -> Emit:
    """var/std: ctx is (axes, kept shape, correction); the reduced dims must not follow the
    batch (their count is written as a number)."""

    def emit(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
        parent = parents[0]
        axes = [a % len(parent.dims) for a in step.ctx[0]]
        if any(isinstance(parent.dims[a], tuple) for a in axes):
            raise ExportError(f"{step.name} over the batch dim has no ONNX form here")
        count = int(np.prod([parent.dims[a] for a in axes]))
        mean = b.node("ReduceMean", ins, "mean", axes=axes, keepdims=1)
        deviation = b.node("Sub", [ins[0], mean])
        squares = b.node("Mul", [deviation, deviation])
        total = b.node("ReduceSum", [squares, b.ints(axes)], "sum", keepdims=1)
        divisor = b.scalar(max(count - step.ctx[2], 0), step.dtype)
        value = b.node("Div", [total, divisor], step.name)
        if root:
            value = b.node("Sqrt", [value], step.name)
        return _finish(b, value, step, parent)

    return emit


# --- shapes ------------------------------------------------------------------------------------


def _reshape(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    return b.node("Reshape", [ins[0], b.shape(step.dims, minus_one=True)], step.name)


def _expand(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    return b.node("Expand", [ins[0], b.shape(step.dims)], step.name)


def _permute(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    return b.node("Transpose", ins, step.name, perm=list(step.ctx))


def _cat(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    return b.node("Concat", _alike(b, step, ins, parents), step.name, axis=int(step.ctx[0]))


def _stack(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    axis = int(step.ctx) % len(step.dims)
    parts = [b.node("Unsqueeze", [x, b.ints([axis])]) for x in _alike(b, step, ins, parents)]
    return b.node("Concat", parts, step.name, axis=axis)


def _index(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    """x[key] for keys of integers, slices, None, ... and one integer array (a constant, or an
    integer input of the model, which is then the step's second parent)."""
    key = step.ctx if isinstance(step.ctx, tuple) else (step.ctx,)
    twin = step.twin if isinstance(step.twin, tuple) else (step.twin,)
    ndim = len(parents[0].dims)
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    slices: list[tuple[int, Any]] = []
    ints: list[tuple[int, int]] = []
    arrays: list[tuple[int, Any, Any]] = []
    axis = 0
    for part, other in zip(key, twin):
        if part is Ellipsis:
            axis += ndim - used
        elif part is None:
            continue
        elif isinstance(part, slice):
            if part != slice(None):
                slices.append((axis, part))
            axis += 1
        elif isinstance(part, np.ndarray) and part.ndim > 0:
            if part.dtype == np.bool_:
                raise ExportError(
                    "indexing with a bool mask picks a number of elements that depends on the "
                    "data: it has no fixed ONNX shape"
                )
            arrays.append((axis, part, other))
            axis += 1
        else:
            ints.append((axis, int(part)))
            axis += 1
    if len(arrays) > 1:
        raise ExportError("indexing with several index arrays has no ONNX form here")
    x = ins[0]
    if slices:
        starts, ends, steps = [], [], []
        for _, s in slices:
            stride = 1 if s.step is None else s.step
            starts.append(s.start if s.start is not None else (0 if stride > 0 else _INT64_MAX))
            ends.append(
                s.stop if s.stop is not None else (_INT64_MAX if stride > 0 else _INT64_MIN)
            )
            steps.append(stride)
        axes = [a for a, _ in slices]
        x = b.node("Slice", [x, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)], "slice")
    for a, i in sorted(ints, reverse=True):
        x = b.node("Gather", [x, b.const(np.asarray(i, dtype=np.int64), "index")], "select", axis=a)
    for a, array, other in arrays:
        if len(ins) > 1:  # the model's integer input
            indices = b.cast(ins[1], parents[1].dtype, np.int64)
        elif other is None or not np.array_equal(array, other):
            raise ExportError(
                "an index array computed from the input outside the graph would be frozen into "
                "the ONNX file"
            )
        else:
            indices = b.const(array.astype(np.int64), "indices")
        x = b.node("Gather", [x, indices], "gather", axis=a)
    if len(step.dims) != _rank_after(ndim, slices, ints, arrays):
        x = b.node("Reshape", [x, b.shape(step.dims, minus_one=True)], step.name)
    return x if x != ins[0] else b.node("Identity", [x], step.name)


def _rank_after(ndim: int, slices: list[Any], ints: list[Any], arrays: list[Any]) -> int:
    return ndim - len(ints) + sum(a.ndim - 1 for _, a, _ in arrays)


# --- network ops -------------------------------------------------------------------------------


def _linear(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    """x @ W.T + b: Gemm for a batch of rows, MatMul (+ Add) otherwise."""
    x, w = _alike(b, step, ins[:2], parents[:2])
    bias = _alike(b, step, ins[2:], parents[2:])
    if len(parents[0].dims) == 2:
        return b.node("Gemm", [x, w, *bias], step.name, transB=1)
    product = b.node("MatMul", [x, b.node("Transpose", [w], "weight_t", perm=[1, 0])], step.name)
    return b.node("Add", [product, bias[0]], step.name) if bias else product


def _clamp(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    """ctx: (min number, max number, min is a tensor, max is a tensor)."""
    low, high, low_tensor, high_tensor = step.ctx
    x, *bounds = _alike(b, step, ins, parents)
    dt = step.dtype
    if not low_tensor and not high_tensor:
        lo = "" if low is None else b.scalar(low, dt)
        hi = "" if high is None else b.scalar(high, dt)
        return b.node("Clip", [x, lo, hi], step.name)
    if low_tensor:
        x = b.node("Max", [x, bounds.pop(0)], step.name)
    elif low is not None:
        x = b.node("Max", [x, b.scalar(low, dt)], step.name)
    if high_tensor:
        x = b.node("Min", [x, bounds.pop(0)], step.name)
    elif high is not None:
        x = b.node("Min", [x, b.scalar(high, dt)], step.name)
    return x


def _cast(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    return b.node("Cast", ins, step.name, to=b.elem_type(step.dtype))


def _cumsum(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    x = _alike(b, step, ins, parents)[0]
    return b.node("CumSum", [x, b.const(np.asarray(int(step.ctx), np.int64), "axis")], step.name)


def _refuse_mask(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    raise ExportError(
        f"op {step.name!r} takes its condition as data (a comparison of tensors, which the "
        "graph does not record), so the trace cannot follow it into ONNX. nn.functional's "
        "activations that use it (leaky_relu, elu, relu6, hardtanh, softplus...) are exported "
        "whole when called as F.<name>(x) or through their layers (nn.LeakyReLU...); elsewhere "
        "use clamp, maximum or minimum"
    )


_LOG2, _LOG10 = float(np.log(2.0)), float(np.log(10.0))

OPS: dict[str, Emit] = {
    "+": _elementwise("Add"),
    "-": _elementwise("Sub"),
    "*": _elementwise("Mul"),
    "/": _elementwise("Div"),
    "**": _elementwise("Pow"),
    "maximum": _elementwise("Max"),
    "minimum": _elementwise("Min"),
    "neg": _elementwise("Neg"),
    "+c": _with_constant("Add", False),
    "*c": _with_constant("Mul", False),
    "/c": _with_constant("Div", False),
    "**c": _with_constant("Pow", False),
    "c-": _with_constant("Sub", True),
    "c/": _with_constant("Div", True),
    "c**": _with_constant("Pow", True),
    "log2": _composed(lambda b, x, dt: b.node("Div", [b.node("Log", [x]), b.scalar(_LOG2, dt)])),
    "log10": _composed(lambda b, x, dt: b.node("Div", [b.node("Log", [x]), b.scalar(_LOG10, dt)])),
    "log1p": _composed(lambda b, x, dt: b.node("Log", [b.node("Add", [x, b.scalar(1, dt)])])),
    "exp2": _composed(lambda b, x, dt: b.node("Pow", [b.scalar(2, dt), x], "exp2")),
    "expm1": _composed(lambda b, x, dt: b.node("Sub", [b.node("Exp", [x]), b.scalar(1, dt)])),
    "rsqrt": _composed(lambda b, x, dt: b.node("Reciprocal", [b.node("Sqrt", [x])], "rsqrt")),
    "square": _composed(lambda b, x, dt: b.node("Mul", [x, x], "square")),
    "sum": _reduce("ReduceSum", axes_in_input=True),
    "mean": _reduce("ReduceMean"),
    "amax": _reduce("ReduceMax"),
    "amin": _reduce("ReduceMin"),
    "max": _reduce("ReduceMax"),
    "min": _reduce("ReduceMin"),
    "max(dim)": _reduce_dim("ReduceMax"),
    "min(dim)": _reduce_dim("ReduceMin"),
    "logsumexp": _logsumexp,
    "var": _variance(root=False),
    "std": _variance(root=True),
    "softmax": lambda b, step, ins, parents: b.node("Softmax", ins, "softmax", axis=int(step.ctx)),
    "log_softmax": lambda b, step, ins, parents: b.node(
        "LogSoftmax", ins, "log_softmax", axis=int(step.ctx)
    ),
    "cumsum": _cumsum,
    "reshape": _reshape,
    "expand": _expand,
    "permute": _permute,
    "cat": _cat,
    "stack": _stack,
    "index": _index,
    "linear": _linear,
    "@": _elementwise("MatMul"),
    "clamp": _clamp,
    "to": _cast,
    "clone": lambda b, step, ins, parents: b.node("Identity", ins, "clone"),
    "where": _refuse_mask,
    "masked_fill": _refuse_mask,
    "nan_to_num": _refuse_mask,
}
# one ONNX op each, on inputs of the result's dtype
for _name, _onnx in {
    "exp": "Exp", "log": "Log", "sqrt": "Sqrt", "tanh": "Tanh", "sigmoid": "Sigmoid",
    "relu": "Relu", "abs": "Abs", "erf": "Erf", "reciprocal": "Reciprocal", "sin": "Sin",
    "cos": "Cos", "tan": "Tan", "asin": "Asin", "acos": "Acos", "atan": "Atan", "sinh": "Sinh",
    "cosh": "Cosh", "asinh": "Asinh", "acosh": "Acosh", "atanh": "Atanh", "floor": "Floor",
    "ceil": "Ceil", "round": "Round", "sign": "Sign",
}.items():  # fmt: skip
    OPS[_name] = _elementwise(_onnx)
OPS.update(WINDOW_OPS)


def emit_op(b: Builder, step: Any, ins: list[str], parents: list[Any]) -> str:
    emit = OPS.get(step.name)
    if emit is None:
        mapped = sorted(name for name, e in OPS.items() if e is not _refuse_mask)
        raise ExportError(
            f"op {step.name!r} has no ONNX mapping in nn.export_onnx (the ops it maps: "
            f"{', '.join(mapped)})"
        )
    return emit(b, step, ins, parents)
