"""Gradients of gradients: second derivatives against their formulas and PyTorch, a
Hessian-vector product of a small MLP, and a third derivative."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Tensor, Value, grad


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# name, f (runs on Value, Tensor and torch tensors), f'' as a formula, points
SECOND_DERIVATIVES: list[
    tuple[str, Callable[[Any], Any], Callable[[float], float], list[float]]
] = [
    (
        "tanh",
        lambda x: x.tanh(),
        lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
        [-1.2, 0.3, 2.0],
    ),
    (
        "sigmoid",
        lambda x: x.sigmoid(),
        lambda x: _sigmoid(x) * (1 - _sigmoid(x)) * (1 - 2 * _sigmoid(x)),
        [-2.0, 0.0, 0.7],
    ),
    ("exp", lambda x: x.exp(), math.exp, [-1.0, 0.5, 2.0]),
    ("log", lambda x: x.log(), lambda x: -1 / x**2, [0.3, 1.0, 4.0]),
    ("x ** 3", lambda x: x**3, lambda x: 6 * x, [-1.5, 0.5, 2.0]),
    ("x ** 2.5", lambda x: x**2.5, lambda x: 2.5 * 1.5 * x**0.5, [0.3, 1.0, 2.0]),
    ("x ** -2", lambda x: x**-2, lambda x: 6 / x**4, [-1.5, 0.5, 2.0]),
    ("x ** 0.5", lambda x: x**0.5, lambda x: -0.25 * x**-1.5, [0.3, 1.0, 2.0]),
    ("1.7 ** x", lambda x: 1.7**x, lambda x: 1.7**x * math.log(1.7) ** 2, [-1.0, 0.5, 2.0]),
    ("1 / x", lambda x: 1 / x, lambda x: 2 / x**3, [-1.5, 0.5, 2.0]),
]
IDS = [row[0] for row in SECOND_DERIVATIVES]


def _value_second(fn: Callable[[Any], Any], x: float) -> float:
    v = Value(x)
    (g,) = grad(fn(v), [v], create_graph=True)
    (h,) = grad(g, [v])
    return h.data


def _tensor_second(fn: Callable[[Any], Any], xs: list[float]) -> np.ndarray:
    """Elementwise f'' at each point: the Hessian of sum(f(x)) is diagonal."""
    x = Tensor(np.array(xs), requires_grad=True)
    (g,) = grad(fn(x).sum(), [x], create_graph=True)
    (h,) = grad(g.sum(), [x])
    assert h.dtype == np.float64
    return h.data  # type: ignore[no-any-return]


@pytest.mark.parametrize(("fn", "formula", "points"), [r[1:] for r in SECOND_DERIVATIVES], ids=IDS)
def test_value_second_derivative_matches_the_formula(
    fn: Callable[[Any], Any], formula: Callable[[float], float], points: list[float]
) -> None:
    for x in points:
        assert _value_second(fn, x) == pytest.approx(formula(x), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize(("fn", "formula", "points"), [r[1:] for r in SECOND_DERIVATIVES], ids=IDS)
def test_tensor_second_derivative_matches_the_formula(
    fn: Callable[[Any], Any], formula: Callable[[float], float], points: list[float]
) -> None:
    want = [formula(x) for x in points]
    np.testing.assert_allclose(_tensor_second(fn, points), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("fn", "points"), [(r[1], r[3]) for r in SECOND_DERIVATIVES], ids=IDS)
def test_second_derivatives_match_torch(fn: Callable[[Any], Any], points: list[float]) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    t = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(fn(t).sum(), t, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), t)
    np.testing.assert_allclose(_tensor_second(fn, points), h.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        [_value_second(fn, x) for x in points], h.numpy(), rtol=1e-12, atol=1e-14
    )


def _pow_hessian_formula(x: float, y: float) -> list[list[float]]:
    lx = math.log(x)
    dxx = y * (y - 1) * x ** (y - 2)
    dxy = x ** (y - 1) * (1 + y * lx)
    dyy = x**y * lx**2
    return [[dxx, dxy], [dxy, dyy]]


@pytest.mark.parametrize(("x", "y"), [(1.5, 2.5), (0.4, -1.3), (3.0, 0.5)])
def test_pow_with_a_value_exponent_has_the_full_hessian(x: float, y: float) -> None:
    a, b = Value(x), Value(y)
    ga, gb = grad(a**b, [a, b], create_graph=True)
    hessian = [[h.data for h in grad(g, [a, b])] for g in (ga, gb)]
    want = _pow_hessian_formula(x, y)
    for got_row, want_row in zip(hessian, want):
        assert got_row == pytest.approx(want_row, rel=1e-12)


@pytest.mark.parametrize(("x", "y"), [(1.5, 2.5), (0.4, -1.3), (3.0, 0.5)])
def test_pow_with_a_tensor_exponent_has_the_full_hessian(x: float, y: float) -> None:
    a = Tensor(np.array([x]), requires_grad=True)
    b = Tensor(np.array([y]), requires_grad=True)
    ga, gb = grad((a**b).sum(), [a, b], create_graph=True)
    hessian = [[h.data[0] for h in grad(g.sum(), [a, b])] for g in (ga, gb)]
    want = _pow_hessian_formula(x, y)
    for got_row, want_row in zip(hessian, want):
        assert got_row == pytest.approx(want_row, rel=1e-12)


def test_pow_hessians_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    xs, ys = np.array([1.5, 0.4, 3.0]), np.array([2.5, -1.3, 0.5])
    tx = torch.tensor(xs, requires_grad=True)
    ty = torch.tensor(ys, requires_grad=True)
    tgx, tgy = torch.autograd.grad((tx**ty).sum(), [tx, ty], create_graph=True)
    want = [torch.autograd.grad(g.sum(), [tx, ty], retain_graph=True) for g in (tgx, tgy)]
    a, b = Tensor(xs, requires_grad=True), Tensor(ys, requires_grad=True)
    ga, gb = grad((a**b).sum(), [a, b], create_graph=True)
    for g, want_row in zip((ga, gb), want):
        for h, w in zip(grad(g.sum(), [a, b]), want_row):
            np.testing.assert_allclose(h.data, w.numpy(), rtol=1e-12)


# --- a Hessian-vector product of a small MLP loss ------------------------------------------------


def _mlp_loss(x: Any, target: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> Any:
    hidden = (x @ w1 + b1).tanh()
    out = (hidden @ w2 + b2).tanh()
    diff = out - target
    return (diff * diff).mean()


def _mlp_arrays() -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    data = [rng.standard_normal((8, 3)), rng.standard_normal((8, 2))]
    params = [
        rng.standard_normal((3, 5)) * 0.7,
        rng.standard_normal(5) * 0.1,
        rng.standard_normal((5, 2)) * 0.7,
        rng.standard_normal(2) * 0.1,
    ]
    vs = [rng.standard_normal(p.shape) for p in params]
    return data, params, vs


def _our_mlp_hvp(params_np: list[np.ndarray]) -> tuple[float, list[np.ndarray]]:
    data, _, vs = _mlp_arrays()
    params = [Tensor(p, requires_grad=True) for p in params_np]
    loss = _mlp_loss(Tensor(data[0]), Tensor(data[1]), *params)
    firsts = grad(loss, params, create_graph=True)
    dot = sum(((g * v).sum() for g, v in zip(firsts, vs)), Tensor(np.float64(0.0)))
    return loss.item(), [h.data for h in grad(dot, params)]


def test_mlp_hessian_vector_product_matches_finite_differences_of_the_gradient() -> None:
    data, params, vs = _mlp_arrays()

    def gradient(ps: list[np.ndarray]) -> list[np.ndarray]:
        leaves = [Tensor(p, requires_grad=True) for p in ps]
        return [g.data for g in grad(_mlp_loss(Tensor(data[0]), Tensor(data[1]), *leaves), leaves)]

    eps = 1e-6
    up = gradient([p + eps * v for p, v in zip(params, vs)])
    down = gradient([p - eps * v for p, v in zip(params, vs)])
    _, hvp = _our_mlp_hvp(params)
    for h, u, d in zip(hvp, up, down):
        np.testing.assert_allclose(h, (u - d) / (2 * eps), rtol=1e-5, atol=1e-8)


def test_mlp_hessian_vector_product_matches_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    data, params, vs = _mlp_arrays()
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    tloss = _mlp_loss(torch.tensor(data[0]), torch.tensor(data[1]), *tparams)
    tfirsts = torch.autograd.grad(tloss, tparams, create_graph=True)
    tdot = sum((g * torch.tensor(v)).sum() for g, v in zip(tfirsts, vs))
    thvp = torch.autograd.grad(tdot, tparams)

    loss, hvp = _our_mlp_hvp(params)
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    for h, t in zip(hvp, thvp):
        assert h.shape == tuple(t.shape) and h.dtype == np.float64
        np.testing.assert_allclose(h, t.numpy(), rtol=1e-10, atol=1e-13)
    assert any(np.abs(h).max() > 1e-3 for h in hvp)  # a real, non-vanishing curvature


# --- third derivatives ---------------------------------------------------------------------------


def _third_tanh(x: float) -> float:
    t = math.tanh(x)
    return -2 * (1 - t * t) * (1 - 3 * t * t)


@pytest.mark.parametrize("x", [-0.8, 0.2, 1.1])
def test_third_derivative_of_tanh_and_of_a_power(x: float) -> None:
    v = Value(x)
    (g1,) = grad(v.tanh(), [v], create_graph=True)
    (g2,) = grad(g1, [v], create_graph=True)
    (g3,) = grad(g2, [v])
    assert g3.data == pytest.approx(_third_tanh(x), rel=1e-12)

    t = Tensor(np.array([x, 2 * x]), requires_grad=True)
    (d1,) = grad((t**4).sum(), [t], create_graph=True)
    (d2,) = grad(d1.sum(), [t], create_graph=True)
    (d3,) = grad(d2.sum(), [t])
    np.testing.assert_allclose(d3.data, [24 * x, 48 * x], rtol=1e-12)

    (s1,) = grad(t.tanh().sum(), [t], create_graph=True)
    (s2,) = grad(s1.sum(), [t], create_graph=True)
    (s3,) = grad(s2.sum(), [t])
    np.testing.assert_allclose(s3.data, [_third_tanh(x), _third_tanh(2 * x)], rtol=1e-12)


def test_the_second_derivative_of_a_linear_function_is_not_recorded() -> None:
    # the gradient of 3x is the constant 3: differentiating it again has nothing to walk
    x = Value(2.0)
    (g,) = grad(x * 3, [x], create_graph=True)
    assert g.data == 3.0 and not g.requires_grad


@pytest.mark.parametrize("power", [lambda x: x**0, lambda x: x ** Value(0.0)], ids=["x**0", "x**y"])
def test_a_recorded_flat_gradient_adds_up_with_another_path(power: Callable[[Any], Any]) -> None:
    x = Value(2.0)
    (g,) = grad(power(x) + x * x, [x], create_graph=True)
    assert g.data == 4.0
    (h,) = grad(g, [x])
    assert h.data == 2.0
