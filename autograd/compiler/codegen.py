"""The program as straight-line Python: one function for the forward pass, one per output the
backward pass starts from. No loop, no node object, no dispatch: each line is an op's float
arithmetic on local variables, which is as fast as CPython runs a hand-written step.

Forward (``forward(x, p)``): ``x`` holds the arguments' numbers, ``p`` the sources' (parameters');
it returns the outputs' numbers and the intermediate numbers the backward rules read (``saves``
of each op), or, when a guarded branch goes the other way, that guard's number.

Backward (``backward_k(seed, saved, x, p, start)``): the engine's chain-rule loop unrolled in
the engine's order (``toposort``), each node's gradient handed to its inputs in input order and
added as ``old + new``. ``start`` holds the leaves' gradients before the pass; it returns them
after, and the outputs' gradients (an interior node's ``.grad``). Only gradients that reach a
leaf or an output are computed: the rest changes no number anyone can see.

Eager mode starts every interior gradient at 0.0 and adds; ``0.0 + x`` is x except for -0.0. A
gradient passed on unchanged (through + or relu) is therefore reused as it is (it already went
through one such addition), and only a product's gradient arriving first gets its ``0.0 +``.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import Any

from ..graph import toposort
from . import templates
from .expr import ADD, Expr, literal, name
from .program import ARG, CONST, OP, SOURCE, Program, Slot

MAX_DEPTH = 40  # operations nested in one line (CPython's compiler recurses on nesting)


@dataclass
class Source:
    """Generated code and the globals it runs with."""

    text: str
    names: dict[str, Any] = field(default_factory=dict)

    def compile(self, function: str) -> Any:
        scope = {**templates.GLOBALS, **self.names, "__builtins__": __builtins__}
        exec(compile(self.text, f"<compiled {function}>", "exec"), scope)  # noqa: S102
        return scope[function]


class _Names:
    """Constants and callables the generated code refers to by name."""

    def __init__(self) -> None:
        self.bound: dict[str, Any] = {}
        self._ids: dict[int, str] = {}

    def constant(self, x: Any) -> Expr:
        if type(x) is float and math.isfinite(x):
            return literal(x)
        return name(self.bind(x, "k", numbered=True))

    def bind(self, obj: Any, label: str, numbered: bool = False) -> str:
        """The name ``obj`` has in the code: ``label`` itself if free (a unary op's function
        reads as its name), else ``label`` and a number. The object stays referenced here."""
        key = id(obj)
        if key not in self._ids:
            taken = label in self.bound or label in templates.GLOBALS
            chosen = f"{label}{len(self.bound)}" if numbered or taken else label
            self._ids[key] = chosen
            self.bound[chosen] = obj
        return self._ids[key]


def value_expr(slot: Slot, names: _Names) -> Expr:
    """A slot's number as the code names it (an op's: its variable)."""
    if slot.kind == ARG:
        return name(f"x{slot.index}")
    if slot.kind == SOURCE:
        return name(f"p{slot.index}")
    if slot.kind == CONST:
        return names.constant(slot.data)
    return name(f"v{slot.index}")


def saved_slots(program: Program) -> list[Slot]:
    """The op numbers some backward rule reads: the op's declared ``saves`` (all of them for an
    op replayed by calling its rule)."""
    saved: dict[Slot, None] = {}
    for slot in program.ops:
        if not slot.requires_grad:
            continue
        op = slot.op
        generic = not templates.has_backward(op)
        chosen = op.saved_inputs
        for i, x in enumerate(slot.inputs):
            if x.kind == OP and (generic or chosen is None or i in chosen):
                saved[x] = None
        if generic or op.saves_out:
            saved[slot] = None
    return sorted(saved, key=lambda s: s.index)


def _unpack(names: list[str], source: str) -> str:
    return f"    {', '.join(names)}, = {source}" if names else ""


# --- forward ---------------------------------------------------------------------------------


def forward_source(program: Program, n_args: int, saved: list[Slot]) -> Source:
    names = _Names()
    keep = set(saved) | set(program.outputs)
    for _, a, b in program.guards:
        keep.add(a)
        if b is not None:
            keep.add(b)
    consumers: dict[Slot, list[Slot]] = {}
    for slot in program.ops:
        for x in slot.inputs:
            consumers.setdefault(x, []).append(slot)
    ready: dict[int, list[int]] = {}  # op index -> guards whose operands it completes
    for n, (_, a, b) in enumerate(program.guards):
        last = max((s.index for s in (a, b) if s is not None and s.kind == OP), default=-1)
        ready.setdefault(last, []).append(n)
    lines = ["def forward(x, p):", _unpack([f"x{i}" for i in range(n_args)], "x")]
    lines.append(_unpack([f"p{i}" for i in range(len(program.sources))], "p"))
    lines += _guards(program, ready.get(-1, []), names)
    exprs: dict[Slot, Expr] = {}
    counter = [0]

    def operand(slot: Slot) -> Expr:
        return exprs[slot] if slot.kind == OP else value_expr(slot, names)

    def temp(expr: Expr) -> Expr:
        counter[0] += 1
        lines.append(f"    s{counter[0]} = {expr.text}")
        return name(f"s{counter[0]}")

    for slot in program.ops:
        xs = [operand(x) for x in slot.inputs]
        expr = templates.forward(slot.op, slot.ctx, xs, names.constant, temp, names.bind)
        if expr is None:
            raise TypeError(f"compile: op '{slot.op.name}' cannot be replayed")
        users = consumers.get(slot, [])
        inline = (
            slot not in keep
            and len(users) == 1
            and not templates.reads_twice(users[0].op)
            and expr.depth < MAX_DEPTH
        )
        if inline or expr.is_name:
            exprs[slot] = expr
        else:
            lines.append(f"    v{slot.index} = {expr.text}")
            exprs[slot] = name(f"v{slot.index}")
        if slot.index in ready:
            lines += _guards(program, ready[slot.index], names, operand)
    outs = ", ".join(operand(s).text for s in program.outputs)
    lines.append(f"    return ({outs},), [{', '.join(exprs[s].text for s in saved)}]")
    return Source("\n".join(line for line in lines if line) + "\n", names.bound)


_PACK = struct.Struct("<d").pack


def _guards(program: Program, which: list[int], names: _Names, operand: Any = None) -> list[str]:
    """``if <the branch goes the other way>: return <the guard's number>``."""
    lines = []
    for n in which:
        guard, a, b = program.guards[n]
        ea = operand(a) if operand else value_expr(a, names)
        if guard.symbol == "float":  # the very number float() gave (bits: -0.0 is not 0.0)
            bits = names.bind(_PACK(float(guard.outcome)), "k")
            test = f"pack({ea.text}) != {bits}"
            names.bound["pack"] = _PACK
        else:
            if b is not None:
                eb = operand(b) if operand else value_expr(b, names)
            else:
                eb = names.constant(guard.b)
            comparison = f"{ea.text} {guard.symbol} {eb.text}"
            test = f"not ({comparison})" if guard.outcome else comparison
        lines.append(f"    if {test}:\n        return {n}")
    return lines


