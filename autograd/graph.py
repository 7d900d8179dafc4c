"""The graph core shared by Value and Tensor: nodes, grad mode, topological order, backward.

Nothing in here knows about floats or arrays. A node type supplies three hooks:
``_seed_grad`` (the gradient of a node with respect to itself), ``_wrap_grad`` (turn a raw
gradient into a constant node, for ``grad()``) and ``_empty_grad`` (what ``.grad`` holds before
any gradient arrived: 0.0 for Value, None for Tensor).

A node records its parents, the backward rule of the op that made it (``_rule``) and whatever
non-differentiable context that rule needs (``_ctx``). It never holds a reference to itself or
to its consumers, so a graph is a tree of plain references that reference counting frees as soon
as its output is dropped: no cycles, no work for the garbage collector.

A backward rule (a "VJP") has the signature ``rule(ctx, g, out, *inputs) -> tuple`` and returns
one gradient per input (None where there is none). In the fast path ``g``, ``out`` and the inputs
are raw data (floats or arrays); with ``create_graph=True`` they are nodes, so the gradients are
themselves recorded and can be differentiated again. Every rule is written with operations that
both kinds of argument support.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

Rule = Callable[..., tuple[Any, ...]]


class _Mode(threading.local):
    enabled = True  # grad mode: the default every new thread starts with
    anomaly = False  # detect_anomaly(): see anomaly.py


_mode = _Mode()


def is_grad_enabled() -> bool:
    """True unless the current thread is inside ``no_grad()``."""
    return _mode.enabled


def _set_grad_enabled(enabled: bool) -> None:
    _mode.enabled = enabled


class FreshInstanceDecorator:
    """Lets a no-argument context manager decorate a function: each call enters a fresh
    instance, so concurrent and recursive calls never share one instance's saved state."""

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        make = type(self)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with make():
                return fn(*args, **kwargs)

        return wrapper

    def __enter__(self) -> Any:
        raise NotImplementedError

    def __exit__(self, *exc: object) -> None:
        raise NotImplementedError


class _GradMode(FreshInstanceDecorator):
    """Context manager and decorator that sets grad mode for the current thread only."""

    enabled: bool = True

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(is_grad_enabled())
        _set_grad_enabled(self.enabled)

    def __exit__(self, *exc: object) -> None:
        _set_grad_enabled(self._previous.pop())


