"""The graph core shared by Value and Tensor: nodes, topological order, and the one chain-rule
loop behind ``backward()`` and ``grad()``.

Nothing in here knows about floats or arrays. A node type supplies these hooks:

- ``_seed_grad()``: the gradient of a node with respect to itself (1.0, or an array of ones);
- ``_check_seed(seed, where)``: a user-given output gradient, checked and converted;
- ``_wrap_grad(raw)``: a raw gradient as a constant node (``grad()`` returns nodes);
- ``_own_grad(g, passed_through)`` (optional): a leaf's ``.grad`` after ``g`` arrives, in
  memory of its own (``passed_through``: the rule handed on the very object it received, so
  another node may hold it too); None for Value, whose floats are immutable;
- ``_empty_grad``: what ``.grad`` holds before any gradient arrived (0.0 for Value, None for
  Tensor), and ``_keeps_graph``: whether backward keeps the graph by default (micrograd's Value
  does; PyTorch's Tensor frees it);
- ``_describe()`` and ``_non_finite(raw)`` for error messages and ``detect_anomaly``;
- ``_epoch`` and ``_version`` for in-place checks (see modes.clock; Value is immutable and has
  an ``_epoch`` of infinity, so its nodes are never checked).

A node records its parents, the ``Op`` that made it (``grad_fn``, as PyTorch names it) and whatever
non-differentiable context the op's rule needs (``_ctx``). It never holds a reference to itself
or to its consumers, so a graph is a tree of plain references that reference counting frees as
soon as its output is dropped: no cycles, no work for the garbage collector.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .modes import clock, enable_grad, mode
from .op import Op


class Node:
    """A vertex of the computation graph. Value and Tensor derive from it."""

    __slots__ = ("data", "_grad", "requires_grad", "_parents", "grad_fn", "_ctx", "__weakref__")

    data: Any
    _grad: Any
    requires_grad: bool
    _parents: tuple[Node, ...]
    grad_fn: Op | None
    _ctx: Any

    _empty_grad: Any = None
    _keeps_graph: bool = False
    _versioned: bool = False  # whether the data can change in place (see check_saved)
    _epoch: float  # the clock's tick when the node was recorded (a slot in Tensor)
    _version: Any  # [tick of the last in-place change of the data], or None if never changed

    # hooks each node type provides -------------------------------------------------
    def _seed_grad(self) -> Any:
        raise NotImplementedError

    def _check_seed(self, seed: Any, where: str) -> Any:
        return seed

    @classmethod
    def _wrap_grad(cls, raw: Any) -> Node:
        raise NotImplementedError

    _own_grad: Any = None

    def _describe(self) -> str:
        return type(self).__name__

    @staticmethod
    def _non_finite(raw: Any) -> str | None:
        """'nan' if raw data holds a NaN (for detect_anomaly), else None."""
        raise NotImplementedError

    # public graph API ----------------------------------------------------------------
    @property
    def grad(self) -> Any:
        """The gradient backward() left here (Value and Tensor each say in what form)."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user rather than by an op that records a graph."""
        return self.grad_fn is None

    def retain_grad(self) -> None:
        """Accepted for PyTorch code: every node that requires grad gets ``.grad`` here."""

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        Interior nodes get this pass's gradient in ``.grad``. ``gradient``: d(C)/d(self) for some
        C, needed when ``self`` has more than one element. ``retain_graph``: keep the graph for
        another backward or a drawing; by default a Tensor graph is freed during the pass (as in
        PyTorch) and a Value graph is kept (as in micrograd). ``create_graph``: record the
        backward pass itself, so ``.grad`` can be differentiated again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this node does not require grad, so there is no graph to walk "
                "(was it made inside no_grad(), or from inputs with requires_grad=False?)"
            )
        seed = self._seed(gradient, "backward(): gradient", create_graph)
        if retain_graph is None:
            retain_graph = create_graph or self._keeps_graph
        backprop([self], [seed], create_graph, retain_graph)

    def _seed(self, given: Any, where: str, create_graph: bool) -> Any:
        if given is None:
            seed = self._seed_grad()
        else:
            seed = self._check_seed(given, where)
            if isinstance(seed, Node) and not create_graph:
                seed = seed.data
        if create_graph and not isinstance(seed, Node):
            seed = self._wrap_grad(seed)
        return seed


