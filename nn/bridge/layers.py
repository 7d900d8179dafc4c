"""Which layer of one library is which layer of the other, and how to build the counterpart of
a layer from its settings.

dagrad's layers take PyTorch's constructor arguments and keep them under the same attribute
names, so the counterpart of a layer is built by reading, for each argument of the target
class's constructor, the source layer's attribute of that name.
"""

from __future__ import annotations

import inspect
from typing import Any

from .sides import Side, TranslationError

# the layers both libraries have, under the same class name
SHARED = (
    "AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool2d AvgPool1d AvgPool2d BatchNorm1d CELU "
    "Conv1d Conv2d ConvTranspose1d ConvTranspose2d Dropout ELU Embedding Flatten GELU "
    "Hardsigmoid Hardswish Hardtanh Identity LayerNorm LeakyReLU Linear LogSigmoid LogSoftmax "
    "MaxPool1d MaxPool2d Mish ModuleDict ModuleList ParameterList ReLU ReLU6 SELU Sequential "
    "SiLU Sigmoid Softmax Softmin Softplus Softsign Tanh Unflatten Upsample "
    # losses, for models that hold their loss
    "BCELoss BCEWithLogitsLoss CrossEntropyLoss HuberLoss KLDivLoss L1Loss MSELoss "
    "MultiMarginLoss NLLLoss SmoothL1Loss"
).split()

# dagrad's own names for a PyTorch layer: the lecture's spelling, and the MLP builder (a
# Sequential of Linear layers and activations)
DAGRAD_SPELLINGS = {"HardSigmoid": "Hardsigmoid", "MLP": "Sequential"}

# built empty; their members are attached afterwards
CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict", "ParameterList"})

# constructor arguments that are not settings: where the tensors live, and how Embedding is
# handed a ready weight (the weights are copied afterwards anyway)
_NOT_SETTINGS = frozenset({"device", "_weight", "_freeze", "min_value", "max_value"})


def layer_names(side: Side) -> dict[type, str]:
    """Each layer class of ``side`` that has a counterpart -> the shared name."""
    nn = side.packages["nn"]
    table = {getattr(nn, name): name for name in SHARED}
    if side.name == "dagrad":
        table.update({getattr(nn, mine): theirs for mine, theirs in DAGRAD_SPELLINGS.items()})
    return table


def settings(source: Any, name: str, target_class: type, src: Side, dst: Side) -> dict[str, Any]:
    """The keyword arguments that build the counterpart of layer ``source`` (shared name
    ``name``) as ``target_class``."""
    if name in CONTAINERS:
        return {}
    kwargs: dict[str, Any] = {}
    for parameter in inspect.signature(target_class).parameters.values():
        arg = parameter.name
        if arg in _NOT_SETTINGS or parameter.kind in (
            parameter.VAR_POSITIONAL,
            parameter.VAR_KEYWORD,
        ):
            continue
        if arg == "dtype":
            floats = [p for _, p in _own_parameters(source, src) if p is not None]
            if floats:
                kwargs["dtype"] = dst.dtype(src.array(floats[0]).dtype)
        elif arg == "bias" and _has_member(source, "bias", src):
            kwargs["bias"] = source.bias is not None
        elif _has_setting(source, arg, src):
            kwargs[arg] = getattr(source, arg)
        elif parameter.default is parameter.empty:
            raise TranslationError(
                f"{type(source).__name__}: cannot build its {dst.name} counterpart: the setting "
                f"{arg!r} is not an attribute of the layer"
            )
    return kwargs


def _own_parameters(module: Any, side: Side) -> list[tuple[str, Any]]:
    return [(m.name, m.value) for m in side.members(module) if m.kind == "parameter"]


def _has_member(module: Any, name: str, side: Side) -> bool:
    return any(m.name == name and m.kind in ("parameter", "plain") for m in side.members(module))


def _has_setting(module: Any, name: str, side: Side) -> bool:
    """A plain attribute (not a method, a parameter or a submodule) of that name."""
    return any(m.name == name and m.kind == "plain" for m in side.members(module))
