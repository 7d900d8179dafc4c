"""Losses against PyTorch 2.13: values, gradients and second derivatives (float64), float32
results and dtypes, every reduction, the options of each loss (weights, ignore_index,
label_smoothing, class probabilities, pos_weight, delta/beta, log_target), the Modules, the fused
fast path, and bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from tests.nn.oracle import close, compare, torch

RNG = np.random.default_rng(16)
N, C = 6, 4
LOGITS = RNG.normal(size=(N, C)) * 2
LABELS = RNG.integers(0, C, N)
IGNORED = np.where(np.arange(N) % 3 == 0, -100, LABELS)
ONE_IGNORED_CLASS = np.array([0, 1, 1, 2, 3, 1])
IGNORED_ABOVE = np.where(np.arange(N) % 2 == 0, 1000, LABELS)  # an ignore_index past the classes
PROBS = RNG.dirichlet(np.ones(C), N)
WEIGHT = RNG.uniform(0.5, 2.0, C)
LOGITS_3D = RNG.normal(size=(3, C, 5))
LABELS_3D = RNG.integers(0, C, (3, 5))
PROBS_3D = np.moveaxis(RNG.dirichlet(np.ones(C), (3, 5)), -1, 1)
P = RNG.uniform(0.05, 0.95, (N, 3))
T01 = RNG.integers(0, 2, (N, 3)).astype(np.float64)
TSOFT = RNG.uniform(0, 1, (N, 3))
Y = RNG.normal(size=(N, 3)) * 2
LOGP = np.log(PROBS)
POS_WEIGHT = np.array([0.5, 1.0, 3.0])
REDUCTIONS = ["mean", "sum", "none"]


def w(L: Any, x: Any) -> Any:
    """The class weights in the input's dtype."""
    return L.t.tensor(WEIGHT, dtype=x.dtype)


def c(L: Any, values: np.ndarray, x: Any) -> Any:
    """A constant (weights) in the input's dtype."""
    return L.t.tensor(values, dtype=x.dtype)


