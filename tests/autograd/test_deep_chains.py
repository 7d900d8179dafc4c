"""No recursion anywhere: backward through a 1,000,000-node Value chain and a 100,000-node
Tensor chain, with the gradients checked against their closed forms.

The chain x_{k+1} = a * x_k + b has x_k = a**k * C - D with D = b / (a - 1), C = x_0 + D, so
dx_N/dx_0 = a**N and dx_N/da = N * a**(N-1) * C - D * (a**N - 1) / (a - 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value, grad
from autograd.graph import iter_graph


def _closed_form(x0: float, a: float, b: float, n: int) -> tuple[float, float, float]:
    """x_N, dx_N/dx_0 and dx_N/da of the chain above."""
    d = b / (a - 1.0)
    c = x0 + d
    an = a**n
    return an * c - d, an, n * a ** (n - 1) * c - d * (an - 1.0) / (a - 1.0)


def test_backward_through_a_million_value_nodes() -> None:
    steps = 500_000  # two ops per step: 1,000,000 nodes
    x0, a, b = 0.5, 1.0 + 1e-6, 1e-4
    start, weight = Value(x0), Value(a)
    x = start
    for _ in range(steps):
        x = x * weight + b
    x.backward()
    value, d_start, d_weight = _closed_form(x0, a, b, steps)
    assert x.data == pytest.approx(value, rel=1e-9)
    assert start.grad == pytest.approx(d_start, rel=1e-9)
    assert weight.grad == pytest.approx(d_weight, rel=1e-9)
    del x  # freeing the chain must not recurse either


def test_backward_through_a_hundred_thousand_tensor_nodes() -> None:
    steps = 50_000  # two ops per step: 100,000 nodes
    x0 = np.array([0.5, -1.0, 2.0])
    a, b = 1.0 + 1e-5, 1e-4
    start = Tensor(x0, requires_grad=True)
    weight = Tensor(np.float64(a), requires_grad=True)  # broadcast against (3,) at every step
    x = start
    for _ in range(steps):
        x = x * weight + b
    x.sum().backward()
    value, d_start, d_weight = zip(*(_closed_form(v, a, b, steps) for v in x0))
    np.testing.assert_allclose(x.data, value, rtol=1e-9)
    assert start.grad is not None and weight.grad is not None
    np.testing.assert_allclose(start.grad.data, d_start, rtol=1e-9)
    assert float(weight.grad) == pytest.approx(sum(d_weight), rel=1e-9)


def test_grad_walking_and_releasing_a_long_value_chain() -> None:
    steps = 50_000
    start = Value(0.5)
    x = start
    for _ in range(steps):
        x = x.exp().log()  # the identity, through two nonlinear ops
    assert sum(1 for _ in iter_graph(x)) == 2 * steps + 1
    (g,) = grad(x, [start])
    x.backward(retain_graph=False)
    assert start.grad == g.data == pytest.approx(1.0, rel=1e-9)
    assert x.data == pytest.approx(0.5, rel=1e-9)
    with pytest.raises(RuntimeError, match="retain_graph"):
        x.backward()


def test_second_order_through_a_long_chain() -> None:
    steps = 10_000
    start = Value(0.3)
    x = start
    for _ in range(steps):
        x = x * 1.0001
    y = x * x  # y = (a**N * x0)**2, so d2y/dx0**2 = 2 * a**(2N)
    (g,) = grad(y, [start], create_graph=True)
    (h,) = grad(g, [start])
    assert h.data == pytest.approx(2 * 1.0001 ** (2 * steps), rel=1e-9)