class _Released:
    """The ``_ctx`` of a node whose graph a backward pass has released."""


_FREED = _Released()


def is_released(node: Node) -> bool:
    """Whether a backward pass has freed the graph behind ``node``."""
    return node._ctx is _FREED


def released_error(node: Node, caller: str) -> RuntimeError:
    name = node.grad_fn.name if node.grad_fn is not None else "?"
    return RuntimeError(
        f"{caller}: the graph through op '{name}' was freed by an earlier backward() (a Tensor "
        "graph is freed as its gradients are computed, as in PyTorch); pass retain_graph=True "
        "to that backward() to keep it"
    )


def _inplace_error(node: Node, culprit: Node, what: str) -> RuntimeError:
    assert node.grad_fn is not None
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} of op '{node.grad_fn.name}' ({culprit._describe()}) was changed in "
        "place after the op used it. Use an out-of-place op (x = x + y instead of x += y), or "
        "clone() the tensor before changing it"
    )


def check_saved(node: Node) -> None:
    """Raise if data the node's rule reads was changed in place after the node was recorded, or
    if an input object was rebound by a recorded in-place op since (its edge is then stale)."""
    op, epoch = node.grad_fn, node._epoch
    assert op is not None
    saved = op.saved_inputs
    for i, parent in enumerate(node._parents):
        if parent._epoch > epoch:
            raise _inplace_error(node, parent, f"input {i}")
        version = parent._version
        if version is not None and version[0] > epoch and (saved is None or i in saved):
            raise _inplace_error(node, parent, f"input {i}")
    if op.saves_out and node._version is not None and node._version[0] > epoch:
        raise _inplace_error(node, node, "the output")


def backprop(
    roots: Sequence[Node],
    seeds: Sequence[Any],
    create_graph: bool,
    retain_graph: bool,
    wanted: Sequence[Node] | None = None,
) -> list[Any]:
    """The chain rule, once for the whole engine: walk the nodes that reach ``roots`` outputs
    first, hand each node's gradient to its op's rule, and add what the rule gives into the
    node's inputs.

    Gradients travel in the nodes' ``_grad`` slots (an attribute is cheaper than a dict entry,
    and this is the hot path). Without ``wanted`` (``backward()``), leaves accumulate into
    ``.grad`` and interior nodes keep this pass's gradient. With ``wanted`` (``grad()``), every
    slot the pass used is put back afterwards and the gradients of the wanted nodes are
    returned (None for one the pass did not reach). ``retain_graph=False`` releases each node
    as soon as its rule has run, so the pass frees the graph as it goes.
    """
    order = toposort(roots)
    into_grad = wanted is None
    # backward(): an interior node's .grad holds this pass's gradient only; grad(): every slot
    # starts empty (None: "nothing arrived") and is put back at the end
    fresh = type(roots[0])._empty_grad if into_grad else None
    restore = [] if into_grad else [(node, node._grad) for node in order]
    for node in order:  # (before any .grad changes: nothing is half-done if this raises)
        if node.grad_fn is not None:
            if node._ctx is _FREED:
                raise released_error(node, "backward()" if into_grad else "grad()")
            node._grad = fresh
        elif not into_grad:
            node._grad = None
    for root, seed in zip(roots, seeds):
        root._grad = _arrive(root, seed, False, into_grad)
    now = clock.now
    versioned = now > 0 and type(roots[0])._versioned  # has any data been changed in place?
    if create_graph:
        with enable_grad():
            _walk(order, True, into_grad, versioned, now, not retain_graph)
    else:
        _walk(order, False, into_grad, versioned, now, not retain_graph)
    if into_grad:
        return []
    reached = {node for node, _ in restore}
    found = [node._grad if node in reached else None for node in wanted]  # type: ignore[union-attr]
    for node, old in restore:
        node._grad = old
    return found