# (name, call(lib, *inputs), inputs, which inputs to differentiate)
CASES: list[tuple[str, Any, tuple[Any, ...], list[bool]]] = []
for r in REDUCTIONS:
    CASES += [
        (
            f"cross_entropy {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, reduction=r),
            (LOGITS, LABELS),
            [True, False],
        ),
        (
            f"cross_entropy weight {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, w(L, x), reduction=r),
            (LOGITS, LABELS),
            [True, False],
        ),
        (
            f"cross_entropy ignore_index {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, reduction=r),
            (LOGITS, IGNORED),
            [True, False],
        ),
        (
            f"cross_entropy ignore_index=1 weight {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, w(L, x), ignore_index=1, reduction=r),
            (LOGITS, ONE_IGNORED_CLASS),
            [True, False],
        ),
        (  # (regression: an ignore_index >= C once raised NumPy's IndexError)
            f"cross_entropy ignore_index=1000 {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, ignore_index=1000, reduction=r),
            (LOGITS, IGNORED_ABOVE),
            [True, False],
        ),
        (
            f"cross_entropy smoothing {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, reduction=r, label_smoothing=0.2),
            (LOGITS, LABELS),
            [True, False],
        ),
        (
            f"cross_entropy smoothing weight ignore {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, w(L, x), reduction=r, label_smoothing=0.1),
            (LOGITS, IGNORED),
            [True, False],
        ),
        (
            f"cross_entropy probabilities {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, reduction=r),
            (LOGITS, PROBS),
            [True, True],
        ),
        (
            f"cross_entropy probabilities weight smoothing {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, w(L, x), reduction=r, label_smoothing=0.3),
            (LOGITS, PROBS),
            [True, True],
        ),
        (
            f"cross_entropy 3-d {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, w(L, x), reduction=r),
            (LOGITS_3D, LABELS_3D),
            [True, False],
        ),
        (
            f"cross_entropy 3-d probabilities {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, reduction=r, label_smoothing=0.1),
            (LOGITS_3D, PROBS_3D),
            [True, False],
        ),
        (
            f"cross_entropy one example {r}",
            lambda L, x, t, r=r: L.F.cross_entropy(x, t, reduction=r),
            (LOGITS[0], LABELS[0]),
            [True, False],
        ),
        (
            f"nll_loss {r}",
            lambda L, x, t, r=r: L.F.nll_loss(x, t, reduction=r),
            (LOGP, LABELS),
            [True, False],
        ),
        (
            f"nll_loss weight ignore {r}",
            lambda L, x, t, r=r: L.F.nll_loss(x, t, w(L, x), reduction=r),
            (LOGP, IGNORED),
            [True, False],
        ),
        (
            f"nll_loss 3-d {r}",
            lambda L, x, t, r=r: L.F.nll_loss(L.F.log_softmax(x, dim=1), t, reduction=r),
            (LOGITS_3D, LABELS_3D),
            [True, False],
        ),
        (
            f"binary_cross_entropy {r}",
            lambda L, p, t, r=r: L.F.binary_cross_entropy(p, t, reduction=r),
            (P, TSOFT),
            [True, False],
        ),
        (
            f"binary_cross_entropy weight {r}",
            lambda L, p, t, r=r: L.F.binary_cross_entropy(p, t, c(L, POS_WEIGHT, p), reduction=r),
            (P, T01),
            [True, False],
        ),
        (
            f"bce_with_logits {r}",
            lambda L, x, t, r=r: L.F.binary_cross_entropy_with_logits(x, t, reduction=r),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"bce_with_logits pos_weight weight {r}",
            lambda L, x, t, r=r: L.F.binary_cross_entropy_with_logits(
                x, t, c(L, P, x), reduction=r, pos_weight=c(L, POS_WEIGHT, x)
            ),
            (Y, T01),
            [True, False],
        ),
        (
            f"huber {r}",
            lambda L, x, y, r=r: L.F.huber_loss(x, y, reduction=r),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"huber delta {r}",
            lambda L, x, y, r=r: L.F.huber_loss(x, y, reduction=r, delta=0.7),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"huber weight {r}",
            lambda L, x, y, r=r: L.F.huber_loss(x, y, reduction=r, delta=0.5, weight=c(L, P, x)),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"smooth_l1 {r}",
            lambda L, x, y, r=r: L.F.smooth_l1_loss(x, y, reduction=r),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"smooth_l1 beta {r}",
            lambda L, x, y, r=r: L.F.smooth_l1_loss(x, y, reduction=r, beta=0.4),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"smooth_l1 beta=0 {r}",
            lambda L, x, y, r=r: L.F.smooth_l1_loss(x, y, reduction=r, beta=0.0),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"mse weight {r}",
            lambda L, x, y, r=r: L.F.mse_loss(x, y, reduction=r, weight=c(L, P, x)),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"l1 weight {r}",
            lambda L, x, y, r=r: L.F.l1_loss(x, y, reduction=r, weight=c(L, P, x)),
            (Y, TSOFT),
            [True, True],
        ),
        (
            f"multi_margin {r}",
            lambda L, x, t, r=r: L.F.multi_margin_loss(x, t, reduction=r),
            (LOGITS, LABELS),
            [True, False],
        ),
        (
            f"multi_margin p=2 weight {r}",
            lambda L, x, t, r=r: L.F.multi_margin_loss(
                x, t, p=2, margin=0.5, weight=w(L, x), reduction=r
            ),
            (LOGITS, LABELS),
            [True, False],
        ),
    ]
for r in [*REDUCTIONS, "batchmean"]:
    CASES += [
        (
            f"kl_div {r}",
            lambda L, x, t, r=r: L.F.kl_div(x, t, reduction=r),
            (LOGP, PROBS[::-1].copy()),
            [True, True],
        ),
        (
            f"kl_div log_target {r}",
            lambda L, x, t, r=r: L.F.kl_div(x, t, reduction=r, log_target=True),
            (LOGP, LOGP[::-1].copy()),
            [True, True],
        ),
    ]
