"""The recorded call as a program: every number the outputs (and the guarded branches) need, and
where each comes from.

- an *argument*: a Value or number passed to the step, read afresh at every call;
- a *source*: a Value that existed before the call (a parameter), its ``.data`` read afresh at
  every call (and again by the backward pass, as eager mode reads it then);
- a *constant*: a Value fn made from numbers and dropped, or an op on constants only: its
  number is written into the code;
- an *op*: a Value op done during the call, with its inputs, in the order it was done.

Slots mirror the eager graph's parent tuples (``_parents``) and ``requires_grad`` flags, so the
engine's own ``toposort`` gives the backward order eager mode uses.
"""

from __future__ import annotations

from typing import Any

from ..value import DETACH, Value
from .recorder import Guard, Recorder
from .templates import has_forward

ARG, SOURCE, CONST, OP = "arg", "source", "const", "op"


class Slot:
    """One number of the program."""

    __slots__ = ("kind", "index", "op", "ctx", "inputs", "data", "requires_grad", "_parents", "seq")

    def __init__(self, kind: str, value: Value, index: int = -1) -> None:
        self.kind = kind
        self.index = index  # an argument's leaf position, a source's number, an op's order
        self.op: Any = None
        self.ctx: Any = None
        self.inputs: tuple[Slot, ...] = ()
        self.data = value.data  # the number the recorded call got
        self.requires_grad = value.requires_grad
        self._parents: tuple[Slot, ...] = ()  # as the eager node's, for toposort
        self.seq = -1

    def __repr__(self) -> str:
        return f"<{self.kind} {self.index}>"


class Program:
    def __init__(
        self,
        slots: dict[int, Slot],
        ops: list[Slot],
        sources: list[Value],
        outputs: list[Slot],
        guards: list[tuple[Guard, Slot, Slot | None]],
    ) -> None:
        self.slots = slots  # id of a recorded Value -> its slot
        self.ops = ops  # op slots that are not constants, in the order they were done
        self.sources = sources
        self.outputs = outputs
        self.guards = guards  # those that can fail: on an argument, a source or an op


def build(
    recorder: Recorder, outputs: list[Value], arguments: list[Any], kept: set[int]
) -> Program:
    """The program that computes ``outputs`` (and the guards' operands) from the arguments (the
    leaves fn got) and the sources. ``kept``: ids of Values fn made that outlived the call."""
    arg_of: dict[int, int] = {}
    for i, a in enumerate(arguments):
        if isinstance(a, Value):
            arg_of.setdefault(id(a), i)
    ops, created = recorder.ops, recorder.created
    slots: dict[int, Slot] = {}
    parents_of: dict[Slot, tuple[Value, ...]] = {}
    sources: list[Value] = []
    stack: list[Value] = list(outputs)
    for guard in recorder.guards:
        stack.append(guard.a)
        if isinstance(guard.b, Value):
            stack.append(guard.b)
    while stack:  # every Value the outputs and guards reach, back to the call's boundary
        v = stack.pop()
        key = id(v)
        if key in slots:
            continue
        if key in arg_of:
            slot = Slot(ARG, v, arg_of[key])
        elif key in ops:
            record = ops[key]
            if not has_forward(record.op):
                raise TypeError(
                    f"compile: op '{record.op.name}' cannot be replayed (it has no float forward); "
                    "call the function without compile"
                )
            slot = Slot(OP, v)
            slot.op, slot.ctx, slot.seq = record.op, record.ctx, record.seq
            parents_of[slot] = record.parents
            stack.extend(record.parents)
        elif key in created and key not in kept:
            slot = Slot(CONST, v)
        else:
            slot = Slot(SOURCE, v, len(sources))
            sources.append(v)
        slots[key] = slot
    program_ops: list[Slot] = []
    for slot in sorted(parents_of, key=lambda s: s.seq):  # in the order done: inputs first
        inputs = tuple(slots[id(p)] for p in parents_of[slot])
        slot.inputs = inputs
        # as the eager node's: a leaf copied from a number argument has no parents
        slot._parents = inputs if slot.requires_grad and slot.op is not DETACH else ()
        if all(i.kind == CONST for i in inputs):
            slot.kind = CONST  # an op on constants is a constant: its recorded number
        else:
            slot.index = len(program_ops)
            program_ops.append(slot)
    _number_sources(sources, program_ops, slots)
    guards = []
    for guard in recorder.guards:
        a = slots[id(guard.a)]
        b = slots[id(guard.b)] if isinstance(guard.b, Value) else None
        if a.kind != CONST or (b is not None and b.kind != CONST):  # constants never change
            guards.append((guard, a, b))
    return Program(slots, program_ops, sources, [slots[id(v)] for v in outputs], guards)


def _number_sources(sources: list[Value], ops: list[Slot], slots: dict[int, Slot]) -> None:
    """Number the sources in the order the program first reads them (p0, p1, ...)."""
    order: dict[Slot, None] = {}
    for slot in ops:
        for x in slot.inputs:
            if x.kind == SOURCE:
                order[x] = None
    for v in sources:
        order.setdefault(slots[id(v)], None)
    by_old = list(sources)
    for new, slot in enumerate(order):
        sources[new] = by_old[slot.index]
    for new, slot in enumerate(order):
        slot.index = new
