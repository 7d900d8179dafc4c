"""A recording turned into code, and what one replay of it returns.

A replay's results are Values (``Result``) without a graph behind them: each points to its
``Run`` (the numbers the forward pass saved for the backward pass) and stands for the whole
recorded graph as one op (``COMPILED``) whose inputs are the leaves that get gradients.
``result.backward()`` runs the generated backward code, which writes the leaves' ``.grad``
exactly as eager mode does. A result used in further eager arithmetic also works: the engine
then calls ``COMPILED``'s rule, which runs the same code and hands each leaf the sum of its
gradients (the right gradient, added up in another order than eager mode would).
"""

from __future__ import annotations

import weakref
from typing import Any

from ..graph import Node
from ..op import Op
from ..value import Value, _new
from .arguments import rebuild
from .codegen import Backward, backward_source, forward_source, saved_slots
from .program import ARG, CONST, OP, SOURCE, Program, Slot
from .recorder import Guard

_FREED = object()  # a run whose saved numbers a backward(retain_graph=False) dropped


class Recording:
    """One recorded path through ``fn``: its key, its program and its generated code."""

    def __init__(
        self, key: Any, program: Program, template: Any, kinds: list[str], graph: Any
    ) -> None:
        self.key = key
        self.program = program
        self.template = template  # the shape of fn's result, Values replaced by positions
        self.n_args = len(kinds)
        self.graph = graph  # the recorded call's own result, for draw_graph
        self.sources = program.sources
        self.saved = saved_slots(program)
        self.forward_code = forward_source(program, self.n_args, self.saved)
        self.forward = self.forward_code.compile("forward")
        self.backwards: dict[Slot, tuple[Backward, Any]] = {}
        grad_sources = [s for s in self.sources if s.requires_grad]
        self.grad_sources = tuple(grad_sources)
        # arguments that get gradients: Values that require grad (the key fixes which)
        self.grad_args = [i for i, kind in enumerate(kinds) if kind == "grad"]
        # an argument or a source made by an op before the call: the backward pass goes on into
        # its graph, so result.backward() takes the engine's path through COMPILED's rule
        self.outside = any(v.grad_fn is not None for v in grad_sources) or any(
            k[0] == "graph" for k in key[1][1:] if type(k) is tuple
        )
        first = next(
            (s for s in program.outputs if s.kind in (OP, CONST) and s.requires_grad), None
        )
        if first is not None:
            self.backward_for(first)  # the loss's backward, compiled now rather than in step 2

    def backward_for(self, root: Slot) -> tuple[Backward, Any]:
        got = self.backwards.get(root)
        if got is None:
            function = f"backward_{len(self.backwards)}"
            code = backward_source(self.program, root, function, self.saved, self.n_args)
            got = self.backwards[root] = (code, code.source.compile(function))
        return got

    @property
    def code(self) -> str:
        parts = [self.forward_code.text]
        parts += [code.source.text for code, _ in self.backwards.values()]
        return "\n\n".join(parts)

    def replay(self, leaves: list[Any]) -> Any:
        """The results of a call with these argument leaves, or the number of the first guard
        that the call fails."""
        xs = [v.data if isinstance(v, Value) else float(v) for v in leaves]
        ps = [s.data for s in self.sources]
        got = self.forward(xs, ps)
        if type(got) is int:
            return got
        outs, saved = got
        run = Run(self, saved, leaves)
        parents = self.grad_sources
        if self.grad_args:
            parents = parents + tuple(leaves[i] for i in self.grad_args)
        made: dict[Slot, Any] = {}
        items = []
        for slot, data in zip(self.program.outputs, outs):
            result = made.get(slot)
            if result is None:
                result = made[slot] = _result(slot, data, run, leaves, parents)
            items.append(result)
        run.results = {s: weakref.ref(r) for s, r in made.items() if isinstance(r, Result)}
        return rebuild(self.template, items)

    def guard(self, n: int) -> Guard:
        return self.program.guards[n][0]


