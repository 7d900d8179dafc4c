"""dagrad's scalar engine on S1-S3: as a dagrad user writes it (a neuron is one ``value_dot``
node, as ``nn.scalar`` builds it; sums with ``value_sum``), and for reference as micrograd's demo
is written (one node per product and addition), with and without the cycle collector; and S1's
loss function under ``autograd.compile``, written both ways, each checked against its eager
twin (the same losses and accuracies at every step)."""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import version
from typing import Any

import autograd
from autograd import Value, gc_paused, value_dot, value_sum

from ..scalar import Graph


def _constant(x: float) -> Value:
    return Value(x, requires_grad=False)


def _parents(node: Value) -> tuple[Any, ...]:
    return node._parents


_compile = getattr(autograd, "compile", None)
_MISSING = None if _compile else "not available: autograd.compile does not exist yet"
PER_OP = Graph("dagrad Value, per op", version("dagrad"), Value, _constant, _parents)
DOT = replace(PER_OP, label="dagrad Value", dot=value_dot, total=value_sum)

ENGINES = {
    "dagrad_value": DOT,
    "dagrad_value_per_op": PER_OP,
    # the engine's setting for scalar loops: its graphs hold no reference cycles, so pausing
    # Python's cycle collector changes no number (micrograd's graphs are cycles: not for it)
    "dagrad_value_gc_paused": replace(PER_OP, label=f"{PER_OP.label}, gc_paused", wrap=gc_paused()),
    # S1 written per op, as micrograd's demo, its loss function recorded once and replayed
    "dagrad_value_compiled": replace(
        PER_OP,
        label=f"{PER_OP.label}, compiled",
        compile=_compile,
        missing=_MISSING,
        workloads=("S1",),
        eager="dagrad_value_per_op",
    ),
    # the same with each neuron one value_dot node
    "dagrad_value_dot_compiled": replace(
        DOT,
        label=f"{DOT.label}, compiled",
        compile=_compile,
        missing=_MISSING,
        workloads=("S1",),
        eager="dagrad_value",
    ),
}
