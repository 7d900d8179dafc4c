"""Lecture 1, p.24-29: any continuous curve is a constant plus a sum of hard sigmoids, and a hard
sigmoid is close to a sigmoid c * sigmoid(b + w x). So y = b + sum_i c_i h(b_i + w_i x) with
enough pieces fits the curve, whether h is the hard sigmoid (flat-ramp-flat) or the sigmoid.
And (p.47-48) two ReLUs make one hard sigmoid: max(0, x + 3)/6 - max(0, x - 3)/6 rises from 0
to 1 between -3 and 3 and is flat elsewhere, which is why ReLU networks can do the same.

We fit that model with dagrad for 1, 2, 4, 8 and 16 pieces of each kind and plot the fit
improving as pieces are added. The model is a one-hidden-layer network, Linear(1, n) -> h ->
Linear(n, 1), trained by Adam on the mean squared error over the whole curve.

    python examples/piecewise.py [--out DIR]   # writes DIR/piecewise.png (default out/piecewise)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from lecture1_lib.progress import progress_bar

import nn
import optim
from autograd import Tensor, no_grad

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PIECES = (1, 2, 4, 8, 16)
KINDS = {"hard sigmoid": nn.HardSigmoid, "sigmoid": nn.Sigmoid}
X_RANGE = (-3.0, 3.0)
STEPS = 1500
LR = 0.05


def two_relus(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lecture's two ReLUs, c max(0, b + w x) and c' max(0, b' + w x) with c = 1/6, b = 3,
    c' = -1/6, b' = -3 and w = 1, and their sum: the hard sigmoid (PyTorch's Hardsigmoid,
    nn.HardSigmoid). Computed with dagrad's relu."""
    t = Tensor(x)
    first = (t + 3.0).relu() * (1.0 / 6.0)
    second = (t - 3.0).relu() * (-1.0 / 6.0)
    return first.data, second.data, (first + second).data


def curve(x: np.ndarray) -> np.ndarray:
    """The curve to approximate: a few bends on a rising trend, like the lecture's red curve."""
    return np.sin(2.5 * x) + 0.4 * x


def make_model(pieces: int, kind: str, seed: int) -> nn.Sequential:
    """Start each piece's ramp at its own place across the x range, with a random direction:
    pieces stacked at one spot would learn the same thing (PyTorch's default start puts all
    ramps near x = 0)."""
    rng = np.random.default_rng(seed)
    ramp = KINDS[kind]()
    model = nn.Sequential(
        nn.Linear(1, pieces, dtype=np.float64), ramp, nn.Linear(pieces, 1, dtype=np.float64)
    )
    lo, hi = X_RANGE
    centres = lo + (hi - lo) * (np.arange(pieces) + 0.5) / pieces
    slopes = rng.choice([-1.0, 1.0], pieces) * 2.0 * pieces / (hi - lo) * 3
    first = model[0]
    first.weight.data[:] = slopes[:, None]
    # centre the ramp: hard sigmoid and sigmoid both turn at input 0
    first.bias.data[:] = -slopes * centres
    return model


def fit(pieces: int, kind: str, x: np.ndarray, y: np.ndarray, seed: int) -> tuple[nn.Module, float]:
    model = make_model(pieces, kind, seed)
    optimizer = optim.Adam(model.parameters(), lr=LR)
    # a shrinking step lets the many-piece fits settle instead of hovering near the optimum
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=STEPS)
    loss_fn = nn.MSELoss()
    inputs, targets = Tensor(x[:, None]), Tensor(y[:, None])
    for _ in range(STEPS):
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    with no_grad():
        final = float(loss_fn(model(inputs), targets).item())
    return model, final


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    with no_grad():
        return np.asarray(model(Tensor(x[:, None])).data).ravel()


def plot(
    x: np.ndarray, y: np.ndarray, fits: dict[str, list[tuple[int, nn.Module, float]]], path: Path
) -> Figure:
    """Two ReLUs making a hard sigmoid, the fits of each kind, and their errors; saved to
    ``path`` and returned."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 9), layout="constrained")
    relus, *kinds, errors = fig.subplots(2, 2).flat
    draw_two_relus(relus)
    shades = colormaps["viridis"](np.linspace(0.0, 0.85, len(PIECES)))
    for ax, (kind, results) in zip(kinds, fits.items()):
        ax.plot(x, y, color="tab:red", linewidth=4, alpha=0.45, label="the curve")
        for colour, (pieces, model, _) in zip(shades, results):
            ax.plot(
                x,
                predict(model, x),
                color=colour,
                linewidth=1.3,
                label=f"constant + {pieces} {kind}{'s' if pieces > 1 else ''}",
            )
        ax.set_title(f"the curve fitted with {kind}s", loc="left")
        ax.set_xlabel("x")
        ax.legend(fontsize=8, frameon=False, loc="upper left", ncol=2)
        ax.grid(alpha=0.3)
    for kind, results in fits.items():
        errors.plot([p for p, _, _ in results], [e for _, _, e in results], marker="o", label=kind)
    errors.set_xscale("log", base=2)
    errors.set_yscale("log")
    errors.set_xticks(PIECES, [str(p) for p in PIECES])
    errors.set_xlabel("pieces")
    errors.set_ylabel("mean squared error")
    errors.set_title("the fit improves as pieces are added", loc="left")
    errors.legend(frameon=False)
    errors.grid(alpha=0.3, which="both")
    fig.savefig(path, dpi=100)
    return fig


def draw_two_relus(ax: Any) -> None:
    x = np.linspace(-6.0, 6.0, 241)
    first, second, total = two_relus(x)
    ax.plot(x, first, "--", color="tab:orange", linewidth=1.8, label="max(0, x + 3) / 6")
    ax.plot(x, second, "--", color="tab:green", linewidth=1.8, label="-max(0, x - 3) / 6")
    ax.plot(x, total, color="black", linewidth=2.6, label="their sum: a hard sigmoid")
    ax.axhline(0.0, color="grey", linewidth=0.6)
    ax.set_ylim(-0.8, 1.6)
    ax.set_title("two ReLUs make one hard sigmoid", loc="left")
    ax.set_xlabel("x")
    ax.legend(fontsize=9, frameon=False, loc="upper left")
    ax.grid(alpha=0.3)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out/piecewise"), metavar="DIR")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    x = np.linspace(*X_RANGE, 241)
    y = curve(x)
    fits: dict[str, list[tuple[int, nn.Module, float]]] = {}
    bar = progress_bar(len(KINDS) * len(PIECES), unit="fit", what="fitting")
    for kind in KINDS:
        fits[kind] = []
        for pieces in PIECES:
            bar.set_description(f"{pieces} {kind}")
            fits[kind].append((pieces, *fit(pieces, kind, x, y, args.seed)))
            bar.update(1)
    bar.close()
    print("mean squared error of the fit")
    print("pieces  " + "  ".join(f"{kind:>12}" for kind in KINDS))
    for row, pieces in enumerate(PIECES):
        print(f"{pieces:6d}  " + "  ".join(f"{fits[k][row][2]:12.5f}" for k in KINDS))
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        plot(x, y, fits, args.out / "piecewise.png")
        print(f"wrote {args.out / 'piecewise.png'}")
    except ImportError:
        print("plot skipped: matplotlib is not installed (pip install 'dagrad[plot]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
