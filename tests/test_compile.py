"""autograd.compile: a recorded scalar graph replayed as generated code gives eager mode's numbers
bit for bit (values, leaf gradients, interior outputs' gradients), on random programs, on programs
whose branches change between calls, and on micrograd's demo written as its users write it."""

from __future__ import annotations

import math
import random
import struct
import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import GuardError, Value, compile, draw_graph, no_grad, value_dot, value_sum
from autograd import value as value_module
from autograd.testing import expressions


def bits(x: float) -> bytes:
    """A float's bits; every NaN alike (its sign and payload are whatever the CPU and the C
    compiler make of an operation, even between two runs of the same eager code)."""
    return b"nan" if x != x else struct.pack("<d", x)


def grads(values: list[Value]) -> list[bytes]:
    return [bits(v.grad) for v in values]


# --- random programs --------------------------------------------------------------------------


@given(expressions(points=3, max_steps=10))
def test_random_programs_bit_for_bit(expr: Any) -> None:
    """Inputs passed as Values: each call reads their numbers afresh."""
    step = compile(expr)
    for point in range(3):
        eager_in, compiled_in = expr.values(point), expr.values(point)
        want, got = expr(*eager_in), step(*compiled_in)
        want.backward()
        got.backward()
        assert bits(got.data) == bits(want.data)
        assert grads(compiled_in) == grads(eager_in)
        assert bits(got.grad) == bits(want.grad)
    assert step.recorded == 1


@given(expressions(points=3, max_steps=10))
def test_random_programs_on_parameters_and_numbers(expr: Any) -> None:
    """The first input a parameter the function reads from outside (updated between calls),
    the others numbers passed as arguments."""
    n = expr.num_inputs
    weights = {name: Value(expr.points[0][0]) for name in ("eager", "compiled")}

    def make(name: str) -> Any:
        return lambda *xs: expr(weights[name], *xs)

    eager, step = make("eager"), compile(make("compiled"))
    for point in range(3):
        numbers = list(expr.points[point][1:n])
        for w in weights.values():
            w.data, w.grad = expr.points[point][0], 0.0
        want = eager(*[Value(x, requires_grad=False) for x in numbers])
        got = step(*numbers)
        assert bits(got.data) == bits(want.data)
        assert got.requires_grad == want.requires_grad  # (the program may not read x0)
        if want.requires_grad:
            want.backward()
            got.backward()
        assert bits(weights["compiled"].grad) == bits(weights["eager"].grad)


coordinate = st.floats(-2.0, 2.0, allow_nan=False).map(lambda x: round(x, 3))


@given(st.data())
def test_branches_that_change_between_calls(data: Any) -> None:
    """``e1 if e0 > 0 else e2`` at points on both sides: every call matches eager mode, and
    each side is recorded once."""
    points = data.draw(st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=6))
    e0, e1, e2 = (data.draw(expressions(at=points, max_steps=5)) for _ in range(3))

    def fn(a: Value, b: Value) -> Value:
        return e1(a, b) if e0(a, b) > 0 else e2(a, b)

    step = compile(fn)
    sides = set()
    for point in points:
        eager_in = [Value(x) for x in point]
        compiled_in = [Value(x) for x in point]
        sides.add(e0(*[Value(x) for x in point]).data > 0)
        want, got = fn(*eager_in), step(*compiled_in)
        want.backward()
        got.backward()
        assert bits(got.data) == bits(want.data)
        assert grads(compiled_in) == grads(eager_in)
    assert step.recorded == len(sides)


@given(st.lists(st.floats(0.05, 3.0).map(lambda x: round(x, 3)), min_size=2, max_size=8))
def test_loops_that_run_a_different_number_of_times(starts: list[float]) -> None:
    def fn(x: Value) -> Value:
        y = x
        while y < 4.0:  # as many steps as it takes: a guard per comparison
            y = y * 1.7 + 0.1
        return y.log() * x

    step = compile(fn)
    for s in starts:
        a, b = Value(s), Value(s)
        want, got = fn(a), step(b)
        want.backward()
        got.backward()
        assert (bits(got.data), bits(b.grad)) == (bits(want.data), bits(a.grad))


