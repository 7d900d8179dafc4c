"""Module and Parameter: the containers that hold a model's trainable numbers.

A Module finds its parameters and submodules by looking at its attributes, including inside
lists, tuples and dicts, so ``self.layers = [Linear(2, 3), Linear(3, 1)]`` needs no registration
call. A parameter is an ``nn.Parameter`` (a Tensor that requires grad, as in PyTorch) or a leaf
``Value`` that requires grad (what ``nn.scalar``'s neurons hold). Buffers (``register_buffer``) are
Tensors that belong to the model's state but are not trained, such as BatchNorm's running
statistics. Names are dotted paths, as in PyTorch: ``layers.0.weight``.

Every walk over the module tree uses an explicit stack, never recursion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value

from .state import IncompatibleKeys, StateDictError, copy_into, problems, report, snapshot

__all__ = ["IncompatibleKeys", "Module", "Parameter", "StateDictError", "is_parameter"]

# attributes of Module itself that are bookkeeping, never members
_BOOKKEEPING = frozenset({"training", "_buffer_names", "_layer_cache"})

# PyTorch features a script may reach for that dagrad does not have: what to say instead
_MISSING = {
    "register_forward_hook": "forward hooks",
    "register_forward_pre_hook": "forward pre-hooks",
    "register_backward_hook": "backward hooks",
    "register_full_backward_hook": "backward hooks",
    "register_full_backward_pre_hook": "backward hooks",
    "register_state_dict_pre_hook": "state-dict hooks",
    "register_load_state_dict_post_hook": "state-dict hooks",
    "to_empty": "meta-device modules",
    "share_memory": "shared memory across processes",
    "compile": "torch.compile (see autograd.compile for scalar graphs)",
    "bfloat16": "the bfloat16 dtype",
    "ipu": "devices other than the CPU",
    "xpu": "devices other than the CPU",
    "mtia": "devices other than the CPU",
}


class Parameter(Tensor):
    """A Tensor that a Module reports as trainable. It requires grad unless told otherwise.

    ``Parameter(data, requires_grad=True, dtype=None)``: the same data rules as Tensor (Python
    numbers and lists become float32, a NumPy array keeps its dtype); the data must be floating.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True, dtype: Any = None) -> None:
        if data is None:  # torch.nn.Parameter() is an empty parameter
            data = np.empty(0, dtype=np.float32)
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def is_parameter(x: Any) -> bool:
    """True for what a Module counts as a parameter: an nn.Parameter or a leaf Value that
    requires grad. A plain Tensor is data, even with requires_grad=True (as in PyTorch)."""
    if isinstance(x, Parameter):
        return True
    return isinstance(x, Value) and x.requires_grad and x.is_leaf


def _is_member(x: Any) -> bool:
    return isinstance(x, Module) or is_parameter(x)