MODULES = [
    (
        "CrossEntropyLoss",
        lambda L, x, t: L.nn.CrossEntropyLoss(weight=w(L, x), label_smoothing=0.1)(x, t),
        (LOGITS, IGNORED),
        [True, False],
    ),
    (
        "CrossEntropyLoss ignore_index",
        lambda L, x, t: L.nn.CrossEntropyLoss(ignore_index=2, reduction="sum")(x, t),
        (LOGITS, LABELS),
        [True, False],
    ),
    ("NLLLoss", lambda L, x, t: L.nn.NLLLoss(weight=w(L, x))(x, t), (LOGP, LABELS), [True, False]),
    (
        "BCELoss",
        lambda L, p, t: L.nn.BCELoss(weight=c(L, POS_WEIGHT, p))(p, t),
        (P, TSOFT),
        [True, False],
    ),
    (
        "BCEWithLogitsLoss",
        lambda L, x, t: L.nn.BCEWithLogitsLoss(pos_weight=c(L, POS_WEIGHT, x))(x, t),
        (Y, T01),
        [True, False],
    ),
    ("HuberLoss", lambda L, x, y: L.nn.HuberLoss(delta=2.0)(x, y), (Y, TSOFT), [True, True]),
    (
        "SmoothL1Loss",
        lambda L, x, y: L.nn.SmoothL1Loss(beta=0.3, reduction="sum")(x, y),
        (Y, TSOFT),
        [True, True],
    ),
    (
        "KLDivLoss",
        lambda L, x, t: L.nn.KLDivLoss(reduction="batchmean")(x, t),
        (LOGP, PROBS[::-1].copy()),
        [True, True],
    ),
    (
        "KLDivLoss log_target",
        lambda L, x, t: L.nn.KLDivLoss(log_target=True)(x, t),
        (LOGP, LOGP[::-1].copy()),
        [True, True],
    ),
    ("MSELoss", lambda L, x, y: L.nn.MSELoss()(x, y), (Y, TSOFT), [True, True]),
    ("L1Loss", lambda L, x, y: L.nn.L1Loss(reduction="none")(x, y), (Y, TSOFT), [True, True]),
    (
        "MultiMarginLoss",
        lambda L, x, t: L.nn.MultiMarginLoss(p=2)(x, t),
        (LOGITS, LABELS),
        [True, False],
    ),
]
ALL = CASES + MODULES
IDS = [c[0] for c in ALL]


@pytest.mark.parametrize(("name", "call", "arrays", "grad"), ALL, ids=IDS)
def test_values_gradients_and_second_derivatives_match_pytorch(
    name: str, call: Any, arrays: tuple[Any, ...], grad: list[bool]
) -> None:
    # PyTorch has no second derivative of multi_margin_loss ("not implemented")
    compare(call, *arrays, grad=grad, order=1 if "margin" in name.lower() else 2)


@pytest.mark.parametrize(("name", "call", "arrays", "grad"), ALL, ids=IDS)
def test_float32_keeps_its_dtype_and_matches_pytorch(
    name: str, call: Any, arrays: tuple[Any, ...], grad: list[bool]
) -> None:
    compare(call, *arrays, grad=grad, order=1, dtype=np.float32)


def test_plain_cross_entropy_is_the_fused_node() -> None:
    x = autograd.tensor(LOGITS, requires_grad=True)
    assert F.cross_entropy(x, LABELS).grad_fn.name == "cross_entropy"
    assert (
        nn.CrossEntropyLoss(reduction="sum")(x, autograd.tensor(LABELS)).grad_fn.name
        == "cross_entropy"
    )
    # with an ignored target, weights or smoothing it is composed (and still right: see above)
    assert F.cross_entropy(x, IGNORED).grad_fn.name != "cross_entropy"


def test_binary_cross_entropy_at_exactly_0_and_1_matches_pytorch() -> None:
    p = np.array([[0.0, 1.0, 0.0, 1.0, 1e-14, 0.5]])
    t = np.array([[0.0, 1.0, 1.0, 0.0, 1.0, 0.3]])
    compare(
        lambda L, p, t: L.F.binary_cross_entropy(p, t, reduction="none"),
        p,
        t,
        grad=[True, False],
        order=1,
        rtol=1e-9,
    )


def test_every_target_ignored_gives_nan_as_pytorch() -> None:
    compare(
        lambda L, x, t: L.F.cross_entropy(x, t),
        LOGITS,
        np.full(N, -100),
        grad=[True, False],
        order=0,
    )
    compare(
        lambda L, x, t: L.F.nll_loss(x, t, reduction="sum"),
        LOGP,
        np.full(N, -100),
        grad=[True, False],
        order=1,
    )


def test_huge_logits_give_finite_losses() -> None:
    x = np.array([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 3.0]])
    compare(
        lambda L, x, t: L.F.cross_entropy(x, t, label_smoothing=0.1),
        x,
        np.array([1, 0]),
        grad=[True, False],
        order=2,
    )
    compare(
        lambda L, x, t: L.F.binary_cross_entropy_with_logits(x, t),
        x,
        np.ones((2, 3)) * 0.5,
        grad=[True, False],
        order=2,
    )


