"""``autograd.Function``: an op of the user's own, with its own backward rule, as in PyTorch.

    class MySoftplus(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (1.0 + x.exp()).log()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x.sigmoid()

    y = MySoftplus.apply(x)

Each subclass is one ``Op`` named after the class, so drawings, ``detect_anomaly``, error messages
and gradcheck's doctor show it by that name. ``forward`` runs without recording a graph (as in
PyTorch) on the caller's own Tensors or Values; ``apply`` records one node per output. Arguments
that are not nodes (numbers, strings, lists) are passed through and get no gradient: ``backward``
returns None for them.

Several outputs: each output is a node of its own, and the backward pass reaches each separately,
so ``backward`` is called once per output that receives a gradient, with zeros for the others (as
PyTorch materializes the gradients of unused outputs). The gradients add up to PyTorch's; only
the number of calls differs. ``ctx.set_materialize_grads(False)`` gives None instead of zeros.

Second derivatives: under ``create_graph=True`` the backward pass hands ``backward`` nodes (the
saved tensors and the output gradient are recorded), so a ``backward`` written with dagrad's ops
is differentiated like any other code. A ``backward`` that reads raw data (``.data``, ``.numpy()``,
NumPy functions, ``.item()``, ``detach()``) of what it was given computes a number dagrad cannot
differentiate: the gradient it returns is then marked, and a second derivative through it raises
an error naming the op instead of returning a wrong number. ``@once_differentiable`` says so up
front.
"""

from __future__ import annotations

import functools
import os
import sys
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import Node
from .modes import clock, mode, no_grad
from .op import Op
from .ops.common import unbroadcast
from .tensor import _UFUNC_OPS, Tensor, make_const
from .tensor import make as make_tensor
from .value import Value
from .value import make as make_value

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

_DATA = Node.__dict__["data"]  # the slot behind .data (the watched nodes below wrap it)
_ENGINE_DIRS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), name) + os.sep
    for name in ("autograd", "nn", "optim")
)
# engine functions that copy a node's data into a new constant: a read from them leaves the graph
_LEAVING = frozenset({"_inferred", "to_array"})


# --- the context object --------------------------------------------------------------------------


