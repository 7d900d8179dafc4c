"""The arithmetic of each step, written as the lecture writes it.

Forward: ``v3 = w1 * x1 = 0.5 × 2 = 1``. Backward: a node's gradient is a sum over the ops that
consume it of (local factor × that op's gradient), e.g. ``dC/da = w3·dC/dz' + w4·dC/dz''``.
The factors come from each op's declaration (``Op.factor``, ``Op.partner``, ``Op.text``): a
product's factor is its other operand, called by its name; sigmoid's is sigma'(z); a matrix
product's is written with the transposed operand (``W2ᵀ @ dC/dz2``).

Two rewrites give the lecture's form ``dC/dz = σ'(z)·(w3·dC/dz' + w4·dC/dz'')``:
- an unnamed node that only passes its gradient on unchanged (it feeds one addition) is looked
  through, so the sum is written with the named pre-activations rather than partial sums;
- a node whose only consumer is a one-input nonlinearity (``a = σ(z)``) has that consumer's sum
  written out inside its own formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...graph import Node
from ..labels import num
from .text import factor_number, is_array

G = "\x00"  # stands for the upstream gradient in a term's template
INFIX = {"+", "-", "*", "/", "**", "@"}
FUNCTION_NAMES = {"sigmoid": "σ"}
_CALL = re.compile(r"^([\w.]+)\((.*)\)$")
_NUMBER = re.compile(r"-?[\d.]+(e[-+]?\d+)?")


# a one-letter variable in an op's declared text (not part of a word such as 'max' or 'x1')
_VARIABLE = re.compile(r"(?<![A-Za-z_0-9])([gxyW])(?![A-Za-z_0-9])")


def substitute(text: str, names: dict[str, str]) -> str:
    """Replace the one-letter variables of ``text`` by ``names`` (in one pass, so a name that
    holds such a letter is not replaced again)."""
    return _VARIABLE.sub(lambda m: names.get(m.group(1), m.group(1)), text)


def mentions(text: str, letter: str) -> bool:
    return any(m.group(1) == letter for m in _VARIABLE.finditer(text))


def forward_expr(node: Node, args: list[str], numbers: bool = False) -> str:
    """The op that made ``node`` applied to ``args`` (symbols, or numbers: then a product
    is written ``2 × 3``, not ``2 * 3``)."""
    op = node.grad_fn
    assert op is not None
    ctx = node._ctx
    label = op.text(ctx, num)
    if op.name in INFIX and len(args) == 2:
        name = "×" if numbers and op.name == "*" else op.name
        return f"{args[0]} {name} {args[1]}"
    if op.name == "dot" and isinstance(ctx, int) and len(args) == 2 * ctx + 1:
        products = [f"{args[i]}·{args[ctx + i]}" for i in range(ctx)]
        return " + ".join([args[-1], *products])
    if op.name == "add_n":
        return " + ".join(args)
    if op.name == "where" and len(args) == 2:  # the condition is data, not an input node
        args = ["cond", *args]
    if len(args) == 1:
        if mentions(label, "x"):
            return substitute(label, {"x": args[0]})
        if label[:1] in "+-*/" and label[1:2] in " *":
            return f"{args[0]} {label}"
    call = _CALL.match(label)
    if call:
        return f"{call.group(1)}({', '.join([*args, call.group(2)])})"
    return f"{FUNCTION_NAMES.get(label, label)}({', '.join(args)})"


def wrap(text: str) -> str:
    """``text`` as a factor in a product: parenthesised unless it is one symbol, a
    non-negative number or a call such as ``σ'(z)``."""
    if re.fullmatch(r"[\w.]+'?(\([\w.]*\))?", text):
        return text
    return f"({text})"


@dataclass
class Term:
    """One consumer's contribution to a node's gradient: ``template`` with G standing for the
    upstream gradient dC/d(upstream); ``factor``: the local factor's number(s) (None when the
    factor is 1 or is an operation rather than a number)."""

    template: str
    upstream: int
    factor: Any
    share: Any  # the gradient the consumer sends along this edge


def term(
    node: Node,
    k: int,
    parents: tuple[int, ...],
    consumer: int,
    syms: list[str],
    factors: tuple[Any, ...] | None,
    share: Any,
    tensor: bool,
) -> Term:
    """What ``node`` (the consumer) sends back to its input ``k``, symbolically."""
    op = node.grad_fn
    assert op is not None
    if op.elementwise:
        factor = factors[k] if factors is not None and k < len(factors) else None
        text = _factor_symbol(node, k, parents, syms, factor)
        # a tensor's factor multiplies element by element, a number simply multiplies
        times = " ⊙ " if tensor and not _NUMBER.fullmatch(text) else "·"
        template = G if text == "1" else f"{wrap(text)}{times}{G}"
        if text == "1":
            factor = None
        parent = node._parents[k]
        if tensor and is_array(parent.data) and parent.data.shape != np.shape(node.data):
            template = f"unbroadcast({template})"
        return Term(template, consumer, factor, share)
    words = op.factor(k, node._ctx)
    if not words:
        return Term(f"(∂{syms[consumer]}/∂{syms[parents[k]]})ᵀ {G}", consumer, None, share)
    if not mentions(words, "g"):
        words = f"{words}(g)"
    names = {"g": G, **operands(parents, syms)}
    if op.name == "linear" and len(parents) > 1:
        names["W"] = syms[parents[1]]
    return Term(substitute(words, names), consumer, None, share)


def operands(parents: tuple[int, ...], syms: list[str]) -> dict[str, str]:
    """x and y of an op's declared text: its first and second input."""
    return dict(zip("xy", (syms[p] for p in parents[:2])))


def _factor_symbol(
    node: Node, k: int, parents: tuple[int, ...], syms: list[str], factor: Any
) -> str:
    """The local factor of an elementwise op: the partner's name for a product, the number for
    a linear op, f'(x) for a one-input function, else the declared formula on the inputs."""
    op = node.grad_fn
    assert op is not None
    ctx = node._ctx
    if op.partner is not None:
        partner = op.partner(k, ctx)
        if partner is not None and partner < len(parents):
            return syms[parents[partner]]
    if op.linear and factor is not None:
        values = np.asarray(factor, dtype=np.float64)
        if values.size and np.all(values == values.flat[0]):
            return num(float(values.flat[0]))
    formula = op.factor(k, ctx)
    if len(parents) == 1 and not mentions(formula, "x"):
        name = FUNCTION_NAMES.get(op.name, op.name)
        return f"{name}'({syms[parents[0]]})"
    if formula:
        return substitute(formula, operands(parents, syms))
    return f"∂{syms[parents[0]]}/∂x{k}"


def render(t: Term, syms: list[str]) -> str:
    return t.template.replace(G, f"dC/d{syms[t.upstream]}")


def render_numbers(t: Term, grads: list[Any]) -> str:
    """A Value term with numbers: ``0.5 × 0.25``."""
    upstream = factor_number(grads[t.upstream])
    if t.factor is None:
        return upstream
    return f"{factor_number(t.factor)} × {upstream}"


MAX_TERMS = 8  # a sum of more terms is shown by its first and last ones


def join(parts: list[str]) -> str:
    if not parts:
        return "0"
    if len(parts) > MAX_TERMS:
        return " + ".join([*parts[:4], "…", *parts[-2:]]) + f"  ({len(parts)} terms)"
    return " + ".join(parts)