def test_max_and_sorted_record_their_comparisons() -> None:
    def fn(xs: list[Value]) -> Value:
        top = max(xs)
        return top * sorted(xs)[0] + value_sum(xs)

    step = compile(fn)
    for numbers in ([1.0, 3.0, 2.0], [1.0, 3.5, 2.5], [4.0, 3.0, 2.0], [1.0, 3.0, 2.0]):
        eager_in, compiled_in = [Value(x) for x in numbers], [Value(x) for x in numbers]
        want, got = fn(eager_in), step(compiled_in)
        want.backward()
        got.backward()
        assert bits(got.data) == bits(want.data)
        assert grads(compiled_in) == grads(eager_in)
    assert step.recorded == 2  # the first order twice, then another


# --- guards ---------------------------------------------------------------------------------


def _sign_fn(x: Value) -> Value:
    if x > 0:  # the guarded branch
        return x * 2.0
    return -x


def test_guard_raises_when_asked() -> None:
    step = compile(_sign_fn, on_change="raise")
    assert step(Value(1.0)).data == 2.0
    assert step(Value(3.0)).data == 6.0  # the same path: replayed
    with pytest.raises(
        GuardError, match=r"test_compile\.py:\d+ .*\(1\.0 > 0 was True\).*other one"
    ):
        step(Value(-1.0))
    assert step.recorded == 1
    assert step.guards and "1.0 > 0 was True" in step.guards[0]


def test_guard_rerecords_by_default_and_keeps_both_paths() -> None:
    step = compile(_sign_fn)
    assert [step(Value(x)).data for x in (1.0, -1.0, 2.0, -3.0)] == [2.0, 1.0, 4.0, 3.0]
    assert step.recorded == 2  # each path recorded once, then replayed


def test_max_recordings_bounds_the_paths_kept() -> None:
    step = compile(_sign_fn, max_recordings=1)
    for x in (1.0, -1.0, 1.0):
        step(Value(x))
    assert step.recorded == 3


def test_float_and_item_are_guarded_by_their_number() -> None:
    w = Value(0.5)

    def fn(x: Value) -> Value:
        return x * float(w) + x * w.item()  # numbers taken out of the graph: constants

    step = compile(fn)
    assert step(Value(2.0)).data == 2.0
    assert step(Value(4.0)).data == 4.0 and step.recorded == 1
    w.data = 0.25  # float(w) would differ: the recording no longer holds
    assert step(Value(2.0)).data == 1.0
    assert step.recorded == 2
    with pytest.raises(GuardError, match=r"float\(\) gave 0.25"):
        raising = compile(fn, on_change="raise")
        raising(Value(1.0))
        w.data = 0.125
        raising(Value(1.0))


def test_structure_changes_are_recorded_anew_or_raise() -> None:
    def fn(xs: list[Any], scale: str = "mean") -> Value:
        total = value_sum(xs)
        return total * (1.0 / len(xs)) if scale == "mean" else total

    step = compile(fn)
    assert step([1.0, 2.0]).data == 1.5
    assert step([1.0, 2.0, 6.0]).data == 3.0  # another length: another recording
    assert step([1.0, 2.0], scale="sum").data == 3.0  # another setting
    assert step.recorded == 3
    strict = compile(fn, on_change="raise")
    strict([1.0, 2.0])
    with pytest.raises(GuardError, match="structure"):
        strict([1.0, 2.0, 3.0])


def test_the_same_value_twice_is_part_of_the_key() -> None:
    step = compile(lambda a, b: a * b)
    a, b = Value(3.0), Value(4.0)
    assert step(a, a).data == 9.0
    assert step(a, b).data == 12.0
    assert step.recorded == 2


def test_arguments_of_other_types_are_refused() -> None:
    step = compile(lambda x: x * 2.0)
    with pytest.raises(TypeError, match=r"tolist\(\)"):
        step(np.ones(3))
    with pytest.raises(TypeError, match="cannot pass a dict"):
        step({"x": 1.0})
    with pytest.raises(TypeError, match="graphs of Values"):
        step(autograd.tensor([1.0]))


# --- what enters ----------------------------------------------------------------------------


