"""Activations (nn.functional and their Modules) against PyTorch 2.13: values, gradients and
second derivatives in float64, float32 results and dtypes, PyTorch's choice of slope at corners,
the Modules' reprs, and bad arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from tests.nn.oracle import TORCH, away_from, compare, torch

# (name, call(lib, x), engine functions it needs, corners where one-sided slopes differ)
ACTIVATIONS: list[tuple[str, Any, tuple[str, ...], tuple[float, ...]]] = [
    ("relu", lambda L, x: L.F.relu(x), (), (0.0,)),
    ("sigmoid", lambda L, x: L.F.sigmoid(x), (), ()),
    ("tanh", lambda L, x: L.F.tanh(x), (), ()),
    ("leaky_relu", lambda L, x: L.F.leaky_relu(x, 0.2), (), (0.0,)),
    ("gelu", lambda L, x: L.F.gelu(x), ("erf",), ()),
    ("gelu tanh", lambda L, x: L.F.gelu(x, approximate="tanh"), (), ()),
    ("silu", lambda L, x: L.F.silu(x), (), ()),
    ("elu", lambda L, x: L.F.elu(x), ("expm1",), (0.0,)),
    ("elu alpha", lambda L, x: L.F.elu(x, alpha=0.5), ("expm1",), (0.0,)),
    ("selu", lambda L, x: L.F.selu(x), ("expm1",), (0.0,)),
    ("celu", lambda L, x: L.F.celu(x, alpha=2.0), ("expm1",), (0.0,)),
    ("softplus", lambda L, x: L.F.softplus(x), (), ()),
    ("softplus beta", lambda L, x: L.F.softplus(x, beta=2.0, threshold=5.0), (), (2.5,)),
    ("softsign", lambda L, x: L.F.softsign(x), (), (0.0,)),
    ("mish", lambda L, x: L.F.mish(x), (), ()),
    ("hardtanh", lambda L, x: L.F.hardtanh(x), (), (-1.0, 1.0)),
    ("hardtanh range", lambda L, x: L.F.hardtanh(x, -2.0, 0.5), (), (-2.0, 0.5)),
    ("relu6", lambda L, x: L.F.relu6(x), (), (0.0, 6.0)),
    ("hardswish", lambda L, x: L.F.hardswish(x), (), (-3.0, 3.0)),
    ("logsigmoid", lambda L, x: L.F.logsigmoid(x), (), ()),
    ("softmin", lambda L, x: L.F.softmin(x, dim=1), (), ()),
    ("softmax", lambda L, x: L.F.softmax(x, dim=0), (), ()),
    ("log_softmax", lambda L, x: L.F.log_softmax(x, dim=-1), (), ()),
    ("normalize", lambda L, x: L.F.normalize(x), (), ()),
    ("normalize p1 dim0", lambda L, x: L.F.normalize(x, p=1.0, dim=0), (), (0.0,)),
    ("normalize p3", lambda L, x: L.F.normalize(x, p=3.0, dim=-1), (), (0.0,)),
    # the Modules
    ("GELU tanh", lambda L, x: L.nn.GELU(approximate="tanh")(x), (), ()),
    ("SiLU", lambda L, x: L.nn.SiLU()(x), (), ()),
    ("ELU", lambda L, x: L.nn.ELU(alpha=0.7)(x), ("expm1",), (0.0,)),
    ("SELU", lambda L, x: L.nn.SELU()(x), ("expm1",), (0.0,)),
    ("CELU", lambda L, x: L.nn.CELU()(x), ("expm1",), (0.0,)),
    ("Softplus", lambda L, x: L.nn.Softplus(beta=0.5, threshold=2.0)(x), (), (4.0,)),
    ("Softsign", lambda L, x: L.nn.Softsign()(x), (), (0.0,)),
    ("Mish", lambda L, x: L.nn.Mish()(x), (), ()),
    ("Hardtanh", lambda L, x: L.nn.Hardtanh(-0.5, 2.0)(x), (), (-0.5, 2.0)),
    ("ReLU6", lambda L, x: L.nn.ReLU6()(x), (), (0.0, 6.0)),
    ("Hardswish", lambda L, x: L.nn.Hardswish()(x), (), (-3.0, 3.0)),
    ("LogSigmoid", lambda L, x: L.nn.LogSigmoid()(x), (), ()),
    ("Softmin", lambda L, x: L.nn.Softmin(dim=0)(x), (), ()),
    ("Softmax", lambda L, x: L.nn.Softmax(dim=1)(x), (), ()),
    ("LogSoftmax", lambda L, x: L.nn.LogSoftmax(dim=1)(x), (), ()),
]
IDS = [a[0] for a in ACTIVATIONS]

# values where PyTorch picks a side (corners), the switch of softplus, and large inputs
EDGES = np.array(
    [
        [-3.0, -1.0, 0.0, 1.0, 3.0, 6.0],
        [2.5, 4.0, -2.0, 0.5, 20.0, 25.0],
        [-25.0, -0.3, 7.0, 1e-9, -1e-9, 2.0],
    ]
)


def _needs(engine_ops: tuple[str, ...]) -> None:
    missing = [op for op in engine_ops if not hasattr(autograd, op)]
    if missing:
        pytest.skip(
            f"needs autograd.{', autograd.'.join(missing)}, which the engine does not have yet "
            "(the ops branch adds it)"
        )


def _random(seed: int, shape: tuple[int, ...] = (4, 5)) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-6.0, 6.0, shape)


@pytest.mark.parametrize(("name", "call", "needs", "corners"), ACTIVATIONS, ids=IDS)
def test_values_gradients_and_second_derivatives_match_pytorch(
    name: str, call: Any, needs: tuple[str, ...], corners: tuple[float, ...]
) -> None:
    _needs(needs)
    x = away_from(_random(len(name)), corners)
    compare(call, x, order=2)


@pytest.mark.parametrize(("name", "call", "needs", "corners"), ACTIVATIONS, ids=IDS)
def test_corners_and_large_inputs_take_pytorchs_side(
    name: str, call: Any, needs: tuple[str, ...], corners: tuple[float, ...]
) -> None:
    _needs(needs)
    compare(call, EDGES, order=1)


@pytest.mark.parametrize(("name", "call", "needs", "corners"), ACTIVATIONS, ids=IDS)
def test_float32_keeps_its_dtype_and_matches_pytorch(
    name: str, call: Any, needs: tuple[str, ...], corners: tuple[float, ...]
) -> None:
    _needs(needs)
    compare(call, away_from(_random(7), corners), order=1, dtype=np.float32)


def test_hard_sigmoid_matches_pytorch_up_to_its_float32_slope() -> None:
    # PyTorch's Hardsigmoid gradient is the float32 number nearest 1/6 even in float64
    compare(lambda L, x: L.F.hardsigmoid(x), away_from(_random(3), (-3.0, 3.0)), order=1, rtol=1e-7)


def test_normalize_of_a_zero_row_has_pytorchs_gradient() -> None:
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
    compare(lambda L, x: L.F.normalize(x, eps=1e-3), x, order=1)  # (PyTorch: NaN second order)


def test_softplus_never_overflows_and_its_gradient_is_the_sigmoid() -> None:
    x = autograd.tensor(
        [-800.0, -30.0, 0.0, 30.0, 800.0], dtype=autograd.float64, requires_grad=True
    )
    y = F.softplus(x, threshold=np.inf)
    assert np.isfinite(y.data).all()
    y.sum().backward()
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(x.grad.data, 1 / (1 + np.exp(-x.data)), rtol=1e-14)


def test_implicit_softmax_dim_warns_and_picks_pytorchs_dim() -> None:
    x = _random(1, (2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        ours = F.softmax(autograd.tensor(x))
    with pytest.warns(UserWarning):
        theirs = TORCH.F.softmax(torch.tensor(x))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


def test_gelu_without_the_engines_erf_says_which_op_is_missing(monkeypatch: Any) -> None:
    monkeypatch.delattr(autograd, "erf", raising=False)
    with pytest.raises(
        NotImplementedError, match=r"gelu\(approximate='none'\) needs autograd\.erf"
    ):
        F.gelu(autograd.tensor([1.0]))


MODULES = [
    "ELU()",
    "CELU(2.0)",
    "Hardtanh()",
    "Softplus()",
    "GELU()",
    "GELU('tanh')",
    "Softmax(1)",
    "LogSoftmax(dim=0)",
    "Softmin()",
    "LeakyReLU()",
    "LeakyReLU(0.2, True)",
    "ReLU()",
    "ReLU(True)",
    "ReLU6()",
    "SiLU()",
    "Mish()",
    "SELU()",
    "Hardswish()",
    "Hardsigmoid()",
    "LogSigmoid()",
    "Softsign()",
    "Tanh()",
    "Sigmoid()",
]


@pytest.mark.parametrize("text", MODULES)
def test_module_reprs_match_pytorch(text: str) -> None:
    assert repr(eval("nn." + text)) == repr(eval("torch.nn." + text))


def test_modules_have_no_parameters() -> None:
    for text in MODULES:
        assert eval("nn." + text).parameters() == []


BAD = [
    (
        "gelu approximate",
        lambda: F.gelu(autograd.ones(2), approximate="exact"),
        ValueError,
        r"gelu\(\): approximate must be 'none' or 'tanh', got 'exact'",
    ),
    ("GELU approximate", lambda: nn.GELU("fast"), ValueError, r"GELU\(\): approximate"),
    (
        "softplus beta",
        lambda: F.softplus(autograd.ones(2), beta="a"),
        TypeError,
        r"softplus\(\): beta must be a number",
    ),
    (
        "hardtanh range",
        lambda: F.hardtanh(autograd.ones(2), 1.0, 0.0),
        ValueError,
        r"hardtanh\(\): min_val \(1.0\) cannot be greater than max_val \(0.0\)",
    ),
    ("Hardtanh range", lambda: nn.Hardtanh(2.0, 1.0), ValueError, r"Hardtanh\(\): min_val"),
    (
        "elu of integers",
        lambda: F.elu(autograd.tensor([1, 2])),
        TypeError,
        r"elu\(\): input must be a floating tensor, got dtype int64",
    ),
    (
        "softmax dim",
        lambda: F.softmax(autograd.ones(2, 3), dim=2),
        IndexError,
        r"softmax\(\): dim 2 is out of range for a tensor of 2 dims",
    ),
    (
        "softmin dim type",
        lambda: F.softmin(autograd.ones(2), dim="0"),
        TypeError,
        r"softmin\(\): dim must be an integer",
    ),
    (
        "normalize p",
        lambda: F.normalize(autograd.ones(2, 2), p=0.0),
        ValueError,
        r"normalize\(\): p must be positive",
    ),
    (
        "normalize dim",
        lambda: F.normalize(autograd.ones(2), dim=1),
        IndexError,
        r"normalize\(\): dim 1 is out of range",
    ),
    (
        "celu alpha 0",
        lambda: F.celu(autograd.ones(2), alpha=0.0),
        ValueError,
        r"celu\(\): alpha must not be 0",
    ),
    (
        "silu of a Value",
        lambda: F.silu(autograd.Value(1.0)),
        TypeError,
        r"silu\(\) works on Tensors, got a Value",
    ),
]


@pytest.mark.parametrize(("what", "call", "error", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_are_named(what: str, call: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_missing_pytorch_functions_say_so() -> None:
    with pytest.raises(AttributeError, match=r"torch\.nn\.functional\.rrelu is not available"):
        F.rrelu  # noqa: B018
    with pytest.raises(AttributeError, match=r"torch\.nn\.PReLU is not available"):
        nn.PReLU  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'not_a_function'"):
        F.not_a_function  # noqa: B018
