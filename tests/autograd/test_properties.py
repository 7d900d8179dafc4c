"""The engine under property tests: every op of Value and Tensor against finite differences, to
first and second order, and the scalar engine as the reference for the tensor engine."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor
from autograd.gradcheck import gradcheck, gradgradcheck
from autograd.testing import (
    BASES,
    CONSTANTS,
    EXPONENTS,
    OPS,
    VALUE_LIMIT,
    VALUE_OPS,
    Expression,
    arrays,
    broadcastable_shapes,
    expressions,
    gradient_test,
    reduction_axes,
    tensors,
)

SMALL = {"max_dims": 3, "max_side": 3}  # keeps every drawn tensor at 27 elements or fewer


# --- the strategies keep their promises ------------------------------------------------------

_PRINTED_FUNCTIONS = {
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
    "relu": lambda x: max(x, 0.0),
    "abs": abs,
}


@given(expressions(max_steps=8, points=2))
def test_expressions_are_smooth_bounded_and_print_faithfully(expr: Expression) -> None:
    for p, point in enumerate(expr.points):
        nodes = list(point)
        for step in expr.steps:
            a, b = (nodes[i] for i in step.args)
            op = OPS[step.op]
            assert op.smooth(a, b, step.const), (step, a, b)
            nodes.append(op.number(a, b, step.const))
        assert all(abs(v) <= VALUE_LIMIT * len(expr.steps) for v in nodes)
        # the printed program, run as Python, computes the same number
        namespace = dict(_PRINTED_FUNCTIONS, **{f"x{i}": x for i, x in enumerate(point)})
        exec(expr.text, namespace)
        assert namespace["out"] == pytest.approx(expr.evaluate(p), rel=1e-9, abs=1e-12)
    assert repr(expr).startswith(f"Expression({expr.text}  at x0=")


@given(data=st.data())
def test_tensor_strategies_respect_their_bounds(data: st.DataObject) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, **SMALL))
    x = data.draw(tensors(shape, bound=2.0, min_magnitude=0.25, distinct=True))
    assert x.shape == shape and x.requires_grad and x.dtype == np.float64
    assert np.all(np.isfinite(x.data)) and np.all(np.abs(x.data) <= 2.0)
    assert np.all(np.abs(x.data) >= 0.25)
    gaps = np.diff(np.sort(x.data.ravel()))
    assert np.all(gaps >= 1.0 / 64)
    positive = data.draw(arrays(shape, positive=True, min_magnitude=0.1))
    assert np.all(positive >= 0.1)
    shapes = data.draw(broadcastable_shapes(3, **SMALL))
    np.broadcast_shapes(*shapes)  # raises if they do not broadcast
    axis = data.draw(reduction_axes(len(shape)))
    assert np.sum(x.data, axis=axis).ndim <= len(shape)


def squared(fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn's output squared. The first derivative of fn**2 is fn's backward rule applied to
    2 * fn, which depends on the inputs, so gradgradcheck differentiates through every rule
    in fn, even where fn is linear (sum, reshape, indexing) and its own gradient is constant."""
    return lambda *inputs: fn(*inputs) ** 2


# --- Value ------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", VALUE_OPS)
@given(data=st.data())
def test_every_value_op_to_second_order(op: str, data: st.DataObject) -> None:
    expr = data.draw(expressions(ops=(op,), max_steps=2), label="expression")
    assert any(step.op == op for step in expr.steps)
    assert gradcheck(expr, expr.values())
    assert gradgradcheck(squared(expr), expr.values())


@given(expressions(max_steps=8))
def test_random_expressions_to_second_order(expr: Expression) -> None:
    assert gradcheck(expr, expr.values())
    assert gradgradcheck(expr, expr.values())


@given(expressions(max_steps=8))
def test_value_forward_agrees_with_the_math_module(expr: Expression) -> None:
    assert expr(*expr.values()).data == pytest.approx(expr.evaluate(), rel=1e-12, abs=1e-12)


# --- the scalar engine as the reference for the tensor engine --------------------------------


