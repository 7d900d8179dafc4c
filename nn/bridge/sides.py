"""The two libraries a model crosses between, seen through one interface: how each lists a
module's members (parameters, buffers, submodules, plain attributes), makes tensors and
parameters, and attaches members to a module. The conversion in ``tree.py`` is written once
against this interface and runs in both directions.

PyTorch is never imported here: ``TorchSide`` is given the ``torch`` module by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, Value

from .. import containers, data, functional, init, utils
from ..module import _BOOKKEEPING, Module, Parameter


class TranslationError(TypeError):
    """A model (or part of one) that has no counterpart in the other library."""


@dataclass
class Member:
    """One attribute of a module: ``kind`` is "module", "parameter", "buffer" or "plain"."""

    name: str
    kind: str
    value: Any
    persistent: bool = True


class Side:
    """One library, as the converter needs it."""

    name: str  # in messages: "dagrad" or "PyTorch"
    prefix: str  # how its public names are written in messages: "nn." or "torch.nn."
    roots: tuple[str, ...]  # the top-level packages whose objects belong to this library
    Module: Any
    Sequential: Any
    ModuleList: Any
    ModuleDict: Any
    ParameterList: Any
    ParameterDict: Any
    # the public namespaces, under keys the two sides share (see PACKAGE_KEYS)
    packages: dict[str, ModuleType]

    def owns(self, obj: Any) -> bool:
        """Whether ``obj`` (a class, function or other object) is defined by this library."""
        owner = getattr(obj, "__module__", None) if isinstance(obj, type) or callable(obj) else None
        owner = owner or type(obj).__module__
        return isinstance(owner, str) and owner.split(".")[0] in self.roots

    def is_module(self, x: Any) -> bool:
        return isinstance(x, self.Module)

    # to be provided by each side --------------------------------------------------------------
    def is_tensor(self, x: Any) -> bool:
        raise NotImplementedError

    def is_parameter(self, x: Any) -> bool:
        raise NotImplementedError

    def members(self, module: Any) -> list[Member]:
        raise NotImplementedError

    def array(self, tensor: Any) -> np.ndarray:
        """A copy of a tensor's numbers."""
        raise NotImplementedError

    def requires_grad(self, tensor: Any) -> bool:
        raise NotImplementedError

    def tensor(self, array: np.ndarray, requires_grad: bool = False) -> Any:
        raise NotImplementedError

    def parameter(self, array: np.ndarray, requires_grad: bool) -> Any:
        raise NotImplementedError

    def dtype(self, dtype: np.dtype[Any]) -> Any:
        """This library's spelling of a NumPy dtype."""
        raise NotImplementedError

    def attach(self, module: Any, member: Member) -> None:
        """Give ``module`` the member (already converted to this side). Both libraries
        spell this alike."""
        name, value = member.name, member.value
        if member.kind == "module":
            module.add_module(name, value)
        elif member.kind == "parameter":
            if isinstance(module, self.ParameterList):
                module.append(value)
            else:
                module.register_parameter(name, value)
        elif member.kind == "buffer":
            module.register_buffer(name, value, persistent=member.persistent)
        else:
            setattr(module, name, value)

    def state(self, module: Any) -> list[tuple[str, tuple[int, ...], str]]:
        """(name, shape, dtype) of each entry of the module's state_dict, in order."""
        raise NotImplementedError

    def without_random_draws(self) -> Any:
        """A context in which building layers leaves this library's random generator as it
        was (their initial weights are overwritten anyway)."""
        raise NotImplementedError


def _plain_name(name: str) -> bool:
    return name not in _BOOKKEEPING


