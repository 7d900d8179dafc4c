"""Layers: Linear, Identity, Flatten, the Sequential container and the MLP builder."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, Value, linear

from . import init
from .activations import ACTIVATIONS
from .module import Module, Parameter


def _float_dtype(layer: str, dtype: Any) -> np.dtype[Any]:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{layer}(): {dtype!r} is not a dtype") from None
    if dt.kind != "f":
        raise TypeError(f"{layer}(): parameters need a floating dtype, got {dt}")
    return dt


def _as_input(layer: str, x: Any) -> Tensor:
    """Arrays and lists become constant Tensors; a Value is refused (it would lose its graph)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Value):
        raise TypeError(f"{layer} works on Tensors, got a {type(x).__name__} (see nn.scalar)")
    return Tensor(x)


def _size(layer: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{layer}(): {name} must be a non-negative integer, got {value!r}")
    return int(value)


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features) as in PyTorch.

    Initialised as PyTorch does: weight by kaiming_uniform_(a=sqrt(5)) and bias likewise, which
    is U(-1/sqrt(in_features), 1/sqrt(in_features)) for both, drawn from nn.init's generator.
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, dtype: Any = np.float32
    ) -> None:
        super().__init__()
        self.in_features = _size("Linear", "in_features", in_features)
        self.out_features = _size("Linear", "out_features", out_features)
        dt = _float_dtype("Linear", dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dt))
        self.bias = Parameter(np.empty(self.out_features, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self, generator: np.random.Generator | None = None) -> None:
        """Draw fresh initial weights (from ``generator``, else nn.init's shared one)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), generator=generator)
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound, generator=generator)

    def forward(self, x: Any) -> Tensor:
        x = _as_input("Linear", x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                f"input of shape {x.shape} must end in {self.in_features} features"
            )
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input: a placeholder where a layer is optional."""

    def forward(self, x: Any) -> Any:
        return x


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: images (N, 8, 8) become rows (N, 64)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Any) -> Tensor:
        x = _as_input("Flatten", x)
        ndim = max(x.ndim, 1)
        start = self.start_dim + ndim if self.start_dim < 0 else self.start_dim
        end = self.end_dim + ndim if self.end_dim < 0 else self.end_dim
        if not 0 <= start <= end < ndim:
            raise ValueError(
                f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) does not fit an "
                f"input of shape {x.shape}"
            )
        shape = x.shape if x.ndim else (1,)
        return x.reshape(shape[:start] + (-1,) + shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Sequential(Module):
    """Modules applied one after another. Children are named "0", "1", ... (as in PyTorch),
    or by the keys of a single dict argument: ``Sequential({"hidden": ..., "out": ...})``."""

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        super().__init__()
        named: list[tuple[str, Any]]
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            named = [(str(k), m) for k, m in modules[0].items()]
        else:
            named = [(str(i), m) for i, m in enumerate(modules)]
        for position, (name, module) in enumerate(named):
            self.add_module(name, _check_module("Sequential", position, module))

    def _named_layers(self) -> list[tuple[str, Module]]:
        # not named_children(): a module placed twice must also run twice
        return [(name, m) for name, m in self._members() if isinstance(m, Module)]

    def _layers(self) -> list[Module]:
        return [module for _, module in self._named_layers()]

    def __len__(self) -> int:
        return len(self._layers())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers())

    def __getitem__(self, index: int | slice) -> Any:
        named = self._named_layers()
        if isinstance(index, slice):
            return Sequential(dict(named[index]))
        try:
            return named[index][1]
        except IndexError:
            raise IndexError(
                f"Sequential index {index} is out of range for {len(named)} layers"
            ) from None

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), _check_module("Sequential.append", len(self), module))
        return self

    def forward(self, x: Any) -> Any:
        for layer in self._layers():
            x = layer(x)
        return x


def _check_module(where: str, position: int, module: Any) -> Module:
    if isinstance(module, Module):
        return module
    if isinstance(module, type) and issubclass(module, Module):
        raise TypeError(
            f"{where}(): argument {position} is the class {module.__name__}, not a layer; "
            f"call it: {module.__name__}()"
        )
    raise TypeError(f"{where}(): argument {position} is a {type(module).__name__}, not a Module")


ActivationSpec = str | type[Module] | Callable[[], Module]


def activation_factory(activation: ActivationSpec) -> Callable[[], Module]:
    """A zero-argument maker of activation layers from a name ("relu", "sigmoid", "tanh",
    "hard_sigmoid", "leaky_relu"; case and underscores ignored), a Module class or a callable."""
    if isinstance(activation, str):
        key = activation.lower().replace("_", "").replace("-", "")
        if key not in ACTIVATIONS:
            choices = "relu, sigmoid, tanh, hard_sigmoid, leaky_relu"
            raise ValueError(f"unknown activation {activation!r}; one of {choices}")
        return ACTIVATIONS[key]
    if callable(activation):
        return activation
    raise TypeError(
        f"activation must be a name, a Module class or a callable, got {activation!r:.60}"
    )


class MLP(Sequential):
    """The lecture's networks: Linear layers of widths ``hidden`` with an activation after each,
    then a Linear to ``out_features`` (no activation at the end).

    ``MLP(56, [100, 100], 1)`` is Linear(56, 100), ReLU, Linear(100, 100), ReLU, Linear(100, 1),
    named 0..4 as a Sequential of those layers would be; ``MLP(56, [], 1)`` is a linear model.
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        out_features: int,
        activation: ActivationSpec = "relu",
        dtype: Any = np.float32,
    ) -> None:
        if isinstance(hidden, (int, str)) or not isinstance(hidden, Sequence):
            raise TypeError(
                f"MLP(): hidden must be a list of layer widths (e.g. [100] for one hidden layer "
                f"of 100), got {hidden!r}"
            )
        make_activation = activation_factory(activation)
        widths = [in_features, *hidden]
        layers: list[Module] = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            layer = make_activation()
            if not isinstance(layer, Module):
                raise TypeError(
                    f"MLP(): the activation made a {type(layer).__name__}, not a Module"
                )
            layers += [Linear(fan_in, fan_out, dtype=dtype), layer]
        layers.append(Linear(widths[-1], out_features, dtype=dtype))
        super().__init__(*layers)
