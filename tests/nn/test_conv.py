"""Convolution, pooling, padding and resampling against PyTorch over grids of shapes and
hyper-parameters (values and gradients in float64, some second derivatives), PyTorch's tie
and NaN rules in max pooling, the layers' parameters and initialisation, and the errors.

The per-op checks (autograd/ops/conv.py, pooling.py, resample.py, unfold.py) already run each
op through tests/autograd/test_ops.py (finite differences, second order, float32, bad input);
the grids here are what would be too many checks there.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, draw_graph, gradgradcheck

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these grids")
TF = torch.nn.functional
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.:UserWarning")
rng = np.random.default_rng(2024)


def _compare(fn: Any, *arrays: np.ndarray, second: bool = False, tol: float = 1e-10) -> None:
    """``fn(lib_functional, *tensors)`` on dagrad and on PyTorch from the same float64 inputs:
    values, gradients of a random weighting of the output, and (``second``) the gradient of
    a random weighting of those gradients (for ops not linear in their inputs: convolutions;
    the second derivatives through the upstream gradient are tested in test_ops.py)."""
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, t_out = fn(F, *ours), fn(TF, *theirs)
    assert out.shape == tuple(t_out.shape), f"shape {out.shape}, PyTorch {tuple(t_out.shape)}"
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=tol, atol=tol)
    w = rng.normal(size=out.shape)
    g = autograd.grad((out * Tensor(w)).sum(), ours, create_graph=second)
    t_g = torch.autograd.grad((t_out * torch.tensor(w)).sum(), theirs, create_graph=second)
    for a, b in zip(g, t_g):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=tol, atol=tol)
    if second:
        vs = [rng.normal(size=a.shape) for a in arrays]
        s = sum((a * Tensor(v)).sum() for a, v in zip(g, vs))
        t_s = sum((b * torch.tensor(v)).sum() for b, v in zip(t_g, vs))
        if not s.requires_grad:  # linear in its inputs: the gradients are constants
            if t_s.requires_grad:  # (PyTorch records them anyway: they must be zero)
                for b in torch.autograd.grad(t_s, theirs, allow_unused=True):
                    assert b is None or not b.any()
            return
        h = autograd.grad(s, ours, allow_unused=True)
        t_h = torch.autograd.grad(t_s, theirs, allow_unused=True)
        for a, b in zip(h, t_h):
            if b is None:
                assert a is None or not a.data.any()
            else:
                np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-9, atol=1e-9)


# --- convolution ------------------------------------------------------------------------------


CONV_GRID = [
    # (batch, in, out, size, kernel, stride, padding, dilation, groups)
    (2, 3, 4, (7, 6), (3, 3), 1, 0, 1, 1),
    (1, 2, 2, (8, 8), (3, 2), 2, 1, 1, 1),
    (2, 4, 6, (9, 7), (3, 3), (2, 1), (1, 2), (2, 1), 2),
    (1, 6, 6, (6, 6), (3, 3), 1, 1, 1, 6),  # depthwise
    (2, 1, 3, (5, 9), (2, 4), 3, (0, 2), (1, 2), 1),
    (1, 2, 4, (7, 7), (1, 1), 2, 0, 1, 2),
    (1, 3, 2, (4, 5), (4, 5), 1, 0, 1, 1),  # kernel = input: one window
    (2, 2, 2, (10, 6), (5, 3), (3, 2), (2, 1), (1, 2), 1),
    (1, 4, 2, (6, 7), (2, 2), 1, "same", 1, 2),
    (1, 2, 3, (6, 7), (4, 3), 1, "same", (1, 2), 1),
    (1, 2, 3, (5, 5), (3, 3), 2, "valid", 1, 1),
]


@pytest.mark.parametrize("n, c, o, size, k, s, p, d, g", CONV_GRID)
def test_conv2d_matches_pytorch_over_a_grid(n, c, o, size, k, s, p, d, g):
    x = rng.normal(size=(n, c, *size))
    w = rng.normal(size=(o, c // g, *k))
    b = rng.normal(size=o)
    _compare(lambda f, x, w, b: f.conv2d(x, w, b, s, p, d, g), x, w, b, second=n == 1)


@pytest.mark.parametrize(
    "n, c, o, length, k, s, p, d, g",
    [(2, 3, 4, 11, 3, 2, 1, 1, 1), (1, 4, 4, 9, 4, 1, "same", 2, 4), (2, 2, 6, 8, 2, 3, 2, 3, 2)],
)
def test_conv1d_matches_pytorch(n, c, o, length, k, s, p, d, g):
    x, w, b = rng.normal(size=(n, c, length)), rng.normal(size=(o, c // g, k)), rng.normal(size=o)
    _compare(lambda f, x, w, b: f.conv1d(x, w, b, s, p, d, g), x, w, b, second=True)


TRANSPOSE_GRID = [
    # (batch, in, out, size, kernel, stride, padding, output_padding, dilation, groups)
    (2, 3, 2, (4, 5), (3, 3), 1, 0, 0, 1, 1),
    (1, 2, 3, (3, 4), (3, 3), 2, 1, 1, 1, 1),
    (2, 4, 6, (3, 3), (2, 3), (2, 3), (0, 1), (1, 2), 1, 2),
    (1, 2, 2, (4, 3), (3, 2), 1, 1, (1, 1), (2, 2), 1),
    (1, 3, 3, (5, 5), (3, 3), 3, 2, 2, 1, 3),
]


@pytest.mark.parametrize("n, c, o, size, k, s, p, op, d, g", TRANSPOSE_GRID)
def test_conv_transpose2d_matches_pytorch_over_a_grid(n, c, o, size, k, s, p, op, d, g):
    x = rng.normal(size=(n, c, *size))
    w = rng.normal(size=(c, o // g, *k))
    b = rng.normal(size=o)
    _compare(lambda f, x, w, b: f.conv_transpose2d(x, w, b, s, p, op, g, d), x, w, b, second=n == 1)


def test_conv_transpose_is_the_gradient_of_conv_with_respect_to_its_input():
    x = Tensor(rng.normal(size=(2, 4, 9, 8)), requires_grad=True)
    w = Tensor(rng.normal(size=(6, 2, 3, 3)))
    y = F.conv2d(x, w, stride=2, padding=1, groups=2)
    g = Tensor(rng.normal(size=y.shape))
    (gx,) = autograd.grad((y * g).sum(), [x])
    # 9 and 8 rows/cols map to 5 and 4 windows: output_padding picks the size back
    back = F.conv_transpose2d(g, w, stride=2, padding=1, output_padding=(0, 1), groups=2)
    np.testing.assert_allclose(gx.data, back.data, rtol=1e-12, atol=1e-12)


def test_a_small_cnn_passes_gradgradcheck():
    x = Tensor(rng.normal(size=(1, 2, 6, 6)), requires_grad=True)
    w1 = Tensor(rng.normal(size=(3, 2, 3, 3)), requires_grad=True)
    w2 = Tensor(rng.normal(size=(3, 2, 2, 2)), requires_grad=True)

    def net(x, w1, w2):
        h = F.conv2d(x, w1, padding=1).tanh()
        h = F.avg_pool2d(h, 2)
        return F.conv_transpose2d(h, w2, stride=2)

    assert gradgradcheck(net, [x, w1, w2])


def test_float32_in_float32_out_and_gradients_too():
    x = Tensor(rng.normal(size=(2, 3, 8, 8)).astype(np.float32), requires_grad=True)
    conv = nn.Conv2d(3, 4, 3, padding=1)
    y = F.max_pool2d(conv(x).relu(), 2)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    assert conv.weight.grad.dtype == np.float32 and conv.bias.grad.dtype == np.float32


def test_output_is_channels_last_in_memory_and_reads_the_same():
    x = rng.normal(size=(2, 3, 5, 5))
    y = F.conv2d(Tensor(x), Tensor(rng.normal(size=(4, 3, 3, 3))))
    assert np.moveaxis(y.data, 1, -1).flags.c_contiguous  # channels-last memory
    assert y.reshape(2, -1).shape == (2, 36)  # flattening reads it in (C, H, W) order
    np.testing.assert_array_equal(
        y.reshape(2, -1).data, np.ascontiguousarray(y.data).reshape(2, -1)
    )


# --- pooling ----------------------------------------------------------------------------------

POOL_GRID = [
    # (size, kernel, stride, padding, dilation, ceil_mode)
    ((6, 6), 2, None, 0, 1, False),
    ((7, 5), 3, 2, 1, 1, False),
    ((7, 5), 3, 2, 1, 1, True),
    ((5, 5), 2, 2, 0, 1, True),
    ((8, 7), (3, 2), (2, 1), (1, 0), (2, 1), False),
    ((9, 9), 3, 3, 1, 1, True),
    ((6, 5), 2, 3, 1, 2, True),
    ((4, 4), 4, 1, 2, 1, False),
]


def _distinct(shape: tuple[int, ...]) -> np.ndarray:
    return rng.permutation(np.arange(math.prod(shape), dtype=np.float64)).reshape(shape) / 7.0


@pytest.mark.parametrize("size, k, s, p, d, ceil", POOL_GRID)
def test_max_pool2d_matches_pytorch_over_a_grid(size, k, s, p, d, ceil):
    x = _distinct((2, 3, *size))
    _compare(lambda f, x: f.max_pool2d(x, k, s, p, d, ceil), x, second=True)
    out, idx = F.max_pool2d(Tensor(x), k, s, p, d, ceil, return_indices=True)
    t_out, t_idx = TF.max_pool2d(torch.tensor(x), k, s, p, d, ceil, return_indices=True)
    np.testing.assert_array_equal(idx.data, t_idx.numpy())
    assert idx.dtype == np.int64


@pytest.mark.parametrize("size, k, s, p, d, ceil", [c for c in POOL_GRID if c[4] == 1])
@pytest.mark.parametrize("include", [True, False])
def test_avg_pool2d_matches_pytorch_over_a_grid(size, k, s, p, d, ceil, include):
    x = rng.normal(size=(2, 2, *size))
    _compare(lambda f, x: f.avg_pool2d(x, k, s, p, ceil, include), x, second=True)


def test_avg_pool2d_divisor_override_and_1d_pooling_match_pytorch():
    x = rng.normal(size=(2, 3, 7, 6))
    _compare(lambda f, x: f.avg_pool2d(x, 3, 2, 1, True, False, divisor_override=5), x)
    y = rng.normal(size=(2, 3, 11))
    _compare(lambda f, y: f.avg_pool1d(y, 4, 3, 2, True, False), y)
    _compare(lambda f, y: f.max_pool1d(y, 3, 2, 1, 2, True), y)


@pytest.mark.parametrize("case", ["relu zeros", "constant", "overlap", "padding", "ceil"])
def test_max_pool_ties_send_the_gradient_where_pytorch_does(case):
    if case == "relu zeros":  # the common tie: whole windows of relu's zeros
        x, args = np.maximum(rng.normal(size=(2, 4, 8, 8)), 0), (2,)
    elif case == "constant":
        x, args = np.ones((1, 2, 6, 6)), (3, 2, 1)
    elif case == "overlap":
        x, args = np.round(rng.normal(size=(1, 2, 7, 7))), (3, 1)
    elif case == "padding":  # all -inf: never the padding, the first element inside
        x, args = np.full((1, 1, 4, 5), -np.inf), (3, 2, 1)
    else:
        x, args = np.round(rng.normal(size=(2, 2, 7, 7))), (2, 2, 0, 1, True)
    ours = Tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, t_out = F.max_pool2d(ours, *args), TF.max_pool2d(theirs, *args)
    w = rng.normal(size=out.shape)
    out.backward(w)
    t_out.backward(torch.tensor(w))
    np.testing.assert_array_equal(out.data, t_out.detach().numpy())
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-14, atol=0)


def test_max_pool_nan_wins_its_window_and_takes_the_gradient_as_in_pytorch():
    x = rng.normal(size=(1, 2, 6, 6))
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = x[0, 1, 4, 5] = np.nan
    for args in [(2,), (3, 1, 1)]:
        ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, idx = F.max_pool2d(ours, *args, return_indices=True)
        t_out, t_idx = TF.max_pool2d(theirs, *args, return_indices=True)
        np.testing.assert_array_equal(idx.data, t_idx.numpy())
        np.testing.assert_array_equal(np.isnan(out.data), np.isnan(t_out.detach().numpy()))
        out.sum().backward()
        t_out.sum().backward()
        np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())


def test_an_infinite_gradient_is_routed_without_making_nans():
    x = Tensor(_distinct((1, 1, 4, 4)), requires_grad=True)
    out = F.max_pool2d(x, 2)
    out.backward(np.array([[[[np.inf, 1.0], [2.0, -np.inf]]]]))
    assert not np.isnan(x.grad.data).any()
    assert sorted(x.grad.data.ravel().tolist())[:2] == [-np.inf, 0.0]


@pytest.mark.parametrize(
    "size, out",
    [((7, 5), (3, 2)), ((6, 8), (3, 4)), ((5, 5), 3), ((4, 6), (None, 4)), ((3, 2), (5, 4))],
)
def test_adaptive_pools_match_pytorch(size, out):
    x = _distinct((2, 3, *size))
    _compare(lambda f, x: f.adaptive_avg_pool2d(x, out), x, second=True)
    _compare(lambda f, x: f.adaptive_max_pool2d(x, out), x, second=True)
    _, idx = F.adaptive_max_pool2d(Tensor(x), out, return_indices=True)
    _, t_idx = TF.adaptive_max_pool2d(torch.tensor(x), out, return_indices=True)
    np.testing.assert_array_equal(idx.data, t_idx.numpy())


def test_adaptive_max_pool_ties_and_nans_follow_pytorch():
    x = np.round(rng.normal(size=(1, 2, 7, 5)))
    x[0, 1, 2, 3] = x[0, 1, 5, 0] = x[0, 1, 6, 1] = np.nan
    _, idx = F.adaptive_max_pool2d(Tensor(x), (3, 2), return_indices=True)
    _, t_idx = TF.adaptive_max_pool2d(torch.tensor(x), (3, 2), return_indices=True)
    np.testing.assert_array_equal(idx.data, t_idx.numpy())


# --- pad, interpolate, unfold/fold ------------------------------------------------------------


PADS = [(1, 2), (2, 0, 1, 3), (0, 1, 2, 1, 1, 0)]
# negative pads cut; PyTorch's circular mode cuts first and wraps what is left, and refuses
# a cut and a wrap on the same side of a dim (an overlapping copy), so it gets its own cases
CUTS = [(m, (-1, 2, 1, 0)) for m in ("constant", "reflect", "replicate")]
CUTS += [("circular", (2, -1)), ("circular", (-1, 2, 0, 1)), ("circular", (0, -2, 3, 0))]


@pytest.mark.parametrize(
    "mode, pad",
    [(m, p) for m in ("constant", "reflect", "replicate", "circular") for p in PADS] + CUTS,
)
def test_pad_matches_pytorch(mode, pad):
    shape = (2, 3, 4, 5, 6)[: 2 + len(pad) // 2]
    x = rng.normal(size=shape)
    _compare(lambda f, x: f.pad(x, pad, mode=mode), x, second=True)


@pytest.mark.parametrize(
    "size, kwargs",
    [
        ((5, 7), dict(scale_factor=2)),
        ((5, 7), dict(scale_factor=(1.7, 0.6))),
        ((6, 6), dict(size=(4, 9))),
        ((3, 10), dict(size=(7, 3), mode="nearest-exact")),
        ((4, 5), dict(scale_factor=2.3, mode="nearest-exact")),
        ((5, 4), dict(size=(9, 7), mode="bilinear")),
        ((5, 4), dict(size=(9, 7), mode="bilinear", align_corners=True)),
        ((8, 6), dict(size=(3, 2), mode="bilinear")),
        ((4, 6), dict(scale_factor=1.5, mode="bilinear")),
        ((4, 6), dict(scale_factor=1.5, mode="bilinear", recompute_scale_factor=True)),
        ((5, 1), dict(size=(1, 4), mode="bilinear", align_corners=True)),
        ((2, 4), dict(scale_factor=(1.3, 2.0), mode="bilinear")),  # a dim that keeps its size
        ((7, 9), dict(size=(3, 4), mode="area")),
    ],
)
def test_interpolate_matches_pytorch(size, kwargs):
    x = rng.normal(size=(2, 3, *size))
    _compare(lambda f, x: f.interpolate(x, **kwargs), x, second=True)


def test_interpolate_nearest_indices_match_pytorch_over_many_sizes():
    for n, out in itertools.product(range(1, 12), range(1, 25)):
        x = np.arange(n, dtype=np.float32).reshape(1, 1, n)
        ours = F.interpolate(Tensor(x), size=out).data
        np.testing.assert_array_equal(ours, TF.interpolate(torch.tensor(x), size=out).numpy())
    for n, scale in itertools.product(range(1, 9), [0.3, 0.5, 1.3, 1.5, 2.0, 2.7, 3.0]):
        x = np.arange(n, dtype=np.float32).reshape(1, 1, n)
        if math.floor(n * scale) < 1:
            continue
        for mode in ("nearest", "nearest-exact", "linear"):
            ours = F.interpolate(Tensor(x), scale_factor=scale, mode=mode).data
            theirs = TF.interpolate(torch.tensor(x), scale_factor=scale, mode=mode).numpy()
            np.testing.assert_allclose(
                ours, theirs, rtol=1e-6, atol=1e-6, err_msg=f"{mode} {n} {scale}"
            )


def test_unfold_and_fold_match_pytorch_and_are_each_others_transpose():
    x = rng.normal(size=(2, 3, 7, 6))
    args = ((3, 2), (1, 2), (1, 0), (2, 1))  # kernel, dilation, padding, stride
    _compare(lambda f, x: f.unfold(x, *args), x, second=True)
    cols = rng.normal(size=F.unfold(Tensor(x), *args).shape)
    _compare(lambda f, c: f.fold(c, (7, 6), *args), cols, second=True)
    u = F.unfold(Tensor(x), *args)
    lhs = (u.data * cols).sum()
    rhs = (x * F.fold(Tensor(cols), (7, 6), *args).data).sum()
    assert math.isclose(lhs, rhs, rel_tol=1e-12)


# --- layers -----------------------------------------------------------------------------------

LAYERS = [
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=1, bias=False), (2, 3, 9)),
    (
        "Conv2d",
        (4, 6, (3, 2)),
        dict(stride=(2, 1), padding="same" if False else 1, groups=2),
        (2, 4, 7, 6),
    ),
    ("Conv2d", (2, 3, 3), dict(padding="same", padding_mode="reflect"), (1, 2, 5, 6)),
    ("Conv2d", (2, 3, 3), dict(padding=2, padding_mode="circular", dilation=2), (1, 2, 6, 6)),
    ("Conv2d", (2, 2, 3), dict(padding=1, padding_mode="replicate"), (1, 2, 4, 4)),
    (
        "ConvTranspose2d",
        (4, 2, 3),
        dict(stride=2, padding=1, output_padding=1, groups=2),
        (2, 4, 3, 4),
    ),
    ("ConvTranspose1d", (2, 3, 4), dict(stride=3, dilation=2), (2, 2, 5)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", LAYERS)
def test_layers_have_pytorchs_parameters_and_results(name, args, kwargs, shape):
    ours = getattr(nn, name)(*args, **kwargs, dtype=np.float64)
    theirs = getattr(torch.nn, name)(*args, **kwargs, dtype=torch.float64)
    t_state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in t_state.items()
    }
    ours.load_state_dict(t_state)  # PyTorch's weights load into dagrad's layer...
    theirs.load_state_dict(
        {k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}
    )  # ...and back
    x = rng.normal(size=shape)
    np.testing.assert_allclose(
        ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12
    )
    assert repr(ours) == repr(theirs)


def test_pooling_and_upsampling_layers_match_pytorch():
    x = _distinct((2, 3, 9, 8))
    for name, args in [
        ("MaxPool2d", (3, 2, 1)),
        ("AvgPool2d", (2,)),
        ("AdaptiveAvgPool2d", ((4, 3),)),
        ("AdaptiveAvgPool2d", ((4, None),)),
        ("AdaptiveMaxPool2d", (3,)),
        ("Upsample", (None, 2, "bilinear")),
        ("Upsample", (None, (1.5, 2))),
        ("Upsample", ((5, 11),)),
    ]:
        ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        np.testing.assert_allclose(
            ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-12
        )
        assert repr(ours) == repr(theirs)
    y = _distinct((2, 3, 11))
    for name, args in [
        ("MaxPool1d", (3, 2, 1)),
        ("AvgPool1d", (3, 2, 1)),
        ("AdaptiveAvgPool1d", (4,)),
    ]:
        ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        np.testing.assert_allclose(
            ours(Tensor(y)).data, theirs(torch.tensor(y)).numpy(), rtol=1e-12
        )
        assert repr(ours) == repr(theirs)


def test_conv_transpose_layer_takes_an_output_size():
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    t_layer = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = rng.normal(size=(1, 2, 4, 4)).astype(np.float32)
    for size in [(7, 7), (8, 7), (1, 3, 8, 8)]:
        assert layer(Tensor(x), output_size=size).shape == tuple(
            t_layer(torch.tensor(x), output_size=size).shape
        )
    with pytest.raises(ValueError, match="not reachable"):
        layer(Tensor(x), output_size=(10, 7))


@pytest.mark.parametrize(
    "name, args", [("Conv2d", (3, 64, 3)), ("Conv1d", (8, 40, 5)), ("ConvTranspose2d", (60, 4, 3))]
)
def test_default_initialisation_is_pytorchs(name, args):
    layer = getattr(nn, name)(*args)
    fan_in = layer.weight.shape[1] * math.prod(layer.weight.shape[2:])
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) and the bias's U(-b, b)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32 and np.abs(p.data).max() <= bound
    w = layer.weight.data  # uniform on (-bound, bound): its spread says so
    assert np.abs(w).max() > 0.9 * bound and abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound
    assert nn.Conv2d(2, 2, 3, dtype=np.float64).weight.dtype == np.float64


def test_conv_node_is_drawn_with_its_hyper_parameters():
    x = Tensor(rng.normal(size=(1, 2, 8, 8)), requires_grad=True)
    y = F.max_pool2d(F.conv2d(x, Tensor(rng.normal(size=(3, 2, 3, 3))), stride=2, padding=1), 2)
    text = draw_graph(y).source
    assert "conv2d(3×3, stride=2, padding=1)" in text
    assert "max_pool2d(2×2)" in text


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: F.conv2d(Tensor(np.zeros((5,))), Tensor(np.zeros((4, 3, 3, 3)))),
            r"3-d \(unbatched\) or 4-d \(batched\) input, got shape \(5,\)",
        ),
        (
            lambda: F.conv2d(Tensor(np.zeros((2, 3, 5, 5))), Tensor(np.zeros((4, 2, 3, 3)))),
            r"\(2, 3, 5, 5\) has 3 channels, but the weight of shape \(4, 2, 3, 3\)",
        ),
        (
            lambda: F.conv2d(Tensor(np.zeros((2, 3, 2, 2))), Tensor(np.zeros((4, 3, 3, 3)))),
            r"kernel \(3, 3\).*larger than the padded input \(2, 2\)",
        ),
        (
            lambda: F.conv2d(
                Tensor(np.zeros((2, 6, 5, 5))), Tensor(np.zeros((3, 3, 3, 3))), groups=2
            ),
            r"groups=2 must divide the weight's 3 output channels \(weight of shape \(3, 3, 3",
        ),
        (
            lambda: F.conv2d(Tensor(np.zeros((2, 3, 5, 5))), Tensor(np.zeros((4, 3, 3)))),
            r"weight must have 4 dims.*got shape \(4, 3, 3\)",
        ),
        (
            lambda: F.conv2d(
                Tensor(np.zeros((1, 3, 5, 5))),
                Tensor(np.zeros((4, 3, 3, 3))),
                padding="same",
                stride=2,
            ),
            "needs stride 1",
        ),
        (
            lambda: F.conv2d(
                Tensor(np.zeros((1, 3, 5, 5))), Tensor(np.zeros((4, 3, 3, 3))), stride=0
            ),
            "stride must be positive",
        ),
        (
            lambda: F.conv2d(
                Tensor(np.zeros((1, 3, 5, 5))), Tensor(np.zeros((4, 3, 3, 3))), Tensor(np.zeros(3))
            ),
            r"bias must have shape \(4,\)",
        ),
        (
            lambda: F.conv2d(
                Tensor(np.zeros((1, 3, 5, 5), np.float32)), Tensor(np.zeros((4, 3, 3, 3)))
            ),
            "same dtype",
        ),
        (
            lambda: F.conv_transpose2d(
                Tensor(np.zeros((1, 2, 3, 3))),
                Tensor(np.zeros((2, 1, 3, 3))),
                stride=2,
                output_padding=2,
            ),
            "output_padding",
        ),
        (
            lambda: F.max_pool2d(Tensor(np.zeros((2, 3, 2, 2))), 3),
            r"input of shape \(2, 3, 2, 2\) is too small for kernel \(3, 3\)",
        ),
        (
            lambda: F.max_pool2d(Tensor(np.zeros((2, 3, 5, 5))), 3, padding=2),
            "at most half of the kernel size",
        ),
        (
            lambda: F.avg_pool2d(Tensor(np.zeros((5, 5))), 2),
            r"3-d \(unbatched\) or 4-d \(batched\) input, got shape \(5, 5\)",
        ),
        (
            lambda: F.pad(Tensor(np.zeros((1, 3, 3))), (3, 3), mode="reflect"),
            "smaller than the dim",
        ),
        (
            lambda: F.pad(Tensor(np.zeros((3,))), (1, 1), mode="replicate"),
            r"for an input of shape \(3,\)",
        ),
        (
            lambda: F.interpolate(Tensor(np.zeros((1, 1, 3))), size=4, mode="bilinear"),
            r"needs a 4-d \(N, C, H, W\) input",
        ),
        (
            lambda: F.fold(Tensor(np.zeros((1, 12, 9))), (4, 5), 2),
            r"does not fit output_size \(4, 5\)",
        ),
        (lambda: nn.Conv2d(4, 6, 3, groups=4), "divisible by groups"),
    ],
)
def test_bad_input_gets_a_clear_error_naming_the_shapes(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
