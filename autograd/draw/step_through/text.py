"""The numbers of the step-through page as plain text (the page puts them in SVG and HTML text
nodes itself, so nothing here is escaped): draw_graph's summaries (labels.py), unescaped, and
the longer forms the details panel shows."""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np

from ..labels import array_summary, grad_summary, num, shape_text

DETAIL_ELEMENTS = 64  # a clicked tensor shows all its numbers up to this many
_TAG = re.compile(r"<[^>]+>")


def plain(marked_up: str) -> str:
    """draw_graph's label text (HTML-like, escaped) as plain text; ``<br/>`` become newlines."""
    return html.unescape(_TAG.sub("", marked_up.replace("<br/>", "\n")))


def is_array(data: Any) -> bool:
    return isinstance(data, np.ndarray)


def short(x: Any, max_elements: int) -> str:
    """A number (4 significant digits) or a tensor's summary, on one line."""
    if is_array(x):
        return " ".join(plain(array_summary(np.asarray(x), max_elements)).split())
    return num(float(x))


def value_lines(data: Any, max_elements: int) -> list[str]:
    """How a node's value reads inside its box."""
    if not is_array(data):
        return [f"data {num(data)}"]
    lines = plain(array_summary(data, max_elements)).split("\n")
    return ["value " + lines[0]] + ["      " + line for line in lines[1:]]


def grad_lines(g: Any, max_elements: int) -> list[str]:
    """How a node's gradient reads inside its box: 4 significant digits, or for a large tensor
    its norm, mean |g| and the share of exact zeros."""
    if not is_array(g):
        return [f"grad {num(g)}"]
    lines = plain(grad_summary(np.asarray(g), max_elements)).split("\n")
    return ["grad " + lines[0]] + ["     " + line for line in lines[1:]]


def grad_short(g: Any, max_elements: int) -> str:
    if is_array(g):
        return " ".join(plain(grad_summary(np.asarray(g), max_elements)).split())
    return num(float(g))


def _precise(x: float) -> str:
    return f"{x:.8g}"


def detail(x: Any) -> str:
    """A value or gradient in the details panel: every number (8 significant digits) up to
    DETAIL_ELEMENTS elements, else statistics."""
    if not is_array(x):
        return _precise(float(x))
    arr = np.asarray(x)
    if arr.size <= DETAIL_ELEMENTS:
        if arr.dtype == np.bool_ or arr.dtype.kind in "iu":
            return np.array2string(arr, separator=", ")
        return np.array2string(
            arr.astype(np.float64),
            separator=", ",
            max_line_width=72,
            formatter={"float_kind": _precise},  # type: ignore[arg-type]
        )
    if arr.dtype == np.bool_:
        return f"{int(arr.sum())} of {arr.size} true"
    f = arr.astype(np.float64)
    finite = f[np.isfinite(f)]
    if finite.size == 0:
        return "no finite values"
    a = np.abs(finite)
    text = (
        f"norm {_precise(float(np.sqrt(np.sum(a * a))))} · mean {_precise(float(finite.mean()))}"
        f" · min {_precise(float(finite.min()))} · max {_precise(float(finite.max()))}"
    )
    zeros = int(np.count_nonzero(f == 0))
    if zeros:
        text += f" · {100.0 * zeros / f.size:.1f}% exactly 0"
    if finite.size < f.size:
        text += f" · {f.size - finite.size} NaN/Inf"
    return text


def shape_of(data: Any) -> str:
    return shape_text(data.shape) if is_array(data) else "scalar (a Value)"


def dtype_of(data: Any) -> str:
    return str(data.dtype) if is_array(data) else "float (Python)"


def meta(data: Any) -> str:
    """Shape and dtype of a tensor ("" for a Value)."""
    if not is_array(data):
        return ""
    return f"{shape_text(data.shape) if data.ndim else 'scalar'} {data.dtype}"


def factor_number(x: Any) -> str:
    """A local factor in an arithmetic line: negative numbers in parentheses."""
    text = num(float(x))
    return f"({text})" if text.startswith("-") else text
