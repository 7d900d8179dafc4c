"""Losses: against formulas written here and, where torch is importable, against PyTorch in
float64 (values and gradients within 1e-10), for every reduction."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

TOL = dict(rtol=1e-10, atol=1e-10)
REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(2024)


def _torch():
    return pytest.importorskip("torch", reason="torch is the oracle for this comparison")


def _reduce(per_element, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](per_element)


def _loss_and_grad(loss_fn, x_np, target, upstream=None):
    """Our loss of x and d(loss . upstream)/dx."""
    x = Tensor(x_np, requires_grad=True)
    loss = loss_fn(x, target)
    weight = 1.0 if upstream is None else upstream
    (loss * weight).sum().backward()
    assert x.grad is not None
    return loss.data, x.grad.data


def _torch_loss_and_grad(torch, loss_fn, x_np, target, upstream=None):
    x = torch.tensor(x_np, requires_grad=True)
    loss = loss_fn(x, target)
    weight = 1.0 if upstream is None else torch.from_numpy(upstream)
    (loss * weight).sum().backward()
    return loss.detach().numpy(), x.grad.numpy()


# --- regression losses ----------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1_follow_their_formulas(reduction):
    x_np, t_np = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    t_np[0, 0] = x_np[0, 0]  # |x - t| at its kink: gradient 0, as PyTorch's sign(0)
    n = 1 if reduction != "mean" else x_np.size
    loss, g = _loss_and_grad(nn.MSELoss(reduction), x_np, t_np)
    np.testing.assert_allclose(loss, _reduce((x_np - t_np) ** 2, reduction), **TOL)
    np.testing.assert_allclose(g, 2 * (x_np - t_np) / n, **TOL)
    loss, g = _loss_and_grad(nn.L1Loss(reduction), x_np, t_np)
    np.testing.assert_allclose(loss, _reduce(np.abs(x_np - t_np), reduction), **TOL)
    np.testing.assert_allclose(g, np.sign(x_np - t_np) / n, **TOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "l1"])
def test_mse_and_l1_match_pytorch(name, reduction):
    torch = _torch()
    ours = {"mse": nn.MSELoss, "l1": nn.L1Loss}[name](reduction=reduction)
    theirs = {"mse": torch.nn.MSELoss, "l1": torch.nn.L1Loss}[name](reduction=reduction)
    x_np, t_np = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    t_np[1, 1] = x_np[1, 1]
    upstream = rng.normal(size=(6, 2)) if reduction == "none" else None
    # a target that requires grad gets its gradient too
    t, tt = Tensor(t_np, requires_grad=True), torch.tensor(t_np, requires_grad=True)
    ours_out = _loss_and_grad(ours, x_np, t, upstream)
    theirs_out = _torch_loss_and_grad(torch, theirs, x_np, tt, upstream)
    for a, b in zip(ours_out, theirs_out):
        np.testing.assert_allclose(a, b, **TOL)
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), **TOL)


def test_regression_losses_refuse_mismatched_shapes():
    with pytest.raises(
        ValueError, match=r"mse_loss\(\): input has shape \(4, 1\) but target has shape \(4,\)"
    ):
        F.mse_loss(Tensor(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(ValueError, match=r"l1_loss\(\): input has shape \(3,\)"):
        nn.L1Loss()(Tensor(np.zeros(3)), np.zeros(2))


def test_array_targets_take_the_inputs_dtype():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    loss = F.mse_loss(x, np.zeros(3))  # a float64 array
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32


def test_every_loss_keeps_float32():
    x = Tensor(np.zeros((4, 3), dtype=np.float32), requires_grad=True)
    labels = np.array([0, 1, 2, 0])
    losses = [
        nn.MSELoss()(x, np.ones((4, 3))),
        nn.L1Loss()(x, np.ones((4, 3))),
        nn.CrossEntropyLoss(weight=np.ones(3))(x, labels),
        nn.BCEWithLogitsLoss(weight=np.ones((4, 3)), pos_weight=np.ones(3))(x, np.ones((4, 3))),
        nn.MultiMarginLoss(weight=np.ones(3))(x, labels),
    ]
    assert [loss.dtype for loss in losses] == [np.float32] * 5
    sum(losses).backward()
    assert x.grad.dtype == np.float32


def test_bad_reduction_is_named():
    for make in (
        nn.MSELoss,
        nn.L1Loss,
        nn.CrossEntropyLoss,
        nn.BCEWithLogitsLoss,
        nn.MultiMarginLoss,
    ):
        with pytest.raises(
            ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"
        ):
            make(reduction="avg")
    with pytest.raises(ValueError, match="got 'average'"):
        F.cross_entropy(Tensor(np.zeros((1, 2))), np.array([0]), reduction="average")


# --- cross-entropy --------------------------------------------------------------------------


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_follows_its_formula(reduction):
    logits, labels = rng.normal(size=(8, 5)), rng.integers(0, 5, size=8)
    rows = np.arange(8)
    per_example = -_log_softmax(logits)[rows, labels]
    loss, g = _loss_and_grad(nn.CrossEntropyLoss(reduction=reduction), logits, labels)
    np.testing.assert_allclose(loss, _reduce(per_example, reduction), **TOL)
    softmax = np.exp(_log_softmax(logits))
    expected = softmax - np.eye(5)[labels]  # the textbook gradient
    np.testing.assert_allclose(g, expected / (8 if reduction == "mean" else 1), **TOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_matches_pytorch(reduction, weighted):
    torch = _torch()
    logits, labels = rng.normal(size=(9, 4)) * 3, rng.integers(0, 4, size=9)
    weight = rng.uniform(0.2, 2.0, size=4) if weighted else None
    upstream = rng.normal(size=9) if reduction == "none" else None
    ours = nn.CrossEntropyLoss(weight=weight, reduction=reduction)
    tw = None if weight is None else torch.from_numpy(weight)
    theirs = torch.nn.CrossEntropyLoss(weight=tw, reduction=reduction)
    ours_out = _loss_and_grad(ours, logits, Tensor(labels), upstream)
    theirs_out = _torch_loss_and_grad(torch, theirs, logits, torch.from_numpy(labels), upstream)
    for a, b in zip(ours_out, theirs_out):
        np.testing.assert_allclose(a, b, **TOL)


def test_cross_entropy_on_one_example():
    torch = _torch()
    logits = rng.normal(size=6)
    for reduction in REDUCTIONS:
        ours = _loss_and_grad(
            lambda x, t, r=reduction: F.cross_entropy(x, t, reduction=r), logits, np.array(2)
        )
        theirs = _torch_loss_and_grad(
            torch,
            lambda x, t, r=reduction: torch.nn.functional.cross_entropy(x, t, reduction=r),
            logits,
            torch.tensor(2),
        )
        assert np.shape(ours[0]) == ()
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, **TOL)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 2000.0]], dtype=np.float32)
    loss, g = _loss_and_grad(nn.CrossEntropyLoss(reduction="none"), logits, np.array([0, 1]))
    np.testing.assert_allclose(loss, [0.0, 1000.0], rtol=1e-6)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [[0, 0, 0], [0, -1, 1]], atol=1e-6)


def test_cross_entropy_explains_bad_targets():
    logits = Tensor(np.zeros((3, 4)))
    with pytest.raises(
        TypeError, match="target must hold integer class indices, got dtype float64"
    ):
        F.cross_entropy(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(
        ValueError, match=r"input of shape \(3, 4\) needs a target of shape \(3,\), got \(3, 1\)"
    ):
        F.cross_entropy(logits, np.zeros((3, 1), dtype=int))
    with pytest.raises(
        ValueError, match=r"target holds class 4, but input has 4 classes \(0 to 3\)"
    ):
        F.cross_entropy(logits, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"target holds class -1"):
        F.cross_entropy(logits, np.array([0, -1, 1]))
    # (N, C, d) scores are PyTorch's spatial form: they need a target of shape (N, d)
    with pytest.raises(
        ValueError, match=r"input of shape \(2, 3, 4\) needs a target of shape \(2, 4\), got \(2,\)"
    ):
        F.cross_entropy(Tensor(np.zeros((2, 3, 4))), np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match=r"weight needs one entry per class, shape \(4,\)"):
        F.cross_entropy(logits, np.array([0, 1, 2]), weight=np.ones(3))


# --- binary cross-entropy with logits -------------------------------------------------------


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_follows_its_formula(reduction):
    x_np = np.concatenate([[0.0, -0.0], rng.normal(size=10) * 4])
    t_np = np.concatenate([[1.0, 0.0], rng.uniform(size=10)])
    p = _sigmoid(x_np)
    per_element = -(t_np * np.log(p) + (1 - t_np) * np.log(1 - p))
    loss, g = _loss_and_grad(nn.BCEWithLogitsLoss(reduction=reduction), x_np, t_np)
    np.testing.assert_allclose(loss, _reduce(per_element, reduction), **TOL)
    # sigmoid(x) - t, at x = 0 too (where a |x|-based formula would give -t)
    np.testing.assert_allclose(g, (p - t_np) / (12 if reduction == "mean" else 1), **TOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights", ["none", "weight", "pos_weight", "both"])
def test_bce_with_logits_matches_pytorch(reduction, weights):
    torch = _torch()
    x_np = rng.normal(size=(5, 3)) * 5
    x_np[0, 0] = 0.0
    t_np = rng.uniform(size=(5, 3))
    w = rng.uniform(0.5, 2, size=(5, 3)) if weights in ("weight", "both") else None
    pw = rng.uniform(0.5, 3, size=3) if weights in ("pos_weight", "both") else None
    upstream = rng.normal(size=(5, 3)) if reduction == "none" else None
    ours = nn.BCEWithLogitsLoss(weight=w, reduction=reduction, pos_weight=pw)
    theirs = torch.nn.BCEWithLogitsLoss(
        weight=None if w is None else torch.from_numpy(w),
        reduction=reduction,
        pos_weight=None if pw is None else torch.from_numpy(pw),
    )
    ours_out = _loss_and_grad(ours, x_np, t_np, upstream)
    theirs_out = _torch_loss_and_grad(torch, theirs, x_np, torch.from_numpy(t_np), upstream)
    for a, b in zip(ours_out, theirs_out):
        np.testing.assert_allclose(a, b, **TOL)


def test_bce_with_logits_is_stable_for_huge_logits():
    x_np = np.array([-1000.0, 1000.0, -1000.0, 1000.0])
    t_np = np.array([0.0, 1.0, 1.0, 0.0])
    loss, g = _loss_and_grad(nn.BCEWithLogitsLoss(reduction="none"), x_np, t_np)
    np.testing.assert_allclose(loss, [0.0, 0.0, 1000.0, 1000.0], **TOL)
    np.testing.assert_allclose(g, [0.0, 0.0, -1.0, 1.0], **TOL)


# --- multi-class hinge (SVM max-margin) -----------------------------------------------------


def _multi_margin(x, labels, p, margin, weight):
    n, c = x.shape
    out = np.zeros(n)
    for i in range(n):
        for j in range(c):
            if j != labels[i]:
                term = max(0.0, margin - x[i, labels[i]] + x[i, j]) ** p
                out[i] += term * (1.0 if weight is None else weight[labels[i]])
    return out / c


@pytest.mark.parametrize(
    "p, margin, weighted", [(1, 1.0, False), (2, 1.0, False), (1, 0.5, True), (2, 2.0, True)]
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_follows_its_formula(p, margin, weighted, reduction):
    x_np, labels = rng.normal(size=(10, 4)), rng.integers(0, 4, size=10)
    weight = rng.uniform(0.5, 2, size=4) if weighted else None
    loss_fn = nn.MultiMarginLoss(p=p, margin=margin, weight=weight, reduction=reduction)
    loss, g = _loss_and_grad(loss_fn, x_np, labels)
    np.testing.assert_allclose(
        loss, _reduce(_multi_margin(x_np, labels, p, margin, weight), reduction), **TOL
    )
    # finite differences of the formula (it is smooth away from the hinge corners)
    eps, numeric = 1e-6, np.zeros_like(x_np)
    for idx in np.ndindex(*x_np.shape):
        hi, lo = x_np.copy(), x_np.copy()
        hi[idx] += eps
        lo[idx] -= eps
        total = lambda z: np.sum(_reduce(_multi_margin(z, labels, p, margin, weight), reduction))  # noqa: E731
        numeric[idx] = (total(hi) - total(lo)) / (2 * eps)
    np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "p, margin, weighted", [(1, 1.0, False), (2, 1.0, False), (1, 0.25, True), (2, 1.5, True)]
)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_matches_pytorch(p, margin, weighted, reduction):
    torch = _torch()
    x_np, labels = rng.normal(size=(7, 5)), rng.integers(0, 5, size=7)
    labels[0] = 0
    x_np[0, :2] = [1.5, 1.5 - margin]  # exactly on a hinge corner: gradient 0 in both
    weight = rng.uniform(0.5, 2, size=5) if weighted else None
    upstream = rng.normal(size=7) if reduction == "none" else None
    ours = nn.MultiMarginLoss(p=p, margin=margin, weight=weight, reduction=reduction)
    theirs = torch.nn.MultiMarginLoss(
        p=p,
        margin=margin,
        weight=None if weight is None else torch.from_numpy(weight),
        reduction=reduction,
    )
    ours_out = _loss_and_grad(ours, x_np, labels, upstream)
    theirs_out = _torch_loss_and_grad(torch, theirs, x_np, torch.from_numpy(labels), upstream)
    for a, b in zip(ours_out, theirs_out):
        np.testing.assert_allclose(a, b, **TOL)


def test_multi_margin_is_zero_once_every_margin_is_met():
    x = np.array([[3.0, 1.0, 0.5], [0.0, 0.0, 2.0]])
    loss, g = _loss_and_grad(nn.MultiMarginLoss(), x, np.array([0, 2]))
    assert loss == 0.0 and not g.any()
    with pytest.raises(ValueError, match="p must be 1 or 2, got 3"):
        nn.MultiMarginLoss(p=3)
