"""Batch, update and epoch in one figure: the loss of each update, per update and per epoch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .batches import EPOCHS, LR, BatchRun
from .figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLOURS = ("black", "tab:blue", "tab:orange")


def batches(runs: list[BatchRun], unit: str) -> Figure:
    """Left: each update's batch loss against the update count (log scale), the first update of
    each epoch marked. Right: the same losses placed in epochs (update k of an epoch of n updates
    at (k - 1) / n), with L on all training days before training and after each epoch."""
    fig = new_figure(12, 4.8)
    by_update, by_epoch = fig.subplots(1, 2, sharey=True)
    for run, colour in zip(runs, COLOURS):
        per_epoch = run.updates_per_epoch
        updates = np.arange(1, len(run.update_losses) + 1)
        firsts = np.arange(EPOCHS) * per_epoch  # index of each epoch's first update
        width = 0.8 if per_epoch > 10 else 1.6
        by_update.plot(updates, run.update_losses, color=colour, linewidth=width, label=run.label)
        by_update.plot(firsts + 1, run.update_losses[firsts], "o", color=colour, markersize=5)
        by_epoch.plot(
            (updates - 1) / per_epoch, run.update_losses, color=colour, linewidth=width, alpha=0.8
        )
        by_epoch.plot(
            np.arange(EPOCHS + 1),
            run.epoch_losses,
            "s",
            color=colour,
            markersize=7,
            markeredgecolor="white",
        )
    by_update.set_xscale("log")
    by_update.set_xlabel("update: one step w <- w - eta g on one batch (log scale)")
    by_update.set_ylabel(f"loss on the update's batch ({unit})")
    by_update.set_title(
        "per update: a dot marks the first update of each epoch", loc="left", fontsize=10
    )
    by_update.legend(fontsize=9, frameon=False)
    for epoch in range(EPOCHS + 1):
        by_epoch.axvline(epoch, color="grey", linewidth=0.6, linestyle=":")
    by_epoch.set_xlabel("epoch: 1 epoch = see all the batches once")
    by_epoch.set_title("per epoch: squares are L on all training days", loc="left", fontsize=10)
    for ax in (by_update, by_epoch):
        ax.grid(alpha=0.3)
    fig.suptitle(
        f"Batch, update, epoch: the 7-day linear model, plain gradient descent, eta = {LR:g}"
    )
    return fig