def _walk(
    order: list[Node], create_graph: bool, into_grad: bool, versioned: bool, now: int, release: bool
) -> None:
    """The loop itself: each node's gradient through its op's rule into its inputs."""
    check_nan = mode.anomaly
    for position, node in enumerate(order):
        parents = node._parents
        if not parents:
            continue  # a leaf
        g = node._grad
        if g is None:
            continue  # no gradient reached this node (all its consumers passed None)
        if versioned and node._epoch < now:
            check_saved(node)
        op = node.grad_fn
        # unary and binary ops are nearly all of them: avoid building a list for those
        if create_graph:
            grads = op.backward(node._ctx, g, node, *parents)  # type: ignore[union-attr]
        elif len(parents) == 1:
            grads = op.backward(node._ctx, g, node.data, parents[0].data)  # type: ignore[union-attr]
        elif len(parents) == 2:
            grads = op.backward(node._ctx, g, node.data, parents[0].data, parents[1].data)  # type: ignore[union-attr]
        elif len(parents) == 3:  # linear with a bias
            a, b, c = parents
            grads = op.backward(node._ctx, g, node.data, a.data, b.data, c.data)  # type: ignore[union-attr]
        else:
            grads = op.backward(node._ctx, g, node.data, *[p.data for p in parents])  # type: ignore[union-attr]
        if check_nan:
            _anomaly().on_backward(node, grads)
        for parent, pg in zip(parents, grads):
            if pg is not None and parent.requires_grad:
                if parent.grad_fn is None and into_grad and parent._own_grad is not None:
                    parent._grad = parent._own_grad(pg, pg is g)  # a leaf's, well-formed
                else:  # never in place: gradients may be shared between nodes
                    pgrad = parent._grad
                    parent._grad = pg if pgrad is None else pgrad + pg
        if release:  # its consumers are done: drop what only this node kept alive
            node._parents = ()
            node._ctx = _FREED
            order[position] = _RELEASED  # (draining the list with pop() is slower)


def _arrive(node: Node, g: Any, passed_through: bool, into_grad: bool) -> Any:
    """``node``'s gradient after ``g`` arrives: added to what it holds (a leaf's own copy)."""
    if into_grad and node.grad_fn is None and node._own_grad is not None:
        return node._own_grad(g, passed_through)
    return g if node._grad is None else node._grad + g


_RELEASED = Node.__new__(Node)  # stands in the backward order for a node already released


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
    are followed, so constants are never visited. Nodes are hashed by identity.
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
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, as nodes; ``.grad`` stays untouched.

    With ``create_graph=True`` the returned gradients are part of a new graph and can be
    differentiated again (gradients of gradients). An input that ``outputs`` does not depend on
    raises, unless ``allow_unused=True`` (then its gradient is None). As ``backward()``, it frees
    a Tensor graph unless ``retain_graph=True`` (or ``create_graph=True``).
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
        given: tuple[Any, ...] = (None,) * len(outs)
    else:
        given = _as_tuple(grad_outputs)
        if len(given) != len(outs):
            raise ValueError(
                f"grad(): {len(outs)} outputs but {len(given)} grad_outputs; give one per output"
            )
    seeds = [
        out._seed(g, f"grad(): grad_outputs[{i}]", create_graph)
        for i, (out, g) in enumerate(zip(outs, given))
    ]
    if retain_graph is None:
        retain_graph = create_graph or all(out._keeps_graph for out in outs)
    found = backprop(outs, seeds, create_graph, retain_graph, ins)
    results: list[Any] = []
    for i, (node, g) in enumerate(zip(ins, found)):
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
