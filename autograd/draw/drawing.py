"""draw_graph: a Graphviz drawing of a Value or Tensor graph, its values and its gradients.

The forward view follows micrograd's drawings: data flows from the inputs to the output (left to
right for Values, through op bubbles; top to bottom for Tensors, whose boxes are wide and name
their op). The backward view is the lecture's "reverse network": the same graph
with every arrow reversed, each node showing dC/dz and each edge the local factor the gradient is
multiplied by on its way back to the op's input. In both, the gradient decides the colours (see
draw_style.py), so vanishing, exploding, dead and broken paths are visible at a glance.

The work is one breadth-first walk and one loop over the drawn nodes: linear in the graph's size,
with no recursion. Graphs larger than ``max_nodes`` are folded (draw_collapse.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphviz
import numpy as np

from ..graph import Node, is_released, released_error
from . import style
from .collapse import check_limits, plan
from .edges import add_edges
from .labels import grad_of, plural
from .modules import assign_modules, module_kinds, parameter_names
from .nodes import SMALL, Scene, Statement
from .output import GraphDrawing, GraphvizNotInstalledError
from .walk import walk

__all__ = ["draw_graph", "GraphDrawing", "GraphvizNotInstalledError"]

FONT = "Helvetica"
_FLIP = {"LR": "RL", "RL": "LR", "TB": "BT", "BT": "TB"}


def draw_graph(
    root: Node | Sequence[Node],
    *,
    params: Any = None,
    direction: str = "forward",
    show_grads: bool | None = None,
    clusters: bool = False,
    max_nodes: int = 100,
    max_elements: int = 6,
    legend: bool = True,
    rankdir: str | None = None,
) -> GraphDrawing:
    """Draw the graph that computed ``root`` (a Value or Tensor, or a list of them).

    - ``params``: a Module (anything with ``named_parameters()``), a dict name -> node or
      (name, node) pairs; parameters are labelled with their names (``layers.0.weight``).
    - ``direction``: ``"forward"`` (inputs -> output) or ``"backward"`` (the reverse network:
      dC/dz at each node, the local factor on each edge, arrows from the output to the inputs).
    - ``show_grads``: draw gradients; by default, when ``root`` holds one (after backward).
    - ``clusters``: box each module's parameters and the ops that use them directly.
    - ``max_nodes``: above this many nodes, the nodes nearest the output are drawn and the rest
      folded into summary boxes; the drawing says so.
    - ``max_elements``: tensors this small show their numbers instead of mean/min/max.
    - ``rankdir``: Graphviz's layout direction; by default left to right for Values (as in
      micrograd) and top to bottom for Tensors (their boxes are wide), reversed for backward.

    Returns a graphviz.Digraph: ``.render("graph", format="png")``, ``.source``, inline SVG in
    Jupyter.
    """
    roots = _as_roots(root)
    if direction not in ("forward", "backward"):
        raise ValueError(
            f"draw_graph(): direction must be 'forward' or 'backward', got {direction!r}"
        )
    check_limits("draw_graph()", max_nodes, max_elements)
    with_grads = any(_holds_grad(r) for r in roots) if show_grads is None else bool(show_grads)
    if direction == "backward" and not with_grads:
        raise ValueError(
            "draw_graph(direction='backward') draws gradients, and the output has none yet: "
            "call .backward() first"
        )
    if rankdir is not None and rankdir not in _FLIP:
        raise ValueError(f"draw_graph(): rankdir must be one of TB, BT, LR, RL, got {rankdir!r}")
    names = parameter_names(params)
    w = walk(roots)
    for node in w.nodes:  # a released node has lost its inputs and what its label reads
        if is_released(node):
            raise released_error(node, "draw_graph()")
    kinds = module_kinds(params)
    modules, owned = assign_modules(w, names, kinds)
    layout = plan(w, owned, max_nodes)
    backward = direction == "backward"
    scene = Scene(w, names, modules, owned, layout, with_grads, backward, clusters, max_elements)
    if rankdir is None:
        rankdir = "LR" if isinstance(roots[0].data, float) else "TB"
        rankdir = _FLIP[rankdir] if backward else rankdir
    with np.errstate(all="ignore"):  # summaries of inf and nan are drawn, not warned about
        drawing = _compose(scene, kinds, rankdir)
    notes = _notes(scene, max_nodes, legend)
    if notes or (legend and with_grads):
        title = "gradient size, by decade: |dC/dz|, the mean over a tensor's elements"
        drawing.attr(label=style.legend_label(title, notes, legend and with_grads))
    drawing.graph_nodes = len(w.nodes)
    drawing.folded_nodes = len(w.nodes) - layout.kept
    return drawing


def _compose(scene: Scene, kinds: dict[str, str], rankdir: str) -> GraphDrawing:
    """The drawn nodes (in their module clusters), the summary boxes and all edges."""
    drawing = GraphDrawing(
        graph_attr={
            "rankdir": rankdir,
            # rank nodes globally, so that module clusters do not pull parameters to the start
            "newrank": "true",
            "fontname": FONT,
            "nodesep": "0.25",
            "ranksep": "0.4",
            "labelloc": "t",
            "labeljust": "l",
        },
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": str(SMALL), "arrowsize": "0.7"},
    )
    placed: dict[str | None, list[Statement]] = {}
    for i in range(scene.layout.kept):
        home = scene.modules[i] if scene.clusters else None
        placed.setdefault(home, []).extend(scene.node_statements(i))
    for name, label, attrs in placed.pop(None, []):
        drawing.node(name, label, **attrs)
    _add_clusters(drawing, placed, kinds)
    for k, group in enumerate(scene.layout.groups):
        label, attrs = scene.group_statement(group, kinds)
        drawing.node(f"g{k}", label, **attrs)
    add_edges(drawing, scene)
    return drawing


def _as_roots(root: Any) -> list[Node]:
    roots = list(root) if isinstance(root, list | tuple) else [root]
    if not roots:
        raise ValueError("draw_graph(): no output to draw (got an empty list)")
    for r in roots:
        if not isinstance(r, Node):
            raise TypeError(f"draw_graph(): expected a Value or Tensor, got a {type(r).__name__}")
    return roots


def _holds_grad(node: Node) -> bool:
    g = grad_of(node)
    return g is not None and not (isinstance(g, float) and g == 0.0)


def _notes(scene: Scene, max_nodes: int, legend: bool) -> list[str]:
    """The caption's sentences; the folding notice is shown even without a legend."""
    w, layout = scene.w, scene.layout
    notes = []
    if layout.groups:
        notes.append(
            f"Folded: this graph has {len(w.nodes):,} nodes, more than max_nodes={max_nodes:,}. "
            f"Drawn: the {plural(layout.kept, 'node')} nearest the output; the other "
            f"{len(w.nodes) - layout.kept:,} are folded into {len(layout.groups)} dashed summary "
            "boxes. Pass a larger max_nodes to draw more."
        )
    if not legend:
        return notes
    if scene.backward:
        notes.append(
            "Backward pass (the reverse network): each box shows dC/dz, C being the output; each "
            "edge multiplies it by the local factor on its label and carries it back to the op's "
            "input; where edges meet, the gradients add up."
        )
    elif not scene.with_grads:
        notes.append("Values only: no gradients yet (call backward() to colour the graph).")
    return notes


def _add_clusters(
    drawing: graphviz.Digraph,
    placed: dict[str | None, list[Statement]],
    kinds: dict[str, str],
) -> None:
    """One cluster per module that holds drawn nodes, nested when one such module contains
    another. Modules without nodes of their own (a Sequential around layers) get no box: it
    would have to hold the activations between its layers, which no graph can attribute.
    Clusters are added deepest first, since graphviz copies a subgraph's body into its parent."""
    ordered = sorted(str(module) for module in placed)
    boxes = {}
    for k, path in enumerate(ordered):
        kind = kinds.get(path)
        box = graphviz.Digraph(name=f"cluster_{k}")
        box.attr(
            label=path + (f" ({kind})" if kind else ""),
            style="rounded,dashed",
            color="#8a8a8a",
            fontcolor="#555555",
            fontsize="10",
            labeljust="l",
        )
        for name, label, attrs in placed.get(path, []):
            box.node(name, label, **attrs)
        boxes[path] = box
    for path in sorted(ordered, key=lambda p: -p.count(".")):
        parent = path.rpartition(".")[0]
        while parent and parent not in boxes:
            parent = parent.rpartition(".")[0]
        (boxes[parent] if parent else drawing).subgraph(boxes[path])
