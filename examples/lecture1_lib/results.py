"""What training one model produced, in the units of the data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import nn

from .models import ModelSpec


@dataclass
class Trained:
    spec: ModelSpec
    model: nn.Module  # trained on scaled data (see split.Scaling)
    train_mae: float  # L: mean absolute error over the training days, in the data's units
    test_mae: float  # L': the same over the 45 unseen days
    test_prediction: np.ndarray  # one value per test day, in the data's units
    loss_history: list[float]  # L after each epoch, in the data's units
    # L' after each epoch: drawn to show overfitting as it happens, never used to stop or choose
    test_history: list[float]
    seconds: float
    # (b, w) of y = b + w . x on unscaled data, for the linear models only
    linear: tuple[float, np.ndarray] | None = None
