"""Tensor: every op's value, gradient and second derivative against NumPy, finite differences
and PyTorch; broadcasting, reductions, ties, indexing, stability and dtypes."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import autograd.tensor_ops as ops
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Tensor, concatenate, grad, maximum, minimum, stack, where
from tests.support.fd import numeric_directional, numeric_grad

Shape = tuple[int, ...]


def _torch() -> Any:
    import torch

    return torch


@dataclass(frozen=True)
class TensorOp:
    """One row of the op table.

    ``fn`` runs on dagrad Tensors; ``ref`` is the same maths on float64 ndarrays; ``torch_fn``
    on torch tensors. Each defaults to ``fn`` when it runs unchanged on that kind of array.
    ``domains`` says where each input is drawn: "any", "positive" or "nonzero" (kinks and
    singularities stay further than the finite-difference step away).
    """

    name: str
    fn: Callable[..., Any]
    ref: Callable[..., Any] | None
    torch_fn: Callable[..., Any] | None
    shapes: tuple[Shape, ...]
    domains: tuple[str, ...]


def op(
    name: str,
    fn: Callable[..., Any],
    shapes: tuple[Shape, ...] = ((2, 3),),
    *,
    ref: Callable[..., Any] | None = None,
    torch_fn: Callable[..., Any] | None = None,
    domains: tuple[str, ...] | None = None,
) -> TensorOp:
    return TensorOp(name, fn, ref, torch_fn, shapes, domains or ("any",) * len(shapes))


def _draw(rng: np.random.Generator, shape: Shape, domain: str) -> np.ndarray:
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2.0, shape)
    return rng.standard_normal(shape)


def _inputs(row: TensorOp) -> list[np.ndarray]:
    rng = np.random.default_rng(zlib.crc32(row.name.encode()))
    return [_draw(rng, s, d) for s, d in zip(row.shapes, row.domains)]


def _ref(row: TensorOp) -> Callable[..., Any]:
    return row.ref or row.fn


def _weights(row: TensorOp, out_shape: Shape) -> np.ndarray:
    """Fixed random weights that turn the op's output into a scalar loss."""
    rng = np.random.default_rng(zlib.crc32(row.name.encode()) + 1)
    return rng.standard_normal(out_shape)


# --- the op table -------------------------------------------------------------------------

BROADCAST_PAIRS: list[tuple[Shape, Shape]] = [
    ((2, 3), (2, 3)),
    ((3, 1), (1, 4)),  # both sides broadcast
    ((2, 3, 4), (4,)),
    ((), (2, 3)),
]


def _binary_rows(
    name: str,
    fn: Callable[..., Any],
    domains: tuple[str, str] = ("any", "any"),
    ref: Callable[..., Any] | None = None,
    torch_fn: Callable[..., Any] | None = None,
) -> list[TensorOp]:
    return [
        op(f"{name} {a}&{b}", fn, (a, b), ref=ref, torch_fn=torch_fn, domains=domains)
        for a, b in BROADCAST_PAIRS
    ]


