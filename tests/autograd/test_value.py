"""Value beyond the op declarations (each op's value and gradient against PyTorch is tested from
its declaration, tests/autograd/test_ops.py; second order in tests/autograd/test_properties.py):
IEEE semantics, the plain-float and comparison contract, micrograd's names."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from autograd import Value, no_grad

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


@pytest.mark.parametrize("bad", [None, "1.5", [1.0]], ids=["None", "text", "a list"])
def test_assigning_a_non_number_as_a_gradient_names_its_type(bad: object) -> None:
    # regression: the setter let float() raise its own message ("float() argument must be...")
    v = Value(1.0)
    with pytest.raises(
        TypeError, match=rf"Value.grad must be a number .* got a {type(bad).__name__}"
    ):
        v.grad = bad  # type: ignore[assignment]
    v.grad = 2  # numbers are taken, as floats
    assert v.grad == 2.0 and type(v.grad) is float
