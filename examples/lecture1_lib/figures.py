"""What every picture shares: a Figure made without pyplot, and how it is saved.

Figures are built with matplotlib.figure.Figure, not pyplot, so the script never switches the
backend (a notebook that imports this package keeps its inline plots) and keeps no figure alive
after saving. matplotlib is optional (the `plot` extra): importing it here raises ImportError,
which the experiment turns into a note.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

REAL, PREDICTED = "tab:red", "tab:blue"  # the lecture's colours
DPI = 110


def new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save(fig: Figure, path: Path) -> str:
    fig.savefig(path, dpi=DPI)
    return f"wrote {path}"
