"""One small module per engine. Each defines ``ENGINES``: name -> an object with ``label``,
``version``, ``workloads`` and the entry points its suite calls (scalar.py: ``s1``, ``chain``,
``wide``, mostly from scalar.Graph; tensor.py: ``trainer``, ``tiny_chain``). Nothing is
imported here: a peer that is not installed must not break the others, and hips_autograd runs
only in its own venv (hips.py)."""

from __future__ import annotations

import importlib
from typing import Any

# engine -> its adapter module; the floors first, the row each family's ratios are taken to next
SCALAR = {
    "floor_python": "floor_python",
    "dagrad_value": "dagrad_value",
    "dagrad_value_per_op": "dagrad_value",
    "dagrad_value_gc_paused": "dagrad_value",
    "dagrad_value_compiled": "dagrad_value",
    "dagrad_value_dot_compiled": "dagrad_value",
    "micrograd": "micrograd",
}
TENSOR = {
    "floor_numpy": "floor_numpy",
    "dagrad_tensor": "dagrad_tensor",
    "dagrad_tensor_tuned": "dagrad_tensor",
    "torch_cpu": "torch_cpu",
    "mygrad": "mygrad",
    "hips_autograd": "hips_autograd",
}
FLOORS = {"scalar": "floor_python", "tensor": "floor_numpy"}
DAGRAD = {"scalar": "dagrad_value", "tensor": "dagrad_tensor"}
SUBPROCESS = "hips_autograd"  # never imported in dagrad's venv


def load(name: str) -> tuple[Any, str | None]:
    """The engine, or None and why not (its peer is not installed)."""
    module = {**SCALAR, **TENSOR}[name]
    if name == SUBPROCESS:
        raise ValueError(f"{name} runs in its own venv (benchmarks/hips.py)")
    try:
        return importlib.import_module(f"{__name__}.{module}").ENGINES[name], None
    except ImportError as err:
        return None, f"{name} skipped: not installed ({err})"
