"""Names and module clusters for draw_graph.

``params`` is duck-typed so that the engine never imports nn: anything with
``named_parameters()`` (an nn.Module), a mapping name -> node, or an iterable of (name, node) pairs.

Which module does a node belong to? The graph records ops, not modules, so this is inferred, and
only where the inference is sound:

- a parameter belongs to the module its dotted name names (``layers.0.weight`` -> ``layers.0``);
- a node computed from one module's parameters alone (``W.T``, ``W ** 2``) belongs there too
  (data, even a constant tensor, is not a parameter);
- an op that combines such nodes with anything else (``x @ W.T``, ``... + b``) is where that
  module's parameters enter the computation, so it joins the module as well, unless it mixes
  parameters of two modules, in which case it joins neither.

Ops of parameter-free modules (a ReLU layer) cannot be told apart from any other op and stay
outside every cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..graph import Node
from .walk import Walk


def _pairs(params: Any) -> Iterable[tuple[Any, Any]]:
    if hasattr(params, "named_parameters"):
        return params.named_parameters()  # type: ignore[no-any-return]
    if isinstance(params, Mapping):
        return params.items()
    if isinstance(params, Iterable) and not isinstance(params, str | bytes):
        return params
    raise TypeError(
        "draw_graph(): params must be a Module (anything with named_parameters()), a dict "
        f"name -> node or an iterable of (name, node) pairs, got a {type(params).__name__}"
    )


def parameter_names(params: Any) -> dict[int, str]:
    """id(node) -> name. The first name wins when a node is shared (tied weights)."""
    names: dict[int, str] = {}
    if params is None:
        return names
    for item in _pairs(params):
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise TypeError(f"draw_graph(): params must give (name, node) pairs, got {item!r:.60}")
        name, node = item
        if not isinstance(name, str):
            raise TypeError(f"draw_graph(): a parameter name must be a str, got {name!r:.60}")
        if not isinstance(node, Node):
            raise TypeError(
                f"draw_graph(): parameter {name!r} is a {type(node).__name__}, "
                "not a Value or Tensor"
            )
        names.setdefault(id(node), name)
    return names


def module_kinds(params: Any) -> dict[str, str]:
    """Module path -> class name, when ``params`` can list its modules (nn.Module can)."""
    kinds: dict[str, str] = {}
    named_modules = getattr(params, "named_modules", None)
    if callable(named_modules):
        for path, module in named_modules():
            kinds[str(path)] = type(module).__name__
    return kinds


def module_of(name: str, kinds: dict[str, str]) -> str | None:
    """The module a parameter belongs to: the longest prefix of its dotted name that is a module
    (``layers.0.neurons.3`` for ``layers.0.neurons.3.w.1``, where ``w`` is a list), or without a
    list of modules simply the name minus its last part. None for the root module."""
    head, dot, _ = name.rpartition(".")
    if not kinds:
        return head if dot else None
    while head and head not in kinds:
        head = head.rpartition(".")[0]
    return head or None


def assign_modules(
    w: Walk, names: dict[int, str], kinds: dict[str, str]
) -> tuple[list[str | None], list[str | None]]:
    """For every node of the walk: its module (cluster), by the rules in this module's docstring,
    and the module whose parameters alone it is computed from (None if it is not). ``kinds``:
    the modules by path, from ``module_kinds`` (may be empty)."""
    n = len(w.nodes)
    pure: list[str | None] = [None] * n
    cluster: list[str | None] = [None] * n
    if not names:
        return cluster, pure
    for i in w.topological():
        node = w.nodes[i]
        name = names.get(id(node))
        if name is not None:
            pure[i] = cluster[i] = module_of(name, kinds)
            continue
        ps = w.parents[i]
        if not ps:
            continue
        found = {pure[p] for p in ps if pure[p] is not None}
        if len(found) == 1:
            (module,) = found
            cluster[i] = module
            if all(pure[p] == module for p in ps):
                pure[i] = module
    return cluster, pure
