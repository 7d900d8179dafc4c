"""Text for draw_graph: numbers, value and gradient summaries, op names. All HTML-escaped.

Graphviz gets HTML-like labels (``<...>``), so every piece of user text (parameter names, numbers)
goes through ``esc`` and cannot break the DOT source, whatever characters it holds.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

from ..graph import Node

_CONTROL = {c: "\N{REPLACEMENT CHARACTER}" for c in range(32) if chr(c) not in "\t\n"}


def esc(text: str) -> str:
    """``text`` safe inside a Graphviz HTML label: escaped, with control characters (NUL...)
    and lone surrogates, which Graphviz cannot render, replaced by U+FFFD."""
    clean = text.translate(_CONTROL).encode("utf-8", "replace").decode("utf-8")
    return html.escape(clean, quote=True)


def num(x: float) -> str:
    """A number in at most 4 significant digits (micrograd prints 4 decimals, which turns a
    vanishing 3e-07 into 0.0000: exactly what a gradient drawing must not hide)."""
    x = float(x)
    if x == 0.0:
        return "0"
    if not math.isfinite(x):
        return "nan" if x != x else ("inf" if x > 0 else "-inf")
    return f"{x:.4g}"


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")


def small_array(arr: np.ndarray) -> str:
    """The numbers of a small array, rows on separate lines (already escaped)."""
    if arr.ndim == 0:
        return num(arr.item())
    if arr.dtype == np.bool_:
        text = np.array2string(arr, separator=", ")
    else:
        text = np.array2string(
            arr.astype(np.float64),
            separator=", ",
            max_line_width=48,
            formatter={"float_kind": num},  # type: ignore[arg-type]
        )
    return "<br/>".join(esc(line.strip()) for line in text.splitlines())


def nonfinite_note(arr: np.ndarray) -> str:
    if arr.dtype.kind != "f":
        return ""
    nans = int(np.isnan(arr).sum())
    infs = int(np.isinf(arr).sum())
    parts = [f"{nans} NaN"] * bool(nans) + [f"{infs} Inf"] * bool(infs)
    return (" · <b>" + esc(", ".join(parts)) + "</b>") if parts else ""


def array_summary(arr: np.ndarray, max_elements: int) -> str:
    """The numbers themselves when there are at most ``max_elements``, else mean/min/max."""
    if arr.size <= max_elements:
        return small_array(arr)
    if arr.dtype == np.bool_:
        return f"{int(arr.sum())} of {arr.size} true"
    if arr.dtype.kind in "iu":
        return f"min {arr.min()} · max {arr.max()}"
    finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
    if finite.size == 0:
        return "no finite values" + nonfinite_note(arr)
    stats = f"mean {num(finite.mean())} · min {num(finite.min())} · max {num(finite.max())}"
    return stats + nonfinite_note(arr)


def grad_summary(g: np.ndarray, max_elements: int) -> str:
    """A tensor gradient: its numbers when small, else its norm and mean |g| (and how much of
    it is exactly zero, the mark of dead ReLUs)."""
    if g.size <= max_elements:
        return small_array(g)
    a = np.abs(g.astype(np.float64))
    text = f"&#8214;g&#8214; {num(float(np.sqrt(np.sum(a * a))))} · mean|g| {num(a.mean())}"
    zeros = int(np.count_nonzero(g == 0))
    if 0 < zeros < g.size:
        text += f" · {100.0 * zeros / g.size:.0f}% zero"
    return text + nonfinite_note(g)


def grad_of(node: Node) -> Any:
    """A node's gradient as raw data (a float or an array), None if it has none."""
    g = node._grad
    return g.data if isinstance(g, Node) else g


def op_name(node: Node) -> str:
    """The name of the op that made ``node`` ("" for a leaf)."""
    return node.grad_fn.name if node.grad_fn is not None else ""


def op_text(node: Node) -> str:
    """The op that made ``node`` as a reader writes it: ``* 3`` rather than ``*c`` (the op's
    declared label, with its constant or hyper-parameters filled in)."""
    op = node.grad_fn
    if op is None:
        return "?"
    return esc(op.text(node._ctx, num))


def data_summary(node: Node, max_elements: int) -> str:
    if isinstance(node.data, np.ndarray):
        return array_summary(node.data, max_elements)
    return num(node.data)


def tensor_meta(data: np.ndarray) -> str:
    return f"{shape_text(data.shape) if data.ndim else 'scalar'} {data.dtype}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")