def _value_reference(expr: Expression, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Output and weighted input gradients at each point, computed with Values one by one."""
    outputs = np.empty(len(expr.points))
    grads = np.zeros((len(expr.points), expr.num_inputs))
    for p in range(len(expr.points)):
        leaves = expr.values(p)
        out = expr(*leaves)
        outputs[p] = out.data
        for i, g in enumerate(autograd.grad(out, leaves, allow_unused=True)):
            grads[p, i] = 0.0 if g is None else weights[p] * g.data
    return outputs, grads


@given(expressions(max_steps=8, points=5))
def test_elementwise_tensor_expression_matches_values(expr: Expression) -> None:
    weights = np.linspace(-1.0, 2.0, len(expr.points))
    expected_out, expected_grads = _value_reference(expr, weights)
    inputs = expr.tensors()
    out = expr(*inputs)
    np.testing.assert_allclose(out.data, expected_out, rtol=1e-10, atol=1e-12)
    grads = autograd.grad(out, inputs, grad_outputs=weights, allow_unused=True)
    for i, g in enumerate(grads):
        got = np.zeros(len(expr.points)) if g is None else g.data
        np.testing.assert_allclose(got, expected_grads[:, i], rtol=1e-10, atol=1e-12)


@given(data=st.data())
def test_broadcast_tensor_expression_matches_values(data: st.DataObject) -> None:
    """Inputs of different, broadcastable shapes: each output element is a Value expression of
    the input elements it was broadcast from, and each input's gradient sums over them."""
    shapes = data.draw(broadcastable_shapes(data.draw(st.integers(2, 3)), **SMALL))
    arrays_in = [data.draw(arrays(s)) for s in shapes]
    out_shape = np.broadcast_shapes(*shapes)
    columns = [np.broadcast_to(a, out_shape).ravel() for a in arrays_in]
    points = list(zip(*(c.tolist() for c in columns)))
    expr = data.draw(expressions(at=points, max_steps=6), label="expression")

    weights = np.linspace(-1.0, 2.0, len(points))
    expected_out, per_point = _value_reference(expr, weights)
    inputs = [Tensor(a, requires_grad=True) for a in arrays_in]
    # an expression that leaves out an input can have a smaller shape: broadcast it up
    out = autograd.tensor_ops.broadcast_to(expr(*inputs), out_shape)
    np.testing.assert_allclose(out.data.ravel(), expected_out, rtol=1e-10, atol=1e-12)
    grads = autograd.grad(out, inputs, grad_outputs=weights.reshape(out_shape), allow_unused=True)
    for i, (a, g) in enumerate(zip(arrays_in, grads)):
        # which element of input i each output element came from
        source = np.broadcast_to(np.arange(a.size).reshape(a.shape), out_shape).ravel()
        expected = np.zeros(a.size)
        np.add.at(expected, source, per_point[:, i])
        got = np.zeros(a.shape) if g is None else g.data
        np.testing.assert_allclose(got.ravel(), expected, rtol=1e-10, atol=1e-10)


# --- Tensor: every op, to second order --------------------------------------------------------

Case = tuple[Callable[..., Tensor], list[Any]]


def _binary(fn: Callable[[Any, Any], Tensor], **y_options: Any) -> Callable[[Any], Case]:
    def draw(data: st.DataObject) -> Case:
        sx, sy = data.draw(broadcastable_shapes(2, **SMALL), label="shapes")
        x = data.draw(tensors(sx), label="x")
        y = data.draw(tensors(sy, **y_options), label="y")
        return fn, [x, y]

    return draw


def _unary(fn: Callable[[Tensor], Tensor], **options: Any) -> Callable[[Any], Case]:
    def draw(data: st.DataObject) -> Case:
        shape = data.draw(hnp.array_shapes(min_dims=0, **SMALL), label="shape")
        return fn, [data.draw(tensors(shape, **options), label="x")]

    return draw


def _with_constant(
    fn: Callable[[Tensor, float], Tensor], constants: tuple[float, ...], **options: Any
) -> Callable[[Any], Case]:
    def draw(data: st.DataObject) -> Case:
        c = data.draw(st.sampled_from(constants), label="constant")
        shape = data.draw(hnp.array_shapes(min_dims=0, **SMALL), label="shape")
        return (lambda x: fn(x, c)), [data.draw(tensors(shape, **options), label="x")]

    return draw


def _power(data: st.DataObject) -> Case:
    sx, sy = data.draw(broadcastable_shapes(2, **SMALL), label="shapes")
    base = data.draw(tensors(sx, positive=True, min_magnitude=0.2), label="base")
    exponent = data.draw(tensors(sy, bound=2.0), label="exponent")
    return (lambda x, y: x**y), [base, exponent]


def _pow_const(data: st.DataObject) -> Case:
    c = data.draw(st.sampled_from(EXPONENTS), label="exponent")
    shape = data.draw(hnp.array_shapes(min_dims=0, **SMALL), label="shape")
    x = data.draw(tensors(shape, positive=True, min_magnitude=0.2), label="x")
    return (lambda x: x**c), [x]


def _choose(name: str) -> Callable[[Any], Case]:
    fn = {"maximum": autograd.maximum, "minimum": autograd.minimum}[name]

    def draw(data: st.DataObject) -> Case:
        sx, sy = data.draw(broadcastable_shapes(2, **SMALL), label="shapes")
        x = data.draw(tensors(sx), label="x")
        y = data.draw(tensors(sy), label="y")
        assume(np.all(np.abs(x.data - y.data) > 1e-2))  # a tie is a kink
        return fn, [x, y]

    return draw


def _where(data: st.DataObject) -> Case:
    sc, sx, sy = data.draw(broadcastable_shapes(3, **SMALL), label="shapes")
    condition = data.draw(hnp.arrays(np.bool_, sc), label="condition")
    x = data.draw(tensors(sx), label="x")
    y = data.draw(tensors(sy), label="y")
    return (lambda x, y: autograd.where(condition, x, y)), [x, y]


def _reduction(method: str, **options: Any) -> Callable[[Any], Case]:
    def draw(data: st.DataObject) -> Case:
        shape = data.draw(hnp.array_shapes(min_dims=0, **SMALL), label="shape")
        axis = data.draw(reduction_axes(len(shape)), label="axis")
        keepdims = data.draw(st.booleans(), label="keepdims")
        x = data.draw(tensors(shape, **options), label="x")
        return (lambda x: getattr(x, method)(axis=axis, keepdims=keepdims)), [x]

    return draw


def _along_axis(method: str) -> Callable[[Any], Case]:
    def draw(data: st.DataObject) -> Case:
        shape = data.draw(hnp.array_shapes(min_dims=1, **SMALL), label="shape")
        axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
        x = data.draw(tensors(shape), label="x")
        return (lambda x: getattr(x, method)(axis=axis)), [x]

    return draw


def _reshape(data: st.DataObject) -> Case:
    shape = data.draw(hnp.array_shapes(min_dims=0, **SMALL), label="shape")
    size = int(np.prod(shape))
    target = data.draw(st.sampled_from([(size,), (1, size), shape[::-1], (size, 1, 1)]))
    return (lambda x: x.reshape(target)), [data.draw(tensors(shape), label="x")]


def _transpose(data: st.DataObject) -> Case:
    shape = data.draw(hnp.array_shapes(min_dims=1, **SMALL), label="shape")
    perm = data.draw(st.permutations(range(len(shape))), label="axes")
    return (lambda x: x.transpose(*perm)), [data.draw(tensors(shape), label="x")]


def _swapaxes(data: st.DataObject) -> Case:
    shape = data.draw(hnp.array_shapes(min_dims=1, **SMALL), label="shape")
    a, b = (data.draw(st.integers(-len(shape), len(shape) - 1)) for _ in range(2))
    return (lambda x: x.swapaxes(a, b)), [data.draw(tensors(shape), label="x")]


def _basic_index(data: st.DataObject) -> Case:
    shape = data.draw(hnp.array_shapes(min_dims=1, **SMALL), label="shape")
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=True), label="index")
    return (lambda x: x[index]), [data.draw(tensors(shape), label="x")]


