"""What a checkpoint holds, as plain data: a tree of dicts, lists and tuples whose leaves are
tensors, arrays, numbers, strings and None (a model's state_dict, an optimizer's, a scheduler's,
or a training checkpoint made of those), flattened into a JSON node list plus the arrays.

The node list is flat so that neither writing nor reading it recurses (a deep tree cannot
overflow the stack): node 0 is the root, and a container lists the numbers of its children,
which always come after it. Nothing here can build an object other than the types listed, so
reading a file never runs code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import Node, Tensor, from_numpy

from .module import Module, Parameter

NodeList = list[list[Any]]


class TreeError(ValueError):
    """A node list that does not describe a checkpoint (a damaged or foreign file)."""


def _describe(path: str) -> str:
    """An entry by its keys from the top, e.g. entry 'optimizer'/'state'/0."""
    return f"entry {path}" if path else "the object"


def _child(path: str, key: Any) -> str:
    return f"{path}/{key!r}" if path else repr(key)


def _unsupported(path: str, value: Any) -> TypeError:
    return TypeError(
        f"nn.save(): cannot save {_describe(path)}: a {type(value).__name__}. A checkpoint holds "
        "tensors, arrays, numbers, strings, None, and dicts, lists and tuples of those (a "
        "model's, optimizer's or scheduler's state_dict()); nn.save never pickles"
    )


def flatten(obj: Any) -> tuple[NodeList, list[tuple[str, np.ndarray]]]:
    """The node list of ``obj`` and its arrays as (readable name, array), in node order.

    A Module is saved as its ``state_dict()``. Errors name the path of the offending entry,
    e.g. ``checkpoint['optimizer']['state'][0]``."""
    nodes: NodeList = []
    arrays: list[tuple[str, np.ndarray]] = []
    # (value, node slot to fill, path for messages, key path for array names, ids of the
    # containers above it: a container inside itself is refused)
    stack: list[tuple[Any, int, str, tuple[str, ...], frozenset[int]]] = []

    def new_node(value: Any, path: str, names: tuple[str, ...], above: frozenset[int]) -> int:
        nodes.append([])
        stack.append((value, len(nodes) - 1, path, names, above))
        return len(nodes) - 1

    new_node(obj, "", (), frozenset())
    while stack:
        value, slot, path, names, above = stack.pop()
        if isinstance(value, Module):
            value = value.state_dict()
        if isinstance(value, (Mapping, list, tuple)):
            if id(value) in above:
                raise ValueError(f"nn.save(): {_describe(path)} contains itself")
            inner = above | {id(value)}
            if isinstance(value, Mapping):
                children: list[int] = []
                pending = []
                for key, item in value.items():
                    if not _is_key(key):
                        raise TypeError(
                            f"nn.save(): {_describe(path)} has the key {key!r:.40}, a "
                            f"{type(key).__name__}; keys must be strings, numbers, booleans or None"
                        )
                    pending.append((key, item))
                nodes[slot] = ["dict", children]
                for key, item in pending:  # keys are leaves: encode them now
                    nodes.append(_scalar_node(key))
                    children.append(len(nodes) - 1)
                    children.append(new_node(item, _child(path, key), names + (str(key),), inner))
            else:
                kind = "tuple" if isinstance(value, tuple) else "list"
                nodes[slot] = [kind, []]
                for i, item in enumerate(value):
                    nodes[slot][1].append(new_node(item, _child(path, i), names + (str(i),), inner))
            continue
        array_kind = _array_kind(value, path)
        if array_kind is not None:
            kind, data, extra = array_kind
            arrays.append(("/".join(names), data))
            nodes[slot] = [kind, len(arrays) - 1, *extra]
            continue
        if _is_key(value):
            nodes[slot] = _scalar_node(value)
            continue
        raise _unsupported(path, value)
    return nodes, arrays


def _is_key(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, (str, bool, int, float))
        and not isinstance(value, complex)
    )


def _scalar_node(value: Any) -> list[Any]:
    if value is None:
        return ["none"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", int(value)]
    if isinstance(value, float):
        return ["float", float(value).hex()]  # exact, and inf/nan survive JSON
    return ["str", str(value)]


def _array_kind(value: Any, path: str) -> tuple[str, np.ndarray, list[Any]] | None:
    if isinstance(value, Tensor):
        return "tensor", value.data, [bool(value.requires_grad), isinstance(value, Parameter)]
    if isinstance(value, Node):
        raise TypeError(
            f"nn.save(): {_describe(path)} is a {type(value).__name__}; save its number "
            "(.data) instead"
        )
    if isinstance(value, np.ndarray):
        data, kind = value, "array"
    elif isinstance(value, np.generic):
        data, kind = np.asarray(value), "scalar"
    else:
        return None
    if data.dtype.kind not in "biufc" or data.dtype.hasobject:
        raise TypeError(
            f"nn.save(): {_describe(path)} has dtype {data.dtype}; only numeric arrays can be saved"
        )
    return kind, data, []


def member_names(arrays: list[tuple[str, np.ndarray]], reserved: set[str]) -> list[str]:
    """A unique zip member name (without .npy) per array: its key path ("model/0.weight")
    when that is usable, else its number ("#3")."""
    used = set(reserved)
    names = []
    for i, (path, _) in enumerate(arrays):
        name = path
        if not name or name in used or "\x00" in name or not _utf8(name) or name.startswith("#"):
            name = f"#{i}"
        used.add(name)
        names.append(name)
    return names


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def encode(nodes: NodeList) -> bytes:
    return json.dumps(nodes, separators=(",", ":"), allow_nan=False).encode("utf-8")


def decode(raw: bytes, arrays: list[np.ndarray]) -> Any:
    """Rebuild the object from a node list (JSON bytes) and its arrays; any inconsistency
    raises TreeError."""
    try:
        nodes = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise TreeError(f"its structure is not valid JSON ({type(err).__name__})") from None
    if not isinstance(nodes, list) or not nodes:
        raise TreeError("its structure is empty")
    built: list[Any] = [None] * len(nodes)
    for i in range(len(nodes) - 1, -1, -1):  # children come after their parent
        built[i] = _build(i, nodes[i], built, len(nodes), arrays)
    return built[0]


def _children(i: int, ids: Any, count: int) -> list[int]:
    if not isinstance(ids, list) or not all(type(c) is int and i < c < count for c in ids):
        raise TreeError(f"node {i} lists children that are not nodes after it")
    return ids


def _build(i: int, node: Any, built: list[Any], count: int, arrays: list[np.ndarray]) -> Any:
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise TreeError(f"node {i} is not a node")
    kind, args = node[0], node[1:]
    if kind == "dict" and len(args) == 1:
        ids = _children(i, args[0], count)
        if len(ids) % 2:
            raise TreeError(f"node {i} is a dict with a key but no value")
        keys = [built[k] for k in ids[0::2]]
        for k in keys:
            if not _is_key(k):
                raise TreeError(f"node {i} is a dict with a key that is a {type(k).__name__}")
        return dict(zip(keys, (built[v] for v in ids[1::2])))
    if kind in ("list", "tuple") and len(args) == 1:
        items = [built[c] for c in _children(i, args[0], count)]
        return items if kind == "list" else tuple(items)
    if kind == "none" and not args:
        return None
    if kind == "bool" and len(args) == 1 and isinstance(args[0], bool):
        return args[0]
    if kind == "int" and len(args) == 1 and type(args[0]) is int:
        return args[0]
    if kind == "float" and len(args) == 1 and isinstance(args[0], str):
        try:
            return float.fromhex(args[0])
        except (ValueError, OverflowError):
            raise TreeError(f"node {i} is not a float ({args[0]!r:.40})") from None
    if kind == "str" and len(args) == 1 and isinstance(args[0], str):
        return args[0]
    if kind in ("tensor", "array", "scalar") and args and type(args[0]) is int:
        if not 0 <= args[0] < len(arrays):
            raise TreeError(f"node {i} names array {args[0]}, which the file does not hold")
        data = arrays[args[0]]
        if kind == "array" and len(args) == 1:
            return data
        if kind == "scalar" and len(args) == 1 and data.ndim == 0:
            return data[()]
        if kind == "tensor" and len(args) == 3 and all(isinstance(a, bool) for a in args[1:]):
            requires_grad = args[1] and data.dtype.kind in "fc"
            if args[2] and data.dtype.kind == "f":
                return Parameter(data, requires_grad=requires_grad)
            t = from_numpy(data)  # the array was read for this object alone
            return t.requires_grad_(True) if requires_grad else t
    raise TreeError(f"node {i} ({kind!r:.20}) is not a node this version can read")
