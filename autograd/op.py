"""An op's one declaration: its name, its backward rule, and the facts drawings and tests read.

Every node records the ``Op`` that made it. The graph core calls ``op.backward``; ``draw_graph``
and the step-through page read ``label``, ``factors`` and ``partner`` to write what an edge does
to the gradient; the test suite reads ``checks`` to test every op against finite differences
and PyTorch (values, gradients, second order, dtypes, bad input) without a table of its own.

A backward rule (a VJP) has the signature ``rule(ctx, g, out, *inputs) -> tuple``, one gradient
per input (None where there is none). In the fast path ``g``, ``out`` and the inputs are raw data
(floats or arrays); with ``create_graph=True`` they are nodes, so the gradient is itself
recorded and can be differentiated again. Rules are written with operators and the helpers of
``ops/common.py``, which accept both kinds of argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Rule = Callable[..., tuple[Any, ...]]
Label = str | Callable[[Any], str]
Factors = tuple[str, ...] | Callable[[int, Any], str]

REGISTRY: list[Op] = []  # every declared op, in declaration order (the tests walk it)


class Op:
    """One differentiable op.

    - ``name``: in errors, drawings and test ids.
    - ``backward``: the rule.
    - ``saves``: which of the rule's arguments it reads, as ``"x"`` (input 0), ``"y"`` (input 1),
      ``"out"``, combined with spaces, or ``"all"`` (every input); an in-place change of any of
      these before backward makes backward raise instead of using the new values.
    - ``elementwise``: the rule multiplies ``g`` by a local factor element by element, so a
      drawing can show that factor (the rule applied to a gradient of ones).
    - ``linear``: the local factor is a constant (1, -1, c): drawings show only its number.
    - ``factors``: per input, the local factor as a formula (elementwise ops) or, for other
      ops, what happens to ``g`` on its way back, in words; or a function ``(k, ctx) -> str``.
    - ``partner``: for products, ``(k, ctx) -> j``: input k's factor is input j (named in
      drawings as the lecture does, ``× w3``); None where it is not another input.
    - ``label``: how a node of this op reads in a drawing; ``{c}`` stands for the op's constant
      (its ctx), or a function ``ctx -> str`` for ops with hyper-parameters.
    - ``checks``: the test facts, see ``Check``; an op without checks of its own names the
      test that covers it in ``tested_by`` (a helper op inside another op's rule, say).
    """

    __slots__ = (
        "name",
        "backward",
        "saved_inputs",
        "saves_out",
        "elementwise",
        "linear",
        "factors",
        "partner",
        "label",
        "checks",
        "tested_by",
        "plain",
    )

    def __init__(
        self,
        name: str,
        backward: Rule,
        *,
        saves: str = "",
        elementwise: bool = False,
        linear: bool = False,
        factors: Factors = (),
        partner: Callable[[int, Any], int | None] | None = None,
        label: Label = "",
        checks: tuple[Check, ...] | list[Check] = (),
        tested_by: str = "",
        register: bool = True,
    ) -> None:
        self.name = name
        self.backward = backward
        words = saves.split()
        self.saves_out = "out" in words
        if "all" in words:
            self.saved_inputs: tuple[int, ...] | None = None  # None: every input
        else:
            self.saved_inputs = tuple(i for i, w in enumerate("xyz") if w in words)
        self.elementwise = elementwise
        self.linear = linear
        self.factors = factors
        self.partner = partner
        self.label = label
        self.checks = tuple(checks)
        self.tested_by = tested_by
        self.plain: Op = self  # the op whose rule gives local factors (see broadcasting())
        if register:
            REGISTRY.append(self)

    def __repr__(self) -> str:
        return f"<op {self.name}>"

    def factor(self, k: int, ctx: Any) -> str:
        """Input ``k``'s local factor (elementwise ops) or what happens to g on its way (others)."""
        if callable(self.factors):
            return self.factors(k, ctx)
        return self.factors[k] if k < len(self.factors) else ""

    def text(self, ctx: Any, number: Callable[[float], str]) -> str:
        """How a node of this op reads: ``* 3`` rather than ``*c``."""
        if callable(self.label):
            return self.label(ctx)
        if self.label and "{c}" in self.label and isinstance(ctx, (int, float)):
            return self.label.replace("{c}", number(float(ctx)))
        return self.label or self.name

    def sibling(self, backward: Rule) -> Op:
        """The same op with another rule (and the same facts), not registered again: the
        broadcasting form of an elementwise op, whose rule sums gradients back to input shapes."""
        twin = Op.__new__(Op)
        for slot in Op.__slots__:
            setattr(twin, slot, getattr(self, slot))
        twin.backward = backward
        twin.plain = self
        twin.checks = ()
        return twin


# --- test facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One input of a check: its shape and where its elements are drawn from."""

    shape: tuple[int, ...]
    low: float = -2.0
    high: float = 2.0
    kind: str = "float"  # float (differentiated), index (int64 in [0, high)), mask (bool), int
    avoid: tuple[float, ...] = ()  # points elements keep at least AVOID_MARGIN from (kinks, poles)
    distinct: bool = False  # no two elements close (max, sort: no ties)
    grad: bool = True  # a float input that is data, not differentiated, when False


AVOID_MARGIN = 0.1


def real(*shape: int, low: float = -2.0, high: float = 2.0, grad: bool = True) -> Arg:
    return Arg(tuple(shape), low, high, grad=grad)


def positive(*shape: int, low: float = 0.2, high: float = 3.0) -> Arg:
    return Arg(tuple(shape), low, high)


def nonzero(*shape: int, low: float = -2.0, high: float = 2.0) -> Arg:
    """Away from 0: for kinks (relu, abs) and poles (1/x)."""
    return Arg(tuple(shape), low, high, avoid=(0.0,))


def unit(*shape: int) -> Arg:
    """Inside (-1, 1), away from its ends: asin, atanh."""
    return Arg(tuple(shape), -0.9, 0.9)


def distinct(*shape: int, low: float = -2.0, high: float = 2.0) -> Arg:
    return Arg(tuple(shape), low, high, distinct=True)


def index(*shape: int, high: int) -> Arg:
    return Arg(tuple(shape), 0, high, kind="index")


def mask(*shape: int) -> Arg:
    return Arg(tuple(shape), kind="mask")


def integers(*shape: int, low: int = -5, high: int = 5) -> Arg:
    return Arg(tuple(shape), low, high, kind="int")


@dataclass(frozen=True)
class Check:
    """A test case of an op, written once for both libraries: ``call(lib, *inputs)`` is the op as
    a user writes it, run with ``lib`` = ``autograd`` and with ``lib`` = ``torch`` (dagrad
    follows PyTorch's names, so one lambda serves both).

    ``order``: the derivatives tested (0: not differentiable; 2: also gradients of gradients).
    ``value``: the op exists on Value too; it is also checked on scalars. ``tensor``: checked on
    Tensors (False for Value-only ops). ``reference``: the same op written for PyTorch, where
    ``call`` is not PyTorch code (``value_sum``). ``rtol``/``atol``: tolerances against PyTorch
    in float64. ``float32``: also compare a float32 run. ``fd``: finite differences apply
    (False for a cast to a lower precision, whose differences are rounding noise).
    """

    call: Callable[..., Any]
    args: tuple[Arg, ...]
    order: int = 2
    value: bool = False
    tensor: bool = True
    reference: Callable[..., Any] | None = None
    rtol: float = 1e-7
    atol: float = 1e-9
    float32: bool = True
    fd: bool = True
    name: str = ""


def check(call: Callable[..., Any], *args: Arg, **options: Any) -> Check:
    return Check(call, tuple(args), **options)
