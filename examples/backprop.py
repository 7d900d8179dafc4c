"""Backpropagation by hand and by engine: the 2-2-2-2 sigmoid network of the lecture's BP slides.

Forward pass: each neuron computes z = w . a_prev + b and a = sigmoid(z); with the slides' weights
and x = (1, -1) the activations are (0.98, 0.12), (0.86, 0.11), (0.62, 0.83), and x = (0, 0) gives
the output (0.51, 0.85). We check both against the slides.

Backward pass: dC/dz for every neuron, three ways that must agree:
- by engine: dagrad's backward() leaves dC/dz in each z's ``.grad``;
- by hand, the slides' "reverse network": dC/dz = sigmoid'(z) * (W_next^T dC/dz_next);
- by finite differences: nudge one z, run the rest of the network forward, see C move.
The slides name no cost for this example; ours is C = 1/2 ||y - t||^2 with t = (1, 0).

It also writes DIR/backprop.html: the same network's forward and backward pass step by step in
the browser (dagrad's step_through), each dC/dz with its arithmetic, as the slides write it:
dC/dz2 = sigma'(z2) (W3^T dC/dz3).

    python examples/backprop.py [--out DIR]   # draws both passes into DIR (default out/backprop)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from autograd import Tensor

# the slides' weights: rows are neurons, so z = W @ a_prev + b
WEIGHTS = [
    np.array([[1.0, -2.0], [-1.0, 1.0]]),
    np.array([[2.0, -1.0], [-2.0, -1.0]]),
    np.array([[3.0, -1.0], [-1.0, 4.0]]),
]
BIASES = [np.array([1.0, 0.0]), np.array([0.0, 0.0]), np.array([-2.0, 2.0])]
SLIDE_INPUT = np.array([1.0, -1.0])
SLIDE_ACTIVATIONS = [(0.98, 0.12), (0.86, 0.11), (0.62, 0.83)]
SLIDE_OUTPUT_AT_ZERO = (0.51, 0.85)
TARGET = np.array([1.0, 0.0])  # our choice of target for the cost: the slides give none
SLIDE_DIGITS = 2  # the slides print two decimals
FD_STEP = 1e-6
FD_TOLERANCE = 1e-7


class Network:
    """One forward pass through the slides' network, kept as dagrad Tensors (float64)."""

    def __init__(self, x: np.ndarray) -> None:
        self.weights = [Tensor(w, requires_grad=True) for w in WEIGHTS]
        self.biases = [Tensor(b, requires_grad=True) for b in BIASES]
        self.x = Tensor(x)
        self.z: list[Tensor] = []
        self.a: list[Tensor] = []
        a = self.x
        for w, b in zip(self.weights, self.biases):
            z = w @ a + b
            a = z.sigmoid()
            self.z.append(z)
            self.a.append(a)
        self.target = Tensor(TARGET)
        self.cost = ((a - self.target) ** 2).sum() * 0.5

    def names(self) -> dict[str, Tensor]:
        """The slides' names for the drawing: input, weights, biases, z and a of every layer."""
        names = {"x": self.x, "target t": self.target, "C": self.cost}
        for layer in range(len(self.weights)):
            n = layer + 1
            names[f"W{n}"], names[f"b{n}"] = self.weights[layer], self.biases[layer]
            names[f"z{n}"], names[f"a{n}"] = self.z[layer], self.a[layer]
        return names


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def cost_from_layer(layer: int, z: np.ndarray) -> float:
    """C as a function of layer ``layer``'s z alone: the rest of the forward pass, in NumPy."""
    a = sigmoid(z)
    for w, b in zip(WEIGHTS[layer + 1 :], BIASES[layer + 1 :]):
        a = sigmoid(w @ a + b)
    return float(0.5 * np.sum((a - TARGET) ** 2))


def reverse_network(zs: Sequence[np.ndarray], output: np.ndarray) -> list[np.ndarray]:
    """The slides' backward pass: start at the output, multiply by sigmoid'(z) at each neuron."""
    dc_dz = [np.zeros(2)] * len(zs)
    upstream = output - TARGET  # dC/dy for C = 1/2 ||y - t||^2
    for layer in reversed(range(len(zs))):
        s = sigmoid(zs[layer])
        dc_dz[layer] = s * (1 - s) * upstream
        upstream = WEIGHTS[layer].T @ dc_dz[layer]
    return dc_dz


