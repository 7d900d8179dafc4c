"""One moment of a graph as the page shows it: every node's value and gradient (text and
colour, on draw_graph's fixed scale), the colour of every edge, and what the folded boxes hold.

A step-through has one frame (the end of the backward pass; the page reveals it step by step);
a training timeline has one per recorded step. A frame holds text only, never the graph.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import style
from .gradients import Gradients
from .structure import Structure
from .text import detail, grad_lines, is_array, value_lines


def frame(s: Structure, g: Gradients, max_elements: int, label: str = "") -> dict[str, Any]:
    nodes = s.nodes
    vals, grads, fills, dvals, dgrads, broken = [], [], [], [], [], []
    mags: list[float | None] = []
    with np.errstate(all="ignore"):
        for i, node in enumerate(nodes):
            grad = g.grads[i] if node.requires_grad else None
            mag = style.magnitude(grad)
            mags.append(mag)
            vals.append(value_lines(node.data, max_elements))
            grads.append(grad_lines(grad, max_elements) if grad is not None else None)
            fills.append(style.fill_colour(style.grad_state(mag)))
            dvals.append(detail(node.data))
            dgrads.append(detail(grad) if grad is not None else "")
            broken.append(_nonfinite(node.data))
        edges = [_edge(s, g, e) for e in range(len(s.edges))]
        groups = [_group(group.members, mags) for group in s.folding.groups]
    out: dict[str, Any] = {
        "label": label,
        "val": vals,
        "grad": grads,
        "fill": fills,
        "dval": dvals,
        "dgrad": dgrads,
        "bad": [i for i, b in enumerate(broken) if b],
        "edge": edges,
        "group": groups,
    }
    root = nodes[0].data
    if not is_array(root) or root.size == 1:
        loss = float(np.asarray(root).reshape(-1)[0]) if is_array(root) else float(root)
        if math.isfinite(loss):  # (JSON has no NaN)
            out["loss"] = loss
    return out


def _edge(s: Structure, g: Gradients, e: int) -> list[Any]:
    """[colour, width, dash]: the gradient sent back along the edge, on the node scale."""
    p, _, _ = s.edges[e]
    if not s.nodes[p].requires_grad:
        return ["#b0b0b0", 1.0, "2,3"]  # into a constant: nothing flows back
    share = g.shares[e]
    if share is None:
        state: style.GradState = style.ZERO if g.grads[s.edges[e][1]] is not None else style.NO_GRAD
    else:
        state = style.grad_state(style.magnitude(share))
    return [style.line_colour(state), style.edge_width(state), "5,4" if state == style.ZERO else ""]


def _group(members: list[int], mags: list[float | None]) -> list[str]:
    """[fill, text]: the median gradient size of a folded box's nodes."""
    found = [mags[i] for i in members if mags[i] is not None]
    if not found:
        return [style.NO_GRAD_FILL, ""]
    finite = sorted(m for m in found if m is not None and math.isfinite(m))
    if len(finite) < len(found):
        return [style.fill_colour(style.NONFINITE), f"{len(found) - len(finite)} with NaN/Inf grad"]
    median = finite[len(finite) // 2]
    zeros = sum(1 for m in finite if m == 0.0)
    text = f"|grad| median {median:.3g} (min {finite[0]:.3g}, max {finite[-1]:.3g})"
    if zeros:
        text += f", {zeros} exactly 0"
    return [style.fill_colour(style.grad_state(median)), text]


def _nonfinite(data: Any) -> bool:
    if isinstance(data, float):
        return not math.isfinite(data)
    return bool(data.dtype.kind == "f" and not np.isfinite(data).all())
