"""What flows along the edges of a drawing: per-edge gradients and the local factors of ops.

After backward every node holds dC/dz in ``.grad``, but an input with several consumers holds
the *sum* of what they sent it. To show which path carries the gradient (and which one is dead)
the drawing asks each op's backward rule again for the share it sends each input: the same rule
that backward ran, on the same raw data, so the picture shows exactly what the engine computed.

The local factor of an edge is what the op multiplies the incoming gradient by, as in the
lecture's reverse network (sigma'(z) for a sigmoid, the weight for a product). For an elementwise
op it is the rule applied to a gradient of ones, before the broadcast is summed away; for other
ops (matmul, sum, reshape...) it is a matrix or a rearrangement, described in words.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .draw_labels import array_summary, esc, num, shape_text
from .graph import Node, no_grad, op_name

# the local derivative of each elementwise op with respect to each of its inputs: the factor
# the incoming gradient is multiplied by, element by element
FACTORS: dict[str, tuple[str, ...]] = {
    "+": ("1", "1"),
    "-": ("1", "-1"),
    "*": ("y", "x"),
    "/": ("1/y", "-x/y&#178;"),
    "+c": ("1",),
    "c-": ("-1",),
    "*c": ("c",),
    "c/": ("-c/x&#178;",),
    "neg": ("-1",),
    "**c": ("c x^(c-1)",),
    "c**": ("c^x ln c",),
    "**": ("y x^(y-1)", "x^y ln x"),
    "exp": ("exp(x)",),
    "log": ("1/x",),
    "sqrt": ("1/(2&#8730;x)",),
    "tanh": ("1 - tanh&#178;",),
    "sigmoid": ("&#963;(1 - &#963;)",),
    "relu": ("1[x &gt; 0]",),
    "abs": ("sign(x)",),
    "astype": ("1",),
    "where": ("cond", "not cond"),
    "maximum": ("1[x &#8805; y]",),
    "minimum": ("1[x &#8804; y]",),
}
# Value's n-ary ops: every input of a sum gets factor 1; a dot product's inputs are
# w_1..w_n, x_1..x_n and the bias (see _dot_partner)
NARY = frozenset({"add_n", "dot"})
ELEMENTWISE = frozenset(FACTORS) | NARY

# what the other ops do to the incoming gradient g on its way back to each input
IN_WORDS: dict[str, tuple[str, ...]] = {
    "@": ("g @ y&#7488;", "x&#7488; @ g"),
    "linear": ("g @ W", "g&#7488; @ x", "g summed over the batch"),
    "sum": ("g broadcast back",),
    "mean": ("g/n broadcast back",),
    "max": ("g to the max",),
    "min": ("g to the min",),
    "logsumexp": ("g &#215; softmax(x)",),
    "softmax": ("softmax Jacobian &#183; g",),
    "log_softmax": ("g - softmax &#183; sum(g)",),
    "cross_entropy": ("(softmax - onehot) &#183; g (/N for the mean)",),
    "reshape": ("g reshaped back",),
    "transpose": ("g transposed back",),
    "index": ("g scattered back",),
    "index_add": ("g gathered",),
    "concatenate": ("slice of g",),
    "stack": ("slice of g",),
    "broadcast_to": ("g summed over broadcast axes",),
}


def _with_constant(op: str, formula: str, c: float) -> str:
    """A formula with the op's constant written in (``2 x`` rather than ``c x^(c-1)``)."""
    if op == "**c":
        return f"{num(c)} x" if c == 2.0 else f"{num(c)} x^{num(c - 1.0)}"
    if op == "c**":
        return f"{num(c)}^x ln {num(c)}"
    if op == "c/":
        return f"-{num(c)}/x&#178;"
    return formula


def edge_grads(node: Node, parent_nodes: list[Node]) -> tuple[Any, ...] | None:
    """The gradient ``node`` sends to each of its inputs in backward (None where it sends none).

    None for all of them when ``node`` holds no gradient or its graph was released.
    """
    g = node.grad
    if node._rule is None or g is None or not parent_nodes:
        return None
    try:  # backward already warned about any 0/0 or overflow: stay quiet on the rerun
        with no_grad(), np.errstate(all="ignore"):
            out = node._rule(node._ctx, g, node.data, *[p.data for p in parent_nodes])
    except Exception:  # noqa: BLE001 - a rule that cannot rerun just leaves the edge uncoloured
        return None
    return tuple(out)


def local_factors(node: Node, parent_nodes: list[Node]) -> tuple[Any, ...] | None:
    """d node / d input for each input of an elementwise op (arrays or floats), else None."""
    rule_fn = node._rule
    if rule_fn is None or op_name(node) not in ELEMENTWISE or not parent_nodes:
        return None
    raw_rule = getattr(rule_fn, "__wrapped__", rule_fn)  # skip the summing of broadcasts
    data = node.data
    ones: Any = np.ones_like(data) if isinstance(data, np.ndarray) else 1.0
    try:
        with no_grad(), np.errstate(all="ignore"):
            out = raw_rule(node._ctx, ones, data, *[p.data for p in parent_nodes])
    except Exception:  # noqa: BLE001 - fall back to the formula alone
        return None
    return tuple(out)


def _dot_partner(node: Node, k: int) -> int | None:
    """For input ``k`` of a dot product, the input it is multiplied by (None for the bias)."""
    n = int(node._ctx)
    if k < n:
        return k + n
    return k - n if k < 2 * n else None


def factor_formula(node: Node, k: int) -> str:
    """The local derivative of an elementwise op with respect to input ``k`` ("" for others)."""
    op = op_name(node)
    if op == "add_n":
        return "1"
    if op == "dot":
        partner = _dot_partner(node, k)
        if partner is None:
            return "1"
        n = int(node._ctx)
        return f"x{partner - n + 1}" if partner >= n else f"w{partner + 1}"
    formulas = FACTORS.get(op, ())
    formula = formulas[k] if k < len(formulas) else ""
    if isinstance(node._ctx, int | float) and op in ("**c", "c**", "c/"):
        formula = _with_constant(op, formula, float(node._ctx))
    return formula


def factor_text(
    node: Node, k: int, factor: Any, max_elements: int, names: dict[int, str] | None = None
) -> str:
    """An edge label for the backward view: what the gradient is multiplied by on this edge,
    as a formula and, for elementwise ops, its numbers. A product's factor is its other operand,
    called by its name when ``names`` has one (``× w3``, as in the lecture)."""
    op = op_name(node)
    if op not in ELEMENTWISE:
        words = IN_WORDS.get(op, ())
        text = words[k] if k < len(words) else op
        if op == "@" and len(node._parents) == 2:
            other = node._parents[1 - k].data
            text += f", {'y' if k == 0 else 'x'} {shape_text(other.shape)}"
        return text
    formula = factor_formula(node, k)
    if op == "*" and names and len(node._parents) == 2:
        formula = esc(names.get(id(node._parents[1 - k]), formula))
    elif op == "dot" and names and (partner := _dot_partner(node, k)) is not None:
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
    if formula in ("", numbers) or op in ("+", "-", "+c", "c-", "neg", "*c", "astype", "add_n"):
        return f"&#215; {numbers}"
    return f"&#215; {formula} = {numbers}"
