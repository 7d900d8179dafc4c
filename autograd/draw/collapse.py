"""Folding a large graph into a readable summary, in linear time.

Above ``max_nodes`` the drawing keeps the nodes nearest the output (breadth-first order, where a
loss and its last layers live) and folds every other node into a summary box:

- parameters (and what is computed from one module's parameters alone, such as ``W.T``) fold
  into one box per module; module paths are cut back to shorter prefixes until at most
  ``MAX_MODULE_BOXES`` remain, so 1,000 neurons become a few layers. The ops that combine them
  with data fold by depth with everything else: a box per module would otherwise be tied to
  every depth of an unrolled graph (one copy of the network per sample, for Values);
- the rest fold by level (the longest path to the output) into at most ``MAX_DEPTH_BANDS`` bands,
  so repeated structure (a long chain, a deep stack, a batch unrolled into scalars) becomes a
  short chain of boxes that says what it holds.

Edges between boxes and kept nodes are merged, with their count. The drawing says all this in
its caption, so a folded picture is never mistaken for the whole graph.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..ops.common import is_int
from .labels import grad_of, op_name
from .style import magnitude
from .walk import Walk

MAX_MODULE_BOXES = 8
MAX_DEPTH_BANDS = 8


def check_limits(who: str, max_nodes: Any, max_elements: Any) -> None:
    """The size limits a drawing or a step-through page folds a graph by."""
    for arg, value in (("max_nodes", max_nodes), ("max_elements", max_elements)):
        if not is_int(value) or value < 1:
            raise ValueError(f"{who}: {arg} must be a positive int, got {value!r}")


MAX_CROSSING = 24


@dataclass
class Group:
    module: str | None  # the module whose nodes this box holds; None for a band of levels
    level: list[int]  # of every node of the walk (shared by all groups)
    members: list[int] = field(default_factory=list)

    def describe(self, w: Walk, names: dict[int, str], with_grads: bool) -> list[str]:
        """Plain-text lines: what the box holds (ops, parameters, depth) and its gradients."""
        ops = Counter(op_name(w.nodes[i]) or "leaf" for i in self.members)
        top = ", ".join(f"{op} ×{count:,}" for op, count in ops.most_common(4))
        if len(ops) > 4:
            top += f", {len(ops) - 4} more kinds"
        levels = [self.level[i] for i in self.members]
        lines = [f"{len(self.members):,} nodes folded, {min(levels)}-{max(levels)} ops deep"]
        lines.append(top)
        params = [names[id(w.nodes[i])] for i in self.members if id(w.nodes[i]) in names]
        if params:
            shown = ", ".join(params[:3]) + (
                f" and {len(params) - 3} more" if len(params) > 3 else ""
            )
            lines.append(f"parameters: {shown}")
        if with_grads:
            mags = [
                m for m in (magnitude(grad_of(w.nodes[i])) for i in self.members) if m is not None
            ]
            finite = sorted(m for m in mags if math.isfinite(m))
            if finite:
                lines.append(
                    f"|grad| median {finite[len(finite) // 2]:.3g} (min {finite[0]:.3g}, "
                    f"max {finite[-1]:.3g})"
                )
            zeros = sum(1 for m in finite if m == 0.0)
            if zeros:
                lines.append(f"{zeros:,} with gradient exactly 0")
            if len(finite) < len(mags):
                lines.append(f"{len(mags) - len(finite):,} with NaN/Inf gradient")
        return lines

    def median_magnitude(self, w: Walk) -> float | None:
        mags = [m for m in (magnitude(grad_of(w.nodes[i])) for i in self.members) if m is not None]
        if not mags:
            return None
        if any(not math.isfinite(m) for m in mags):
            return math.inf
        mags.sort()
        return mags[len(mags) // 2]


@dataclass
class Plan:
    kept: int  # nodes 0..kept-1 of the walk are drawn one by one
    groups: list[Group]
    group_of: list[int]  # for every folded node, its group's index; -1 for kept nodes


def _coarsen(modules: set[str], limit: int) -> dict[str, str]:
    """Map each module path to a prefix of itself so that at most ``limit`` prefixes remain."""
    mapping = {m: m for m in modules}
    while len(set(mapping.values())) > limit:
        deepest = max(v.count(".") for v in mapping.values())
        if deepest == 0:
            break  # top-level modules: cannot merge further without losing their names
        mapping = {
            m: (v.rpartition(".")[0] if v.count(".") == deepest else v) for m, v in mapping.items()
        }
    return mapping


def _levels(w: Walk) -> list[int]:
    """The longest path (in ops) from each node to an output. Unlike breadth-first depth it
    always grows from a consumer to its inputs, so bands of levels link in one direction."""
    level = [0] * len(w.nodes)
    for i in reversed(w.topological()):
        below = level[i] + 1
        for p in w.parents[i]:
            if level[p] < below:
                level[p] = below
    return level


def _kept_prefix(w: Walk, budget: int, max_crossing: int = MAX_CROSSING) -> int:
    """How many nodes (a prefix of the breadth-first order) to draw one by one: as many as the
    budget allows, but cut back to where at most MAX_CROSSING edges join them to the folded
    rest, or a wide graph would tie every summary box to dozens of drawn nodes."""
    n = len(w.nodes)
    # crossing[m]: edges with one end in the first m nodes and the other end outside them
    diff = [0] * (n + 2)
    for c, ps in enumerate(w.parents):
        for p in ps:
            lo, hi = (c, p) if c < p else (p, c)
            if lo != hi:
                diff[lo + 1] += 1
                diff[hi + 1] -= 1
    crossing, total = [0] * (n + 1), 0
    for m in range(n + 1):
        total += diff[m]
        crossing[m] = total
    kept = min(budget, n)
    while kept > w.n_roots and crossing[kept] > max_crossing:
        kept -= 1
    return max(kept, w.n_roots)


def plan(
    w: Walk, modules: list[str | None], max_nodes: int, max_crossing: int = MAX_CROSSING
) -> Plan:
    """``modules``: for each node, the module whose parameters alone it is computed from.
    ``max_crossing``: at most this many edges may join the kept nodes to the folded ones (the
    step-through page, which merges such edges itself, allows more than Graphviz drawings)."""
    n = len(w.nodes)
    if n <= max_nodes:
        return Plan(n, [], [-1] * n)
    # a small max_nodes gets fewer boxes, so that the drawing stays within it
    module_boxes = max(1, min(MAX_MODULE_BOXES, max_nodes // 4))
    depth_bands = max(1, min(MAX_DEPTH_BANDS, max_nodes // 4))
    kept = _kept_prefix(w, max(max_nodes - module_boxes - depth_bands, 1), max_crossing)
    level = _levels(w)
    folded_modules = {m for m in modules[kept:] if m is not None}
    prefix = _coarsen(folded_modules, module_boxes)
    if len(set(prefix.values())) > module_boxes:
        prefix = {}  # too many top-level modules to box one by one: fold them by depth
    groups: list[Group] = []
    index: dict[str | int, int] = {}
    first = min(level[kept:], default=0)
    span = max(max(level[kept:], default=0) - first + 1, 1)
    bands = min(depth_bands, span)
    group_of = [-1] * n
    for i in range(kept, n):
        module = modules[i]
        box = prefix.get(module) if module is not None else None
        key = box if box is not None else (level[i] - first) * bands // span
        g = index.get(key)
        if g is None:
            g = index[key] = len(groups)
            groups.append(Group(box, level))
        groups[g].members.append(i)
        group_of[i] = g
    return Plan(kept, groups, group_of)
