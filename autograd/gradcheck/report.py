"""The report gradcheck raises: what failed, where, by how much, the worst first."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..graph import Node
from ..value import Value

SHOWN_ROWS = 8  # the report lists the worst few; the rest are counted


@dataclass(frozen=True)
class Mismatch:
    """One derivative that failed the check."""

    output: str  # "output 0", or for gradgradcheck "grad of input 0"
    input: int
    index: tuple[int, ...] | None  # None: the random direction of fast mode
    analytic: float
    numeric: float
    tolerance: float
    note: str = ""

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(abs(self.numeric), 1e-300)

    @property
    def severity(self) -> float:
        """How many tolerances apart the two derivatives are (inf when either is not finite)."""
        err = self.abs_error
        return err / self.tolerance if math.isfinite(err) else math.inf


@dataclass(frozen=True)
class Kink:
    """A point where the function is not differentiable along one element (or direction)."""

    output: str
    input: int
    index: tuple[int, ...] | None
    left: float
    right: float
    analytic: float


def describe(out: Node) -> str:
    if isinstance(out, Value):
        return "a Value"
    return f"a Tensor of shape {tuple(out.data.shape)}"


def _num(x: float) -> str:
    return f"{x + 0.0:.6g}"  # + 0.0 turns -0.0 into 0.0


def _where(index: tuple[int, ...] | None) -> str:
    return "random direction" if index is None else str(index)


def intro_lines(
    outs: list[Node],
    labels: list[str],
    shapes: list[Any],
    seed: int,
    eps: float,
    atol: float,
    rtol: float,
    fast: bool,
    subject: str,
) -> list[str]:
    method = (
        "one random direction through all inputs at once (fast mode)"
        if fast
        else "element by element"
    )
    lines = [
        f"checked: {subject or 'the gradient of fn'}",
        f"method: {method}, central differences with eps={eps:g}; an entry passes when",
        f"  |analytic - numeric| <= atol + rtol*|numeric| with atol={atol:g}, rtol={rtol:g}",
    ]
    for out, label, shape in zip(outs, labels, shapes):
        if shape is not None and math.prod(shape) != 1:
            lines.append(
                f"{label} ({describe(out)}) enters as sum(w * {label}), w random (seed={seed})"
            )
    return lines


def failure_report(
    intro: list[str],
    mismatches: list[Mismatch],
    kinks: list[Kink],
    total: int,
    fast: bool,
    several_outputs: bool,
) -> str:
    head = ["input", "element", "analytic", "numeric", "abs error", "rel error", ""]
    if several_outputs:
        head.insert(0, "of")
    rows = [head]
    for m in mismatches[:SHOWN_ROWS]:
        row = [
            f"input {m.input}" if not fast else "all inputs",
            _where(m.index),
            _num(m.analytic),
            _num(m.numeric),
            f"{m.abs_error:.2e}",
            f"{m.rel_error:.2e}",
            m.note,
        ]
        if several_outputs:
            row.insert(0, m.output)
        rows.append(row)
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    table = ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    if fast:
        summary = "the directional derivative disagrees with finite differences"
    else:
        verb = "disagrees" if len(mismatches) == 1 else "disagree"
        summary = f"{len(mismatches)} of {total} derivatives {verb} with finite differences"
    lines = [f"gradcheck failed: {summary}"]
    lines += ["  " + line for line in intro]
    lines.append("worst first:")
    lines += table
    if len(mismatches) > SHOWN_ROWS:
        lines.append(f"  ... and {len(mismatches) - SHOWN_ROWS} more")
    if fast:
        lines.append("run with fast=False to find the elements that are wrong")
    if kinks:
        lines.append(kinks_text(kinks, header=False))
    return "\n".join(lines)


def kinks_text(kinks: list[Kink], header: bool) -> str:
    lines = [
        "gradcheck: fn is not differentiable at these points: the one-sided derivatives (of the "
        "weighted sum, for a non-scalar output) disagree, and the analytic gradient lies between "
        "them, so they are not counted as errors:"
        if header
        else "not differentiable here (not counted as errors):"
    ]
    for kink in kinks[:SHOWN_ROWS]:
        lines.append(
            f"  {kink.output}, input {kink.input}, element {_where(kink.index)}: "
            f"from the left {_num(kink.left)}, from the right {_num(kink.right)}, "
            f"analytic {_num(kink.analytic)}"
        )
    if len(kinks) > SHOWN_ROWS:
        lines.append(f"  ... and {len(kinks) - SHOWN_ROWS} more")
    return "\n".join(lines)
