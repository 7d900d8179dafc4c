"""One small module per engine, all with the same few entry points, so each workload is written
once (scalar_suite.py, tensor_suite.py) and run on every engine.

Scalar engines (S1-S3) provide ``LABEL``, ``version()``, ``MoonsMLP(weights, x, y, alpha)``
with ``loss_and_grads() step(lr) accuracy() graph_nodes()``, ``chain(links)`` and
``WideSum(a, b)`` with ``backward() grads()``.

Tensor engines (T1-T3) provide ``LABEL``, ``version()``, ``MLP(weights, lr, momentum)`` with
``prepare(x, y) loss_and_grads(batch) step(batch) predict(x) numpy_params()`` and
``tiny_chain(x0, ops)``; optionally ``thread_counts()``.

Gradients come back in parameter order (W0, b0, W1, b1, ... for tensors; micrograd's order,
each neuron's weights then its bias, for scalars). Nothing is imported here: a peer that is not
installed must not break the others, and hips_autograd must never be imported in dagrad's venv
(it runs in its own, see hips.py).
"""

from __future__ import annotations

import importlib
from types import ModuleType

SCALAR_FLOOR = "floor_python"
TENSOR_FLOOR = "floor_numpy"
SCALAR_ENGINES = (
    SCALAR_FLOOR,
    "dagrad_value",
    "dagrad_value_per_op",
    "dagrad_value_gc_paused",
    "micrograd",
)
TENSOR_ENGINES = (TENSOR_FLOOR, "dagrad_tensor", "torch_cpu", "mygrad", "hips_autograd")
DAGRAD = {"scalar": "dagrad_value", "tensor": "dagrad_tensor"}
SUBPROCESS_ENGINES = frozenset({"hips_autograd"})  # run in their own venv, never imported here
ALL_ENGINES = SCALAR_ENGINES + TENSOR_ENGINES


def load(name: str) -> tuple[ModuleType | None, str | None]:
    """The adapter module, or None and why not (the peer is not installed, say)."""
    if name not in ALL_ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ALL_ENGINES)}")
    if name in SUBPROCESS_ENGINES:
        raise ValueError(f"{name} runs in its own venv; use benchmarks.hips, not load()")
    try:
        return importlib.import_module(f"{__name__}.{name}"), None
    except ImportError as err:
        return None, f"{name} skipped: not installed ({err})"
