"""The code of a user's Module subclass, moved to the other library.

A subclass's methods (``forward`` above all) are written against one library's names: ``F.relu``,
``autograd.tanh``, ``self.fc1(x)``. Its counterpart is a new class with the same name and
methods, based on the other library's ``Module`` (or layer), whose methods are the same code
with the library's names bound to their counterparts (see names.py): the method bodies are not
rewritten, their global names are. Before that, every name the code reaches through a library
package (``F.hard_sigmoid``, ``nn.functional.mish``) is looked up in the other library, so that a
method using something the other library lacks is refused when the model converts, naming it,
rather than failing when it first runs.

Helper functions of the user's module that a method calls are moved the same way; the walk
over the functions (and the code objects inside them) uses a work list, not recursion.
"""

from __future__ import annotations

import dis
import functools
import types
from typing import Any

import numpy as np

from .names import Names
from .sides import Side, TranslationError

# attribute-reading instructions that continue a dotted name (``F.relu``, ``torch.nn.init``)
_ATTRIBUTE_OPS = frozenset({"LOAD_ATTR", "LOAD_METHOD"})
_NAME_OPS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF"})

# class attributes that are Python's bookkeeping, not the user's code
_CLASS_BOOKKEEPING = frozenset(
    {"__dict__", "__weakref__", "__module__", "__qualname__", "__init__", "__firstlineno__",
     "__static_attributes__", "__orig_bases__", "__parameters__", "__abstractmethods__",
     "_abc_impl"}
)  # fmt: skip
# methods through which the library runs the module itself: overriding them changes what
# the library's own machinery does, which cannot be carried across
_MACHINERY = frozenset(
    {"__new__", "__setattr__", "__getattr__", "__getattribute__", "__delattr__", "__slots__",
     "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__"}
)  # fmt: skip