def _softmax_ref(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _logsumexp_ref(x: np.ndarray, axis: Any, keepdims: bool = False) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else out.squeeze(axis=axis)


def _all_dims(axis: Any, ndim: int) -> Any:
    return tuple(range(ndim)) if axis is None else axis


MASK = np.array([[True, False, True, True, False]] * 2 + [[False] * 5] + [[True] * 5])
COND = np.array([[True, False, True, False], [False, False, True, True], [True] * 4])
CONST = np.array([0.5, -1.5, 2.0])

TENSOR_OPS: list[TensorOp] = [
    *_binary_rows("add", lambda x, y: x + y),
    *_binary_rows("sub", lambda x, y: x - y),
    *_binary_rows("mul", lambda x, y: x * y),
    *_binary_rows("div", lambda x, y: x / y, ("any", "nonzero")),
    *_binary_rows("pow", lambda x, y: x**y, ("positive", "any")),
    *_binary_rows("maximum", maximum, ref=np.maximum, torch_fn=lambda x, y: _torch().maximum(x, y)),
    *_binary_rows("minimum", minimum, ref=np.minimum, torch_fn=lambda x, y: _torch().minimum(x, y)),
    op("x + 2.5", lambda x: x + 2.5),
    op("2.5 + x", lambda x: 2.5 + x),
    op("x - 2.5", lambda x: x - 2.5),
    op("2.5 - x", lambda x: 2.5 - x),
    op("x * 2.5", lambda x: x * 2.5),
    op("2.5 * x", lambda x: 2.5 * x),
    op("x / 2.5", lambda x: x / 2.5),
    op("2.5 / x", lambda x: 2.5 / x, domains=("nonzero",)),
    op("x ** 2", lambda x: x**2),
    op("x ** 3", lambda x: x**3),
    op("x ** 0.5", lambda x: x**0.5, domains=("positive",)),
    op("x ** -1.5", lambda x: x**-1.5, domains=("positive",)),
    op("x ** 0", lambda x: x**0),
    op("2.5 ** x", lambda x: 2.5**x),
    op("-x", lambda x: -x),
    op("x + ndarray", lambda x: x + CONST, torch_fn=lambda x: x + _torch().tensor(CONST)),
    op("ndarray - x", lambda x: CONST - x, torch_fn=lambda x: _torch().tensor(CONST) - x),
    op("ndarray * x", lambda x: CONST * x, torch_fn=lambda x: _torch().tensor(CONST) * x),
    op(
        "ndarray / x",
        lambda x: CONST / x,
        domains=("nonzero",),
        torch_fn=lambda x: _torch().tensor(CONST) / x,
    ),
    op("exp", lambda x: x.exp(), ref=np.exp),
    op("log", lambda x: x.log(), ref=np.log, domains=("positive",)),
    op("sqrt", lambda x: x.sqrt(), ref=np.sqrt, domains=("positive",)),
    op("tanh", lambda x: x.tanh(), ref=np.tanh),
    op("sigmoid", lambda x: x.sigmoid(), ref=lambda x: 1 / (1 + np.exp(-x))),
    op("relu", lambda x: x.relu(), ref=lambda x: np.maximum(x, 0), domains=("nonzero",)),
    op("abs", lambda x: x.abs(), ref=np.abs, domains=("nonzero",)),
    op("abs()", lambda x: abs(x), domains=("nonzero",)),
    *[
        op(
            f"sum axis={axis} keepdims={keep}",
            lambda x, a=axis, k=keep: x.sum(axis=a, keepdims=k),
            ((2, 3, 4),),
        )
        for axis in (None, 0, -1, (0, 2), (1,))
        for keep in (False, True)
    ],
    *[
        op(
            f"mean axis={axis} keepdims={keep}",
            lambda x, a=axis, k=keep: x.mean(axis=a, keepdims=k),
            ((2, 3, 4),),
        )
        for axis, keep in ((None, False), (1, False), ((0, 2), True), (-1, True))
    ],
    *[
        op(
            f"{name} axis={axis} keepdims={keep}",
            lambda x, a=axis, k=keep, n=name: getattr(x, n)(axis=a, keepdims=k),
            ((2, 3, 4),),
            torch_fn=lambda x, a=axis, k=keep, n=name: getattr(_torch(), "a" + n)(
                x, dim=_all_dims(a, x.ndim), keepdim=k
            ),
        )
        for name in ("max", "min")
        for axis, keep in ((None, False), (0, False), ((0, 2), True), (2, True))
    ],
    *[
        op(
            f"logsumexp axis={axis} keepdims={keep}",
            lambda x, a=axis, k=keep: x.logsumexp(axis=a, keepdims=k),
            ((2, 3, 4),),
            ref=lambda x, a=axis, k=keep: _logsumexp_ref(x, a, k),
            torch_fn=lambda x, a=axis, k=keep: _torch().logsumexp(
                x, dim=_all_dims(a, x.ndim), keepdim=k
            ),
        )
        for axis, keep in ((-1, False), (0, True), ((0, 2), False), (None, False))
    ],
    *[
        op(
            f"softmax axis={axis}",
            lambda x, a=axis: x.softmax(axis=a),
            ((2, 3, 4),),
            ref=lambda x, a=axis: _softmax_ref(x, a),
            torch_fn=lambda x, a=axis: x.softmax(dim=a),
        )
        for axis in (-1, 0, 1)
    ],
    *[
        op(
            f"log_softmax axis={axis}",
            lambda x, a=axis: x.log_softmax(axis=a),
            ((2, 3, 4),),
            ref=lambda x, a=axis: np.log(_softmax_ref(x, a)),
            torch_fn=lambda x, a=axis: x.log_softmax(dim=a),
        )
        for axis in (-1, 1)
    ],
    op("reshape(6, 4)", lambda x: x.reshape(6, 4), ((2, 3, 4),)),
    op("reshape(-1)", lambda x: x.reshape(-1), ((2, 3, 4),)),
    op("flatten", lambda x: x.flatten(), ((2, 3, 4),), ref=lambda x: x.reshape(-1)),
    op(
        "transpose(2, 0, 1)",
        lambda x: x.transpose(2, 0, 1),
        ((2, 3, 4),),
        torch_fn=lambda x: x.permute(2, 0, 1),
    ),
    op("transpose()", lambda x: x.transpose(), ((2, 3, 4),), torch_fn=lambda x: x.permute(2, 1, 0)),
    op(".T", lambda x: x.T, ((2, 3),)),
    op("swapaxes(0, 2)", lambda x: x.swapaxes(0, 2), ((2, 3, 4),)),
    op(
        "broadcast_to",
        lambda x: ops.broadcast_to(x, (2, 3, 4)),
        ((3, 1),),
        ref=lambda x: np.broadcast_to(x, (2, 3, 4)),
        torch_fn=lambda x: x.broadcast_to((2, 3, 4)),
    ),
    op("x[1]", lambda x: x[1], ((4, 5),)),
    op("x[1:3]", lambda x: x[1:3], ((4, 5),)),
    op("x[:, ::2]", lambda x: x[:, ::2], ((4, 5),)),
    op("x[-1, 2]", lambda x: x[-1, 2], ((4, 5),)),
    op(
        "x[::-1, 1:4:2]",
        lambda x: x[::-1, 1:4:2],
        ((4, 5),),
        torch_fn=lambda x: x.flip(0)[:, 1:4:2],
    ),
    op("x[None, 1:, ...]", lambda x: x[None, 1:, ...], ((4, 5),)),
    op("x[..., 0]", lambda x: x[..., 0], ((2, 4, 5),)),
    op("x[[0, 2, 0, 3]] repeated rows", lambda x: x[[0, 2, 0, 3]], ((4, 5),)),
    op(
        "x[int array, int array] repeated",
        lambda x: x[np.array([0, 0, 1, 3]), np.array([1, 1, 4, 1])],
        ((4, 5),),
    ),
    op("x[1:, int array]", lambda x: x[1:, np.array([4, 0, 4])], ((4, 5),)),
    op(
        "x[Tensor of indices]",
        lambda x: x[Tensor(np.array([3, 3, 0]))],
        ((4, 5),),
        ref=lambda x: x[np.array([3, 3, 0])],
        torch_fn=lambda x: x[_torch().tensor([3, 3, 0])],
    ),
    op(
        "x[bool mask]",
        lambda x: x[MASK],
        ((4, 5),),
        torch_fn=lambda x: x[_torch().tensor(MASK)],
    ),
    op(
        "x[bool row mask]",
        lambda x: x[np.array([True, False, False, True])],
        ((4, 5),),
        torch_fn=lambda x: x[_torch().tensor([True, False, False, True])],
    ),
    op(
        "where (3,4) (3,1) (4,)",
        lambda x, y: where(COND, x, y),
        ((3, 1), (4,)),
        ref=lambda x, y: np.where(COND, x, y),
        torch_fn=lambda x, y: _torch().where(_torch().tensor(COND), x, y),
    ),
    op(
        "where with a scalar",
        lambda x: where(Tensor(COND), x, 0.0),
        ((3, 4),),
        ref=lambda x: np.where(COND, x, 0.0),
        torch_fn=lambda x: _torch().where(_torch().tensor(COND), x, 0.0),
    ),
    *[
        op(
            f"concatenate axis={axis}",
            lambda x, y, a=axis: concatenate([x, y], axis=a),
            shapes,
            ref=lambda x, y, a=axis: np.concatenate([x, y], axis=a),
            torch_fn=lambda x, y, a=axis: _torch().cat([x, y], dim=a),
        )
        for axis, shapes in ((0, ((2, 3), (4, 3))), (1, ((2, 3), (2, 1))), (-1, ((2, 2), (2, 3))))
    ],
    op(
        "concatenate three",
        lambda x, y, z: concatenate([x, y, z]),
        ((1, 2), (3, 2), (2, 2)),
        ref=lambda x, y, z: np.concatenate([x, y, z]),
        torch_fn=lambda x, y, z: _torch().cat([x, y, z]),
    ),
    *[
        op(
            f"stack axis={axis}",
            lambda x, y, a=axis: stack([x, y], axis=a),
            ((2, 3), (2, 3)),
            ref=lambda x, y, a=axis: np.stack([x, y], axis=a),
            torch_fn=lambda x, y, a=axis: _torch().stack([x, y], dim=a),
        )
        for axis in (0, 1, -1)
    ],
    *[
        op(f"matmul {a}@{b}", lambda x, y: x @ y, (a, b))
        for a, b in (
            ((3,), (3,)),
            ((2, 3), (3,)),
            ((3,), (3, 4)),
            ((2, 3), (3, 4)),
            ((5, 2, 3), (5, 3, 4)),
            ((5, 2, 3), (3, 4)),
            ((3,), (5, 3, 4)),
            ((2, 1, 2, 3), (3, 3, 4)),  # batch dims (2, 1) and (3,) broadcast to (2, 3)
        )
    ],
    op(
        "matmul ndarray @ x",
        lambda x: CONST @ x,
        ((3, 4),),
        torch_fn=lambda x: _torch().tensor(CONST) @ x,
    ),
    op(
        "composite: softmax(x @ w + b) . log",
        lambda x, w, b: ((x @ w + b).tanh().softmax(axis=-1) + 1.0).log().sum(axis=0),
        ((4, 3), (3, 5), (5,)),
        ref=lambda x, w, b: np.log(_softmax_ref(np.tanh(x @ w + b), -1) + 1.0).sum(axis=0),
    ),
]
IDS = [row.name for row in TENSOR_OPS]


# --- running a row --------------------------------------------------------------------------


def _leaves(arrays: list[np.ndarray], dtype: Any = np.float64) -> list[Tensor]:
    return [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]


def _loss(row: TensorOp, xs: list[Tensor]) -> Tensor:
    """sum(w * out): its gradient is the op's vector-Jacobian product with w."""
    out = row.fn(*xs)
    return (out * _weights(row, out.shape)).sum()


def _loss2(row: TensorOp, xs: list[Tensor]) -> Tensor:
    """sum(w * out**2): curved in every input, so its Hessian exercises the op's rule with
    recorded gradients (create_graph) even for linear ops."""
    out = row.fn(*xs)
    return (out * out * _weights(row, out.shape)).sum()


def _grads(row: TensorOp, *arrays: np.ndarray) -> list[np.ndarray]:
    xs = _leaves(list(arrays))
    return [g.data for g in grad(_loss2(row, xs), xs)]


def _hvp(row: TensorOp, arrays: list[np.ndarray], vs: list[np.ndarray]) -> list[np.ndarray]:
    xs = _leaves(arrays)
    firsts = grad(_loss2(row, xs), xs, create_graph=True)
    dot = sum(((g * v).sum() for g, v in zip(firsts, vs)), Tensor(np.float64(0.0)))
    if not dot.requires_grad:  # the gradient is constant: the Hessian is zero
        return [np.zeros_like(a) for a in arrays]
    seconds = grad(dot, xs, allow_unused=True)
    return [np.zeros_like(a) if s is None else s.data for a, s in zip(arrays, seconds)]


@pytest.mark.parametrize("row", TENSOR_OPS, ids=IDS)
def test_value_matches_numpy(row: TensorOp) -> None:
    arrays = _inputs(row)
    out = row.fn(*_leaves(arrays))
    want = np.asarray(_ref(row)(*arrays))
    assert out.shape == want.shape
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("row", TENSOR_OPS, ids=IDS)
def test_gradient_matches_finite_differences(row: TensorOp) -> None:
    arrays = _inputs(row)
    xs = _leaves(arrays)
    _loss(row, xs).backward()
    out_shape = np.shape(_ref(row)(*arrays))
    w = _weights(row, out_shape)
    expected = numeric_grad(lambda *a: float(np.sum(np.asarray(_ref(row)(*a)) * w)), arrays)
    for x, want in zip(xs, expected):
        assert x.grad is not None and x.grad.shape == x.shape and x.grad.dtype == np.float64
        np.testing.assert_allclose(x.grad, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("row", TENSOR_OPS, ids=IDS)
def test_second_derivative_matches_finite_differences_of_the_gradient(row: TensorOp) -> None:
    arrays = _inputs(row)
    rng = np.random.default_rng(7)
    vs = [rng.standard_normal(a.shape) for a in arrays]
    got = _hvp(row, arrays, vs)
    expected = numeric_directional(lambda *a: _grads(row, *a), arrays, vs)
    for g, want in zip(got, expected):
        assert g.dtype == np.float64
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("row", TENSOR_OPS, ids=IDS)
def test_value_gradient_and_hessian_vector_product_match_torch(row: TensorOp) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    fn = row.torch_fn or row.fn
    arrays = _inputs(row)
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    w = torch.tensor(_weights(row, tuple(out.shape)))
    t_grads = torch.autograd.grad((out * w).sum(), ts, retain_graph=True)
    firsts = torch.autograd.grad((out * out * w).sum(), ts, create_graph=True)
    rng = np.random.default_rng(7)
    vs = [rng.standard_normal(a.shape) for a in arrays]
    dot = sum((g * torch.tensor(v)).sum() for g, v in zip(firsts, vs))
    if dot.requires_grad:
        seconds = torch.autograd.grad(dot, ts, allow_unused=True)
        t_hvp = [np.zeros(a.shape) if s is None else s.numpy() for a, s in zip(arrays, seconds)]
    else:
        t_hvp = [np.zeros(a.shape) for a in arrays]

    xs = _leaves(arrays)
    ours = row.fn(*xs)
    np.testing.assert_allclose(ours.data, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    for g, want in zip(grad(_loss(row, xs), xs), t_grads):
        np.testing.assert_allclose(g.data, want.numpy(), rtol=1e-10, atol=1e-12)
    for g, want in zip(_hvp(row, arrays, vs), t_hvp):
        np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-11)


# rows that mix in a float64 ndarray promote to float64, as NumPy and PyTorch do
FLOAT32_ROWS = [row for row in TENSOR_OPS if "ndarray" not in row.name]


@pytest.mark.parametrize("row", FLOAT32_ROWS, ids=[row.name for row in FLOAT32_ROWS])
def test_float32_stays_float32_through_the_op_and_its_gradients(row: TensorOp) -> None:
    xs = _leaves(_inputs(row), np.float32)
    out = row.fn(*xs)
    assert out.dtype == np.float32
    (out * _weights(row, out.shape).astype(np.float32)).sum().backward()
    for x in xs:
        assert x.grad is not None and x.grad.dtype == np.float32 and x.grad.shape == x.shape


# --- broadcasting, drawn --------------------------------------------------------------------

BROADCASTING_OPS = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1.0),
    "maximum": maximum,
    "minimum": minimum,
}