class no_grad(_GradMode):  # noqa: N801 - named as in PyTorch
    """Record no graph inside this block (or decorated function): ops return constants."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801 - named as in PyTorch
    """Re-enable graph recording inside a ``no_grad`` block."""

    enabled = True


def rule(name: str) -> Callable[[Rule], Rule]:
    """Mark a backward rule with the op name shown in errors and drawings."""

    def mark(fn: Rule) -> Rule:
        fn.op_name = name  # type: ignore[attr-defined]
        return fn

    return mark


def op_name(node: Node) -> str:
    """The name of the op that made ``node`` ("" for a leaf)."""
    return getattr(node._rule, "op_name", "") if node._rule is not None else ""


class Node:
    """A vertex of the computation graph. Value and Tensor derive from it."""

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_rule", "_ctx", "__weakref__")

    data: Any
    grad: Any
    requires_grad: bool
    _parents: tuple[Node, ...]
    _rule: Rule | None
    _ctx: Any

    # hooks each node type provides -------------------------------------------------
    _empty_grad: Any = None

    def _seed_grad(self) -> Any:
        raise NotImplementedError

    @classmethod
    def _wrap_grad(cls, raw: Any) -> Node:
        raise NotImplementedError

    def _check_seed(self, seed: Any, where: str) -> Any:
        """Validate and convert a user-supplied output gradient (``where`` names the argument
        in errors)."""
        return seed

    def _describe(self) -> str:
        """A short description for error messages (type, shape, dtype)."""
        return type(self).__name__

    @staticmethod
    def _non_finite(raw: Any) -> str | None:
        """'nan' or 'inf' if raw data holds one (for detect_anomaly), else None."""
        raise NotImplementedError

    # Optional hook, a method ``_own_grad(g, passed_through) -> g`` that makes a leaf's
    # gradient safe to keep (``passed_through``: the rule handed on its own upstream gradient,
    # so another node may hold the same object). None: gradients are kept as they come (Value's
    # floats are immutable), which spares the backward loop a call per leaf gradient.
    _own_grad: Any = None

    # public graph API ----------------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user rather than by an op."""
        return self._rule is None

    def backward(self, grad: Any = None, retain_graph: bool = True) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        Interior nodes get this pass's gradient in ``.grad``. The graph stays alive as long as
        ``self`` does, so backward may run again and the graph can be drawn afterwards.
        ``retain_graph=False`` (PyTorch's default) releases each node as soon as its rule has
        run, so the pass frees the graph's values and gradients as it goes and a training loop
        holds one graph at a time; a later backward through it then raises.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this node does not require grad, so there is no graph to walk "
                "(was it made inside no_grad(), or from inputs with requires_grad=False?)"
            )
        seed = (
            self._seed_grad()
            if grad is None
            else _raw(self._check_seed(grad, "backward(): grad"), False)
        )
        order = toposort([self])
        empty = type(self)._empty_grad
        for node in order:  # an interior node's .grad holds this pass's gradient only
            if node._rule is not None:
                if node._ctx is _FREED:
                    raise _released_error(node, "backward()")
                node.grad = empty
        self.grad = seed if self.grad is None or self._rule is not None else self.grad + seed
        check = _mode.anomaly
        release = not retain_graph
        for position, node in enumerate(order):
            parents = node._parents
            if not parents:
                continue
            g = node.grad
            if g is None:
                continue  # no gradient reached this node (all its consumers passed None)
            # unary and binary ops are nearly all of them: avoid building a list for those
            if len(parents) == 1:
                grads = node._rule(node._ctx, g, node.data, parents[0].data)  # type: ignore[misc]
            elif len(parents) == 2:
                grads = node._rule(node._ctx, g, node.data, parents[0].data, parents[1].data)  # type: ignore[misc]
            else:
                grads = node._rule(node._ctx, g, node.data, *[p.data for p in parents])  # type: ignore[misc]
            if check:
                _anomaly().on_backward(node, grads)
            for parent, pg in zip(parents, grads):
                if pg is not None and parent.requires_grad:
                    pgrad = parent.grad
                    if pgrad is not None:
                        total = pgrad + pg  # never in place: gradients may be shared
                        if parent._rule is None and parent._own_grad is not None:
                            total = parent._own_grad(total, False)  # a leaf's own, well-formed
                        parent.grad = total
                    elif parent._rule is None and parent._own_grad is not None:
                        parent.grad = parent._own_grad(pg, pg is g)
                    else:
                        parent.grad = pg
            if release:  # its consumers are done: drop what only this node kept alive
                node._parents = ()
                node._ctx = _FREED
                order[position] = _RELEASED  # (draining the list with pop() is 3-6% slower)


_FREED = object()  # the _ctx of a node whose graph was released
_RELEASED = Node.__new__(Node)  # stands in the backward order for a node already released


def _released_error(node: Node, caller: str) -> RuntimeError:
    return RuntimeError(
        f"{caller}: the graph through op '{op_name(node)}' was released by an earlier "
        "backward(retain_graph=False); keep it with retain_graph=True"
    )


def _anomaly() -> Any:
    """The anomaly module, imported on first use (it imports this one)."""
    from . import anomaly

    return anomaly


