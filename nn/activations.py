"""Activation layers: Modules without parameters that apply a function of nn.functional, with
PyTorch's names, arguments and reprs. ``inplace=True`` is accepted and computed out of place."""

from __future__ import annotations

from typing import Any

from . import functional as F
from .module import Module


class _Activation(Module):
    """An activation that takes ``inplace`` (kept for PyTorch's repr; computed out of place)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = bool(inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Activation):
    """max(x, 0)."""

    def forward(self, x: Any) -> Any:
        return F.relu(x)


class ReLU6(_Activation):
    """min(max(x, 0), 6)."""

    def forward(self, x: Any) -> Any:
        return F.relu6(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""

    def forward(self, x: Any) -> Any:
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x: Any) -> Any:
        return F.tanh(x)


class Hardsigmoid(_Activation):
    """The lecture's flat-ramp-flat piece: 0 below -3, 1 above 3, x/6 + 1/2 in between
    (see nn.functional.hard_sigmoid)."""

    def forward(self, x: Any) -> Any:
        return F.hard_sigmoid(x)


class HardSigmoid(Hardsigmoid):
    """Hardsigmoid under the lecture's spelling (it prints as HardSigmoid)."""


class Hardswish(_Activation):
    """x * relu6(x + 3) / 6."""

    def forward(self, x: Any) -> Any:
        return F.hardswish(x)


class SiLU(_Activation):
    """x * sigmoid(x)."""

    def forward(self, x: Any) -> Any:
        return F.silu(x)


class Mish(_Activation):
    """x * tanh(softplus(x))."""

    def forward(self, x: Any) -> Any:
        return F.mish(x)


class SELU(_Activation):
    def forward(self, x: Any) -> Any:
        return F.selu(x)


class LogSigmoid(Module):
    def forward(self, x: Any) -> Any:
        return F.logsigmoid(x)


class Softsign(Module):
    def forward(self, x: Any) -> Any:
        return F.softsign(x)


class LeakyReLU(_Activation):
    """x for x > 0, negative_slope * x otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.negative_slope = F.check_number("LeakyReLU", "negative_slope", negative_slope)

    def forward(self, x: Any) -> Any:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return ", ".join([f"negative_slope={self.negative_slope}", super().extra_repr()]).rstrip(
            ", "
        )


class ELU(_Activation):
    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = F.check_number("ELU", "alpha", alpha)

    def forward(self, x: Any) -> Any:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    def forward(self, x: Any) -> Any:
        return F.celu(x, self.alpha)


class GELU(Module):
    """x * Phi(x); ``approximate='tanh'`` for the tanh approximation."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU(): approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Any:
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = F.check_number("Softplus", "beta", beta)
        self.threshold = F.check_number("Softplus", "threshold", threshold)

    def forward(self, x: Any) -> Any:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(_Activation):
    """x clipped to [min_val, max_val]."""

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        super().__init__(inplace)
        low = min_val if min_value is None else min_value  # PyTorch's deprecated spellings
        high = max_val if max_value is None else max_value
        self.min_val = F.check_number("Hardtanh", "min_val", low)
        self.max_val = F.check_number("Hardtanh", "max_val", high)
        if self.min_val > self.max_val:
            raise ValueError(
                f"Hardtanh(): min_val ({self.min_val}) cannot be greater than max_val "
                f"({self.max_val})"
            )

    def forward(self, x: Any) -> Any:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else ""
        )


class _OverDim(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_OverDim):
    """softmax along ``dim``."""

    def forward(self, x: Any) -> Any:
        return F.softmax(x, self.dim)


class LogSoftmax(_OverDim):
    """log_softmax along ``dim``."""

    def forward(self, x: Any) -> Any:
        return F.log_softmax(x, self.dim)


class Softmin(_OverDim):
    """softmax(-x) along ``dim``."""

    def forward(self, x: Any) -> Any:
        return F.softmin(x, self.dim)


# names an MLP builder accepts for its activation, compared without case and underscores
ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "hardsigmoid": HardSigmoid,
    "leakyrelu": LeakyReLU,
    "gelu": GELU,
    "silu": SiLU,
    "elu": ELU,
    "selu": SELU,
    "mish": Mish,
    "softplus": Softplus,
    "relu6": ReLU6,
    "hardswish": Hardswish,
}
