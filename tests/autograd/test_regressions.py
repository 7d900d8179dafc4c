"""Regression tests for the failures a differential run against PyTorch found (issue 13): each
repro failed before its fix."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, Value

torch = pytest.importorskip("torch")


def _zero_d(x: float, requires_grad: bool = True) -> Tensor:
    return Tensor(np.array(x), requires_grad=requires_grad)


def test_graphs_with_0d_tensors_differentiate() -> None:
    x, y, c = _zero_d(2.0), _zero_d(3.0), _zero_d(3.0, False)
    (x + x.sum() * c).backward()
    assert x.grad.item() == 4.0
    x.grad = None
    (x.max() * c).backward()
    assert x.grad.item() == 3.0
    x.grad = None
    ((x + 0.5) ** y).backward()
    np.testing.assert_allclose(x.grad.item(), 3 * 2.5**2)
    np.testing.assert_allclose(y.grad.item(), 2.5**3 * np.log(2.5))
    w, b = Tensor(np.array([1.0, 2.0]), requires_grad=True), _zero_d(0.5)
    ((w * b).sum() * c + b.sum() * c).backward()
    np.testing.assert_allclose(b.grad.item(), 3 * 3 + 3)


def test_data_and_gradients_of_0d_results_are_arrays() -> None:
    x = _zero_d(2.0)
    assert type((x * 2.0).data) is np.ndarray
    assert type(sum(Tensor(np.array([1.0, 2.0]))).data) is np.ndarray
    (x.exp() * 2.0).backward()
    assert type(x.grad.data) is np.ndarray


def test_division_by_a_number_is_a_true_division() -> None:
    np.testing.assert_allclose((Tensor(np.array([1e-300])) / 1e-310).data, [1e10])
    assert np.isfinite((Tensor(np.float32([1e-30])) / 1e-39).data).all()
    x = np.random.default_rng(0).normal(size=1000)
    for c in (3.0, 7.0, 0.1):
        assert np.array_equal((Tensor(x) / c).data, (torch.tensor(x) / c).numpy())


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: x.relu().sqrt(),
        lambda t, x: x.relu() ** 0.5,
        lambda t, x: x.relu().log(),
        lambda t, x: t.maximum(x, t.zeros(3, dtype=x.dtype)).sqrt(),
        lambda t, x: x**0.0,
        lambda t, x: 0.0**x,
    ],
)
def test_masks_select_the_gradient_as_pytorch(fn: object) -> None:
    grads = []
    for lib in (ag, torch):
        x = lib.tensor([-1.0, 0.0, 4.0], requires_grad=True)
        fn(lib, x).sum().backward()  # type: ignore[operator]
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]


def test_value_relu_selects_too() -> None:
    v = Value(-1.0)
    (v.relu() ** 0.5).backward()
    assert v.grad == 0.0


def test_value_edge_values() -> None:
    assert np.isnan(Value(float("nan")).relu().data)
    assert np.isnan((Value(-10.0) ** 400.5).data)
    with pytest.raises(OverflowError, match="Value"):
        Value(10**400)


def test_matmul_names_the_batch_dims_that_do_not_broadcast() -> None:
    with pytest.raises(ValueError, match=r"batch dims .*\(\(2,\) and \(3,\)\)"):
        ag.ones(2, 3, 4) @ ag.ones(3, 4, 5)


def test_an_index_list_may_hold_tensors() -> None:
    x = ag.tensor([10.0, 20.0, 30.0])
    assert x[[ag.tensor(2), ag.tensor(0)]].tolist() == [30.0, 10.0]


def test_an_empty_cross_entropy_batch_is_nan_as_in_pytorch() -> None:
    import nn.functional as F

    loss = F.cross_entropy(ag.zeros(0, 3, requires_grad=True), ag.zeros(0, dtype=ag.int64))
    assert np.isnan(loss.item())


def test_parameter_names_with_nul_or_lone_surrogates_draw() -> None:
    w = ag.tensor([1.0], requires_grad=True)
    drawing = ag.draw_graph((w * 2).sum(), params={"w\x00\ud800": w})
    assert "\x00" not in drawing.source
    if shutil.which("dot"):
        assert drawing.pipe(format="svg")


def test_a_float_list_with_dtype_float64_keeps_every_bit() -> None:
    # the list went through float32 on its way to float64 (1e-300 became 0, 1.1 lost 29 bits)
    assert ag.tensor([1e-300, 1.1], dtype=ag.float64).tolist() == [1e-300, 1.1]
    assert Tensor([1e300], dtype=np.float64).item() == 1e300


# --- found by the thorough fuzzer run of 2026-12-03 --------------------------------------------


def test_prod_with_two_zeros_keeps_its_second_derivative() -> None:
    values, weights = [0.0, 0.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0]
    found = []
    for lib, grad in ((ag, ag.grad), (torch, torch.autograd.grad)):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        (first,) = grad(x.prod(), [x], create_graph=True)
        (second,) = grad((first * lib.tensor(weights, dtype=lib.float64)).sum(), [x])
        found.append((np.asarray(first.detach().numpy()), np.asarray(second.numpy())))
    (ours_first, ours_second), (theirs_first, theirs_second) = found
    assert not ours_first.any() and not theirs_first.any()  # two zeros: every slope is 0
    # but d2/dx0 dx1 is the product of the rest (6), so sum_j w_j d2/dx_i dx_j = (12, 6, 0, 0)
    np.testing.assert_array_equal(ours_second, [12.0, 6.0, 0.0, 0.0])
    np.testing.assert_array_equal(ours_second, theirs_second)


@pytest.mark.parametrize(
    "product",
    [
        lambda lib, a, b: a @ b.T,
        lambda lib, a, b: (torch.nn.functional.linear if lib is torch else ag.linear)(a, b),
        lambda lib, a, b: lib.einsum("ij,kj->ik", a, b),
        lambda lib, a, b: lib.addmm(b[:, 0], a, b.T),
    ],
    ids=["matmul", "linear", "einsum", "addmm"],
)
def test_products_refuse_operands_of_two_dtypes_as_pytorch_does(product) -> None:  # type: ignore[no-untyped-def]
    for lib in (ag, torch):
        a, b = lib.ones(2, 3), lib.ones(3, 3, dtype=lib.float64)
        with pytest.raises((TypeError, RuntimeError)) as err:
            product(lib, a, b)
        if lib is ag:
            assert "same dtype" in str(err.value) and "float32 and float64" in str(err.value)
    # elementwise products still promote: outer is one
    assert ag.outer(ag.ones(2), ag.ones(3, dtype=ag.float64)).dtype == ag.float64
    assert torch.outer(torch.ones(2), torch.ones(3, dtype=torch.float64)).dtype == torch.float64


def test_the_std_of_constant_data_is_exactly_zero_with_zero_gradient() -> None:
    # NumPy's rounded mean can miss a constant by an ulp: a std of 3e-17 gave gradients of
    # order 0.1. The std is at its kink there; PyTorch's rule gives 0 where its std is exactly
    # 0 (and, like dagrad before, rounding noise where it is not): dagrad's is now always 0
    value = float(np.tanh(0.1) * 2.0)
    x = Tensor(np.full((3, 4), value), requires_grad=True)
    s = x.std()
    s.backward()
    assert s.item() == 0.0 and x.var().item() == 0.0
    assert not x.grad.numpy().any()
    for n in range(2, 30):  # any constant, any length
        assert Tensor(np.full(n, value * n)).std().item() == 0.0


def test_the_variance_gradient_of_constant_huge_data_is_zero() -> None:
    x = Tensor(np.full((3, 4), 1e300), requires_grad=True)
    x.var().backward()  # the mean of twelve 1e300s misses by an ulp: a gradient of 3e284 before
    assert not x.grad.numpy().any()


def test_minus_infinity_to_a_fractional_tensor_power_is_c_pow() -> None:
    # NumPy gives NaN; C's pow (PyTorch's tensor ** tensor, Python's math.pow) +inf or +0
    for exponent in (0.5, -0.5, 3.0, -3.0, 2.0):
        ours = ag.tensor(-np.inf, dtype=ag.float64) ** ag.tensor(exponent, dtype=ag.float64)
        theirs = torch.tensor(-np.inf, dtype=torch.float64) ** torch.tensor(exponent)
        assert np.array_equal(ours.numpy(), theirs.numpy())
        assert np.signbit(ours.numpy()) == np.signbit(theirs.numpy())


def test_the_variance_of_overflowing_data_is_inf_as_in_pytorch() -> None:
    x = [1.7e308, 1.7e308]
    assert (
        ag.tensor(x, dtype=ag.float64).var().item()
        == torch.tensor(x, dtype=torch.float64).var().item()
    )
    assert np.isinf(ag.tensor(x, dtype=ag.float64).var().item())


def test_gradcheck_of_float32_weights_in_products() -> None:
    # gradcheck's float64 copies of the inputs meet the model's float32 weights: they promote
    # there (products refuse two dtypes elsewhere, as in PyTorch)
    import nn

    layer, x = nn.Linear(3, 2), ag.randn(4, 3, requires_grad=True)
    with pytest.warns(UserWarning, match="checked in float64"):
        assert ag.gradcheck(lambda x: x @ layer.weight.T, x)
    with pytest.warns(UserWarning, match="checked in float64"):
        assert ag.gradgradcheck(lambda x: layer(x).tanh(), x)
    with pytest.raises(TypeError, match="same dtype"):
        x.double() @ layer.weight.T


def test_a_recorded_seed_of_another_dtype_is_cast_as_in_pytorch() -> None:
    results = []
    for lib, grad in ((ag, ag.grad), (torch, torch.autograd.grad)):
        x = lib.ones(3, 4, requires_grad=True)
        w = lib.ones(4, 2, requires_grad=True)
        seed = lib.ones(3, 2, dtype=lib.float64, requires_grad=True)
        (g,) = grad(x @ w, [x], grad_outputs=seed, create_graph=True)
        results.append((str(g.dtype).split(".")[-1], g.detach().numpy()))
    assert results[0][0] == results[1][0] == "float32"
    np.testing.assert_array_equal(results[0][1], results[1][1])
