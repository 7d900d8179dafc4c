"""A model's module tree, rebuilt in the other library: the same classes (a layer's counterpart,
or a user's subclass moved by methods.py), the same member names, the same numbers.

Two passes over the tree, each with a work list (no recursion): first every module gets its
counterpart, built empty or from its settings; then each counterpart gets its members:
submodules (the counterparts from the first pass, so a module used twice stays one module),
parameters and buffers (copies; a tensor shared by two modules stays shared), and the plain
attributes a user's subclass set in its ``__init__``. Finally the two state dicts are compared
name by name, shape by shape.
"""

from __future__ import annotations

from typing import Any

from .layers import layer_names, settings
from .methods import Translator
from .sides import Member, Side, TranslationError


def convert_module(root: Any, src: Side, dst: Side) -> Any:
    """The counterpart in ``dst`` of the ``src`` module ``root`` and everything below it."""
    translator = Translator(src, dst)
    shared = layer_names(src)
    targets_by_name = {name: getattr(dst.packages["nn"], name) for name in set(shared.values())}
    order: list[Any] = []
    made: dict[int, Any] = {}
    todo = [root]
    while todo:
        module = todo.pop()
        if id(module) in made:
            continue
        made[id(module)] = _counterpart(module, src, dst, shared, targets_by_name, translator)
        order.append(module)
        todo.extend(reversed([m for m in module.children() if m is not None]))
    for module in order:
        _attach_members(module, made, src, dst, shared, translator)
    for module in order:
        made[id(module)].training = bool(module.training)
    result = made[id(root)]
    _compare_states(root, result, src, dst)
    return result


def _counterpart(
    module: Any,
    src: Side,
    dst: Side,
    shared: dict[type, str],
    targets_by_name: dict[str, type],
    translator: Translator,
) -> Any:
    """The empty counterpart of one module: its layer's, or its user class's on top of it."""
    cls = type(module)
    chain: list[type] = []  # the user's classes above the library's, most derived first
    name = None
    for c in cls.__mro__:
        if c in shared:
            name = shared[c]
            break
        if c is src.Module:
            break
        if src.owns(c):
            names = ", ".join(sorted(set(shared.values())))
            raise TranslationError(
                f"{c.__module__}.{c.__qualname__} (a {src.name} module) has no {dst.name} "
                f"counterpart; the layers that have one are: {names}"
            )
        if not issubclass(c, src.Module) or len(c.__bases__) != 1:
            raise TranslationError(
                f"{cls.__name__}: the class {c.__name__} is a mix-in or has several bases; "
                "only single inheritance from Module (or from one layer) can be translated"
            )
        chain.append(c)
    base = targets_by_name[name] if name is not None else dst.Module
    kwargs = settings(module, name, base, src, dst) if name is not None else {}
    target_class = translator.subclass(chain, base) if chain else base
    with dst.without_random_draws():
        return target_class(**kwargs)


def _attach_members(
    module: Any,
    made: dict[int, Any],
    src: Side,
    dst: Side,
    shared: dict[type, str],
    translator: Translator,
) -> None:
    target = made[id(module)]
    is_layer = type(module) in shared  # its settings went to the constructor already
    for member in src.members(module):
        where = f"{type(module).__name__}.{member.name}"
        value = member.value
        if member.kind == "module":
            dst.attach(target, Member(member.name, "module", made.get(id(value))))
        elif member.kind in ("parameter", "buffer"):
            moved = None if value is None else translator.tensor(value)
            dst.attach(target, Member(member.name, member.kind, moved, member.persistent))
        elif is_layer:
            continue
        else:
            held = _container(value, made, src, dst, translator, where)
            if held is not None:
                held.training = bool(module.training)
                dst.attach(target, Member(member.name, "module", held))
            elif member.name not in vars(target):
                moved = translator.value(value, member.name, where)
                dst.attach(target, Member(member.name, "plain", moved))


def _container(
    value: Any, made: dict[int, Any], src: Side, dst: Side, translator: Translator, where: str
) -> Any:
    """A list, tuple or dict of modules (or of parameters) that a dagrad module holds as an
    attribute (dagrad finds members inside them) becomes the other library's ModuleList,
    ModuleDict, ParameterList or ParameterDict; None when ``value`` holds no members."""
    if not isinstance(value, (list, tuple, dict)) or not value:
        return None
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    modules = [src.is_module(v) for _, v in items]
    params = [src.is_parameter(v) for _, v in items]
    if not any(modules) and not any(params):
        return None
    if isinstance(value, dict) and not all(isinstance(k, str) for k, _ in items):
        raise TranslationError(f"{where}: a dict of modules or parameters needs string keys")
    if all(modules):
        if isinstance(value, dict):
            return dst.ModuleDict({k: made[id(v)] for k, v in items})
        return dst.ModuleList([made[id(v)] for _, v in items])
    if all(params):
        tensors = [(k, translator.tensor(v)) for k, v in items]
        if not isinstance(value, dict):
            return dst.ParameterList([t for _, t in tensors])
        if dst.ParameterDict is None:
            raise TranslationError(f"{where}: {dst.name} has no ParameterDict")
        return dst.ParameterDict(dict(tensors))
    raise TranslationError(
        f"{where} mixes modules or parameters with other values (or nests containers); "
        "hold them in separate lists, one kind each"
    )


def _compare_states(source: Any, target: Any, src: Side, dst: Side) -> None:
    """The translation must give the same state dict: names, order, shapes and dtypes."""
    ours, theirs = src.state(source), dst.state(target)
    if ours != theirs:
        differ = [f"{a} vs {b}" for a, b in zip(ours, theirs) if a != b][:3]
        raise RuntimeError(
            f"the {dst.name} counterpart of {type(source).__name__} has another state_dict "
            f"({len(ours)} entries vs {len(theirs)}; first differences: {differ}): a bug of "
            "the bridge, please report it with the model"
        )
