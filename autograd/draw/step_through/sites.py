"""The line of user code that created a node, when it was recorded: inside ``record_sites()``
or ``detect_anomaly()`` every op remembers its stack (autograd/anomaly.py); otherwise nothing
is recorded and ops pay nothing for it."""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from ...anomaly import creation_site
from ...graph import Node

_ROOT = Path(__file__).resolve().parents[3]
# dagrad's own layers and optimizers: a line inside them is not the user's line
_LIBRARY = tuple(str(_ROOT / name) + os.sep for name in ("nn", "optim"))
NOT_RECORDED = (
    "not recorded: build the graph inside `with autograd.record_sites():` (or "
    "detect_anomaly()) to see the line that created each node"
)


def _where(frame: traceback.FrameSummary) -> str:
    path = frame.filename
    try:
        shown = os.path.relpath(path)
        if shown.startswith(".."):
            shown = path
    except ValueError:  # another drive (Windows)
        shown = path
    line = (frame.line or "").strip()
    return f"{shown}:{frame.lineno} in {frame.name}" + (f": {line}" if line else "")


def site(node: Node) -> str:
    """'file.py:12 in main: z = w @ a + b', with the frame inside dagrad's layers (if any)
    after it; "" when the node's creation was not recorded (a leaf, or outside the block)."""
    stack = creation_site(node)
    if not stack:
        return ""
    frames = list(stack)
    own = [f for f in frames if not os.path.abspath(f.filename).startswith(_LIBRARY)]
    user = own[-1] if own else frames[-1]
    text = _where(user)
    if frames[-1] is not user:
        text += "\nvia " + _where(frames[-1])
    return text
