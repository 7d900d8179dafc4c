"""Real vs predicted views on the unseen days, one panel per model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .figures import PREDICTED, REAL, new_figure
from .results import Trained
from .series import DailySeries

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

VIEW_TICKS = (0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200)  # thousands of views, on a log axis


def predictions(
    series: DailySeries,
    test_days: np.ndarray,
    panels: list[tuple[str, Trained]],
    unit: str,
    log_views: bool,
) -> Figure:
    """One panel per (title, model): the real values in red, the model's predictions in blue."""
    fig = new_figure(10, 3.1 * len(panels) + 0.6)
    axes = np.atleast_1d(fig.subplots(len(panels), 1, sharex=True, sharey=True))
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
            f"{title}: {trained.spec.name}, L' = {trained.test_mae:.3f}", loc="left", fontsize=11
        )
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", frameon=False)
        if log_views:
            _views_axis(ax)
    if series.first_date is not None:
        for label in axes[-1].get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
    axes[-1].set_xlabel("the unseen days (never used for training or for choosing)")
    return fig


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
