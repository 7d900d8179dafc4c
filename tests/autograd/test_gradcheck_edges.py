"""gradcheck at its edges (issue 13, point 6): a function that is not deterministic is refused,
and a kink verdict needs evidence that the point is a kink, so a wrong slope next to a kink
fails."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from autograd import Function, Tensor, Value, gradcheck, gradgradcheck
from autograd.gradcheck import GradcheckError, NondeterministicError, NondifferentiableWarning


def t(*values: float) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


class HalfSlopeRelu(Function):
    """relu whose rule says slope 0.5 for x < 0 (the true slope there is 0)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x.relu()

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_out * ((x > 0).double() + (x < 0).double() * 0.5)


# --- non-deterministic functions ------------------------------------------------------------


def test_the_random_mask_of_the_issue_is_refused() -> None:
    np.random.seed(1)  # the first two masks differ (checked here, so the test cannot pass by luck)
    first, second = np.random.rand(3) > 0.5, np.random.rand(3) > 0.5
    assert (first != second).any()
    np.random.seed(1)
    x = t(0.5, -1.0, 2.0)
    with pytest.raises(NondeterministicError, match="called twice with the same inputs") as caught:
        gradcheck(lambda x: (x * Tensor(np.random.rand(3) > 0.5)).sum(), x)
    assert isinstance(caught.value, GradcheckError)  # fails like any other gradcheck failure
    assert "output 0 differs" in str(caught.value)


def test_noise_in_the_output_is_refused_for_values_and_in_gradgradcheck() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(NondeterministicError):
        gradcheck(lambda a: a * float(1.0 + 1e-3 * rng.random()), Value(0.5))
    with pytest.raises(NondeterministicError):
        gradgradcheck(lambda x: (x * x * float(1.0 + 1e-3 * rng.random())).sum(), t(0.5, 1.0))


def test_a_backward_that_is_not_deterministic_is_refused() -> None:
    rng = np.random.default_rng(0)

    class NoisyGrad(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2.0

        @staticmethod
        def backward(ctx: Any, grad_out: Any) -> Any:
            return grad_out * (2.0 + 1e-9 * float(rng.random()))

    with pytest.raises(NondeterministicError, match="the gradient of output 0 w.r.t. input 0"):
        gradcheck(NoisyGrad.apply, t(0.5, 1.0))


def test_a_deterministic_function_is_checked_as_before() -> None:
    assert gradcheck(lambda x: (x * Tensor(np.array([1.0, 0.0, 1.0]))).sum(), t(0.5, -1.0, 2.0))


# --- kinks need evidence ------------------------------------------------------------------------


def test_a_wrong_slope_next_to_a_kink_fails() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not excused as a kink
        with pytest.raises(GradcheckError) as caught:
            gradcheck(HalfSlopeRelu.apply, t(-1e-7), blame=False)
    [mismatch] = caught.value.mismatches
    assert mismatch.analytic == pytest.approx(0.5) and mismatch.numeric == pytest.approx(0.0)
    assert "a kink lies within eps of this point" in mismatch.note
    with pytest.raises(GradcheckError):
        gradcheck(HalfSlopeRelu.apply, t(-1.0), blame=False)


def test_at_the_kink_itself_and_on_its_right_side_the_planted_rule_passes() -> None:
    with pytest.warns(NondifferentiableWarning):
        assert gradcheck(HalfSlopeRelu.apply, t(0.0))  # 0 lies between the slopes 0 and 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(HalfSlopeRelu.apply, t(1e-7))  # right of 0 the rule is right


@pytest.mark.parametrize("near", [-1e-7, 1e-7, -3e-7, 5e-8])
def test_a_right_rule_next_to_a_kink_passes_without_a_warning(near: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda x: x.relu() + x.abs(), t(near, 1.0))
        assert gradcheck(lambda a: a.relu() * 3.0, Value(near))


@pytest.mark.parametrize(
    ("fn", "data"),
    [
        (lambda x: x.relu(), [0.0, 1.0]),
        (lambda x: x.abs(), [0.0, -1.0]),
        (lambda x: x.max(), [1.0, 1.0]),
        (lambda x: (x - 0.3).relu(), [0.3, 0.5]),  # a kink away from 0, where steps round
    ],
    ids=["relu", "abs", "max tie", "shifted relu"],
)
def test_a_kink_at_the_point_is_still_a_kink(fn: Any, data: list[float]) -> None:
    with pytest.warns(NondifferentiableWarning, match=r"element \(0,\)"):
        assert gradcheck(fn, Tensor(np.array(data), requires_grad=True))


def test_a_wrong_value_at_a_kink_still_fails() -> None:
    class ReluThree(Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x.relu()

        @staticmethod
        def backward(ctx: Any, grad_out: Any) -> Any:
            return grad_out * 3.0

    with pytest.raises(GradcheckError, match="kink: outside the one-sided derivatives"):
        gradcheck(ReluThree.apply, t(0.0), blame=False)
