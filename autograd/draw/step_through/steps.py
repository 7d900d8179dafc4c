"""The steps of the page: the forward pass one op at a time in topological order, then the
backward pass one node at a time in reverse order, each with one sentence and its arithmetic.

Step 0 is the start (only the inputs and parameters are known). A forward step computes one
node from inputs already known; the first backward step seeds the output (dC/dC = 1); each later
one gives a node its gradient, from all of its consumers at once, which is why the backward
pass must wait for every consumer: a topological order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..flow import factor_text
from ..labels import num
from . import formulas as fx
from .gradients import Gradients
from .structure import Structure
from .text import factor_number, grad_short, is_array, meta, plain, short

DONE = " Done: every node that requires grad shows its gradient, the numbers backward() gives."
MAX_PASS_THROUGH = 10_000  # a bound on looking through one-addition chains (no cycles exist)


@dataclass
class Step:
    kind: str  # start, forward, seed, backward
    node: int  # -1 for the start
    sentence: str
    lines: list[str] = field(default_factory=list)
    edges: list[int] = field(default_factory=list)  # edges to highlight
    labels: list[str] = field(default_factory=list)  # their labels (backward: local factors)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.kind, "n": self.node, "t": self.sentence}
        if self.lines:
            out["f"] = self.lines
        if self.edges:
            out["e"] = self.edges
        if self.labels:
            out["l"] = self.labels
        return out


@dataclass
class Recording:
    steps: list[Step]
    forward_step: list[int]  # per node: the step at which its value is known (0: from the start)
    backward_step: list[int]  # per node: the step that gives it its gradient (-1: none)
    expressions: list[str]  # per node: how the forward pass computes it ("" for a leaf)


def record(s: Structure, g: Gradients, max_elements: int) -> Recording:
    nodes, parents, syms = s.nodes, s.w.parents, s.syms
    inputs_of: list[list[int]] = [[] for _ in nodes]
    for e, (_, c, _) in enumerate(s.edges):
        inputs_of[c].append(e)
    steps = [Step("start", -1, _start_sentence(s))]
    forward_step = [0] * len(nodes)
    expressions = [""] * len(nodes)
    computed = [i for i in s.topo if nodes[i].grad_fn is not None]
    for m, i in enumerate(computed, start=1):
        node = nodes[i]
        expressions[i] = fx.forward_expr(node, [syms[p] for p in parents[i]])
        forward_step[i] = len(steps)
        lines = [f"{syms[i]} = {expressions[i]}"]
        if is_array(node.data):
            lines.append(f"= {meta(node.data)}: {short(node.data, max_elements)}")
        else:
            numbers = fx.forward_expr(
                node, [factor_number(nodes[p].data) for p in parents[i]], numbers=True
            )
            lines.append(f"= {numbers} = {num(node.data)}")
        sentence = (
            f"Forward pass, op {m} of {len(computed)}: {syms[i]} = {expressions[i]}, "
            "computed now that all of its inputs are known."
        )
        steps.append(Step("forward", i, sentence, lines, inputs_of[i]))
    backward_step = [-1] * len(nodes)
    writer = _Backward(s, g, max_elements)
    order = [i for i in reversed(s.topo) if nodes[i].requires_grad]
    for i in order:
        backward_step[i] = len(steps)
        steps.append(writer.step(i))
    if order:
        steps[-1].sentence += DONE
    return Recording(steps, forward_step, backward_step, expressions)


def _start_sentence(s: Structure) -> str:
    leaves = sum(1 for node in s.nodes if node.grad_fn is None)
    held = (
        "its one leaf holds its value" if leaves == 1 else f"its {leaves} leaves hold their values"
    )
    return (
        f"The start: only the graph's inputs and parameters are known ({held}). Step forward (→) "
        "to run the graph one op at a time, in topological order."
    )


class _Backward:
    """Writes each backward step: the sentence, the formula, the numbers, the edge labels."""

    def __init__(self, s: Structure, g: Gradients, max_elements: int) -> None:
        self.s, self.g, self.max_elements = s, g, max_elements
        self.names = {id(node): s.syms[i] for i, node in enumerate(s.nodes)}
        self.times = " ⊙ " if s.tensor else "·"

    def terms(self, j: int, look_through: bool) -> list[fx.Term]:
        """One term per edge along which a gradient comes back to node ``j``."""
        s, g = self.s, self.g
        out = []
        for e in s.consumers[j]:
            p, c, k = s.edges[e]
            if g.grads[c] is None or g.shares[e] is None:
                continue
            t = fx.term(
                s.nodes[c], k, s.w.parents[c], c, s.syms, g.factors[c], g.shares[e], s.tensor
            )
            if look_through:
                t.upstream = self.look_through(t.upstream)
            out.append(t)
        return out

    def look_through(self, u: int) -> int:
        """Past unnamed nodes that pass their gradient on unchanged (they feed one addition):
        their gradient is their consumer's, so the formula names the consumer."""
        s, g = self.s, self.g
        for _ in range(MAX_PASS_THROUGH):
            if u == 0 or s.named[u] or len(s.consumers[u]) != 1:
                return u
            e = s.consumers[u][0]
            _, c, k = s.edges[e]
            op = s.nodes[c].grad_fn
            factors = g.factors[c]
            if op is None or not (op.elementwise and op.linear) or factors is None:
                return u
            same_shape = not is_array(s.nodes[u].data) or (
                s.nodes[u].data.shape == s.nodes[c].data.shape
            )
            factor = factors[k] if k < len(factors) else None
            if not same_shape or factor is None or not _all_one(factor):
                return u
            u = c
        return u

    def step(self, j: int) -> Step:
        s, g = self.s, self.g
        sym = s.syms[j]
        grad = g.grads[j]
        if j == 0:
            seed = "1" if not s.tensor else grad_short(grad, self.max_elements)
            given = seed not in ("1", "[1]")
            sentence = (
                f"The backward pass starts at the output {sym} with the gradient given to "
                "step_through (as backward(gradient) starts with it)."
                if given
                else f"The backward pass starts at the output {sym}: dC/dC = 1 (C is the output)."
            )
            return Step("seed", j, sentence, [f"dC/d{sym} = {seed}"])
        local = self.terms(j, look_through=False)
        edges = list(s.consumers[j])
        labels = [self.edge_label(e) for e in edges]
        if grad is None or not local:
            sentence = f"Backward pass: no gradient reaches {sym} (its consumers send none back)."
            return Step("backward", j, sentence, [f"dC/d{sym}: none"], edges, labels)
        lines = [f"dC/d{sym} = {fx.join([fx.render(t, s.syms) for t in local])}"]
        shown = local
        lecture = self.lecture_form(j)
        if lecture is not None and lecture[0] != lines[0].split(" = ", 1)[1]:
            lines.append(f"= {lecture[0]}")
        looked = self.terms(j, look_through=True)
        if lecture is None and [t.upstream for t in looked] != [t.upstream for t in local]:
            lines.append(f"= {fx.join([fx.render(t, s.syms) for t in looked])}")
            shown = looked
        if s.tensor:
            if len(local) > 1:
                parts = [grad_short(t.share, self.max_elements) for t in local]
                lines.append("= " + fx.join([_group(p) for p in parts]))
            lines.append(f"= {grad_short(grad, self.max_elements)}")
        else:
            numbers = lecture[1] if lecture is not None else None
            if numbers is None:
                numbers = fx.join([fx.render_numbers(t, g.grads) for t in shown])
            result = num(grad)
            lines.append(f"= {numbers}" + (f" = {result}" if numbers.strip("()") != result else ""))
        return Step("backward", j, self.sentence(j, local), lines, edges, labels)

    def lecture_form(self, j: int) -> tuple[str, str | None] | None:
        """``σ'(z)·(w3·dC/dz' + w4·dC/dz'')``: when node j's only consumer is a one-input
        nonlinearity a = f(z), that consumer's own sum is written out (None otherwise); with
        its numbers for a Value graph."""
        s, g = self.s, self.g
        if len(s.consumers[j]) != 1:
            return None
        e = s.consumers[j][0]
        _, c, k = s.edges[e]
        op = s.nodes[c].grad_fn
        if c == 0 or op is None or not op.elementwise or op.linear or len(s.w.parents[c]) != 1:
            return None
        outer = self.terms(j, look_through=False)
        inner = self.terms(c, look_through=True)
        if len(outer) != 1 or not inner or g.grads[c] is None:
            return None
        head = outer[0].template.split(fx.G)[0]  # "σ'(z)·"
        body = fx.join([fx.render(t, s.syms) for t in inner])
        text = head + (f"({body})" if " " in body else body)
        if s.tensor or outer[0].factor is None:
            return text, None
        inner_numbers = fx.join([fx.render_numbers(t, g.grads) for t in inner])
        if len(inner) > 1:
            inner_numbers = f"({inner_numbers})"
        return text, f"{factor_number(outer[0].factor)} × {inner_numbers}"

    def sentence(self, j: int, local: list[fx.Term]) -> str:
        s = self.s
        sym = s.syms[j]
        users = sorted({t.upstream for t in local})
        leaf = s.nodes[j].grad_fn is None
        tail = " This is its .grad, what an optimizer uses." if leaf else ""
        if len(local) == 1:
            c = s.syms[local[0].upstream]
            return (
                f"Backward pass: {sym} is used by one op ({c}), so dC/d{sym} is dC/d{c} times "
                f"the local factor on that edge.{tail}"
            )
        if len(users) == 1:
            c = s.syms[users[0]]
            return (
                f"Backward pass: {sym} enters {c} {len(local)} times, so {len(local)} gradients "
                f"come back along its edges and add up.{tail}"
            )
        return (
            f"Backward pass: {sym} is used by {len(users)} ops, so the gradients they send back "
            "add up; it gets its gradient only after all of them have theirs, which is why "
            f"backward follows a topological order.{tail}"
        )

    def edge_label(self, e: int) -> str:
        s, g = self.s, self.g
        p, c, k = s.edges[e]
        node = s.nodes[c]
        if not s.nodes[p].requires_grad or node.grad_fn is None:
            return ""
        op = node.grad_fn
        if not op.elementwise:  # what the op does to g, with its operands' names
            words = op.factor(k, node._ctx) or op.name
            return fx.substitute(words, fx.operands(s.w.parents[c], s.syms))
        factors = g.factors[c]
        factor = factors[k] if factors is not None and k < len(factors) else None
        if factor is None:
            return plain(factor_text(node, k, factor, self.max_elements, self.names))
        # the number only: the formula under the graph names it, and a short label fits
        # between two boxes
        return "× " + short(factor, self.max_elements)


def _group(summary: str) -> str:
    """A tensor's summary as one term of a sum: statistics in parentheses, numbers as they are."""
    return f"({summary})" if " " in summary and not summary.startswith("[") else summary


def _all_one(factor: Any) -> bool:
    if is_array(factor):
        return bool(factor.size) and bool((factor == 1).all())
    return float(factor) == 1.0