class Translator:
    """Moves values, functions and classes from ``src`` to ``dst``; remembers what it moved,
    so that objects shared in the source stay shared (and cycles end)."""

    def __init__(self, src: Side, dst: Side) -> None:
        self.src, self.dst = src, dst
        self.names = Names(src, dst)
        self.functions: dict[int, types.FunctionType] = {}
        self.classes: dict[type, type] = {}
        self.tensors: dict[int, Any] = {}
        self.importers: dict[int, bool] = {}  # id(a module's globals) -> it uses the library

    # values ---------------------------------------------------------------------------------
    def value(self, value: Any, name: str, where: str) -> Any:
        """The counterpart of a value a module holds or its code refers to (as ``name``)."""
        if isinstance(value, (bool, int, float, complex, str, bytes, type(None))):
            return value
        if self.src.is_tensor(value):
            return self.tensor(value)
        if self.src.is_module(value):
            raise TranslationError(
                f"{where} refers to a {self.src.name} module ({type(value).__name__}) that is "
                "not part of the model: make it an attribute of the model (self.<name> = ...)"
            )
        if isinstance(value, np.ndarray):
            return self.dst.tensor(value) if self.dst.name == "PyTorch" else value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, (tuple, list, set, frozenset)):
            items = [self.value(v, name, where) for v in value]
            return type(value)(items)
        if isinstance(value, dict):
            return {k: self.value(v, name, where) for k, v in value.items()}
        if isinstance(value, functools.partial):
            return functools.partial(
                self.value(value.func, name, where),
                *[self.value(a, name, where) for a in value.args],
                **{k: self.value(v, name, where) for k, v in value.keywords.items()},
            )
        found, counterpart = self.names.counterpart(value, name, where)
        if found:
            return counterpart
        if isinstance(value, types.FunctionType) and self._moves(value):
            return self.function(value)
        if isinstance(value, type) and issubclass(value, self.src.Module):
            raise TranslationError(
                f"{where} refers to the class {value.__name__}: code that builds or tests for "
                "Module classes has no translation"
            )
        return value  # an object of neither library (a module like math, a user's constant)

    def tensor(self, tensor: Any) -> Any:
        """A tensor's counterpart (a copy), once per tensor."""
        key = id(tensor)
        if key not in self.tensors:
            array = self.src.array(tensor)
            grad = self.src.requires_grad(tensor)
            if self.src.is_parameter(tensor):
                self.tensors[key] = self.dst.parameter(array, grad)
            else:
                self.tensors[key] = self.dst.tensor(array, grad and tensor.is_leaf)
        return self.tensors[key]

    # functions -------------------------------------------------------------------------------
    def function(self, fn: types.FunctionType) -> types.FunctionType:
        """``fn`` with its global names bound to their counterparts. The helpers it calls that
        use the library are moved too, on a work list: each gets its copy (with an empty
        namespace) when first seen, and its namespace is filled when its turn comes, so that
        helpers calling each other end up bound to each other's copies."""
        if id(fn) in self.functions:
            return self.functions[id(fn)]
        todo = [fn]
        self._shell(fn)
        while todo:
            self._fill(todo.pop(), todo)
        return self.functions[id(fn)]

    def _shell(self, f: types.FunctionType) -> types.FunctionType:
        space: dict[str, Any] = {
            "__builtins__": f.__globals__.get("__builtins__", __builtins__),
            "__name__": f.__globals__.get("__name__"),
        }
        copy = types.FunctionType(f.__code__, space, f.__name__, None, _cells(f.__closure__))
        copy.__qualname__, copy.__doc__ = f.__qualname__, f.__doc__
        copy.__dict__.update(f.__dict__)
        copy.__annotations__ = dict(getattr(f, "__annotations__", {}))
        self.functions[id(f)] = copy
        return copy

    def _fill(self, f: types.FunctionType, todo: list[types.FunctionType]) -> None:
        copy = self.functions[id(f)]
        where = f"{f.__qualname__}()"
        _check_imports(f.__code__, self.src, where)
        self._check_chains(f, where)
        for name in _used_names(f.__code__):
            if name in f.__globals__:
                copy.__globals__[name] = self._bound(f.__globals__[name], name, where, todo)
        if f.__defaults__:
            copy.__defaults__ = tuple(self.value(d, "default", where) for d in f.__defaults__)
        if f.__kwdefaults__:
            copy.__kwdefaults__ = {k: self.value(v, k, where) for k, v in f.__kwdefaults__.items()}
        for cell, old in zip(copy.__closure__ or (), f.__closure__ or ()):
            cell.cell_contents = self._bound(_contents(old), "closure", where, todo)

    def _bound(self, value: Any, name: str, where: str, todo: list[types.FunctionType]) -> Any:
        """The counterpart of a global or closure value of a function being moved."""
        if isinstance(value, types.FunctionType) and self._moves(value):
            if id(value) not in self.functions:
                self._shell(value)
                todo.append(value)
            return self.functions[id(value)]
        if isinstance(value, type) and value in self.classes:  # super()'s __class__ cell
            return self.classes[value]
        return self.value(value, name, where)

    def _moves(self, fn: types.FunctionType) -> bool:
        """A function of the user's code (not a library's) whose module imports the source
        library: its names need binding to the other library. A function of any other
        module (NumPy's, say) is used as it is."""
        if self.src.owns(fn):
            return False
        key = id(fn.__globals__)
        if key not in self.importers:
            self.importers[key] = any(
                (isinstance(v, types.ModuleType) and self.names.namespace(v) is not None)
                or self.src.owns(v)
                for v in list(fn.__globals__.values())
                if isinstance(v, (types.ModuleType, type, types.FunctionType))
            )
        return self.importers[key]

    def _check_chains(self, fn: types.FunctionType, where: str) -> None:
        """Every dotted name the code reaches through a library package must exist in the
        other library (``F.hard_sigmoid`` -> ``torch.nn.functional.hardsigmoid``)."""
        closure = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
        for code in _code_objects(fn.__code__):
            for head, attrs in _chains(code):
                if head in closure:
                    value = _contents(closure[head])
                elif head in fn.__globals__:
                    value = fn.__globals__[head]
                else:
                    continue
                for attr in attrs:
                    if (
                        not isinstance(value, types.ModuleType)
                        or self.names.namespace(value) is None
                    ):
                        break
                    try:
                        inner = getattr(value, attr)
                    except AttributeError:  # fails in the source library too: not ours to judge
                        break
                    if isinstance(inner, types.ModuleType) and self.names.namespace(inner):
                        value = inner  # a subpackage both libraries have: read on
                        continue
                    self.names.attribute(value, attr, where)
                    break

    # classes ---------------------------------------------------------------------------------
    def subclass(self, chain: list[type], base: type) -> type:
        """The counterpart of the user classes ``chain`` (most derived first, each the only
        base of the one before) on top of the other library's class ``base``: one new class per
        user class, so that ``super()`` inside a method still reaches the next class up."""
        parent = base
        made: list[tuple[type, type]] = []
        for cls in reversed(chain):
            if cls in self.classes:
                parent = self.classes[cls]
                continue
            bad = sorted(_MACHINERY & set(cls.__dict__))
            if bad:
                raise TranslationError(
                    f"{cls.__name__} defines {', '.join(bad)}, which change how the "
                    f"{self.src.name} module machinery itself works: that has no translation"
                )
            new = types.new_class(cls.__name__, (parent,))
            new.__module__, new.__qualname__ = cls.__module__, cls.__qualname__
            new.__doc__ = cls.__doc__
            self.classes[cls] = new
            made.append((cls, new))
            parent = new
        for cls, new in made:
            for name, value in cls.__dict__.items():
                if name in _CLASS_BOOKKEEPING or name == "__doc__":
                    continue
                setattr(new, name, self._member(value, f"{cls.__name__}.{name}"))
        return self.classes[chain[0]]

    def _member(self, value: Any, where: str) -> Any:
        """The counterpart of one entry of a class body."""
        if isinstance(value, types.FunctionType):
            return self.function(value)
        if isinstance(value, staticmethod):
            return staticmethod(self._member(value.__func__, where))
        if isinstance(value, classmethod):
            return classmethod(self._member(value.__func__, where))
        if isinstance(value, property):
            parts = [value.fget, value.fset, value.fdel]
            moved = [self._member(p, where) if p is not None else None for p in parts]
            return property(moved[0], moved[1], moved[2], value.__doc__)
        if isinstance(value, (types.MethodDescriptorType, functools.cached_property)):
            raise TranslationError(f"{where}: a {type(value).__name__} has no translation")
        return self.value(value, where.rsplit(".", 1)[-1], where)


