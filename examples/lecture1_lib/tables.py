"""The lecture's tables with our numbers beside its own, as Markdown (readable in a terminal)."""

from __future__ import annotations

from collections.abc import Sequence

from .lecture import LECTURE_MAE, LECTURE_WEIGHTS
from .models import TABLES
from .results import Trained


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table with padded columns; the first column is left-aligned, the rest right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(["-" * (widths[0] + 2)] + ["-" * (w + 1) + ":" for w in widths[1:]])
    return "\n".join([line(header), rule + "|", *(line(row) for row in rows)])


def loss_tables(results: dict[str, Trained], unit: str) -> str:
    """One table per lecture table: the lecture's L and L' (k views), then ours (in ``unit``)."""
    blocks = []
    for title, specs in TABLES:
        names = [spec.name for spec in specs]
        lecture = [LECTURE_MAE.get(name) for name in names]
        rows = [
            ["lecture L (k views)", *(_k(pair[0]) if pair else "-" for pair in lecture)],
            ["lecture L'", *(_k(pair[1]) if pair else "-" for pair in lecture)],
            [f"ours L ({unit})", *(f"{results[name].train_mae:.3f}" for name in names)],
            ["ours L'", *(f"{results[name].test_mae:.3f}" for name in names)],
        ]
        blocks.append(f"### {title}\n\n" + markdown_table(["", *names], rows))
    return "\n\n".join(blocks)


def weight_tables(results: dict[str, Trained], unit: str) -> str:
    """The 1-day and 7-day linear models' parameters beside the lecture's."""
    blocks = []
    for name, (lecture_bias, lecture_weights) in LECTURE_WEIGHTS.items():
        linear = results[name].linear
        if linear is None:
            raise ValueError(f"{name} has no linear parameters")
        bias, weights = linear
        header = ["", "b", *(f"w{j}" for j in range(1, len(weights) + 1))]
        rows = [
            ["lecture", _k(lecture_bias), *(f"{w:.2f}" for w in lecture_weights)],
            [f"ours (b in {unit})", f"{bias:.2f}", *(f"{w:.2f}" for w in weights)],
        ]
        blocks.append(f"### {name}: y = b + w1 x1 + ...\n\n" + markdown_table(header, rows))
    return "\n\n".join(blocks)


def _k(value: float) -> str:
    return f"{value:.2f}k"
