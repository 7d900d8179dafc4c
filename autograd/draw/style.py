"""The colour scale of draw_graph: how big a gradient is, which colour that gets, and the legend.

The scale is fixed (not stretched to each graph), so two drawings can be compared by eye: a node
is coloured by the decade of its gradient's typical size, ``mean |grad|`` per element (``|grad|``
for a Value). Small gradients are cold and pale, healthy ones green, huge ones orange. Three
states sit outside the scale: exactly zero (grey, dashed: nothing flows back through here), NaN or
Inf (magenta: something broke) and no gradient at all (white: a constant, or before backward).
"""

from __future__ import annotations

import html
import math
import textwrap
from typing import Any

import numpy as np

# bin k holds magnitudes in [10**(FIRST_DECADE + k - 1), 10**(FIRST_DECADE + k)); the first and
# last bins are open-ended
FIRST_DECADE = -6
FILLS = (
    "#dcd6f0",  # < 1e-6
    "#c9cdf3",  # 1e-6
    "#b0c4f1",  # 1e-5
    "#95c3ea",  # 1e-4
    "#80cad8",  # 1e-3
    "#82d3b4",  # 1e-2
    "#a3dc8a",  # 1e-1
    "#d2e06b",  # 1e0
    "#f5c95a",  # 1e1
    "#f59a5a",  # >= 1e2
)
ZERO_FILL = "#e4e4e4"
ZERO_LINE = "#9a9a9a"
NONFINITE_FILL = "#ff4fd8"
NONFINITE_LINE = "#c0008f"
NO_GRAD_FILL = "#ffffff"
PLAIN_LINE = "#555555"

# a grad state: one of these strings, or the index of a bin of the scale
NO_GRAD = "none"
ZERO = "zero"
NONFINITE = "nonfinite"
GradState = int | str


def magnitude(grad: Any) -> float | None:
    """The typical size of a gradient: |g| for a number, mean |g| for an array (None: no grad).

    NaN or Inf anywhere in the gradient makes the result non-finite.
    """
    if grad is None:
        return None
    if isinstance(grad, float | int):
        return abs(float(grad))
    arr = np.asarray(grad)
    if arr.size == 0:
        return 0.0
    if arr.dtype.kind not in "fc":
        arr = arr.astype(np.float64)
    return float(np.mean(np.abs(arr)))


def grad_state(mag: float | None) -> GradState:
    """The colour-scale state of a gradient magnitude."""
    if mag is None:
        return NO_GRAD
    if not math.isfinite(mag):
        return NONFINITE
    if mag == 0.0:
        return ZERO
    k = math.floor(math.log10(mag)) - FIRST_DECADE + 1
    return min(max(k, 0), len(FILLS) - 1)


def fill_colour(state: GradState) -> str:
    if state == NO_GRAD:
        return NO_GRAD_FILL
    if state == ZERO:
        return ZERO_FILL
    if state == NONFINITE:
        return NONFINITE_FILL
    return FILLS[int(state)]


def line_colour(state: GradState) -> str:
    """The darker colour of an edge or border with this state (readable on white)."""
    if state == ZERO:
        return ZERO_LINE
    if state == NONFINITE:
        return NONFINITE_LINE
    if state == NO_GRAD:
        return PLAIN_LINE
    return _darken(FILLS[int(state)], 0.55)


def edge_width(state: GradState) -> float:
    """Pen width of an edge: thicker for larger gradients, thin for none or zero."""
    if state == NONFINITE:
        return 3.0
    if isinstance(state, str):
        return 1.0
    return round(0.7 + 0.4 * state, 2)


def edge_attrs(state: GradState) -> dict[str, str]:
    attrs = {"color": line_colour(state), "penwidth": str(edge_width(state))}
    if state == ZERO:
        attrs["style"] = "dashed"
    return attrs


def bin_label(k: int) -> str:
    low = FIRST_DECADE + k - 1
    if k == 0:
        return f"&lt;1e{FIRST_DECADE}"
    if k == len(FILLS) - 1:
        return f"&#8805;1e{low}"
    return f"1e{low}"


def _darken(hex_colour: str, factor: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def legend_label(title: str, notes: list[str], show_scale: bool) -> str:
    """The graph's caption as an HTML-like label: notes (wrapped), then the colour scale.

    The scale is a table of its own inside the caption, so long notes cannot stretch its cells.
    """
    rows = [
        '<tr><td align="left" balign="left">'
        + "<br/>".join(html.escape(line) for line in textwrap.wrap(note, 110))
        + "</td></tr>"
        for note in notes
    ]
    if show_scale:
        cells = "".join(
            f'<td bgcolor="{FILLS[k]}" border="1" width="46">{bin_label(k)}</td>'
            for k in range(len(FILLS))
        )
        specials = (
            f'<td colspan="4" bgcolor="{ZERO_FILL}" border="1">exactly 0, dashed: '
            "nothing flows back</td>"
            f'<td colspan="2" bgcolor="{NONFINITE_FILL}" border="1">NaN or Inf</td>'
            f'<td colspan="4" bgcolor="{NO_GRAD_FILL}" border="1">no gradient (constant)</td>'
        )
        scale = (
            '<table border="0" cellborder="0" cellspacing="1" cellpadding="2">'
            f'<tr><td colspan="{len(FILLS)}" align="left"><b>{html.escape(title)}</b></td></tr>'
            f"<tr>{cells}</tr><tr>{specials}</tr>"
            f'<tr><td colspan="{len(FILLS)}" align="left">edge width and colour: the gradient '
            "sent back along the edge, on the same scale</td></tr></table>"
        )
        rows.append(f'<tr><td align="left">{scale}</td></tr>')
    table = '<table border="0" cellborder="0" cellspacing="0" cellpadding="2">' + "".join(rows)
    return f'<<font point-size="10">{table}</table></font>>'
