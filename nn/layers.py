"""Layers: Linear, Identity, Flatten, Unflatten, Dropout, Embedding and the MLP builder."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, Value, get_default_dtype, linear

from . import functional as F
from . import init
from .activations import ACTIVATIONS
from .containers import Sequential
from .functional_checks import dim_of, is_int
from .functional_layers import padding_row
from .module import Module, Parameter


def _float_dtype(layer: str, dtype: Any) -> np.dtype[Any]:
    """A layer's parameter dtype: ``dtype``, or autograd's default (float32) when None."""
    if dtype is None:
        dtype = get_default_dtype()
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


def check_device(layer: str, device: Any) -> None:
    """Layers take PyTorch's ``device=``; the only device is the CPU."""
    if device is not None and str(device) != "cpu" and not str(device).startswith("cpu:"):
        raise RuntimeError(
            f"{layer}(): device {str(device)!r} is not available: dagrad runs on the CPU only"
        )


def _size(layer: str, name: str, value: Any) -> int:
    if not is_int(value) or value < 0:
        raise ValueError(f"{layer}(): {name} must be a non-negative integer, got {value!r}")
    return int(value)


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features) as in PyTorch.

    Initialised as PyTorch does: weight by kaiming_uniform_(a=sqrt(5)) and bias likewise, which
    is U(-1/sqrt(in_features), 1/sqrt(in_features)) for both, drawn from nn.init's generator.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        check_device("Linear", device)
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
        try:  # linear() checks the shapes; a misfit input is then named in the layer's terms
            return linear(x, self.weight, self.bias)
        except ValueError:
            if x.ndim == 0 or x.shape[-1] != self.in_features:
                raise ValueError(
                    f"Linear(in_features={self.in_features}, out_features={self.out_features}): "
                    f"input of shape {x.shape} must end in {self.in_features} features"
                ) from None
            raise

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input: a placeholder where a layer is optional (arguments are ignored, as
    in PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

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


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: rows (N, 6) become (N, 2, 3)."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if isinstance(unflattened_size, (int, str)) or not isinstance(unflattened_size, Sequence):
            raise TypeError(
                f"Unflatten(): unflattened_size must be a tuple or list of ints, got "
                f"{unflattened_size!r:.40}"
            )
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, x: Any) -> Tensor:
        x = _as_input("Unflatten", x)
        dim = dim_of("Unflatten", self.dim, x.ndim)
        sizes = self.unflattened_size
        known = int(np.prod([n for n in sizes if n != -1]))
        fits = (
            sizes.count(-1) == 0
            and known == x.shape[dim]
            or sizes.count(-1) == 1
            and known
            and x.shape[dim] % known == 0
        )
        if not fits:
            raise ValueError(
                f"Unflatten(dim={self.dim}, unflattened_size={sizes}): dim {self.dim} of the "
                f"input of shape {x.shape} has {x.shape[dim]} elements, which do not make {sizes}"
            )
        return x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and scale the rest by
    1 / (1 - p); in evaluation mode (``model.eval()``), pass the input through. The masks are
    drawn from autograd's shared generator (``autograd.manual_seed``)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        number = F.check_number("Dropout", "p", p)
        if not 0.0 <= number <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = number
        self.inplace = bool(inplace)

    def forward(self, x: Any) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Embedding(Module):
    """A lookup table: ``Embedding(num_embeddings, embedding_dim)(indices)`` gives the rows of
    ``weight`` (initialised from N(0, 1)) picked by integer ``indices``. The row
    ``padding_idx`` starts at zero and gets no gradient."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.num_embeddings = _size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = _size("Embedding", "embedding_dim", embedding_dim)
        self.padding_idx = padding_row("Embedding", padding_idx, max(self.num_embeddings, 1))
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        check_device("Embedding", device)
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype=_float_dtype("Embedding", dtype)))
            self.reset_parameters()
        else:
            data = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if data.shape != shape:
                raise ValueError(f"Embedding(): _weight must have shape {shape}, got {data.shape}")
            self.weight = Parameter(np.array(data), requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0.0

    def forward(self, input: Any) -> Tensor:
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight is a copy of the 2-D ``embeddings`` (frozen by default)."""
        data = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(
                f"Embedding.from_pretrained(): embeddings must be 2-D, got shape {data.shape}"
            )
        return cls(
            data.shape[0],
            data.shape[1],
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=data,
            _freeze=freeze,
            dtype=data.dtype,
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        return text


ActivationSpec = str | Module | type[Module] | Callable[[], Module]


def activation_factory(activation: ActivationSpec) -> Callable[[], Module]:
    """A zero-argument maker of activation layers from a name ("relu", "sigmoid", "tanh",
    "gelu", "leaky_relu", ...; case and underscores ignored), a Module (``nn.Tanh()``, copied
    for each layer), a Module class or a callable."""
    if isinstance(activation, str):
        key = activation.lower().replace("_", "").replace("-", "")
        if key not in ACTIVATIONS:
            choices = "relu, sigmoid, tanh, hard_sigmoid, leaky_relu, " + ", ".join(
                sorted(set(ACTIVATIONS) - {"relu", "sigmoid", "tanh", "hardsigmoid", "leakyrelu"})
            )
            raise ValueError(f"unknown activation {activation!r}; one of {choices}")
        return ACTIVATIONS[key]
    if isinstance(activation, Module):  # one instance per layer, as nn.Sequential would need
        return lambda: copy.deepcopy(activation)
    if callable(activation):
        return activation
    raise TypeError(
        f"activation must be a name, a Module, a Module class or a callable, got {activation!r:.60}"
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
        dtype: Any = None,
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