@given(
    st.sampled_from(sorted(BROADCASTING_OPS)),
    hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    st.integers(0, 2**16),
)
def test_drawn_broadcast_shapes_gradients_match_finite_differences(
    name: str, shapes: Any, seed: int
) -> None:
    fn = BROADCASTING_OPS[name]
    ref = {"maximum": np.maximum, "minimum": np.minimum}.get(name, fn)
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes.input_shapes]
    w = rng.standard_normal(shapes.result_shape)
    xs = _leaves(arrays)
    out = fn(*xs)
    assert out.shape == shapes.result_shape
    (out * w).sum().backward()
    expected = numeric_grad(lambda *a: float(np.sum(ref(*a) * w)), arrays)
    for x, want in zip(xs, expected):
        assert x.grad is not None and x.grad.shape == x.shape
        np.testing.assert_allclose(x.grad, want, rtol=1e-5, atol=1e-7)


# --- reductions, drawn ----------------------------------------------------------------------


@st.composite
def _shape_and_axis(draw: st.DrawFn) -> tuple[Shape, Any]:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    if draw(st.booleans()):
        return shape, None
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True))
    signed = tuple(a - len(shape) if draw(st.booleans()) else a for a in axes)
    return shape, signed[0] if len(signed) == 1 and draw(st.booleans()) else signed


