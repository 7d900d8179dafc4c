"""The names a model's code uses, in the other library: ``F`` (dagrad's ``nn.functional``)
becomes ``torch.nn.functional``, ``autograd.tanh`` becomes ``torch.tanh``, and the other way.

dagrad promises that a PyTorch script runs after renaming ``torch`` to ``autograd``,
``torch.nn`` to ``nn`` and ``torch.nn.functional`` to ``nn.functional``; the bridge does that
renaming on the objects a method refers to. A package is replaced by a ``Namespace``: the other
library's package, plus the few attributes whose names differ (dagrad's ``F.hard_sigmoid`` is
PyTorch's ``F.hardsigmoid``) or that live elsewhere (dagrad's ``nn.data`` is
``torch.utils.data``).
"""

from __future__ import annotations

import types
from typing import Any

from .sides import PACKAGE_KEYS, Side, TranslationError

# dagrad's names (package key, name) that PyTorch spells differently
DAGRAD_ALIASES = {
    ("functional", "hard_sigmoid"): "hardsigmoid",
    ("nn", "HardSigmoid"): "Hardsigmoid",
}

# where a package sits in its library: the package key it is reached from, then attributes
PATHS = {
    "dagrad": {"functional": "nn.functional", "init": "nn.init", "utils": "nn.utils",
               "data": "nn.data"},
    "PyTorch": {"nn": "tensor.nn", "functional": "tensor.nn.functional",
                "init": "tensor.nn.init", "utils": "tensor.nn.utils", "data": "tensor.utils.data"},
}  # fmt: skip


class Namespace(types.ModuleType):
    """A package of the target library standing in for one of the source library: its own
    attributes, then ``extras`` (renamed functions, subpackages reached by another path)."""

    def __init__(self, target: types.ModuleType | None, extras: dict[str, Any], what: str) -> None:
        super().__init__(target.__name__ if target is not None else what)
        self._target = target
        self._what = what
        self.__dict__.update(extras)

    def __getattr__(self, name: str) -> Any:
        if self._target is not None and not name.startswith("__"):
            try:
                return getattr(self._target, name)
            except AttributeError:
                pass
        raise AttributeError(f"{self._what}.{name} has no counterpart")


class Names:
    """The counterparts, in ``dst``, of ``src``'s packages and public objects."""

    def __init__(self, src: Side, dst: Side) -> None:
        self.src, self.dst = src, dst
        self.aliases = DAGRAD_ALIASES if src.name == "dagrad" else {}
        self.namespaces: dict[int, Namespace] = {}
        self._build()

    def _build(self) -> None:
        """One namespace per source package, each holding its subpackages under the names the
        source library reaches them by (``torch.nn.functional``: nn, then functional)."""
        for key in PACKAGE_KEYS:
            extras = {
                mine: getattr(self.dst.packages[key], theirs)
                for (k, mine), theirs in self.aliases.items()
                if k == key
            }
            source = self.src.packages[key]
            self.namespaces[id(source)] = Namespace(self.dst.packages[key], extras, source.__name__)
        for path in PATHS[self.src.name].values():
            first, *parts = path.split(".")
            module = self.src.packages[first]
            holder = self.namespaces[id(module)]
            for part in parts:
                module = getattr(module, part)
                child = self.namespaces.get(id(module))
                if child is None:  # a package with no counterpart of its own (torch.utils)
                    child = self.namespaces[id(module)] = Namespace(None, {}, module.__name__)
                holder.__dict__.setdefault(part, child)
                holder = child

    def namespace(self, package: types.ModuleType) -> Namespace | None:
        """The stand-in of a source package (None: not one of the source library's public
        packages). A package already standing in (a model moved before, now moved back) counts
        as the package it stands for."""
        if isinstance(package, Namespace) and package._target is not None:
            package = package._target
        return self.namespaces.get(id(package))

    def counterpart(self, value: Any, name: str, where: str) -> tuple[bool, Any]:
        """(True, counterpart) when ``value`` (bound to ``name`` in the code) is a public object
        of the source library; (False, None) when it is not the library's at all. A library
        object without a counterpart is refused, naming ``where`` it is used."""
        if isinstance(value, types.ModuleType):
            space = self.namespace(value)
            if space is not None:
                return True, space
            if self.src.owns(value):
                raise TranslationError(
                    f"{where} uses the module {value.__name__}, which has no {self.dst.name} "
                    "counterpart"
                )
            return False, None
        if isinstance(value, (bool, int, float, complex, str, bytes, type(None))):
            return False, None
        for key in PACKAGE_KEYS:
            package = self.src.packages[key]
            for candidate in (name, getattr(value, "__name__", None)):
                if isinstance(candidate, str) and _public(package, candidate, value):
                    return True, self.attribute(package, candidate, where)
        if self.src.owns(value):
            label = getattr(value, "__qualname__", type(value).__name__)
            raise TranslationError(
                f"{where} uses {getattr(value, '__module__', '')}.{label}, which is not a public "
                f"name of {self.src.name} with a {self.dst.name} counterpart"
            )
        return False, None

    def attribute(self, package: types.ModuleType, name: str, where: str) -> Any:
        """The counterpart of ``package.name`` (refused, naming ``where``, if there is none)."""
        space = self.namespace(package)
        if space is not None:
            try:
                return getattr(space, name)
            except AttributeError:
                pass
        raise TranslationError(
            f"{where} uses {package.__name__}.{name}, which {self.dst.name} does not have; "
            f"write it with functions both libraries have"
        )


def _public(package: types.ModuleType, name: str, value: Any) -> bool:
    if name.startswith("_"):
        return False
    try:
        return getattr(package, name) is value
    except AttributeError:
        return False
