"""Neuron, Layer and MLP on scalar Values: micrograd's networks, small enough to draw.

Written to micrograd's signatures and behaviour: ``MLP(2, [16, 16, 1])`` has ReLU hidden layers
and a linear output layer, weights start uniform in [-1, 1] and biases at 0, a Layer of one
neuron returns a Value (otherwise a list), ``parameters()`` is a list of Values and
``zero_grad()`` sets their grads to 0.0. The classes are nn.Modules as well, so
``named_parameters()``, ``state_dict()`` and ``nn.save`` work on them, and any optimizer that
takes Values trains them.

Beyond micrograd: the nonlinearity can be "relu", "sigmoid", "tanh" or "linear", and the
initial weights come from a seedable generator (nn.init's shared one unless ``generator=``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Value, value_dot

from . import init
from .functional_checks import is_int
from .module import Module

NONLINEARITIES: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "linear": None,
}


def _nonlinearity(nonlin: bool | str) -> str:
    """micrograd's ``nonlin`` flag (True: ReLU, False: linear) or one of NONLINEARITIES."""
    if nonlin is True:
        return "relu"
    if nonlin is False:
        return "linear"
    if isinstance(nonlin, str) and nonlin.lower() in NONLINEARITIES:
        return nonlin.lower()
    raise ValueError(
        f"nonlin must be True, False or one of {', '.join(NONLINEARITIES)}, got {nonlin!r}"
    )


class Neuron(Module):
    """w . x + b followed by the nonlinearity; ``nin`` inputs. The weighted sum is one
    ``value_dot`` node (micrograd builds 2 * nin nodes for it: the same number, several times
    slower to build and walk)."""

    def __init__(
        self, nin: int, nonlin: bool | str = True, generator: np.random.Generator | None = None
    ) -> None:
        super().__init__()
        if not is_int(nin) or nin < 1:
            raise ValueError(f"Neuron(): nin must be a positive integer, got {nin!r}")
        rng = init.get_generator() if generator is None else generator
        self.w = [Value(float(w)) for w in rng.uniform(-1.0, 1.0, nin)]
        self.b = Value(0.0)
        self.nonlin = _nonlinearity(nonlin)
        self._activate = NONLINEARITIES[self.nonlin]

    def forward(self, x: Sequence[Any]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron({len(self.w)}) got {len(x)} inputs")
        act = value_dot(self.w, x, self.b)  # b + w_1 x_1 + ... as one node, micrograd's order
        return act if self._activate is None else self._activate(act)

    def __repr__(self) -> str:
        kind = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "linear": "Linear"}
        return f"{kind[self.nonlin]}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that see the same ``nin`` inputs."""

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool | str = True,
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if not is_int(nout) or nout < 1:
            raise ValueError(f"Layer(): nout must be a positive integer, got {nout!r}")
        self.neurons = [Neuron(nin, nonlin, generator) for _ in range(nout)]

    def forward(self, x: Sequence[Any]) -> Value | list[Value]:
        out = [neuron(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(repr(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of widths ``nouts`` on ``nin`` inputs: ``activation`` after every hidden layer,
    ``output_activation`` after the last (micrograd: "relu" and "linear")."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        generator: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if isinstance(nouts, (int, str)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(
                f"MLP(): nouts must be a non-empty list of layer widths, e.g. [16, 16, 1], "
                f"got {nouts!r}"
            )
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < last else output_activation, generator)
            for i in range(len(nouts))
        ]

    def forward(self, x: Any) -> Value | list[Value]:
        if isinstance(x, (Value, numbers.Real)):
            x = [x]  # one input, given bare
        for layer in self.layers:
            x = layer(x)
            if not isinstance(x, list):
                x = [x]
        return x[0] if len(x) == 1 else x

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(repr(layer) for layer in self.layers)}]"
