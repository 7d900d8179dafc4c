"""detect_anomaly(): find the op that first produced a NaN, forward or backward.

Inside the block every recorded op remembers the user code that created it (a stack summary kept
in a weak table, so it dies with the node), its output is checked for NaN, and so is every
gradient the backward pass computes. An inf is not an anomaly (masks use -inf, log(0) is -inf),
as in PyTorch. NumPy's own warnings are silenced inside the block, so the report is the first
thing the user reads. Outside the block none of this runs: ops pay a single flag check.

The same hook serves two other tools: ``record_sites()`` records the lines without checking
anything (the step-through page shows each node's line), and ``record_ops(callback)`` hands every
recorded node to a callback (gradcheck's doctor replays a function op by op with it).
"""

from __future__ import annotations

import os
import sys
import traceback
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import Node
from .modes import mode

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class _SiteTable:
    """node -> the stack that created it, by identity, each entry dying with its node. (A
    WeakKeyDictionary compares keys with ==, which is elementwise for Tensors.)"""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Node], traceback.StackSummary]] = {}

    def __setitem__(self, node: Node, stack: traceback.StackSummary) -> None:
        entries = self._entries
        key = id(node)

        def forget(ref: weakref.ref[Node]) -> None:
            entry = entries.get(key)
            if entry is not None and entry[0] is ref:
                del entries[key]

        entries[key] = (weakref.ref(node, forget), stack)

    def get(self, node: Node) -> traceback.StackSummary | None:
        entry = self._entries.get(id(node))
        if entry is None or entry[0]() is not node:
            return None
        return entry[1]

    def __len__(self) -> int:
        return len(self._entries)


_creation_sites = _SiteTable()


class AnomalyError(RuntimeError):
    """A NaN appeared in a forward value or a gradient under detect_anomaly()."""


class detect_anomaly:  # noqa: N801 - named as in PyTorch
    """Context manager: raise AnomalyError at the first NaN, naming the op and the user line.
    ``check_nan=False`` records the lines without checking, as in PyTorch.

    >>> with detect_anomaly():
    ...     y = Value(-1.0).log()      # raises: forward of op 'log' produced nan
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._previous: list[tuple[Any, ...]] = []

    def __enter__(self) -> detect_anomaly:
        quiet = np.errstate(all="ignore")
        quiet.__enter__()
        self._previous.append((mode.anomaly, mode.detecting, mode.sites, mode.check_nan, quiet))
        mode.anomaly = mode.detecting = mode.sites = True
        mode.check_nan = self.check_nan
        return self

    def __exit__(self, *exc: object) -> None:
        mode.anomaly, mode.detecting, mode.sites, mode.check_nan, quiet = self._previous.pop()
        quiet.__exit__(None, None, None)


class record_sites:  # noqa: N801 - a context manager, named like detect_anomaly
    """Context manager: every op recorded inside remembers the line of user code that created
    it, for ``step_through``'s node details (and detect_anomaly's reports). Nothing is checked
    and nothing changes otherwise; outside the block ops pay nothing more than before (the
    flag check they already make for detect_anomaly).

    >>> with record_sites():
    ...     loss = model(x).sum()
    >>> step_through(loss).save("backprop.html")
    """

    def __init__(self) -> None:
        self._previous: list[tuple[bool, bool]] = []

    def __enter__(self) -> record_sites:
        self._previous.append((mode.anomaly, mode.sites))
        mode.anomaly = mode.sites = True
        return self

    def __exit__(self, *exc: object) -> None:
        mode.anomaly, mode.sites = self._previous.pop()


class record_ops:  # noqa: N801 - a context manager, named like detect_anomaly
    """Hand every node an op records inside the block to ``callback`` (right after the op made
    it, before any other op can read it: the callback may replace its data). Used by
    gradcheck's doctor; it costs the ops nothing outside the block."""

    def __init__(self, callback: Callable[[Node], None]) -> None:
        self.callback = callback
        self._previous: list[tuple[bool, Any]] = []

    def __enter__(self) -> record_ops:
        self._previous.append((mode.anomaly, mode.recorder))
        mode.anomaly = True
        mode.recorder = self.callback
        return self

    def __exit__(self, *exc: object) -> None:
        mode.anomaly, mode.recorder = self._previous.pop()


def is_anomaly_enabled() -> bool:
    return bool(mode.detecting)


def creation_site(node: Node) -> traceback.StackSummary | None:
    """The user's frames (outermost first) when ``node`` was created inside detect_anomaly()
    or record_sites(), else None."""
    return _creation_sites.get(node)


def _op_name(node: Node) -> str:
    return node.grad_fn.name if node.grad_fn is not None else "?"


def _user_stack() -> traceback.StackSummary:
    """The current stack without dagrad's own frames: the user's lines only (the innermost
    six). Source lines are read when the stack is printed, not here: recording stays cheap."""
    frames: list[tuple[Any, int]] = []
    frame: Any = sys._getframe(1)
    while frame is not None and len(frames) < 6:
        if not os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
            frames.append((frame, frame.f_lineno))
        frame = frame.f_back
    return traceback.StackSummary.extract(reversed(frames), lookup_lines=False)


def _where(node: Node) -> str:
    stack = _creation_sites.get(node)
    if not stack:
        return "  (created outside detect_anomaly(), so its line was not recorded)"
    return "".join(stack.format()).rstrip()


def on_forward(out: Node) -> None:
    """Called by an op in anomaly mode right after it recorded ``out``."""
    recorder = mode.recorder
    if recorder is not None:
        recorder(out)
    if not mode.sites:
        return
    _creation_sites[out] = _user_stack()
    if not mode.check_nan:
        return
    bad = out._non_finite(out.data)
    if bad is not None:
        inputs = ", ".join(p._describe() for p in out._parents)
        raise AnomalyError(
            f"detect_anomaly: forward of op '{_op_name(out)}' produced {bad} "
            f"(output {out._describe()}; inputs {inputs}), at:\n{_where(out)}"
        )


def on_backward(node: Node, grads: Any) -> None:
    """Called by the backward pass in anomaly mode after ``node``'s rule gave ``grads``."""
    if not mode.check_nan:
        return
    for i, (parent, pg) in enumerate(zip(node._parents, grads)):
        if pg is None:
            continue
        raw = pg.data if isinstance(pg, Node) else pg
        bad = parent._non_finite(raw)
        if bad is not None:
            raise AnomalyError(
                f"detect_anomaly: backward of op '{_op_name(node)}' produced {bad} in the "
                f"gradient of its input {i} ({parent._describe()}; output "
                f"{node._describe()}). The op was created at:\n{_where(node)}"
            )
