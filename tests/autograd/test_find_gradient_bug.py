"""find_gradient_bug: a search over programs that mix the user's ops with the built-in ones finds
a planted bug, shrinks it to a small program that reads (and runs) as Python, and finds nothing
in correct ops."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, gradcheck
from autograd.gradcheck import GradcheckError
from autograd.testing import Program, find_gradient_bug, programs
from tests.support.custom_ops import Mul, Softplus


class SafeSoftplus(Function):
    """Softplus written to avoid overflow; its backward forgets that |x| flips for x < 0."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x.relu() + (1.0 + (-x.abs()).exp()).log()

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_out * x.abs().sigmoid()  # right for x >= 0 only


class DoubleInPlace(Function):
    """Right on its own; wrong when its gradient is shared: it scales the incoming gradient in
    place, and the engine may hand the same array to another op."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x * 2.0

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        np.multiply(grad_out.data, 2.0, out=grad_out.data)
        return grad_out


class RawSquare(Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, grad_out: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_out * Tensor(2.0 * x.data)


def gelu_tanh(x: Tensor) -> Tensor:
    return 0.5 * x * (1.0 + (0.7978845608 * (x + 0.044715 * x**3)).tanh())


def leaky_escape(x: Tensor) -> Tensor:
    return x * Tensor(np.exp(x.data))  # the exp factor leaves the graph


def test_correct_ops_have_no_bug() -> None:
    assert find_gradient_bug([Softplus, Mul], max_examples=40) is None
    assert find_gradient_bug([gelu_tanh], max_examples=20) is None
    assert find_gradient_bug([Softplus], order=2, max_examples=15) is None


def test_a_wrong_custom_op_is_found_and_shrunk_to_one_line() -> None:
    bug = find_gradient_bug([SafeSoftplus])
    assert bug is not None
    lines = bug.code.splitlines()
    assert lines[-1] == "out = SafeSoftplus.apply(x0)", bug.code
    assert len(lines) == 2  # one input, one step: nothing left to remove
    [x] = bug.inputs
    assert (x.data < 0).any()  # the bug needs a negative element
    assert isinstance(bug.error, GradcheckError)
    [culprit] = bug.culprits
    assert culprit.op == "SafeSoftplus" and culprit.kind == "wrong rule"
    assert culprit.site is not None and (culprit.site.file, culprit.site.line) == ("<program>", 2)
    assert culprit.site.code == "out = SafeSoftplus.apply(x0)"
    assert {e.index for e in culprit.elements} == {
        tuple(int(i) for i in idx) for idx in np.argwhere(x.data < 0)
    }


def test_the_program_runs_as_printed_and_fails_as_reported() -> None:
    bug = find_gradient_bug([SafeSoftplus])
    assert bug is not None
    namespace: dict[str, Any] = {
        "tensor": autograd.tensor,
        "float64": autograd.float64,
        "SafeSoftplus": SafeSoftplus,
    }
    exec(bug.code, namespace)
    inputs = [namespace[name] for name in sorted(namespace) if name.startswith("x")]
    program_out = bug.program(*bug.inputs)
    np.testing.assert_array_equal(namespace["out"].data, program_out.data)
    with pytest.raises(GradcheckError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck(bug.program, inputs, blame=False)
    assert str(bug).startswith(bug.code)


def test_a_bug_that_needs_another_op_is_found_with_that_op() -> None:
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    assert gradcheck(DoubleInPlace.apply, x)  # alone it is right
    bug = find_gradient_bug([DoubleInPlace])
    assert bug is not None
    steps = bug.program.steps
    assert len(steps) >= 2 and any(step.op == "DoubleInPlace" for step in steps), bug.code


def test_the_search_is_reproducible() -> None:
    first = find_gradient_bug([SafeSoftplus, Mul], seed=3)
    second = find_gradient_bug([SafeSoftplus, Mul], seed=3)
    assert first is not None and second is not None and first.code == second.code


def test_a_plain_function_with_a_lost_gradient_is_found() -> None:
    bug = find_gradient_bug([leaky_escape])
    assert bug is not None
    assert bug.code.splitlines()[-1] == "out = leaky_escape(x0)"
    [culprit] = bug.culprits
    assert culprit.kind == "lost gradient"


def test_order_2_finds_a_backward_with_no_second_derivative() -> None:
    assert find_gradient_bug([RawSquare], max_examples=15) is None  # first order is right
    bug = find_gradient_bug([RawSquare], order=2, max_examples=15)
    assert bug is not None and isinstance(bug.error, RuntimeError)
    assert "RawSquare: cannot differentiate" in str(bug.error)


def test_programs_strategy_draws_runnable_programs() -> None:
    from hypothesis import given, settings

    @settings(max_examples=20, deadline=None)
    @given(programs([Mul], max_steps=4))
    def check(program: Program) -> None:
        assert any(step.op == "Mul" for step in program.steps)
        out = program(*program.tensors())
        assert out.requires_grad and np.all(np.isfinite(out.data))

    check()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one op"):
        find_gradient_bug([])
    with pytest.raises(ValueError, match="give the function a name"):
        find_gradient_bug([lambda x: x.exp()])
    with pytest.raises(ValueError, match="unknown builtins"):
        find_gradient_bug([Softplus], builtins=["exp", "sin"])
    with pytest.raises(TypeError, match="Function subclasses or functions"):
        find_gradient_bug([3.0])
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        find_gradient_bug([Softplus], order=3)