def toposort(roots: Sequence[Node]) -> list[Node]:
    """Nodes that require grad and reach ``roots``, each before all of its inputs (outputs first).

    Iterative depth-first search: expanding a node pushes a ``None`` marker and then its
    inputs; when the marker comes off the stack everything below that node is done, so the
    node is emitted (the most recently expanded one: expansions nest like the stack). The
    reversed emission order is a valid backward order. Only edges into nodes that require grad
    are followed, so constants are never visited. Nodes are hashed by identity (they define no
    ``__eq__``), which is faster than ``id()`` keys.
    """
    order: list[Node] = []
    seen: set[Node] = set()
    stack: list[Node | None] = [r for r in roots if r.requires_grad]
    expanding: list[Node] = []
    pop, push, emit, mark = stack.pop, stack.append, order.append, seen.add
    while stack:
        node = pop()
        if node is None:  # a marker: the last node expanded has all its inputs emitted
            emit(expanding.pop())
        elif node not in seen:  # (a node pushed by two consumers is expanded once)
            mark(node)
            expanding.append(node)
            push(None)
            for parent in node._parents:
                if parent.requires_grad and parent not in seen:
                    push(parent)
    order.reverse()
    return order


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def grad(
    outputs: Node | Sequence[Node],
    inputs: Node | Sequence[Node],
    grad_outputs: Any = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, as nodes; ``.grad`` stays untouched.

    With ``create_graph=True`` the returned gradients are part of a new graph and can be
    differentiated again (gradients of gradients). An input that ``outputs`` does not depend on
    raises, unless ``allow_unused=True`` (then its gradient is None).
    """
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if not outs:
        raise ValueError("grad(): outputs is empty; pass the Value or Tensor to differentiate")
    for i, node in enumerate(outs):
        if not isinstance(node, Node):
            raise TypeError(f"grad(): output {i} is a {type(node).__name__}, not a Value or Tensor")
        if not node.requires_grad:
            raise RuntimeError(
                f"grad(): output {i} does not require grad, so there is no graph to differentiate"
            )
    for i, node in enumerate(ins):
        if not isinstance(node, Node):
            raise TypeError(f"grad(): input {i} is a {type(node).__name__}, not a Value or Tensor")
        if not node.requires_grad:
            raise RuntimeError(f"grad(): input {i} ({node._describe()}) does not require grad")
    if grad_outputs is None:
        seeds: tuple[Any, ...] = tuple(None for _ in outs)
    else:
        seeds = _as_tuple(grad_outputs)
        if len(seeds) != len(outs):
            raise ValueError(
                f"grad(): {len(outs)} outputs but {len(seeds)} grad_outputs; give one per output"
            )

    table: dict[Node, Any] = {}  # nodes hash by identity, as in toposort
    for i, (out, seed) in enumerate(zip(outs, seeds)):
        where = f"grad(): grad_outputs[{i}]"
        g = out._seed_grad() if seed is None else _raw(out._check_seed(seed, where), create_graph)
        if create_graph and not isinstance(g, Node):
            g = type(out)._wrap_grad(g)
        table[out] = g if out not in table else table[out] + g

    wanted = set(ins)
    with enable_grad() if create_graph else no_grad():
        for node in toposort(outs):
            if node._rule is not None and node._ctx is _FREED:
                raise _released_error(node, "grad()")
            g = table.get(node)
            parents = node._parents
            if g is None or not parents:
                continue
            if node not in wanted:
                del table[node]  # free interior gradients as soon as they are used
            if create_graph:
                grads = node._rule(node._ctx, g, node, *parents)  # type: ignore[misc]
            else:
                raw_inputs = [p.data for p in parents]
                grads = node._rule(node._ctx, g, node.data, *raw_inputs)  # type: ignore[misc]
            if _mode.anomaly:
                _anomaly().on_backward(node, grads)
            for parent, pg in zip(parents, grads):
                if pg is not None and parent.requires_grad:
                    table[parent] = pg if parent not in table else table[parent] + pg

    results: list[Any] = []
    for i, node in enumerate(ins):
        g = table.get(node)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad(): input {i} ({type(node).__name__}) is not used to compute the "
                    "outputs, so it has no gradient; pass allow_unused=True to get None for it"
                )
            results.append(None)
        else:
            results.append(g if isinstance(g, Node) else type(node)._wrap_grad(g))
    return tuple(results)


def _raw(x: Any, keep_nodes: bool) -> Any:
    """A grad_output as given: its raw data, unless it should stay a node (create_graph)."""
    if isinstance(x, Node) and not keep_nodes:
        return x.data
    return x


def iter_graph(root: Node) -> Iterator[Node]:
    """Every node reachable from ``root`` (constants included), each once, without recursion."""
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        for parent in node._parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