def _integer_index(data: st.DataObject) -> Case:
    shape = data.draw(hnp.array_shapes(min_dims=1, **SMALL), label="shape")
    picks = st.integers(-shape[0], shape[0] - 1)
    rows = data.draw(st.lists(picks, min_size=1, max_size=5), label="rows")  # repeats add up
    return (lambda x: x[np.array(rows)]), [data.draw(tensors(shape), label="x")]


def _joined(join: Callable[..., Tensor], same_shape: bool) -> Callable[[Any], Case]:
    def draw(data: st.DataObject) -> Case:
        shape = data.draw(hnp.array_shapes(min_dims=1, **SMALL), label="shape")
        axis = data.draw(st.integers(0, len(shape) - 1 + same_shape), label="axis")
        count = data.draw(st.integers(1, 3), label="count")
        parts = []
        for _ in range(count):
            part_shape = list(shape)
            if not same_shape:
                part_shape[axis] = data.draw(st.integers(1, 3))
            parts.append(data.draw(tensors(tuple(part_shape)), label="part"))
        return (lambda *xs: join(list(xs), axis=axis)), parts

    return draw


def _broadcast_to(data: st.DataObject) -> Case:
    (shape, _) = data.draw(broadcastable_shapes(2, **SMALL), label="shapes")
    target = np.broadcast_shapes(shape, _)
    op = autograd.tensor_ops.broadcast_to
    return (lambda x: op(x, target)), [data.draw(tensors(shape), label="x")]