def test_numbers_are_inputs_read_afresh() -> None:
    w = Value(2.0)
    step = compile(lambda x, pair: w * x + pair[0] * pair[1])
    assert step(3.0, [1.0, 5.0]).data == 11.0
    r = step(4, (2.0, 0.5))  # an int, a tuple: the same structure kinds
    assert r.data == 9.0 and step.recorded == 2  # (a tuple is another structure than a list)
    r = step(5.0, [1.0, 1.0])
    r.backward()
    assert (r.data, w.grad) == (11.0, 5.0)
    assert step.recorded == 2


def test_parameters_are_read_afresh_and_get_gradients() -> None:
    w = Value(1.5)
    step = compile(lambda x: (w * x).tanh())
    for k in range(4):
        x = 0.3 * k - 0.4
        want = math.tanh(w.data * x)
        w.grad = 0.0
        r = step(x)
        r.backward()
        assert r.data == want and w.grad == x * (1.0 - want * want)
        w.data -= 0.1 * w.grad  # an optimizer between calls


def test_values_made_inside_are_constants() -> None:
    w = Value(2.0)
    step = compile(lambda: w * Value(0.375) + Value(0.125) * Value(4.0))
    step()
    assert "0.375" in step.code and "0.5" in step.code  # constants, folded where they meet
    w.data = 3.0
    assert step().data == 3.0 * 0.375 + 0.5


def test_values_made_inside_and_kept_are_inputs() -> None:
    """A parameter made on first use outlives the call: it is read afresh and gets gradients."""

    class Lazy:
        w: Value | None = None

        def __call__(self, x: Value) -> Value:
            if self.w is None:
                self.w = Value(0.5)
            return self.w * x

    lazy = Lazy()
    step = compile(lazy)
    step(Value(2.0)).backward()
    assert lazy.w is not None and lazy.w.grad == 2.0
    step(Value(2.0)).backward()  # replayed
    assert lazy.w.grad == 4.0
    lazy.w.data = 1.0
    assert step(Value(3.0)).data == 3.0 and step.recorded == 1


def test_no_grad_and_detach_inside_are_replayed_from_the_parameters() -> None:
    """A target computed under no_grad (or detached) follows the parameters' new numbers."""
    weights = {name: Value(0.5) for name in ("eager", "compiled")}

    def make(name: str) -> Any:
        w = weights[name]

        def fn(x: Value) -> Value:
            with no_grad():
                target = (w * 2.0).tanh()
            return (x * w - target) ** 2 + (w - w.detach() * 0.5) ** 2

        return fn

    eager, step = make("eager"), compile(make("compiled"))
    for k in range(4):
        for w in weights.values():
            w.grad = 0.0
        want, got = eager(Value(k + 0.5)), step(Value(k + 0.5))
        want.backward()
        got.backward()
        assert bits(got.data) == bits(want.data)
        assert bits(weights["compiled"].grad) == bits(weights["eager"].grad)
        for w in weights.values():
            w.data -= 0.05 * w.grad


def test_arguments_that_are_results_of_outside_ops() -> None:
    """An argument computed before the call: backward goes on into its graph (the engine's
    path through the compiled op)."""
    w = Value(0.7)
    step = compile(lambda h: (h * h).tanh())
    for _ in range(2):
        w.grad = 0.0
        h = w * 3.0
        step(h).backward()
        got = w.grad
        w.grad = 0.0
        h = w * 3.0
        (h * h).tanh().backward()
        assert got == pytest.approx(w.grad, rel=1e-14)


# --- what comes out ---------------------------------------------------------------------------


def test_a_returned_number_is_refused() -> None:
    w = Value(1.0)
    step = compile(lambda: (w * 2.0, (w * 3.0).data))
    with pytest.raises(TypeError, match="return the Values it comes from"):
        step()
    with pytest.raises(TypeError, match="fn must return a Value"):
        compile(lambda: None)()


