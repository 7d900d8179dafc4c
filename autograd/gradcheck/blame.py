"""The gradient doctor: when gradcheck fails, find the op whose backward rule is wrong, or the place
between two right ops where the gradient is lost.

How an op's forward is re-run. Checking an op on its own needs its forward at inputs near the ones
it received. Ops declare their backward rule, but their forward is whatever code called ``make``:
a public function with its own argument handling, a Tensor method, a fused op in ``nn``, a
user's ``Function``. Rather than declare a second forward per op (over a hundred declarations
to keep in step with the real code), or record each op's public call and its arguments (calls
whose arguments were rebound, helpers handed precomputed data, in-place ops that run through a
lambda), the doctor re-runs *the user's function itself*, op by op:

- ``record_ops`` (anomaly.py) hands every node to a callback right after its op made it, before
  any other op reads it. It is the hook ``detect_anomaly`` already has, so ops pay nothing new.
- A first run records the nodes in creation order, with the user's line that made each (as
  ``detect_anomaly`` does) and the data it and its inputs had.
- A replay runs ``fn`` again and, as each node appears (the same op at the same position: fn is
  deterministic, gradcheck checked), may replace its data. Giving every node its recorded value
  plus a small step along a random direction makes every op compute its output from perturbed
  inputs while all other values stay those of the first run: two replays give, for every op at
  once, the derivative of its own forward along that direction. Each op's backward rule, called
  on the recorded data, must agree with it. An op that disagrees is checked input by input and
  element by element, with replays that perturb one input of it only.
- If every rule is right, the gradient can only be lost between ops: a value that left the graph
  (``.data``, ``detach()``, NumPy, a new Tensor made from one) and came back as a constant.
  Adding a small step to a node's output in a replay (the rest recomputed) measures how fn's
  output really depends on that node; the backward pass gives how dagrad thinks it does. A
  search over creation order finds the last node where the two differ, and one more replay finds
  the op that received its value outside the graph.
"""

from __future__ import annotations

import linecache
import math
import os
import sys
import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..anomaly import record_ops
from ..graph import Node, _walk, grad
from ..modes import no_grad
from ..tensor import Tensor
from ..value import Value
from .check import KINK_STEP_RATIO, Kink, _differences, _is_jump, _judge

__all__ = ["Culprit", "Diagnosis", "ElementError", "Site", "blame", "diagnose"]

MAX_ELEMENTS = 32  # elements of one input checked one by one when its op's rule is wrong
SHOWN_ELEMENTS = 3  # elements shown per wrong input in the report
SHOWN_RIGHT = 12  # right ops listed by name in the report
REPORT_WIDTH = 100

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_ENGINE_DIRS = tuple(os.path.join(_ROOT, name) + os.sep for name in ("autograd", "nn", "optim"))
_BACKPROP = _walk.__code__  # the chain-rule loop's frame: its local `node` runs its rule


# --- what the doctor reports --------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where user code made a node: file, line number, the line's text, and its function."""

    file: str
    line: int
    code: str
    function: str
    in_rule: bool = False  # a line inside a backward rule (a custom op's backward, say)

    def __str__(self) -> str:
        text = f"{_display(self.file)}:{self.line}"
        return f"{text}: {self.code}" if self.code else text


@dataclass(frozen=True)
class ElementError:
    """One element of an op's input where its rule and finite differences of its forward
    disagree: ``d sum(w * op output) / d input[index]`` (w random) both ways."""

    input: int
    index: tuple[int, ...]
    rule: float
    numeric: float


@dataclass(frozen=True)
class Culprit:
    """What the doctor blames.

    ``kind`` is ``"wrong rule"`` (the op's backward rule disagrees with its forward: ``inputs``
    and ``elements`` say where) or ``"lost gradient"`` (every rule is right, but the value of
    ``op`` reaches ``to_op`` outside the graph). ``site`` is the user's line that made the op.
    ``rule_of`` names the op whose backward rule made it (second derivatives), else ""; ``site``
    is then the line in that rule's code if the rule is the user's (a custom op's backward),
    else the line that made the op ``rule_of``.
    """

    kind: str
    op: str
    site: Site | None
    inputs: tuple[int, ...] = ()
    elements: tuple[ElementError, ...] = ()
    rule_of: str = ""
    to_op: str = ""
    to_site: Site | None = None
    to_rule_of: str = ""
    note: str = ""
    from_leaf: bool = False  # lost gradient: ``op`` names a leaf ("input 0"), not an op
    # (input, how many of its elements were checked one by one, how many it has)
    checked: tuple[tuple[int, int, int], ...] = ()

    def __str__(self) -> str:
        where = self.op if self.from_leaf else _made(self.op, self.site, self.rule_of)
        if self.kind == "lost gradient":
            to = _made(self.to_op, self.to_site, self.to_rule_of) if self.to_op else "fn's output"
            return f"gradient lost between {where} and {to}"
        return (
            f"wrong rule: {where}, input{'s' if len(self.inputs) != 1 else ''} {_ints(self.inputs)}"
        )


