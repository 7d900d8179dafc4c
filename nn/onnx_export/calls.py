"""The calls of ``nn.functional`` that the trace records whole, and their ONNX forms.

Most of nn.functional is made of engine ops that the trace follows one by one. A few functions
are not: leaky_relu, elu, hardtanh and their kin choose between two branches with a mask that
the engine keeps as data (a comparison of the input is not a differentiable op, so the graph
does not record it), and embedding reads its integer input as data too. During a trace these
functions of ``nn.functional`` are replaced by recorders that note each call (its result, its
tensor arguments, its settings); the walk then treats the call as one step with an ONNX form of
its own (LeakyRelu, Elu, Clip, Gather...). Layers (nn.LeakyReLU, nn.Embedding...) and user code
both call them as ``F.<name>``, so both are covered.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Tensor

from .. import functional
from ..functional_activations import SELU_ALPHA, SELU_SCALE
from .builder import Builder, ExportError


@dataclass
class Call:
    name: str
    out: Tensor  # held, so that its id is not reused while the trace lives
    tensors: list[Any]  # the tensor arguments, in the order of the step's parents
    settings: dict[str, Any]  # the other arguments


Emit = Callable[[Builder, Any, list[str]], str]


def _softplus(b: Builder, z: str, dtype: Any) -> str:
    """log(1 + exp(z)) written so that it neither overflows nor loses large z:
    relu(z) + log(1 + exp(-|z|))."""
    tail = b.node("Exp", [b.node("Neg", [b.node("Abs", [z])])])
    log = b.node("Log", [b.node("Add", [tail, b.scalar(1, dtype)])])
    return b.node("Add", [b.node("Relu", [z]), log], "softplus")


def _emit_softplus(b: Builder, step: Any, ins: list[str]) -> str:
    beta, threshold = step.ctx.settings["beta"], step.ctx.settings["threshold"]
    dt = step.dtype
    z = ins[0] if beta == 1 else b.node("Mul", [ins[0], b.scalar(beta, dt)])
    soft = _softplus(b, z, dt)
    if beta != 1:
        soft = b.node("Div", [soft, b.scalar(beta, dt)])
    linear = b.node("Greater", [z, b.scalar(threshold, dt)])  # PyTorch's threshold
    return b.node("Where", [linear, ins[0], soft], "softplus")


def _emit_logsigmoid(b: Builder, step: Any, ins: list[str]) -> str:
    negative = b.node("Neg", [ins[0]])
    return b.node("Neg", [_softplus(b, negative, step.dtype)], "logsigmoid")


def _emit_mish(b: Builder, step: Any, ins: list[str]) -> str:
    soft = _softplus(b, ins[0], step.dtype)
    return b.node("Mul", [ins[0], b.node("Tanh", [soft])], "mish")


def _emit_clip(low: str | float, high: str | float) -> Emit:
    """Clip to bounds that are settings of the call (by name) or numbers."""

    def emit(b: Builder, step: Any, ins: list[str]) -> str:
        s = step.ctx.settings
        lo = s[low] if isinstance(low, str) else low
        hi = s[high] if isinstance(high, str) else high
        dt = step.dtype
        return b.node("Clip", [ins[0], b.scalar(lo, dt), b.scalar(hi, dt)], step.name)

    return emit


def _emit_single(op_type: str, **attrs: Callable[[dict[str, Any]], Any]) -> Emit:
    """One ONNX op whose attributes are functions of the call's settings."""

    def emit(b: Builder, step: Any, ins: list[str]) -> str:
        values = {k: f(step.ctx.settings) for k, f in attrs.items()}
        return b.node(op_type, ins, step.name, **values)

    return emit


def _emit_embedding(b: Builder, step: Any, ins: list[str]) -> str:
    if step.ctx.settings["max_norm"] is not None:
        raise ExportError(
            "embedding with max_norm renormalises its weight in place while it runs: it has "
            "no ONNX form; export the model without max_norm"
        )
    weight, indices = ins
    index_dtype = (
        step.ctx.tensors[1].data.dtype if isinstance(step.ctx.tensors[1], Tensor) else None
    )
    if index_dtype is not None and index_dtype != np.int64:
        indices = b.cast(indices, index_dtype, np.int64)
    return b.node("Gather", [weight, indices], "embedding", axis=0)


# name in nn.functional -> (the parameters holding tensors, in the step's parent order; emitter)
CALLS: dict[str, tuple[tuple[str, ...], Emit]] = {
    "relu6": (("x",), _emit_clip(0.0, 6.0)),
    "hardtanh": (("x",), _emit_clip("min_val", "max_val")),
    "hardsigmoid": (("x",), _emit_single("HardSigmoid", alpha=lambda s: 1 / 6, beta=lambda s: 0.5)),
    "hard_sigmoid": (
        ("x",),
        _emit_single("HardSigmoid", alpha=lambda s: 1 / 6, beta=lambda s: 0.5),
    ),
    "hardswish": (("x",), _emit_single("HardSwish")),
    "leaky_relu": (("x",), _emit_single("LeakyRelu", alpha=lambda s: float(s["negative_slope"]))),
    "elu": (("x",), _emit_single("Elu", alpha=lambda s: float(s["alpha"]))),
    "celu": (("x",), _emit_single("Celu", alpha=lambda s: float(s["alpha"]))),
    "selu": (("x",), _emit_single("Selu", alpha=lambda s: SELU_ALPHA, gamma=lambda s: SELU_SCALE)),
    "softplus": (("x",), _emit_softplus),
    "logsigmoid": (("x",), _emit_logsigmoid),
    "mish": (("x",), _emit_mish),
    "embedding": (("weight", "input"), _emit_embedding),
}


def emit_call(b: Builder, step: Any, ins: list[str]) -> str:
    return CALLS[step.name][1](b, step, ins)


@contextmanager
def recording(calls: dict[int, Call]) -> Iterator[None]:
    """Within the block, the functions of CALLS in nn.functional note each call in ``calls``
    (by the id of its result)."""
    saved = {name: getattr(functional, name) for name in CALLS}
    try:
        for name, original in saved.items():
            setattr(functional, name, _recorder(name, original, calls))
        yield
    finally:
        for name, original in saved.items():
            setattr(functional, name, original)


def _recorder(name: str, original: Callable[..., Any], calls: dict[int, Call]) -> Any:
    signature = inspect.signature(original)
    tensor_args = CALLS[name][0]

    @functools.wraps(original)
    def record(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        if isinstance(out, Tensor) and not any(out is a for a in args):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            given = bound.arguments
            settings = {k: v for k, v in given.items() if k not in tensor_args}
            calls[id(out)] = Call(name, out, [given[k] for k in tensor_args], settings)
        return out

    return record
