"""Vanishing gradients, seen: a deep sigmoid network against the same network with ReLU.

Both networks have the same 10 hidden layers, the same He-normal starting weights (drawn from one
seed) and train on the same synthetic regression task with plain gradient descent, written out
below. Backpropagation multiplies the gradient by sigmoid'(z) <= 0.25 at every sigmoid layer, so
by the input layer it has shrunk by orders of magnitude; ReLU passes it on unchanged where a unit
is active. The chart of mean and max |grad| per layer at the start of training shows exactly
that, and the loss after training shows what it costs: the sigmoid network barely learns.

    python examples/gradient_flow.py --out out/

writes gradient_flow.png (the chart) and, when Graphviz's `dot` is installed, graph_sigmoid.png
and graph_relu.png (the networks' graphs coloured by gradient size).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import nn
from autograd import Tensor
from autograd.draw import GraphvizNotInstalledError, draw_graph
from nn.gradient_flow import gradient_stats, plot_gradient_flow


def make_network(layers: int, width: int, activation: str, seed: int) -> nn.MLP:
    """nn.MLP(2, [width] * layers, 1) with He-normal weights and zero biases, the usual start for
    ReLU networks; the same seed gives both activations the very same weights."""
    model = nn.MLP(2, [width] * layers, 1, activation=activation)
    rng = np.random.default_rng(seed)
    for name, param in model.named_parameters():
        assert isinstance(param, Tensor)  # a Module's parameters are Tensors
        if name.endswith("weight"):
            nn.init.kaiming_normal_(param, nonlinearity="relu", generator=rng)
        else:
            nn.init.zeros_(param)
    return model


def synthetic_data(n: int, seed: int) -> tuple[Tensor, Tensor]:
    """A smooth 2-D surface to regress: y = sin(3 x1) cos(2 x2)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 2)).astype(np.float32)
    y = (np.sin(3 * x[:, :1]) * np.cos(2 * x[:, 1:])).astype(np.float32)
    return Tensor(x), Tensor(y)


def train(
    model: nn.MLP, x: Tensor, y: Tensor, steps: int, lr: float, log_every: int = 50
) -> Tensor:
    """Full-batch gradient descent, w <- w - lr * dL/dw, on the mean squared error, logging
    every ``log_every`` steps and the last. Returns the loss after ``steps`` updates with its
    gradients computed but not applied (its graph kept, for drawing)."""
    for step in range(steps + 1):
        loss = ((model(x) - y) ** 2).mean()
        model.zero_grad()
        loss.backward(retain_graph=step == steps)  # the last graph is drawn
        if log_every and (step % log_every == 0 or step == steps):
            print(f"  step {step:4d}  MSE {loss.item():.4f}")
        if step == steps:
            return loss
        for param in model.parameters():
            param.data -= lr * param.grad
    raise AssertionError("unreachable")


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="folder for the PNGs (default: out/)")
    parser.add_argument("--layers", type=int, default=10, help="hidden layers (default: 10)")
    parser.add_argument("--width", type=int, default=32, help="units per hidden layer")
    parser.add_argument("--steps", type=int, default=200, help="gradient descent steps")
    parser.add_argument("--lr", type=float, default=0.05, help="learning rate")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise SystemExit("this example draws with matplotlib: pip install matplotlib") from None

    x, y = synthetic_data(256, args.seed)

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    panels = dict(zip(("sigmoid", "relu"), fig.subplots(1, 2, sharey=True)))
    colours = {"sigmoid": "#c0392b", "relu": "#2a7ab0"}
    nets, losses = {}, {}
    for activation, ax in panels.items():
        print(f"{activation}:")
        model = nets[activation] = make_network(args.layers, args.width, activation, args.seed)
        start = train(model, x, y, steps=0, lr=args.lr, log_every=0)  # the gradients at start
        plot_gradient_flow(model, ax=ax, weights_only=True, color=colours[activation])
        losses[activation] = train(model, x, y, args.steps, args.lr)
        ax.set_title(
            f"{args.layers} hidden {activation} layers\nMSE {start.item():.3f} at the start, "
            f"{losses[activation].item():.3f} after {args.steps} steps",
            fontsize=10,
        )
    fig.suptitle("Gradient flow per layer at the start of training: sigmoid's gradients vanish")
    fig.savefig(out / "gradient_flow.png", dpi=110)
    print(f"wrote {out / 'gradient_flow.png'}")

    for activation in ("sigmoid", "relu"):
        first, last = (gradient_stats(nets[activation], weights_only=True)[k] for k in (0, -1))
        print(
            f"  {activation:7s} after training, mean |grad|: input layer {first.mean_abs:.2e}, "
            f"output layer {last.mean_abs:.2e}"
        )
        drawing = draw_graph(losses[activation], params=nets[activation])
        try:
            drawing.render(out / f"graph_{activation}", format="png", cleanup=True)
            print(f"wrote {out / f'graph_{activation}.png'}")
        except GraphvizNotInstalledError as err:
            print(f"skipped the graph drawings: {err}")
            break
    return {a: loss.item() for a, loss in losses.items()}


if __name__ == "__main__":
    main()
