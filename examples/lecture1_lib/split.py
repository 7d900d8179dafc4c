"""Cut a daily series as lecture 1 does and turn it into (past days -> next day) examples.

The lecture trains on 2017-01-01 .. 2020-12-31 (1,461 days) and scores on the next 45 days, which
are never used to train or to choose anything. We keep the last 45 days of the series for the test
and up to 1,461 days before them for training; every target needs 56 days of history before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import nn

from .series import DailySeries, DataError

HISTORY_DAYS = 56  # the longest history any model sees
TEST_DAYS = 45  # 2021-01-01 .. 2021-02-14 in the lecture
MAX_TRAIN_DAYS = 1461  # 2017-01-01 .. 2020-12-31 in the lecture
MIN_TRAIN_DAYS = 56  # below this even the 56-day linear model has more weights than examples


@dataclass(frozen=True)
class Scaling:
    """One affine map for inputs and targets alike (they are the same quantity).

    Sharing it keeps a linear model's weights unit-free: a weight fitted on scaled data is the
    weight on raw data, and only the bias needs converting back (see ``raw_bias``).
    """

    centre: float
    scale: float

    def apply(self, raw: np.ndarray) -> np.ndarray:
        return (raw - self.centre) / self.scale

    def undo(self, scaled: np.ndarray) -> np.ndarray:
        return scaled * self.scale + self.centre

    def raw_bias(self, weights: np.ndarray, bias: float) -> float:
        """The bias b of y = b + w.x on raw data, for a linear model fitted on scaled data."""
        return float(self.scale * bias + self.centre * (1.0 - np.sum(weights)))


@dataclass(frozen=True)
class LaggedData:
    """Examples for next-day prediction. Column j-1 of an ``x_*`` array is the value j days
    before the target, so the k-day models use ``x[:, :k]``. Arrays are scaled, float32."""

    x_train: np.ndarray
    y_train: np.ndarray  # shape (n, 1)
    x_test: np.ndarray
    y_test: np.ndarray
    train_days: np.ndarray  # day index of each training target
    test_days: np.ndarray
    scaling: Scaling
    scaling_days: tuple[int, int]  # first and last day whose values set the scaling


def split_as_lecture(series: DailySeries) -> LaggedData:
    """The lecture's cut: the last 45 days for the test, up to 1,461 days before for training."""
    n_days = len(series)
    needed = HISTORY_DAYS + MIN_TRAIN_DAYS + TEST_DAYS
    if n_days < needed:
        raise DataError(
            f"the series {series.column!r} covers {n_days} days; it needs at least {needed}: "
            f"{HISTORY_DAYS} days of history, {MIN_TRAIN_DAYS} days to train on "
            f"and {TEST_DAYS} days to test on"
        )
    test_start = n_days - TEST_DAYS
    train_start = max(HISTORY_DAYS, test_start - MAX_TRAIN_DAYS)
    train_days = _observed(series, train_start, test_start)
    test_days = _observed(series, test_start, n_days)
    if len(train_days) < MIN_TRAIN_DAYS or len(test_days) == 0:
        raise DataError(
            f"the series {series.column!r} has too many missing days: {len(train_days)} known "
            f"training days (need {MIN_TRAIN_DAYS}) and {len(test_days)} known test days"
        )
    # statistics from the training years only (history included): the test stays unseen
    seen = series.values[train_start - HISTORY_DAYS : test_start]
    scale = float(np.std(seen))
    if scale == 0.0:
        raise DataError(f"the series {series.column!r} is constant over its training years")
    scaling = Scaling(float(np.mean(seen)), scale)
    scaled = scaling.apply(series.values).astype(np.float32)
    # row r of x_all holds the 56 days before day r + 56, yesterday first
    x_all, y_all = nn.data.lagged_pairs(scaled, HISTORY_DAYS)
    train_rows, test_rows = train_days - HISTORY_DAYS, test_days - HISTORY_DAYS
    return LaggedData(
        x_train=x_all[train_rows],
        y_train=y_all[train_rows, None],
        x_test=x_all[test_rows],
        y_test=y_all[test_rows, None],
        train_days=train_days,
        test_days=test_days,
        scaling=scaling,
        scaling_days=(train_start - HISTORY_DAYS, test_start - 1),
    )


def _observed(series: DailySeries, start: int, stop: int) -> np.ndarray:
    days = np.arange(start, stop)
    return days[series.observed[start:stop]]
