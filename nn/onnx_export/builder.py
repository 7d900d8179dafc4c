"""Writing ONNX nodes: unique value names, constants, and shapes whose batch dim is left open.

The ``onnx`` package is handed in by ``export_onnx`` (it is imported only there): this module
itself imports nothing outside NumPy.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import numpy as np

OPSET = 17  # Gemm, Conv, Softmax(axis), HardSwish, Celu...; ReduceMean & co still take attributes
IR_VERSION = 8  # the IR of opset 17: runtimes that read opset 17 read this

# dims of a value: an int, or (slope, intercept): slope * batch + intercept
Dim = Any


class ExportError(ValueError):
    """The model (or one op of its forward) has no ONNX form that export_onnx can write."""


class Builder:
    """Collects the nodes, initializers, inputs and outputs of one ONNX graph."""

    def __init__(self, onnx: ModuleType) -> None:
        self.onnx = onnx
        self.helper = onnx.helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.inputs: list[Any] = []
        self.outputs: list[Any] = []
        self.taken: set[str] = set()
        self._batch: str | None = None
        self.batch_source: tuple[str, int] | None = None  # (graph input, its batch axis)
        self._scalars: dict[tuple[str, Any], str] = {}

    # names ------------------------------------------------------------------------------------
    def fresh(self, hint: str) -> str:
        """A value name not used yet, readable in Netron: ``linear``, ``linear_1``..."""
        base = re.sub(r"[^0-9A-Za-z_.]+", "_", hint).strip("_") or "v"
        name, k = base, 0
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    # nodes ------------------------------------------------------------------------------------
    def node(
        self, op_type: str, inputs: list[str], hint: str = "", outputs: int = 1, **attrs: Any
    ) -> Any:
        """Add one node; returns its output name (or names, when ``outputs`` > 1)."""
        names = [self.fresh(hint or op_type.lower()) for _ in range(outputs)]
        self.nodes.append(
            self.helper.make_node(
                op_type, inputs, names, name=self.fresh(f"{op_type}_node"), **attrs
            )
        )
        return names[0] if outputs == 1 else names

    def const(self, value: Any, hint: str = "const", name: str | None = None) -> str:
        """An initializer holding ``value`` (an array, kept with its dtype)."""
        array = np.ascontiguousarray(np.asarray(value))
        if name is None:
            name = self.fresh(hint)
        else:
            self.taken.add(name)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def scalar(self, value: Any, dtype: Any) -> str:
        """A 0-d constant of ``dtype`` (shared by every node that needs the same number)."""
        dt = np.dtype(dtype)
        key = (dt.str, float(value) if dt.kind == "f" else int(value))
        if key not in self._scalars:
            self._scalars[key] = self.const(np.asarray(value, dtype=dt), "c")
        return self._scalars[key]

    def ints(self, values: Any, hint: str = "ints") -> str:
        return self.const(np.asarray(list(values), dtype=np.int64), hint)

    def cast(self, name: str, have: Any, want: Any) -> str:
        if np.dtype(have) == np.dtype(want):
            return name
        return self.node("Cast", [name], "cast", to=self.elem_type(want))

    def elem_type(self, dtype: Any) -> int:
        return int(self.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))

    # shapes with an open batch dim -----------------------------------------------------------
    def batch(self) -> str:
        """A 1-element int64 value: the batch size of the graph's first input."""
        if self._batch is None:
            assert self.batch_source is not None
            source, axis = self.batch_source
            self._batch = self.node("Shape", [source], "batch_size", start=axis, end=axis + 1)
        return self._batch

    def shape(self, dims: list[Dim], hint: str = "shape", minus_one: bool = False) -> str:
        """A 1-D int64 value holding ``dims``. With ``minus_one`` (for Reshape) a single
        batch-dependent dim is written -1; otherwise batch-dependent dims are computed from the
        input's batch size."""
        open_dims = [i for i, d in enumerate(dims) if isinstance(d, tuple)]
        if not open_dims:
            return self.ints(dims, hint)
        if minus_one and len(open_dims) == 1:
            return self.ints([-1 if isinstance(d, tuple) else d for d in dims], hint)
        parts: list[str] = []
        run: list[int] = []
        for d in dims:
            if not isinstance(d, tuple):
                run.append(d)
                continue
            if run:
                parts.append(self.ints(run, hint))
                run = []
            slope, intercept = d
            value = self.batch()
            if slope != 1:
                value = self.node("Mul", [value, self.ints([slope])], "dim")
            if intercept:
                value = self.node("Add", [value, self.ints([intercept])], "dim")
            parts.append(value)
        if run:
            parts.append(self.ints(run, hint))
        return parts[0] if len(parts) == 1 else self.node("Concat", parts, hint, axis=0)

    def rename(self, old: str, new: str) -> None:
        """Give the value ``old`` the name ``new`` (an output's name), wherever it appears."""
        for node in self.nodes:
            for field in (node.input, node.output):
                for i, name in enumerate(field):
                    if name == old:
                        field[i] = new

    # the graph --------------------------------------------------------------------------------
    def value_info(self, name: str, dtype: Any, dims: list[Dim]) -> Any:
        shape = [d if not isinstance(d, tuple) else dim_name(d) for d in dims]
        return self.helper.make_tensor_value_info(name, self.elem_type(dtype), shape)

    def model(self, graph_name: str, doc: str) -> Any:
        graph = self.helper.make_graph(
            self.nodes, graph_name, self.inputs, self.outputs, self.initializers, doc_string=doc
        )
        model = self.helper.make_model(
            graph,
            opset_imports=[self.helper.make_opsetid("", OPSET)],
            producer_name="dagrad",
            ir_version=IR_VERSION,
        )
        return model


def dim_name(dim: tuple[int, int]) -> str:
    """How a batch-dependent dim is named in the file: ``batch``, ``4*batch``, ``batch+1``."""
    slope, intercept = dim
    text = "batch" if slope == 1 else f"{slope}*batch"
    if intercept:
        text += f"{intercept:+d}"
    return text
