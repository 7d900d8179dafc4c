"""The bad-input tables' one row helper: a row is (what is wrong, a call that makes the mistake,
the exception expected, a pattern its message must match). The pattern names the culprit: the
function, and the offending argument, value, dtype or shape. The error must not be NumPy's
(neither a NumPy exception class nor raised inside NumPy's own code) nor a RecursionError.

Each package's tests/<package>/test_bad_inputs.py holds its rows; every row was checked to
fail on the code before its fix.
"""

from __future__ import annotations

import os
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Tensor

NUMPY_DIR = os.path.dirname(np.__file__) + os.sep
Call = Callable[[], Any]
Error = type[BaseException] | tuple[type[BaseException], ...]


def row(description: str, call: Call, error: Error, pattern: str, marks: Any = ()) -> Any:
    return pytest.param(call, error, pattern, id=description, marks=marks)


def raised_inside_numpy(error: BaseException) -> bool:
    """True when the innermost frame of the traceback is NumPy's own Python code."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and frames[-1].filename.startswith(NUMPY_DIR)


def assert_clear_error(call: Call, error: Error, pattern: str) -> None:
    """``call()`` raises ``error`` with a message matching ``pattern``, and not from NumPy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # IEEE warnings are not the point here
        with pytest.raises(error, match=pattern) as info:
            call()
    raised = info.value
    assert not isinstance(raised, RecursionError)
    assert not type(raised).__module__.startswith("numpy"), f"a bare NumPy error: {raised!r}"
    assert not raised_inside_numpy(raised), f"raised inside NumPy: {raised!r}"


# fresh inputs for every call, so that no row can change another's


def ones_2x3() -> Tensor:
    return Tensor(np.ones((2, 3)))


def leaf3() -> Tensor:
    return Tensor(np.ones(3), requires_grad=True)


def int_vector() -> Tensor:
    return Tensor(np.arange(3))
