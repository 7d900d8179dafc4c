"""Layers, activations and nn.init: against formulas written here and, where torch is
importable, against PyTorch in float64 with the same weights and data (within 1e-10)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, Value, grad

TOL = dict(rtol=1e-10, atol=1e-10)
rng = np.random.default_rng(12345)


def _torch():
    return pytest.importorskip("torch", reason="torch is the oracle for this comparison")


# points that include every corner of the piecewise activations
KINKS = np.array([-3.0, 0.0, 3.0, -1e-12, 1e-12, 2.999, -2.999, -7.5, 7.5])


def _sample(shape):
    return np.concatenate([KINKS, rng.normal(0, 3, size=int(np.prod(shape)) - KINKS.size)]).reshape(
        shape
    )


# --- Linear ---------------------------------------------------------------------------------


def test_linear_forward_and_gradients_follow_the_formula():
    layer = nn.Linear(4, 3, dtype=np.float64)
    x = Tensor(rng.normal(size=(5, 4)), requires_grad=True)
    upstream = rng.normal(size=(5, 3))
    y = layer(x)
    W, b = layer.weight.data, layer.bias.data
    np.testing.assert_allclose(y.data, x.data @ W.T + b, **TOL)
    (y * upstream).sum().backward()
    np.testing.assert_allclose(x.grad.data, upstream @ W, **TOL)
    np.testing.assert_allclose(layer.weight.grad.data, upstream.T @ x.data, **TOL)
    np.testing.assert_allclose(layer.bias.grad.data, upstream.sum(axis=0), **TOL)


def test_linear_matches_pytorch():
    torch = _torch()
    ours = nn.Linear(6, 4, dtype=np.float64)
    theirs = torch.nn.Linear(6, 4, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    x_np = rng.normal(size=(2, 3, 6))  # extra batch dims
    upstream = rng.normal(size=(2, 3, 4))
    x = Tensor(x_np, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **TOL)
    (y * upstream).sum().backward()
    (ty * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), **TOL)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), **TOL)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), **TOL)


def test_linear_default_init_is_pytorchs_uniform_bound_for_weight_and_bias():
    nn.init.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.97 * bound  # fills the interval, not a narrower one
    # U(-b, b) has variance b^2 / 3; 120,000 draws pin it down to about 1%
    assert layer.weight.data.var() == pytest.approx(bound**2 / 3, rel=0.03)


def test_linear_init_is_reproducible_from_the_seed():
    nn.init.manual_seed(7)
    a = nn.Linear(3, 2)
    nn.init.manual_seed(7)
    b = nn.Linear(3, 2)
    nn.init.manual_seed(8)
    c = nn.Linear(3, 2)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, c.weight.data)
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    a.reset_parameters(generator=g1)
    b.reset_parameters(generator=g2)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)


def test_linear_options_and_errors():
    layer = nn.Linear(3, 2, bias=False, dtype=np.float64)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert layer.weight.dtype == np.float64 and layer.weight.shape == (2, 3)
    np.testing.assert_allclose(layer(np.ones(3)).data, layer.weight.data.sum(axis=1), **TOL)
    with pytest.raises(ValueError, match=r"input of shape \(5, 4\) must end in 3 features"):
        layer(np.ones((5, 4)))
    with pytest.raises(TypeError, match="floating dtype"):
        nn.Linear(2, 2, dtype=np.int32)
    with pytest.raises(TypeError, match=r"Linear works on Tensors, got a Value \(see nn.scalar\)"):
        nn.Linear(1, 1)(Value(1.0))
    with pytest.raises(ValueError, match="in_features must be a non-negative integer"):
        nn.Linear(2.5, 2)  # type: ignore[arg-type]


# --- activations ----------------------------------------------------------------------------

ACTIVATIONS = {
    "relu": (nn.ReLU(), lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "sigmoid": (
        nn.Sigmoid(),
        lambda x: 1 / (1 + np.exp(-x)),
        lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2,
    ),
    "tanh": (nn.Tanh(), np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "hard_sigmoid": (
        nn.HardSigmoid(),
        lambda x: np.clip(x / 6 + 0.5, 0, 1),
        lambda x: ((x > -3) & (x < 3)) / 6.0,
    ),
    "leaky_relu": (
        nn.LeakyReLU(0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
        lambda x: np.where(x > 0, 1.0, 0.2),
    ),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_values_and_gradients_follow_the_formula(name):
    layer, value, slope = ACTIVATIONS[name]
    x_np = _sample((6, 5))
    x = Tensor(x_np, requires_grad=True)
    y = layer(x)
    assert y.dtype == np.float64 and y.shape == x.shape
    np.testing.assert_allclose(y.data, value(x_np), **TOL)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, slope(x_np), **TOL)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_match_pytorch_including_at_the_corners(name):
    torch = _torch()
    layer = ACTIVATIONS[name][0]
    theirs = {
        "relu": torch.nn.ReLU(),
        "sigmoid": torch.nn.Sigmoid(),
        "tanh": torch.nn.Tanh(),
        "hard_sigmoid": torch.nn.Hardsigmoid(),
        "leaky_relu": torch.nn.LeakyReLU(0.2),
    }[name]
    x_np = _sample((4, 6))
    upstream = rng.normal(size=x_np.shape)
    x, tx = Tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    y, ty = layer(x), theirs(tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **TOL)
    (y * upstream).sum().backward()
    (ty * torch.from_numpy(upstream)).sum().backward()
    if name == "hard_sigmoid":
        # PyTorch's backward multiplies by 1/6 rounded to float32 even in float64
        # (0.16666667163...), a relative error of 3e-8; ours uses 1/6 in the input's dtype,
        # checked exactly against the formula above
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=5e-8, atol=0)
        ratio = tx.grad.numpy()[x.grad != 0] / x.grad[x.grad != 0]
        np.testing.assert_allclose(ratio, float(np.float32(1 / 6)) * 6, rtol=1e-12)
    else:
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), **TOL)


def test_activations_keep_float32():
    x = Tensor(np.linspace(-4, 4, 9, dtype=np.float32))
    for layer, _, _ in ACTIVATIONS.values():
        assert layer(x).dtype == np.float32


def test_hard_sigmoid_is_two_relus_as_in_the_lecture():
    x = np.linspace(-6, 6, 241)
    lecture = (np.maximum(x + 3, 0) - np.maximum(x - 3, 0)) / 6
    np.testing.assert_allclose(F.hard_sigmoid(x).data, lecture, **TOL)


def test_softplus_is_stable_and_its_gradient_is_the_sigmoid():
    x_np = np.array([-800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0])
    x = Tensor(x_np, requires_grad=True)
    y = F.softplus(x, threshold=np.inf)  # (PyTorch's default threshold=20 returns x above 20)
    expected = np.maximum(x_np, 0) + np.log1p(np.exp(-np.abs(x_np)))
    # logsumexp(0, x) = log(1 + e^x) without log1p: exact to the last bit of 1, i.e. an
    # absolute error below 2e-16 where e^x is tiny
    np.testing.assert_allclose(y.data, expected, rtol=1e-15, atol=2e-16)
    assert np.all(np.isfinite(y.data))
    y.sum().backward()
    with np.errstate(over="ignore"):  # exp(800) = inf gives the right limit, 0
        np.testing.assert_allclose(x.grad.data, 1 / (1 + np.exp(-x_np)), **TOL)


def test_activations_can_be_differentiated_twice():
    x = Tensor(np.array([-1.0, 0.5, 2.0]), requires_grad=True)
    (g,) = grad(F.tanh(x).sum(), x, create_graph=True)
    (gg,) = grad(g.sum(), x)
    t = np.tanh(x.data)
    np.testing.assert_allclose(gg.data, -2 * t * (1 - t**2), **TOL)


def test_functional_activations_on_values():
    v = Value(-0.5)
    assert F.relu(v).data == 0.0 and F.sigmoid(v).data == pytest.approx(1 / (1 + math.exp(0.5)))
    with pytest.raises(TypeError, match=r"hard_sigmoid\(\) works on Tensors, got a Value"):
        F.hard_sigmoid(v)


# --- containers and shape layers ------------------------------------------------------------


def test_sequential_applies_layers_in_order_and_indexes_like_a_list():
    first, act, last = nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)
    model = nn.Sequential(first, act, last)
    x = Tensor(rng.normal(size=(5, 3)).astype(np.float32))
    np.testing.assert_array_equal(model(x).data, last(act(first(x))).data)
    assert len(model) == 3 and list(model) == [first, act, last]
    assert model[0] is first and model[-1] is last
    head = model[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [first, act]
    assert [n for n, _ in head.named_children()] == ["0", "1"]
    model.append(nn.Sigmoid())
    assert len(model) == 4 and [n for n, _ in model.named_children()][-1] == "3"
    with pytest.raises(IndexError, match="out of range for 4 layers"):
        model[4]


def test_sequential_from_a_dict_uses_its_keys_as_names():
    model = nn.Sequential({"hidden": nn.Linear(2, 3), "act": nn.ReLU(), "out": nn.Linear(3, 1)})
    assert [n for n, _ in model.named_parameters()] == [
        "hidden.weight",
        "hidden.bias",
        "out.weight",
        "out.bias",
    ]


def test_sequential_refuses_what_is_not_a_layer():
    with pytest.raises(
        TypeError, match=r"argument 1 is the class ReLU, not a layer; call it: ReLU\(\)"
    ):
        nn.Sequential(nn.Linear(2, 2), nn.ReLU)
    with pytest.raises(TypeError, match="argument 0 is a function, not a Module"):
        nn.Sequential(lambda x: x)


def test_flatten_and_identity():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(start_dim=0)(x).shape == (24,)
    nn.Flatten()(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 3, 4)))
    assert nn.Identity()(x) is x
    with pytest.raises(
        ValueError,
        match=r"Flatten\(start_dim=3, end_dim=-1\) does not fit an input of shape \(2, 3, 4\)",
    ):
        nn.Flatten(3)(x)


# --- the MLP builder ------------------------------------------------------------------------


def test_mlp_builds_the_lectures_networks():
    model = nn.MLP(56, [100, 100], 1)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [p.shape for p in model.parameters()] == [
        (100, 56),
        (100,),
        (100, 100),
        (100,),
        (1, 100),
        (1,),
    ]
    assert [n for n, _ in model.named_parameters()][-1] == "4.bias"
    linear = nn.MLP(7, [], 1)
    assert [type(m).__name__ for m in linear] == ["Linear"]


def test_mlp_forward_is_the_composition_of_its_layers():
    model = nn.MLP(3, [4], 2, activation="sigmoid", dtype=np.float64)
    x = rng.normal(size=(5, 3))
    W1, b1, W2, b2 = (p.data for p in model.parameters())
    expected = (1 / (1 + np.exp(-(x @ W1.T + b1)))) @ W2.T + b2
    np.testing.assert_allclose(model(x).data, expected, **TOL)


@pytest.mark.parametrize(
    "activation, kind",
    [
        ("relu", "ReLU"),
        ("Tanh", "Tanh"),
        ("hard_sigmoid", "HardSigmoid"),
        ("HardSigmoid", "HardSigmoid"),
        ("leaky_relu", "LeakyReLU"),
        (nn.Sigmoid, "Sigmoid"),
        (lambda: nn.LeakyReLU(0.3), "LeakyReLU"),
    ],
)
def test_mlp_activation_by_name_class_or_callable(activation, kind):
    model = nn.MLP(2, [3, 3], 1, activation=activation)
    assert [type(m).__name__ for m in model][1::2] == [kind, kind]


def test_mlp_explains_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation 'softsign'; one of relu, sigmoid"):
        nn.MLP(2, [3], 1, activation="softsign")
    with pytest.raises(TypeError, match=r"hidden must be a list of layer widths \(e.g. \[100\]"):
        nn.MLP(2, 3, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="the activation made a int, not a Module"):
        nn.MLP(2, [3], 1, activation=lambda: 3)  # type: ignore[arg-type,return-value]


# --- nn.init --------------------------------------------------------------------------------


def _param(*shape):
    return nn.Parameter(np.zeros(shape))


def test_init_bounds_follow_the_formulas():
    big = 200_000
    for fn, args, bound in [
        (nn.init.uniform_, (-0.3, 0.7), None),
        (nn.init.xavier_uniform_, (), math.sqrt(6 / (300 + 200))),
        (nn.init.kaiming_uniform_, (), math.sqrt(2) * math.sqrt(3 / 200)),
    ]:
        p = nn.Parameter(np.zeros((300, 200)))
        fn(p, *args)
        if bound is None:
            assert p.data.min() >= -0.3 and p.data.max() <= 0.7
            assert p.data.mean() == pytest.approx(0.2, abs=0.01)
        else:
            assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.99 * bound
            assert p.data.var() == pytest.approx(bound**2 / 3, rel=0.02)
    for fn, std in [
        (nn.init.xavier_normal_, math.sqrt(2 / (300 + 200))),
        (nn.init.kaiming_normal_, math.sqrt(2) / math.sqrt(200)),
    ]:
        p = nn.Parameter(np.zeros((300, 200)))
        fn(p)
        assert p.data.std() == pytest.approx(std, rel=0.02) and abs(p.data.mean()) < 0.01 * std * 10
    p = _param(big)
    nn.init.normal_(p, 2.0, 0.5)
    assert p.data.mean() == pytest.approx(2.0, abs=0.01) and p.data.std() == pytest.approx(
        0.5, rel=0.02
    )


def test_kaiming_fan_out_and_gain():
    p = nn.Parameter(np.zeros((50, 800)))
    nn.init.kaiming_uniform_(p, mode="fan_out", nonlinearity="relu")
    assert np.abs(p.data).max() <= math.sqrt(2) * math.sqrt(3 / 50)
    assert np.abs(p.data).max() > 0.99 * math.sqrt(2) * math.sqrt(3 / 50)
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        nn.init.kaiming_uniform_(p, mode="fan")


def test_calculate_gain_matches_pytorch():
    torch = _torch()
    for name, param in [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param), rel=1e-12
        )
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        nn.init.calculate_gain("swish")


def test_init_keeps_dtype_and_fills_in_place():
    p = nn.Parameter(np.zeros((3, 4), dtype=np.float32))
    data = p.data
    assert nn.init.xavier_uniform_(p) is p
    assert p.data is data and p.dtype == np.float32 and p.data.any()
    nn.init.zeros_(p)
    assert not p.data.any()
    nn.init.ones_(p)
    nn.init.constant_(p, 2.5)
    assert np.all(p.data == 2.5)


def test_init_draws_are_reproducible():
    a, b = _param(4, 4), _param(4, 4)
    nn.init.kaiming_normal_(a, generator=np.random.default_rng(3))
    nn.init.kaiming_normal_(b, generator=np.random.default_rng(3))
    np.testing.assert_array_equal(a.data, b.data)
    nn.init.manual_seed(11)
    nn.init.uniform_(a)
    nn.init.manual_seed(11)
    nn.init.uniform_(b)
    np.testing.assert_array_equal(a.data, b.data)


def test_init_errors():
    with pytest.raises(ValueError, match=r"at least 2 dims, got shape \(5,\)"):
        nn.init.xavier_uniform_(_param(5))
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        nn.init.uniform_(_param(2), generator=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        nn.init.manual_seed(-1)
    with pytest.raises(TypeError, match="expected a Tensor or Parameter"):
        nn.init.uniform_(np.zeros(3))  # type: ignore[arg-type]
    empty = _param(0, 3)
    assert nn.init.kaiming_uniform_(empty) is empty  # nothing to fill, no division by zero
