"""``autograd.compile``: record a scalar graph once, replay it as straight-line Python.

micrograd-style code builds one Value per ``+`` and ``*`` at every training step, although the
graph is the same every time. ``step = compile(fn)`` runs ``fn`` eagerly on its first call and
records what it did; later calls run generated code that does the same float operations on local
variables, forward and backward, giving the same numbers bit for bit (the same operations on the
same operands, additions in the engine's order).

The pieces, in the order a call meets them:

- ``arguments.py``: what enters (Values and numbers, nested in lists and tuples) and what comes
  out (Values; a plain number is refused);
- ``recorder.py``: the observer value.py reports every op, ``Value()``, comparison and
  ``float()`` to while a call is recorded; the branches taken become guards;
- ``program.py``: the recorded call as a program of arguments, sources (Values from before the
  call, read afresh), constants and ops;
- ``templates.py`` / ``expr.py``: each op's forward and backward as Python expressions;
- ``codegen.py``: the forward function and the backward functions;
- ``replay.py``: a recording, and the Values a replay returns;
- ``step.py``: the compiled step itself (recordings per path, guards, re-recording).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .step import CompiledStep, GuardError


def compile(  # noqa: A001 - autograd.compile, as torch.compile
    fn: Callable[..., Any] | None = None, *, on_change: str = "rerecord", max_recordings: int = 8
) -> Any:
    """Record ``fn`` on its first call; replay the recording on later calls. Also a decorator:
    ``@compile`` or ``@compile(on_change="raise")``.

    - **What enters.** The arguments (Values and numbers, in lists and tuples) are inputs, read
      afresh at every call; a number reaches ``fn`` as a Value that does not require grad. Values
      that existed before the call and that the graph reaches (a model's parameters) are read
      afresh too: an optimizer updating ``.data`` between calls works. Numbers, and Values that
      ``fn`` makes from numbers and drops (micrograd's demo wraps its data in ``Value`` inside
      its loss), are constants of the recording: pass data that changes as arguments.
    - **What comes out.** ``fn`` returns a Value, or lists and tuples of Values; the step returns
      the same shape. ``.backward()`` on a result fills the same leaves' ``.grad`` with the same
      numbers as eager mode. A plain number among the results is refused.
    - **Guards.** Each branch ``fn`` took on a Value (a comparison, ``float()``, ``item()``) is
      checked on every replay. A call that would go another way, or whose arguments differ in
      structure, is recorded again (``on_change="rerecord"``, keeping up to ``max_recordings``
      paths) or raises ``GuardError`` (``on_change="raise"``). What ``fn`` reads outside the
      Values (``.data``, a flag, a list's length) is not seen: call ``step.reset()`` after
      changing it.
    - **Looking inside.** ``step.code`` is the generated Python; ``draw_graph(step.graph)``
      draws the recorded call's graph; ``step.guards`` lists the branches.
    """
    if fn is None:
        return lambda f: CompiledStep(f, on_change=on_change, max_recordings=max_recordings)
    return CompiledStep(fn, on_change=on_change, max_recordings=max_recordings)


__all__ = ["CompiledStep", "GuardError", "compile"]
