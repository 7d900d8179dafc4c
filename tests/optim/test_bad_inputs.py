# mypy: disable-error-code="arg-type, operator, misc, dict-item, call-arg, return-value"
# (the table passes wrong types on purpose)
"""Bad input to optim gets a clear error (tests/support/bad_inputs.py says what a row is):
optimizers, their state dicts and learning-rate schedulers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor
from optim import lr_scheduler
from tests.support.bad_inputs import Call, Error, assert_clear_error, row


def parameter() -> Any:
    return nn.Parameter(np.ones(3, np.float32))


def sgd() -> Any:
    return optim.SGD([parameter()], lr=0.1)


def nn_linear() -> Any:
    return nn.Linear(2, 2)


ROWS = [
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


@pytest.mark.parametrize(("call", "error", "pattern"), ROWS)
def test_bad_input_gets_a_clear_error_naming_the_culprit(
    call: Call, error: Error, pattern: str
) -> None:
    assert_clear_error(call, error, pattern)