def test_outputs_keep_their_shape_and_interior_gradients() -> None:
    ws = [Value(0.3), Value(-0.8)]

    def fn(x: Value) -> tuple[Value, list[Value]]:
        scores = [(w * x).tanh() for w in ws]
        return value_sum(scores) * scores[0], scores

    step = compile(fn)
    for x in (0.5, -1.25, 2.0):
        want_loss, want_scores = fn(Value(x))
        want_loss.backward()
        want_grads = grads(ws)
        for w in ws:
            w.grad = 0.0
        loss, scores = step(Value(x))
        assert type(scores) is list and len(scores) == 2
        loss.backward()
        assert grads(ws) == want_grads
        assert [bits(s.grad) for s in scores] == [bits(s.grad) for s in want_scores]
        assert bits(loss.grad) == bits(1.0)
        for w in ws:
            w.grad = 0.0


def test_outputs_that_are_arguments_sources_or_constants() -> None:
    w = Value(2.0)
    step = compile(lambda x: (x, w, Value(5.0), w * x))
    step(Value(1.0))
    x = Value(3.0)
    got = step(x)
    assert got[0] is x and got[1] is w and got[2].data == 5.0 and got[3].data == 6.0


def test_second_backward_adds_once_more_and_retain_graph_false_frees() -> None:
    w = Value(1.5)
    step = compile(lambda: w * w * 3.0)
    step()
    r = step()
    r.backward()
    assert w.grad == 9.0
    r.backward()
    assert w.grad == 18.0
    r.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="retain_graph=False"):
        r.backward()


def test_backward_with_a_seed_and_a_negative_zero() -> None:
    w = Value(0.0)
    for g in (2.5, -0.0, Value(3.0)):
        for w.grad in (-0.0, 0.0, 1.0):
            start = w.grad
            (w * 0.0 + (-w).relu()).backward(gradient=g)
            want = w.grad
            w.grad = start
            step = compile(lambda: w * 0.0 + (-w).relu())
            step()
            step().backward(gradient=g)
            assert bits(w.grad) == bits(want)


def test_results_in_further_eager_arithmetic() -> None:
    w = Value(0.4)
    step = compile(lambda x: (w * x).sigmoid())
    step(1.0)
    total = step(2.0) * 3.0 + step(-1.0)
    total.backward()
    got = w.grad
    w.grad = 0.0
    ((w * 2.0).sigmoid() * 3.0 + (w * -1.0).sigmoid()).backward()
    assert got == pytest.approx(w.grad, rel=1e-14)


def test_gradients_of_gradients_are_refused() -> None:
    w = Value(0.4)
    step = compile(lambda: w.tanh())
    step()
    with pytest.raises(RuntimeError, match="create_graph"):
        step().backward(create_graph=True)


def test_code_and_drawing() -> None:
    w = Value(0.5)
    step = compile(lambda x: (w * x + 1.0).relu())
    with pytest.raises(RuntimeError, match="nothing recorded"):
        step.code  # noqa: B018
    step(2.0)
    assert "def forward(x, p):" in step.code and "def backward_0(" in step.code
    assert "p0 * x0 + 1.0" in step.code
    dot = draw_graph(step.graph)
    assert "relu" in dot.source
    assert "compiled" in repr(step)


# --- micrograd's demo, written as its users write it ------------------------------------------


class Module:
    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    def __init__(self, nin: int, nonlin: bool = True) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x: list[Value]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class Layer(Module):
    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: list[Value]) -> Any:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    def __init__(self, nin: int, nouts: list[int]) -> None:
        sz = [nin] + nouts
        self.layers = [
            Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))
        ]

    def __call__(self, x: list[Value]) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]