@given(
    st.sampled_from(["sum", "mean", "max", "min", "logsumexp"]),
    _shape_and_axis(),
    st.booleans(),
    st.integers(0, 2**16),
)
def test_drawn_reductions_match_numpy_and_finite_differences(
    name: str, shape_axis: tuple[Shape, Any], keepdims: bool, seed: int
) -> None:
    shape, axis = shape_axis
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape)  # distinct values: no ties
    if name == "logsumexp":

        def ref(a: np.ndarray) -> np.ndarray:
            return _logsumexp_ref(a, axis, keepdims)
    else:

        def ref(a: np.ndarray) -> np.ndarray:
            return np.asarray(getattr(np, name)(a, axis=axis, keepdims=keepdims))

    x = Tensor(data, requires_grad=True)
    out = getattr(x, name)(axis=axis, keepdims=keepdims)
    want = ref(data)
    assert out.shape == want.shape
    np.testing.assert_allclose(out.data, want, rtol=1e-12, atol=1e-12)
    w = rng.standard_normal(want.shape)
    (out * w).sum().backward()
    (expected,) = numeric_grad(lambda a: float(np.sum(ref(a) * w)), [data])
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, expected, rtol=1e-5, atol=1e-7)


# --- max/min ties split the gradient evenly ----------------------------------------------------

TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [5.0, -1.0, 5.0, 5.0]])


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_ties_split_the_gradient_evenly(axis: Any, keepdims: bool) -> None:
    x = Tensor(TIES, requires_grad=True)
    x.max(axis=axis, keepdims=keepdims).sum().backward()
    m = TIES.max(axis=axis, keepdims=True)
    hits = (TIES == m).astype(np.float64)
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, hits / hits.sum(axis=axis, keepdims=True))


def test_max_and_min_ties_match_torch_amax_amin() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    for name in ("max", "min"):
        for axis in (None, 0, 1):
            x = Tensor(TIES, requires_grad=True)
            t = torch.tensor(TIES, requires_grad=True)
            getattr(x, name)(axis=axis).sum().backward()
            dims = (0, 1) if axis is None else axis
            getattr(torch, "a" + name)(t, dim=dims).sum().backward()
            np.testing.assert_allclose(x.grad, t.grad.numpy(), err_msg=f"{name} axis={axis}")


def test_elementwise_maximum_and_minimum_ties_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 5.0, 3.0])
    for ours, theirs in ((maximum, torch.maximum), (minimum, torch.minimum)):
        x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
        ours(x, y).sum().backward()
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        theirs(tx, ty).sum().backward()
        np.testing.assert_allclose(x.grad, tx.grad.numpy())
        np.testing.assert_allclose(y.grad, ty.grad.numpy())
    assert x.grad is not None and x.grad[0] == 0.5  # a tie: each side gets half