def finite_differences(zs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """dC/dz for every neuron by central differences."""
    result = []
    for layer, z in enumerate(zs):
        grads = np.empty_like(z)
        for i in range(len(z)):
            step = np.zeros_like(z)
            step[i] = FD_STEP
            up, down = cost_from_layer(layer, z + step), cost_from_layer(layer, z - step)
            grads[i] = (up - down) / (2 * FD_STEP)
        result.append(grads)
    return result


def check_forward() -> bool:
    net = Network(SLIDE_INPUT)
    print("Forward pass, x = (1, -1)")
    ok = True
    for layer, (a, slide) in enumerate(zip(net.a, SLIDE_ACTIVATIONS), start=1):
        ours = tuple(np.round(a.data, SLIDE_DIGITS))
        match = ours == slide
        ok &= match
        print(
            f"  layer {layer}: a = {_pair(a.data, 4)}  slides {_pair(slide, 2)}  "
            f"{'matches' if match else 'DIFFERS'}"
        )
    out = Network(np.zeros(2)).a[-1].data
    match = tuple(np.round(out, SLIDE_DIGITS)) == SLIDE_OUTPUT_AT_ZERO
    ok &= match
    print(
        f"Forward pass, x = (0, 0): y = {_pair(out, 4)}  slides {_pair(SLIDE_OUTPUT_AT_ZERO, 2)}  "
        f"{'matches' if match else 'DIFFERS'}"
    )
    return ok


def check_backward() -> tuple[bool, Network]:
    net = Network(SLIDE_INPUT)
    net.cost.backward(retain_graph=True)  # kept for the drawings
    zs = [z.data for z in net.z]
    by_hand = reverse_network(zs, net.a[-1].data)
    numeric = finite_differences(zs)
    print(f"\nBackward pass, x = (1, -1), C = 1/2 ||y - (1, 0)||^2 = {net.cost.item():.6f}")
    print("  neuron   dC/dz by engine   by reverse network   by finite differences")
    ok = True
    for layer, z in enumerate(net.z):
        for i in range(2):
            engine = float(np.asarray(z.grad)[i])
            close = (
                abs(engine - by_hand[layer][i]) < 1e-12
                and abs(engine - numeric[layer][i]) < FD_TOLERANCE
            )
            ok &= close
            print(
                f"  z{layer + 1}[{i + 1}]   {engine:+.9f}      {by_hand[layer][i]:+.9f}         "
                f"{numeric[layer][i]:+.9f}   {'agree' if close else 'DISAGREE'}"
            )
    dc_dw = np.outer(np.asarray(net.z[0].grad), SLIDE_INPUT)
    same = bool(np.allclose(dc_dw, np.asarray(net.weights[0].grad), rtol=0, atol=1e-12))
    ok &= same
    print("\n  dC/dW1 = dC/dz1 times the input on that weight (forward pass x backward pass):")
    print(_matrix("by hand", dc_dw))
    print(_matrix("engine", np.asarray(net.weights[0].grad)))
    print(f"  {'agree' if same else 'DISAGREE'}")
    return ok, net


def draw_passes(net: Network, out: Path) -> list[str]:
    """Both passes, drawn top to bottom: the network is a chain of ten ops, which laid out left
    to right made a strip too wide to read."""
    try:
        from autograd.draw import draw_graph
    except ImportError:
        return ["drawings skipped: autograd.draw is not available"]
    import graphviz

    out.mkdir(parents=True, exist_ok=True)
    notes = []
    for direction, rankdir in (("forward", "TB"), ("backward", "BT")):
        drawing = draw_graph(net.cost, params=net.names(), direction=direction, rankdir=rankdir)
        try:
            drawing.render(out / direction, format="png", cleanup=True)
        except (graphviz.ExecutableNotFound, graphviz.CalledProcessError) as err:
            return ["drawings skipped: " + str(err)]
        notes.append(f"wrote {out / direction}.png")
    return notes


def write_step_through(out: Path) -> str:
    """The step-through page of the slides' network (x = (1, -1)), its nodes named as the slides
    name them; built inside record_sites(), so a click on a node shows the line above that made
    it. Needs no Graphviz."""
    from autograd import record_sites, step_through

    with record_sites():
        net = Network(SLIDE_INPUT)
    page = step_through(
        net.cost,
        params=net.names(),
        title="The lecture's 2-2-2-2 sigmoid network: backpropagation step by step",
    )
    path = page.save(out / "backprop.html")
    return f"wrote {path} ({page.steps} steps; open it in a browser)"


def _pair(values: Sequence[float], digits: int) -> str:
    return "(" + ", ".join(f"{v:.{digits}f}" for v in values) + ")"


def _matrix(label: str, matrix: np.ndarray) -> str:
    """A small matrix, one row per line, under a label: two of them never run together."""
    rows = ["  ".join(f"{v:+.6f}" for v in row) for row in matrix]
    return "\n".join(f"    {label if i == 0 else '':8s} [{row}]" for i, row in enumerate(rows))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out/backprop"), metavar="DIR")
    parser.add_argument(
        "--no-draw", action="store_true", help="skip the drawings and the step-through page"
    )
    args = parser.parse_args(argv)
    forward_ok = check_forward()
    backward_ok, net = check_backward()
    if not args.no_draw:
        print(write_step_through(args.out))
        for note in draw_passes(net, args.out):
            print(note)
    print("\nall checks pass" if forward_ok and backward_ok else "\nSOME CHECKS FAIL")
    return 0 if forward_ok and backward_ok else 1


if __name__ == "__main__":
    sys.exit(main())
