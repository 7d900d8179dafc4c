"""The micrograd README example runs unchanged and gives micrograd's numbers."""

import pytest

from autograd import Value


def test_micrograd_readme_example() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    g.backward()
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    assert b.grad == pytest.approx(645.5773, abs=1e-4)


def test_second_backward_adds_exactly_once() -> None:
    a = Value(2.0)
    c = (a * a) * 3
    c.backward()
    assert a.grad == 12.0
    c.backward()
    assert a.grad == 24.0  # micrograd gives 36.0 here
