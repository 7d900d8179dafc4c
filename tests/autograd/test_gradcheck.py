"""gradcheck and gradgradcheck: they pass right gradients, catch wrong ones with a readable report,
leave their inputs exactly as they found them, and tell a kink from a wrong gradient."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, from_numpy
from autograd.gradcheck import (
    GradcheckError,
    NondifferentiableWarning,
    gradcheck,
    gradgradcheck,
)
from autograd.op import Op
from autograd.tensor import make as make_tensor
from autograd.value import make as make_value


def tensor(data: Any, requires_grad: bool = True) -> Tensor:
    return Tensor(np.array(data, dtype=np.float64), requires_grad=requires_grad)


# --- ops with deliberately wrong backward rules, built from the engine's own pieces ------------
# (register=False: they are not the engine's ops, so the op tests do not collect them)


def _three_x_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * 3.0 * x,)  # d(x**2)/dx is 2x


THREE_X = Op("square_times_three", _three_x_rule, register=False)


def square_with_wrong_rule(x: Tensor) -> Tensor:
    return make_tensor(x.data**2, (x,), THREE_X)


def _ignores_g_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (2.0 * x,)  # right local derivative, but the upstream gradient g is dropped


IGNORES_G = Op("square_ignoring_upstream", _ignores_g_rule, register=False)


def square_ignoring_upstream(x: Tensor) -> Tensor:
    return make_tensor(x.data**2, (x,), IGNORES_G)


def _raw_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    raw = x.data if isinstance(x, Tensor) else x  # bug: cuts the graph under create_graph
    return (g * (2.0 * raw),)


FIRST_ORDER_ONLY = Op("square_first_order_only", _raw_rule, register=False)


def square_first_order_only(x: Tensor) -> Tensor:
    return make_tensor(x.data**2, (x,), FIRST_ORDER_ONLY)


def _relu_three_at_zero_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g * (x > 0.0) + g * (x == 0.0) * 3.0,)


RELU_WRONG_AT_ZERO = Op("relu_wrong_at_zero", _relu_three_at_zero_rule, register=False)


def relu_wrong_at_zero(x: Value) -> Value:
    return make_value(max(x.data, 0.0), (x,), RELU_WRONG_AT_ZERO)


# --- passing ----------------------------------------------------------------------------------


def test_returns_true_for_a_value_function() -> None:
    a, b = Value(0.7), Value(-1.3)
    assert gradcheck(lambda a, b: (a * b).tanh() + a.exp() / b - b**3, [a, b]) is True


def test_returns_true_for_tensors_with_broadcasting_and_a_tuple_of_outputs() -> None:
    rng = np.random.default_rng(1)
    x = tensor(rng.standard_normal((3, 4)))
    w = tensor(rng.standard_normal((4, 2)))
    b = tensor(rng.standard_normal(2))
    s = Value(0.4)
    assert gradcheck(lambda x, w, b, s: ((x @ w + b).tanh(), (s * s).sigmoid()), (x, w, b, s))


def test_a_single_input_need_not_be_in_a_list() -> None:
    assert gradcheck(lambda x: (x * x).sum(), tensor([1.0, -2.0, 0.5]))


def test_other_arguments_are_passed_through_and_constants_are_not_checked() -> None:
    x = tensor([[1.0, 2.0], [3.0, -1.0]])
    weights = tensor([0.5, -2.0], requires_grad=False)
    calls: list[int] = []

    def fn(x: Tensor, axis: int, weights: Tensor) -> Tensor:
        calls.append(axis)
        return (x * weights).sum(axis=axis)

    assert gradcheck(fn, [x, 1, weights])
    assert set(calls) == {1}
    # the point itself twice (a function must give the same output twice), then two steps per
    # element
    assert len(calls) == 2 + 2 * x.numel()


def test_an_output_that_does_not_depend_on_the_inputs_has_zero_gradient() -> None:
    a = Value(2.0)
    assert gradcheck(lambda a: Value(3.0, requires_grad=False), [a])


# --- failing, and the report ------------------------------------------------------------------


def test_wrong_rule_is_reported_element_by_element_worst_first() -> None:
    x = tensor([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    y = tensor([0.5, 1.5, -2.0])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y: square_with_wrong_rule(y) * x, [x, y])
    error = caught.value
    assert {m.input for m in error.mismatches} == {1}  # x's gradient (input 0) is right
    assert {m.index for m in error.mismatches} == {(0,), (1,), (2,)}
    severities = [m.severity for m in error.mismatches]
    assert severities == sorted(severities, reverse=True)
    for m in error.mismatches:
        assert m.analytic == pytest.approx(1.5 * m.numeric, rel=1e-6)  # 3y against 2y
        assert m.abs_error == pytest.approx(abs(m.analytic - m.numeric))
        assert m.rel_error == pytest.approx(0.5, rel=1e-6)
    report = str(error)
    assert report.startswith("gradcheck failed: 3 of 9 derivatives disagree")
    assert "output 0 (a Tensor of shape (2, 3)) enters as sum(w * output 0)" in report
    worst = error.mismatches[0]
    assert f"input 1  {worst.index}" in report
    assert f"{worst.analytic:.6g}" in report and f"{worst.numeric:.6g}" in report
    assert "abs error" in report and "rel error" in report


def test_value_inputs_are_named_by_position() -> None:
    def fn(a: Value, b: Value) -> Value:
        return a * a + make_value(b.data**2, (b,), THREE_X)

    with pytest.raises(GradcheckError) as caught:
        gradcheck(fn, [Value(0.5), Value(1.5)])
    [mismatch] = caught.value.mismatches
    assert (mismatch.input, mismatch.index) == (1, ())
    assert (mismatch.analytic, mismatch.numeric) == (4.5, pytest.approx(3.0))
    assert "input 1  ()" in str(caught.value)


def test_only_the_report_rows_that_fit_are_shown() -> None:
    x = tensor(np.linspace(1.0, 2.0, 20))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(square_with_wrong_rule, x)
    report = str(caught.value)
    assert "20 of 20 derivatives" in report and "... and 12 more" in report
    # all are 50% off: the largest derivative is the most tolerances away, so it comes first
    largest = max(caught.value.mismatches, key=lambda m: abs(m.numeric))
    assert caught.value.mismatches[0] == largest


def test_a_rule_that_drops_the_upstream_gradient_is_caught_by_the_random_weights() -> None:
    x = tensor([0.5, -1.0, 2.0])
    with pytest.raises(GradcheckError):
        gradcheck(square_ignoring_upstream, x)
    # reduced by .sum(), the upstream gradient is all ones and the bug hides: this is why
    # gradcheck weights a non-scalar output instead of summing it
    assert gradcheck(lambda x: square_ignoring_upstream(x).sum(), x)


def _summed_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g.sum(),)  # a scalar where a gradient of x's shape belongs


SUMMED = Op("sum_shaped_gradient", _summed_rule, register=False)


def test_a_gradient_of_the_wrong_shape_is_reported() -> None:
    x = tensor([1.0, 2.0, 3.0])
    with pytest.raises(
        GradcheckError, match=r"input 0 has shape \(\), but the input has shape \(3,\)"
    ):
        gradcheck(lambda x: make_tensor(x.data * 1.0, (x,), SUMMED), x)


def test_several_outputs_are_told_apart_in_the_report() -> None:
    x = tensor([1.0, 2.0])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: (x.tanh(), square_with_wrong_rule(x)), x)
    assert {m.output for m in caught.value.mismatches} == {"output 1"}
    assert "  of        input" in str(caught.value)


def test_seed_changes_the_weights_but_not_the_verdict() -> None:
    x = tensor([0.5, -1.0, 2.0])
    errors = []
    for seed in (0, 1):
        with pytest.raises(GradcheckError) as caught:
            gradcheck(square_ignoring_upstream, x, seed=seed)
        errors.append([m.numeric for m in caught.value.mismatches])
    assert errors[0] != errors[1]


# --- fast mode --------------------------------------------------------------------------------


def test_fast_mode_checks_one_direction_with_a_constant_number_of_calls() -> None:
    rng = np.random.default_rng(2)
    x = tensor(rng.standard_normal((20, 30)))
    calls = []

    def fn(x: Tensor) -> Tensor:
        calls.append(1)
        return (x.tanh() * x).sum(axis=0)

    assert gradcheck(fn, x, fast=True)
    assert len(calls) == 4  # the point (twice: determinism), then one step each way


def test_fast_mode_catches_a_wrong_rule_and_says_where_to_look_next() -> None:
    x = tensor(np.linspace(-1.0, 1.0, 50))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(square_with_wrong_rule, x, fast=True)
    report = str(caught.value)
    assert "the directional derivative disagrees" in report
    assert "random direction" in report and "fast=False" in report
    [mismatch] = caught.value.mismatches
    assert mismatch.index is None
    assert mismatch.analytic == pytest.approx(1.5 * mismatch.numeric, rel=1e-6)


# --- inputs come back exactly as they were ----------------------------------------------------


def test_float32_inputs_are_checked_in_float64_and_restored_bit_for_bit() -> None:
    data = np.array([0.1, -0.7, 1.3], dtype=np.float32)
    snapshot = data.copy()
    x = from_numpy(data).requires_grad_()  # shares data, so the test sees it restored in place
    old_grad = np.array([9.0, 9.0, 9.0], dtype=np.float32)
    x.grad = old_grad
    seen_dtypes = []

    def fn(x: Tensor) -> Tensor:
        seen_dtypes.append(x.data.dtype)
        return x.tanh() * x

    with pytest.warns(UserWarning, match=r"input 0 \(float32\) checked in float64"):
        assert gradcheck(fn, x)
    assert set(seen_dtypes) == {np.dtype(np.float64)}
    assert x.data is data and x.data.dtype == np.float32
    assert data.tobytes() == snapshot.tobytes()
    assert x.grad is not None and x.grad.data is old_grad and np.all(old_grad == 9.0)


def test_value_data_and_grad_are_left_alone() -> None:
    a = Value(0.3)
    a.grad = 5.0
    original = a.data
    assert gradcheck(lambda a: a.exp() * a, a)
    assert gradgradcheck(lambda a: a.exp() * a, a)
    assert a.data is original and a.grad == 5.0


def test_inputs_are_restored_when_fn_raises_midway() -> None:
    data = np.array([1.0, 2.0, 3.0])
    x = from_numpy(data).requires_grad_()
    calls = []

    def flaky(x: Tensor) -> Tensor:
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("boom")
        return x * x

    with pytest.raises(RuntimeError, match="boom"):
        gradcheck(flaky, x)
    assert x.data is data and data.tolist() == [1.0, 2.0, 3.0] and x.grad is None


def test_inputs_are_restored_after_a_failed_check() -> None:
    data = np.array([1.0, 2.0], dtype=np.float32)
    x = from_numpy(data).requires_grad_()
    with pytest.raises(GradcheckError), pytest.warns(UserWarning, match="float64"):
        gradcheck(square_with_wrong_rule, x)
    assert x.data is data and data.tolist() == [1.0, 2.0]


def test_an_output_computed_in_float32_is_flagged() -> None:
    x = tensor([0.5, 1.0])
    with pytest.warns(UserWarning, match="output 0 is float32"):
        gradcheck(lambda x: x.astype(np.float32) * 2.0, x, eps=1e-3, rtol=1e-2)


# --- kinks are not wrong gradients ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "data", "kink_at"),
    [
        (lambda x: x.relu(), [0.0, 1.0, -1.0], [(0,)]),
        (lambda x: x.abs(), [2.0, 0.0, -1.0], [(1,)]),
        (lambda x: x.max(), [1.0, 1.0, -1.0], [(0,), (1,)]),  # a tie
        (lambda x: x.amax(dim=1), [[0.5, 0.5], [1.0, 2.0]], [(0, 0), (0, 1)]),
    ],
    ids=["relu at 0", "abs at 0", "max at a tie", "amax over a dim at a tie"],
)
def test_a_kink_is_reported_as_not_differentiable(fn: Any, data: Any, kink_at: list[Any]) -> None:
    x = tensor(data)
    with pytest.warns(NondifferentiableWarning) as record:
        assert gradcheck(fn, x)
    message = str(record[0].message)
    assert "not differentiable" in message
    for index in kink_at:
        assert f"input 0, element {index}" in message
    assert message.count("element") == len(kink_at)


def test_a_kink_does_not_excuse_a_gradient_outside_the_one_sided_derivatives() -> None:
    with pytest.raises(GradcheckError) as caught:
        gradcheck(relu_wrong_at_zero, Value(0.0))
    [mismatch] = caught.value.mismatches
    assert mismatch.analytic == 3.0 and mismatch.numeric == pytest.approx(0.5)
    assert "kink: outside the one-sided derivatives [0, 1]" in str(caught.value)


def test_strong_curvature_is_not_mistaken_for_a_kink() -> None:
    x = tensor([0.02, -0.03])  # 1/x**2 curves hard here: one-sided differences differ a lot
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda x: 1.0 / (x * x), x)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: square_with_wrong_rule(1.0 / x), x)
    assert "kink" not in str(caught.value)


def test_a_point_at_the_edge_of_the_domain_is_reported() -> None:
    x = tensor([1e-7, 1.0])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: x.log(), x)
    [mismatch] = caught.value.mismatches
    assert mismatch.index == (0,) and "not finite within eps" in mismatch.note


# --- second derivatives -----------------------------------------------------------------------


def test_gradgradcheck_passes_for_right_second_derivatives() -> None:
    rng = np.random.default_rng(3)
    x = tensor(rng.standard_normal((2, 3)))
    w = tensor(rng.standard_normal((3, 2)))
    assert gradgradcheck(lambda x, w: (x @ w).tanh().log_softmax(axis=1), [x, w])
    assert gradgradcheck(lambda x, w: (x @ w).sum(), [x, w])  # constant first derivatives


def test_gradgradcheck_catches_a_rule_that_is_right_only_to_first_order() -> None:
    x = tensor([0.5, -1.0, 2.0])
    assert gradcheck(square_first_order_only, x)
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(lambda x: square_first_order_only(x) * x, x)
    report = str(caught.value)
    assert "checked: the derivatives of 'grad of input k'" in report
    assert all(m.output == "grad of input 0" for m in caught.value.mismatches)


def test_gradgradcheck_with_several_inputs_and_fast_mode() -> None:
    a, b = Value(0.8), Value(-0.6)
    assert gradgradcheck(lambda a, b: (a * b).sigmoid() * a**3 / b, [a, b])
    assert gradgradcheck(lambda a, b: (a * b).sigmoid() * a**3 / b, [a, b], fast=True)


# --- usage errors -----------------------------------------------------------------------------


def test_usage_errors_say_what_is_wrong() -> None:
    x = tensor([1.0])
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda x: x * 2.0, tensor([1.0], requires_grad=False))
    with pytest.raises(ValueError, match="input 0 and input 1 are the same object"):
        gradcheck(lambda a, b: a * b, [x, x])
    with pytest.raises(TypeError, match="returned a float as output 0"):
        gradcheck(lambda x: 1.0, x)
    with pytest.raises(ValueError, match="eps must be a positive"):
        gradcheck(lambda x: x, x, eps=0.0)
    with pytest.raises(ValueError, match="rtol must be"):
        gradcheck(lambda x: x, x, rtol=-1.0)
