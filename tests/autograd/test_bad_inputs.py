# mypy: disable-error-code="arg-type, operator, misc, dict-item, call-arg, return-value"
# (the table passes wrong types on purpose)
"""Bad input gets a clear error: one table of the public functions and constructors, each given
each kind of bad input (wrong type, wrong shape, non-finite values where they matter, integer
tensors asked for a gradient, empty tensors, mismatched state dicts, bad data, bad settings).

A row is (what is wrong, a call that makes the mistake, the exception expected, a pattern the
message must match). The pattern names the culprit: the function, and the offending argument,
value, dtype or shape. The error must not be NumPy's (neither a NumPy exception class nor raised
inside NumPy) nor a RecursionError. Each row was checked to fail on the code before its fix.
"""

from __future__ import annotations

import math
import os
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
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

NUMPY_DIR = os.path.dirname(np.__file__) + os.sep
Call = Callable[[], Any]
Error = type[BaseException] | tuple[type[BaseException], ...]


def row(description: str, call: Call, error: Error, pattern: str) -> Any:
    return pytest.param(call, error, pattern, id=description)


# fresh inputs for every call, so that no row can change another's
def ones_2x3() -> Tensor:
    return Tensor(np.ones((2, 3)))


def leaf3() -> Tensor:
    return Tensor(np.ones(3), requires_grad=True)


def empty_leaf() -> Tensor:
    return Tensor(np.zeros(0), requires_grad=True)


def released() -> Value:
    y = Value(2.0) * 3.0
    y.backward(retain_graph=False)
    return y


def int_vector() -> Tensor:
    return Tensor(np.arange(3))


