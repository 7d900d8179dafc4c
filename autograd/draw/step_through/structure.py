"""The shape of the graph a step-through shows: its nodes in order, their names and symbols,
consumers, module clusters and how a large graph folds. Nothing here depends on gradients, so a
training timeline reuses one structure for every recorded step with the same graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...graph import Node, released_error
from ..collapse import Plan, plan
from ..modules import assign_modules, module_kinds, parameter_names
from ..walk import Walk, walk
from .text import is_array

Edge = tuple[int, int, int]  # (input, consumer, argument position k)
# edges allowed between the nodes drawn one by one and the folded boxes: the page draws one edge
# per pair of boxes, so it can keep far more nodes unfolded than a Graphviz drawing
MAX_CROSSING = 400


@dataclass
class Structure:
    w: Walk
    topo: list[int]  # every node after its inputs
    syms: list[str]  # the name each node goes by in formulas
    named: list[bool]  # the user named it (params=)
    modules: list[str | None]  # its module cluster
    kinds: dict[str, str]  # module path -> class name
    folding: Plan
    levels: list[int]  # longest path (in ops) to the output
    edges: list[Edge]
    consumers: list[list[int]]  # per node, the indices into edges that leave it
    tensor: bool

    @property
    def nodes(self) -> list[Node]:
        return self.w.nodes

    def signature(self) -> tuple[Any, ...]:
        """Equal for two graphs of the same ops, shapes and names (steps of a training loop)."""
        return tuple(
            (
                n.grad_fn.name if n.grad_fn is not None else "",
                self.w.parents[i],
                n.data.shape if is_array(n.data) else (),
                self.syms[i],
                n.requires_grad,
            )
            for i, n in enumerate(self.w.nodes)
        )


def as_root(root: Any, who: str) -> Node:
    if isinstance(root, list | tuple):
        if len(root) != 1:
            raise ValueError(
                f"{who}: pass one output (the node backward would start from), got {len(root)}"
            )
        root = root[0]
    if not isinstance(root, Node):
        raise TypeError(f"{who}: expected a Value or Tensor, got a {type(root).__name__}")
    return root


def build(root: Node, params: Any, max_nodes: int, who: str) -> Structure:
    w = walk([root])
    for node in w.nodes:
        if node.grad_fn is not None and not node._parents:
            raise released_error(node, who)
    names = parameter_names(params)
    kinds = module_kinds(params)
    modules, owned = assign_modules(w, names, kinds)
    topo = w.topological()
    syms, named = _symbols(w, names, topo)
    edges: list[Edge] = []
    consumers: list[list[int]] = [[] for _ in w.nodes]
    for c in topo:
        for k, p in enumerate(w.parents[c]):
            consumers[p].append(len(edges))
            edges.append((p, c, k))
    return Structure(
        w=w,
        topo=topo,
        syms=syms,
        named=named,
        modules=modules,
        kinds=kinds,
        folding=plan(w, owned, max_nodes, max_crossing=MAX_CROSSING),
        levels=_levels(w, topo),
        edges=edges,
        consumers=consumers,
        tensor=is_array(root.data),
    )


def _symbols(w: Walk, names: dict[int, str], topo: list[int]) -> tuple[list[str], list[bool]]:
    """Parameter names where given; the output is C (the lecture's cost) unless named; every
    other node v1, v2, ... in the order the forward pass computes them."""
    syms = [""] * len(w.nodes)
    named = [False] * len(w.nodes)
    taken = set(names.values())
    for i, node in enumerate(w.nodes):
        name = names.get(id(node))
        if name is not None:
            syms[i], named[i] = name, True
    if not syms[0]:
        syms[0] = "C" if "C" not in taken else "output"
        taken.add(syms[0])
    count = 0
    for i in topo:
        if syms[i]:
            continue
        count += 1
        while f"v{count}" in taken:
            count += 1
        syms[i] = f"v{count}"
    return syms, named


def _levels(w: Walk, topo: list[int]) -> list[int]:
    """The longest path (in ops) from each node to the output: it puts every node one rank
    before its first consumer in the forward pass, so a parameter sits next to the op that
    uses it."""
    level = [0] * len(w.nodes)
    for i in reversed(topo):
        below = level[i] + 1
        for p in w.parents[i]:
            if level[p] < below:
                level[p] = below
    return level