# --- backward --------------------------------------------------------------------------------


@dataclass
class Backward:
    source: Source
    leaves: list[Slot]  # the leaves it reaches, in the order of start and of the result
    outputs: list[Slot]  # the interior outputs it reaches, in the order of their gradients


def backward_source(
    program: Program, root: Slot, function: str, saved: list[Slot], n_args: int
) -> Backward:
    order: list[Slot] = toposort([root])  # type: ignore[list-item, arg-type, assignment]
    outputs = {s for s in program.outputs if s.kind in (OP, CONST)}
    needed: set[Slot] = set()
    for s in reversed(order):  # inputs first: a node is needed if it leads to a leaf or output
        if s.kind in (ARG, SOURCE) or s in outputs:
            needed.add(s)
        elif any(p in needed for p in s._parents):
            needed.add(s)
    leaves = [s for s in order if s.kind in (ARG, SOURCE)]
    names = _Names()
    acc = {s: f"gx{s.index}" if s.kind == ARG else f"gp{s.index}" for s in leaves}
    lines = [f"def {function}(seed, saved, x, p, start):"]
    lines.append(_unpack([f"x{i}" for i in range(n_args)], "x"))
    lines.append(_unpack([f"p{i}" for i in range(len(program.sources))], "p"))
    lines.append(_unpack([f"v{s.index}" for s in saved], "saved"))
    lines.append(_unpack([acc[s] for s in leaves], "start"))
    is_saved = set(saved)
    known: dict[Slot, Expr] = {}
    grads: dict[Slot, Expr] = {}

    def gname(s: Slot) -> str:
        return f"g{s.index}" if s.kind == OP else f"go{program.outputs.index(s)}"

    def add_into(target: Slot, c: templates.Contribution) -> None:
        if target in acc:
            a = acc[target]
            lines.append(f"    {a} = {a} + {c.expr.at(ADD + 1)}")
            return
        current, g = grads.get(target), gname(target)
        if current is not None:
            lines.append(f"    {g} = {current.text} + {c.expr.at(ADD + 1)}")
        elif c.plain and c.expr.is_name:
            grads[target] = c.expr  # the same number: reuse its variable
            return
        elif c.plain:
            lines.append(f"    {g} = {c.expr.text}")
        else:  # eager mode's 0.0 + x, which turns -0.0 into 0.0
            lines.append(f"    {g} = 0.0 + {c.expr.at(ADD + 1)}")
        grads[target] = name(g)

    def operand(s: Slot) -> Expr:
        got = known.get(s)
        if got is None:
            if s.kind == OP and s not in is_saved:  # a template read what its op does not save
                got = Expr(f"?unsaved v{s.index}")
            else:
                got = value_expr(s, names)
            known[s] = got
        return got

    add_into(root, templates.Contribution(name("seed"), False))
    for s in order:
        if s.kind != OP or s not in needed:
            continue
        want = [x in needed and x.requires_grad for x in s.inputs]
        if not any(want):
            continue
        g = grads.get(s, literal(0.0))
        xs = [operand(x) for x in s.inputs]
        got = templates.backward(s.op, s.ctx, g, operand(s), xs, want)
        if got is None:
            _call_rule(s, g, xs, want, operand(s), names, lines, grads, acc, gname)
            continue
        for x, w, c in zip(s.inputs, want, got):
            if w and c is not None:
                add_into(x, c)
    reached = [s for s in program.outputs if s in outputs and s in needed]
    reached = list(dict.fromkeys(reached))
    finals = ", ".join(acc[s] for s in leaves)
    outs = ", ".join(grads.get(s, literal(0.0)).text for s in reached)
    lines.append(f"    return [{finals}], [{outs}]")
    text = "\n".join(line for line in lines if line) + "\n"
    return Backward(Source(text, names.bound), leaves, reached)


