# mypy: disable-error-code="arg-type, operator, misc, dict-item, call-arg, return-value"
# (the table passes wrong types on purpose)
"""Bad input to the engine gets a clear error (tests/support/bad_inputs.py says what a row is):
Value, Tensor construction and arithmetic, indexing and shapes, empty tensors, backward and
grad(), gradcheck, draw_graph. Where an empty tensor has an answer, it is PyTorch's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from autograd import (
    GradcheckError,
    Tensor,
    Value,
    concatenate,
    grad,
    gradcheck,
    gradgradcheck,
    maximum,
    stack,
    where,
)
from tests.support.bad_inputs import (
    Call,
    Error,
    assert_clear_error,
    int_vector,
    leaf3,
    ones_2x3,
    row,
)


def empty_leaf() -> Tensor:
    return Tensor(np.zeros(0), requires_grad=True)


def released() -> Value:
    y = Value(2.0) * 3.0
    y.backward(retain_graph=False)
    return y


def summed(*xs: Any) -> Any:
    return xs[0].sum()


def with_grad(grad: Any) -> Tensor:
    p = Tensor(np.ones(3, np.float32), requires_grad=True)
    p.grad = grad
    return p


ENGINE_ROWS = [
    # --- Value ----------------------------------------------------------------------------
    row("Value() of text", lambda: Value("1.5"), TypeError, r"Value\(\): .* got str \('1\.5'\)"),
    row("Value() of None", lambda: Value(None), TypeError, r"Value\(\): .* got NoneType"),
    row(
        "Value() of an array",
        lambda: Value(np.array([1.0, 2.0])),
        TypeError,
        r"Value\(\): data must be a real number, got ndarray",
    ),
    row(
        "Value() of a Value",
        lambda: Value(Value(1.0)),
        TypeError,
        r"Value\(\): data is already a Value",
    ),
    row(
        "Value * a string",
        lambda: Value(2.0) * "a",
        TypeError,
        r"cannot combine a Value with a str \('a'\)",
    ),
    row(
        "Value + an array",
        lambda: Value(2.0) + np.ones(2),
        TypeError,
        r"cannot combine a Value with a ndarray",
    ),
    row(
        "an array + Value",
        lambda: np.ones(2) + Value(2.0),
        TypeError,
        r"Value.*ndarray",
    ),
    row(
        "Value + a Tensor",
        lambda: Value(2.0) + ones_2x3(),
        TypeError,
        r"cannot combine a Value with a Tensor",
    ),
    row(
        "Value ** a list",
        lambda: Value(2.0) ** [1],
        TypeError,
        r"cannot combine a Value with a list",
    ),
    row(
        "Value < a string",
        lambda: Value(2.0) < "a",
        TypeError,
        r"'<' not supported between instances of 'Value' and 'str'",
    ),
    row(
        "Value.backward() without a graph",
        lambda: (Value(1.0, requires_grad=False) * 2).backward(),
        RuntimeError,
        r"backward\(\): this node does not require grad.*no_grad",
    ),
    row(
        "Value.backward() with a string gradient",
        lambda: (Value(2.0) * 2).backward("a"),
        TypeError,
        r"grad.*\bstr\b",
    ),
    row(
        "Value.backward() with a Tensor gradient",
        lambda: (Value(2.0) * 2).backward(Tensor([1.0])),
        TypeError,
        r"grad.*Tensor",
    ),
    row(
        "backward() through a released graph",
        lambda: released().backward(),
        RuntimeError,
        r"op '\*c' was freed by an earlier backward\(\).*retain_graph=True",
    ),
    # --- Tensor() -------------------------------------------------------------------------
    row(
        "Tensor() of text",
        lambda: Tensor("abc"),
        TypeError,
        r"Tensor\(\): cannot make a tensor from text \('abc'\)",
    ),
    row(
        "Tensor() of None",
        lambda: Tensor(None),
        TypeError,
        r"Tensor\(\).*None",
    ),
    row(
        "Tensor() of a numeric string",
        lambda: Tensor("1.5"),
        TypeError,
        r"Tensor\(\): cannot make a tensor from text \('1\.5'\)",
    ),
    row(
        "Tensor() of a ragged list",
        lambda: Tensor([[1.0, 2.0], [3.0]]),
        TypeError,
        r"Tensor\(\): cannot make a numeric array from a list: .*inhomogeneous",
    ),
    row(
        "Tensor() of an object array",
        lambda: Tensor(np.array([object()])),
        TypeError,
        r"Tensor\(\): data of dtype object is not numeric",
    ),
    row(
        "Tensor() of an object array given a dtype",
        lambda: Tensor(np.array([None, 1.0], dtype=object), dtype=np.float32),
        TypeError,
        r"Tensor\(\): data of dtype object is not numeric",
    ),
    row(
        "Tensor() of complex numbers",
        lambda: Tensor(np.array([1j])),
        TypeError,
        r"Tensor\(\): data of dtype complex128 is not numeric",
    ),
    row(
        "Tensor() with an unknown dtype",
        lambda: Tensor([1.0], dtype="foo"),
        TypeError,
        r"Tensor\(\): 'foo' is not a dtype",
    ),
    row(
        "Tensor() of an int too large for a float",
        lambda: Tensor([10**400]),
        (TypeError, OverflowError),
        r"Tensor\(\).*too large",
    ),
    row(
        "an integer Tensor asked for a gradient",
        lambda: Tensor(np.arange(3), requires_grad=True),
        TypeError,
        r"Tensor\(\): only floating tensors can require grad, got dtype int64",
    ),
    row(
        "a bool Tensor asked for a gradient",
        lambda: Tensor(np.ones(2, dtype=bool)).requires_grad_(),
        TypeError,
        r"requires_grad_\(\): only floating tensors can require grad, got dtype bool",
    ),
    row(
        "requires_grad_() on a non-leaf",
        lambda: (leaf3() * 2).requires_grad_(False),
        RuntimeError,
        r"requires_grad_\(\): only a leaf tensor's flag can be changed",
    ),
    # --- Tensor arithmetic ----------------------------------------------------------------
    row(
        "Tensor + Tensor of another shape",
        lambda: ones_2x3() + Tensor(np.ones(4)),
        ValueError,
        r"^add: shapes \(2, 3\) and \(4,\) cannot be broadcast together",
    ),
    row(
        "Tensor + a string",
        lambda: ones_2x3() + "a",
        TypeError,
        r"^add: cannot make a tensor from text \('a'\)",
    ),
    row(
        "Tensor + None",
        lambda: ones_2x3() + None,
        TypeError,
        r"None",
    ),
    row(
        "Tensor * a Value",
        lambda: ones_2x3() * Value(1.0),
        TypeError,
        r"cannot mix a Value with a Tensor in one op",
    ),
    row(
        "Tensor < a string",
        lambda: ones_2x3() < "a",
        TypeError,
        r"Tensor.*str",
    ),
    row(
        "integer Tensor ** a negative integer",
        lambda: int_vector() ** -1,
        ValueError,
        r"^pow: .*[Ii]ntegers to negative integer powers",
    ),
    row(
        "matmul of mismatched shapes",
        lambda: ones_2x3() @ Tensor(np.ones((4, 5))),
        ValueError,
        r"matmul: shapes \(2, 3\) and \(4, 5\) do not fit",
    ),
    row(
        "matmul of a 0-d Tensor",
        lambda: ones_2x3() @ Tensor(2.0),
        ValueError,
        r"matmul: both operands need at least 1 dim, got shapes \(2, 3\) and \(\)",
    ),
    row(
        "maximum of mismatched shapes",
        lambda: maximum(ones_2x3(), Tensor(np.ones(2))),
        ValueError,
        r"^maximum: shapes \(2, 3\) and \(2,\)",
    ),
    row(
        "where with a float condition",
        lambda: where(Tensor([1.0, 0.0, 1.0]), ones_2x3(), ones_2x3()),
        TypeError,
        r"where\(\): condition must be a bool tensor, got dtype float32",
    ),
    row(
        "where with mismatched shapes",
        lambda: where(np.ones(4, dtype=bool), ones_2x3(), ones_2x3()),
        ValueError,
        r"where\(\): condition, input and other have shapes \(4,\) and \(2, 3\) and \(2, 3\)",
    ),
    # --- indexing and shapes --------------------------------------------------------------
    row(
        "an index out of range",
        lambda: ones_2x3()[5],
        IndexError,
        r"indexing a tensor of shape \(2, 3\): index 5 is out of bounds",
    ),
    row(
        "a string index",
        lambda: ones_2x3()["a"],
        IndexError,
        r"indexing: only integers, slices, .* are valid indices, got a str \('a'\)",
    ),
    row(
        "a float index array",
        lambda: ones_2x3()[np.array([0.5])],
        IndexError,
        r"indexing: tensors used as indices must be integer or bool tensors, got dtype float64",
    ),
    row(
        "reshape to a wrong size",
        lambda: ones_2x3().reshape(4, 2),
        RuntimeError,
        r"reshape\(\): shape \(4, 2\) is invalid for a tensor of shape \(2, 3\) \(6 elements\)",
    ),
    row(
        "reshape to a string",
        lambda: ones_2x3().reshape("a"),
        TypeError,
        r"reshape\(\).*'a'",
    ),
    row(
        "reshape to a fractional size",
        lambda: ones_2x3().reshape(2.5, 3),
        TypeError,
        r"reshape\(\).*2\.5",
    ),
    row(
        "transpose by a fractional axis",
        lambda: ones_2x3().transpose(1.5, 0),
        TypeError,
        r"transpose\(\).*1\.5",
    ),
    row(
        "permute by dims that are not a permutation",
        lambda: ones_2x3().permute(0, 0),
        ValueError,
        r"permute\(\): dims \(0, 0\) are not a permutation of the 2 dims of shape \(2, 3\)",
    ),
    row(
        "transpose of a dim out of range",
        lambda: ones_2x3().transpose(0, 2),
        IndexError,
        r"transpose\(\): dim 2 is out of range for a tensor with 2 dims",
    ),
    row(
        "sum over an axis out of range",
        lambda: ones_2x3().sum(axis=2),
        IndexError,
        r"sum\(\): dim 2 is out of range for a tensor with 2 dims",
    ),
    row(
        "sum over a string axis",
        lambda: ones_2x3().sum(axis="a"),
        TypeError,
        r"sum\(\): dim 'a' is not an integer",
    ),
    row(
        "sum with a string keepdims",
        lambda: ones_2x3().sum(keepdims="yes"),
        TypeError,
        r"sum\(\): keepdim must be True or False, got 'yes'",
    ),
    row(
        "softmax without a dim",
        lambda: ones_2x3().softmax(axis=None),
        TypeError,
        r"softmax\(\): dim is required",
    ),
    row(
        "astype to an unknown dtype",
        lambda: leaf3().astype("foo"),
        TypeError,
        r"to\(\): 'foo' is not a dtype",
    ),
    row(
        "astype to text",
        lambda: ones_2x3().astype(str),
        TypeError,
        r"to\(\): dtype <U0 is not supported; use bool, uint8, .* or float64",
    ),
    row(
        "concatenate of no tensors",
        lambda: concatenate([]),
        ValueError,
        r"cat\(\): needs at least one tensor",
    ),
    row(
        "concatenate of a number",
        lambda: concatenate(5),
        TypeError,
        r"cat\(\): expected a list or tuple of tensors, got a int",
    ),
    row(
        "concatenate of mismatched shapes",
        lambda: concatenate([ones_2x3(), Tensor(np.ones((3, 2)))]),
        ValueError,
        r"cat\(\): shapes \(2, 3\) and \(3, 2\) do not match outside dim 0",
    ),
    row(
        "stack of mismatched shapes",
        lambda: stack([ones_2x3(), Tensor(np.ones(3))]),
        ValueError,
        r"stack\(\): all tensors need the same shape, got \(2, 3\) and \(3,\)",
    ),
    row(
        "stack of a number",
        lambda: stack(3),
        TypeError,
        r"stack\(\).*int",
    ),
    # --- empty tensors ----------------------------------------------------------------------
    row(
        "max of an empty tensor",
        lambda: empty_leaf().max(),
        ValueError,
        r"max\(\): cannot reduce an empty tensor of shape \(0,\)",
    ),
    row(
        "argmax of an empty tensor",
        lambda: Tensor(np.zeros(0)).argmax(),
        ValueError,
        r"argmax\(\): cannot reduce an empty tensor of shape \(0,\)",
    ),
    row(
        "min over an empty dim",
        lambda: Tensor(np.zeros((0, 3))).min(dim=0),
        ValueError,
        r"min\(\): cannot reduce an empty dim 0 of shape \(0, 3\)",
    ),
    row(
        "amin over an empty dim",
        lambda: Tensor(np.zeros((0, 3))).amin(dim=0),
        ValueError,
        r"amin\(\): cannot reduce an empty tensor of shape \(0, 3\)",
    ),
    row(
        "item() of an empty tensor",
        lambda: empty_leaf().item(),
        ValueError,
        r"item\(\): only a one-element tensor has an item; shape is \(0,\)",
    ),
    row(
        "backward() from an empty output",
        lambda: (empty_leaf() * 2).backward(),
        RuntimeError,
        r"backward\(\): the output has shape \(0,\).*single-element",
    ),
    row(
        "truth value of an empty tensor",
        lambda: bool(Tensor(np.zeros(0))),
        RuntimeError,
        r"truth value of a tensor of shape \(0,\) is ambiguous",
    ),
    # --- backward and grad() ----------------------------------------------------------------
    row(
        "backward() from a vector without grad=",
        lambda: (leaf3() * 2).backward(),
        RuntimeError,
        r"backward\(\): the output has shape \(3,\).*pass gradient=",
    ),
    row(
        "backward() with grad= of the wrong shape",
        lambda: (leaf3() * 2).backward(np.ones(4)),
        ValueError,
        r"backward\(\): gradient has shape \(4,\) but the output has shape \(3,\)",
    ),
    row(
        "backward() with a string grad=",
        lambda: (leaf3() * 2).backward("a"),
        TypeError,
        r"grad.*\bstr\b",
    ),
    row(
        "backward() of an integer tensor",
        lambda: int_vector().sum().backward(),
        RuntimeError,
        r"backward\(\): this node does not require grad",
    ),
    row(
        "grad() of a number",
        lambda: grad(3.0, [Value(1.0)]),
        TypeError,
        r"grad\(\): output 0 is a float, not a Value or Tensor",
    ),
    row(
        "grad() with respect to a string",
        lambda: grad(leaf3().sum(), "a"),
        TypeError,
        r"grad\(\): input 0 is a str, not a Value or Tensor",
    ),
    row(
        "grad() with respect to an integer tensor",
        lambda: grad(leaf3().sum(), [int_vector()]),
        RuntimeError,
        r"grad\(\): input 0 \(Tensor of shape \(3,\) and dtype int64\) does not require grad",
    ),
    row(
        "grad() of no outputs",
        lambda: grad([], [leaf3()]),
        ValueError,
        r"grad\(\): outputs is empty",
    ),
    row(
        "grad() with more grad_outputs than outputs",
        lambda: grad(leaf3().sum(), leaf3(), grad_outputs=[1.0, 2.0]),
        ValueError,
        r"grad\(\): 1 outputs but 2 grad_outputs",
    ),
    row(
        "grad() with grad_outputs of the wrong shape",
        lambda: grad(leaf3() * 2, leaf3(), grad_outputs=np.ones(4)),
        ValueError,
        r"grad(_outputs\[0\])? has shape \(4,\) but the output has shape \(3,\)",
    ),
    row(
        "grad() with a string in grad_outputs",
        lambda: grad(leaf3() * 2, leaf3(), grad_outputs="ab"),
        TypeError,
        r"grad.*\bstr\b",
    ),
    row(
        "grad() with respect to an unused input",
        lambda: grad(leaf3().sum(), [leaf3()]),
        RuntimeError,
        r"grad\(\): input 0 \(Tensor\) is not used .*allow_unused=True",
    ),
    row(
        "a .grad of the wrong shape",
        lambda: with_grad(np.ones(4)),
        ValueError,
        r"assigned grad has shape \(4,\), but the tensor has shape \(3,\)",
    ),
    row(
        "a text .grad",
        lambda: with_grad("abc"),
        TypeError,
        r"assigned grad must be a Tensor, an array of numbers or None, got a str \('abc'\)",
    ),
    # --- gradcheck --------------------------------------------------------------------------
    row(
        "gradcheck() of something not callable",
        lambda: gradcheck(5, [leaf3()]),
        TypeError,
        r"gradcheck\(\).*fn.*int",
    ),
    row(
        "gradgradcheck() of something not callable",
        lambda: gradgradcheck(5, [leaf3()]),
        TypeError,
        r"gradgradcheck\(\).*fn.*int",
    ),
    row(
        "gradcheck() of an integer tensor",
        lambda: gradcheck(summed, [int_vector()]),
        ValueError,
        r"gradcheck\(\): no input requires grad",
    ),
    row(
        "gradcheck() with eps=nan",
        lambda: gradcheck(summed, [leaf3()], eps=math.nan),
        ValueError,
        r"gradcheck\(\): eps must be a positive finite number, got nan",
    ),
    row(
        "gradcheck() with a negative atol",
        lambda: gradcheck(summed, [leaf3()], atol=-1.0),
        ValueError,
        r"gradcheck\(\): atol must be a finite number >= 0, got -1",
    ),
    row(
        "gradcheck() at a NaN input",
        lambda: gradcheck(summed, [Tensor(np.array([np.nan, 1.0]), requires_grad=True)]),
        GradcheckError,
        r"input 0 +\(0,\) .*fn is not finite within eps of this point",
    ),
    row(
        "gradcheck() of a function returning an array",
        lambda: gradcheck(lambda t: t.data * 2, [leaf3()]),
        TypeError,
        r"gradcheck\(\): fn returned a ndarray as output 0",
    ),
    row(
        "gradcheck() of a function returning an integer tensor",
        lambda: gradcheck(lambda t: t.astype(np.int64), [leaf3()]),
        TypeError,
        r"gradcheck\(\): output 0 has dtype int64",
    ),
]


def draw_rows() -> list[Any]:
    """draw_graph's rows."""
    from autograd.draw import draw_graph

    y = lambda: leaf3() * 2  # noqa: E731 - a fresh graph per call
    return [
        row(
            "draw_graph() of a number",
            lambda: draw_graph(3),
            TypeError,
            r"draw_graph\(\): expected a Value or Tensor, got a int",
        ),
        row(
            "draw_graph() of an empty list",
            lambda: draw_graph([]),
            ValueError,
            r"draw_graph\(\): no output to draw",
        ),
        row(
            "draw_graph() in an unknown direction",
            lambda: draw_graph(y(), direction="up"),
            ValueError,
            r"draw_graph\(\): direction must be 'forward' or 'backward', got 'up'",
        ),
        row(
            "draw_graph() with max_nodes=0",
            lambda: draw_graph(y(), max_nodes=0),
            ValueError,
            r"draw_graph\(\): max_nodes must be a positive int, got 0",
        ),
        row(
            "draw_graph(direction='backward') before backward()",
            lambda: draw_graph(y(), direction="backward"),
            ValueError,
            r"draw_graph\(direction='backward'\).*call \.backward\(\) first",
        ),
        row(
            "draw_graph() with params of the wrong type",
            lambda: draw_graph(y(), params=5),
            TypeError,
            r"draw_graph\(\): params must be a Module.*got a int",
        ),
    ]


