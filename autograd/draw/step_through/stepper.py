"""step_through(root): the forward and backward pass of any Value or Tensor graph, one step at
a time, as an interactive page (``.save(path)``, or inline in Jupyter)."""

from __future__ import annotations

from typing import Any

from ..collapse import check_limits
from . import frame as frames
from .gradients import compute
from .page import Page
from .scene import assemble, skeleton
from .steps import record
from .structure import as_root, build

DEFAULT_MAX_NODES = 150
WHO = "step_through()"


class StepThrough(Page):
    """The step-through page of one graph. ``save(path)`` writes it as one HTML file;
    in Jupyter it displays itself. ``steps``: how many steps it has (the start excluded)."""

    def __init__(self, data: dict[str, Any], title: str) -> None:
        self._page_data = data
        self.title = title

    @property
    def steps(self) -> int:
        return len(self._page_data["steps"]) - 1

    def _data(self) -> dict[str, Any]:
        return self._page_data

    def __repr__(self) -> str:
        n = len(self._page_data["nodes"])
        return f"<StepThrough: {n} nodes, {self.steps} steps; .save(path) writes the page>"


def step_through(
    root: Any,
    params: Any = None,
    *,
    gradient: Any = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_elements: int = 6,
    clusters: bool | None = None,
    horizontal: bool | None = None,
    title: str | None = None,
) -> StepThrough:
    """An interactive page that steps through the forward and backward pass of ``root``'s graph.

    ``root`` is the output (a Value or Tensor), before or after its ``backward()``: the page
    computes every step itself, with the engine's own backward (``autograd.grad``), and leaves
    ``.grad`` as it was. A Tensor graph freed by ``backward()`` cannot be shown: call
    ``step_through`` first, or ``backward(retain_graph=True)``.

    - ``params``: a Module, a dict name -> node, or (name, node) pairs: those nodes are called by
      their names (in boxes and formulas), as in ``draw_graph``; any node may be named, not only
      parameters (``{"z1": z1, "a1": a1}``).
    - ``gradient``: dC/d(root) for a root with more than one element (as ``backward(gradient)``).
    - ``max_nodes``: above it, the graph is folded by module and depth like ``draw_graph``'s;
      click a folded box to unfold it.
    - ``max_elements``: tensors this small show their numbers, larger ones a summary.
    - ``clusters``: box each module's nodes (default: when ``params`` is a Module).
    - ``horizontal``: inputs on the left (default for Values), or on top (default for Tensors).

    To see the line of code that created each node, build the graph inside
    ``with autograd.record_sites():`` (or ``detect_anomaly()``).

    >>> page = step_through(loss, params=model)
    >>> page.save("backprop.html")        # or just `page` as the last line of a notebook cell
    """
    node = as_root(root, WHO)
    check_limits(WHO, max_nodes, max_elements)
    s = build(node, params, max_nodes, WHO)
    g = compute(s, gradient)
    recording = record(s, g, max_elements)
    sk = skeleton(s, recording.expressions)
    for i, entry in enumerate(sk.nodes):
        entry["fw"] = recording.forward_step[i]
        entry["bw"] = recording.backward_step[i]
    horizontal = not s.tensor if horizontal is None else bool(horizontal)
    data = assemble(sk, [frames.frame(s, g, max_elements)], horizontal)
    data.update(
        mode="step",
        steps=[step.as_json() for step in recording.steps],
        groupOf=sk.group_of,
        clusters=_clusters(params, clusters),
        kinds=s.kinds,
        note=_note(s, node),
    )
    if title is None:
        kind = "Tensor" if s.tensor else "Value"
        title = f"Backpropagation step by step: a {kind} graph of {len(s.nodes):,} nodes"
    return StepThrough(data, title)


def _clusters(params: Any, clusters: bool | None) -> bool:
    if clusters is None:
        return callable(getattr(params, "named_modules", None))
    return bool(clusters)


def _note(s: Any, root: Any) -> str:
    notes = []
    if s.folding.groups:
        notes.append(
            f"Folded: {len(s.nodes) - s.folding.kept:,} of {len(s.nodes):,} nodes are in dashed "
            "boxes; click one to unfold it."
        )
    if not root.requires_grad:
        notes.append("The output does not require grad: there is no backward pass to show.")
    return " ".join(notes)
