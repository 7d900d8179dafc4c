"""Edges of draw_graph: coloured by the gradient each one carries back, labelled with local
factors in the backward view, merged with a count where they touch folded regions.

Two layout hints ride along, invisible in the picture: edges of the data path (nodes not
computed from parameters alone) weigh more, so Graphviz keeps them straight and the parameters
branch off to the side; and with clusters, every parameter of a module is ranked after the data
that enters the module, so the module boxes stack in order instead of piling up at the start.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import graphviz

from ..graph import Node
from . import style
from .flow import edge_grads, factor_text, local_factors
from .nodes import Scene

DATA_PATH_WEIGHT = "8"


def add_edges(drawing: graphviz.Digraph, scene: Scene) -> None:
    """Every edge between drawn nodes, then the merged edges of folded regions."""
    w, layout = scene.w, scene.layout
    merged: Counter[tuple[str, str]] = Counter()

    def end(j: int) -> str:
        return f"n{j}" if j < layout.kept else f"g{layout.group_of[j]}"

    def orient(source: str, target: str) -> tuple[str, str]:
        """Forward edges point from an input to its consumer; backward ones the other way."""
        return (target, source) if scene.backward else (source, target)

    for i in range(layout.kept):
        node = w.nodes[i]
        parents = [w.nodes[j] for j in w.parents[i]]
        if not parents:
            continue
        sent = edge_grads(node) if scene.with_grads else None
        factors = local_factors(node) if scene.backward else None
        target = f"n{i}"
        if isinstance(node.data, float):  # a Value: the op bubble sits between inputs and result
            target = f"o{i}"
            attrs = style.edge_attrs(scene.state(node))
            attrs["weight"] = DATA_PATH_WEIGHT
            drawing.edge(*orient(target, f"n{i}"), **attrs)
        for k, j in enumerate(w.parents[i]):
            if j >= layout.kept:
                merged[orient(end(j), target)] += 1
                continue
            attrs = _edge_style(scene, parents[k], sent, k)
            if scene.backward and parents[k].requires_grad:
                factor = factors[k] if factors is not None else None
                text = factor_text(node, k, factor, scene.max_elements, scene.names)
                attrs["label"] = f"<{text}>"
            if scene.owned[i] is None and scene.owned[j] is None:
                attrs["weight"] = DATA_PATH_WEIGHT
            drawing.edge(*orient(f"n{j}", target), **attrs)
    for i in range(layout.kept, len(w.nodes)):
        for j in w.parents[i]:
            if end(j) != end(i):
                merged[orient(end(j), end(i))] += 1
    for (a, b), count in merged.items():
        attrs = {"color": "#888888", "style": "dashed"}
        if count > 1:
            attrs["label"] = f"{count:,} edges"
        drawing.edge(a, b, **attrs)
    if scene.clusters:
        for a, b in _module_order_hints(scene):
            drawing.edge(*orient(a, b), style="invis")


def _edge_style(scene: Scene, parent: Node, sent: tuple[Any, ...] | None, k: int) -> dict[str, str]:
    """Colour and width of the gradient the op sends back to input ``k``."""
    if not parent.requires_grad:
        return {"color": "#b0b0b0", "style": "dotted"} if scene.backward else {}
    if sent is None:
        return style.edge_attrs(style.NO_GRAD)
    share = sent[k] if k < len(sent) else None
    if share is None:
        return style.edge_attrs(style.ZERO)  # the rule sends this input nothing
    return style.edge_attrs(style.grad_state(style.magnitude(share)))


def _module_order_hints(scene: Scene) -> set[tuple[str, str]]:
    """(data entering a module, a parameter of that module) pairs among the drawn nodes."""
    w, kept = scene.w, scene.layout.kept
    leaves: dict[str, list[int]] = {}
    for i in range(kept):
        module = scene.modules[i]
        if module is not None and id(w.nodes[i]) in scene.names:
            leaves.setdefault(module, []).append(i)
    hints: set[tuple[str, str]] = set()
    for i in range(kept):
        module = scene.modules[i]
        if module is None or scene.owned[i] is not None:
            continue  # not an op where data meets the module's parameters
        for j in w.parents[i]:
            if j < kept and scene.modules[j] != module:
                hints.update((f"n{j}", f"n{p}") for p in leaves.get(module, ()))
    return hints