class Module:
    """Base class of layers and models: subclasses set attributes and define ``forward``.

    ``parameters()``, ``named_parameters()``, ``buffers()``, ``children()`` and ``modules()``
    return lists (micrograd's ``parameters()`` does too; PyTorch returns iterators, which a
    ``for`` loop or ``list()`` treats alike). Order as in PyTorch: a module's own parameters in
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

    def __getattr__(self, name: str) -> Any:
        # only reached when ordinary lookup fails: name the PyTorch feature that is missing
        if name in _MISSING:
            raise AttributeError(
                f"{type(self).__name__}.{name}(): PyTorch's {_MISSING[name]} are not supported "
                "by dagrad"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        buffers = self.__dict__.get("_buffer_names")
        if buffers and name in buffers:
            if isinstance(value, Parameter):  # as PyTorch: the buffer becomes a parameter
                del buffers[name]
            elif value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to buffer {name!r} of "
                    f"{type(self).__name__} (a Tensor or None is required)"
                )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        buffers = self.__dict__.get("_buffer_names")
        if buffers and name in buffers:
            del buffers[name]
        object.__delattr__(self, name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Attach ``module`` under ``name`` (any string without a dot, e.g. "0")."""
        self._check_member_name("add_module", name)
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"add_module(): {name!r} must be a Module or None, got a {type(module).__name__}"
            )
        self.__dict__[name] = module

    register_module = add_module

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Attach ``param`` under ``name`` (any string without a dot)."""
        self._check_member_name("register_parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter(): {name!r} must be an nn.Parameter or None, "
                f"got a {type(param).__name__}"
            )
        self.__dict__[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Attach ``tensor`` under ``name`` as state that is not trained (BatchNorm's running
        statistics): listed by ``buffers()``, saved by ``state_dict()`` unless
        ``persistent=False``, and converted by ``to(dtype)`` with the parameters."""
        buffers = self.__dict__.get("_buffer_names") or {}
        if name not in buffers:
            self._check_member_name("register_buffer", name)
            if name in self.__dict__:
                raise KeyError(
                    f"register_buffer(): {type(self).__name__} already has an attribute {name!r}"
                )
        if isinstance(tensor, Parameter):
            raise TypeError(
                f"register_buffer(): {name!r} is an nn.Parameter, which is trained; register it "
                "with register_parameter() (or pass its .detach())"
            )
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer(): {name!r} must be a Tensor or None, got a "
                f"{type(tensor).__name__}"
            )
        buffers[name] = bool(persistent)
        self.__dict__["_buffer_names"] = buffers
        self.__dict__[name] = tensor

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
        inside lists, tuples and dicts (their items are named by index or key).

        Two members that would get the same name (dict keys 1 and "1") or a name with a
        dot in one of its parts (which would read as a path) are refused: either would make
        ``state_dict()`` lose or misplace entries."""
        found: list[tuple[str, Any]] = []
        reached: dict[str, str] = {}  # name -> how it was reached, for the error message
        seen_containers: set[int] = set()
        # (name, value, the Python expression that reaches it, what is wrong with the name)
        stack: list[tuple[str, Any, str, str | None]] = [
            (name, value, f"self.{name}", _bad_part(name))
            for name, value in reversed(self.__dict__.items())
            if name not in _BOOKKEEPING
        ]
        while stack:
            name, value, path, bad = stack.pop()
            if _is_member(value):
                if bad is not None:
                    raise ValueError(
                        f"{type(self).__name__}: {path} cannot be named in parameters() and "
                        f"state_dict(): {bad}"
                    )
                if name in reached:
                    raise ValueError(
                        f"{type(self).__name__}: {reached[name]} and {path} would both be "
                        f"named {name!r} in parameters() and state_dict(); use distinct "
                        "string keys"
                    )
                reached[name] = path
                found.append((name, value))
            elif isinstance(value, (list, tuple, dict)) and id(value) not in seen_containers:
                seen_containers.add(id(value))
                items = value.items() if isinstance(value, dict) else enumerate(value)
                stack.extend(
                    (f"{name}.{key}", item, f"{path}[{key!r}]", bad or _bad_part(key))
                    for key, item in reversed(list(items))
                )
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

    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> list[tuple[str, Module]]:
        """This module (named ``prefix``, "" by default) and every module below it, parents
        before children."""
        seen: set[int] = {id(m) for m in memo} if memo else set()
        found: list[tuple[str, Module]] = []
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            if remove_duplicate:
                seen.add(id(module))
            if memo is not None:
                memo.add(module)
            found.append((path, module))
            children = module.named_children()
            stack.extend((_join(path, name), child) for name, child in reversed(children))
        return found

    def modules(self) -> list[Module]:
        return [module for _, module in self.named_modules()]

    def _walk(self, prefix: str, recurse: bool) -> list[tuple[str, Module]]:
        return self.named_modules(prefix=prefix) if recurse else [(prefix, self)]

    def _all_named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Node]]:
        """Every (dotted name, parameter), a shared parameter once under each of its names."""
        for path, module in self._walk(prefix, recurse):
            for name, member in module._members():
                if not isinstance(member, Module):
                    yield _join(path, name), member

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> list[tuple[str, Node]]:
        """(dotted name, parameter) for every parameter, each listed once."""
        return _once(self._all_named_parameters(prefix, recurse), remove_duplicate)

    def parameters(self, recurse: bool = True) -> list[Node]:
        return [param for _, param in self.named_parameters(recurse=recurse)]

    def _all_named_buffers(
        self, prefix: str = "", recurse: bool = True, persistent_only: bool = False
    ) -> Iterator[tuple[str, Tensor]]:
        for path, module in self._walk(prefix, recurse):
            for name, persistent in (module.__dict__.get("_buffer_names") or {}).items():
                value = module.__dict__.get(name)
                if value is not None and (persistent or not persistent_only):
                    yield _join(path, name), value

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> list[tuple[str, Tensor]]:
        """(dotted name, buffer) for every buffer (registered with ``register_buffer``)."""
        return _once(self._all_named_buffers(prefix, recurse), remove_duplicate)

    def buffers(self, recurse: bool = True) -> list[Tensor]:
        return [buffer for _, buffer in self.named_buffers(recurse=recurse)]

    def get_submodule(self, target: str) -> Module:
        """The module at dotted path ``target`` ("" is this module), e.g. "encoder.0"."""
        if target == "":
            return self
        found = dict(self.named_modules()).get(target)
        if found is None:
            raise AttributeError(
                f"get_submodule(): {type(self).__name__} has no submodule {target!r}; "
                f"its submodules are {[n for n, _ in self.named_modules()][1:]}"
            )
        return found

    def get_parameter(self, target: str) -> Node:
        found = dict(self._all_named_parameters()).get(target)
        if found is None:
            raise AttributeError(
                f"get_parameter(): {type(self).__name__} has no parameter {target!r}"
            )
        return found

    def get_buffer(self, target: str) -> Tensor:
        found = dict(self._all_named_buffers()).get(target)
        if found is None:
            raise AttributeError(f"get_buffer(): {type(self).__name__} has no buffer {target!r}")
        return found

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule, children before their parent (as PyTorch), then on
        this module; e.g. ``model.apply(init_weights)``. Returns this module."""
        stack: list[tuple[Module, bool]] = [(self, False)]
        done: set[int] = set()
        while stack:
            module, expanded = stack.pop()
            if expanded:
                fn(module)
                continue
            if id(module) in done:
                continue
            done.add(id(module))
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(module.children()))
        return self

    # modes and gradients ------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and all below it (eval() clears it)."""
        if not isinstance(mode, (bool, np.bool_)):
            raise ValueError(f"train(): mode must be True or False, got {mode!r}")
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradients on or off for every parameter (freezing layers)."""
        for param in self.parameters():
            if isinstance(param, Tensor):
                param.requires_grad_(requires_grad)
            else:
                param.requires_grad = bool(requires_grad)
        return self

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

    # dtypes and devices -------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)``, ``to('cpu')``, ``to(device, dtype)``, ``to(tensor)``: floating
        parameters and buffers (and their gradients) take the dtype, in place (the same
        Parameter objects: build the optimizer after, or before, as in PyTorch). The only
        device is the CPU."""
        dtype = _to_dtype(type(self).__name__, args, kwargs)
        if dtype is not None:
            self._cast(lambda d: dtype if d.kind == "f" else d)
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def half(self) -> Module:
        return self.to(np.float16)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        raise RuntimeError(
            f"{type(self).__name__}.cuda(): dagrad runs on the CPU only (remove the line that "
            "moves the model to the GPU)"
        )

    def type(self, dst_type: Any) -> Module:
        """Cast every parameter and buffer to ``dst_type``."""
        dtype = np.dtype(dst_type)
        self._cast(lambda d: dtype)
        return self

    def _cast(self, new_dtype: Callable[[np.dtype[Any]], np.dtype[Any]]) -> None:
        tensors = [p for p in self.parameters() if isinstance(p, Tensor)] + self.buffers()
        for t in tensors:
            dtype = new_dtype(t.data.dtype)
            if dtype == t.data.dtype:
                continue
            t.data = t.data.astype(dtype)
            if t.grad is not None:
                t.grad = t.grad.data.astype(dtype)

    # state --------------------------------------------------------------------------------
    def state_dict(
        self, *, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Any]:
        """Dotted name -> a Tensor holding a copy of each parameter and persistent buffer, in
        PyTorch's order (a module's parameters, its buffers, then its children's).

        Copies (PyTorch shares the memory instead), so that training on does not change a state
        dict kept as the best model so far. ``keep_vars=True`` gives the parameters themselves.
        """
        state: dict[str, Any] = {} if destination is None else destination
        for path, module in self.named_modules(prefix=prefix.rstrip(".")):
            for name, member in module._members():
                if not isinstance(member, Module):
                    key = _join(path, name)
                    state[key] = member if keep_vars else snapshot(member)
            for name, buffer in module._all_named_buffers(
                path, recurse=False, persistent_only=True
            ):
                state[name] = buffer if keep_vars else snapshot(buffer)
        return state

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> IncompatibleKeys:
        """Copy the entries of ``state_dict`` (Tensors, arrays, or PyTorch tensors: a
        ``torch_model.state_dict()`` loads as it is) into the parameters and persistent
        buffers of the same names.

        Every entry is checked before anything changes, so a failed load leaves the model as
        it was. A shape or dtype mismatch is always an error; with ``strict=True`` (the
        default) so is a missing or unexpected key. Returns the keys that were skipped.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict(): expected a mapping name -> array, got a "
                f"{type(state_dict).__name__}"
            )
        targets: dict[str, Node] = dict(self._all_named_parameters())
        buffers = dict(self._all_named_buffers(persistent_only=True))
        targets.update(buffers)
        missing, unexpected, found = problems(targets, set(buffers), state_dict, strict)
        if found:
            raise report(type(self).__name__, found)
        for name, target in targets.items():
            if name in state_dict:
                copy_into(target, state_dict[name])
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


def _bad_part(key: Any) -> str | None:
    """Why ``key`` (an attribute name or a container key) cannot be part of a dotted name."""
    text = str(key)
    if not text:
        return "an empty key"
    if "." in text:
        return f"the key {key!r} holds a dot, which would read as a path"
    return None


def _once(named: Iterator[tuple[str, Any]], remove_duplicate: bool) -> list[tuple[str, Any]]:
    if not remove_duplicate:
        return list(named)
    seen: set[int] = set()
    result = []
    for name, x in named:
        if id(x) not in seen:
            seen.add(id(x))
            result.append((name, x))
    return result


def _to_dtype(owner: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> np.dtype[Any] | None:
    """The dtype of a ``to(...)`` call (None: unchanged); a device other than the CPU is an
    error."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"{owner}.to(): unexpected arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, str) or type(arg).__name__ == "device":
            device = arg
        else:
            dtype = arg
    if device is not None and str(device) != "cpu" and not str(device).startswith("cpu:"):
        raise RuntimeError(
            f"{owner}.to(): device {str(device)!r} is not available: dagrad runs on the CPU "
            "only (remove the line that moves the model to the GPU, or use 'cpu')"
        )
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{owner}.to(): {dtype!r} is neither a dtype nor a device") from None
    if dt.kind != "f":
        raise TypeError(
            f"{owner}.to(): nn.Module.to only accepts floating dtypes, got {dt} (as PyTorch)"
        )
    return dt
