"""Value: every op's value, gradient and second derivative against math, finite differences
and PyTorch; IEEE semantics; the plain-float and comparison contract."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, grad, no_grad
from tests.support.fd import numeric_grad


@dataclass(frozen=True)
class ValueOp:
    """One row of the op table: ``fn`` works on Values and on torch scalars alike."""

    name: str
    fn: Callable[..., Any]
    ref: Callable[..., float]  # the same maths on Python floats
    args: tuple[float, ...]


def _same(fn: Callable[..., Any], *args: float) -> ValueOp:
    """A row whose reference is ``fn`` itself applied to floats (plain arithmetic)."""
    return ValueOp("", fn, fn, args)


def _row(name: str, fn: Callable[..., Any], ref: Callable[..., float], *args: float) -> ValueOp:
    return ValueOp(name, fn, ref, args)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


VALUE_OPS = [
    _row("a + b", lambda a, b: a + b, lambda a, b: a + b, 1.3, -0.7),
    _row("a + 2.5", lambda a: a + 2.5, lambda a: a + 2.5, 1.3),
    _row("2.5 + a", lambda a: 2.5 + a, lambda a: 2.5 + a, 1.3),
    _row("a - b", lambda a, b: a - b, lambda a, b: a - b, 1.3, -0.7),
    _row("a - 2.5", lambda a: a - 2.5, lambda a: a - 2.5, 1.3),
    _row("2.5 - a", lambda a: 2.5 - a, lambda a: 2.5 - a, 1.3),
    _row("a * b", lambda a, b: a * b, lambda a, b: a * b, 1.3, -0.7),
    _row("a * 2.5", lambda a: a * 2.5, lambda a: a * 2.5, 1.3),
    _row("2.5 * a", lambda a: 2.5 * a, lambda a: 2.5 * a, 1.3),
    _row("a / b", lambda a, b: a / b, lambda a, b: a / b, 1.3, -0.7),
    _row("a / 2.5", lambda a: a / 2.5, lambda a: a / 2.5, 1.3),
    _row("2.5 / a", lambda a: 2.5 / a, lambda a: 2.5 / a, 1.3),
    _row("-a", lambda a: -a, lambda a: -a, 1.3),
    _row("a ** 2", lambda a: a**2, lambda a: a**2, -1.3),
    _row("a ** 3", lambda a: a**3, lambda a: a**3, -1.3),
    _row("a ** 0.5", lambda a: a**0.5, lambda a: a**0.5, 1.3),
    _row("a ** -1.5", lambda a: a**-1.5, lambda a: a**-1.5, 1.3),
    _row("a ** 0", lambda a: a**0, lambda a: a**0, 1.3),
    _row("a ** b", lambda a, b: a**b, lambda a, b: a**b, 1.3, -0.7),
    _row("2.5 ** a", lambda a: 2.5**a, lambda a: 2.5**a, 1.3),
    _row("exp", lambda a: a.exp(), math.exp, 1.3),
    _row("log", lambda a: a.log(), math.log, 1.3),
    _row("tanh", lambda a: a.tanh(), math.tanh, 0.6),
    _row("sigmoid", lambda a: a.sigmoid(), _sigmoid, 0.6),
    _row("sigmoid of a negative", lambda a: a.sigmoid(), _sigmoid, -2.2),
    _row("relu of a positive", lambda a: a.relu(), lambda a: max(a, 0.0), 1.3),
    _row("relu of a negative", lambda a: a.relu(), lambda a: max(a, 0.0), -1.3),
    _row("abs of a positive", lambda a: a.abs(), abs, 1.3),
    _row("abs of a negative", lambda a: abs(a), abs, -1.3),
    _row(
        "a * b + tanh(a) / b",
        lambda a, b: a * b + a.tanh() / b,
        lambda a, b: a * b + math.tanh(a) / b,
        0.4,
        1.7,
    ),
]
IDS = [op.name for op in VALUE_OPS]


def _leaves(op: ValueOp) -> list[Value]:
    return [Value(x) for x in op.args]


def _autograd_grad(op: ValueOp, args: tuple[float, ...]) -> list[float]:
    leaves = [Value(x) for x in args]
    return [g.data for g in grad(op.fn(*leaves), leaves)]


def _hessian(op: ValueOp) -> list[list[float]]:
    """Second derivatives by differentiating the recorded gradient (create_graph=True)."""
    leaves = _leaves(op)
    firsts = grad(op.fn(*leaves), leaves, create_graph=True)
    rows = []
    for g in firsts:
        if not g.requires_grad:  # a constant gradient: its derivative is zero
            rows.append([0.0] * len(leaves))
            continue
        seconds = grad(g, leaves, allow_unused=True)
        rows.append([0.0 if s is None else s.data for s in seconds])
    return rows


@pytest.mark.parametrize("op", VALUE_OPS, ids=IDS)
def test_value_matches_math(op: ValueOp) -> None:
    out = op.fn(*_leaves(op))
    assert isinstance(out.data, float)
    assert out.data == pytest.approx(op.ref(*op.args), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("op", VALUE_OPS, ids=IDS)
def test_gradient_matches_finite_differences(op: ValueOp) -> None:
    leaves = _leaves(op)
    op.fn(*leaves).backward()
    expected = numeric_grad(op.ref, op.args)
    for leaf, want in zip(leaves, expected):
        assert isinstance(leaf.grad, float)
        assert leaf.grad == pytest.approx(float(want), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("op", VALUE_OPS, ids=IDS)
def test_second_derivative_matches_finite_differences_of_the_gradient(op: ValueOp) -> None:
    n = len(op.args)
    for i, row in enumerate(_hessian(op)):
        # column j of the Hessian: how gradient i moves when input j moves
        expected = numeric_grad(lambda *xs, i=i: _autograd_grad(op, xs)[i], op.args)
        for j in range(n):
            assert row[j] == pytest.approx(float(expected[j]), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("op", VALUE_OPS, ids=IDS)
def test_value_gradient_and_second_derivative_match_torch(op: ValueOp) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in op.args]
    out = op.fn(*xs)
    firsts = torch.autograd.grad(out, xs, create_graph=True)
    want_rows = []
    for g in firsts:
        if not g.requires_grad:
            want_rows.append([0.0] * len(xs))
            continue
        seconds = torch.autograd.grad(g, xs, allow_unused=True, retain_graph=True)
        want_rows.append([0.0 if s is None else s.item() for s in seconds])

    leaves = _leaves(op)
    ours = op.fn(*leaves)
    ours.backward()
    assert ours.data == pytest.approx(out.item(), rel=1e-12, abs=1e-12)
    for leaf, g in zip(leaves, firsts):
        assert leaf.grad == pytest.approx(g.item(), rel=1e-12, abs=1e-12)
    for got, want in zip(_hessian(op), want_rows):
        assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


BINARY_OPS = [op for op in VALUE_OPS if len(op.args) == 2]


@given(
    st.sampled_from(BINARY_OPS),
    st.floats(0.3, 3.0),
    st.floats(0.3, 3.0),
)
def test_drawn_inputs_gradient_matches_finite_differences(op: ValueOp, a: float, b: float) -> None:
    leaves = [Value(a), Value(b)]
    op.fn(*leaves).backward()
    expected = numeric_grad(op.ref, (a, b))
    assert [leaf.grad for leaf in leaves] == pytest.approx(
        [float(e) for e in expected], rel=1e-5, abs=1e-7
    )


# --- IEEE semantics: documented in value.py; forward gives inf/nan, backward never raises ---

IEEE_CASES = [
    ("x / 0", lambda x: x / 0, 1.0, math.inf),
    ("-x / 0", lambda x: -x / 0, 1.0, -math.inf),
    ("x / Value(0)", lambda x: x / Value(0.0), -2.0, -math.inf),
    ("1 / x at 0", lambda x: 1 / x, 0.0, math.inf),
    ("0 / 0", lambda x: x / 0, 0.0, math.nan),
    ("log(0)", lambda x: x.log(), 0.0, -math.inf),
    ("log(-1)", lambda x: x.log(), -1.0, math.nan),
    ("exp(1000)", lambda x: x.exp(), 1000.0, math.inf),
    ("(-8) ** (1/3)", lambda x: x ** (1 / 3), -8.0, math.nan),
    ("(-8) ** Value(1/3)", lambda x: x ** Value(1 / 3), -8.0, math.nan),
    ("0 ** -1", lambda x: x**-1, 0.0, math.inf),
    ("10 ** 400", lambda x: x**400, 10.0, math.inf),
    ("2 ** 1e4", lambda x: 2.0**x, 1e4, math.inf),
]


def _same_float(got: float, want: float) -> bool:
    return (math.isnan(got) and math.isnan(want)) or got == want


@pytest.mark.parametrize(
    ("fn", "x", "want"), [c[1:] for c in IEEE_CASES], ids=[c[0] for c in IEEE_CASES]
)
def test_ieee_forward_and_backward_does_not_raise(
    fn: Callable[[Value], Value], x: float, want: float
) -> None:
    leaf = Value(x)
    out = fn(leaf)
    assert _same_float(out.data, want)
    out.backward()
    assert isinstance(leaf.grad, float)


def test_ieee_gradients_follow_the_formulas() -> None:
    x = Value(0.0)
    x.log().backward()
    assert x.grad == math.inf  # d log(x) / dx = 1/x
    y = Value(1000.0)
    y.exp().backward()
    assert y.grad == math.inf
    z = Value(0.0)
    (z**-1).backward()
    assert z.grad == -math.inf  # -1 / x**2
    w = Value(-8.0)
    (w ** (1 / 3)).backward()
    assert math.isnan(w.grad)


# --- the plain-float contract, comparisons, grad mode on Values -----------------------------


def test_data_and_grad_stay_python_floats_with_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    a = Value(np.float32(2.0))
    out = np.float64(3.0) * a + a * np.float32(0.5)
    assert type(a.data) is float and type(out.data) is float
    out.backward()
    assert type(a.grad) is float and a.grad == 3.5


def test_comparisons_compare_numbers_and_equality_is_identity() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a < b) is True and (a <= 1.0) is True and (b > a) is True and (a >= 2.0) is False
    assert a != Value(1.0)  # == is identity, so Values can live in sets and dicts
    assert len({a, b, a}) == 2


def test_grad_is_zero_before_backward_and_a_constant_records_nothing() -> None:
    a = Value(3.0)
    assert a.grad == 0.0 and a.requires_grad
    c = Value(2.0, requires_grad=False)
    d = c * 4.0 + c
    assert not d.requires_grad and d.is_leaf
    with no_grad():
        e = a * a
    assert not e.requires_grad


def test_mixing_a_constant_value_and_a_tracked_one() -> None:
    a, c = Value(3.0), Value(2.0, requires_grad=False)
    (a * c + c).backward()
    assert a.grad == 2.0 and c.grad == 0.0


def test_micrograd_attribute_names() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    assert c._op == "*" and c._prev == {a, b}
    assert a._op == "" and a._prev == set()


def test_a_subclass_of_value_combines_like_a_value() -> None:
    class Weight(Value):
        __slots__ = ()

    w, x = Weight(2.0), Value(3.0)
    out = x * w + x + w - w / x
    out.backward()
    assert w.grad == pytest.approx(3.0 + 1.0 - 1.0 / 3.0)
    assert x.grad == pytest.approx(2.0 + 1.0 + 2.0 / 9.0)


def test_pow_gradient_of_the_exponent_at_a_zero_base_is_zero() -> None:
    # d(0 ** y)/dy is 0 for y > 0 (as in PyTorch), not 0 * log(0) = nan
    base, exponent = Value(0.0), Value(2.0)
    (base**exponent).backward()
    assert base.grad == 0.0 and exponent.grad == 0.0
    base, exponent = Value(0.0), Value(0.0)
    (base**exponent).backward()  # 0**0 = 1, flat in both (0 * 0**-1 would be nan)
    assert base.grad == 0.0 and exponent.grad == 0.0
