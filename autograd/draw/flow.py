"""What flows along the edges of a drawing: per-edge gradients and the local factors of ops.

After backward every node holds dC/dz in ``.grad``, but an input with several consumers holds
the *sum* of what they sent it. To show which path carries the gradient (and which one is dead)
the drawing asks each op's backward rule again for the share it sends each input: the same rule
that backward ran, on the same raw data, so the picture shows exactly what the engine computed.

The local factor of an edge is what the op multiplies the incoming gradient by, as in the
lecture's reverse network (sigma'(z) for a sigmoid, the weight for a product). Each op declares
it (``Op.factors``, in ops/); for an elementwise op its numbers are the rule applied to a gradient
of ones, before any broadcast is summed away; for other ops (matmul, sum, reshape...) it is a
matrix or a rearrangement, and the declaration describes it in words.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import Node
from ..modes import no_grad
from .labels import array_summary, esc, num, shape_text


def _rerun(node: Node, g: Any, plain: bool) -> tuple[Any, ...] | None:
    op = node.grad_fn
    parents = node._parents
    if op is None or not parents:
        return None
    rule = op.plain.backward if plain else op.backward
    try:  # backward already warned about any 0/0 or overflow: stay quiet on the rerun
        with no_grad(), np.errstate(all="ignore"):
            return tuple(rule(node._ctx, g, node.data, *[p.data for p in parents]))
    except Exception:  # noqa: BLE001 - a rule that cannot rerun just leaves the edge uncoloured
        return None


def edge_grads(node: Node) -> tuple[Any, ...] | None:
    """The gradient ``node`` sends to each of its inputs in backward (None where it sends none);
    None for all of them when ``node`` holds no gradient or its graph was released."""
    g = node._grad
    if g is None or isinstance(g, Node):
        return None
    return _rerun(node, g, plain=False)


def sent_back(node: Node, g: Any) -> tuple[Any, ...] | None:
    """The gradient ``node`` sends each of its inputs when its own gradient is ``g`` (raw data):
    for tools that hold a node's gradient elsewhere than in ``.grad`` (the step-through page)."""
    return _rerun(node, g, plain=False)


def local_factors(node: Node) -> tuple[Any, ...] | None:
    """d node / d input for each input of an elementwise op (arrays or floats), else None."""
    op = node.grad_fn
    if op is None or not op.elementwise:
        return None
    data = node.data
    ones: Any = np.ones_like(data) if isinstance(data, np.ndarray) else 1.0
    return _rerun(node, ones, plain=True)


def factor_formula(node: Node, k: int) -> str:
    """The local derivative of an elementwise op with respect to input ``k`` ("" for others),
    escaped for a Graphviz label."""
    op = node.grad_fn
    if op is None or not op.elementwise:
        return ""
    return esc(op.factor(k, node._ctx))


def curved(node: Node) -> bool:
    """An op of one input whose local factor depends on where it is evaluated (tanh, exp...):
    its bubble shows the formula."""
    op = node.grad_fn
    return op is not None and op.elementwise and not op.linear and len(node._parents) == 1


def factor_text(
    node: Node, k: int, factor: Any, max_elements: int, names: dict[int, str] | None = None
) -> str:
    """An edge label for the backward view: what the gradient is multiplied by on this edge,
    as a formula and, for elementwise ops, its numbers. A product's factor is its other operand,
    called by its name when ``names`` has one (``× w3``, as in the lecture)."""
    op = node.grad_fn
    assert op is not None
    if not op.elementwise:
        text = esc(op.factor(k, node._ctx)) or esc(op.name)
        if op.name == "@" and len(node._parents) == 2:
            other = node._parents[1 - k].data
            text += f", {'y' if k == 0 else 'x'} {shape_text(other.shape)}"
        return text
    formula = factor_formula(node, k)
    partner = op.partner(k, node._ctx) if op.partner is not None else None
    if names and partner is not None and partner < len(node._parents):
        formula = esc(names.get(id(node._parents[partner]), formula))
    if factor is None:
        return f"&#215; {formula}"
    if isinstance(factor, np.ndarray):
        f = factor.astype(np.float64)
        if f.size and np.all(f == f.flat[0]):
            numbers = num(f.flat[0])
        else:
            numbers = array_summary(f, max_elements)
            zeros = int(np.count_nonzero(f == 0))
            if 0 < zeros < f.size and f.size > max_elements:
                numbers += f" · {100.0 * zeros / f.size:.0f}% zero"
    else:
        numbers = num(float(factor))
    if formula in ("", numbers) or op.linear:
        return f"&#215; {numbers}"
    return f"&#215; {formula} = {numbers}"
