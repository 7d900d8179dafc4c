"""Activation layers: Modules without parameters that apply a function of nn.functional."""

from __future__ import annotations

from typing import Any

from . import functional as F
from .module import Module


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x: Any) -> Any:
        return F.relu(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""

    def forward(self, x: Any) -> Any:
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x: Any) -> Any:
        return F.tanh(x)


class HardSigmoid(Module):
    """The lecture's flat-ramp-flat piece: 0 below -3, 1 above 3, x/6 + 1/2 in between
    (PyTorch's Hardsigmoid; see nn.functional.hard_sigmoid)."""

    def forward(self, x: Any) -> Any:
        return F.hard_sigmoid(x)


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = F.check_number("LeakyReLU", "negative_slope", negative_slope)

    def forward(self, x: Any) -> Any:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


# names an MLP builder accepts for its activation, compared without case and underscores
ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "hardsigmoid": HardSigmoid,
    "leakyrelu": LeakyReLU,
}
