"""``nn.export_onnx(model, example_input, path)``: a dagrad model as an ONNX file.

The model runs on the example input (in evaluation mode, as PyTorch exports by default), and
the graph the engine recorded is written op by op in the standard ONNX operator set (opset 17):
``linear`` becomes Gemm, ``conv`` Conv, ``relu`` Relu, a LeakyReLU LeakyRelu... with the
parameters as named initializers (``0.weight``, as in the state dict), the input named
``input`` and the output ``output`` (or the names given), and dim 0 of the input (the batch)
left open, so the file runs on any batch size. ONNX runtimes (onnxruntime, ...) run it, and
Netron (https://netron.app) draws it.

As any trace, it records one path through the forward: Python ``if``s on tensor values are
frozen. What the trace cannot carry into the file is refused with an ``ExportError`` naming it:
an op with no ONNX mapping, a constant computed from the input outside the graph, a forward
whose ops change with the batch.

The ``onnx`` package is needed (``pip install onnx``); it is imported only here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from autograd import Tensor

from ..module import Module
from .builder import Builder, ExportError
from .calls import emit_call
from .ops import emit_op
from .trace import Graph, trace

__all__ = ["ExportError", "export_onnx"]


def export_onnx(
    model: Module,
    example_input: Any,
    path: str | os.PathLike[str],
    *,
    input_names: list[str] | None = None,
    output_names: list[str] | None = None,
) -> Path:
    """Write ``model`` as an ONNX file at ``path`` (returned as a Path).

    ``example_input``: a Tensor, array or nested list (or a tuple of them, for a forward of
    several arguments) whose dim 0 is the batch. Floating inputs may be any values; integer inputs
    (indices for nn.Embedding) must be valid indices.
    """
    onnx = _onnx()
    if not isinstance(model, Module):
        raise TypeError(f"export_onnx(): model must be an nn.Module, got a {type(model).__name__}")
    examples = _examples(example_input)
    names_in = _names(input_names, "input", len(examples), "input_names")
    named = {id(p): n for n, p in model.named_parameters() if isinstance(p, Tensor)}
    named.update((id(b), n) for n, b in model.named_buffers())
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        graph = trace(model, examples, named)
    finally:
        for module, mode in modes:
            module.training = mode
    names_out = _names(output_names, "output", len(graph.outputs), "output_names")
    built = _write(Builder(onnx), graph, examples, names_in, names_out, type(model).__name__)
    onnx.checker.check_model(built)
    return _save(built.SerializeToString(), Path(path))


def _onnx() -> ModuleType:
    try:
        import onnx
    except ImportError:
        raise ImportError(
            "nn.export_onnx() needs the onnx package, which is not installed (pip install "
            "onnx; add onnxruntime to run the file); dagrad itself runs without it"
        ) from None
    return onnx


def _examples(example_input: Any) -> list[np.ndarray]:
    # a tuple holds one example per argument of forward (as torch.onnx.export's args)
    items = list(example_input) if isinstance(example_input, tuple) else [example_input]
    arrays = [np.asarray(x.data if isinstance(x, Tensor) else x) for x in items]
    for k, a in enumerate(arrays):
        if a.ndim == 0 or a.shape[0] == 0:
            raise ValueError(
                f"export_onnx(): example input {k} of shape {a.shape} has no batch dim (dim 0, "
                "at least one row)"
            )
        if a.dtype.kind not in "fiub":
            raise TypeError(f"export_onnx(): example input {k} has dtype {a.dtype}")
    if len({a.shape[0] for a in arrays}) > 1:
        raise ValueError(
            "export_onnx(): the example inputs have different batch sizes (dim 0): "
            f"{[a.shape[0] for a in arrays]}"
        )
    return arrays


def _names(given: list[str] | None, stem: str, count: int, what: str) -> list[str]:
    if given is None:
        return [stem] if count == 1 else [f"{stem}_{k}" for k in range(count)]
    names = list(given)
    if len(names) != count or len(set(names)) != count:
        raise ValueError(f"export_onnx(): {what} must be {count} distinct names, got {names}")
    return names


def _write(
    b: Builder,
    graph: Graph,
    examples: list[np.ndarray],
    names_in: list[str],
    names_out: list[str],
    title: str,
) -> Any:
    steps = graph.steps
    b.taken.update(names_in + names_out)
    for name, x in zip(names_in, examples):
        dims = [(1, 0), *x.shape[1:]]
        b.inputs.append(b.value_info(name, x.dtype, dims))
    b.batch_source = (names_in[0], 0)
    for step in steps:
        parents = [steps[i] for i in step.parents]
        ins = [p.value for p in parents]
        if step.kind == "input":
            step.value = names_in[int(step.name)]
        elif step.kind == "parameter":
            step.value = b.const(step.node.data, name=b.fresh(step.name))
        elif step.kind == "constant":
            step.value = b.const(step.node.data, "const")
        elif step.kind == "call":
            step.value = emit_call(b, step, ins)
        else:
            step.value = emit_op(b, step, ins, parents)
    produced = {out for node in b.nodes for out in node.output}
    for name, index in zip(names_out, graph.outputs):
        step = steps[index]
        if step.value in produced and step.value not in names_in:
            b.rename(step.value, name)
            step.value = name
            produced.discard(name)
        else:  # an input, a parameter, or a value already given out under another name
            node = b.helper.make_node("Identity", [step.value], [name], name=b.fresh(f"{name}_id"))
            b.nodes.append(node)
        b.outputs.append(b.value_info(name, step.dtype, step.dims))
    return b.model(title, f"{title} exported by dagrad's nn.export_onnx")


def _save(data: bytes, path: Path) -> Path:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