def moons(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    X = X + rng.normal(0, 0.1, X.shape)
    return X, upper.astype(np.int64) * 2 - 1


def train(model: Any, loss: Any, steps: int, y: np.ndarray) -> list[tuple[bytes, float]]:
    history = []
    for k in range(steps):
        total_loss, scores = loss()
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((bits(total_loss.data), sum(accuracy) / len(accuracy)))
    return history


def demo_loss(model: Any, X: np.ndarray, y: np.ndarray) -> Any:
    def loss() -> tuple[Value, list[Value]]:
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        return total_loss, scores  # the accuracy is computed from the scores, outside

    return loss


def test_micrograds_demo_under_compile() -> None:
    X, y = moons(24)
    random.seed(1337)
    eager_model = MLP(2, [8, 8, 1])
    random.seed(1337)
    compiled_model = MLP(2, [8, 8, 1])
    want = train(eager_model, demo_loss(eager_model, X, y), 8, y)
    step = compile(demo_loss(compiled_model, X, y))
    got = train(compiled_model, step, 8, y)
    assert got == want
    assert grads(compiled_model.parameters()) == grads(eager_model.parameters())
    assert step.recorded == 1
    assert "0.0 if" in step.code  # relu, written out


def test_micrograds_demo_with_minibatches_as_arguments() -> None:
    X, y = moons(40)
    random.seed(7)
    eager_model = MLP(2, [6, 1])
    random.seed(7)
    compiled_model = MLP(2, [6, 1])

    def loss_of(model: Any) -> Any:
        def loss(Xb: list[list[float]], yb: list[int]) -> Value:
            scores = [model(list(map(Value, x))) for x in Xb]  # numbers arrive as Values
            losses = [(1 + -yi * s).relu() for yi, s in zip(yb, scores)]
            return sum(losses) * (1.0 / len(losses))

        return loss

    eager, step = loss_of(eager_model), compile(loss_of(compiled_model))
    order = np.random.default_rng(0).permutation(40)
    for k in range(5):
        batch = order[(k * 8) % 40 : (k * 8) % 40 + 8]
        Xb, yb = X[batch].tolist(), y[batch].tolist()
        for model, fn in ((eager_model, eager), (compiled_model, step)):
            model.zero_grad()
            fn(Xb, yb).backward()
            for p in model.parameters():
                p.data -= 0.1 * p.grad
        assert grads(compiled_model.parameters()) == grads(eager_model.parameters())
    assert step.recorded == 1


def test_nn_scalar_mlp_under_compile() -> None:
    X, y = moons(16, seed=3)
    models = [nn.scalar.MLP(2, [6, 6, 1], generator=np.random.default_rng(5)) for _ in range(2)]
    steps = [demo_loss(models[0], X, y), compile(demo_loss(models[1], X, y))]
    histories = [train(m, s, 5, y) for m, s in zip(models, steps)]
    assert histories[0] == histories[1]
    assert grads(models[0].parameters()) == grads(models[1].parameters())


# --- ops and edge values -----------------------------------------------------------------------

EDGE_PROGRAMS = [
    lambda a, b: a / b + b / a + 1.0 / a + a / 0.0,
    lambda a, b: a**b + b**2.0 + a**0.0 + 0.0**a + 2.0**b + a**-1.5,
    lambda a, b: (a * b).log() + a.exp() + b.sqrt() + a.abs() + (-b).sigmoid(),
    lambda a, b: (a - float("nan")) + (b + float("-nan")) + a * math.inf,
    lambda a, b: (a - b).relu() * (b - a).relu() + a.relu() - b,
    lambda a, b: value_dot([a, b, a], [b, b, 3.0], a) + value_sum([a, 2.0, b], b),
    lambda a, b: autograd.floor(a * 2.5) + autograd.sign(b) * a + autograd.round(b),
    lambda a, b: -a - (-b) + 0.0 * a + (a - 0.0) + (b + -0.0),
]
EDGE_POINTS = [(0.0, 0.0), (-0.0, 2.0), (1.0, -0.0), (-2.0, 3.0), (0.5, -1e308), (math.inf, 1.0)]


@pytest.mark.parametrize("program", range(len(EDGE_PROGRAMS)))
def test_edge_values_bit_for_bit(program: int) -> None:
    fn = EDGE_PROGRAMS[program]
    step = compile(fn)
    for point in EDGE_POINTS:
        eager_in, compiled_in = [Value(x) for x in point], [Value(x) for x in point]
        want, got = fn(*eager_in), step(*compiled_in)
        want.backward()
        got.backward()
        assert bits(got.data) == bits(want.data), point
        assert grads(compiled_in) == grads(eager_in), point


def test_long_sums_are_split_across_lines() -> None:
    ws = [Value(random.Random(i).uniform(-1, 1)) for i in range(500)]
    step = compile(lambda xs: value_dot(ws, xs, 0.5) + value_sum(ws) + sum(w * w for w in ws))
    xs = [0.01 * i for i in range(500)]
    want = value_dot(ws, [Value(x) for x in xs], 0.5) + value_sum(ws) + sum(w * w for w in ws)
    want.backward()
    expected = grads(ws)
    for w in ws:
        w.grad = 0.0
    step(xs)
    got = step(xs)
    got.backward()
    assert bits(got.data) == bits(want.data) and grads(ws) == expected


# --- modes, nesting, hooks ---------------------------------------------------------------------


def test_grad_mode_is_part_of_the_key() -> None:
    w = Value(2.0)
    step = compile(lambda x: w * x)
    assert step(3.0).requires_grad
    with no_grad():
        r = step(3.0)
    assert not r.requires_grad and r.data == 6.0
    assert step.recorded == 2


def test_anomaly_mode_and_nested_steps_run_eagerly() -> None:
    w = Value(2.0)
    inner = compile(lambda x: w * x)
    outer = compile(lambda x: inner(x) + 1.0)
    assert outer(3.0).data == 7.0 and outer(4.0).data == 9.0
    assert outer.recorded == 1 and inner.recorded == 0  # recorded as part of outer
    with autograd.detect_anomaly():
        r = outer(1.0)
    assert type(r) is Value and r.grad_fn is not None  # an eager graph


def test_a_failing_recording_leaves_no_hook_behind() -> None:
    def fn(x: Value) -> Value:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        compile(fn)(Value(1.0))
    assert value_module._observer is None and value_module.make is value_module._make


def test_eager_values_unchanged_by_the_hooks() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a < b) is True and (a >= b) is False and float(a) == 1.0 and a.item() == 1.0
    d = b.detach()
    assert (d.data, d.requires_grad, d.grad_fn, d._parents, d.grad) == (2.0, False, None, (), 0.0)


