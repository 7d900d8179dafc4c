"""Weight initialisation, with PyTorch's formulas.

Every function fills ``tensor.data`` in place (keeping its dtype) and returns the tensor. Random
numbers come from ``generator`` when given (an ``autograd.Generator`` or a NumPy Generator), else
from autograd's one shared generator, the one ``rand``/``randn``, Dropout and DataLoader shuffling
use: ``autograd.manual_seed(n)`` (or its alias here, ``nn.init.manual_seed(n)``) makes the initial
weights, and the rest of a run, repeat exactly.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from autograd import Tensor
from autograd import random as _random

_GAINS = {
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": math.sqrt(2.0),
    "selu": 0.75,
}


def manual_seed(seed: int) -> np.random.Generator:
    """``autograd.manual_seed(seed)``: reset the one shared generator; returns its NumPy
    generator (kept for code written when nn.init had a generator of its own)."""
    _random.manual_seed(seed)
    return _random.rng()


def get_generator() -> np.random.Generator:
    """The NumPy generator behind autograd's shared one, as it is now (``manual_seed``
    replaces it: ask again rather than keeping it)."""
    return _random.rng()


def _rng(generator: Any) -> np.random.Generator:
    if generator is not None and not isinstance(
        generator, (np.random.Generator, _random.Generator)
    ):
        raise TypeError(
            "generator must be a numpy.random.Generator (np.random.default_rng(seed)) or an "
            f"autograd.Generator, got a {type(generator).__name__}"
        )
    return _random.rng(generator)


def _fill(tensor: Tensor, values: Any) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor or Parameter, got a {type(tensor).__name__}")
    tensor.data[...] = np.asarray(values, dtype=tensor.data.dtype)
    return tensor


def _floating(op: str, tensor: Any) -> None:
    """Random draws need a floating tensor: an integer one would keep them truncated."""
    if isinstance(tensor, Tensor) and tensor.data.dtype.kind != "f":
        raise TypeError(f"{op}(): fills floating tensors, got one of dtype {tensor.data.dtype}")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with draws from U(a, b)."""
    _floating("uniform_", tensor)
    if not a <= b:
        raise ValueError(f"uniform_(): need a <= b, got a={a}, b={b}")
    return _fill(tensor, _rng(generator).uniform(a, b, size=tensor.shape))


def normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    generator: Any = None,
) -> Tensor:
    """Fill with draws from N(mean, std^2)."""
    _floating("normal_", tensor)
    if not std >= 0:  # also refuses nan
        raise ValueError(f"normal_(): std must be >= 0, got {std}")
    return _fill(tensor, _rng(generator).normal(mean, std, size=tensor.shape))


def constant_(tensor: Tensor, value: float) -> Tensor:
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, numbers.Real):
        raise TypeError(f"constant_(): value must be a number, got {value!r:.40}")
    return _fill(tensor, value)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1.0)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance steady through a layer of ``nonlinearity``
    (PyTorch's table): 1 for linear and sigmoid, 5/3 for tanh, sqrt(2) for relu and
    sqrt(2 / (1 + a^2)) for leaky_relu with slope ``param`` (default 0.01)."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    if nonlinearity not in _GAINS:
        choices = ", ".join(sorted([*_GAINS, "leaky_relu"]))
        raise ValueError(
            f"calculate_gain(): unknown nonlinearity {nonlinearity!r}; one of {choices}"
        )
    return _GAINS[nonlinearity]


def fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """Inputs and outputs per unit of a weight of shape (out, in, *kernel), as PyTorch counts."""
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a weight with at least 2 dims, got shape {tensor.shape}"
        )
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010)."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    if tensor.numel() == 0:
        return tensor
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    if tensor.numel() == 0:
        return tensor
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """U(-b, b) with b = gain * sqrt(3 / fan) (He et al., 2015). ``a`` is the leaky_relu slope.

    With a = sqrt(5), PyTorch's default for Linear, b = 1 / sqrt(fan_in).
    """
    fan = _fan(tensor, mode)
    if tensor.numel() == 0:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """N(0, std^2) with std = gain / sqrt(fan)."""
    fan = _fan(tensor, mode)
    if tensor.numel() == 0:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)