def _cells(closure: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """Fresh, empty cells for a copy of a function (filled with the counterparts later)."""
    return None if closure is None else tuple(types.CellType() for _ in closure)


def _contents(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell (a variable not assigned yet)
        return None


def _code_objects(code: types.CodeType) -> list[types.CodeType]:
    """``code`` and every code object nested in it (lambdas, comprehensions, inner functions)."""
    found, todo = [], [code]
    while todo:
        c = todo.pop()
        found.append(c)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return found


def _used_names(code: types.CodeType) -> set[str]:
    """The global names the code (or code nested in it) may read."""
    names: set[str] = set()
    for c in _code_objects(code):
        names.update(c.co_names)
    return names


def _chains(code: types.CodeType) -> list[tuple[str, list[str]]]:
    """(name, [attribute, ...]) for each dotted name the code reads: ``F.relu`` is
    ("F", ["relu"]), ``torch.nn.functional.gelu`` is ("torch", ["nn", "functional", "gelu"])."""
    chains: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    for instruction in dis.get_instructions(code):
        op = instruction.opname
        if op in _NAME_OPS and isinstance(instruction.argval, str):
            current = (instruction.argval, [])
            chains.append(current)
        elif op in _ATTRIBUTE_OPS and current is not None:
            current[1].append(str(instruction.argval))
        elif op not in ("CACHE", "PRECALL", "EXTENDED_ARG", "PUSH_NULL"):
            current = None
    return chains


def _check_imports(code: types.CodeType, side: Side, where: str) -> None:
    """An import inside a method would bring the source library back in at run time."""
    for c in _code_objects(code):
        for instruction in dis.get_instructions(c):
            if instruction.opname == "IMPORT_NAME":
                root = str(instruction.argval).split(".")[0]
                if root in side.roots:
                    raise TranslationError(
                        f"{where} imports {instruction.argval} inside the function: import it "
                        "at the top of the file, where the bridge can replace it"
                    )
