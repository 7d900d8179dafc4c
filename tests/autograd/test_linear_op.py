"""The fused linear op (x @ W.T + b as one node): values, gradients, second order, torch."""

import numpy as np
import pytest

import nn
from autograd import Tensor, grad, gradcheck, gradgradcheck, linear

rng = np.random.default_rng(7)


@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_value_and_gradients_against_finite_differences(
    x_shape: tuple[int, ...], with_bias: bool
) -> None:
    x = Tensor(rng.normal(size=x_shape), requires_grad=True)
    w = Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    b = Tensor(rng.normal(size=(2,)), requires_grad=True)
    inputs = [x, w, b] if with_bias else [x, w]
    expected = x.data @ w.data.T + (b.data if with_bias else 0.0)
    np.testing.assert_allclose(linear(*inputs).data, expected, rtol=1e-12)
    assert gradcheck(lambda *t: linear(*t), inputs)
    assert gradgradcheck(lambda *t: (linear(*t) ** 2).sum(), inputs)


def test_matches_torch_in_float32_and_keeps_the_dtype() -> None:
    torch = pytest.importorskip("torch", reason="torch is the oracle here")
    x_np = rng.normal(size=(4, 3)).astype(np.float32)
    w_np = rng.normal(size=(2, 3)).astype(np.float32)
    b_np = rng.normal(size=(2,)).astype(np.float32)
    x, w, b = (Tensor(a, requires_grad=True) for a in (x_np, w_np, b_np))
    out = linear(x, w, b)
    (out * out).sum().backward()
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x_np, w_np, b_np))
    tout = torch.nn.functional.linear(tx, tw, tb)
    (tout * tout).sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32 and w.grad.dtype == np.float32
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-5)
    for ours, theirs in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_only_the_inputs_that_need_a_gradient_get_one() -> None:
    x = Tensor(rng.normal(size=(4, 3)))  # data: no gradient wanted
    w = Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    (gw,) = grad(linear(x, w).sum(), [w])
    np.testing.assert_allclose(gw.data, np.ones((4, 2)).T @ x.data)


def test_bias_is_added_without_changing_the_callers_arrays() -> None:
    b_np = np.array([1.0, 2.0])
    x = Tensor(np.ones((3, 2)))
    out = linear(x, Tensor(np.eye(2)), Tensor(b_np))
    np.testing.assert_array_equal(out.data, np.ones((3, 2)) + b_np)
    np.testing.assert_array_equal(b_np, [1.0, 2.0])


def test_shape_errors_name_the_op_and_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"linear: input of shape \(4, 3\) and weight of shape"):
        linear(Tensor(np.ones((4, 3))), Tensor(np.ones((2, 5))))
    with pytest.raises(ValueError, match=r"linear: bias of shape \(3,\) does not fit 2 outputs"):
        linear(Tensor(np.ones((4, 3))), Tensor(np.ones((2, 3))), Tensor(np.ones(3)))


def test_nn_linear_is_one_node() -> None:
    layer = nn.Linear(3, 2)
    out = layer(Tensor(np.ones((4, 3), dtype=np.float32)))
    assert {id(p) for p in out._parents} >= {id(layer.weight), id(layer.bias)}
    assert nn.functional.linear is linear
