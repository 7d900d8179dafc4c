"""Type promotion follows ``torch.result_type`` over the whole matrix of operand kinds: every
pair of bool/uint8/int32/int64/float32/float64 tensors with dimensions, 0-d tensors and Python
bool/int/float; and the arithmetic itself keeps PyTorch's result dtypes."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]
PYTHON = {"py_bool": True, "py_int": 3, "py_float": 2.5}


def _operand(kind: str, lib: Any) -> Any:
    """One operand of the matrix: 'dim:<dtype>', '0d:<dtype>' or a Python number."""
    if kind in PYTHON:
        return PYTHON[kind]
    shape, dtype = kind.split(":")
    data = np.ones((2,) if shape == "dim" else (), dtype=dtype)
    return lib.tensor(data) if lib is autograd else torch.from_numpy(data)


KINDS = [f"{s}:{d}" for s in ("dim", "0d") for d in DTYPES] + list(PYTHON)
PAIRS = [(a, b) for a, b in itertools.product(KINDS, KINDS) if not (a in PYTHON and b in PYTHON)]


def _name(dtype: Any) -> str:
    return str(dtype).replace("torch.", "")


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_result_type_matches_pytorch(a: str, b: str) -> None:
    ours = autograd.result_type(_operand(a, autograd), _operand(b, autograd))
    theirs = torch.result_type(_operand(a, torch), _operand(b, torch))
    assert _name(ours) == _name(theirs)


OPS = {
    "+": lambda x, y: x + y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x / y,
    "-": lambda x, y: x - y,
}


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize(("a", "b"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_arithmetic_gives_pytorchs_dtype_and_values(op: str, a: str, b: str) -> None:
    fn = OPS[op]
    try:
        expected = fn(_operand(a, torch), _operand(b, torch))
    except RuntimeError:  # PyTorch refuses (e.g. bool - bool): so must dagrad
        with pytest.raises((TypeError, RuntimeError, ValueError)):
            fn(_operand(a, autograd), _operand(b, autograd))
        return
    got = fn(_operand(a, autograd), _operand(b, autograd))
    assert _name(got.dtype) == _name(expected.dtype)
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-6)


def test_integer_ops_stay_integer_and_exact() -> None:
    big = autograd.tensor(np.array([2**53 + 1]))
    assert (big + 1).dtype == autograd.int64
    assert int((big + 1).item()) == 2**53 + 2
    assert (autograd.tensor([7, -7]) // 2).tolist() == [3, -4]
    assert (autograd.tensor([7, -7]) % 3).tolist() == [1, 2]
    assert (autograd.tensor([2, 3]) ** 2).dtype == autograd.int64
    assert (autograd.tensor([1, 2]) / 2).dtype == autograd.float32


def test_integer_to_negative_integer_power_raises_as_in_pytorch() -> None:
    with pytest.raises(ValueError, match="negative integer powers"):
        autograd.tensor([2, 3]) ** -1


def test_int32_cases_from_the_issue() -> None:
    i32 = autograd.tensor(np.array([1, 2], dtype=np.int32))
    assert (i32 / 2).dtype == autograd.float32
    assert (i32 * autograd.tensor([1.0, 2.0])).dtype == autograd.float32
    assert (autograd.tensor([1, 2]) * 2.5).dtype == autograd.float32
