"""detect_anomaly(): find the op that first produced a NaN, forward or backward.

Inside the block every recorded op remembers the user code that created it (a stack summary kept
in a weak table, so it dies with the node), its output is checked for NaN, and so is every
gradient the backward pass computes. An inf is not an anomaly (masks use -inf, log(0) is -inf),
as in PyTorch. NumPy's own warnings are silenced inside the block, so the report is the first
thing the user reads. Outside the block none of this runs: ops pay a single flag check.
"""

from __future__ import annotations

import os
import traceback
import weakref
from typing import Any

import numpy as np

from .graph import Node
from .modes import mode

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# keyed by id(node), emptied when the node dies: a WeakKeyDictionary would compare Tensors with
# ==, which is elementwise
_creation_sites: dict[int, traceback.StackSummary] = {}


class AnomalyError(RuntimeError):
    """A NaN appeared in a forward value or a gradient under detect_anomaly()."""


class detect_anomaly:  # noqa: N801 - named as in PyTorch
    """Context manager: raise AnomalyError at the first NaN, naming the op and the user line.

    >>> with detect_anomaly():
    ...     y = Value(-1.0).log()      # raises: forward of op 'log' produced nan
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._previous: list[tuple[bool, Any]] = []

    def __enter__(self) -> detect_anomaly:
        quiet = np.errstate(all="ignore")
        quiet.__enter__()
        self._previous.append((mode.anomaly, quiet))
        mode.anomaly = self.check_nan
        return self

    def __exit__(self, *exc: object) -> None:
        mode.anomaly, quiet = self._previous.pop()
        quiet.__exit__(None, None, None)


def is_anomaly_enabled() -> bool:
    return bool(mode.anomaly)


def _op_name(node: Node) -> str:
    return node.grad_fn.name if node.grad_fn is not None else "?"


def _user_stack() -> traceback.StackSummary:
    """The current stack without dagrad's own frames: the user's lines only."""
    frames = [
        f
        for f in traceback.extract_stack()[:-1]
        if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR)
    ]
    return traceback.StackSummary.from_list(frames[-6:])


def _where(node: Node) -> str:
    stack = _creation_sites.get(id(node))
    if not stack:
        return "  (created outside detect_anomaly(), so its line was not recorded)"
    return "".join(stack.format()).rstrip()


def on_forward(out: Node) -> None:
    """Called by an op in anomaly mode right after it recorded ``out``."""
    _creation_sites[id(out)] = _user_stack()
    weakref.finalize(out, _creation_sites.pop, id(out), None)
    bad = out._non_finite(out.data)
    if bad is not None:
        inputs = ", ".join(p._describe() for p in out._parents)
        raise AnomalyError(
            f"detect_anomaly: forward of op '{_op_name(out)}' produced {bad} "
            f"(output {out._describe()}; inputs {inputs}), at:\n{_where(out)}"
        )


def on_backward(node: Node, grads: Any) -> None:
    """Called by the backward pass in anomaly mode after ``node``'s rule gave ``grads``."""
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
