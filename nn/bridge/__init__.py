"""Hand a model to PyTorch and take one back: ``nn.to_torch`` and ``nn.from_torch``.

    torch_model = nn.to_torch(model)          # a torch.nn.Module: same layers, names, numbers
    model = nn.from_torch(torch_model)        # and back
    model.load_state_dict(torch_model.state_dict())           # torch tensors load directly
    torch_model.load_state_dict(nn.to_torch(model.state_dict()))

A layer becomes the other library's layer of the same name and settings; a user's Module
subclass becomes a class of the same name on the other library's Module, with the same methods
bound to the other library's names (``F.relu`` is ``torch.nn.functional.relu`` there). What has
no counterpart (a layer one library lacks, a function the code calls that the other library
does not have, nn.scalar's Values, hooks) is refused with a ``TranslationError`` naming it.
Parameters and buffers are copied: the two models do not share memory.

PyTorch is imported only when one of these functions is called: dagrad itself never needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from .sides import DagradSide, Side, TorchSide, TranslationError
from .tree import convert_module

__all__ = ["TranslationError", "from_torch", "to_torch"]


def to_torch(obj: Any) -> Any:
    """The PyTorch counterpart of a dagrad Module (a ``torch.nn.Module``), Tensor (a
    ``torch.Tensor``, a copy) or state dict (a dict of ``torch.Tensor``)."""
    torch = _torch("to_torch")
    return _convert(obj, DagradSide(), TorchSide(torch), "to_torch")


def from_torch(obj: Any) -> Any:
    """The dagrad counterpart of a ``torch.nn.Module`` (an ``nn.Module``), ``torch.Tensor``
    (a Tensor, a copy) or state dict (a dict of Tensors)."""
    torch = _torch("from_torch")
    return _convert(obj, TorchSide(torch), DagradSide(), "from_torch")


def _convert(obj: Any, src: Side, dst: Side, caller: str) -> Any:
    if src.is_module(obj):
        return convert_module(obj, src, dst)
    if src.is_tensor(obj):
        from .methods import Translator

        return Translator(src, dst).tensor(obj)
    if isinstance(obj, Mapping):
        moved = {}
        for key, value in obj.items():
            if not src.is_tensor(value):
                raise TypeError(
                    f"nn.{caller}(): the state dict's entry {key!r} is a "
                    f"{type(value).__name__}, not a {src.name} tensor"
                )
            moved[key] = dst.tensor(src.array(value))
        return moved
    raise TypeError(
        f"nn.{caller}(): expected a {src.name} Module, tensor or state dict, got a "
        f"{type(obj).__name__}"
    )


def _torch(caller: str) -> ModuleType:
    try:
        import torch
    except ImportError:
        raise ImportError(
            f"nn.{caller}() needs PyTorch, which is not installed (pip install torch); "
            "dagrad itself runs without it"
        ) from None
    return torch