@dataclass(frozen=True)
class CheckedOp:
    """An op the doctor checked on its own and found right (or at a kink)."""

    op: str
    site: Site | None
    rule_of: str = ""
    kink: bool = False


@dataclass
class Diagnosis:
    """The doctor's finding: ``culprits`` (empty if it found none), the ops it found right,
    and a note when it could not tell."""

    culprits: list[Culprit] = field(default_factory=list)
    right: list[CheckedOp] = field(default_factory=list)
    checked: int = 0
    note: str = ""

    def report(self) -> str:
        lines = []
        wrong = [c for c in self.culprits if c.kind == "wrong rule"]
        lost = [c for c in self.culprits if c.kind == "lost gradient"]
        if self.checked:
            lines.append(
                f"doctor: each of the {self.checked} op{'s' if self.checked != 1 else ''} of fn's "
                "graph checked on its own (its backward rule against finite differences of its "
                "forward, at the inputs it received):"
            )
        elif not self.culprits:
            lines.append("doctor: fn's output does not depend on any op that records a graph")
        same: dict[tuple[Any, ...], list[Culprit]] = {}
        for c in wrong:  # ops made at one line (the layers of a model) are reported once
            same.setdefault((c.op, c.site, c.rule_of, c.inputs), []).append(c)
        for group in same.values():
            lines += _wrong_lines(group[0], len(group))
        for c in lost:
            lines += _lost_lines(c, bool(wrong))
        if self.right:
            counts: dict[str, int] = {}
            for r in self.right:  # the same op on the same line, once with a count
                counts[_short(r)] = counts.get(_short(r), 0) + 1
            names = [f"{n} x{c}" if c > 1 else n for n, c in counts.items()]
            more = len(names) - SHOWN_RIGHT
            tail = f" and {more} more" if more > 0 else ""
            lines.append(f"  right: {', '.join(names[:SHOWN_RIGHT])}{tail}")
        if self.note:
            lines.append(f"  {self.note}")
        return "\n".join(_wrapped(lines))