# --- indexing: repeated indices add up ---------------------------------------------------------


@given(
    st.lists(st.integers(-6, 5), min_size=1, max_size=12),
    st.integers(0, 2**16),
)
def test_drawn_integer_indices_gradients_add_up(indices: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((6, 2)), requires_grad=True)
    w = rng.standard_normal((len(indices), 2))
    (x[indices] * w).sum().backward()
    expected = np.zeros((6, 2))
    for row, i in enumerate(indices):
        expected[i] += w[row]
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)


def test_bool_mask_gradient_is_the_mask() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x[x > 2.0].sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [1, 1, 1]])


# --- numerically stable softmax family -------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_family_is_stable_for_inputs_of_1e4(dtype: Any) -> None:
    data = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4 + 2.0]], dtype=dtype)
    shifted = np.array([[0.0, -1.0, -2e4], [0.0, 0.0, 2.0]])
    x = Tensor(data, requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):  # an overflow or a nan would raise here
        lse = x.logsumexp(axis=-1)
        sm = x.softmax(axis=-1)
        lsm = x.log_softmax(axis=-1)
        (lse.sum() + (sm * sm).sum() + lsm[:, 0].sum()).backward()
    want_sm = _softmax_ref(shifted, -1)
    assert lse.dtype == sm.dtype == lsm.dtype == dtype
    np.testing.assert_allclose(sm.data, want_sm, rtol=1e-6)
    np.testing.assert_allclose(lsm.data[:, :2], np.log(want_sm[:, :2]), rtol=1e-6, atol=1e-6)
    assert lsm.data[0, 2] == pytest.approx(-2e4 - np.log1p(np.exp(-1.0)), rel=1e-6)
    np.testing.assert_allclose(
        lse.data, [1e4 + np.log1p(np.exp(-1.0)), -1e4 + 2 + np.log(1 + 2 * np.exp(-2.0))], rtol=1e-7
    )
    assert x.grad is not None and np.isfinite(x.grad).all()


