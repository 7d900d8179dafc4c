"""What enters a compiled step and what comes out of it.

Arguments: Values and real numbers, in lists and tuples nested as deep as you like, are the
step's inputs, read afresh at every call; bools, None and strings are settings that steer
``fn`` (a call with other settings, or with another nesting, is recorded anew). A call's
*key* describes all of that, and which Values are the same object, so that a replay is only ever
tried for calls that the recording can stand for.

Results: ``fn`` returns a Value, or lists and tuples of Values. A plain number is refused: it
was computed from ``.data`` on the side, outside the graph, and a replay could not recompute it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator
from typing import Any

from ..graph import Node
from ..value import Value

_SETTINGS = (bool, str, type(None))  # passed through to fn and compared as they are


def flatten(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[list[Any], tuple[Any, ...]]:
    """The leaves (Values and numbers, in order) and the key: the nesting, each leaf's kind,
    which Values are the same object, and the settings."""
    leaves: list[Any] = []
    key: list[Any] = [tuple(kwargs)]
    first: dict[int, int] = {}  # id of a Value -> the first leaf it is
    stack: list[Any] = [*reversed(kwargs.values()), *reversed(args)]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is list or kind is tuple:
            key.append((kind, len(item)))
            stack.extend(reversed(item))
        elif isinstance(item, Value):
            position = first.setdefault(id(item), len(leaves))
            if item.grad_fn is not None:
                key.append(("graph", position))  # the result of an op made before the call
            else:
                key.append(("grad" if item.requires_grad else "value", position))
            leaves.append(item)
        elif isinstance(item, _SETTINGS):
            key.append((kind, item))
        elif isinstance(item, numbers.Real):
            key.append("number")
            leaves.append(item)
        else:
            raise TypeError(_refused_argument(item))
    return leaves, tuple(key)


def _refused_argument(item: Any) -> str:
    what = type(item).__name__
    if isinstance(item, Node):
        hint = "compile records graphs of Values; call a function of Tensors directly"
    elif hasattr(item, "tolist"):
        hint = "pass its numbers as a list (x.tolist())"
    else:
        hint = (
            "pass Values, numbers, or lists and tuples of them (bools, None and strings are "
            "settings); anything else fn needs, let it read from outside (a closure or a "
            "global): it is then part of the recording"
        )
    return f"compile: cannot pass a {what} to a compiled step; {hint}"


def map_nested(root: Any, leaf: Callable[[Any], Any]) -> Any:
    """``root`` with lists and tuples copied and every other item replaced by ``leaf(item)``,
    in the order ``flatten`` visits them (iterative: data can nest deeply)."""
    if type(root) is not list and type(root) is not tuple:
        return leaf(root)
    holder: list[Any] = [None]
    # frames: [source container, its items rebuilt so far, where the result goes, its index there]
    stack: list[list[Any]] = [[root, [], holder, 0]]
    while stack:
        frame = stack[-1]
        source, built = frame[0], frame[1]
        i = len(built)
        if i == len(source):
            stack.pop()
            frame[2][frame[3]] = built if type(source) is list else tuple(built)
            continue
        item = source[i]
        if type(item) is list or type(item) is tuple:
            built.append(None)  # filled in when the inner container is done
            stack.append([item, [], built, i])
        else:
            built.append(leaf(item))
    return holder[0]


def call_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], number: Callable[[Any], Value]
) -> tuple[tuple[Any, ...], dict[str, Any], list[Any]]:
    """The arguments fn is called with while it is recorded: every number replaced by
    ``number(x)`` (a Value, so that what fn computes from it is recorded), and the leaves as fn
    gets them."""
    given: list[Any] = []

    def swap(item: Any) -> Any:
        if isinstance(item, Value) or isinstance(item, _SETTINGS):
            got = item
        else:
            got = number(item)
        if not isinstance(item, _SETTINGS):
            given.append(got)
        return got

    new_args = tuple(map_nested(a, swap) for a in args)
    new_kwargs = {name: map_nested(a, swap) for name, a in kwargs.items()}
    return new_args, new_kwargs, given


def split_outputs(result: Any) -> tuple[list[Value], Any]:
    """fn's Values in order, and the result's shape with each Value replaced by its position;
    anything but Values, lists and tuples is refused, a number with a hint."""
    found: list[Value] = []
    nested = type(result) is list or type(result) is tuple

    def take(item: Any) -> int:
        if not isinstance(item, Value):
            raise TypeError(_refused_output(item, nested))
        found.append(item)
        return len(found) - 1

    template = map_nested(result, take)
    return found, template


def _refused_output(item: Any, nested: bool) -> str:
    where = "fn returned a" + (" list or tuple holding a" if nested else "")
    if isinstance(item, numbers.Real):
        return (
            f"compile: {where} {type(item).__name__} ({item!r:.40}), not a Value. A number "
            "computed from .data (an accuracy, say) is not part of the graph, so a replay cannot "
            "recompute it: return the Values it comes from instead (the scores, say) and compute "
            "the number from the step's result"
        )
    return (
        f"compile: {where} {type(item).__name__}; fn must return a Value, or lists and tuples "
        "of Values"
    )


def rebuild(template: Any, items: list[Any]) -> Any:
    """The result's shape filled with ``items`` (by position)."""
    it: Iterator[Any] = iter(items)
    return map_nested(template, lambda _: next(it))
