"""Loss per epoch: the training loss of every model, and overfitting as it happens (the
training loss falling while the loss on the unseen days rises) for 1 to 4 layers of ReLUs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .figures import new_figure
from .models import TABLES
from .results import Trained

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TRAIN_COLOUR, TEST_COLOUR = "tab:blue", "tab:red"
DEPTH_TABLE = TABLES[-1]  # "Layers of 100 ReLUs": 1, 2, 3 and 4 hidden layers


def loss_curves(results: dict[str, Trained], unit: str) -> Figure:
    """Training MAE after each epoch, one panel per lecture table."""
    fig = new_figure(11, 7.5)
    axes = fig.subplots(2, 2, sharey=True)
    for ax, (title, specs) in zip(axes.flat, TABLES):
        for spec in specs:
            history = results[spec.name].loss_history
            ax.plot(np.arange(1, len(history) + 1), history, label=spec.name, linewidth=1.4)
        ax.set_title(title.split(" (")[0], fontsize=10, loc="left")
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    for ax in axes[:, 0]:
        ax.set_ylabel(f"training MAE, L ({unit})")
    return fig


def lowest_test_epoch(trained: Trained) -> int:
    """The epoch (counted from 1) after which the unseen-day loss was lowest."""
    return int(np.argmin(trained.test_history)) + 1


def overfitting(results: dict[str, Trained], unit: str) -> Figure:
    """L and L' after each epoch for 1-4 layers of 100 ReLUs, the lowest L' marked, and the
    56-day linear model's final L' for reference. L' is computed for this picture only."""
    linear = results["linear 56d"].test_mae
    fig = new_figure(11, 7.2)
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    for ax, spec in zip(axes.flat, DEPTH_TABLE[1]):
        trained = results[spec.name]
        epochs = np.arange(1, len(trained.loss_history) + 1)
        ax.plot(epochs, trained.loss_history, color=TRAIN_COLOUR, label="L, training days")
        ax.plot(epochs, trained.test_history, color=TEST_COLOUR, label="L', the 45 unseen days")
        best = lowest_test_epoch(trained)
        low = trained.test_history[best - 1]
        ax.plot(best, low, "v", color=TEST_COLOUR, markersize=9, markeredgecolor="black")
        # the label sits in the gap the two curves open up as training goes on
        ax.annotate(
            f"lowest L' {low:.3f}, after epoch {best}",
            (best, low),
            xytext=(0.35, 0.5),
            textcoords="axes fraction",
            fontsize=9,
            va="center",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 0.8},
        )
        ax.axhline(
            linear, color="grey", linestyle="--", linewidth=1, label="L' of the 56-day linear model"
        )
        ax.set_title(
            f"{spec.name}: L {trained.train_mae:.3f}, L' {trained.test_mae:.3f} at the end",
            loc="left",
            fontsize=10,
        )
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=9, frameon=False, loc="upper right")
    for ax in axes[1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel(f"MAE ({unit})")
    fig.suptitle(
        "Training loss L and loss on the unseen days L' after each epoch, 1 to 4 layers of "
        "100 ReLUs (the triangle: lowest L')"
    )
    return fig