class DagradSide(Side):
    name = "dagrad"
    prefix = "nn."
    roots = ("autograd", "nn", "optim")
    Module = Module
    Sequential = containers.Sequential
    ModuleList = containers.ModuleList
    ModuleDict = containers.ModuleDict
    ParameterList = containers.ParameterList
    ParameterDict = None

    def __init__(self) -> None:
        import nn  # the package this module belongs to, complete by the time a model converts

        self.packages = {
            "tensor": autograd,
            "nn": nn,
            "functional": functional,
            "init": init,
            "utils": utils,
            "data": data,
        }

    def is_tensor(self, x: Any) -> bool:
        return isinstance(x, Tensor)

    def is_parameter(self, x: Any) -> bool:
        return isinstance(x, Parameter)

    def members(self, module: Any) -> list[Member]:
        buffers = module.__dict__.get("_buffer_names") or {}
        found = []
        for name, value in module.__dict__.items():
            if not _plain_name(name):
                continue
            if name in buffers:
                found.append(Member(name, "buffer", value, buffers[name]))
            elif isinstance(value, Value):
                raise TranslationError(
                    f"{type(module).__name__}.{name} is a Value (a scalar of nn.scalar): PyTorch "
                    "has no scalar nodes; build the model from Tensor layers (nn.Linear, ...) to "
                    "move it to PyTorch"
                )
            elif isinstance(value, Parameter):
                found.append(Member(name, "parameter", value))
            elif isinstance(value, Module):
                found.append(Member(name, "module", value))
            else:
                found.append(Member(name, "plain", value))
        return found

    def array(self, tensor: Any) -> np.ndarray:
        return np.array(tensor.data, copy=True)

    def requires_grad(self, tensor: Any) -> bool:
        return bool(tensor.requires_grad)

    def tensor(self, array: np.ndarray, requires_grad: bool = False) -> Any:
        return Tensor(array, requires_grad=requires_grad)

    def parameter(self, array: np.ndarray, requires_grad: bool) -> Any:
        return Parameter(array, requires_grad=requires_grad)

    def dtype(self, dtype: np.dtype[Any]) -> Any:
        return np.dtype(dtype)

    def state(self, module: Any) -> list[tuple[str, tuple[int, ...], str]]:
        return [(k, tuple(v.shape), str(v.dtype)) for k, v in module.state_dict().items()]

    def without_random_draws(self) -> Any:
        return _KeepDagradGenerator()


class _KeepDagradGenerator:
    def __enter__(self) -> None:
        self.state = autograd.get_rng_state()

    def __exit__(self, *exc: Any) -> None:
        autograd.set_rng_state(self.state)


class TorchSide(Side):
    name = "PyTorch"
    prefix = "torch.nn."
    roots = ("torch",)

    def __init__(self, torch: ModuleType) -> None:
        self.torch = torch
        tnn = torch.nn
        self.Module = tnn.Module
        self.Sequential = tnn.Sequential
        self.ModuleList = tnn.ModuleList
        self.ModuleDict = tnn.ModuleDict
        self.ParameterList = tnn.ParameterList
        self.ParameterDict = tnn.ParameterDict
        self.packages = {
            "tensor": torch,
            "nn": tnn,
            "functional": tnn.functional,
            "init": tnn.init,
            "utils": tnn.utils,
            "data": torch.utils.data,
        }
        self.bookkeeping = frozenset(tnn.Module().__dict__)

    def is_tensor(self, x: Any) -> bool:
        return isinstance(x, self.torch.Tensor)

    def is_parameter(self, x: Any) -> bool:
        return isinstance(x, self.torch.nn.Parameter)

    def members(self, module: Any) -> list[Member]:
        hooks = [
            name
            for name in self.bookkeeping
            if "hook" in name
            and isinstance(module.__dict__.get(name), dict)
            and module.__dict__[name]
        ]
        if hooks:
            raise TranslationError(
                f"{type(module).__name__} has hooks registered ({', '.join(sorted(hooks))}): "
                "dagrad's modules have no hooks; remove them before from_torch()"
            )
        found = [Member(n, "parameter", p) for n, p in module._parameters.items()]
        found += [
            Member(n, "buffer", b, n not in module._non_persistent_buffers_set)
            for n, b in module._buffers.items()
        ]
        found += [Member(n, "module", m) for n, m in module._modules.items()]
        found += [
            Member(n, "plain", v) for n, v in module.__dict__.items() if n not in self.bookkeeping
        ]
        return found

    def array(self, tensor: Any) -> np.ndarray:
        return np.array(tensor.detach().cpu().numpy(), copy=True)

    def requires_grad(self, tensor: Any) -> bool:
        return bool(tensor.requires_grad)

    def tensor(self, array: np.ndarray, requires_grad: bool = False) -> Any:
        t = self.torch.from_numpy(np.array(array, copy=True))
        return t.requires_grad_(requires_grad) if requires_grad else t

    def parameter(self, array: np.ndarray, requires_grad: bool) -> Any:
        data = self.torch.from_numpy(np.array(array, copy=True))
        return self.torch.nn.Parameter(data, requires_grad=requires_grad)

    def dtype(self, dtype: np.dtype[Any]) -> Any:
        return self.torch.from_numpy(np.empty(0, dtype=dtype)).dtype

    def state(self, module: Any) -> list[tuple[str, tuple[int, ...], str]]:
        return [
            (k, tuple(v.shape), str(v.dtype).replace("torch.", ""))
            for k, v in module.state_dict().items()
        ]

    def without_random_draws(self) -> Any:
        return self.torch.random.fork_rng(devices=[])


# the public namespaces of each library, under one key per pair
PACKAGE_KEYS = ("tensor", "nn", "functional", "init", "utils", "data")