def _wrapped(lines: list[str]) -> list[str]:
    """Long lines folded at REPORT_WIDTH, continued two spaces further in."""
    out = []
    for line in lines:
        if len(line) <= REPORT_WIDTH:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()))
        out += textwrap.wrap(
            line,
            REPORT_WIDTH,
            subsequent_indent=indent + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    return out


def _made(op: str, site: Site | None, rule_of: str) -> str:
    return f"'{op}' ({_at(site, rule_of)})"


def _wrong_lines(c: Culprit, count: int = 1) -> list[str]:
    many = f" ({count} ops made at this line; the first shown)" if count > 1 else ""
    lines = [f"  op '{c.op}' has a wrong backward rule{many}", f"    {_at(c.site, c.rule_of)}"]
    if c.note:
        lines.append(f"    {c.note}")
    checked = {i: (looked, size) for i, looked, size in c.checked}
    for i in c.inputs:
        errors = sorted(
            (e for e in c.elements if e.input == i),
            key=lambda e: abs(e.rule - e.numeric),
            reverse=True,
        )
        if not errors:
            lines.append(f"    its gradient for input {i} is wrong")
            continue
        how_many = f"{len(errors)}"
        if i in checked:
            looked, size = checked[i]
            how_many += (
                f" of the first {looked} of its {size}" if size > looked else f" of {looked}"
            )
        lines.append(
            f"    its gradient for input {i} is wrong at {how_many} elements"
            + (", the worst:" if len(errors) > SHOWN_ELEMENTS else ":")
        )
        rows = [("element", "rule", "numeric")] + [
            (str(e.index), _num(e.rule), _num(e.numeric)) for e in errors[:SHOWN_ELEMENTS]
        ]
        widths = [max(len(r[k]) for r in rows) for k in range(3)]
        lines += [
            "      " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows
        ]
    return lines


def _lost_lines(c: Culprit, after_wrong: bool) -> list[str]:
    head = "  and the gradient" if after_wrong else "  every op's rule is right; the gradient"
    source = c.op if c.from_leaf else f"op '{c.op}'"
    value = c.op if c.from_leaf else f"the output of '{c.op}'"
    if not c.to_op:
        return [
            f"{head} is wrong from {source} on:",
            f"    dagrad's gradient w.r.t. {value} disagrees with how fn's output really moves "
            "with it, though every op's rule is right on its own, and no op was seen receiving "
            "that value outside the graph (a value read through .data, .item() or NumPy that "
            "steers fn's control flow, or an array shared and changed in place, can do this)",
        ]
    lines = [f"{head} is lost between {source} and op '{c.to_op}':"]
    if not c.from_leaf:
        lines.append(f"    '{c.op}' {_at(c.site, c.rule_of)}")
    lines.append(f"    '{c.to_op}' {_at(c.to_site, c.to_rule_of)}")
    lines.append(
        f"    '{c.to_op}' receives a value computed from {value} outside the graph (.data, "
        ".detach(), NumPy, .item() or a new Tensor made from it), so no gradient flows back "
        "along that path"
    )
    return lines


def _at(site: Site | None, rule_of: str) -> str:
    if not rule_of:
        return f"made at {site}" if site else "made at a line not recorded"
    if site is not None and site.in_rule:
        return f"made by the backward rule of '{rule_of}', at {site}"
    return f"made by the backward rule of '{rule_of}'" + (
        f", for the '{rule_of}' made at {site}" if site else ""
    )


def _short(r: CheckedOp) -> str:
    where = f"{_display(r.site.file)}:{r.site.line}" if r.site else "?"
    if r.rule_of:
        where = f"in the rule of '{r.rule_of}' at {where}"
    return f"'{r.op}' ({where}{', at a kink' if r.kink else ''})"


def _ints(xs: Sequence[int]) -> str:
    return " and ".join(str(x) for x in xs) if xs else "?"


def _num(x: float) -> str:
    return f"{x + 0.0:.6g}"


def _display(path: str) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


# --- the public entry points ----------------------------------------------------------------------


def blame(
    fn: Callable[..., Any],
    inputs: Any,
    *,
    order: int = 1,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> Diagnosis:
    """Run the doctor on ``fn(*inputs)`` (``order=2``: on its first derivatives, as
    gradgradcheck builds them), whether or not gradcheck fails: every op checked on its own,
    and the gradient traced for losses between ops. ``Diagnosis.culprits`` is empty for a
    correct graph."""
    from .check import _draw_weights, _outputs, _weight_shape, first_derivatives_of
    from .inputs import Float64Inputs, as_args, check_callable, check_settings

    check_settings(eps, atol, rtol)
    check_callable("blame", fn)
    if order not in (1, 2):
        raise ValueError(f"blame(): order must be 1 or 2, got {order!r}")
    args = as_args(inputs)
    with Float64Inputs(args) as slots:
        if order == 2:
            fn = first_derivatives_of(fn, args, [s.position for s in slots], seed)
        outs = _outputs(fn(*args), "fn")
        weights = _draw_weights([_weight_shape(o) for o in outs], np.random.default_rng([seed, 1]))
        return diagnose(fn, args, outs, weights, eps=eps, atol=atol, rtol=rtol, seed=seed)


def diagnose(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    outs: Sequence[Node],
    weights: Sequence[Any],
    *,
    eps: float,
    atol: float,
    rtol: float,
    seed: int,
) -> Diagnosis:
    """The doctor, as gradcheck calls it on a failure (inputs already in float64): never
    raises, so the failure report always reaches the user."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return _Doctor(fn, args, weights, eps, atol, rtol, seed).run()
    except Exception as err:  # noqa: BLE001 - a diagnosis must not hide the failure itself
        return Diagnosis(note=f"the doctor could not finish: {type(err).__name__}: {err}")


# --- recording and replaying fn -----------------------------------------------------------------


class _Diverged(Exception):
    """A replay made other ops than the recorded run (fn branches on its values)."""


class _Found(Exception):
    """Stops a replay once it found what it looked for."""


class _InPlace(Exception):
    """A rule wrote into the gradient it was given."""


def _copy(data: Any) -> Any:
    return np.array(data, copy=True) if isinstance(data, np.ndarray) else data


def _is_float(node: Node) -> bool:
    return isinstance(node, Value) or (isinstance(node, Tensor) and node.data.dtype.kind == "f")


def _shape(data: Any) -> tuple[int, ...]:
    return tuple(np.shape(data))


def _site_of_stack() -> tuple[Site | None, bool]:
    """The innermost frame of user code above the op that is being recorded, and whether the
    node was made by a built-in backward rule (no user frame between it and the backward pass:
    the user's line is then that of the op whose rule ran)."""
    frame = sys._getframe(3)
    while frame is not None:
        code = frame.f_code
        if code is _BACKPROP:
            return None, True
        if not code.co_filename.startswith(_ENGINE_DIRS):
            text = linecache.getline(code.co_filename, frame.f_lineno).strip()
            return Site(code.co_filename, frame.f_lineno, text, code.co_name), False
        frame = frame.f_back  # type: ignore[assignment]
    return None, False


def _rule_owner() -> Node | None:
    """The node whose backward rule is running (it is making the node being recorded)."""
    frame = sys._getframe(3)
    while frame is not None:
        if frame.f_code is _BACKPROP:
            return frame.f_locals.get("node")  # type: ignore[no-any-return]
        frame = frame.f_back  # type: ignore[assignment]
    return None


class _Recording:
    """fn's nodes in creation order, each with its data and its inputs' data as made, and the
    user's line that made it."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.data: list[Any] = []
        self.parent_data: list[tuple[Any, ...]] = []
        self.sites: list[Site | None] = []
        self.in_rule: list[bool] = []
        self.owner: list[int | None] = []
        self._index: dict[int, int] = {}
        self._by_parents: dict[int, int] = {}
        self.numbers: list[Any] = []  # the op's constant when it is a number (x * 3.0), else None
        self.ops: list[Any] = []
        self.ctxs: list[Any] = []
        self.parents: list[tuple[Node, ...]] = []
        self.outputs: list[Node] = []

    def __call__(self, node: Node) -> None:
        i = len(self.nodes)
        self.nodes.append(node)
        self._index[id(node)] = i
        self._by_parents[id(node._parents)] = i
        # as made: an in-place op later gives this object another op and other inputs
        self.ops.append(node.grad_fn)
        self.ctxs.append(node._ctx)
        self.parents.append(node._parents)
        self.data.append(_copy(node.data))
        self.parent_data.append(tuple(_copy(p.data) for p in node._parents))
        self.numbers.append(_number(node._ctx))
        site, in_rule = _site_of_stack()
        owner = _rule_owner()
        self.sites.append(site)
        self.in_rule.append(in_rule)
        self.owner.append(self.index_of(owner) if owner is not None else None)

    def index_of(self, node: Node) -> int | None:
        """The recorded index of a graph node; an in-place op's target holds the node that the
        op made under another object, with the same inputs tuple."""
        i = self._index.get(id(node))
        if i is not None and self.parents[i] is node._parents:
            return i
        if node.grad_fn is None:
            return None
        i = self._by_parents.get(id(node._parents))
        if i is None or self.parents[i] is not node._parents:
            return None
        return i

    def name(self, i: int) -> str:
        op = self.ops[i]
        return op.name if op is not None else "?"

    def where(self, i: int) -> tuple[Site | None, str]:
        """The user's line for node i and, for a node a backward rule made, that op's name."""
        owner = self.owner[i]
        if owner is None:
            return self.sites[i], ""
        if self.in_rule[i]:  # a built-in rule: the line of the op whose rule it is
            return self.sites[owner], self.name(owner)
        site = self.sites[i]
        if site is not None:
            site = Site(site.file, site.line, site.code, site.function, in_rule=True)
        return site, self.name(owner)


_UNCHECKED = "unchecked"  # an op that could not be checked on its own (see _Doctor.localize)


class _Doctor:
    """One diagnosis of fn at one point (inputs already in gradcheck's float64 copies).

    Items that can be moved: recorded nodes (by creation index; their data is replaced as they
    appear in a replay) and the leaves fn reads from outside (the same objects in every run;
    their data is replaced for the whole replay)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        weights: Sequence[Any],
        eps: float,
        atol: float,
        rtol: float,
        seed: int,
    ) -> None:
        self.fn, self.args, self.weights = fn, args, list(weights)
        self.eps, self.atol, self.rtol = eps, atol, rtol
        self.rng = np.random.default_rng([seed, 3])

    # -- runs ------------------------------------------------------------------------------------

    def record(self) -> _Recording:
        rec = _Recording()
        with record_ops(rec):
            rec.outputs = _as_list(self.fn(*self.args))
        return rec

    def replay(
        self,
        on_node: Callable[[int, Node], None],
        leaves: dict[Node, Any] | None = None,
    ) -> list[Node]:
        """Run fn again, calling ``on_node(i, node)`` as node i appears; ``leaves``: data the
        given leaves hold during the run. ``self.made`` maps the run's nodes to their index."""
        rec = self.rec
        count = [0]
        self.made: dict[int, int] = {}

        def hook(node: Node) -> None:
            i = count[0]
            count[0] += 1
            if (
                i >= len(rec.nodes)
                or node.grad_fn is not rec.ops[i]
                or _shape(node.data) != _shape(rec.data[i])
            ):
                raise _Diverged
            self.made[id(node)] = i
            self.made[id(node._parents)] = i  # an in-place op's target carries its inputs
            on_node(i, node)

        saved = [(leaf, leaf.data) for leaf in (leaves or {})]
        try:
            for leaf, data in (leaves or {}).items():
                leaf.data = data
            with record_ops(hook):
                outs = _as_list(self.fn(*self.args))
        finally:
            for leaf, data in saved:
                leaf.data = data
        if count[0] != len(rec.nodes):
            raise _Diverged
        return outs

    def in_graph(self, parent: Node) -> bool:
        """Whether a parent (in the current replay) is a node of the graph: one of this run's
        recorded nodes, or a leaf fn reads from outside."""
        if parent.grad_fn is None:
            return parent in self.leaves
        return id(parent) in self.made or id(parent._parents) in self.made

    def from_outside(self, i: int, node: Node) -> bool:
        """Whether node i (in the current replay) received a value that differs from the
        recorded run other than through the graph: a constant input, or its number."""
        for p, before in zip(node._parents, self.rec.parent_data[i]):
            if not self.in_graph(p) and not _same(p.data, before):
                return True
        number = self.rec.numbers[i]
        return number is not None and not _same(_number(node._ctx), number)

    # -- the diagnosis ---------------------------------------------------------------------------

    def run(self) -> Diagnosis:
        self.rec = rec = self.record()
        second = self.record()  # the leaves fn takes from outside are the same objects twice
        self.leaves = _stable_leaves(rec, second)
        self.made = {}
        ops = _graph_ops(rec)
        diagnosis = Diagnosis(checked=len(ops))
        self.directions: dict[Any, np.ndarray] = {
            i: self.rng.standard_normal(_shape(rec.data[i]))
            for i, node in enumerate(rec.nodes)
            if node.requires_grad and _is_float(node)
        }
        for leaf in sorted(self.leaves, key=self.leaf_order):
            self.directions[leaf] = self.rng.standard_normal(_shape(leaf.data))
        self.op_weights = {i: _random_weights(rec.data[i], self.rng) for i in ops}
        suspects, kinks = self.check_ops(ops) if ops else ({}, set())
        unchecked = []
        for i in ops:
            site, rule_of = rec.where(i)
            if i not in suspects:
                diagnosis.right.append(CheckedOp(rec.name(i), site, rule_of, i in kinks))
                continue
            culprit = self.localize(i, suspects[i])
            if culprit is None:
                diagnosis.right.append(CheckedOp(rec.name(i), site, rule_of))
            elif culprit == _UNCHECKED:
                unchecked.append(f"'{rec.name(i)}' ({_short_site(site)})")
            else:
                diagnosis.culprits.append(culprit)  # type: ignore[arg-type]
        if unchecked:
            diagnosis.note = (
                f"not checked on their own: {', '.join(unchecked)}, whose inputs include a "
                "value computed outside the graph from the inputs being moved"
            )
        if not diagnosis.culprits or unchecked:
            lost = self.find_leak()
            if lost is not None:
                diagnosis.culprits.append(lost)
        if not diagnosis.culprits and ops:
            diagnosis.note = (
                "every op's rule is right and no gradient is lost between ops: the "
                "disagreement may come from a point where fn is not smooth, or from rounding "
                "(try another eps)"
            )
        return diagnosis

    def leaf_order(self, leaf: Node) -> tuple[int, int]:
        """fn's inputs by position first, then other leaves by first use (a stable order)."""
        for k, a in enumerate(self.args):
            if a is leaf:
                return (0, k)
        for i, parents in enumerate(self.rec.parents):
            if any(p is leaf for p in parents):
                return (1, i)
        return (2, 0)

    def graph_node(self, i: int) -> Node:
        """The object that stands for recorded node i in the graph: the node itself, or, if an
        in-place op has since given that object another op, the object that took its place (the
        one in the graph with the same inputs)."""
        if not hasattr(self, "_in_graph"):
            self._in_graph = {id(n._parents): n for n in _graph_nodes(self.rec.outputs)}
        return self._in_graph.get(id(self.rec.parents[i]), self.rec.nodes[i])

    def leaf_name(self, leaf: Node) -> str:
        kind, k = self.leaf_order(leaf)
        return f"input {k}" if kind == 0 else f"a leaf fn reads ({leaf._describe()})"

    # -- each op on its own ----------------------------------------------------------------------

    def parent_item(self, parent: Node) -> Any:
        """What moves a recorded parent: its index, the leaf itself, or None (a constant)."""
        if not parent.requires_grad or not _is_float(parent):
            return None
        if parent.grad_fn is None:
            return parent if parent in self.leaves else None
        i = self.rec.index_of(parent)
        return i if i is not None and i in self.directions else None

    def rule_grads(self, i: int) -> tuple[Any, ...]:
        """Op i's rule on the recorded data, with its random weights as the upstream gradient.
        A rule that writes into that gradient (shared with other ops in a backward pass) is
        wrong however right its numbers: raises _InPlace."""
        rec = self.rec
        op = rec.ops[i]
        assert op is not None
        given = _copy(self.op_weights[i])
        with no_grad():
            grads = op.backward(rec.ctxs[i], given, rec.data[i], *rec.parent_data[i])
        if not _same(given, self.op_weights[i]):
            raise _InPlace(
                "its rule changes the gradient it receives in place; the backward pass may "
                "share that array with other ops, whose gradients then change too"
            )
        return tuple(grads)

    def local_steps(self, moves: dict[Any, np.ndarray], capture: list[int]) -> tuple[Any, set[int]]:
        """Finite differences of ``sum(w * output)`` of every op in ``capture`` along
        ``moves`` (item -> direction), every other node held at its recorded value; and the
        ops among them that received a value from outside the graph, which changed with the
        move (their differences say nothing about their rule)."""
        rec, state = self.rec, {"step": 0.0}
        wanted = set(capture)
        fresh: dict[int, float] = {}
        outside: set[int] = set()

        def on_node(i: int, node: Node) -> None:
            if i in wanted:
                fresh[i] = float(np.sum(self.op_weights[i] * np.asarray(node.data, np.float64)))
                if state["step"] and self.from_outside(i, node):
                    outside.add(i)
            new = rec.data[i] + state["step"] * moves[i] if i in moves else _copy(rec.data[i])
            node.data = _typed(new, rec.data[i])

        def objective() -> np.ndarray:
            fresh.clear()
            leaves = {
                leaf: _typed(leaf_base[leaf] + state["step"] * d, leaf_base[leaf])
                for leaf, d in moves.items()
                if isinstance(leaf, Node)
            }
            try:
                self.replay(on_node, leaves)
            except _Diverged:
                return np.full(len(capture), np.nan)
            return np.array([fresh.get(i, np.nan) for i in capture])

        def move(step: float) -> None:
            state["step"] = step

        def reset() -> None:
            state["step"] = 0.0

        leaf_base = {leaf: _copy(leaf.data) for leaf in moves if isinstance(leaf, Node)}
        center = np.array(
            [
                float(np.sum(self.op_weights[i] * np.asarray(rec.data[i], np.float64)))
                for i in capture
            ]
        )
        steps = _differences(objective, move, reset, center, self.eps, self.atol, self.rtol)
        return steps, outside

    def check_ops(self, ops: list[int]) -> tuple[dict[int, Any], set[int]]:
        """Every op at once along one random direction. Returns the suspects (op -> its rule's
        gradients, or the exception or shape error its rule gave) and the ops at kinks."""
        rec = self.rec
        steps, outside = self.local_steps(self.directions, ops)
        suspects: dict[int, Any] = {}
        kinks: set[int] = set()
        for k, i in enumerate(ops):
            try:
                grads = self.rule_grads(i)
            except Exception as err:  # noqa: BLE001 - a rule that raises is a culprit
                suspects[i] = err
                continue
            bad = self.shape_errors(i, grads)
            if bad or i in outside:
                suspects[i] = bad or grads
                continue
            analytic = 0.0
            for parent, g in zip(rec.parents[i], grads):
                item = self.parent_item(parent)
                if item is not None and g is not None:
                    analytic += float(np.sum(np.asarray(g, np.float64) * self.directions[item]))
            judged = _judge(steps, k, analytic, self.atol, self.rtol)
            if isinstance(judged, Kink):
                kinks.add(i)
            elif judged is not None:
                suspects[i] = grads
        return suspects, kinks

    def shape_errors(self, i: int, grads: tuple[Any, ...]) -> str:
        parents = self.rec.parents[i]
        if len(grads) != len(parents):
            return f"its rule gives {len(grads)} gradients for {len(parents)} inputs"
        for n, (parent, g) in enumerate(zip(parents, grads)):
            if g is None or self.parent_item(parent) is None:
                continue
            want, got = _shape(self.rec.parent_data[i][n]), _shape(g)
            if want != got:
                return f"its rule gives a gradient of shape {got} for input {n} of shape {want}"
        return ""

    def localize(self, i: int, found: Any) -> Culprit | str | None:
        """Which inputs and elements op i's rule gets wrong, input by input. None: a closer
        look finds it right after all; _UNCHECKED: no input can be moved on its own without
        moving a value the op receives from outside the graph."""
        rec = self.rec
        site, rule_of = rec.where(i)
        name = rec.name(i)
        if isinstance(found, _InPlace):
            return Culprit("wrong rule", name, site, rule_of=rule_of, note=str(found))
        if isinstance(found, Exception):
            note = f"its rule raised {type(found).__name__}: {found}"
            return Culprit("wrong rule", name, site, rule_of=rule_of, note=note)
        if isinstance(found, str):
            return Culprit("wrong rule", name, site, rule_of=rule_of, note=found)
        groups: dict[int, list[int]] = {}  # one move per distinct input node
        items: dict[int, Any] = {}
        for n, parent in enumerate(rec.parents[i]):
            item = self.parent_item(parent)
            if item is not None:
                groups.setdefault(id(parent), []).append(n)
                items[id(parent)] = item
        wrong: list[int] = []
        elements: list[ElementError] = []
        sizes: list[tuple[int, int, int]] = []
        checked = 0
        for key, positions in groups.items():
            item = items[key]
            direction = self.directions[item]
            analytic = sum(
                float(np.sum(np.asarray(found[n], np.float64) * direction))
                for n in positions
                if found[n] is not None
            )
            steps, outside = self.local_steps({item: direction}, [i])
            if outside:
                continue
            checked += 1
            judged = _judge(steps, 0, analytic, self.atol, self.rtol)
            if judged is None or isinstance(judged, Kink):
                continue
            wrong += positions
            elements += self.wrong_elements(i, item, positions, found)
            size = math.prod(_shape(direction))
            sizes += [(n, min(size, MAX_ELEMENTS), size) for n in positions]
        if not checked:
            return _UNCHECKED
        if not wrong:
            return None
        note = ""
        if any(len(p) > 1 and set(p) & set(wrong) for p in groups.values()):
            note = "(inputs that are the same node are checked together)"
        return Culprit(
            "wrong rule",
            name,
            site,
            tuple(sorted(wrong)),
            tuple(elements),
            rule_of,
            note=note,
            checked=tuple(sizes),
        )

    def wrong_elements(
        self, i: int, item: Any, positions: list[int], found: tuple[Any, ...]
    ) -> list[ElementError]:
        shape = _shape(self.rec.data[item] if isinstance(item, int) else item.data)
        size = math.prod(shape)
        rule = sum(np.asarray(found[n], np.float64) for n in positions if found[n] is not None)
        rule = np.broadcast_to(np.asarray(rule, np.float64), shape)
        errors = []
        for flat in range(min(size, MAX_ELEMENTS)):
            unit = np.zeros(shape)
            unit.flat[flat] = 1.0
            steps, outside = self.local_steps({item: unit}, [i])
            analytic = float(rule.flat[flat])
            judged = _judge(steps, 0, analytic, self.atol, self.rtol)
            if outside or judged is None or isinstance(judged, Kink):
                continue
            index = tuple(int(x) for x in np.unravel_index(flat, shape)) if shape else ()
            errors.append(ElementError(positions[0], index, analytic, judged[0]))
        return errors

    # -- the gradient between ops -----------------------------------------------------------------

    def find_leak(self) -> Culprit | None:
        """The last item (leaves first, then nodes in creation order) whose value moves fn's
        output otherwise than the backward pass says, and the op that receives it outside the
        graph."""
        rec = self.rec
        items = list(self.directions)  # leaves were added after the nodes: put them first
        items = [x for x in items if not isinstance(x, int)] + [
            x for x in items if isinstance(x, int)
        ]
        if not items:
            return None
        adjoint = self.adjoints(items)
        if not self.leaks(items, adjoint):
            return None
        low, high = 0, len(items)  # leaks(items[low:]) holds, leaks([]) does not
        while high - low > 1:
            mid = (low + high) // 2
            if self.leaks(items[mid:], adjoint):
                low = mid
            else:
                high = mid
        x = items[low]
        leaf = not isinstance(x, int)
        if leaf:
            name, site, rule_of = self.leaf_name(x), None, ""
        else:
            name, (site, rule_of) = rec.name(x), rec.where(x)
        y = self.receiver(x)
        if y is None:
            return Culprit("lost gradient", name, site, rule_of=rule_of, from_leaf=leaf)
        to_site, to_rule_of = rec.where(y)
        return Culprit(
            "lost gradient",
            name,
            site,
            rule_of=rule_of,
            to_op=rec.name(y),
            to_site=to_site,
            to_rule_of=to_rule_of,
            from_leaf=leaf,
        )

    def adjoints(self, items: list[Any]) -> dict[Any, Any]:
        """d sum(w * output) / d item, as dagrad's backward pass computes it."""
        rec = self.rec
        nodes = [self.graph_node(x) if isinstance(x, int) else x for x in items]
        used = [(o, w) for o, w in zip(rec.outputs, self.weights) if o.requires_grad]
        found: Sequence[Any] = [None] * len(nodes)
        if used:
            found = grad(
                [o for o, _ in used],
                nodes,
                grad_outputs=[w for _, w in used],
                retain_graph=True,
                allow_unused=True,
            )
        return {
            x: np.zeros(_shape(self.directions[x])) if g is None else np.asarray(g.data, np.float64)
            for x, g in zip(items, found)
        }

    def leaks(self, items: list[Any], adjoint: dict[Any, Any]) -> bool:
        """Whether adding small steps to these items (the rest recomputed) moves fn's output
        otherwise than the backward pass says."""
        state = {"step": 0.0}
        chosen = {x for x in items if isinstance(x, int)}
        leaves = [x for x in items if not isinstance(x, int)]
        base = {leaf: _copy(leaf.data) for leaf in leaves}

        def on_node(i: int, node: Node) -> None:
            if i in chosen and state["step"]:
                node.data = _typed(node.data + state["step"] * self.directions[i], node.data)

        def objective() -> np.ndarray:
            moved = {
                leaf: _typed(base[leaf] + state["step"] * self.directions[leaf], base[leaf])
                for leaf in leaves
            }
            try:
                outs = self.replay(on_node, moved)
            except _Diverged:
                return np.array([np.nan])
            return np.array([_weighted_sum(outs, self.weights)])

        def move(step: float) -> None:
            state["step"] = step

        def reset() -> None:
            state["step"] = 0.0

        center = np.array([_weighted_sum(self.rec.outputs, self.weights)])
        steps = _differences(objective, move, reset, center, self.eps, self.atol, self.rtol)
        if (
            steps.wide_plus is not None
            and _is_jump(steps.center, steps.plus, steps.minus, steps.eps, self.atol, self.rtol)[0]
        ):
            # fn jumps when these values move: moving a node's output can take it where its op
            # never goes (relu's output below 0) and flip a mask a rule reads; a lost gradient
            # moves fn smoothly, so a jump says nothing either way
            return False
        analytic = sum(float(np.sum(adjoint[x] * self.directions[x])) for x in items)
        judged = _judge(steps, 0, analytic, self.atol, self.rtol)
        if judged is None or isinstance(judged, Kink):
            return False
        # a lost gradient moves fn smoothly: the slope must be the same with a 10x wider step
        # (jumps in both directions, two masks flipping, give slopes that grow as steps shrink)
        wider = _differences(
            objective, move, reset, center, KINK_STEP_RATIO * self.eps, self.atol, self.rtol
        )
        slope = float((steps.plus[0] - steps.minus[0]) / (2.0 * steps.eps))
        wide_slope = float((wider.plus[0] - wider.minus[0]) / (2.0 * wider.eps))
        return abs(slope - wide_slope) <= 10.0 * (self.atol + self.rtol * abs(slope))

    def receiver(self, x: Any) -> int | None:
        """The first op after item x that receives a value changed by x other than through the
        graph: a constant input, or its number (x * 3.0 with 3.0 read from x's data). First
        among ops no graph path from x reaches; then among all."""
        for strict in (True, False):
            found = self.first_receiver(x, strict)
            if found is not None:
                return found
        return None

    def first_receiver(self, x: Any, strict: bool) -> int | None:
        downstream: set[int] = set()
        found: list[int] = []
        start = x if isinstance(x, int) else -1
        leaves = {}
        if not isinstance(x, int):
            downstream.add(id(x))
            leaves[x] = _typed(x.data + self.eps * self.directions[x], x.data)

        def on_node(i: int, node: Node) -> None:
            if i == start:
                node.data = _typed(node.data + self.eps * self.directions[x], node.data)
                downstream.add(id(node))
                return
            if i < start:
                return
            reached = any(id(p) in downstream for p in node._parents)
            if reached:
                downstream.add(id(node))
            if (not reached or not strict) and self.from_outside(i, node):
                found.append(i)
                raise _Found

        try:
            self.replay(on_node, leaves)
        except (_Found, _Diverged):
            pass
        return found[0] if found else None


def _short_site(site: Site | None) -> str:
    return f"{_display(site.file)}:{site.line}" if site else "line not recorded"


# --- helpers ---------------------------------------------------------------------------------


def _as_list(result: Any) -> list[Node]:
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    return [o for o in items if isinstance(o, Node)]


def _typed(new: Any, like: Any) -> Any:
    if isinstance(like, np.ndarray):
        return np.asarray(new, dtype=like.dtype).reshape(like.shape)
    return float(new)


def _number(ctx: Any) -> Any:
    """What of an op's context can carry a value from outside the graph: a number (``x * 3.0``
    keeps 3.0) or an integer or boolean array (``where``'s condition), copied; else None."""
    if isinstance(ctx, (int, float, np.number)) and not isinstance(ctx, bool):
        return float(ctx)
    if isinstance(ctx, np.ndarray) and ctx.dtype.kind in "biu":
        return ctx.copy()
    return None


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def _random_weights(like: Any, rng: np.random.Generator) -> Any:
    """Weights of magnitude 0.5..1.5 and random sign, never 1: a rule that ignores its upstream
    gradient cannot pass by luck, not even for a scalar. A float for a Value's rule, an array
    (0-d too) for a Tensor's."""
    shape = _shape(like)
    w = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return w if isinstance(like, np.ndarray) else float(w)


def _weighted_sum(outs: list[Node], weights: list[Any]) -> float:
    return float(
        sum(np.sum(np.asarray(w) * np.asarray(o.data, np.float64)) for o, w in zip(outs, weights))
    )


def _graph_nodes(outputs: list[Node]) -> list[Node]:
    """Every node the outputs' gradient flows through (requires grad), each once."""
    seen: set[int] = set()
    stack = [o for o in outputs if o.requires_grad]
    found = []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        stack.extend(p for p in node._parents if p.requires_grad)
    return found


def _graph_ops(rec: _Recording) -> list[int]:
    """The recorded nodes the outputs' gradient flows through (float outputs only), in
    creation order."""
    found = {rec.index_of(node) for node in _graph_nodes(rec.outputs) if _is_float(node)}
    return sorted(i for i in found if i is not None)


def _stable_leaves(first: _Recording, second: _Recording) -> set[Node]:
    """Leaves that require grad and are the same objects in two runs of fn (its inputs, the
    parameters it closes over): the doctor can move those; leaves fn makes anew each run it
    cannot."""
    stable: set[Node] = set()
    for parents_a, parents_b in zip(first.parents, second.parents):
        for a, b in zip(parents_a, parents_b):
            if a is b and a.grad_fn is None and a.requires_grad and _is_float(a):
                stable.add(a)
    return stable