def test_sigmoid_is_stable_for_large_inputs() -> None:
    x = Tensor(np.array([-1e4, -50.0, 0.0, 50.0, 1e4]), requires_grad=True)
    with np.errstate(over="raise"):
        s = x.sigmoid()
        s.sum().backward()
    np.testing.assert_allclose(s.data, [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], rtol=1e-12)
    assert x.grad is not None and np.isfinite(x.grad).all()


# --- dtypes -----------------------------------------------------------------------------------


def test_numbers_and_lists_become_float32_and_numpy_arrays_keep_their_dtype() -> None:
    assert Tensor(1.5).dtype == np.float32
    assert Tensor([1, 2, 3]).dtype == np.float32
    assert Tensor([[1.0, 2.0]]).dtype == np.float32
    assert Tensor(np.zeros(2)).dtype == np.float64
    assert Tensor(np.float64(2.0)).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.int64
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    "expr",
    [
        lambda x: x + 1,
        lambda x: 2 * x - 0.5,
        lambda x: 1.0 / x,
        lambda x: x**2 + 3.0**x,
        lambda x: x * np.float64(2.0),
        lambda x: maximum(x, 0.0),
        lambda x: where(x > 1.0, x, 0.0),
        lambda x: x @ [1.0, 2.0],
        lambda x: concatenate([x, [5.0]]),
    ],
    ids=[
        "x+1",
        "2x-0.5",
        "1/x",
        "pow",
        "np.float64",
        "maximum",
        "where",
        "matmul list",
        "concat list",
    ],
)
def test_mixing_float32_with_python_scalars_keeps_float32(expr: Callable[[Tensor], Tensor]) -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    out = expr(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float32


def test_float64_gradients_stay_float64_when_mixed_with_float32() -> None:
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    out = a * b + b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad is not None and a.grad.dtype == np.float64
    assert b.grad is not None and b.grad.dtype == np.float32


@pytest.mark.parametrize("combine", [concatenate, stack], ids=["concatenate", "stack"])
def test_concatenate_and_stack_give_each_input_its_own_dtype(combine: Any) -> None:
    a32 = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    b64 = Tensor(np.ones(2), requires_grad=True)
    combine([a32, b64]).sum().backward()
    assert a32.grad is not None and a32.grad.dtype == np.float32
    assert b64.grad is not None and b64.grad.dtype == np.float64


def test_astype_round_trip_casts_the_gradient_back() -> None:
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and x.double().float().dtype == np.float32
    (y * y).sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    (g,) = grad((x.astype(np.float64) ** 3).sum(), [x], create_graph=True)
    (h,) = grad(g.sum(), [x])
    np.testing.assert_allclose(h.data, [6.0, 12.0])  # d2/dx2 of x**3 through astype


def test_int_and_bool_tensors_are_data_without_gradients() -> None:
    labels = Tensor(np.array([0, 2, 1]))
    mask = Tensor(np.array([True, False, True]))
    x = Tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    assert labels.dtype == np.int64 and mask.dtype == np.bool_
    picked = x[np.arange(3), labels]
    np.testing.assert_array_equal(picked.data, [0.0, 5.0, 7.0])
    total = where(mask, picked, 0.0).sum() + (x * labels).sum()
    assert not (labels * 2).requires_grad
    assert not x.astype(np.int64).requires_grad  # a cast to integers leaves the graph
    total.backward()
    assert labels.grad is None and mask.grad is None
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad, [[1, 2, 1], [0, 2, 1], [0, 3, 1]])