class _Output:
    """Stands in the saved list for output ``k`` of the op (the node is made after forward)."""

    __slots__ = ("k",)

    def __init__(self, k: int) -> None:
        self.k = k


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: ``save_for_backward``/``saved_tensors``,
    ``needs_input_grad``, ``mark_non_differentiable``, ``set_materialize_grads``, and any
    attribute the user sets (``ctx.beta = beta``: constants, not differentiated)."""

    def __init__(self, function: type[Function], needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._function = function
        self._saved: tuple[Any, ...] = ()
        self._unpacked: tuple[Any, ...] | None = None  # what saved_tensors gives inside backward
        self._non_differentiable: list[Any] = []
        self._materialize = True
        self._epoch = 0.0
        self._outputs: list[Any] = []  # per output: a weak reference to its node, or None
        self._output_data: list[Any] = []
        self._input_meta: list[Any] = []  # per argument: (shape, dtype) of a node, else None
        self._kind: type[Node] = Tensor  # the node type of the op's inputs and outputs

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep inputs or outputs of ``forward`` (or other Tensors/Values) for ``backward``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Node):
                raise TypeError(
                    f"{self._function.__name__}: save_for_backward() takes Tensors, Values or "
                    f"None; argument {i} is a {type(t).__name__} (keep other things as ctx "
                    "attributes: ctx.name = value)"
                )
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        if self._unpacked is not None:
            return self._unpacked
        return tuple(t for t in self._saved)

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """These outputs of ``forward`` get no gradient (indices, masks, counts)."""
        self._non_differentiable.extend(outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """False: ``backward`` gets None, not zeros, for outputs that received no gradient."""
        self._materialize = bool(value)

    def mark_dirty(self, *tensors: Any) -> None:
        raise NotImplementedError(
            f"{self._function.__name__}: custom ops that change their inputs in place are not "
            "supported; return a new Tensor from forward"
        )


# --- the op class ---------------------------------------------------------------------------------


class Function:
    """Base class of a custom op: define ``forward(ctx, *args)`` and ``backward(ctx, *grads)``
    as static methods, and call ``MyOp.apply(*args)``."""

    _op: Op
    _raw_op: Op

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        cls._op = Op(
            name,
            functools.partial(_backward_rule, cls),
            label=name,
            register=False,
            tested_by="tests/autograd/test_function.py",
        )
        cls._raw_op = Op(
            f"{name} (raw backward)",
            functools.partial(_refuse_second_derivative, cls),
            label=f"{name}'s gradient",
            register=False,
            tested_by="tests/autograd/test_function.py",
        )

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, *grad_outputs)")

    def __call__(self, *args: Any) -> Any:
        raise TypeError(
            f"{type(self).__name__}: call the class's apply(), not an instance "
            f"({type(self).__name__}.apply(x))"
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` without recording, then record one node per output."""
        name = cls.__name__
        if kwargs:
            raise TypeError(
                f"{name}.apply() takes positional arguments only (as in PyTorch); got "
                f"{', '.join(kwargs)}"
            )
        kind = _node_type(name, args)
        needs = tuple(isinstance(a, Node) and a.requires_grad for a in args)
        ctx = FunctionCtx(cls, needs)
        with no_grad():
            result = cls.forward(ctx, *args)
        ctx._epoch = clock.now  # saved data changed in place after this point is refused
        if kind is None:  # no node among the arguments: nothing to record
            return result
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        for k, o in enumerate(outs):
            if isinstance(o, Node) and not isinstance(o, kind):
                raise TypeError(
                    f"{name}.forward returned a {type(o).__name__} as output {k} for "
                    f"{kind.__name__} inputs; return {kind.__name__}s"
                )
        parents = tuple(a for a in args if isinstance(a, Node))
        ctx._input_meta = [_meta(a) if isinstance(a, Node) else None for a in args]
        ctx._kind = kind
        recording = mode.grad_enabled and any(needs)
        made = [_output(cls, ctx, k, o, args, outs, parents, recording) for k, o in enumerate(outs)]
        ctx._saved = tuple(_as_marker(t, outs) for t in ctx._saved)
        ctx._non_differentiable = []  # only needed above; do not keep the objects alive
        return made[0] if single else tuple(made)


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Declare that ``backward`` has no derivative of its own (it computes with NumPy, say): a
    second derivative through the op then raises an error naming it."""

    @functools.wraps(backward)
    def wrapped(ctx: FunctionCtx, *grads: Any) -> Any:
        return backward(ctx, *grads)

    wrapped._once_differentiable = True  # type: ignore[attr-defined]
    return wrapped


def _node_type(name: str, args: tuple[Any, ...]) -> type[Node] | None:
    kinds = {Tensor if isinstance(a, Tensor) else Value for a in args if isinstance(a, Node)}
    if len(kinds) > 1:
        raise TypeError(f"{name}.apply(): cannot mix Tensors and Values in one op")
    return kinds.pop() if kinds else None


def _meta(node: Node) -> tuple[Any, Any]:
    if isinstance(node, Tensor):
        return tuple(node.data.shape), node.data.dtype
    return None, None


def _output(
    cls: type[Function],
    ctx: FunctionCtx,
    k: int,
    o: Any,
    args: tuple[Any, ...],
    outs: tuple[Any, ...],
    parents: tuple[Node, ...],
    recording: bool,
) -> Any:
    """Output ``k`` as a node of the graph (a new object: forward's own object may be an input or
    a tensor the user keeps elsewhere)."""
    if not isinstance(o, Node):
        ctx._outputs.append(None)
        ctx._output_data.append(None)
        return o
    data = o.data
    if any(o is a for a in args):  # forward returned an input: the output must not alias it
        data = data.copy() if isinstance(o, Tensor) else data
    differentiable = not any(o is n for n in ctx._non_differentiable) and (
        isinstance(o, Value) or data.dtype.kind == "f"
    )
    if isinstance(o, Tensor):
        node: Node = (
            make_tensor(data, parents, cls._op, (ctx, k))  # type: ignore[arg-type]
            if differentiable and recording
            else make_const(data)
        )
    else:
        recorded = differentiable and recording
        node = make_value(data, parents, cls._op, (ctx, k), recorded)  # type: ignore[arg-type]
    ctx._outputs.append(weakref.ref(node) if node.requires_grad else None)
    ctx._output_data.append(node.data)
    return node


def _as_marker(t: Any, outs: tuple[Any, ...]) -> Any:
    for k, o in enumerate(outs):
        if t is o and isinstance(o, Node):
            return _Output(k)
    return t


# --- the backward rule --------------------------------------------------------------------------


def _backward_rule(
    cls: type[Function], nctx: Any, g: Any, out: Any, *inputs: Any
) -> tuple[Any, ...]:
    """The rule of every custom op's node: call the user's ``backward`` for output ``k`` and
    turn what it returns into one gradient per input node."""
    ctx, k = nctx
    create = isinstance(g, Node)  # the backward pass is being recorded (create_graph=True)
    once = getattr(cls.backward, "_once_differentiable", False)
    watch = create and not once
    reads = _Reads() if watch else None
    kind = ctx._kind
    grad_outputs: list[Node | None] = []
    for j in range(len(ctx._outputs)):
        if j == k:
            given = g if create else _constant(kind, g)
            grad_outputs.append(_watched(given, reads) if watch else _plain(given))
        elif ctx._materialize and ctx._output_data[j] is not None:
            grad_outputs.append(_zeros(kind, ctx._output_data[j]))
        else:
            grad_outputs.append(None)
    ctx._unpacked = _unpack(cls, ctx, k, out if create else None, reads, create, inputs)
    try:
        if create and not once:
            result = cls.backward(ctx, *grad_outputs)
        else:
            with no_grad():
                result = cls.backward(ctx, *grad_outputs)
    finally:
        ctx._unpacked = None
        if reads is not None:
            reads.open = False
    grads = _per_argument(cls, ctx, result)
    if not create:
        return tuple(_raw_gradient(cls, ctx, i, grads[i]) for i in _node_positions(ctx))
    lost = once or (reads is not None and bool(reads.what))
    depends = [g] if g.requires_grad else []
    depends += [t for t in ctx._saved if isinstance(t, Node) and t.requires_grad]
    out_grads = []
    for i in _node_positions(ctx):
        gi = _node_gradient(cls, ctx, i, grads[i], kind)
        if gi is not None and not lost and g.requires_grad and not gi.requires_grad:
            # a gradient is linear in g: one built from g with dagrad ops depends on it
            lost = lost or bool(np.any(np.asarray(gi.data) != 0))
        out_grads.append(gi)
    if lost:
        reason = (
            "is marked @once_differentiable"
            if once
            else "computed it outside dagrad's ops"
            + (f" (it read {', '.join(sorted(set(reads.what)))})" if reads and reads.what else "")
        )
        out_grads = [
            None if gi is None else _marked(cls, gi, depends, reason, kind) for gi in out_grads
        ]
    return tuple(out_grads)


def _node_positions(ctx: FunctionCtx) -> list[int]:
    return [i for i, m in enumerate(ctx._input_meta) if m is not None]


def _constant(kind: type[Node], raw: Any) -> Node:
    if kind is Tensor:
        return make_const(raw if isinstance(raw, np.ndarray) else np.asarray(raw))
    return Value(float(raw), requires_grad=False)


def _zeros(kind: type[Node], like: Any) -> Node:
    if kind is Tensor:
        return make_const(np.zeros_like(like))
    return Value(0.0, requires_grad=False)


def _plain(node: Node) -> Node:
    return node


def _unpack(
    cls: type[Function],
    ctx: FunctionCtx,
    k: int,
    out: Any,
    reads: _Reads | None,
    create: bool,
    inputs: tuple[Any, ...],
) -> tuple[Any, ...]:
    """The saved tensors as ``backward`` sees them: the nodes themselves (watched under
    create_graph), refused if their data changed in place after the op used it."""
    found = []
    for n, t in enumerate(ctx._saved):
        if isinstance(t, _Output):
            node = out if (create and t.k == k) else _alive(ctx, t.k)
            if node is None:  # another output, dropped by the user (only weakly held)
                node = (
                    _revive(cls, ctx, t.k, inputs)
                    if create
                    else _constant(ctx._kind, ctx._output_data[t.k])
                )
            t = node
        if isinstance(t, Node):
            _check_version(cls, ctx, t, n)
            if reads is not None:
                t = _watched(t, reads)
        found.append(t)
    return tuple(found)


def _revive(cls: type[Function], ctx: FunctionCtx, k: int, inputs: tuple[Any, ...]) -> Node:
    """Output ``k`` made again, for a second derivative through it: the same data, op and
    inputs as the node the user dropped (outputs hold each other only weakly: no cycles)."""
    data = ctx._output_data[k]
    if ctx._kind is Tensor:
        return make_tensor(data, inputs, cls._op, (ctx, k))
    return make_value(data, inputs, cls._op, (ctx, k), True)


def _alive(ctx: FunctionCtx, k: int) -> Node | None:
    ref = ctx._outputs[k]
    return ref() if ref is not None else None


def _check_version(cls: type[Function], ctx: FunctionCtx, t: Node, n: int) -> None:
    if not t._versioned:  # a Value never changes
        return
    version = t._version
    if t._epoch > ctx._epoch or (version is not None and version[0] > ctx._epoch):
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: saved tensor {n} of op '{cls.__name__}' ({t._describe()}) was "
            "changed in place after the op saved it. Use an out-of-place op, or clone() it "
            "before changing it"
        )


def _per_argument(cls: type[Function], ctx: FunctionCtx, result: Any) -> tuple[Any, ...]:
    grads = result if isinstance(result, tuple) else (result,)
    n = len(ctx._input_meta)
    if len(grads) < n or any(g is not None for g in grads[n:]):
        raise RuntimeError(
            f"{cls.__name__}.backward returned {len(grads)} gradient"
            f"{'s' if len(grads) != 1 else ''}, but forward took {n} argument"
            f"{'s' if n != 1 else ''}: return one per argument of forward (None for those "
            "without a gradient)"
        )
    for i, (gi, meta) in enumerate(zip(grads, ctx._input_meta)):
        if meta is None and gi is not None:
            raise RuntimeError(
                f"{cls.__name__}.backward returned a gradient for argument {i} of forward, "
                "which is not a Tensor or Value; return None there"
            )
    return tuple(grads[:n])


def _raw_gradient(cls: type[Function], ctx: FunctionCtx, i: int, gi: Any) -> Any:
    """Argument ``i``'s gradient as raw data (the fast path), in its input's shape and dtype."""
    if gi is None or not ctx.needs_input_grad[i]:
        return None
    shape, dtype = ctx._input_meta[i]
    if shape is None:  # a Value input
        raw = gi.data if isinstance(gi, Node) else gi
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise TypeError(
                f"{cls.__name__}.backward returned a {type(gi).__name__} as the gradient of "
                f"argument {i}, a Value; return a Value or a number"
            ) from None
    if isinstance(gi, Value):
        raise TypeError(
            f"{cls.__name__}.backward returned a Value as the gradient of argument {i}, a "
            "Tensor; return a Tensor"
        )
    raw = np.asarray(gi.data if isinstance(gi, Tensor) else gi)
    raw = _fit(cls, i, raw, tuple(np.shape(raw)), shape)
    return raw if raw.dtype == dtype else raw.astype(dtype)


def _fit(cls: type[Function], i: int, g: Any, gshape: tuple[int, ...], shape: Any) -> Any:
    """A gradient of a broadcast shape summed back to the input's shape (as PyTorch does)."""
    if gshape == shape:
        return g
    try:
        if np.broadcast_shapes(gshape, shape) == gshape:
            return unbroadcast(g, shape, g.dtype)
    except ValueError:
        pass
    raise RuntimeError(
        f"{cls.__name__}.backward returned a gradient of shape {gshape} for argument {i} of "
        f"shape {shape}; return one of the input's shape"
    )


