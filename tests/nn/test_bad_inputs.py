# mypy: disable-error-code="arg-type, operator, misc, dict-item, call-arg, return-value"
# (the table passes wrong types on purpose)
"""Bad input to nn gets a clear error (tests/support/bad_inputs.py says what a row is): layers,
losses, state dicts, initialisers, the scalar (micrograd) layers. nn.data and nn.save/nn.load:
tests/nn/test_bad_inputs_data.py."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, Value
from nn.scalar import MLP as ScalarMLP
from nn.scalar import Neuron
from tests.support.bad_inputs import (
    Call,
    Error,
    assert_clear_error,
    int_vector,
    leaf3,
    ones_2x3,
    row,
)


def linear() -> Any:
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


def logits() -> Tensor:
    return Tensor(np.zeros((2, 3)), requires_grad=True)


ROWS = [
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
        r"cannot make a tensor from text \('abc'\)",
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
    row(  # int8's -1 seen unsigned is 255: below 300 classes, so it must not pass for a class
        "cross_entropy() with a negative int8 class among 300",
        lambda: F.cross_entropy(Tensor(np.zeros((2, 300))), np.array([-1, 3], dtype=np.int8)),
        ValueError,
        r"cross_entropy\(\): target holds class -1, but input has 300 classes",
    ),
    row(
        "cross_entropy() with a negative int64 class",
        lambda: F.cross_entropy(logits(), np.array([-5, 1], dtype=np.int64)),
        ValueError,
        r"cross_entropy\(\): target holds class -5",
    ),
    row(
        "cross_entropy() with too many targets",
        lambda: F.cross_entropy(logits(), np.array([0, 1, 2])),
        ValueError,
        r"cross_entropy\(\): input of shape \(2, 3\) needs a target of shape \(2,\)",
    ),
    row(
        "cross_entropy() of 3-d scores with a 1-d target",
        lambda: F.cross_entropy(Tensor(np.ones((2, 3, 4))), np.array([0, 1])),
        ValueError,
        r"input of shape \(2, 3, 4\) needs a target of shape \(2, 4\), got \(2,\)",
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


@pytest.mark.parametrize(("call", "error", "pattern"), ROWS)
def test_bad_input_gets_a_clear_error_naming_the_culprit(
    call: Call, error: Error, pattern: str
) -> None:
    assert_clear_error(call, error, pattern)


# --- an empty batch has an answer: PyTorch's (nan for a mean, 0 for a sum), not an error -------

EMPTY_BATCHES = [
    pytest.param(lambda: F.mse_loss(Tensor(np.zeros(0)), np.zeros(0)), np.nan, id="mse_loss"),
    pytest.param(
        lambda: F.cross_entropy(Tensor(np.zeros((0, 3))), np.zeros(0, np.int64)),
        np.nan,
        id="cross_entropy",
    ),
    pytest.param(
        lambda: F.cross_entropy(Tensor(np.zeros((0, 3))), np.zeros(0, np.int64), reduction="sum"),
        0.0,
        id="cross_entropy, summed",
    ),
]


@pytest.mark.parametrize(("call", "expected"), EMPTY_BATCHES)
def test_a_loss_of_an_empty_batch_gives_pytorchs_answer(call: Call, expected: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        loss = call()
    assert loss.shape == ()
    np.testing.assert_array_equal(loss.data, expected)
