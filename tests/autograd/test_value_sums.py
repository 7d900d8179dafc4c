"""value_sum and value_dot: one node for a sum or a neuron's weighted sum. The same numbers as
the chains of two-input ops they replace, gradients against finite differences, the per-op
graph and PyTorch, second derivatives, constants, released graphs and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import (
    AnomalyError,
    Tensor,
    Value,
    detect_anomaly,
    grad,
    gradcheck,
    gradgradcheck,
    no_grad,
    value_dot,
    value_sum,
)
from autograd.graph import iter_graph
from tests.support.fd import numeric_grad
from tests.support.nodes import op_name

finite = st.floats(-1e3, 1e3, allow_nan=False)
vectors = st.integers(1, 12).flatmap(
    lambda n: st.tuples(*[st.lists(finite, min_size=n, max_size=n)] * 2)
)


@given(vectors, finite)
def test_dot_is_micrograds_sum_bit_for_bit_with_the_same_gradients(wx, b) -> None:
    w_data, x_data = wx
    ws, xs, bias = [Value(v) for v in w_data], [Value(v) for v in x_data], Value(b)
    fused = value_dot(ws, xs, bias)
    fused.backward()
    got = [v.grad for v in (*ws, *xs, bias)]
    for v in (*ws, *xs, bias):
        v.grad = 0.0
    chained = sum((w * x for w, x in zip(ws, xs)), bias)  # micrograd's neuron
    chained.backward()
    assert fused.data == chained.data  # the same additions in the same order
    assert got == [v.grad for v in (*ws, *xs, bias)]
    assert len(list(iter_graph(fused))) == 2 * len(ws) + 2 and op_name(fused) == "dot"


@given(st.lists(finite, min_size=1, max_size=20), finite)
def test_sum_is_pythons_sum_bit_for_bit(data, start) -> None:
    values = [Value(v) for v in data]
    s = value_sum(values, Value(start, requires_grad=False))
    assert s.data == sum(data, start) == sum(values, Value(start)).data
    s.backward()
    assert [v.grad for v in values] == [1.0] * len(values)
    assert value_sum(values).data == sum(data)  # start 0.0, as sum()'s 0


def test_gradients_against_finite_differences() -> None:
    w, x = [0.3, -1.2, 2.5], [1.5, 0.7, -0.4]

    def dot(*flat: float) -> float:
        return value_dot([Value(v) for v in flat[:3]], [Value(v) for v in flat[3:6]], flat[6]).data

    want = numeric_grad(lambda a: dot(*a), [np.array([*w, *x, 0.25])])[0]
    ws, xs, b = [Value(v) for v in w], [Value(v) for v in x], Value(0.25)
    out = value_dot(ws, xs, b).tanh()  # through a nonlinearity, so g is not 1
    out.backward()
    t = math.tanh(dot(*w, *x, 0.25))
    np.testing.assert_allclose(
        [v.grad for v in (*ws, *xs, b)], (1 - t * t) * want, rtol=1e-6, atol=1e-9
    )
    assert gradcheck(lambda *v: value_dot(v[:3], v[3:6], v[6]).tanh(), [*ws, *xs, b])
    assert gradcheck(lambda *v: (value_sum(v) * v[0]).sigmoid(), ws)


def test_second_derivatives() -> None:
    w, x = Value(0.5), Value(-2.0)
    (gw,) = grad(value_dot([w], [x]) ** 2, [w], create_graph=True)  # 2 (w x) x
    (gwx,) = grad(gw, [x])  # d/dx of 2 w x^2 = 4 w x
    assert gw.data == 2 * 0.5 * (-2.0) * (-2.0) and gwx.data == 4 * 0.5 * (-2.0)
    vs = [Value(v) for v in (0.3, -0.8, 1.1)]
    assert gradgradcheck(lambda *v: value_dot(v, v).tanh(), vs)
    assert gradgradcheck(lambda *v: value_sum(v).sigmoid() * v[1], vs)


def test_against_pytorch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    rng = np.random.default_rng(3)
    w, x, b = rng.normal(size=7), rng.normal(size=7), 0.4
    ws, xs, bias = [Value(v) for v in w], [Value(v) for v in x], Value(b)
    out = value_dot(ws, xs, bias).relu() + value_sum(xs).exp()
    out.backward()
    tw, tx, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (w, x, b))
    ref = (torch.dot(tw, tx) + tb).relu() + tx.sum().exp()
    ref.backward()
    assert out.data == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose([v.grad for v in ws], tw.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose([v.grad for v in xs], tx.grad.numpy(), rtol=1e-12)
    assert bias.grad == pytest.approx(tb.grad.item(), rel=1e-12)


def test_a_value_used_twice_gets_both_shares() -> None:
    p = [Value(1.5), Value(-2.0)]
    sq = value_dot(p, p)  # sum of squares, as an L2 penalty
    sq.backward()
    assert sq.data == 1.5**2 + 4.0 and [v.grad for v in p] == [3.0, -4.0]
    a = Value(3.0)
    s = value_sum([a, a, a], a)
    s.backward()
    assert s.data == 12.0 and a.grad == 4.0


def test_numbers_are_constants_and_edge_cases() -> None:
    w = Value(2.0)
    out = value_dot([w, 3.0], [1.5, Value(4.0)], 0.5)  # 0.5 + 2 * 1.5 + 3 * 4
    out.backward()
    assert out.data == 15.5 and w.grad == 1.5 and out.requires_grad
    assert value_sum([1, 2.5, True]).data == 4.5  # numbers as in Python's sum()
    assert not value_sum([1.0, 2.0]).requires_grad
    assert not value_dot([1.0], [Value(2.0, requires_grad=False)]).requires_grad
    b = Value(0.7)
    assert value_dot([], [], b) is b and value_sum([], b) is b  # as sum([], start) is start
    assert value_sum([]).data == 0.0 and not value_sum([]).requires_grad
    assert value_dot(iter([w]), (x for x in [Value(1.0)])).data == 2.0  # any iterables
    with no_grad():
        assert not value_dot([w], [w]).requires_grad and not value_sum([w]).requires_grad


def test_ieee_results_and_anomaly_detection() -> None:
    big = Value(1e200)
    assert value_dot([big], [big]).data == math.inf  # overflow is inf, as in a * b
    assert math.isnan(value_sum([Value(math.inf), Value(-math.inf)]).data)
    with detect_anomaly():  # an inf is not an anomaly (as in PyTorch); a NaN is
        assert value_dot([big], [big]).data == math.inf
        with pytest.raises(AnomalyError, match="op 'dot' produced nan"):
            value_dot([big, big], [big, -big])  # inf + (-inf)


def test_released_graph_and_a_second_backward() -> None:
    ws, xs = [Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]
    out = value_dot(ws, xs)
    out.backward()
    out.backward()  # leaves accumulate exactly once more
    assert [v.grad for v in ws] == [6.0, 8.0]
    total = value_sum(ws)
    once = total * 2.0
    once.backward(retain_graph=False)
    assert total._parents == ()  # the n-ary node let go of its inputs too
    with pytest.raises(RuntimeError, match=r"freed by an earlier backward\(\).*retain_graph=True"):
        once.backward()


def test_a_wide_sum_without_recursion() -> None:
    values = [Value(float(i)) for i in range(200_000)]
    s = value_sum(values)
    s.backward()
    assert s.data == sum(range(200_000)) and values[-1].grad == 1.0


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: value_dot([Value(1.0)] * 2, [Value(1.0)]), ValueError, r"2 weights but 1 inputs"),
        (lambda: value_dot([Value(1.0)], ["a"]), TypeError, r"inputs\[0\] is a str \('a'\)"),
        (
            lambda: value_dot([Value(1.0), Tensor([1.0])], [1.0, 2.0]),
            TypeError,
            r"weights\[1\] is a Tensor",
        ),
        (lambda: value_dot([1.0], [2.0], "b"), TypeError, r"value_dot\(\): bias is a str"),
        (lambda: value_dot(3.0, [2.0]), TypeError, r"weights must be an iterable .* got a float"),
        (lambda: value_sum("abc"), TypeError, r"values must be an iterable .* got a str"),
        (lambda: value_sum([Value(1.0), None]), TypeError, r"values\[1\] is a NoneType"),
        (lambda: value_sum([1.0], start=[2.0]), TypeError, r"start is a list"),
        (  # an error inside the caller's generator reaches the caller unchanged
            lambda: value_sum(w * x for w, x in zip([Value(1.0)] * 2, [Value(1.0), "oops"])),
            TypeError,
            r"^Value: cannot combine a Value with a str \('oops'\)$",
        ),
        (lambda: value_sum([Tensor([1.0, 2.0])]), TypeError, r"for Tensors use \.sum\(\) or @"),
    ],
)
def test_bad_input_names_the_argument(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


def test_drawing_a_neuron_names_the_factor_on_each_edge() -> None:
    from autograd import draw_graph

    w = [Value(0.5), Value(-1.5)]
    x = [Value(2.0, requires_grad=False), Value(3.0)]
    out = value_dot(w, x, Value(0.25)) + value_sum(x)
    out.backward()
    params = {"first": w[0], "second": w[1], "seen": x[1]}
    src = draw_graph(out, params=params, direction="backward").source
    assert "b + Σ w·x" in src and "<b>Σ</b>" in src
    assert "&#215; x1 = 2>" in src  # the first weight's edge: times its (unnamed) input
    assert "&#215; seen = 3>" in src  # the second's: times its input, called by its name
    assert "&#215; second = -1.5>" in src  # and that input's edge: times the second weight