def test_other_threads_are_not_recorded() -> None:
    w = Value(3.0)
    seen: list[Value] = []

    def fn(x: Value) -> Value:
        worker = threading.Thread(target=lambda: seen.append(w * 2.0))
        worker.start()
        worker.join()
        return x * w

    step = compile(fn)
    step(Value(1.0))
    assert "2.0" not in step.code  # the other thread's product is not part of the recording
    assert step(Value(2.0)).data == 6.0


def test_readme_example_runs_and_shows_the_code_it_prints() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Compiled scalar steps") :]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(example, namespace)
    assert namespace["step"].recorded == 1 and namespace["accuracy"] > 0.8
    w, b = Value(0.5), Value(-1.0)
    neuron = compile(lambda x: (w * x + b).tanh())
    neuron(2.0)
    shown = section.split("compiles to:\n\n```\n", 1)[1].split("```", 1)[0]
    assert neuron.code.strip() == shown.strip()


def test_grad_through_a_result() -> None:
    w = Value(0.3)
    step = compile(lambda x: (w * x).tanh() * x)
    step(2.0)
    (got,) = autograd.grad(step(2.0), w)
    (want,) = autograd.grad((w * 2.0).tanh() * 2.0, w)
    assert got.data == pytest.approx(want.data, rel=1e-15) and w.grad == 0.0


def test_replays_keep_memory_flat() -> None:
    import gc
    import sys

    ws = [Value(0.1 * i) for i in range(20)]
    step = compile(lambda x: sum((w * x).relu() for w in ws) * x)
    for _ in range(20):
        step(1.5).backward()
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(300):
        step(1.5).backward()
    gc.collect()
    assert sys.getallocatedblocks() - before < 256  # no cycle, nothing kept per call


def test_as_a_decorator_and_bad_options() -> None:
    w = Value(2.0)

    @compile(on_change="raise")
    def double(x: Value) -> Value:
        return w * x

    assert double(Value(3.0)).data == 6.0 and double.on_change == "raise"
    with pytest.raises(ValueError, match="on_change"):
        compile(double, on_change="ignore")
    with pytest.raises(ValueError, match="max_recordings"):
        compile(double, max_recordings=0)
    with pytest.raises(TypeError, match="callable"):
        compile(3.0)  # type: ignore[arg-type]
