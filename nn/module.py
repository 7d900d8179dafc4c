"""Module and Parameter: the containers that hold a model's trainable numbers.

A Module finds its parameters and submodules by looking at its attributes, including inside
lists, tuples and dicts, so ``self.layers = [Linear(2, 3), Linear(3, 1)]`` needs no registration
call. A parameter is an ``nn.Parameter`` (a Tensor that requires grad, as in PyTorch) or a leaf
``Value`` that requires grad (what ``nn.scalar``'s neurons hold). Names are dotted paths, as in
PyTorch: ``layers.0.weight``.

Every walk over the module tree uses an explicit stack, never recursion.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, Value
from autograd import Node


class Parameter(Tensor):
    """A Tensor that a Module reports as trainable. It requires grad unless told otherwise.

    ``Parameter(data, requires_grad=True, dtype=None)``: the same data rules as Tensor (Python
    numbers and lists become float32, a NumPy array keeps its dtype); the data must be floating.
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def is_parameter(x: Any) -> bool:
    """True for what a Module counts as a parameter: an nn.Parameter or a leaf Value that
    requires grad. A plain Tensor is data, even with requires_grad=True (as in PyTorch)."""
    if isinstance(x, Parameter):
        return True
    return isinstance(x, Value) and x.requires_grad and x.is_leaf


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(RuntimeError):
    """A state dict does not fit the module: the message lists every problem found."""


def _describe(shape: tuple[int, ...], dtype: Any) -> str:
    return f"shape {shape} and dtype {np.dtype(dtype)}"


def _shape_and_dtype(x: Any) -> tuple[tuple[int, ...], np.dtype[Any]]:
    """Shape and dtype of a parameter (a Value is a float64 scalar) or a state-dict entry."""
    if isinstance(x, Value):
        return (), np.dtype(np.float64)
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    return tuple(arr.shape), arr.dtype


