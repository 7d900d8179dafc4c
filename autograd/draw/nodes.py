"""Node labels of draw_graph: micrograd-style records for Values, summaries for Tensors, op
bubbles, and the summary boxes of folded regions. Colours come from draw_style.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..graph import Node
from . import style
from .collapse import Group, Plan
from .flow import curved, factor_formula
from .labels import data_summary, esc, grad_of, grad_summary, num, op_text, tensor_meta
from .walk import Walk

Statement = tuple[str, str, dict[str, str]]  # a node's name, label and attributes
SMALL = 9  # point size of edge labels and detail lines


@dataclass
class Scene:
    """Everything known about one drawing: the graph walk and what to show of it."""

    w: Walk
    names: dict[int, str]  # id(parameter) -> its name
    modules: list[str | None]  # the module cluster of each node (see draw_modules.py)
    owned: list[str | None]  # the module whose parameters alone each node is computed from
    layout: Plan
    with_grads: bool
    backward: bool
    clusters: bool
    max_elements: int

    def state(self, node: Node) -> style.GradState:
        if not (self.with_grads and node.requires_grad):
            return style.NO_GRAD
        return style.grad_state(style.magnitude(grad_of(node)))

    def title(self, i: int) -> str:
        node = self.w.nodes[i]
        name = self.names.get(id(node))
        if name is not None:
            return name
        if i < self.w.n_roots:
            return "output"
        if node.grad_fn is None:
            return "leaf" if node.requires_grad else "const"
        return ""

    # nodes -------------------------------------------------------------------------------------
    def node_statements(self, i: int) -> list[Statement]:
        node = self.w.nodes[i]
        state = self.state(node)
        border = style.NONFINITE_LINE if _nonfinite(node.data) else "#333333"
        width = "2.5" if _nonfinite(node.data) or i < self.w.n_roots else "1"
        dashed = state == style.ZERO
        if isinstance(node.data, float):
            label = self.value_label(i, state, border, width, dashed)
            stmts = [(f"n{i}", label, {"shape": "plain"})]
            if node.grad_fn is not None:
                stmts.append(
                    (f"o{i}", self.op_bubble(node), {"shape": "ellipse", "margin": "0.03"})
                )
            return stmts
        attrs = {
            "shape": "box",
            "style": "rounded,filled" + (",dashed" if dashed else ""),
            "fillcolor": style.fill_colour(state),
            "color": border,
            "penwidth": width,
        }
        return [(f"n{i}", self.tensor_label(i), attrs)]

    def value_label(self, i: int, state: Any, border: str, width: str, dashed: bool) -> str:
        node = self.w.nodes[i]
        cells = [f"<b>{esc(t)}</b>" for t in [self.title(i)] if t]
        # a constant's .grad is a placeholder 0.0: it has no gradient, so none is shown
        shown = self.with_grads and node.requires_grad
        if self.backward:
            cells += [f"dC/dz {num(grad_of(node))}"] * shown + [f"data {num(node.data)}"]
        else:
            cells += [f"data {num(node.data)}"] + [f"grad {num(grad_of(node))}"] * shown
        row = "".join(f"<td>{c}</td>" for c in cells)
        dash = ' style="dashed"' if dashed else ""
        return (
            f'<<table border="{1 if width == "1" else 2}" cellborder="0" columns="*" '
            f'cellspacing="0" cellpadding="4" bgcolor="{style.fill_colour(state)}" '
            f'color="{border}"{dash}><tr>{row}</tr></table>>'
        )

    def op_bubble(self, node: Node) -> str:
        text = f"<b>{esc(op_text(node))}</b>"
        if self.backward and curved(node) and factor_formula(node, 0):
            text += f'<br/><font point-size="{SMALL}">&#215; {factor_formula(node, 0)}</font>'
        return f"<{text}>"

    def tensor_label(self, i: int) -> str:
        node = self.w.nodes[i]
        head = self.title(i)
        if node.grad_fn is not None:
            op = f"<b>{esc(op_text(node))}</b>"
            head = f"{op} &#8594; {esc(head)}" if head else op
        else:
            head = f"<b>{esc(head)}</b>"
        rows = [f"{head}  {esc(tensor_meta(node.data))}"]
        value = data_summary(node, self.max_elements)
        grad = grad_of(node) if self.with_grads else None
        if self.backward:
            if grad is not None:
                rows.append("dC/dz: " + grad_summary(grad, self.max_elements))
            rows.append(f'<font point-size="{SMALL}">data: {value}</font>')
        else:
            rows.append(f"value: {value}")
            if grad is not None:
                rows.append("grad: " + grad_summary(grad, self.max_elements))
        body = "".join(f'<tr><td align="left" balign="left">{r}</td></tr>' for r in rows)
        return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{body}</table>>'

    def group_statement(self, group: Group, kinds: dict[str, str]) -> tuple[str, dict[str, str]]:
        if group.module is None:
            title = "folded nodes"
        else:
            kind = kinds.get(group.module)
            title = group.module + (f" ({kind})" if kind else "")
        lines = group.describe(self.w, self.names, self.with_grads)
        body = "<br/>".join(esc(line) for line in lines)
        label = f'<<b>{esc(title)}</b><br/><font point-size="{SMALL + 1}">{body}</font>>'
        fill = "#f4f4f4"
        if self.with_grads:
            fill = style.fill_colour(style.grad_state(group.median_magnitude(self.w)))
        attrs = {"shape": "box", "style": "rounded,dashed,filled", "fillcolor": fill}
        return label, attrs


def _nonfinite(data: Any) -> bool:
    if isinstance(data, float):
        return data != data or data in (float("inf"), float("-inf"))
    return bool(data.dtype.kind == "f" and not np.isfinite(data).all())
