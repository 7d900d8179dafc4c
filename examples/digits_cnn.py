"""A small convolutional network on scikit-learn's 8x8 handwritten digits, written as in PyTorch.

    Conv2d(1, 16, 3, padding=1) -> ReLU -> Conv2d(16, 32, 3, padding=1) -> ReLU -> MaxPool2d(2)
    -> Flatten -> Linear(512, 64) -> ReLU -> Linear(64, 10)

trained with Adam and a cosine learning-rate schedule on 80% of the 1,797 digits and tested on
the other 20% (at least 98% correct, in a few seconds). It writes to --out:

- digits_cnn_graph.png: the graph of the first training step's loss with its gradients, each
  layer's parameters boxed with the ops that use them (``draw_graph(..., clusters=True)``): a
  convolution is one node, labelled with its hyper-parameters;
- digits_cnn_filters.png: the first layer's 16 learned 3x3 filters, and what each one makes of
  a test digit (its feature map after ReLU).

    python examples/digits_cnn.py --out out/digits_cnn
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

# the matrices here are small: one BLAS thread is faster than two, far faster on a busy machine
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor, draw_graph, no_grad  # noqa: E402
from autograd.draw import GraphvizNotInstalledError  # noqa: E402
from nn.data import DataLoader  # noqa: E402


def load(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The digits as (N, 1, 8, 8) float32 images in [0, 1], split 80/20 at random (fixed seed)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(round(0.8 * len(y)))
    train, test = order[:cut], order[cut:]
    return x[train], y[train], x[test], y[test]


def make_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    with no_grad():
        return float((model(Tensor(x)).data.argmax(axis=1) == y).mean())


def train(model: nn.Module, data: tuple[np.ndarray, ...], epochs: int, out: Path) -> float:
    """Adam (lr 2e-3, cosine-annealed to 0) on batches of 32; draws the first step's graph.
    Returns the final test accuracy."""
    x_train, y_train, x_test, y_test = data
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=2e-3)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        total, seen = 0.0, 0
        for xb, yb in DataLoader(x_train, y_train, batch_size=32, shuffle=True):
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            first = epoch == 1 and seen == 0
            loss.backward(retain_graph=first)  # backward frees the graph unless told to keep it
            if first:
                draw(loss, model, out)  # values and gradients of the first step
            opt.step()
            total, seen = total + loss.item() * len(yb), seen + len(yb)
        schedule.step()
        test = accuracy(model, x_test, y_test)
        print(
            f"epoch {epoch:2d}  loss {total / seen:.4f}  test accuracy {test:.2%}  "
            f"({time.perf_counter() - start:.1f} s)",
            flush=True,
        )
    return test


def draw(loss: Tensor, model: nn.Module, out: Path) -> None:
    drawing = draw_graph(loss, params=model, clusters=True)
    try:
        drawing.render(out / "digits_cnn_graph", format="png", cleanup=True)
        print(f"wrote {out / 'digits_cnn_graph.png'}")
    except GraphvizNotInstalledError as err:
        print(f"no graph picture: {err}")


def plot_filters(model: nn.Sequential, digit: np.ndarray, label: int, path: Path) -> None:
    """The first convolution's filters (one colour scale, blue < 0 < red) and, under each, its
    feature map of ``digit`` after ReLU."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    conv = model[0]
    weights = conv.weight.data[:, 0]  # (16, 3, 3)
    with no_grad():
        maps = model[1](model[0](Tensor(digit[None]))).data[0]  # (16, 8, 8)
    limit = float(np.abs(weights).max())
    fig = plt.figure(figsize=(12, 6.6), layout="constrained")
    fig.suptitle(
        "First layer of the digits CNN: 16 learned 3×3 filters (rows 1-2) and their ReLU "
        f"feature maps of a test digit {label} (rows 3-4)",
        fontsize=12,
    )
    grid = fig.add_gridspec(4, 9, width_ratios=[1] * 8 + [0.9])
    for i in range(16):
        ax = fig.add_subplot(grid[i // 8, i % 8])
        shown = ax.imshow(weights[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"filter {i}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax = fig.add_subplot(grid[2 + i // 8, i % 8])
        ax.imshow(maps[i], cmap="magma", vmin=0, vmax=max(float(maps.max()), 1e-6))
        ax.set_title(f"map {i}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=[fig.axes[0]], cax=fig.add_subplot(grid[0:2, 8]), label="weight")
    ax = fig.add_subplot(grid[2:4, 8])
    ax.imshow(digit[0], cmap="gray_r")
    ax.set_title("the digit", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out/digits_cnn", help="folder for the pictures")
    parser.add_argument("--epochs", type=int, default=12, help="passes over the training set")
    parser.add_argument("--seed", type=int, default=0, help="initial weights and batch order")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    nn.init.manual_seed(args.seed)  # the initial weights
    autograd.manual_seed(args.seed)  # the DataLoader's shuffling
    data = load()
    model = make_model()
    print(f"{len(data[1])} training and {len(data[3])} test digits; the model:\n{model}")
    start = time.perf_counter()
    test = train(model, data, args.epochs, out)
    seconds = time.perf_counter() - start
    print(f"test accuracy {test:.2%} after {args.epochs} epochs in {seconds:.1f} s")
    x_test, y_test = data[2], data[3]
    plot_filters(model, x_test[0], int(y_test[0]), out / "digits_cnn_filters.png")
    return {"accuracy": test, "seconds": seconds}


if __name__ == "__main__":
    main()
