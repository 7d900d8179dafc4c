"""Containers, as in PyTorch: Sequential (layers applied in turn), ModuleList and ModuleDict
(modules held by position or by key, with no forward of their own) and ParameterList.

Their members are named "0", "1", ... (or by key), so parameter names are PyTorch's
(``layers.0.weight``) and state dicts load into the PyTorch model of the same structure.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from autograd import Tensor

from .module import Module, Parameter


def check_module(where: str, position: Any, module: Any) -> Module:
    if isinstance(module, Module):
        return module
    if isinstance(module, type) and issubclass(module, Module):
        raise TypeError(
            f"{where}(): argument {position} is the class {module.__name__}, not a layer; "
            f"call it: {module.__name__}()"
        )
    raise TypeError(f"{where}(): argument {position} is a {type(module).__name__}, not a Module")


def _index(where: str, index: Any, size: int) -> int:
    """A position as ``list`` reads it (negative from the end), checked against ``size``."""
    try:
        i = operator.index(index)
    except TypeError:
        raise TypeError(f"{where}: indices must be integers or slices, got {index!r:.40}") from None
    if not -size <= i < size:
        raise IndexError(f"{where}: index {i} is out of range for {size} entries")
    return i + size if i < 0 else i


class _Numbered(Module):
    """Members kept under the names "0", "1", ... in order; subclasses say what a member may
    be (``_check``). Changing the order renames them all, as PyTorch does."""

    _what = "entry"

    def _check(self, where: str, position: Any, item: Any) -> Any:
        raise NotImplementedError

    def _items(self) -> list[Any]:
        return [v for k, v in self.__dict__.items() if k.isdigit() and v is not None]

    def _set_items(self, items: list[Any]) -> None:
        for key in [k for k in self.__dict__ if k.isdigit()]:
            del self.__dict__[key]
        for i, item in enumerate(items):
            self.__dict__[str(i)] = item
        self._changed()

    def _changed(self) -> None:
        """Called after the members change (Sequential forgets its cached layer list)."""

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __getitem__(self, index: Any) -> Any:
        items = self._items()
        if isinstance(index, slice):
            return type(self)(items[index])  # type: ignore[call-arg]
        return items[_index(f"{type(self).__name__}[]", index, len(items))]

    def __setitem__(self, index: Any, item: Any) -> None:
        items = self._items()
        i = _index(f"{type(self).__name__}[]", index, len(items))
        items[i] = self._check(f"{type(self).__name__}.__setitem__", i, item)
        self._set_items(items)

    def __delitem__(self, index: Any) -> None:
        items = self._items()
        if isinstance(index, slice):
            del items[index]
        else:
            del items[_index(f"{type(self).__name__}[]", index, len(items))]
        self._set_items(items)

    def append(self, item: Any) -> Any:
        n = len(self)
        self.__dict__[str(n)] = self._check(f"{type(self).__name__}.append", n, item)
        self._changed()
        return self

    def extend(self, items: Iterable[Any]) -> Any:
        if isinstance(items, (Module, Tensor)) and not isinstance(items, _Numbered):
            raise TypeError(
                f"{type(self).__name__}.extend() takes an iterable of {self._what}s, got a "
                f"{type(items).__name__}"
            )
        for item in list(items):
            self.append(item)
        return self

    def insert(self, index: int, item: Any) -> None:
        items = self._items()
        items.insert(
            operator.index(index), self._check(f"{type(self).__name__}.insert", index, item)
        )
        self._set_items(items)

    def pop(self, index: int = -1) -> Any:
        items = self._items()
        item = items.pop(_index(f"{type(self).__name__}.pop", index, len(items)))
        self._set_items(items)
        return item

    def __iadd__(self, other: Iterable[Any]) -> Any:
        return self.extend(other)

    def __add__(self, other: Iterable[Any]) -> Any:
        combined = type(self)()
        combined.extend(self)
        combined.extend(other)
        return combined

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]


class Sequential(_Numbered):
    """Modules applied one after another. Children are named "0", "1", ... (as in PyTorch),
    or by the keys of a single dict argument: ``Sequential({"hidden": ..., "out": ...})``
    (PyTorch takes an OrderedDict there)."""

    _what = "module"

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        super().__init__()
        named: list[tuple[str, Any]]
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            named = [(str(k), m) for k, m in modules[0].items()]
        else:
            named = [(str(i), m) for i, m in enumerate(modules)]
        for position, (name, module) in enumerate(named):
            self.add_module(name, check_module("Sequential", position, module))

    def _check(self, where: str, position: Any, item: Any) -> Module:
        return check_module(where, position, item)

    def _changed(self) -> None:
        self.__dict__.pop("_layer_cache", None)

    def __setattr__(self, name: str, value: Any) -> None:
        self._changed()
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        self._changed()
        super().__delattr__(name)

    def add_module(self, name: str, module: Module | None) -> None:
        self._changed()
        super().add_module(name, module)

    def _named_layers(self) -> list[tuple[str, Module]]:
        # not named_children(): a module placed twice must also run twice
        return [(name, m) for name, m in self._members() if isinstance(m, Module)]

    def _items(self) -> list[Any]:
        return [m for _, m in self._named_layers()]

    def _set_items(self, items: list[Any]) -> None:
        for key, _ in self._named_layers():
            self.__dict__.pop(key, None)
        super()._set_items(items)

    def __getitem__(self, index: Any) -> Any:
        named = self._named_layers()
        if isinstance(index, slice):  # keeps the names, as PyTorch
            return Sequential(dict(named[index]))
        try:
            return named[_index("Sequential[]", index, len(named))][1]
        except IndexError:
            raise IndexError(
                f"Sequential index {index} is out of range for {len(named)} layers"
            ) from None

    def __setitem__(self, index: Any, module: Module) -> None:
        named = self._named_layers()
        i = _index("Sequential[]", index, len(named))
        self.__dict__[named[i][0]] = check_module("Sequential.__setitem__", i, module)
        self._changed()

    def append(self, module: Module) -> Sequential:
        n = len(self)
        self.add_module(str(n), check_module("Sequential.append", n, module))
        return self

    def forward(self, x: Any) -> Any:
        # the layer list is cached: forward runs once per batch, and finding the layers means
        # walking the attributes; any change of attributes forgets the cache
        layers = self.__dict__.get("_layer_cache")
        if layers is None:
            layers = self.__dict__["_layer_cache"] = tuple(self._items())
        for layer in layers:
            x = layer(x)
        return x


class ModuleList(_Numbered):
    """Modules held in a list, named "0", "1", ...: ``self.blocks = nn.ModuleList([...])``,
    then ``for block in self.blocks: x = block(x)`` in forward."""

    _what = "module"

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _check(self, where: str, position: Any, item: Any) -> Module:
        return check_module(where, position, item)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "ModuleList has no forward(); call its modules in your own forward(): "
            "for layer in self.layers: x = layer(x)"
        )


class ParameterList(_Numbered):
    """Parameters held in a list, named "0", "1", ...; a plain Tensor or array given to it is
    made a Parameter (as in PyTorch)."""

    _what = "parameter"

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _check(self, where: str, position: Any, item: Any) -> Parameter:
        if isinstance(item, Parameter):
            return item
        if isinstance(item, Module):
            raise TypeError(f"{where}(): entry {position} is a Module, not a parameter")
        return Parameter(item.detach() if isinstance(item, Tensor) else item)

    def extra_repr(self) -> str:
        lines = []
        for i, p in enumerate(self):
            lines.append(f"({i}): Parameter containing: [{p.dtype} of size {tuple(p.shape)}]")
        return "\n".join(lines)


class ModuleDict(Module):
    """Modules held by string key, in insertion order: ``self.heads = nn.ModuleDict({"a": ...})``
    then ``self.heads["a"](x)``. Keys must be strings without dots that do not hide a method."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def _keys(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if isinstance(v, Module)]

    def __getitem__(self, key: str) -> Module:
        value = self.__dict__.get(key) if isinstance(key, str) else None
        if not isinstance(value, Module):
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict keys must be strings, got {key!r}")
        self.add_module(key, check_module("ModuleDict", repr(key), module))

    def __delitem__(self, key: str) -> None:
        self[key]  # KeyError if absent
        del self.__dict__[key]

    def __len__(self) -> int:
        return len(self._keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and isinstance(self.__dict__.get(key), Module)

    def keys(self) -> list[str]:
        return self._keys()

    def values(self) -> list[Module]:
        return [self.__dict__[k] for k in self._keys()]

    def items(self) -> list[tuple[str, Module]]:
        return [(k, self.__dict__[k]) for k in self._keys()]

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in self._keys():
            del self.__dict__[key]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for i, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"ModuleDict.update(): entry {i} is not a (key, module) pair")
            self[pair[0]] = pair[1]

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "ModuleDict has no forward(); call its modules in your own forward(): "
            "self.heads[name](x)"
        )
