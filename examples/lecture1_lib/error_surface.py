"""The lecture's error surface: the loss L(w, b) of the 1-day model y = b + w x over a grid of
(w, b), and plain gradient descent walking on it, with its gradients from dagrad's backward.

Everything here is in the scaled units the models train in (split.Scaling): w is the same number
on raw data, b is in standard deviations of the series, and losses are converted back to the
data's units for display.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograd import Tensor

from .split import LaggedData

# One start far from the minimum, and three learning rates that show the lecture's point on
# scaled data (mean 0, standard deviation 1): the MAE's gradient has size <= about 1 whatever
# the data, so these behave alike on any series the script reads.
START = (-0.5, 1.0)
STEPS = 50
ETAS = {"too small": 0.005, "good": 0.1, "too large": 1.5}
W_RANGE, B_RANGE = (-1.0, 2.0), (-1.5, 1.5)
GRID_POINTS = 241


@dataclass(frozen=True)
class Surface:
    w: np.ndarray  # grid columns
    b: np.ndarray  # grid rows
    loss: np.ndarray  # loss[i, j] = L(w[j], b[i]), in the data's units
    best: tuple[float, float, float]  # (w, b, L) at the grid's lowest point


@dataclass(frozen=True)
class DescentPath:
    label: str  # "too small", "good", "too large"
    eta: float
    points: np.ndarray  # (steps + 1, 2): (w, b) before each step and after the last
    losses: np.ndarray  # L at each point, in the data's units

    @property
    def rises(self) -> int:
        """Steps after which the loss went up: 0 for a steady descent, many for oscillation."""
        return int(np.sum(np.diff(self.losses) > 0))


def one_day_data(data: LaggedData) -> tuple[np.ndarray, np.ndarray]:
    """Yesterday's value and today's, over the training days, as float64 vectors."""
    return data.x_train[:, 0].astype(np.float64), data.y_train[:, 0].astype(np.float64)


def surface(data: LaggedData, points: int = GRID_POINTS) -> Surface:
    """L(w, b) on a grid, one row of b at a time (a full (b, w, day) cube would take 0.5 GB)."""
    x, y = one_day_data(data)
    w = np.linspace(*W_RANGE, points)
    b = np.linspace(*B_RANGE, points)
    residual = y[None, :] - w[:, None] * x[None, :]  # (w, day)
    loss = np.stack([np.mean(np.abs(residual - b_i), axis=1) for b_i in b])
    loss *= data.scaling.scale
    i, j = np.unravel_index(int(np.argmin(loss)), loss.shape)
    return Surface(w, b, loss, (float(w[j]), float(b[i]), float(loss[i, j])))


def descend(data: LaggedData, eta: float, label: str = "", steps: int = STEPS) -> DescentPath:
    """Plain gradient descent on the MAE, as the lecture writes it:
    w <- w - eta dL/dw, b <- b - eta dL/db, the gradients from loss.backward()."""
    x_raw, y_raw = one_day_data(data)
    x, y = Tensor(x_raw), Tensor(y_raw)
    w = Tensor(np.array(START[0]), requires_grad=True)
    b = Tensor(np.array(START[1]), requires_grad=True)
    points, losses = [], []
    for step in range(steps + 1):
        loss = (y - (w * x + b)).abs().mean()
        points.append((float(w.data), float(b.data)))
        losses.append(loss.item())
        if step == steps:
            break
        w.grad = b.grad = None
        loss.backward()
        w.data = w.data - eta * w.grad
        b.data = b.data - eta * b.grad
    return DescentPath(label, eta, np.array(points), data.scaling.scale * np.array(losses))


def descents(data: LaggedData) -> list[DescentPath]:
    return [descend(data, eta, label) for label, eta in ETAS.items()]


def describe(found: Surface, paths: list[DescentPath], unit: str) -> str:
    """The numbers behind the picture, for the report."""
    w, b, best = found.best
    lines = [
        f"- the 1-day model's error surface: lowest L = {best:.3f} {unit} at w = {w:.2f}, "
        f"b = {b:.2f} (b in standard deviations of the series; the data are scaled)",
        f"- plain gradient descent from (w, b) = {START}, {STEPS} steps:",
    ]
    for path in paths:
        rises = f"it rose at {path.rises} of the steps" if path.rises else "it never rose"
        lines.append(
            f"  - eta = {path.eta:g} ({path.label}): L {path.losses[0]:.3f} -> "
            f"{path.losses[-1]:.3f}; {rises}"
        )
    return "\n".join(lines)