def _node_gradient(cls: type[Function], ctx: FunctionCtx, i: int, gi: Any, kind: type[Node]) -> Any:
    """Argument ``i``'s gradient as a node (create_graph), in its input's shape and dtype."""
    if gi is None or not ctx.needs_input_grad[i]:
        return None
    if isinstance(gi, _WatchedTensor | _WatchedValue):
        gi = gi._parents[0] if gi._parents else _constant(kind, _DATA.__get__(gi))
    if not isinstance(gi, Node):
        gi = _constant(kind, gi if kind is Tensor else float(np.asarray(gi)))
    if not isinstance(gi, kind):
        raise TypeError(
            f"{cls.__name__}.backward returned a {type(gi).__name__} as the gradient of "
            f"argument {i}, a {kind.__name__}; return a {kind.__name__}"
        )
    if kind is Tensor:
        shape, dtype = ctx._input_meta[i]
        gi = _fit(cls, i, gi, tuple(gi.data.shape), shape)
        if gi.data.dtype != dtype:
            gi = gi.to(dtype)
    return gi


# --- raw data read inside backward under create_graph ---------------------------------------------


class _Reads:
    """What ``backward`` read as raw data, while it runs (``open``)."""

    __slots__ = ("open", "what")

    def __init__(self) -> None:
        self.open = True
        self.what: list[str] = []


