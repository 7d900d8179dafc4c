"""Reading a graph in tests."""

from __future__ import annotations

from autograd import Node


def op_name(node: Node) -> str:
    """The name of the op that made ``node`` (its ``grad_fn``), or "" for a leaf."""
    return node.grad_fn.name if node.grad_fn is not None else ""