def _result(slot: Slot, data: float, run: Run, leaves: list[Any], parents: tuple[Any, ...]) -> Any:
    """What a call gives for one output: the very Value for an argument or a source (as eager
    mode returns it), a new Value for a constant or an op."""
    if slot.kind == SOURCE:
        return run.recording.sources[slot.index]
    if slot.kind == ARG:
        given = leaves[slot.index]
        return given if isinstance(given, Value) else Value(given, requires_grad=False)
    out = _new(Result if slot.requires_grad else Value)
    out.data = data
    out._grad = 0.0
    out.requires_grad = slot.requires_grad
    if slot.requires_grad:
        out._parents = parents
        out.grad_fn = COMPILED
        out._ctx = (run, slot)
    else:
        out._parents = ()
        out.grad_fn = None
        out._ctx = None
    return out


class Run:
    """One replayed call: what its backward pass needs."""

    __slots__ = ("recording", "saved", "leaves", "results", "__weakref__")

    def __init__(self, recording: Recording, saved: list[float], leaves: list[Any]) -> None:
        self.recording = recording
        self.saved: Any = saved
        self.leaves = leaves
        self.results: dict[Slot, Any] = {}

    def _pass(self, root: Slot, seed: float, into_leaves: bool) -> list[Any]:
        rec = self.recording
        if self.saved is _FREED:
            raise RuntimeError(
                "backward(): this compiled step's result was already differentiated with "
                "retain_graph=False, which frees what its backward pass needs; keep the default "
                "(retain_graph=True for Values) to call backward() again"
            )
        code, function = rec.backward_for(root)
        leaves = [self._leaf(s) for s in code.leaves]
        xs = [v.data if isinstance(v, Value) else float(v) for v in self.leaves]
        ps = [s.data for s in rec.sources]
        start = [v._grad for v in leaves] if into_leaves else [0.0] * len(leaves)
        finals, grads = function(seed, self.saved, xs, ps, start)
        for slot, g in zip(code.outputs, grads):  # an interior node's .grad: this pass's
            ref = self.results.get(slot)
            result = ref() if ref is not None else None
            if result is not None:
                result._grad = g
        if into_leaves:
            for v, g in zip(leaves, finals):
                v._grad = g
        return [leaves, finals]

    def _leaf(self, slot: Slot) -> Any:
        if slot.kind == SOURCE:
            return self.recording.sources[slot.index]
        return self.leaves[slot.index]

    def backward(self, root: Slot, seed: float) -> None:
        self._pass(root, seed, True)

    def input_grads(self, root: Slot, g: float, parents: tuple[Any, ...]) -> tuple[Any, ...]:
        """COMPILED's rule: each parent's gradient (None where the pass does not reach it)."""
        leaves, finals = self._pass(root, g, False)
        found = {id(v): total for v, total in zip(leaves, finals)}
        return tuple(found.get(id(p)) for p in parents)

    def release(self) -> None:
        self.saved = _FREED


def _compiled_rule(ctx: Any, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
    run, root = ctx
    if isinstance(g, Node):
        raise RuntimeError(
            "the result of a compiled step cannot be differentiated twice (create_graph=True): "
            "its replay computes numbers only; call the function itself, uncompiled, for "
            "gradients of gradients"
        )
    return run.input_grads(root, g, _parents_of(run, root))


def _parents_of(run: Run, root: Slot) -> tuple[Any, ...]:
    rec = run.recording
    parents = rec.grad_sources
    if rec.grad_args:
        parents = parents + tuple(run.leaves[i] for i in rec.grad_args)
    return parents


COMPILED = Op(
    "compiled",
    _compiled_rule,
    factors=lambda k, ctx: "the recorded graph's gradient",
    label="compiled step",
    register=False,
)


class Result(Value):
    """A Value a compiled step returned: its number, and the way back to the leaves."""

    __slots__ = ()

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        ctx = self._ctx
        if not self.requires_grad or create_graph or not isinstance(ctx, tuple):
            return Node.backward(self, gradient, retain_graph, create_graph)
        run, root = ctx
        if run.recording.outside:  # backward goes on into a graph made before the call
            return Node.backward(self, gradient, retain_graph, create_graph)
        seed = self._seed(gradient, "backward(): gradient", False)
        run.backward(root, seed)
        if retain_graph is False:
            run.release()
        return None