def _matmul(data: st.DataObject) -> Case:
    shapes = data.draw(
        hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=3, max_side=3),
        label="shapes",
    )
    sx, sy = shapes.input_shapes
    x = data.draw(tensors(sx), label="x")
    y = data.draw(tensors(sy), label="y")
    return (lambda x, y: x @ y), [x, y]


TENSOR_CASES: dict[str, Callable[[Any], Case]] = {
    "add": _binary(lambda x, y: x + y),
    "sub": _binary(lambda x, y: x - y),
    "mul": _binary(lambda x, y: x * y),
    "div": _binary(lambda x, y: x / y, min_magnitude=0.5),
    "power": _power,
    "add_const": _with_constant(lambda x, c: x + c, CONSTANTS),
    "sub_const": _with_constant(lambda x, c: x - c, CONSTANTS),
    "rsub_const": _with_constant(lambda x, c: c - x, CONSTANTS),
    "mul_const": _with_constant(lambda x, c: x * c, CONSTANTS),
    "div_const": _with_constant(lambda x, c: x / c, CONSTANTS),
    "rdiv_const": _with_constant(lambda x, c: c / x, CONSTANTS, min_magnitude=0.5),
    "pow_const": _pow_const,
    "rpow_const": _with_constant(lambda x, c: c**x, BASES),
    "neg": _unary(lambda x: -x),
    "exp": _unary(lambda x: x.exp()),
    "log": _unary(lambda x: x.log(), positive=True, min_magnitude=0.2),
    "sqrt": _unary(lambda x: x.sqrt(), positive=True, min_magnitude=0.2),
    "tanh": _unary(lambda x: x.tanh()),
    "sigmoid": _unary(lambda x: x.sigmoid()),
    "relu": _unary(lambda x: x.relu(), min_magnitude=0.05),
    "abs": _unary(lambda x: abs(x), min_magnitude=0.05),
    "maximum": _choose("maximum"),
    "minimum": _choose("minimum"),
    "where": _where,
    "sum": _reduction("sum"),
    "mean": _reduction("mean"),
    "max": _reduction("max", distinct=True),
    "min": _reduction("min", distinct=True),
    "logsumexp": _reduction("logsumexp"),
    "softmax": _along_axis("softmax"),
    "log_softmax": _along_axis("log_softmax"),
    "reshape": _reshape,
    "flatten": _unary(lambda x: x.flatten()),
    "transpose": _transpose,
    "T": _unary(lambda x: x.T),
    "swapaxes": _swapaxes,
    "basic index": _basic_index,
    "integer index": _integer_index,
    "concatenate": _joined(autograd.concatenate, same_shape=False),
    "stack": _joined(autograd.stack, same_shape=True),
    "broadcast_to": _broadcast_to,
    "matmul": _matmul,
}


@pytest.mark.parametrize("case", TENSOR_CASES)
@given(data=st.data())
def test_every_tensor_op_to_second_order(case: str, data: st.DataObject) -> None:
    fn, inputs = TENSOR_CASES[case](data)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(squared(fn), inputs)


@given(tensors(hnp.array_shapes(min_dims=0, **SMALL)))
def test_astype_to_second_order(x: Tensor) -> None:
    # float32 in the middle rounds x + eps: so a coarser step, and a warning for a float32 output
    with pytest.warns(UserWarning, match="output 0 is float32"):
        assert gradcheck(lambda x: x.astype(np.float32) * 2.0, x, eps=1e-3)
    round_trip = lambda x: x.astype(np.float32).astype(np.float64) ** 2  # noqa: E731
    assert gradgradcheck(round_trip, x, eps=1e-3)


# --- the documented recipe works as advertised ------------------------------------------------


def softplus(x: Tensor) -> Tensor:
    return (1.0 + x.exp()).log()


test_softplus_recipe = gradient_test(softplus, tensors((2, 3)), order=2)