def _note(node: Any, what: str) -> None:
    reads = node._watch
    if not reads.open:
        return
    caller = sys._getframe(2).f_code
    if not caller.co_filename.startswith(_ENGINE_DIRS) or caller.co_name in _LEAVING:
        reads.what.append(what)


class _WatchedTensor(Tensor):
    """A saved tensor or output gradient as ``backward`` sees it under create_graph: the same
    node behind an identity op, which notes every read of its raw data by the user's code."""

    __slots__ = ("_watch",)
    _watch: _Reads

    @property  # type: ignore[override]
    def data(self) -> Any:
        _note(self, ".data")
        return _DATA.__get__(self)

    @data.setter
    def data(self, value: Any) -> None:
        _DATA.__set__(self, value)

    def numpy(self, *, force: bool = False) -> np.ndarray:
        _note(self, ".numpy()")
        return _DATA.__get__(self)  # type: ignore[no-any-return]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        _note(self, "NumPy on the tensor")
        return super().__array__(dtype, copy)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if not (method == "__call__" and ufunc in _UFUNC_OPS and not kwargs):
            _note(self, f"np.{getattr(ufunc, '__name__', ufunc)}")
        return super().__array_ufunc__(ufunc, method, *inputs, **kwargs)

    def item(self) -> Any:
        _note(self, ".item()")
        return super().item()

    def tolist(self) -> Any:
        _note(self, ".tolist()")
        return super().tolist()

    def __float__(self) -> float:
        _note(self, "float()")
        return super().__float__()

    def detach(self) -> Tensor:
        _note(self, ".detach()")
        return super().detach()


