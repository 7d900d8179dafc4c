"""Batch, update and epoch (lecture p.44-45): the same 7-day linear model trained by plain
gradient descent on the whole training set at once and on mini-batches of two sizes.

An update is one step w <- w - eta g computed on one batch; an epoch sees every batch once. The
smaller the batch, the more updates per epoch, and the noisier each update's loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import nn
import optim
from autograd import Generator

from .split import LaggedData
from .train import mean_abs_error

DAYS = 7
EPOCHS = 8
LR = 0.03  # one step size for all three, so only the batch differs
MINI_BATCHES = (256, 32)


@dataclass(frozen=True)
class BatchRun:
    batch_size: int  # the whole training set for full-batch gradient descent
    full_batch: bool
    updates_per_epoch: int
    update_losses: np.ndarray  # the batch's loss at each update (before its step), data's units
    epoch_losses: np.ndarray  # L on all training days before training and after each epoch

    @property
    def label(self) -> str:
        kind = f"all {self.batch_size} days" if self.full_batch else f"batches of {self.batch_size}"
        per = "update" if self.updates_per_epoch == 1 else "updates"
        return f"{kind}: {self.updates_per_epoch} {per} per epoch"


def train_with_batches(data: LaggedData, batch_size: int | None, seed: int) -> BatchRun:
    """``batch_size=None`` is full-batch gradient descent."""
    x, y = data.x_train[:, :DAYS], data.y_train
    size = len(x) if batch_size is None else batch_size
    nn.init.manual_seed(seed)  # the same starting weights for every batch size
    model = nn.MLP(DAYS, [], 1)
    optimizer = optim.SGD(model.parameters(), lr=LR)
    loader = nn.data.DataLoader(
        nn.data.TensorDataset(x, y),
        batch_size=size,
        shuffle=True,
        generator=Generator().manual_seed(seed),
    )
    loss_fn = nn.L1Loss()
    scale = data.scaling.scale
    update_losses, epoch_losses = [], [scale * mean_abs_error(model, x, y)]
    for _ in range(EPOCHS):
        for x_batch, y_batch in loader:
            loss = loss_fn(model(x_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            update_losses.append(scale * loss.item())
        epoch_losses.append(scale * mean_abs_error(model, x, y))
    return BatchRun(
        batch_size=size,
        full_batch=batch_size is None,
        updates_per_epoch=len(update_losses) // EPOCHS,
        update_losses=np.array(update_losses),
        epoch_losses=np.array(epoch_losses),
    )


def batch_runs(data: LaggedData, seed: int) -> list[BatchRun]:
    sizes: list[int | None] = [None, *MINI_BATCHES]
    return [train_with_batches(data, size, seed) for size in sizes]


def describe(runs: list[BatchRun], unit: str) -> str:
    lines = [
        f"- the 7-day linear model, plain gradient descent with eta = {LR:g}, {EPOCHS} epochs "
        "(1 epoch = see all the batches once):"
    ]
    for run in runs:
        last = run.update_losses[-run.updates_per_epoch :]
        spread = (
            f"{last[0]:.3f}" if len(last) == 1 else f"between {last.min():.3f} and {last.max():.3f}"
        )
        lines.append(
            f"  - {run.label}: L {run.epoch_losses[0]:.3f} at the start, "
            f"{run.epoch_losses[1]:.3f} after 1 epoch, {run.epoch_losses[-1]:.3f} after {EPOCHS} "
            f"({unit}); the batch loss in the last epoch: {spread}"
        )
    return "\n".join(lines)
