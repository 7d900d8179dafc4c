"""Recording one eager call of ``fn``: every Value op it does, every Value it makes from a
number, and every branch it takes on a Value (a comparison, ``float()``, ``item()``).

``value.start_recording`` hands the recorder these events (see the hooks in value.py); the
recorder keeps those of its own thread. Everything is kept alive until the recording is built,
so no object's ``id`` is reused meanwhile.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..value import DETACH, Value

_get_ident = threading.get_ident
_ENGINE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograd/


@dataclass
class Guard:
    """A branch the recorded call took: ``a symbol b`` was ``outcome`` (a comparison), or
    ``float(a)`` was ``outcome`` (``symbol`` is "float")."""

    a: Value
    symbol: str
    b: Any
    outcome: Any
    where: str  # file:line of the code that asked

    def text(self) -> str:
        """What the recorded call saw, e.g. ``0.25 > 0 was True`` (the numbers it compared)."""
        if self.symbol == "float":
            return f"float() gave {self.outcome!r}"
        a = self.a.data
        b = self.b.data if isinstance(self.b, Value) else self.b
        return f"{a!r} {self.symbol} {b!r} was {bool(self.outcome)}"


class OpRecord:
    """How the recorded call computed one Value (``seq``: the order it was made in)."""

    __slots__ = ("out", "parents", "op", "ctx", "seq")

    def __init__(self, out: Value, parents: tuple[Value, ...], op: Any, ctx: Any, seq: int) -> None:
        self.out, self.parents, self.op, self.ctx, self.seq = out, parents, op, ctx, seq


class Recorder:
    """The observer value.py reports to while a call is recorded."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.ops: dict[int, OpRecord] = {}  # id(result) -> how it was computed
        self.created: dict[int, Value] = {}  # Values made with Value(...) during the call
        self.guards: list[Guard] = []
        self.numbers: dict[int, Value] = {}  # the Values number arguments reach fn as

    def op(self, out: Value, parents: tuple[Value, ...], op: Any, ctx: Any) -> None:
        if _get_ident() == self.thread:
            ops = self.ops
            ops[id(out)] = OpRecord(out, parents, op, ctx, len(ops))

    def made(self, value: Value, source: Value | None) -> None:
        if _get_ident() == self.thread:
            if source is None:
                self.created[id(value)] = value
            else:  # Value(x) of a number argument: a leaf that copies its number
                self.ops[id(value)] = OpRecord(value, (source,), DETACH, None, len(self.ops))

    def is_number(self, value: Value) -> bool:
        """Whether ``value`` stands for a number argument (Value() accepts it then)."""
        return _get_ident() == self.thread and id(value) in self.numbers

    def compared(self, a: Value, symbol: str, b: Any, outcome: Any) -> None:
        if threading.get_ident() == self.thread:
            self.guards.append(Guard(a, symbol, b, outcome, _caller()))

    def converted(self, a: Value, number: float) -> None:
        if threading.get_ident() == self.thread:
            self.guards.append(Guard(a, "float", None, number, _caller()))


def _caller() -> str:
    """file:line of the innermost frame outside the engine: the code that took the branch."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_ENGINE):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "?"
    return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


def kept_after_call(recorder: Recorder, outputs: list[Value]) -> set[int]:
    """The Values fn made from numbers that something other than the recording still holds
    after the call: fn stored them (a parameter made on first use, say), so they are not
    constants of the recording but inputs read afresh, like the Values that existed before.

    CPython counts references exactly: a Value referenced only from the graph's parent tuples,
    the guards, the outputs and the recorder has no other holder. Elsewhere (no reference
    counts), every such Value is taken as a constant, as the documentation says.
    """
    created = recorder.created
    if not created or not hasattr(sys, "getrefcount") or sys.implementation.name != "cpython":
        return set()
    known: Counter[int] = Counter()
    seen_tuples: set[int] = set()
    for record in recorder.ops.values():
        parents = record.parents
        if id(parents) not in seen_tuples:
            seen_tuples.add(id(parents))
            known.update(id(p) for p in parents if id(p) in created)
    for guard in recorder.guards:
        known.update(id(x) for x in (guard.a, guard.b) if id(x) in created)
    known.update(id(v) for v in outputs if id(v) in created)
    kept = set()
    for key in created:
        value = created[key]
        # + the dict's reference, this variable and getrefcount's argument
        if sys.getrefcount(value) > known[key] + 3:
            kept.add(key)
    return kept