def _call_rule(
    s: Slot,
    g: Expr,
    xs: list[Expr],
    want: list[bool],
    out: Expr,
    names: _Names,
    lines: list[str],
    grads: dict[Slot, Expr],
    acc: dict[Slot, str],
    gname: Any,
) -> None:
    """An op without a template: call its rule, add what it gives (None: nothing)."""
    label = getattr(s.op.backward, "__name__", "rule").strip("_")
    rule = names.bind(s.op.backward, label if label.endswith("rule") else f"{label}_rule")
    if s.ctx is None or type(s.ctx) is bool:
        ctx = repr(s.ctx)
    elif type(s.ctx) is float:
        ctx = names.constant(s.ctx).text
    else:
        ctx = names.bind(s.ctx, "ctx", numbered=True)
    r = f"r{s.index}"
    args = ", ".join([ctx, g.text, out.text, *(x.text for x in xs)])
    lines.append(f"    {r} = {rule}({args})")
    for i, (x, w) in enumerate(zip(s.inputs, want)):
        if not w:
            continue
        if x in acc:
            target = acc[x]
        else:
            target = gname(x)
            current = grads.get(x)
            lines.append(f"    {target} = {current.text if current is not None else '0.0'}")
            grads[x] = name(target)
        lines.append(f"    if {r}[{i}] is not None:\n        {target} = {target} + {r}[{i}]")
