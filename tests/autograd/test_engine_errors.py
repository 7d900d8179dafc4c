"""Errors are part of the API: each message names what was wrong (op, shapes, input, dtype)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, broadcast_to, concatenate, grad, maximum, minimum, stack, where

A = Tensor(np.ones((2, 3)))
B = Tensor(np.ones(4))

# --- shape mismatches name the op and both shapes -------------------------------------------


@pytest.mark.parametrize(
    ("op", "fn"),
    [
        ("add", lambda a, b: a + b),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("div", lambda a, b: a / b),
        ("pow", lambda a, b: a**b),
        ("maximum", maximum),
        ("minimum", minimum),
    ],
)
def test_elementwise_shape_mismatch_names_the_op_and_both_shapes(
    op: str, fn: Callable[[Tensor, Tensor], Tensor]
) -> None:
    with pytest.raises(ValueError, match=rf"^{op}: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        fn(A, B)


def test_matmul_shape_mismatch_names_both_shapes_and_the_dims_that_differ() -> None:
    with pytest.raises(
        ValueError,
        match=re.escape(
            "matmul: shapes (2, 3) and (4, 5) do not fit: x's last dim (3) must equal "
            "y's second-to-last dim (4)"
        ),
    ):
        A @ Tensor(np.ones((4, 5)))


def test_matmul_of_a_zero_dim_operand_names_the_shapes() -> None:
    with pytest.raises(
        ValueError, match=r"matmul: both operands need at least 1 dim.*\(2, 3\) and \(\)"
    ):
        A @ Tensor(2.0)


def test_where_shape_mismatch_names_all_three_shapes() -> None:
    with pytest.raises(ValueError, match=r"where\(\): .*\(3,\) and \(2, 3\) and \(4,\)"):
        where(np.ones(3, dtype=bool), A, B)


def test_where_needs_a_bool_condition() -> None:
    with pytest.raises(
        TypeError, match=r"where\(\): condition must be a bool tensor, got dtype float64"
    ):
        where(np.ones(3), A, A)


def test_concatenate_shape_mismatch_names_every_shape() -> None:
    # concatenate is torch.cat's alias: the error names cat()
    with pytest.raises(
        ValueError,
        match=r"cat\(\): shapes \(2, 3\) and \(3, 2\) do not match outside dim 0",
    ):
        concatenate([A, Tensor(np.ones((3, 2)))])


def test_stack_shape_mismatch_names_every_shape() -> None:
    with pytest.raises(
        ValueError, match=r"stack\(\): all tensors need the same shape, got \(2, 3\) and \(3,\)"
    ):
        stack([A, Tensor(np.ones(3))])


def test_reshape_names_both_shapes_and_the_element_count() -> None:
    with pytest.raises(  # a RuntimeError, as PyTorch's
        RuntimeError,
        match=re.escape(
            "reshape(): shape (4, 2) is invalid for a tensor of shape (2, 3) (6 elements)"
        ),
    ):
        A.reshape(4, 2)


def test_broadcast_to_names_both_shapes() -> None:
    with pytest.raises(
        ValueError, match=re.escape("broadcast_to(): cannot broadcast shape (2, 3) to (3, 3)")
    ):
        broadcast_to(A, (3, 3))


# --- backward and grad() ---------------------------------------------------------------------


def test_backward_on_a_non_scalar_says_to_pass_grad_or_reduce() -> None:
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match=r"output has shape \(2, 3\).*single-element.*pass gradient=.*\.sum\(\)"
    ):
        y.backward()


def test_backward_with_a_seed_of_the_wrong_shape_names_both_shapes() -> None:
    y = Tensor(np.ones(2), requires_grad=True) * 2
    with pytest.raises(
        ValueError, match=r"gradient has shape \(3,\) but the output has shape \(2,\)"
    ):
        y.backward(np.ones(3))


def test_backward_without_a_graph_says_why() -> None:
    with pytest.raises(RuntimeError, match="does not require grad.*no_grad"):
        (Value(1.0, requires_grad=False) * 2).backward()


def test_grad_names_an_unused_input() -> None:
    x, unused = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"input 1 \(Tensor\) is not used.*allow_unused=True"):
        grad((x * 2).sum(), [x, unused])


def test_grad_names_an_input_that_does_not_require_grad() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"grad\(\): input 1 \(Tensor of shape \(2,\) and dtype float64\) does not",
    ):
        grad(x.sum(), [x, Tensor(np.ones(2))])


def test_grad_names_the_dtype_of_an_integer_input() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"input 1 \(Tensor of shape \(3,\) and dtype int64\)"):
        grad(x.sum(), [x, Tensor(np.arange(3))])


def test_grad_names_an_output_that_is_not_a_node() -> None:
    with pytest.raises(TypeError, match=r"grad\(\): output 0 is a float, not a Value or Tensor"):
        grad(3.0, [Value(1.0)])  # type: ignore[arg-type]


# --- dtypes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_requires_grad_on_a_non_float_tensor_names_the_dtype(dtype: Any) -> None:
    with pytest.raises(
        TypeError, match=rf"only floating tensors can require grad, got dtype {np.dtype(dtype)}"
    ):
        Tensor(np.zeros(2, dtype=dtype), requires_grad=True)


def test_requires_grad_underscore_on_an_int_tensor_names_the_dtype() -> None:
    with pytest.raises(TypeError, match=r"requires_grad_\(\): only floating .* got dtype int64"):
        Tensor(np.arange(3)).requires_grad_()


def test_non_numeric_tensor_data_is_refused() -> None:
    with pytest.raises(TypeError, match=r"Tensor\(\): cannot make a tensor from text \('abc'\)"):
        Tensor("abc")


# --- dims (PyTorch's dim=; NumPy's axis= is accepted too) ---------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(
            lambda t: t.sum(axis=2),
            IndexError,
            r"sum\(\): dim 2 is out of range for a tensor with 2 dims",
            id="sum",
        ),
        pytest.param(
            lambda t: t.mean(dim=(0, -3)),
            IndexError,
            r"mean\(\): dim -3 is out of range",
            id="mean",
        ),
        pytest.param(
            lambda t: t.amax(dim=(1, -1)),
            ValueError,
            r"amax\(\): dim \(1, -1\) repeats a dim",
            id="amax repeated",
        ),
        pytest.param(
            lambda t: t.max(dim=(1, -1)),
            TypeError,
            r"max\(\): dim must be one integer, got \(1, -1\)",
            id="max over a tuple",
        ),
        pytest.param(
            lambda t: t.min(dim=5), IndexError, r"min\(\): dim 5 is out of range", id="min"
        ),
        pytest.param(
            lambda t: t.logsumexp(dim=2),
            IndexError,
            r"logsumexp\(\): dim 2 is out of range",
            id="logsumexp",
        ),
        pytest.param(
            lambda t: t.softmax(dim=-3),
            IndexError,
            r"softmax\(\): dim -3 is out of range",
            id="softmax",
        ),
        pytest.param(
            lambda t: t.log_softmax(dim=2),
            IndexError,
            r"log_softmax\(\): dim 2 is out of range",
            id="log_softmax",
        ),
        pytest.param(
            lambda t: concatenate([t, t], axis=2),
            IndexError,
            r"cat\(\): dim 2 is out of range",
            id="concatenate",
        ),
        pytest.param(
            lambda t: stack([t, t], dim=3),
            IndexError,
            r"stack\(\): dim 3 is out of range for a tensor with 3",
            id="stack",
        ),
        pytest.param(
            lambda t: t.swapaxes(0, 5),
            IndexError,
            r"transpose\(\): dim 5 is out of range",
            id="swapaxes",
        ),
        pytest.param(
            lambda t: t.transpose(0, 2),
            IndexError,
            r"transpose\(\): dim 2 is out of range",
            id="transpose",
        ),
        pytest.param(
            lambda t: t.permute(0, 2),
            ValueError,
            r"permute\(\): dims \(0, 2\) are not a permutation",
            id="permute",
        ),
        pytest.param(
            lambda t: t.permute(-3, 0),
            ValueError,
            r"permute\(\): dims \(-3, 0\) are not a permutation",
            id="permute negative",
        ),
        pytest.param(
            lambda t: t.sum().sum(dim=1),
            IndexError,
            r"sum\(\): dim 1 is out of range for a tensor with 0 dims",
            id="sum of a 0-d",
        ),
    ],
)
def test_a_bad_dim_names_the_op_and_the_dim(
    call: Callable[[Tensor], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call(A)


def test_a_zero_dim_tensor_takes_dim_0_and_minus_1_as_in_pytorch() -> None:
    zero_d = A.sum()
    assert zero_d.sum(dim=0).shape == () and zero_d.softmax(dim=-1).shape == ()


def test_a_non_integer_dim_is_refused() -> None:
    with pytest.raises(TypeError, match=r"sum\(\): dim 0.5 is not an integer"):
        A.sum(axis=0.5)


# --- Value -------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["abc", "1.5", b"1", None, [1.0], 1 + 2j])
def test_value_from_a_non_number_names_the_type(data: Any) -> None:
    with pytest.raises(
        TypeError, match=rf"Value\(\): data must be a real number, got {type(data).__name__}"
    ):
        Value(data)


def test_value_from_a_value_says_to_use_it_directly() -> None:
    with pytest.raises(TypeError, match=r"already a Value"):
        Value(Value(1.0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "combine",
    [
        lambda v: v + "a",
        lambda v: "a" + v,
        lambda v: v * "a",
        lambda v: "a" * v,
        lambda v: v - "a",
        lambda v: "a" - v,
        lambda v: v / "a",
        lambda v: "a" / v,
        lambda v: v ** "a",
        lambda v: "a" ** v,
    ],
    ids=["v+s", "s+v", "v*s", "s*v", "v-s", "s-v", "v/s", "s/v", "v**s", "s**v"],
)
def test_value_combined_with_a_string_names_the_type(combine: Callable[[Value], Any]) -> None:
    with pytest.raises(TypeError, match=r"Value: cannot combine a Value with a str \('a'\)"):
        combine(Value(2.0))


def test_a_value_and_a_tensor_do_not_mix() -> None:
    with pytest.raises(TypeError, match="cannot mix a Value with a Tensor"):
        Tensor([1.0]) + Value(1.0)