def test_legacy_size_average_and_reduce_flags_follow_pytorch() -> None:
    for size_average, reduce in [(False, None), (None, False), (True, True)]:
        with pytest.warns(UserWarning):
            ours = F.mse_loss(autograd.tensor(Y), autograd.tensor(TSOFT), size_average, reduce)
        with pytest.warns(UserWarning):
            theirs = torch.nn.functional.mse_loss(
                torch.tensor(Y), torch.tensor(TSOFT), size_average, reduce
            )
        close(ours, theirs, 1e-12, 0, f"size_average={size_average}, reduce={reduce}")


def test_weights_are_buffers_as_in_pytorch() -> None:
    loss = nn.CrossEntropyLoss(weight=autograd.tensor(WEIGHT))
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor(WEIGHT))
    assert list(loss.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert [n for n, _ in nn.BCEWithLogitsLoss(pos_weight=POS_WEIGHT).named_buffers()] == [
        "pos_weight"
    ]


BAD = [
    (
        "class out of range",
        lambda: F.cross_entropy(LOGITS, np.array([0, 1, 2, 3, 4, 0])),
        IndexError,
        r"cross_entropy\(\): target holds class 4, but input has 4 classes \(0 to 3\)",
    ),
    (
        "negative class",
        lambda: F.nll_loss(LOGP, np.array([0, -1, 2, 3, 1, 0])),
        ValueError,
        r"nll_loss\(\): target holds class -1",
    ),
    (
        "float targets of the wrong shape",
        lambda: F.cross_entropy(LOGITS, np.zeros(N)),
        TypeError,
        r"cross_entropy\(\): target must hold integer class indices, got dtype float64",
    ),
    (
        "targets of the wrong shape",
        lambda: F.cross_entropy(LOGITS, np.zeros(N + 1, int)),
        ValueError,
        r"input of shape \(6, 4\) needs a target of shape \(6,\), got \(7,\)",
    ),
    (
        "3-d targets of the wrong shape",
        lambda: F.cross_entropy(LOGITS_3D, np.zeros(3, int)),
        ValueError,
        r"needs a target of shape \(3, 5\), got \(3,\)",
    ),
    (
        "a weight per wrong number of classes",
        lambda: F.cross_entropy(LOGITS, LABELS, np.ones(3)),
        ValueError,
        r"weight needs one entry per class, shape \(4,\), got \(3,\)",
    ),
    (
        "label_smoothing above 1",
        lambda: F.cross_entropy(LOGITS, LABELS, label_smoothing=1.5),
        ValueError,
        r"cross_entropy\(\): label_smoothing must be between 0 and 1, got 1.5",
    ),
    (
        "probabilities outside [0, 1]",
        lambda: F.binary_cross_entropy(autograd.tensor([0.5, 1.5]), [1.0, 0.0]),
        ValueError,
        r"binary_cross_entropy\(\): all elements of input should be between 0 and 1, found 1.5",
    ),
    (
        "bce targets of another shape",
        lambda: F.binary_cross_entropy(autograd.tensor(P), np.ones(3)),
        ValueError,
        r"binary_cross_entropy\(\): input has shape \(6, 3\) but target has shape \(3,\)",
    ),
    (
        "unknown reduction",
        lambda: nn.HuberLoss(reduction="avg"),
        ValueError,
        r"reduction must be 'mean', 'sum' or 'none', got 'avg'",
    ),
    (
        "batchmean outside kl_div",
        lambda: F.mse_loss(autograd.tensor(Y), Y, reduction="batchmean"),
        ValueError,
        r"got 'batchmean'",
    ),
    (
        "kl_div reduction",
        lambda: F.kl_div(autograd.tensor(LOGP), PROBS, reduction="avg"),
        ValueError,
        r"'mean', 'batchmean', 'sum' or 'none', got 'avg'",
    ),
    (
        "huber delta 0",
        lambda: F.huber_loss(autograd.tensor(Y), Y, delta=0.0),
        ValueError,
        r"huber_loss\(\): delta must be positive",
    ),
    (
        "smooth_l1 negative beta",
        lambda: F.smooth_l1_loss(autograd.tensor(Y), Y, beta=-1.0),
        ValueError,
        r"smooth_l1_loss\(\): beta must be non-negative",
    ),
    (
        "integer scores",
        lambda: F.cross_entropy(autograd.tensor([[1, 2]]), [0]),
        TypeError,
        r"cross_entropy\(\): input must be a floating tensor, got dtype int64",
    ),
    (
        "scores of a 0-d tensor",
        lambda: F.nll_loss(autograd.tensor(1.0), 0),
        ValueError,
        r"nll_loss\(\): input must hold scores per class",
    ),
]


@pytest.mark.parametrize(("what", "call", "error", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_named(what: str, call: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()