TABLE = ENGINE_ROWS + draw_rows()


@pytest.mark.parametrize(("call", "error", "pattern"), TABLE)
def test_bad_input_gets_a_clear_error_naming_the_culprit(
    call: Call, error: Error, pattern: str
) -> None:
    assert_clear_error(call, error, pattern)


# --- empty tensors where an answer exists: PyTorch's answer, not an error -----------------------

EMPTY_ROWS = [
    pytest.param(lambda: Tensor(np.zeros(0)).sum(), np.array(0.0), id="sum of nothing is 0"),
    pytest.param(lambda: Tensor(np.zeros(0)).mean(), np.array(np.nan), id="mean of nothing is nan"),
    pytest.param(
        lambda: Tensor(np.zeros((2, 0))) @ Tensor(np.zeros((0, 3))),
        np.zeros((2, 3)),
        id="matmul over an empty inner dim gives zeros",
    ),
    pytest.param(
        lambda: Tensor(np.zeros((2, 0))).softmax(axis=-1),
        np.zeros((2, 0)),
        id="softmax of empty rows is empty",
    ),
    pytest.param(
        lambda: Tensor(np.zeros(0)).log_softmax(axis=0),
        np.zeros(0),
        id="log_softmax of an empty vector is empty",
    ),
    pytest.param(
        lambda: Tensor(np.zeros((2, 0))).logsumexp(axis=-1),
        np.array([-np.inf, -np.inf]),
        id="logsumexp over an empty axis is -inf",
    ),
]


@pytest.mark.parametrize(("call", "expected"), EMPTY_ROWS)
def test_an_op_on_an_empty_tensor_gives_pytorchs_answer(call: Call, expected: np.ndarray) -> None:
    result = call()
    assert result.shape == expected.shape
    np.testing.assert_array_equal(result.data, expected)  # (nan equals nan here)


def test_backward_through_an_empty_tensor_gives_an_empty_gradient() -> None:
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is not None and x.grad.shape == (0, 3)
    assert w.grad is not None
    np.testing.assert_array_equal(w.grad.data, np.zeros((3, 2)))  # no rows: nothing flows into w