def test_comparisons_give_bool_tensors_outside_the_graph() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for cmp in (x < 2.0, x <= 2.0, x > Tensor([0.0, 5.0, 3.0]), x >= 2.0):
        assert cmp.dtype == np.bool_ and not cmp.requires_grad
    np.testing.assert_array_equal((x > 1.5).data, [False, True, True])


def test_zero_dim_leaf_gradient_is_an_array() -> None:
    x = Tensor(np.float64(2.0), requires_grad=True)
    (x * 3.0).backward()  # NumPy gives a scalar for 0-d arithmetic; .grad must stay an array
    assert isinstance(x.grad, np.ndarray) and x.grad.shape == () and x.grad == 3.0


def test_zero_dim_leaf_gradient_stays_an_array_when_contributions_add_up() -> None:
    x = Tensor(np.float64(2.0), requires_grad=True)
    (x * 3.0 + (x * Tensor(np.ones(4))).sum()).backward()
    assert isinstance(x.grad, np.ndarray) and x.grad.shape == () and x.grad == 7.0


# --- regressions ------------------------------------------------------------------------------


def test_pow_gradient_of_the_exponent_at_a_zero_base_is_zero_as_in_torch() -> None:
    base = Tensor(np.array([0.0, 0.0, 2.0]), requires_grad=True)
    exponent = Tensor(np.array([2.0, 0.0, 3.0]), requires_grad=True)
    (base**exponent).sum().backward()
    assert exponent.grad is not None and base.grad is not None
    np.testing.assert_allclose(exponent.grad, [0.0, 0.0, 8.0 * np.log(2.0)])
    np.testing.assert_allclose(base.grad, [0.0, 0.0, 12.0])


def test_pow_with_a_constant_tensor_exponent_skips_the_log_of_a_negative_base() -> None:
    x = Tensor(np.array([-2.0, 3.0]), requires_grad=True)
    with np.errstate(invalid="raise", divide="raise"):
        (x ** Tensor(np.array([2.0, 2.0]))).sum().backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad, [-4.0, 6.0])


def test_float_maths_on_integer_data_gives_floats() -> None:
    ints = Tensor(np.array([0, 1, 2]))
    np.testing.assert_allclose(ints.sigmoid().data, 1 / (1 + np.exp(-np.arange(3.0))))
    np.testing.assert_allclose((2.0**ints).data, [1.0, 2.0, 4.0])