class Module:
    """Base class of layers and models: subclasses set attributes and define ``forward``.

    ``parameters()``, ``named_parameters()``, ``children()`` and ``modules()`` return lists
    (micrograd's ``parameters()`` does too). Order as in PyTorch: a module's own parameters in
    attribute order, then its children's, depth first. A parameter or module reached twice
    (tied weights) is listed once, under its first name.
    """

    training: bool = True  # a class default, so subclasses may skip super().__init__()

    def __init__(self) -> None:
        self.training = True

    # calling ------------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} has no forward(); define forward(self, ...) in the subclass"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # registration -------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        # replacing a Parameter with a plain Tensor would silently drop it from parameters()
        old = self.__dict__.get(name)
        plain_tensor = isinstance(value, Tensor) and not isinstance(value, Parameter)
        if isinstance(old, Parameter) and plain_tensor:
            raise TypeError(
                f"cannot assign a plain Tensor to parameter {name!r} of {type(self).__name__}: "
                f"wrap it in nn.Parameter(...) or assign to {name}.data instead"
            )
        object.__setattr__(self, name, value)

    def add_module(self, name: str, module: Module | None) -> None:
        """Attach ``module`` under ``name`` (any string without a dot, e.g. "0")."""
        self._check_member_name("add_module", name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"add_module(): {name!r} must be a Module or None, got a {type(module).__name__}"
            )
        self.__dict__[name] = module

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Attach ``param`` under ``name`` (any string without a dot)."""
        self._check_member_name("register_parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter(): {name!r} must be an nn.Parameter or None, "
                f"got a {type(param).__name__}"
            )
        self.__dict__[name] = param

    def _check_member_name(self, caller: str, name: str) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"{caller}(): name must be a non-empty string without dots: {name!r}")
        if hasattr(type(self), name):
            raise ValueError(
                f"{caller}(): {name!r} would hide the attribute of that name of "
                f"{type(self).__name__}"
            )

    def _members(self) -> list[tuple[str, Any]]:
        """(name, member) for each Module and parameter this module holds directly, looking
        inside lists, tuples and dicts (their items are named by index or key)."""
        found: list[tuple[str, Any]] = []
        seen_containers: set[int] = set()
        stack: list[tuple[str, Any]] = list(reversed(self.__dict__.items()))
        while stack:
            name, value = stack.pop()
            if isinstance(value, Module) or is_parameter(value):
                found.append((name, value))
            elif isinstance(value, (list, tuple, dict)) and id(value) not in seen_containers:
                seen_containers.add(id(value))
                items = value.items() if isinstance(value, dict) else enumerate(value)
                stack.extend((f"{name}.{key}", item) for key, item in reversed(list(items)))
        return found

    # walking the tree ---------------------------------------------------------------------
    def named_children(self) -> list[tuple[str, Module]]:
        """The modules held directly by this one, with their names."""
        seen: set[int] = set()
        children = []
        for name, member in self._members():
            if isinstance(member, Module) and id(member) not in seen:
                seen.add(id(member))
                children.append((name, member))
        return children

    def children(self) -> list[Module]:
        return [module for _, module in self.named_children()]

    def named_modules(self) -> list[tuple[str, Module]]:
        """This module (named "") and every module below it, parents before children."""
        seen: set[int] = set()
        found: list[tuple[str, Module]] = []
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            found.append((path, module))
            children = module.named_children()
            stack.extend((_join(path, name), child) for name, child in reversed(children))
        return found

    def modules(self) -> list[Module]:
        return [module for _, module in self.named_modules()]

    def _all_named_parameters(self) -> Iterator[tuple[str, Node]]:
        """Every (dotted name, parameter), a shared parameter once under each of its names."""
        for path, module in self.named_modules():
            for name, member in module._members():
                if not isinstance(member, Module):
                    yield _join(path, name), member

    def named_parameters(self) -> list[tuple[str, Node]]:
        """(dotted name, parameter) for every parameter, each listed once."""
        seen: set[int] = set()
        named = []
        for name, param in self._all_named_parameters():
            if id(param) not in seen:
                seen.add(id(param))
                named.append((name, param))
        return named

    def parameters(self) -> list[Node]:
        return [param for _, param in self.named_parameters()]

    # modes and gradients ------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and all below it (eval() clears it)."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients, as ``Optimizer.zero_grad`` does: a Tensor's grad becomes None
        (with set_to_none=False, an existing grad is zeroed in place and None stays None), a
        Value's becomes 0.0 (a Value's grad is always a float)."""
        for param in self.parameters():
            if isinstance(param, Value):
                param.grad = 0.0
            elif set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.zero_()

    # state --------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Name -> a copy of the parameter's data (a Value gives a 0-d float64 array).

        Copies, so that training on does not change a state dict kept as a checkpoint.
        """
        state = {}
        for name, param in self._all_named_parameters():
            if isinstance(param, Value):
                state[name] = np.array(param.data, dtype=np.float64)
            else:
                state[name] = np.array(param.data, copy=True)
        return state

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy the arrays of ``state_dict`` into the parameters of the same names.

        Every entry is checked before any parameter changes, so a failed load leaves the model
        as it was. A shape or dtype mismatch is always an error; with ``strict=True`` (the
        default) so is a missing or unexpected key. Returns the keys that were skipped.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict(): expected a mapping name -> array, got a "
                f"{type(state_dict).__name__}"
            )
        params = dict(self._all_named_parameters())
        missing = [name for name in params if name not in state_dict]
        unexpected = [key for key in state_dict if key not in params]
        problems = []
        if strict:
            problems += [
                f"missing key {name!r} (the model's parameter has "
                f"{_describe(*_shape_and_dtype(params[name]))})"
                for name in missing
            ]
            problems += [
                f"unexpected key {key!r} (the state_dict holds "
                f"{_describe(*_shape_and_dtype(state_dict[key]))})"
                for key in unexpected
            ]
        for name, param in params.items():
            if name not in state_dict:
                continue
            want = _shape_and_dtype(param)
            got = _shape_and_dtype(state_dict[name])
            if got != want:
                hint = " (convert it with .astype(...))" if got[0] == want[0] else ""
                problems.append(
                    f"{name!r}: the state_dict has {_describe(*got)}, but the model's parameter "
                    f"has {_describe(*want)}{hint}"
                )
        if problems:
            raise StateDictError(
                f"load_state_dict() into {type(self).__name__}: "
                + (
                    "; ".join(problems)
                    if len(problems) == 1
                    else f"{len(problems)} problems:\n  " + "\n  ".join(problems)
                )
            )
        for name, param in params.items():
            if name in state_dict:
                _copy_into(param, state_dict[name])
        return IncompatibleKeys(missing, [str(key) for key in unexpected])

    # display ------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        lines: list[str] = []
        # entries: (depth, label, module or a closing ")", ids of the modules above it)
        stack: list[tuple[int, str, Module | str, frozenset[int]]] = [(0, "", self, frozenset())]
        while stack:
            depth, label, item, above = stack.pop()
            pad = "  " * depth
            if isinstance(item, str):
                lines.append(pad + item)
                continue
            name = type(item).__name__
            if id(item) in above:  # a module that holds one of its ancestors
                lines.append(f"{pad}{label}<{name}: cycle>")
                continue
            extra = item.extra_repr()
            children = item.named_children()
            if not children and "\n" not in extra:
                lines.append(f"{pad}{label}{name}({extra})")
                continue
            lines.append(f"{pad}{label}{name}(")
            lines += [f"{pad}  {line}" for line in extra.splitlines()]
            stack.append((depth, "", ")", above))
            inner = above | {id(item)}
            stack += [(depth + 1, f"({n}): ", c, inner) for n, c in reversed(children)]
        return "\n".join(lines)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _copy_into(param: Node, value: Any) -> None:
    """Set a parameter's data to ``value`` (already checked to have its shape and dtype)."""
    if isinstance(param, Value):
        param.data = float(np.asarray(value.data if isinstance(value, Tensor) else value))
        return
    source = value.data if isinstance(value, Tensor) else np.asarray(value)
    if param.data.flags.writeable:
        np.copyto(param.data, source)  # in place, as PyTorch: views of the data see the change
    else:
        param.data = np.array(source, copy=True)