class _WatchedValue(Value):
    """As _WatchedTensor, for Values."""

    __slots__ = ("_watch",)
    _watch: _Reads

    @property  # type: ignore[override]
    def data(self) -> Any:
        _note(self, ".data")
        return _DATA.__get__(self)

    @data.setter
    def data(self, value: Any) -> None:
        _DATA.__set__(self, value)

    def __float__(self) -> float:
        _note(self, "float()")
        return _DATA.__get__(self)  # type: ignore[no-any-return]

    def item(self) -> float:
        _note(self, ".item()")
        return _DATA.__get__(self)  # type: ignore[no-any-return]

    def detach(self) -> Value:
        _note(self, ".detach()")
        return Value(_DATA.__get__(self), requires_grad=False)


def _same_rule(ctx: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g,)


_SAVED = Op(
    "saved",
    _same_rule,
    elementwise=True,
    linear=True,
    factors=("1",),
    register=False,
    tested_by="tests/autograd/test_function.py",
)


def _watched(node: Node, reads: _Reads | None) -> Node:
    """``node`` behind an identity op, as a node that notes raw reads into ``reads``."""
    if reads is None:
        return node
    raw = _DATA.__get__(node)
    recorded = node.requires_grad and mode.grad_enabled
    w: Node
    if isinstance(node, Tensor):
        wt = object.__new__(_WatchedTensor)
        wt._version = node._version
        wt._epoch = clock.now
        wt._grad = None
        w = wt
    else:
        w = object.__new__(_WatchedValue)
        w._grad = 0.0
    w._watch = reads
    _DATA.__set__(w, raw)
    w.requires_grad = recorded
    w._parents = (node,) if recorded else ()
    w.grad_fn = _SAVED if recorded else None
    w._ctx = None
    if recorded and mode.anomaly:
        from .anomaly import on_forward

        on_forward(w)
    return w


def _marked(
    cls: type[Function], gi: Node, depends: list[Node], reason: str, kind: type[Node]
) -> Node:
    """The gradient's value, behind a node that refuses to be differentiated: ``backward``
    computed it in a way dagrad cannot follow."""
    parents = tuple(dict.fromkeys([gi, *depends] if gi.requires_grad else depends))
    if not parents:
        return gi
    if kind is Tensor:
        return make_tensor(gi.data, parents, cls._raw_op, reason)  # type: ignore[arg-type]
    return make_value(gi.data, parents, cls._raw_op, reason, True)  # type: ignore[arg-type]


def _refuse_second_derivative(cls: type[Function], reason: Any, *rest: Any) -> tuple[Any, ...]:
    raise RuntimeError(
        f"{cls.__name__}: cannot differentiate the gradient {cls.__name__}.backward returned, "
        f"because backward {reason}, so dagrad cannot see how that gradient depends on the "
        "inputs. For second derivatives write backward with dagrad's ops (x.exp(), x > 0, "
        "where(...)) on the saved tensors and the output gradients it receives"
    )