def summed(*xs: Any) -> Any:
    return xs[0].sum()


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
        r"op '\*c' was released .*retain_graph=True",
    ),
    # --- Tensor() -------------------------------------------------------------------------
    row(
        "Tensor() of text",
        lambda: Tensor("abc"),
        TypeError,
        r"Tensor\(\): cannot make a numeric array from a str",
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
        r"Tensor\(\): .*(str|<U)",
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
        r"cannot make a numeric array from a str",
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
        "integer Tensor ** a negative integer Tensor",
        lambda: int_vector() ** Tensor(np.array(-1)),
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
        r"matmul: operands must have at least 1 dim, got shapes \(2, 3\) and \(\)",
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
        r"where\(\): condition must be bool, got dtype float32",
    ),
    row(
        "where with mismatched shapes",
        lambda: where(np.ones(4, dtype=bool), ones_2x3(), ones_2x3()),
        ValueError,
        r"where\(\): condition, x and y have shapes \(4,\) and \(2, 3\) and \(2, 3\)",
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
        r"indexing a tensor of shape \(2, 3\): only integers, slices",
    ),
    row(
        "a float index array",
        lambda: ones_2x3()[np.array([0.5])],
        IndexError,
        r"indexing a tensor of shape \(2, 3\): arrays used as indices must be of integer",
    ),
    row(
        "reshape to a wrong size",
        lambda: ones_2x3().reshape(4, 2),
        ValueError,
        r"reshape\(\): cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape "
        r"\(4, 2\)",
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
        "transpose by axes that are not a permutation",
        lambda: ones_2x3().transpose(0, 0),
        ValueError,
        r"transpose\(\): axes \(0, 0\) are not a permutation of the 2 dims of shape \(2, 3\)",
    ),
    row(
        "sum over an axis out of range",
        lambda: ones_2x3().sum(axis=2),
        ValueError,
        r"sum\(\): axis 2 is out of range for a tensor with 2 dims",
    ),
    row(
        "sum over a string axis",
        lambda: ones_2x3().sum(axis="a"),
        TypeError,
        r"sum\(\): axis 'a' is not an integer",
    ),
    row(
        "sum with a string keepdims",
        lambda: ones_2x3().sum(keepdims="yes"),
        TypeError,
        r"sum\(\).*keepdims",
    ),
    row(
        "softmax over axis None",
        lambda: ones_2x3().softmax(axis=None),
        (TypeError, ValueError),
        r"softmax\(\).*axis",
    ),
    row(
        "astype to an unknown dtype",
        lambda: leaf3().astype("foo"),
        TypeError,
        r"astype\(\).*'foo'",
    ),
    row(
        "astype to text",
        lambda: ones_2x3().astype(str),
        TypeError,
        r"astype\(\).*(str|<U)",
    ),
    row(
        "concatenate of no tensors",
        lambda: concatenate([]),
        ValueError,
        r"concatenate\(\): needs at least one tensor",
    ),
    row(
        "concatenate of a number",
        lambda: concatenate(5),
        TypeError,
        r"concatenate\(\).*int",
    ),
    row(
        "concatenate of mismatched shapes",
        lambda: concatenate([ones_2x3(), Tensor(np.ones((3, 2)))]),
        ValueError,
        r"concatenate\(\): shapes \(2, 3\) and \(3, 2\) do not match outside axis 0",
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
        "min over an empty axis",
        lambda: Tensor(np.zeros((0, 3))).min(axis=0),
        ValueError,
        r"min\(\): cannot reduce an empty tensor of shape \(0, 3\)",
    ),
    row(
        "mean of an empty tensor",
        lambda: empty_leaf().mean(),
        ValueError,
        r"mean\(\): the reduced axes of shape \(0,\) are empty",
    ),
    row(
        "item() of an empty tensor",
        lambda: empty_leaf().item(),
        ValueError,
        r"item\(\): only a one-element Tensor has an item; shape is \(0,\)",
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
        ValueError,
        r"truth value of a Tensor of shape \(0,\) is ambiguous",
    ),
    # --- backward and grad() ----------------------------------------------------------------
    row(
        "backward() from a vector without grad=",
        lambda: (leaf3() * 2).backward(),
        RuntimeError,
        r"backward\(\): the output has shape \(3,\).*pass grad=",
    ),
    row(
        "backward() with grad= of the wrong shape",
        lambda: (leaf3() * 2).backward(np.ones(4)),
        ValueError,
        r"backward\(\): grad has shape \(4,\) but the output has shape \(3,\)",
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


def linear() -> Any:
    import nn

    nn.init.manual_seed(0)
    return nn.Linear(3, 2)


def state(**changes: Any) -> dict[str, Any]:
    """Linear(3, 2)'s state dict with some entries replaced (None: removed)."""
    entries: dict[Any, Any] = {
        "weight": np.ones((2, 3), np.float32),
        "bias": np.ones(2, np.float32),
    }
    for key, value in changes.items():
        if value is None:
            del entries[key]
        else:
            entries[key] = value
    return entries


def nn_rows() -> list[Any]:
    """nn's rows: layers, losses, state dicts, data, files (relative paths: the test runs in
    a fresh temporary folder), initialisers, the scalar MLP."""
    import nn
    import nn.functional as F
    from nn.scalar import MLP as ScalarMLP
    from nn.scalar import Neuron

    logits = lambda: Tensor(np.zeros((2, 3)), requires_grad=True)  # noqa: E731
    return [
        # layers
        row(
            "Linear() with a text size",
            lambda: nn.Linear("3", 2),
            ValueError,
            r"Linear\(\): in_features must be a non-negative integer, got '3'",
        ),
        row(
            "Linear() with a negative size",
            lambda: nn.Linear(3, -2),
            ValueError,
            r"Linear\(\): out_features must be a non-negative integer, got -2",
        ),
        row(
            "Linear() with an integer dtype",
            lambda: nn.Linear(3, 2, dtype=np.int64),
            TypeError,
            r"Linear\(\): parameters need a floating dtype, got int64",
        ),
        row(
            "Linear given the wrong number of features",
            lambda: linear()(Tensor(np.ones((5, 4)))),
            ValueError,
            r"Linear\(in_features=3, out_features=2\): input of shape \(5, 4\) must end in 3",
        ),
        row(
            "Linear given text",
            lambda: linear()("abc"),
            TypeError,
            r"cannot make a numeric array from a str",
        ),
        row(
            "Sequential() of a number",
            lambda: nn.Sequential(nn.ReLU(), 5),
            TypeError,
            r"Sequential\(\): argument 1 is a int, not a Module",
        ),
        row(
            "Sequential() of a layer class",
            lambda: nn.Sequential(nn.ReLU),
            TypeError,
            r"Sequential\(\): argument 0 is the class ReLU, not a layer",
        ),
        row(
            "MLP() with an unknown activation",
            lambda: nn.MLP(2, [3], 1, activation="swish"),
            ValueError,
            r"unknown activation 'swish'",
        ),
        row(
            "Parameter() of integers",
            lambda: nn.Parameter(np.arange(3)),
            TypeError,
            r"only floating tensors can require grad, got dtype int64",
        ),
        row(
            "a plain Tensor assigned over a Parameter",
            lambda: setattr(linear(), "weight", Tensor(np.ones((2, 3)))),
            TypeError,
            r"cannot assign a plain Tensor to parameter 'weight' of Linear",
        ),
        row(
            "a Module without forward()",
            lambda: nn.Module()(1.0),
            NotImplementedError,
            r"Module has no forward\(\)",
        ),
        row(
            "Flatten() past the last dim",
            lambda: nn.Flatten(5)(ones_2x3()),
            ValueError,
            r"Flatten\(start_dim=5, end_dim=-1\) does not fit an input of shape \(2, 3\)",
        ),
        row(
            "LeakyReLU() with a text slope",
            lambda: nn.LeakyReLU("a"),
            TypeError,
            r"LeakyReLU\(\).*negative_slope.*'a'",
        ),
        row(
            "leaky_relu() with a text slope",
            lambda: F.leaky_relu(ones_2x3(), "a"),
            TypeError,
            r"leaky_relu\(\).*negative_slope.*'a'",
        ),
        # losses
        row(
            "MSELoss() with an unknown reduction",
            lambda: nn.MSELoss(reduction="avg"),
            ValueError,
            r"reduction must be 'mean', 'sum' or 'none', got 'avg'",
        ),
        row(
            "CrossEntropyLoss() with reduction=None",
            lambda: nn.CrossEntropyLoss(reduction=None),
            ValueError,
            r"reduction must be 'mean', 'sum' or 'none', got None",
        ),
        row(
            "l1_loss() with an unknown reduction",
            lambda: F.l1_loss(ones_2x3(), np.ones((2, 3)), reduction="batchmean"),
            ValueError,
            r"reduction must be 'mean', 'sum' or 'none', got 'batchmean'",
        ),
        row(
            "mse_loss() of mismatched shapes",
            lambda: F.mse_loss(ones_2x3(), np.ones(3)),
            ValueError,
            r"mse_loss\(\): input has shape \(2, 3\) but target has shape \(3,\)",
        ),
        row(
            "mse_loss() against a text target",
            lambda: F.mse_loss(ones_2x3(), "abc"),
            TypeError,
            r"mse_loss\(\).*target.*str",
        ),
        row(
            "mse_loss() against a None target",
            lambda: F.mse_loss(Tensor(1.0), None),
            TypeError,
            r"mse_loss\(\).*target.*None",
        ),
        row(
            "mse_loss() of an empty batch",
            lambda: F.mse_loss(Tensor(np.zeros(0)), np.zeros(0)),
            ValueError,
            r"mean\(\): the reduced axes of shape \(0,\) are empty",
        ),
        row(
            "binary_cross_entropy_with_logits() of mismatched shapes",
            lambda: F.binary_cross_entropy_with_logits(ones_2x3(), np.ones(3)),
            ValueError,
            r"binary_cross_entropy_with_logits\(\): input has shape \(2, 3\) but target",
        ),
        row(
            "cross_entropy() with float targets",
            lambda: F.cross_entropy(logits(), np.array([0.0, 1.0])),
            TypeError,
            r"cross_entropy\(\): target must hold integer class indices, got dtype float64",
        ),
        row(
            "cross_entropy() with a class out of range",
            lambda: F.cross_entropy(logits(), np.array([0, 3])),
            ValueError,
            r"cross_entropy\(\): target holds class 3, but input has 3 classes",
        ),
        row(
            "cross_entropy() with a negative class",
            lambda: F.cross_entropy(logits(), np.array([0, -1])),
            ValueError,
            r"cross_entropy\(\): target holds class -1",
        ),
        row(
            "cross_entropy() with too many targets",
            lambda: F.cross_entropy(logits(), np.array([0, 1, 2])),
            ValueError,
            r"cross_entropy\(\): input of shape \(2, 3\) needs a target of shape \(2,\)",
        ),
        row(
            "cross_entropy() of 3-d scores",
            lambda: F.cross_entropy(Tensor(np.ones((2, 3, 4))), np.array([0, 1])),
            ValueError,
            r"cross_entropy\(\): input must hold scores per class.*\(2, 3, 4\)",
        ),
        row(
            "cross_entropy() of a Value",
            lambda: F.cross_entropy(Value(1.0), np.array([0])),
            TypeError,
            r"cross_entropy\(\) works on Tensors, got a Value",
        ),
        row(
            "cross_entropy() with a weight per wrong number of classes",
            lambda: F.cross_entropy(logits(), np.array([0, 1]), weight=np.ones(2)),
            ValueError,
            r"cross_entropy\(\): weight needs one entry per class, shape \(3,\), got \(2,\)",
        ),
        row(
            "MultiMarginLoss() with p=3",
            lambda: nn.MultiMarginLoss(p=3),
            ValueError,
            r"MultiMarginLoss\(\): p must be 1 or 2, got 3",
        ),
        # state dicts
        row(
            "load_state_dict() of a list",
            lambda: linear().load_state_dict([1, 2]),
            TypeError,
            r"load_state_dict\(\): expected a mapping name -> array, got a list",
        ),
        row(
            "load_state_dict() with a wrong shape",
            lambda: linear().load_state_dict(state(weight=np.ones((3, 3), np.float32))),
            nn.StateDictError,
            r"'weight': the state_dict has shape \(3, 3\).*parameter has shape \(2, 3\)",
        ),
        row(
            "load_state_dict() with a wrong dtype",
            lambda: linear().load_state_dict(state(bias=np.ones(2))),
            nn.StateDictError,
            r"'bias': the state_dict has shape \(2,\) and dtype float64.*dtype float32",
        ),
        row(
            "load_state_dict() with a key missing",
            lambda: linear().load_state_dict(state(bias=None)),
            nn.StateDictError,
            r"missing key 'bias'",
        ),
        row(
            "load_state_dict() with an unexpected key",
            lambda: linear().load_state_dict(state(extra=np.ones(1))),
            nn.StateDictError,
            r"unexpected key 'extra'",
        ),
        row(
            "load_state_dict() with text for an entry",
            lambda: linear().load_state_dict(state(weight="abc")),
            nn.StateDictError,
            r"'weight': the state_dict has shape \(\) and dtype <U3",
        ),
        row(
            "load_state_dict() with a non-string key",
            lambda: linear().load_state_dict({**state(), 0: np.ones(1)}),
            nn.StateDictError,
            r"unexpected key 0",
        ),
        # data
        row(
            "DataLoader() of arrays of different lengths",
            lambda: nn.DataLoader(np.ones((3, 2)), np.ones(4)),
            ValueError,
            r"DataLoader\(\): the arrays must have the same number of rows: array 0 has 3, "
            r"array 1 has 4",
        ),
        row(
            "DataLoader() with batch_size=0",
            lambda: nn.DataLoader(np.ones(3), batch_size=0),
            ValueError,
            r"DataLoader\(\): batch_size must be at least 1, got 0",
        ),
        row(
            "DataLoader() with a fractional batch_size",
            lambda: nn.DataLoader(np.ones(3), batch_size=2.5),
            TypeError,
            r"DataLoader\(\): batch_size must be an integer, got 2\.5",
        ),
        row(
            "DataLoader() of nothing",
            lambda: nn.DataLoader(),
            ValueError,
            r"DataLoader\(\): give at least one array",
        ),
        row(
            "DataLoader() of a single number",
            lambda: nn.DataLoader(np.float64(3.0)),
            ValueError,
            r"DataLoader\(\): array 0 is a single number",
        ),
        row(
            "DataLoader() of an object array",
            lambda: nn.DataLoader(np.ones(2), np.array([object(), object()])),
            TypeError,
            r"data of dtype object is not numeric",
        ),
        row(
            "DataLoader() with a text seed",
            lambda: nn.DataLoader(np.ones(3), shuffle=True, seed="a"),
            TypeError,
            r"DataLoader\(\).*seed.*'a'",
        ),
        row(
            "lagged_pairs() with k=0",
            lambda: nn.data.lagged_pairs(np.ones(5), 0),
            ValueError,
            r"lagged_pairs\(\): k must be a positive integer, got 0",
        ),
        # files
        row(
            "nn.save() of a number",
            lambda: nn.save(5, "a.npz"),
            TypeError,
            r"nn\.save\(\): expected a Module or a state dict .*got a int",
        ),
        row(
            "nn.save() of an object array",
            lambda: nn.save({"a": np.array([object()])}, "a.npz"),
            TypeError,
            r"nn\.save\(\): entry 'a' has dtype object",
        ),
        row(
            "nn.save() with a non-string key",
            lambda: nn.save({1: np.ones(1)}, "a.npz"),
            TypeError,
            r"nn\.save\(\): state dict keys must be strings, got 1",
        ),
        row(
            "nn.save() into a folder that does not exist",
            lambda: nn.save(state(), os.path.join("missing", "a.npz")),
            FileNotFoundError,
            r"nn\.save\(\).*missing",
        ),
        row(
            "nn.load() of a missing file",
            lambda: nn.load("nothing.npz"),
            FileNotFoundError,
            r"nn\.load\(\): no such file: '.*nothing\.npz'",
        ),
        row(
            "nn.load() of a folder",
            lambda: nn.load("."),
            IsADirectoryError,
            r"nn\.load\(\): '.*' is a directory",
        ),
        # initialisers
        row(
            "uniform_() with a > b",
            lambda: nn.init.uniform_(leaf3(), 1.0, 0.0),
            ValueError,
            r"uniform_\(\): need a <= b, got a=1\.0, b=0\.0",
        ),
        row(
            "uniform_() with a = nan",
            lambda: nn.init.uniform_(leaf3(), math.nan, 1.0),
            ValueError,
            r"uniform_\(\): need a <= b, got a=nan",
        ),
        row(
            "normal_() with a negative std",
            lambda: nn.init.normal_(leaf3(), 0.0, -1.0),
            ValueError,
            r"normal_\(\): std must be >= 0, got -1",
        ),
        row(
            "normal_() with std = nan",
            lambda: nn.init.normal_(leaf3(), 0.0, math.nan),
            ValueError,
            r"normal_\(\): std must be >= 0, got nan",
        ),
        row(
            "normal_() of an integer tensor",
            lambda: nn.init.normal_(int_vector()),
            TypeError,
            r"normal_\(\).*int64",
        ),
        row(
            "constant_() with a text value",
            lambda: nn.init.constant_(leaf3(), "a"),
            TypeError,
            r"constant_\(\).*'a'",
        ),
        row(
            "an initialiser given an array",
            lambda: nn.init.zeros_(np.ones(2)),
            TypeError,
            r"nn\.init: expected a Tensor or Parameter, got a ndarray",
        ),
        row(
            "xavier_uniform_() of a vector",
            lambda: nn.init.xavier_uniform_(leaf3()),
            ValueError,
            r"fan in and fan out need a weight with at least 2 dims, got shape \(3,\)",
        ),
        row(
            "calculate_gain() of an unknown nonlinearity",
            lambda: nn.init.calculate_gain("swish"),
            ValueError,
            r"calculate_gain\(\): unknown nonlinearity 'swish'",
        ),
        row(
            "manual_seed() of a negative number",
            lambda: nn.init.manual_seed(-1),
            ValueError,
            r"manual_seed\(\): seed must be a non-negative integer, got -1",
        ),
        # the scalar (micrograd) layers
        row(
            "Neuron(0)",
            lambda: Neuron(0),
            ValueError,
            r"Neuron\(\): nin must be a positive integer, got 0",
        ),
        row(
            "a Neuron given too few inputs",
            lambda: Neuron(2)([1.0]),
            ValueError,
            r"Neuron\(2\) got 1 inputs",
        ),
        row(
            "a Neuron with an unknown nonlinearity",
            lambda: Neuron(2, nonlin="swish"),
            ValueError,
            r"nonlin must be True, False or one of .*got 'swish'",
        ),
        row(
            "scalar MLP() with no layers",
            lambda: ScalarMLP(2, []),
            ValueError,
            r"MLP\(\): nouts must be a non-empty list of layer widths",
        ),
    ]


def parameter() -> Any:
    import nn

    return nn.Parameter(np.ones(3, np.float32))


def sgd() -> Any:
    import optim

    return optim.SGD([parameter()], lr=0.1)


def with_grad(grad: Any) -> Any:
    p = parameter()
    p.grad = grad
    return p


def optim_rows() -> list[Any]:
    """optim's rows: optimizers and learning-rate schedulers."""
    import optim
    from optim import lr_scheduler

    return [
        row(
            "SGD() with a negative learning rate",
            lambda: optim.SGD([parameter()], lr=-0.1),
            ValueError,
            r"SGD\(\): lr must be >= 0, got -0\.1",
        ),
        row(
            "Adam() with lr = nan",
            lambda: optim.Adam([parameter()], lr=math.nan),
            ValueError,
            r"Adam\(\): lr must be a number, got nan",
        ),
        row(
            "SGD() with lr = inf",
            lambda: optim.SGD([parameter()], lr=math.inf),
            ValueError,
            r"SGD\(\): lr .*inf",
        ),
        row(
            "SGD() with a text learning rate",
            lambda: optim.SGD([parameter()], lr="0.1"),
            TypeError,
            r"SGD\(\): lr must be a real number, got str \('0\.1'\)",
        ),
        row(
            "SGD() with a negative momentum",
            lambda: optim.SGD([parameter()], lr=0.1, momentum=-1),
            ValueError,
            r"SGD\(\): momentum must be >= 0, got -1",
        ),
        row(
            "SGD() with an unknown option",
            lambda: optim.SGD([parameter()], lr=0.1, moment=0.9),
            TypeError,
            r"unexpected keyword argument 'moment'",
        ),
        row(
            "Adam() with beta1 = 1",
            lambda: optim.Adam([parameter()], betas=(1.0, 0.999)),
            ValueError,
            r"Adam\(\): betas\[0\] must be in \[0, 1\), got 1\.0",
        ),
        row(
            "Adam() with one beta",
            lambda: optim.Adam([parameter()], betas=(0.9,)),
            TypeError,
            r"Adam\(\): betas must be a pair \(beta1, beta2\), got \(0\.9,\)",
        ),
        row(
            "AdamW() with a negative weight decay",
            lambda: optim.AdamW([parameter()], weight_decay=-1),
            ValueError,
            r"AdamW\(\): weight_decay must be >= 0, got -1",
        ),
        row(
            "RMSprop() with eps = nan",
            lambda: optim.RMSprop([parameter()], eps=math.nan),
            ValueError,
            r"RMSprop\(\): eps must be a number, got nan",
        ),
        row(
            "Adagrad() with a negative lr_decay",
            lambda: optim.Adagrad([parameter()], lr_decay=-1),
            ValueError,
            r"Adagrad\(\): lr_decay must be >= 0, got -1",
        ),
        row(
            "an optimizer given an array",
            lambda: optim.SGD([np.ones(3)], lr=0.1),
            TypeError,
            r"SGD\(\): parameter 0 is a ndarray .*not a Value or Tensor",
        ),
        row(
            "an optimizer given a Tensor that does not require grad",
            lambda: optim.Adam([parameter(), Tensor(np.ones(2))]),
            ValueError,
            r"Adam\(\): parameter 1 \(Tensor of shape \(2,\) and dtype float64\) does not "
            r"require grad",
        ),
        row(
            "an optimizer given a computed Tensor",
            lambda: optim.SGD([parameter() * 2], lr=0.1),
            ValueError,
            r"SGD\(\): parameter 0 .* is the result of the op '\*c', not a leaf",
        ),
        row(
            "an optimizer given a Module",
            lambda: optim.SGD(nn_linear(), lr=0.1),
            TypeError,
            r"SGD\(\): params must be an iterable of parameters .*got a Linear",
        ),
        row(
            "an optimizer given no parameters",
            lambda: optim.SGD([], lr=0.1),
            ValueError,
            r"SGD\(\): got an empty parameter list",
        ),
        row(
            "an optimizer given the same parameter twice",
            lambda: optim.SGD([p := parameter(), p], lr=0.1),
            ValueError,
            r"SGD\(\): parameter 1 .* is the same object as parameter 0",
        ),
        row(
            "step() with a gradient of the wrong shape",
            lambda: optim.SGD([with_grad(np.ones(4))], lr=0.1).step(),
            ValueError,
            r"SGD\(\)\.step\(\): parameter 0 has shape \(3,\) but its \.grad has shape \(4,\)",
        ),
        row(
            "step() with a text gradient",
            lambda: optim.SGD([with_grad("abc")], lr=0.1).step(),
            TypeError,
            r"SGD\(\)\.step\(\): parameter 0\b.*\.grad.*\bstr\b",
        ),
        row(
            "load_state_dict() of a list",
            lambda: sgd().load_state_dict([1]),
            ValueError,
            r"SGD\(\)\.load_state_dict\(\): expected a dict with exactly the keys 'state' and "
            r"'param_groups'",
        ),
        row(
            "load_state_dict() of another optimizer's state",
            lambda: sgd().load_state_dict(optim.Adam([parameter()]).state_dict()),
            ValueError,
            r"SGD\(\)\.load_state_dict\(\).*'momentum'",
        ),
        row(
            "StepLR() of a number",
            lambda: lr_scheduler.StepLR(5, step_size=1),
            TypeError,
            r"StepLR\(\): expected an optimizer, got a int",
        ),
        row(
            "StepLR() with step_size=0",
            lambda: lr_scheduler.StepLR(sgd(), step_size=0),
            ValueError,
            r"StepLR\(\): step_size must be >= 1, got 0",
        ),
        row(
            "ExponentialLR() with gamma = nan",
            lambda: lr_scheduler.ExponentialLR(sgd(), gamma=math.nan),
            ValueError,
            r"ExponentialLR\(\): gamma must be a number, got nan",
        ),
        row(
            "LambdaLR() of a number",
            lambda: lr_scheduler.LambdaLR(sgd(), 5),
            TypeError,
            r"LambdaLR\(\): lr_lambda 0 is a int, not a function",
        ),
        row(
            "LambdaLR() whose function returns text",
            lambda: lr_scheduler.LambdaLR(sgd(), lambda epoch: "x").step(),
            TypeError,
            r"LambdaLR.*lr_lambda.*str",
        ),
        row(
            "LambdaLR() whose function returns nan",
            lambda: lr_scheduler.LambdaLR(sgd(), lambda epoch: math.nan).step(),
            ValueError,
            r"LambdaLR.*nan",
        ),
    ]


def nn_linear() -> Any:
    import nn

    return nn.Linear(2, 2)


TABLE = ENGINE_ROWS + draw_rows() + nn_rows() + optim_rows()


def raised_inside_numpy(error: BaseException) -> bool:
    """True when the innermost frame of the traceback is NumPy's own Python code."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and frames[-1].filename.startswith(NUMPY_DIR)


@pytest.mark.parametrize(("call", "error", "pattern"), TABLE)
def test_bad_input_gets_a_clear_error_naming_the_culprit(
    call: Call, error: Error, pattern: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the rows that touch files use relative paths
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # IEEE warnings are not the point here
        with pytest.raises(error, match=pattern) as info:
            call()
    raised = info.value
    assert not isinstance(raised, RecursionError)
    assert not type(raised).__module__.startswith("numpy"), f"a bare NumPy error: {raised!r}"
    assert not raised_inside_numpy(raised), f"raised inside NumPy: {raised!r}"


# --- empty tensors where an answer exists: PyTorch's answer, not an error -----------------------

EMPTY_ROWS = [
    pytest.param(lambda: Tensor(np.zeros(0)).sum(), np.array(0.0), id="sum of nothing is 0"),
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
    np.testing.assert_array_equal(result.data, expected)


def test_backward_through_an_empty_tensor_gives_an_empty_gradient() -> None:
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is not None and x.grad.shape == (0, 3)
    np.testing.assert_array_equal(w.grad, np.zeros((3, 2)))  # no rows: nothing flows into w
