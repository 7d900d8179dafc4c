"""micrograd 0.1.0 (Karpathy's, from PyPI) on S1-S3, as its demo notebook writes them: its
Neuron's ``sum((w * x ...), b)``, Python's ``sum()`` (the protocol's defaults)."""

from __future__ import annotations

from importlib.metadata import version

from micrograd.engine import Value

from ..scalar import Graph

ENGINES = {
    "micrograd": Graph(
        "micrograd", version("micrograd"), Value, constant=Value, parents=lambda v: v._prev
    )
}
