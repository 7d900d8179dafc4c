"""The pictures: real vs predicted on the unseen days, and the training-loss curves.

matplotlib is optional (the `plot` extra): without it the run prints a note and writes no PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .models import TABLES
from .results import Trained
from .series import DailySeries

if TYPE_CHECKING:
    from matplotlib.axes import Axes

REAL, PREDICTED = "tab:red", "tab:blue"  # the lecture's colours
VIEW_TICKS = (0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200)  # thousands of views, on a log axis


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    return plt


def predictions(
    series: DailySeries,
    test_days: np.ndarray,
    panels: list[tuple[str, Trained]],
    unit: str,
    path: Path,
    log_views: bool,
) -> None:
    """One panel per (title, model): the real values in red, the model's predictions in blue."""
    plt = _pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 3.6 * len(panels)), sharex=True)
    axes = np.atleast_1d(axes)
    when = _x_axis(series, test_days)
    real = series.values[test_days]
    for ax, (title, trained) in zip(axes, panels):
        ax.plot(when, real, color=REAL, marker="o", markersize=3.5, label="real")
        ax.plot(
            when,
            trained.test_prediction,
            color=PREDICTED,
            marker="o",
            markersize=3.5,
            label="predicted",
        )
        ax.set_title(
            f"{title}: {trained.spec.name}, L' = {trained.test_mae:.3f} on these days",
            loc="left",
            fontsize=11,
        )
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", frameon=False)
        if log_views:
            _views_axis(ax)
    if series.first_date is not None:
        fig.autofmt_xdate()
    axes[-1].set_xlabel("the unseen days (never used for training or for choosing)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def loss_curves(results: dict[str, Trained], unit: str, path: Path) -> None:
    """Training MAE after each epoch, one panel per lecture table."""
    plt = _pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharey=True)
    for ax, (title, specs) in zip(axes.flat, TABLES):
        for spec in specs:
            history = results[spec.name].loss_history
            ax.plot(np.arange(1, len(history) + 1), history, label=spec.name, linewidth=1.4)
        ax.set_title(title.split(" (")[0], fontsize=10, loc="left", wrap=True)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    for ax in axes[:, 0]:
        ax.set_ylabel(f"training MAE, L ({unit})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _x_axis(series: DailySeries, days: np.ndarray) -> Any:
    if series.first_date is None:
        return days
    first = np.datetime64(series.first_date.isoformat(), "D")
    return first + days.astype("timedelta64[D]")


def _views_axis(ax: Axes) -> None:
    """A right-hand axis in thousands of views for a series of natural-log views."""
    right = ax.secondary_yaxis(
        "right",
        functions=(lambda v: np.exp(v) / 1000, lambda k: np.log(np.maximum(k, 1e-9) * 1000)),
    )
    right.set_yticks(VIEW_TICKS, [f"{k:g}" for k in VIEW_TICKS])
    right.set_ylabel("views (thousands)")
