# mypy: disable-error-code="arg-type, operator, misc, dict-item, call-arg, return-value"
# (the table passes wrong types on purpose)
"""Bad input to nn.data (DataLoader, lagged_pairs) and to nn.save/nn.load gets a clear error
(tests/support/bad_inputs.py says what a row is). Kept apart from tests/nn/test_bad_inputs.py:
nn/data.py and the checkpoint files are being rewritten, and these rows will change with them.
The file rows use relative paths: the test runs in a fresh temporary folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
from tests.support.bad_inputs import Call, Error, assert_clear_error, row


def state() -> dict[str, Any]:
    """A Linear(3, 2)'s state dict."""
    return {"weight": np.ones((2, 3), np.float32), "bias": np.ones(2, np.float32)}


ROWS = [
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
        "nn.save() of an object array",
        lambda: nn.save({"a": np.array([object()])}, "a.npz"),
        TypeError,
        r"nn\.save\(\): entry 'a' has dtype object",
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
]


@pytest.mark.parametrize(("call", "error", "pattern"), ROWS)
def test_bad_input_gets_a_clear_error_naming_the_culprit(
    call: Call, error: Error, pattern: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the rows that touch files use relative paths
    assert_clear_error(call, error, pattern)
