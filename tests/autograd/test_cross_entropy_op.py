"""The fused softmax cross-entropy op behind F.cross_entropy: the same numbers and gradients as
log_softmax -> index -> mean, PyTorch's values, second derivatives, and one node per loss."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn.functional as F
from autograd import (
    AnomalyError,
    Tensor,
    detect_anomaly,
    grad,
    gradcheck,
    gradgradcheck,
    no_grad,
    softmax_cross_entropy,
)
from tests.support.nodes import op_name


def _unfused(x: Tensor, t: np.ndarray, reduction: str) -> Tensor:
    per_example = -x.log_softmax(dim=1)[np.arange(len(t)), t]
    return {"mean": per_example.mean, "sum": per_example.sum}.get(reduction, lambda: per_example)()


@given(
    st.integers(1, 9),
    st.integers(1, 6),
    st.sampled_from(["mean", "sum", "none"]),
    st.sampled_from([np.float32, np.float64]),
    st.integers(0, 2**32 - 1),
)
def test_same_values_and_gradients_as_the_unfused_ops(n, c, reduction, dtype, seed) -> None:
    rng = np.random.default_rng(seed)
    logits = (rng.normal(size=(n, c)) * 5).astype(dtype)
    t = rng.integers(0, c, size=n)
    upstream = rng.normal(size=(n,) if reduction == "none" else ()).astype(dtype)
    got_x, want_x = Tensor(logits, requires_grad=True), Tensor(logits, requires_grad=True)
    got, want = F.cross_entropy(got_x, t, reduction=reduction), _unfused(want_x, t, reduction)
    assert op_name(got) == "cross_entropy" and got._parents == (got_x,)
    assert got.dtype == want.dtype == dtype and got.shape == want.shape
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got.data, want.data, rtol=tol, atol=tol)
    got.backward(upstream)
    want.backward(upstream)
    assert got_x.grad.dtype == dtype
    np.testing.assert_allclose(got_x.grad.data, want_x.grad, rtol=tol, atol=tol)


def test_against_pytorch_and_huge_logits() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)) * 3
    logits[0] = [1e4, -1e4, 0.0, 5e3]  # a naive exp would overflow
    t = np.array([0, 3, 1, 2, 2, 0])
    for reduction in ("mean", "sum", "none"):
        x = Tensor(logits, requires_grad=True)
        loss = F.cross_entropy(x, t, reduction=reduction)
        loss.backward(np.ones(loss.shape))
        tx = torch.tensor(logits, requires_grad=True)
        ref = torch.nn.functional.cross_entropy(tx, torch.tensor(t), reduction=reduction)
        ref.backward(torch.ones(ref.shape, dtype=torch.float64))
        np.testing.assert_allclose(loss.data, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_first_and_second_derivatives_against_finite_differences() -> None:
    rng = np.random.default_rng(1)
    t = np.array([2, 0, 1])
    x = Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    for reduction in ("mean", "sum"):
        assert gradcheck(lambda z, r=reduction: F.cross_entropy(z, t, reduction=r), [x])
        assert gradgradcheck(lambda z, r=reduction: F.cross_entropy(z, t, reduction=r), [x])
    assert gradgradcheck(lambda z: F.cross_entropy(z, t, reduction="none").tanh().sum(), [x])
    (g,) = grad(F.cross_entropy(x, t), [x], create_graph=True)
    (fast,) = grad(F.cross_entropy(x, t), [x])
    np.testing.assert_allclose(g.data, fast.data, rtol=1e-12, atol=1e-15)  # both paths agree
    (gg,) = grad((g * g).sum(), [x])  # differentiable: the softmax is rebuilt as a node
    assert g.requires_grad and gg.shape == (3, 4) and np.abs(gg.data).sum() > 0


def test_released_graph_no_grad_and_anomaly() -> None:
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    t = np.array([1, 2])
    loss = F.cross_entropy(x, t)
    loss.backward(retain_graph=False)
    np.testing.assert_allclose(x.grad.data, [[1 / 6, -1 / 3, 1 / 6], [1 / 6, 1 / 6, -1 / 3]])
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        loss.backward()
    with no_grad():
        assert not F.cross_entropy(x, t).requires_grad
    bad = Tensor(np.array([[np.nan, 0.0, 1.0]]), requires_grad=True)
    with pytest.raises(AnomalyError, match="op 'cross_entropy' produced nan"), detect_anomaly():
        F.cross_entropy(bad, np.array([0]))


def test_the_op_refuses_an_unknown_reduction() -> None:
    with pytest.raises(ValueError, match="reduction must be one of .*got 'avg'"):
        softmax_cross_entropy(Tensor(np.zeros((1, 2))), np.array([0]), "avg")


def test_other_cases_keep_the_unfused_path_with_the_same_numbers() -> None:
    x = Tensor(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]]), requires_grad=True)
    t = np.array([0, 1])
    weighted = F.cross_entropy(x, t, weight=np.array([1.0, 2.0, 1.0]))
    single = F.cross_entropy(x[0], np.array(2))
    assert op_name(weighted) != "cross_entropy" and op_name(single) != "cross_entropy"
    assert single.item() == pytest.approx(F.cross_entropy(x[:1], np.array([2])).item())
    # integer scores are refused, as PyTorch refuses them, with the fix in the message
    with pytest.raises(TypeError, match=r"floating tensor, got dtype int64.*\.float\(\)"):
        F.cross_entropy(Tensor(np.array([[1, 2, 3], [0, 0, 5]])), t)
    with pytest.raises(TypeError, match="logits must be floating, got dtype int64"):
        softmax_cross_entropy(Tensor(np.array([[1, 2]])), np.array([0]))


def test_the_op_checks_its_targets_rather_than_reading_another_row() -> None:
    # (regression: picking by flat index, a class past C would read the next row's score)
    logits = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="target holds class 3, but the logits have 3 classes"):
        softmax_cross_entropy(logits, np.array([3, 0]))
    with pytest.raises(ValueError, match="target holds class -1"):
        softmax_cross_entropy(logits, np.array([0, -1]))
    with pytest.raises(ValueError, match="target holds class -1"):
        softmax_cross_entropy(Tensor(np.zeros((2, 300))), np.array([0, -1], dtype=np.int8))
    with pytest.raises(TypeError, match="must be 2 integer class indices, got dtype float64"):
        softmax_cross_entropy(logits, np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match=r"and shape \(3,\)"):
        softmax_cross_entropy(logits, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"logits must have shape \(N, C\), got \(3,\)"):
        softmax_cross_entropy(Tensor(np.zeros(3)), np.array([0]))
    scores = Tensor(np.log([[1.0, 3.0], [1.0, 1.0]]))
    picked = softmax_cross_entropy(scores, np.uint8([1, 0]), "none")
    np.testing.assert_allclose(picked.data, [-np.log(0.75), np.log(2.0)])


def test_transposed_logits_get_the_gradient_of_their_copy() -> None:
    # (regression: logits laid out column-major, as a transpose's, kept the softmax in that
    # layout; the flat picks then changed a copy, and the gradient lost its -1 at each target)
    scores = np.random.default_rng(5).normal(size=(3, 4))
    t = np.array([0, 2, 1, 1])
    x, copy = Tensor(scores, requires_grad=True), Tensor(scores.T.copy(), requires_grad=True)
    F.cross_entropy(x.T * 2.0, t).backward()
    F.cross_entropy(copy * 2.0, t).backward()
    np.testing.assert_allclose(x.grad.data.T, copy.grad.data, rtol=1e-15, atol=1e-17)
    x2, copy2 = Tensor(scores, requires_grad=True), Tensor(scores.T.copy(), requires_grad=True)
    (g,) = grad(F.cross_entropy(x2.T, t), x2, create_graph=True)
    (g_copy,) = grad(F.cross_entropy(copy2, t), copy2, create_graph=True)
    np.testing.assert_allclose(g.data.T, g_copy.data, rtol=1e-15, atol=1e-17)
    (h,) = grad((g * g).sum(), x2)
    (h_copy,) = grad((g_copy * g_copy).sum(), copy2)
    np.testing.assert_allclose(h.data.T, h_copy.data, rtol=1e-13, atol=1e-15)


def test_big_endian_targets_are_class_indices_too() -> None:
    # (regression: their raw bytes were read as native unsigned numbers, out of range)
    logits = Tensor(np.zeros((2, 3)))
    swapped = np.array([0, 1], dtype=">i8")
    assert softmax_cross_entropy(logits, swapped).item() == pytest.approx(np.log(3.0))
    assert F.cross_entropy(logits, swapped).item() == pytest.approx(np.log(3.0))
