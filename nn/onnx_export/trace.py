"""Tracing a model's forward pass: run it, then walk the graph the engine recorded.

The model runs twice: on the example input, and on the example with one more row (its first row
again). The two graphs must have the same ops in the same order; where a tensor's size differs
between the runs, that dim follows the batch size (``slope * batch + intercept``: a flattened
batch of 4-feature rows has 4 * batch elements), and the ONNX file leaves it open. A leaf that
is neither an input nor one of the model's parameters or buffers is a constant of the file;
if its numbers differ between the two runs it was computed from the input outside the graph
(``.detach()``, ``.data``, NumPy), and the export is refused rather than freezing it.

The walk is iterative (an explicit stack), as every walk over a graph in dagrad.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Tensor, enable_grad

from ..module import Module
from .builder import Dim, ExportError
from .calls import Call, recording


@dataclass
class Step:
    """One value of the graph: an input, a parameter/buffer/constant, an op's or a call's
    result. ``parents`` index earlier steps; ``dims`` is its shape with the batch-dependent
    dims as (slope, intercept)."""

    kind: str  # "input", "parameter", "constant", "op", "call"
    node: Tensor
    name: str  # the op's or call's name; the input's, parameter's or buffer's name
    parents: list[int]
    ctx: Any = None  # the op's ctx, or the call
    dims: list[Dim] = field(default_factory=list)
    twin: Any = None  # the ctx of the same step in the other run (one row fewer)
    value: str = ""  # its name in the ONNX graph, once written

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.node.data.dtype


@dataclass
class Graph:
    steps: list[Step]
    inputs: list[int | None]  # the step of each model input (None: unused)
    outputs: list[int]
    batch: int  # the batch size of the run that is written


@dataclass
class _Run:
    inputs: list[Tensor]
    outputs: list[Tensor]
    calls: dict[int, Call]


def trace(model: Module, examples: list[np.ndarray], named: dict[int, str]) -> Graph:
    """The forward graph of ``model`` on ``examples`` (dim 0 of each is the batch), with the
    parameters and buffers named by ``named`` (id -> state-dict name)."""
    grown = [np.concatenate([x, x[:1]]) for x in examples]
    first, second = _run(model, examples), _run(model, grown)
    steps_a, inputs_a, outputs_a = _walk(first, named)
    steps_b, inputs_b, outputs_b = _walk(second, named)
    n = len(examples[0])
    _compare(steps_a, steps_b, model)
    for a, b in zip(steps_a, steps_b):
        b.dims = _dims(a.node.shape, b.node.shape, n + 1)
        b.twin = a.ctx
    for k, (x, index) in enumerate(zip(examples, inputs_b)):
        if index is None and x.dtype.kind != "f":
            raise ExportError(
                f"input {k} (integer) reaches the outputs only as data the trace cannot follow: "
                "integer inputs are exported as the indices of nn.Embedding / F.embedding or of "
                "table[input], not in other ops (or not used at all)"
            )
    return Graph(steps_b, inputs_b, outputs_b, n + 1)


def _run(model: Module, arrays: list[np.ndarray]) -> _Run:
    # float inputs require grad, so that every op on them is recorded
    inputs = [Tensor(np.array(a), requires_grad=a.dtype.kind == "f") for a in arrays]
    calls: dict[int, Call] = {}
    with enable_grad(), recording(calls):
        result = model(*inputs)
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    for k, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise ExportError(
                f"{type(model).__name__}.forward returned a {type(out).__name__} (output {k}): "
                "export_onnx needs a Tensor or a tuple of Tensors"
            )
    return _Run(inputs, outputs, calls)


def _walk(run: _Run, named: dict[int, str]) -> tuple[list[Step], list[int | None], list[int]]:
    """The steps that lead to the outputs, each after its parents."""
    input_index = {id(t): k for k, t in enumerate(run.inputs)}
    steps: list[Step] = []
    done: dict[int, int] = {}
    found: dict[int, list[Tensor]] = {}  # also keeps constants made here alive (their ids)

    def parents_of(node: Tensor) -> list[Tensor]:
        if id(node) not in found:
            call = run.calls.get(id(node))
            if id(node) in input_index:
                found[id(node)] = []
            elif call is not None:  # a call's arguments (arrays among them become constants)
                found[id(node)] = [
                    t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in call.tensors
                ]
            elif node.grad_fn is not None:
                recorded: list[Any] = list(node._parents)
                found[id(node)] = recorded + _indexing_inputs(node, run.inputs)
            else:
                found[id(node)] = []
        return found[id(node)]

    stack: list[tuple[Tensor, bool]] = [(out, False) for out in reversed(run.outputs)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        parents = parents_of(node)
        if not expanded:
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(parents) if id(p) not in done)
            continue
        indices = [done[id(p)] for p in parents]
        done[id(node)] = len(steps)
        steps.append(_step(node, indices, run, input_index, named))
    inputs = [done.get(id(t)) for t in run.inputs]
    return steps, inputs, [done[id(out)] for out in run.outputs]


def _indexing_inputs(node: Tensor, inputs: list[Tensor]) -> list[Tensor]:
    """``table[i]`` with ``i`` an integer input of the model: the engine keeps ``i`` as data in
    the index op's ctx; it is that op's input in the ONNX graph."""
    if node.grad_fn is None or node.grad_fn.name != "index":
        return []
    key = node._ctx if isinstance(node._ctx, tuple) else (node._ctx,)
    return [t for t in inputs if any(part is t.data for part in key)]


def _step(
    node: Tensor, parents: list[int], run: _Run, input_index: dict[int, int], named: dict[int, str]
) -> Step:
    if id(node) in input_index:
        return Step("input", node, str(input_index[id(node)]), [])
    call = run.calls.get(id(node))
    if call is not None:
        return Step("call", node, call.name, parents, call)
    if node.grad_fn is not None:
        return Step("op", node, node.grad_fn.name, parents, node._ctx)
    if id(node) in named:
        return Step("parameter", node, named[id(node)], [])
    return Step("constant", node, "const", [])


def _compare(a: list[Step], b: list[Step], model: Module) -> None:
    """The two runs must have recorded the same graph (up to the batch size)."""
    owner = type(model).__name__
    if len(a) != len(b):
        raise ExportError(
            f"{owner}.forward records {len(a)} values for the example and {len(b)} for a batch "
            "one row longer: its ops depend on the input's values or batch size (Python control "
            "flow on tensors?), and a traced ONNX graph can hold only one path"
        )
    for x, y in zip(a, b):
        same = (x.kind, x.name, x.parents) == (y.kind, y.name, y.parents)
        if same and x.kind == "call":
            same = x.ctx.settings == y.ctx.settings
        if not same or x.node.ndim != y.node.ndim:
            raise ExportError(
                f"{owner}.forward runs different ops for the example and for a batch one row "
                f"longer ({x.kind} {x.name!r} vs {y.kind} {y.name!r}): a traced ONNX graph can "
                "hold only one path"
            )
        if x.kind == "constant" and not _same_numbers(x.node.data, y.node.data):
            raise ExportError(
                f"{owner}.forward uses a constant of shape {tuple(x.node.shape)} whose values "
                "change with the input: it was computed from the input outside the graph "
                "(.detach(), .data, .item(), NumPy), so the ONNX file would freeze it; compute it "
                "with tensor ops instead"
            )


def _same_numbers(x: np.ndarray, y: np.ndarray) -> bool:
    if x.shape != y.shape:
        return False
    return bool(np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"))


def _dims(a: tuple[int, ...], b: tuple[int, ...], batch: int) -> list[Dim]:
    """Shape ``b`` (of the run with ``batch`` rows), the dims that differ from ``a`` (one row
    fewer) written as (slope, intercept) of the batch size."""
    dims: list[Dim] = []
    for m, n in zip(a, b):
        slope = n - m
        dims.append(n if slope == 0 else (slope, n - slope * batch))
    return dims
