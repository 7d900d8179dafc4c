"""The numbers of the backward pass, computed by the engine without touching the user's ``.grad``.

Every node's gradient comes from ``autograd.grad(..., retain_graph=True)`` (the engine's own
chain-rule loop, which puts every slot back afterwards), so the page shows exactly what
``backward()`` gives. What each op sends along each edge is its backward rule rerun on that
gradient (draw/flow.py), and the local factors are the rule applied to a gradient of ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...graph import Node, grad
from ..flow import local_factors, sent_back
from .structure import Structure


@dataclass
class Gradients:
    grads: list[Any]  # per node: dC/dnode as raw data, None where no gradient reaches
    shares: list[Any]  # per edge: the gradient sent back along it, None where none is
    factors: list[tuple[Any, ...] | None]  # per node: its op's local factor for each input


def compute(s: Structure, gradient: Any = None) -> Gradients:
    nodes = s.nodes
    grads: list[Any] = [None] * len(nodes)
    root = nodes[0]
    if root.requires_grad:
        wanted = [i for i, node in enumerate(nodes) if node.requires_grad]
        found = grad(
            [root],
            [nodes[i] for i in wanted],
            grad_outputs=None if gradient is None else [gradient],
            retain_graph=True,
            allow_unused=True,
        )
        for i, g in zip(wanted, found):
            grads[i] = None if g is None else _raw(g)
    sent: list[tuple[Any, ...] | None] = [None] * len(nodes)
    factors: list[tuple[Any, ...] | None] = [None] * len(nodes)
    for c, node in enumerate(nodes):
        if grads[c] is not None and node._parents:
            sent[c] = sent_back(node, grads[c])
            factors[c] = local_factors(node)
    shares: list[Any] = []
    for p, c, k in s.edges:
        out = sent[c]
        shares.append(out[k] if out is not None and nodes[p].requires_grad else None)
    return Gradients(grads, shares, factors)


def _raw(g: Node) -> Any:
    return g.data
