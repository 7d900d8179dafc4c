"""A first taste of dagrad: fit the curve y = sin(x) on [-3, 3] with one hidden layer of ReLUs.

200 points of the curve, a network y = b2 + w2 . relu(b1 + w1 x) with 32 hidden units, and the
lecture's three steps written out with Tensor ops: the function with unknown parameters, the
loss (mean squared error), and plain gradient descent w <- w - lr dL/dw with the gradients from
loss.backward().

    python examples/quickstart.py [--out DIR]   # prints the loss, draws DIR/quickstart.png
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from autograd import Tensor, no_grad

HIDDEN = 32
STEPS = 2000
LR = 0.03


def main(argv: Sequence[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"), metavar="DIR")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"fitting y = sin(x) on [-3, 3] with {HIDDEN} ReLUs, {STEPS} steps of gradient descent")

    rng = np.random.default_rng(args.seed)
    x = np.linspace(-3.0, 3.0, 200).reshape(-1, 1)
    y = np.sin(x)
    # step 1: the function with unknown parameters; each ReLU's kink starts somewhere in [-3, 3]
    w1 = Tensor(rng.normal(0.0, 1.0, (1, HIDDEN)), requires_grad=True)
    b1 = Tensor(rng.uniform(-3.0, 3.0, HIDDEN), requires_grad=True)
    w2 = Tensor(rng.normal(0.0, 1.0 / HIDDEN**0.5, (HIDDEN, 1)), requires_grad=True)
    b2 = Tensor(np.zeros(1), requires_grad=True)
    params = [w1, b1, w2, b2]
    inputs = Tensor(x)
    for step in range(STEPS + 1):
        prediction = (inputs @ w1 + b1).relu() @ w2 + b2
        loss = ((prediction - y) ** 2).mean()  # step 2: the loss
        if step % 400 == 0 or step == STEPS:
            print(f"step {step:4d}  mean squared error {loss.item():.5f}")
        if step == STEPS:
            break
        for p in params:  # step 3: optimization
            p.grad = None
        loss.backward()
        with no_grad():  # PyTorch's way: the update is not part of the graph
            for p in params:
                if p.grad is not None:  # (every parameter here has one after backward)
                    p -= LR * p.grad
    print(f"typical error at the end: {np.mean(np.abs(prediction.data - y)):.3f} (mean |error|)")
    draw(x, y, prediction.data, args.out / "quickstart.png")
    return loss.item()


def draw(x: np.ndarray, y: np.ndarray, fitted: np.ndarray, path: Path) -> None:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("picture skipped: matplotlib is not installed (pip install 'dagrad[plot]')")
        return
    fig = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(x, y, color="tab:red", linewidth=4, alpha=0.45, label="y = sin(x), the target")
    ax.plot(x, fitted, color="tab:blue", linewidth=1.5, label=f"the network, {HIDDEN} ReLUs")
    ax.set_xlabel("x")
    ax.set_title(f"quickstart.py: the fit after {STEPS} steps", loc="left")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
