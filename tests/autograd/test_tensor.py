"""Tensor beyond the op declarations (each op's values, gradients, second derivatives and dtypes
against PyTorch and finite differences are tested from its declaration, tests/autograd/test_ops.py):
a composite network expression, drawn broadcast shapes and reduction dims, max/min ties, repeated
indices, the stable softmax family, dtypes and 0-d gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd import Tensor, concatenate, grad, maximum, minimum, stack, where
from tests.support.fd import numeric_directional, numeric_grad

Shape = tuple[int, ...]


def _softmax_ref(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _logsumexp_ref(x: np.ndarray, axis: Any, keepdims: bool = False) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else out.squeeze(axis=axis)


def _leaves(arrays: list[np.ndarray], dtype: Any = np.float64) -> list[Tensor]:
    return [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]


# --- a composite expression: the ops' rules chained, to second order ----------------------------


def _network(x: Any, w: Any, b: Any) -> Any:
    """softmax(tanh(x @ w + b)), shifted and logged, summed over the batch: runs on dagrad and
    PyTorch tensors alike."""
    return ((x @ w + b).tanh().softmax(dim=-1) + 1.0).log().sum(dim=0)


def _network_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.log(_softmax_ref(np.tanh(x @ w + b), -1) + 1.0).sum(axis=0)


COMPOSITE_SHAPES = ((4, 3), (3, 5), (5,))


def _composite_inputs() -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(12)
    arrays = [rng.standard_normal(s) for s in COMPOSITE_SHAPES]
    return arrays, rng.standard_normal(5), [rng.standard_normal(s) for s in COMPOSITE_SHAPES]


def _composite_grads(w_out: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    """The gradient of sum(w * out**2): curved in every input, so its own derivative runs every
    rule on recorded gradients (create_graph)."""
    xs = _leaves(list(arrays))
    out = _network(*xs)
    return [g.data for g in grad((out * out * w_out).sum(), xs)]


def _composite_hvp(
    arrays: list[np.ndarray], w_out: np.ndarray, vs: list[np.ndarray]
) -> list[np.ndarray]:
    xs = _leaves(arrays)
    out = _network(*xs)
    firsts = grad((out * out * w_out).sum(), xs, create_graph=True)
    dot = sum(((g * v).sum() for g, v in zip(firsts, vs)), Tensor(np.float64(0.0)))
    return [s.data for s in grad(dot, xs)]


def test_composite_network_expression_matches_numpy_and_finite_differences_to_second_order() -> (
    None
):
    arrays, w_out, vs = _composite_inputs()
    xs = _leaves(arrays)
    out = _network(*xs)
    np.testing.assert_allclose(out.data, _network_ref(*arrays), rtol=1e-12, atol=1e-12)
    (out * w_out).sum().backward()
    expected = numeric_grad(lambda *a: float(np.sum(_network_ref(*a) * w_out)), arrays)
    for x, want in zip(xs, expected):
        assert x.grad is not None and x.grad.dtype == np.float64
        np.testing.assert_allclose(x.grad.data, want, rtol=1e-5, atol=1e-7)
    got = _composite_hvp(arrays, w_out, vs)
    want_hvp = numeric_directional(lambda *a: _composite_grads(w_out, *a), arrays, vs)
    for g, want in zip(got, want_hvp):
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


def test_composite_expression_matches_torch_to_second_order() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    arrays, w_out, vs = _composite_inputs()
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = _network(*ts)
    w = torch.tensor(w_out)
    t_grads = torch.autograd.grad((out * w).sum(), ts, retain_graph=True)
    firsts = torch.autograd.grad((out * out * w).sum(), ts, create_graph=True)
    dot = sum((g * torch.tensor(v)).sum() for g, v in zip(firsts, vs))
    t_hvp = torch.autograd.grad(dot, ts)

    xs = _leaves(arrays)
    ours = _network(*xs)
    np.testing.assert_allclose(ours.data, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    for g, want in zip(grad((ours * w_out).sum(), xs), t_grads):
        np.testing.assert_allclose(g.data, want.numpy(), rtol=1e-10, atol=1e-12)
    for g, want in zip(_composite_hvp(arrays, w_out, vs), t_hvp):
        np.testing.assert_allclose(g, want.numpy(), rtol=1e-9, atol=1e-11)


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
        np.testing.assert_allclose(x.grad.data, want, rtol=1e-5, atol=1e-7)


# --- reductions, drawn ----------------------------------------------------------------------


@st.composite
def _shape_and_axis(draw: st.DrawFn) -> tuple[Shape, Any]:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    if draw(st.booleans()):
        return shape, None
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True))
    signed = tuple(a - len(shape) if draw(st.booleans()) else a for a in axes)
    return shape, signed[0] if len(signed) == 1 and draw(st.booleans()) else signed


# over dims: the values-only reductions (max(dim=d) returns values and indices, as in PyTorch)
NUMPY_NAMES = {"sum": "sum", "mean": "mean", "amax": "max", "amin": "min"}


@given(
    st.sampled_from(["sum", "mean", "amax", "amin", "logsumexp"]),
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
            return np.asarray(getattr(np, NUMPY_NAMES[name])(a, axis=axis, keepdims=keepdims))

    x = Tensor(data, requires_grad=True)
    # logsumexp needs its dims (as in PyTorch): every dim stands for None
    dims = tuple(range(len(shape))) if axis is None and name == "logsumexp" else axis
    # NumPy's spelling (axis=, keepdims=) is accepted beside PyTorch's
    out = getattr(x, name)(axis=dims, keepdims=keepdims)
    want = ref(data)
    assert out.shape == want.shape
    np.testing.assert_allclose(out.data, want, rtol=1e-12, atol=1e-12)
    w = rng.standard_normal(want.shape)
    (out * w).sum().backward()
    (expected,) = numeric_grad(lambda a: float(np.sum(ref(a) * w)), [data])
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-5, atol=1e-7)


# --- max/min ties: amax/amin and max()/min() over everything split the gradient evenly;
# max(dim=d)/min(dim=d) send it to the returned index (as PyTorch) -----------------------------

TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [5.0, -1.0, 5.0, 5.0]])


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_ties_split_the_gradient_evenly(dim: Any, keepdim: bool) -> None:
    x = Tensor(TIES, requires_grad=True)
    out = x.max() if dim is None and not keepdim else x.amax(dim=dim, keepdim=keepdim)
    out.sum().backward()
    m = TIES.max(axis=dim, keepdims=True)
    hits = (TIES == m).astype(np.float64)
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.data, hits / hits.sum(axis=dim, keepdims=True))


def test_max_and_min_ties_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    calls: list[tuple[str, Callable[[Any], Any]]] = [
        ("max()", lambda t: t.max()),
        ("min()", lambda t: t.min()),
        *[(f"amax(dim={d})", lambda t, d=d: t.amax(dim=d)) for d in ((0, 1), 0, 1)],
        *[(f"amin(dim={d})", lambda t, d=d: t.amin(dim=d)) for d in ((0, 1), 0, 1)],
        *[(f"max(dim={d})", lambda t, d=d: t.max(dim=d).values) for d in (0, 1)],
        *[(f"min(dim={d})", lambda t, d=d: t.min(dim=d)[0]) for d in (0, 1)],
    ]
    for name, call in calls:
        x = Tensor(TIES, requires_grad=True)
        t = torch.tensor(TIES, requires_grad=True)
        call(x).sum().backward()
        call(t).sum().backward()
        assert x.grad is not None
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), err_msg=name)


def test_elementwise_maximum_and_minimum_ties_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison")
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 5.0, 3.0])
    for ours, theirs in ((maximum, torch.maximum), (minimum, torch.minimum)):
        x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
        ours(x, y).sum().backward()
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        theirs(tx, ty).sum().backward()
        assert x.grad is not None and y.grad is not None
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy())
        np.testing.assert_allclose(y.grad.data, ty.grad.numpy())
    assert x.grad.data[0] == 0.5  # a tie: each side gets half


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
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


def test_bool_mask_gradient_is_the_mask() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x[x > 2.0].sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 0], [1, 1, 1]])


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
    assert x.grad is not None and np.isfinite(x.grad.data).all()


def test_sigmoid_is_stable_for_large_inputs() -> None:
    x = Tensor(np.array([-1e4, -50.0, 0.0, 50.0, 1e4]), requires_grad=True)
    with np.errstate(over="raise"):
        s = x.sigmoid()
        s.sum().backward()
    np.testing.assert_allclose(s.data, [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], rtol=1e-12)
    assert x.grad is not None and np.isfinite(x.grad.data).all()


# --- dtypes -----------------------------------------------------------------------------------


def test_construction_dtypes_follow_torch_tensor() -> None:
    # floats -> float32 (the default dtype), ints -> int64, bools -> bool (issue 14: ints and
    # bools were float32 before); NumPy data keeps its dtype
    assert Tensor(1.5).dtype == np.float32
    assert Tensor([1, 2, 3]).dtype == np.int64
    assert Tensor([True, False]).dtype == np.bool_
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
        pytest.param(
            lambda x: x * np.float64(2.0),
        ),
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
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
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
    np.testing.assert_array_equal(x.grad.data, [[1, 2, 1], [0, 2, 1], [0, 3, 1]])


def test_comparisons_give_bool_tensors_outside_the_graph() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for cmp in (x < 2.0, x <= 2.0, x > Tensor([0.0, 5.0, 3.0]), x >= 2.0):
        assert cmp.dtype == np.bool_ and not cmp.requires_grad
    np.testing.assert_array_equal((x > 1.5).data, [False, True, True])


def test_zero_dim_leaf_gradient_is_an_array() -> None:
    x = Tensor(np.float64(2.0), requires_grad=True)
    (x * 3.0).backward()  # NumPy gives a scalar for 0-d arithmetic; .grad must stay an array
    assert x.grad is not None
    assert type(x.grad.data) is np.ndarray and x.grad.shape == () and x.grad.item() == 3.0


def test_zero_dim_leaf_gradient_stays_an_array_when_contributions_add_up() -> None:
    x = Tensor(np.float64(2.0), requires_grad=True)
    (x * 3.0 + (x * Tensor(np.ones(4))).sum()).backward()
    assert x.grad is not None
    assert type(x.grad.data) is np.ndarray and x.grad.shape == () and x.grad.item() == 7.0


# --- regressions ------------------------------------------------------------------------------


def test_pow_gradient_of_the_exponent_at_a_zero_base_is_zero_as_in_torch() -> None:
    base = Tensor(np.array([0.0, 0.0, 2.0]), requires_grad=True)
    exponent = Tensor(np.array([2.0, 0.0, 3.0]), requires_grad=True)
    (base**exponent).sum().backward()
    assert exponent.grad is not None and base.grad is not None
    np.testing.assert_allclose(exponent.grad.data, [0.0, 0.0, 8.0 * np.log(2.0)])
    np.testing.assert_allclose(base.grad.data, [0.0, 0.0, 12.0])


def test_pow_with_a_constant_tensor_exponent_skips_the_log_of_a_negative_base() -> None:
    x = Tensor(np.array([-2.0, 3.0]), requires_grad=True)
    with np.errstate(invalid="raise", divide="raise"):
        (x ** Tensor(np.array([2.0, 2.0]))).sum().backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.data, [-4.0, 6.0])


def test_float_maths_on_integer_data_gives_floats() -> None:
    ints = Tensor(np.array([0, 1, 2]))
    np.testing.assert_allclose(ints.sigmoid().data, 1 / (1 + np.exp(-np.arange(3.0))))
    np.testing.assert_allclose((2.0**ints).data, [1.0, 2.0, 4.0])


def test_assigning_text_as_a_gradient_is_refused_as_text() -> None:
    # regression: np.asarray("abc") is a 0-d array, so the setter blamed its shape ()
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match=r"assigned grad must be .* got a str \('abc'\)"):
        x.grad = "abc"  # type: ignore[assignment]
    x.grad = np.zeros(3)  # numbers are taken as before
    assert x.grad is not None and x.grad.shape == (3,)


def test_an_integer_tensor_to_negative_integer_tensor_powers_truncates_as_in_pytorch() -> None:
    # a Python int exponent raises (see the bad-input table); a tensor exponent truncates
    got = Tensor(np.array([0, 1, 2, -1])) ** Tensor(np.array(-1))
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.data, [0, 1, 0, -1])  # torch.tensor([0, 1, 2, -1]) ** -1
