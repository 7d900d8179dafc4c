"""Proof that the checks can fail: plant a wrong backward rule in the engine (with monkeypatch,
undone after each test), then show that gradcheck raises and that a property search finds the
bug and shrinks it to a small example a person can read."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st

import autograd.value as value
from autograd import Tensor, Value
from autograd.gradcheck import GradcheckError, gradcheck
from autograd.op import Op
from autograd.ops import arithmetic, indexing
from autograd.ops.common import raw
from autograd.testing import Expression, broadcastable_shapes, expressions, tensors

# find() stops at the first failing example and then shrinks it; derandomized, so the shrunk
# example is the same on every run
SEARCH = settings(
    max_examples=300,
    database=None,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def fails_gradcheck(fn: Callable[..., Any], inputs: Any) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kinks and precision notes are not the point here
        try:
            gradcheck(fn, inputs)
        except GradcheckError:
            return True
    return False


def expression_fails(expr: Expression) -> bool:
    return fails_gradcheck(expr, expr.values())


# --- bug 1: a mul rule that drops the upstream gradient -----------------------------------------


def _mul_rule_dropping_upstream(ctx: None, g: Any, out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    return y, x  # should be g * y, g * x


def test_mul_dropping_the_upstream_gradient_is_caught_and_shrunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = Value(0.5), Value(-1.5)
    assert gradcheck(lambda a, b: (a * b).tanh(), [a, b])  # the real rule passes
    monkeypatch.setattr(arithmetic.MUL, "backward", _mul_rule_dropping_upstream)
    with pytest.raises(GradcheckError):
        gradcheck(lambda a, b: (a * b).tanh(), [a, b])

    smallest = find(expressions(max_steps=6), expression_fails, settings=SEARCH)
    # the least it takes: a product whose gradient is not 1, as in t1 = x0 * x0; out = t1 + t1
    assert len(smallest) == 2, smallest
    assert any(step.op == "mul" for step in smallest.steps), smallest
    assert " * " in repr(smallest)


def test_tensor_mul_dropping_the_upstream_gradient_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x = Tensor(np.array([[0.5, -1.0], [2.0, 1.5]]), requires_grad=True)
    y = Tensor(np.array([[1.5, -0.5], [0.25, 1.0]]), requires_grad=True)
    assert gradcheck(lambda x, y: x * y, [x, y])
    # (inputs of the same shape and dtype: the product is recorded with MUL itself)
    monkeypatch.setattr(arithmetic.MUL, "backward", _mul_rule_dropping_upstream)
    # the output itself is weighted at random, so a single op is enough to expose it
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y: x * y, [x, y])
    assert {m.input for m in caught.value.mismatches} == {0, 1}


# --- bug 2: an unbroadcast that forgets an axis -----------------------------------------------


def _unbroadcast_forgetting_stretched_axes(g: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """Sums the leading axes broadcasting added but forgets the size-1 axes it stretched,
    keeping their first slice instead of their sum."""
    lead = len(g.shape) - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    first = tuple(slice(0, 1) if n == 1 else slice(None) for n in shape)
    g = g[first]
    return g.astype(dtype) if g.dtype != dtype else g


@st.composite
def broadcast_pairs(draw: Any) -> tuple[Tensor, Tensor]:
    sx, sy = draw(broadcastable_shapes(2, max_dims=3, max_side=3))
    return draw(tensors(sx)), draw(tensors(sy))


def test_unbroadcast_forgetting_an_axis_is_caught_and_shrunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3) - 2.5, requires_grad=True)
    bias = Tensor(np.array([[0.5], [-1.0]]), requires_grad=True)  # stretched along axis 1
    assert gradcheck(lambda x, b: x * b, [x, bias])
    # the one place where arithmetic undoes broadcasting (its broadcasting rules call it)
    monkeypatch.setattr(arithmetic, "unbroadcast", _unbroadcast_forgetting_stretched_axes)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, b: x * b, [x, bias])
    assert {m.input for m in caught.value.mismatches} == {1}  # only the broadcast input

    def product_fails(pair: tuple[Tensor, Tensor]) -> bool:
        return fails_gradcheck(lambda a, b: a * b, pair)

    small_x, small_y = find(broadcast_pairs(), product_fails, settings=SEARCH)
    # the least it takes: one size-1 axis stretched to 2, e.g. shapes (2,) and (1,)
    assert small_x.numel() + small_y.numel() == 3, (small_x.shape, small_y.shape)


# --- bug 3: an accumulation that overwrites instead of adding ---------------------------------


class _Overwriting(float):
    """A gradient whose `+` keeps only the newcomer: what a backward pass that assigns a
    node's gradient (grads[x] = g) instead of accumulating it (grads[x] += g) computes."""

    def __add__(self, other: Any) -> Any:
        return other


def _with_overwriting_gradients(op: Op) -> Op:
    rule_fn = op.backward

    def overwriting(ctx: Any, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
        grads = rule_fn(ctx, g, out, *inputs)
        return tuple(_Overwriting(v) if isinstance(v, float) else v for v in grads)

    return op.sibling(overwriting)  # the same op, with the rule wrapped


def test_accumulation_that_overwrites_is_caught_and_shrunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a = Value(0.5)
    assert gradcheck(lambda a: a * a.tanh(), a)
    real_make = value.make

    def make_with_overwriting(
        data: float, parents: Any, op: Op, ctx: Any = None, needs_grad: Any = None
    ) -> Any:
        return real_make(data, parents, _with_overwriting_gradients(op), ctx, needs_grad)

    monkeypatch.setattr(value, "make", make_with_overwriting)  # every Value op records with it
    with pytest.raises(GradcheckError):
        gradcheck(lambda a: a * a.tanh(), a)
    assert gradcheck(lambda a: a.tanh().exp(), a)  # no node is used twice: nothing to add up

    smallest = find(expressions(max_steps=6), expression_fails, settings=SEARCH)
    # the least it takes: one step that uses a node twice, as in x0 + x0
    assert len(smallest) == 1, smallest
    [step] = smallest.steps
    assert step.args[0] == step.args[1], smallest


# --- bug 3 on tensors: a scatter that overwrites repeated indices -----------------------------


def _index_add_overwriting(g: Any, index: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    z = np.zeros(shape, dtype=dtype)
    z[index] = raw(g)  # repeated indices keep the last gradient instead of adding up
    return z


def test_scatter_that_overwrites_repeated_indices_is_caught_and_shrunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    rows = np.array([0, 2, 0])
    assert gradcheck(lambda x: x[rows], x)
    monkeypatch.setattr(indexing, "index_add", _index_add_overwriting)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: x[rows], x)
    assert [m.index for m in caught.value.mismatches] == [(0,)]  # the repeated row only

    picks = st.lists(st.integers(0, 2), min_size=1, max_size=6)
    smallest = find(picks, lambda r: fails_gradcheck(lambda x: x[np.array(r)], x), settings=SEARCH)
    assert smallest == [0, 0]
