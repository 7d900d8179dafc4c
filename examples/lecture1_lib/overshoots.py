"""Where the deep model's predictions overshoot the unseen days, and on which weekdays: the
spikes in predictions.png, found from the numbers."""

from __future__ import annotations

from datetime import date

import numpy as np

from .results import Trained
from .series import DailySeries
from .split import LaggedData

# an overshoot: the prediction exceeds the real value by this many times the 56-day linear
# model's L' (its typical error), a miss no careful model makes
OVERSHOOT_ERRORS = 3.0


def overshoot_days(prediction: np.ndarray, real: np.ndarray, typical_error: float) -> np.ndarray:
    """Indices of the days whose prediction is too high by more than OVERSHOOT_ERRORS errors."""
    return np.flatnonzero(prediction - real > OVERSHOOT_ERRORS * typical_error)


def overshoots(series: DailySeries, data: LaggedData, results: dict[str, Trained]) -> list[str]:
    deep = min((r for r in results.values() if len(r.spec.hidden) >= 2), key=lambda r: r.test_mae)
    typical = results["linear 56d"].test_mae
    real = series.values[data.test_days]
    found = overshoot_days(deep.test_prediction, real, typical)
    limit = f"more than {OVERSHOOT_ERRORS:g} x the 56-day linear model's L' ({typical:.3f})"
    if len(found) == 0:
        return [
            f"- The deep model in predictions.png ({deep.spec.name}) overshoots no day by {limit}."
        ]
    days = [int(data.test_days[i]) for i in found]
    listed = ", ".join(f"{series.label(d)}{_weekday(series, d)}" for d in days)
    return [
        f"- The deep model in predictions.png ({deep.spec.name}) overshoots {len(days)} of the "
        f"{len(real)} unseen days by {limit}: {listed}."
    ]


def _weekday(series: DailySeries, day: int) -> str:
    if series.first_date is None:
        return ""
    return date.fromordinal(series.first_date.toordinal() + day).strftime(" (%a)")
