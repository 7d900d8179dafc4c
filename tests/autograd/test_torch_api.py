"""The torch-level names and the ops that are not differentiated, against PyTorch: creation
functions, dtypes and promotion, the shared generator, to()/cpu()/devices, grad modes,
comparisons and bool/integer ops, isclose/allclose/equal, any/all, sort/topk/argmax indices
(ties and NaN included), and the clear errors for what dagrad does not have.

Differentiable ops are tested from their declarations in tests/autograd/test_ops.py.
"""

# ruff: noqa: B023 - the lambdas given to _check run at once, inside their loop iteration

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd
from autograd import gradcheck

torch = pytest.importorskip("torch")


# --- helpers -------------------------------------------------------------------------------------


def _dtype_name(dtype: Any) -> str:
    return str(dtype).replace("torch.", "")


def _same(ours: Any, theirs: Any, what: str = "", exact: bool = True) -> None:
    """Equal results: tensors (dtype, shape, values, NaN where PyTorch has NaN), tuples of them,
    Python numbers and bools."""
    if isinstance(theirs, torch.Size):
        theirs = tuple(theirs)
    if isinstance(theirs, (tuple, list)) and not (theirs and isinstance(theirs[0], int)):
        assert isinstance(ours, (tuple, list)), (
            f"{what}: got {type(ours).__name__}, expected a tuple"
        )
        assert len(ours) == len(theirs), f"{what}: {len(ours)} results, PyTorch {len(theirs)}"
        for k, (a, b) in enumerate(zip(ours, theirs)):
            _same(a, b, f"{what}[{k}]", exact)
        return
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, autograd.Tensor), (
            f"{what}: got {type(ours).__name__}, expected a Tensor"
        )
        assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype), (
            f"{what}: dtype {ours.dtype}, PyTorch {theirs.dtype}"
        )
        assert tuple(ours.shape) == tuple(theirs.shape), (
            f"{what}: shape {ours.shape}, PyTorch {tuple(theirs.shape)}"
        )
        expected = theirs.detach().numpy()
        if exact:
            np.testing.assert_array_equal(ours.data, expected, err_msg=what)
        else:
            np.testing.assert_allclose(ours.data, expected, rtol=1e-6, atol=1e-7, err_msg=what)
        return
    assert type(ours) is type(theirs) and ours == theirs, f"{what}: {ours!r}, PyTorch {theirs!r}"


def _both(fn: Callable[..., Any], *arrays: np.ndarray) -> tuple[Any, Any]:
    ours = fn(autograd, *[autograd.tensor(a) for a in arrays])
    theirs = fn(torch, *[torch.tensor(a) for a in arrays])
    return ours, theirs


def _check(fn: Callable[..., Any], *arrays: np.ndarray, exact: bool = True) -> None:
    ours, theirs = _both(fn, *arrays)
    _same(ours, theirs, "result", exact)


def _blank(x: Any) -> Any:
    """Zeros of x's shape and dtype: PyTorch's uninitialised memory (empty, FloatTensor(2, 3))
    may hold anything, NaN included."""
    return (autograd if isinstance(x, autograd.Tensor) else torch).zeros_like(x)


FLOATS = np.array(
    [[1.5, -2.0, 0.0, np.nan], [np.inf, -np.inf, 1.5, -0.0], [3.0, 2.0, -2.0, 1e-9]],
    dtype=np.float64,
)
PLAIN = np.array([[0.5, -1.25, 3.0, 3.0], [2.0, -0.5, 0.0, 7.5], [-3.0, 2.0, 2.0, 1.0]])
INTS = np.array([[3, -7, 0, 12], [5, 5, -1, 8], [-128, 127, 64, 2]], dtype=np.int64)
BOOLS = np.array(
    [[True, False, True, False], [False, False, True, True], [True, True, True, False]]
)


def _as(dtype: Any, data: np.ndarray = INTS) -> np.ndarray:
    return data.astype(dtype)


# --- comparisons, bitwise and logical ops ---------------------------------------------------

COMPARISONS = [
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "greater",
    "less",
    "greater_equal",
    "less_equal",
    "not_equal",
]


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons_as_functions_and_methods(name: str) -> None:
    other = np.array([1.5, 2.0, 0.0, -2.0])
    _check(lambda t, x, y: getattr(t, name)(x, y), FLOATS, other)
    _check(lambda t, x: getattr(x, name)(1.5), FLOATS)
    _check(lambda t, x, y: getattr(x, name)(y), INTS, _as(np.int32, INTS[::-1]))
    _check(lambda t, x, y: getattr(t, name)(x, y), INTS, PLAIN)


OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
}
BITWISE = {"&": "bitwise_and", "|": "bitwise_or", "^": "bitwise_xor"}


DTYPE_PAIRS = [(np.bool_, np.bool_), (np.int64, np.int64), (np.int32, np.int64),
               (np.uint8, np.uint8), (np.bool_, np.int32), (np.uint8, np.int8)]  # fmt: skip


@pytest.mark.parametrize("symbol", sorted(OPERATORS))
@pytest.mark.parametrize("dtypes", DTYPE_PAIRS)
def test_bitwise_operators_on_bools_and_integers(symbol: str, dtypes: tuple[Any, Any]) -> None:
    a = BOOLS.astype(dtypes[0]) if dtypes[0] is np.bool_ else _as(dtypes[0])
    b = BOOLS[::-1].astype(dtypes[1]) if dtypes[1] is np.bool_ else _as(dtypes[1], INTS[::-1] % 100)
    op = OPERATORS[symbol]
    _check(lambda t, x, y: op(x, y), a, b)
    _check(lambda t, x, y: getattr(t, BITWISE[symbol])(x, y), a, b)
    _check(lambda t, x, y: getattr(x, BITWISE[symbol])(y), a, b[0])
    number = True if dtypes[0] is np.bool_ else 6
    _check(lambda t, x: op(x, number), a)  # a number does not promote the tensor
    _check(lambda t, x: op(number, x), a)


@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.int32, np.uint8, np.int8])
def test_invert_and_bitwise_not(dtype: Any) -> None:
    data = BOOLS if dtype is np.bool_ else _as(dtype)
    _check(lambda t, x: ~x, data)
    _check(lambda t, x: t.bitwise_not(x), data)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int8, np.int16])
def test_shifts_on_integers(dtype: Any) -> None:
    data = _as(dtype)
    _check(lambda t, x: x << 3, data)
    _check(lambda t, x: x >> 2, data)
    width = np.dtype(dtype).itemsize * 8
    for s in (
        0,
        1,
        width - 1,
        width,
        width + 5,
    ):  # shifts by the width or more give 0 (or the sign)
        _check(lambda t, x: t.bitwise_left_shift(x, s), data)
        _check(lambda t, x: x.bitwise_right_shift(s), data)
    amounts = (np.abs(INTS) % 9).astype(dtype)
    _check(lambda t, x, s: x << s, data, amounts)
    _check(lambda t, x, s: x >> s, data, amounts)
    _check(lambda t, x: 1 << x, (np.abs(INTS) % 7).astype(dtype))


@pytest.mark.parametrize("symbol", ["&", "|", "^", "~", "<<", ">>"])
def test_bitwise_ops_refuse_floats_with_a_clear_error(symbol: str) -> None:
    x = autograd.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="integer"):
        if symbol == "~":
            ~x  # noqa: B018 - the operator is the test
        else:
            eval(f"x {symbol} x")  # noqa: S307 - the operator, spelled once
    with torch_raises():
        t = torch.tensor([1.0, 2.0])
        ~t if symbol == "~" else eval(f"t {symbol} t")  # noqa: S307, B018


class torch_raises:  # noqa: N801 - reads as a context
    """PyTorch refuses the same input (with an error of its own kind)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, *rest: Any) -> bool:
        assert kind is not None, "PyTorch accepted it"
        return True


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_on_any_dtypes(name: str) -> None:
    _check(lambda t, x, y: getattr(t, name)(x, y), PLAIN, INTS)
    _check(lambda t, x, y: getattr(x, name)(y), BOOLS, PLAIN[0])
    _check(lambda t, x: t.logical_not(x), PLAIN)
    _check(lambda t, x: x.logical_not(), INTS)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf"])
def test_floating_point_tests(name: str) -> None:
    _check(lambda t, x: getattr(t, name)(x), FLOATS)
    _check(lambda t, x: getattr(x, name)(), _as(np.float32, FLOATS))
    _check(lambda t, x: getattr(t, name)(x), INTS)


def test_isclose_allclose_and_equal() -> None:
    a = np.array([1.0, np.inf, np.nan, -np.inf, 1e-9, 100.0, 0.0])
    b = np.array([1.0 + 1e-6, np.inf, np.nan, np.inf, 0.0, 100.5, 1e-8])
    _check(lambda t, x, y: t.isclose(x, y), a, b)
    _check(lambda t, x, y: x.isclose(y, rtol=0.01, atol=0.0, equal_nan=True), a, b)
    _check(lambda t, x, y: t.isclose(x, y, atol=1e-7), a, b)
    _check(lambda t, x, y: t.isclose(x, y), INTS, INTS[::-1].copy())
    for rtol, atol in ((1e-5, 1e-8), (0.01, 0.0), (0.0, 0.6)):
        _check(lambda t, x, y: t.allclose(x, y, rtol, atol), a[[0, 4, 5]], b[[0, 4, 5]])
    _check(lambda t, x, y: t.allclose(x, y, equal_nan=True), a[:3], b[:3])
    _check(lambda t, x, y: x.allclose(y), a[:3], b[:3])
    _check(lambda t, x, y: t.equal(x, y), INTS, INTS.copy())
    _check(lambda t, x, y: x.equal(y), INTS, INTS.astype(np.float64))  # values compared
    _check(lambda t, x, y: t.equal(x, y), PLAIN, PLAIN[:, :2])
    _check(lambda t, x: t.equal(x, x), FLOATS)  # NaN is never equal


@pytest.mark.parametrize("name", ["any", "all"])
def test_any_and_all(name: str) -> None:
    for data in (PLAIN, INTS, BOOLS, _as(np.uint8), FLOATS, np.zeros((2, 0))):
        _check(lambda t, x: getattr(t, name)(x), data)
        if data.size:
            _check(lambda t, x: getattr(x, name)(1), data)
            _check(lambda t, x: getattr(x, name)(dim=0, keepdim=True), data)
            _check(lambda t, x: getattr(x, name)((0, 1)), data)
    _check(lambda t, x: getattr(x, name)(0), np.array(0.0))


def test_count_nonzero() -> None:
    _check(lambda t, x: t.count_nonzero(x), PLAIN)
    _check(lambda t, x: x.count_nonzero(dim=0), INTS)
    _check(lambda t, x: t.count_nonzero(x, (0, 1)), BOOLS)


# --- integer arithmetic, rounding and dtypes of reductions ---------------------------------------


def test_integer_division_and_remainders_follow_pytorch() -> None:
    a, b = np.array([-7, 7, -7, 7, 0]), np.array([2, -2, -2, 2, 3])
    _check(lambda t, x, y: x // y, a, b)
    _check(lambda t, x, y: x % y, a, b)
    _check(lambda t, x, y: t.fmod(x, y), a, b)
    _check(lambda t, x, y: t.remainder(x, y), a, b)
    for mode in ("trunc", "floor", None):
        _check(lambda t, x, y: t.div(x, y, rounding_mode=mode), a, b)
        _check(lambda t, x: x.divide(2, rounding_mode=mode), a)
    _check(lambda t, x: x // 2.5, a)
    _check(lambda t, x: -3 % x, np.array([2, -2, 5]))
    _check(lambda t, x: x.true_divide(4), a)
    with pytest.raises(ZeroDivisionError):
        autograd.tensor([1, 2]) // autograd.tensor([1, 0])


def test_rounding_and_sign_keep_pytorch_dtypes() -> None:
    halves = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999])
    for name in ("round", "floor", "ceil", "trunc", "sign"):
        _check(lambda t, x: getattr(t, name)(x), halves)
        _check(lambda t, x: getattr(x, name)(), INTS)
    _check(lambda t, x: t.sgn(x), FLOATS)
    _check(lambda t, x: x.sgn(), INTS)
    _check(lambda t, x: x.square(), INTS)
    _check(lambda t, x: x.abs(), INTS)
    _check(lambda t, x: t.absolute(x), INTS)


def test_reduction_dtypes() -> None:
    _check(lambda t, x: x.sum(), BOOLS)
    _check(lambda t, x: x.sum(dim=0), _as(np.int32))
    _check(lambda t, x: x.sum(dtype=t.float64), _as(np.int32))
    _check(lambda t, x: t.sum(x, 1, dtype=t.int32), INTS)
    _check(lambda t, x: x.mean(dtype=t.float32), INTS, exact=False)
    _check(
        lambda t, x: t.mean(x, (0, 1), True, dtype=t.float64), _as(np.float32, PLAIN), exact=False
    )
    _check(lambda t, x: x.prod(1), INTS)
    _check(lambda t, x: t.prod(x), BOOLS)
    _check(lambda t, x: x.cumsum(0), BOOLS)
    _check(lambda t, x: t.cumsum(x, 1), _as(np.int32))
    _check(lambda t, x: x.cumprod(1), _as(np.int8, INTS % 4))
    _check(lambda t, x: x.amax(1), INTS)
    _check(lambda t, x: t.amin(x, 0), _as(np.uint8))


def test_reductions_refuse_what_pytorch_refuses() -> None:
    for call in (
        lambda t, x: x.var(),
        lambda t, x: x.std(0),
        lambda t, x: x.mean(),
        lambda t, x: x.norm(),
        lambda t, x: t.logcumsumexp(x, 0),
    ):
        with pytest.raises(TypeError):
            call(autograd, autograd.tensor(INTS))
        with torch_raises():
            call(torch, torch.tensor(INTS))


def test_nan_to_num_defaults_are_the_largest_finite_numbers() -> None:
    for dtype in (np.float64, np.float32, np.float16):
        _check(lambda t, x: t.nan_to_num(x), FLOATS.astype(dtype))
        _check(lambda t, x: x.nan_to_num(nan=-1.0, neginf=0.0), FLOATS.astype(dtype))
    _check(lambda t, x: t.nan_to_num(x), INTS)


# --- indices: argmax, sort, topk, cummax, nonzero, where, unique ---------------------------------

TIES = np.array([[1.0, 3.0, 3.0, 2.0, 3.0, 1.0], [np.nan, 1.0, np.nan, 0.0, 0.0, 5.0], [2.0] * 6])


def test_argmax_and_argmin_take_the_first_of_ties_and_nan() -> None:
    for name in ("argmax", "argmin"):
        _check(lambda t, x: getattr(t, name)(x), TIES)
        _check(lambda t, x: getattr(x, name)(dim=1), TIES)
        _check(lambda t, x: getattr(x, name)(0, keepdim=True), TIES)
        _check(lambda t, x: getattr(x, name)(1), INTS)
    _check(lambda t, x: x.max(dim=1), TIES)
    _check(lambda t, x: t.min(x, 0), TIES)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("stable", [False, True])
def test_sort_and_argsort_place_ties_and_nan_as_pytorch(descending: bool, stable: bool) -> None:
    rng = np.random.default_rng(3)
    long_ties = rng.integers(0, 4, (3, 40)).astype(np.float64)  # beyond 16: std::sort's own order
    long_ties[0, ::7] = np.nan
    for data in (
        TIES,
        long_ties,
        np.nan_to_num(long_ties).astype(np.int64),
        long_ties.T.copy() > 1,
    ):
        _check(lambda t, x: t.sort(x, descending=descending, stable=stable), data)
        _check(lambda t, x: x.sort(dim=0, descending=descending, stable=stable), data)
        _check(lambda t, x: x.argsort(dim=-1, descending=descending, stable=stable), data)


def test_sort_of_long_integer_vectors_is_stable_as_pytorch_radix_sort() -> None:
    data = np.random.default_rng(0).integers(-3, 3, 40000)
    _check(lambda t, x: x.sort(), data)
    _check(lambda t, x: x.sort(descending=True), data[:5000])
    _check(lambda t, x: x.sort(), data[:5000].astype(np.float64))


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("sorted_", [True, False])
def test_topk_chooses_among_ties_as_pytorch(largest: bool, sorted_: bool) -> None:
    rng = np.random.default_rng(7)
    for n, k in ((6, 2), (6, 4), (40, 7), (300, 3), (300, 4), (1000, 15), (17, 17)):
        data = rng.integers(0, 3, (3, n)).astype(np.float64)
        data[1, ::5] = np.nan
        _check(lambda t, x: t.topk(x, k, largest=largest, sorted=sorted_), data)
        _check(lambda t, x: x.topk(min(k, 3), 0, largest, sorted_), data)
    _check(lambda t, x: x.topk(2), INTS)
    _check(lambda t, x: x.topk(0, dim=1), PLAIN)


def test_cummax_and_cummin_indices() -> None:
    _check(lambda t, x: t.cummax(x, 1), TIES)
    _check(lambda t, x: x.cummin(1), TIES)
    _check(lambda t, x: x.cummax(0), INTS)
    _check(lambda t, x: t.cummin(x, 0), BOOLS)


def test_nonzero_and_where_with_a_condition_alone() -> None:
    _check(lambda t, x: t.nonzero(x), PLAIN)
    _check(lambda t, x: x.nonzero(as_tuple=True), INTS)
    _check(lambda t, x: t.where(x), BOOLS)
    _check(lambda t, x: t.where(x > 1.0), PLAIN)
    _check(lambda t, x: t.nonzero(x), np.array(3.0))
    _check(lambda t, x, y: x.where(x > 0, y), PLAIN, PLAIN[::-1].copy())


def test_unique() -> None:
    data = np.array([3, 1, 2, 1, 5, 3, -2])
    _check(lambda t, x: t.unique(x), data)
    _check(lambda t, x: x.unique(return_inverse=True, return_counts=True), data)
    _check(lambda t, x: t.unique(x, sorted=False, return_counts=True), BOOLS)
    _check(lambda t, x: t.unique(x, dim=0, return_inverse=True), np.array([[1, 2], [1, 2], [0, 1]]))
    _check(lambda t, x: t.unique(x), np.array([1.0, np.nan, np.nan, 1.0]))  # NaNs stay apart


# --- creation ------------------------------------------------------------------------------------

DATA = [
    3.5, 7, True, [1, 2], [1.0, 2], [[1, 2], [3, 4]], [True, False], [], [[]],
    np.float64(2.5), np.int32(4), np.array([1, 2], dtype=np.int16),
    np.array([1.0], dtype=np.float32),
    np.array(5, dtype=np.uint8), [np.float32(1.5), 2.0], [[1.0, 2.0], [3, 4.5]],
]  # fmt: skip


@pytest.mark.parametrize("data", DATA, ids=[repr(d) for d in DATA])
def test_tensor_infers_pytorch_dtypes(data: Any) -> None:
    _same(autograd.tensor(data), torch.tensor(data), repr(data))
    _same(autograd.as_tensor(data), torch.as_tensor(data), repr(data))


def test_tensor_takes_dtype_and_requires_grad() -> None:
    for dtype in (
        "float16",
        "float32",
        "float64",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "bool",
    ):
        _same(
            autograd.tensor([1, 0, 2], dtype=getattr(autograd, dtype)),
            torch.tensor([1, 0, 2], dtype=getattr(torch, dtype)),
        )
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf
    _same(
        autograd.tensor([autograd.tensor(1.5), autograd.tensor(2.0)]),
        torch.tensor([torch.tensor(1.5), torch.tensor(2.0)]),
    )
    with pytest.raises(TypeError, match="floating"):
        autograd.tensor([1, 2], requires_grad=True)


def test_tensor_copies_and_from_numpy_shares() -> None:
    a = np.array([1.0, 2.0])
    t = autograd.tensor(a)
    s = autograd.from_numpy(a)
    a[0] = 9.0
    assert t.data[0] == 1.0 and s.data[0] == 9.0
    s[1] = 5.0
    assert a[1] == 5.0
    assert autograd.from_numpy(np.arange(3)).dtype == autograd.int64
    with pytest.raises(TypeError):
        autograd.from_numpy([1, 2])


SIZES = [(2, 3), ((2, 3),), ([2, 3],), (0,), ((),), (4,)]


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", SIZES, ids=[repr(s) for s in SIZES])
def test_zeros_ones_empty(name: str, size: tuple[Any, ...]) -> None:
    ours, theirs = getattr(autograd, name)(*size), getattr(torch, name)(*size)
    if name == "empty":  # uninitialised in PyTorch: only the shape and dtype are defined
        ours, theirs = _blank(ours), _blank(theirs)
    _same(ours, theirs, name)
    _same(
        _blank(getattr(autograd, name)(*size, dtype=autograd.int32)),
        _blank(getattr(torch, name)(*size, dtype=torch.int32)),
    )
    _same(_blank(getattr(autograd, name)(size=(2, 1))), _blank(getattr(torch, name)(size=(2, 1))))


def test_full_and_like_factories() -> None:
    for value in (1.5, 3, True, -2.0):
        _same(autograd.full((2, 3), value), torch.full((2, 3), value), f"full {value!r}")
    _same(autograd.full([2], 7, dtype=autograd.float64), torch.full([2], 7, dtype=torch.float64))
    for data in (PLAIN, INTS, BOOLS, _as(np.float32, PLAIN)):
        for name in ("zeros_like", "ones_like"):
            _check(lambda t, x: getattr(t, name)(x), data)
            _check(lambda t, x: getattr(t, name)(x, dtype=t.float64), data)
        _check(lambda t, x: t.full_like(x, 2), data)
        _check(lambda t, x: t.empty_like(x).shape, data)
    _check(lambda t, x: x.new_zeros(2, 3), INTS)
    _check(lambda t, x: x.new_ones((1, 2)), _as(np.float32, PLAIN))
    _check(lambda t, x: x.new_full((2,), 4), PLAIN)
    _check(lambda t, x: x.new_tensor([1, 2]), PLAIN)


ARANGES = [(5,), (1, 4), (0, 1, 0.1), (0, -1, -0.25), (1.0, 3), (0, 10, 3), (2, 2), (-3, 3, 2.5)]


@pytest.mark.parametrize("args", ARANGES, ids=[repr(a) for a in ARANGES])
def test_arange(args: tuple[Any, ...]) -> None:
    _same(autograd.arange(*args), torch.arange(*args), repr(args), exact=False)
    _same(
        autograd.arange(*args, dtype=autograd.float64),
        torch.arange(*args, dtype=torch.float64),
        exact=False,
    )


def test_linspace_eye_and_typed_constructors() -> None:
    for args in ((0, 1, 5), (-1, 1, 1), (2, 2, 3), (0, 10, 11), (1, -1, 4)):
        _same(autograd.linspace(*args), torch.linspace(*args), repr(args), exact=False)
    _same(
        autograd.linspace(0, 1, 3, dtype=autograd.float64),
        torch.linspace(0, 1, 3, dtype=torch.float64),
    )
    for args in ((3,), (2, 4), (4, 2)):
        _same(autograd.eye(*args), torch.eye(*args))
    _same(autograd.eye(3, dtype=autograd.int64), torch.eye(3, dtype=torch.int64))
    for name in (
        "FloatTensor",
        "LongTensor",
        "DoubleTensor",
        "IntTensor",
        "BoolTensor",
        "ByteTensor",
    ):
        _same(getattr(autograd, name)([1, 0, 2]), getattr(torch, name)([1, 0, 2]), name)
        _same(_blank(getattr(autograd, name)(2, 3)), _blank(getattr(torch, name)(2, 3)), name)


DTYPE_NAMES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
               "long", "float", "double", "half", "int", "short"]  # fmt: skip


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_names(name: str) -> None:
    assert _dtype_name(getattr(autograd, name)) == _dtype_name(getattr(torch, name)).replace(
        "bool", "bool"
    )
    x = autograd.zeros(2, dtype=getattr(autograd, name))
    assert x.dtype == getattr(autograd, name)


PAIRS = [("int32", 2.5), ("int32", 2), ("uint8", "int8"), ("bool", 3), ("float16", "int64"),
         ("float32", "float64"), ("int16", True), ("bool", "uint8")]  # fmt: skip


@pytest.mark.parametrize("pair", PAIRS, ids=[repr(p) for p in PAIRS])
def test_type_promotion(pair: tuple[str, Any]) -> None:
    a, b = pair
    ours = autograd.result_type(
        autograd.zeros(2, dtype=getattr(autograd, a)),
        autograd.zeros(2, dtype=getattr(autograd, b)) if isinstance(b, str) else b,
    )
    theirs = torch.result_type(
        torch.zeros(2, dtype=getattr(torch, a)),
        torch.zeros(2, dtype=getattr(torch, b)) if isinstance(b, str) else b,
    )
    assert _dtype_name(ours) == _dtype_name(theirs)
    if isinstance(b, str):
        assert _dtype_name(
            autograd.promote_types(getattr(autograd, a), getattr(autograd, b))
        ) == _dtype_name(torch.promote_types(getattr(torch, a), getattr(torch, b)))


def test_default_dtype() -> None:
    assert autograd.get_default_dtype() == autograd.float32
    autograd.set_default_dtype(autograd.float64)
    try:
        assert autograd.tensor([1.5]).dtype == autograd.float64
        assert autograd.zeros(2).dtype == autograd.float64
        assert autograd.arange(0.0, 1.0, 0.5).dtype == autograd.float64
    finally:
        autograd.set_default_dtype(autograd.float32)
    assert autograd.tensor([1.5]).dtype == autograd.float32


# --- the shared generator ------------------------------------------------------------------------


def _draws() -> list[np.ndarray]:
    return [
        autograd.rand(3, 2).data,
        autograd.randn(4).data,
        autograd.randint(0, 10, (5,)).data,
        autograd.randperm(6).data,
        autograd.rand_like(autograd.zeros(2)).data,
        autograd.randn_like(autograd.zeros(2, dtype=autograd.float64)).data,
        autograd.randint_like(autograd.zeros(3), 4).data,
        autograd.empty(3).uniform_(-1, 1).data,
        autograd.empty(3).normal_(2.0, 0.5).data,
    ]


def test_manual_seed_makes_every_random_factory_repeat() -> None:
    autograd.manual_seed(123)
    first = _draws()
    autograd.manual_seed(123)
    again = _draws()
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    autograd.manual_seed(124)
    assert not np.array_equal(_draws()[0], first[0])
    assert autograd.initial_seed() == 124


def test_a_generator_of_its_own_and_the_saved_state() -> None:
    g = autograd.Generator().manual_seed(5)
    a = autograd.rand(4, generator=g).data
    autograd.manual_seed(0)
    state = autograd.get_rng_state()
    b = autograd.randn(3).data
    autograd.set_rng_state(state)
    np.testing.assert_array_equal(autograd.randn(3).data, b)
    np.testing.assert_array_equal(
        autograd.rand(4, generator=autograd.Generator().manual_seed(5)).data, a
    )


def test_random_factories_shapes_dtypes_and_ranges() -> None:
    autograd.manual_seed(0)
    for ours, theirs in (
        (autograd.rand(2, 3), torch.rand(2, 3)),
        (autograd.randn((4,)), torch.randn((4,))),
        (autograd.rand(2, dtype=autograd.float64), torch.rand(2, dtype=torch.float64)),
        (autograd.randint(5, (3, 2)), torch.randint(5, (3, 2))),
        (
            autograd.randint(-2, 2, (7,), dtype=autograd.int32),
            torch.randint(-2, 2, (7,), dtype=torch.int32),
        ),
        (autograd.randperm(5), torch.randperm(5)),
        (autograd.randint_like(autograd.zeros(3), 3), torch.randint_like(torch.zeros(3), 3)),
    ):
        assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
        assert tuple(ours.shape) == tuple(theirs.shape)
    u = autograd.rand(10000).data
    assert 0.0 <= u.min() and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.02
    n = autograd.randn(10000).data
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1.0) < 0.05
    r = autograd.randint(3, 7, (1000,)).data
    assert set(np.unique(r)) == {3, 4, 5, 6}
    assert sorted(autograd.randperm(20).tolist()) == list(range(20))
    with pytest.raises(TypeError, match="floating"):
        autograd.rand_like(autograd.zeros(2, dtype=autograd.int64))
    with torch_raises():
        torch.rand_like(torch.zeros(2, dtype=torch.int64))


# --- devices and conversions ----------------------------------------------------------------------


def test_to_cpu_and_dtype_conversions() -> None:
    x = autograd.tensor([1.5, -2.5])
    assert x.to("cpu") is x and x.cpu() is x and x.to(autograd.device("cpu")) is x
    for name in ("float", "double", "long", "int", "bool", "half"):
        _check(lambda t, y: getattr(y, name)(), PLAIN)
    _check(lambda t, y: y.to(t.float64), _as(np.float32, PLAIN))
    _check(lambda t, y: y.to("cpu", t.int32), PLAIN)
    _check(lambda t, y: y.to(dtype=t.float16), PLAIN)
    _check(lambda t, y: y.type(t.float64), INTS)
    _check(lambda t, y: y.type_as(t.zeros(1, dtype=t.int32)), PLAIN)
    _check(lambda t, y: y.to(t.zeros(1, dtype=t.float64)), INTS)
    copy = x.to(autograd.float32, copy=True)
    copy[0] = 0.0
    assert x.data[0] == 1.5
    assert x.device == "cpu" and x.device.type == "cpu" and not x.is_cuda
    assert str(x.device) == str(torch.tensor([1.0]).device)


def test_other_devices_are_refused_clearly() -> None:
    x = autograd.tensor([1.0])
    for call in (
        lambda: x.to("cuda"),
        lambda: x.to(autograd.device("cuda", 0)),
        lambda: x.to("cuda:1", autograd.float64),
        lambda: x.cuda(),
        lambda: autograd.zeros(2, device="cuda"),
        lambda: autograd.tensor([1.0], device="mps"),
        lambda: autograd.rand(2, device="cuda"),
    ):
        with pytest.raises(RuntimeError, match="CPU"):
            call()
    assert autograd.cuda.is_available() is False and autograd.cuda.device_count() == 0
    autograd.cuda.manual_seed(0)  # nothing to seed, as in PyTorch without a GPU
    with pytest.raises(AttributeError, match="CPU only"):
        autograd.cuda.current_device()
    d = autograd.device("cuda:1")
    assert (d.type, d.index) == (torch.device("cuda:1").type, torch.device("cuda:1").index)


@pytest.mark.parametrize(
    "name", ["complex64", "cfloat", "complex128", "bfloat16", "sparse_coo_tensor", "jit"]
)
def test_missing_pytorch_features_are_named(name: str) -> None:
    assert hasattr(torch, name)
    with pytest.raises(AttributeError, match=f"torch.{name}"):
        getattr(autograd, name)


def test_complex_data_is_refused_clearly() -> None:
    for data in (1 + 2j, [1j, 2], np.ones(2, dtype=np.complex64)):
        with pytest.raises(TypeError, match="complex"):
            autograd.tensor(data)
    with pytest.raises(TypeError, match="not supported"):
        autograd.zeros(2, dtype=np.complex64)


# --- grad modes ----------------------------------------------------------------------------------


def test_grad_modes() -> None:
    w = autograd.tensor([1.0], requires_grad=True)
    assert autograd.is_grad_enabled()
    with autograd.no_grad():
        assert not autograd.is_grad_enabled()
        assert not (w * 2).requires_grad
        with autograd.enable_grad():
            assert (w * 2).requires_grad
    with autograd.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert autograd.is_grad_enabled()

    @autograd.no_grad()
    def frozen(v: Any) -> Any:
        return v * 2

    assert not frozen(w).requires_grad
    autograd.set_grad_enabled(False)
    try:
        assert not autograd.is_grad_enabled()
    finally:
        autograd.set_grad_enabled(True)


# --- the basics of a tensor, views and copies ------------------------------------------------


def test_size_dim_numel_item_tolist() -> None:
    for data in (PLAIN, INTS[0], np.array(2.5)):
        ours, theirs = autograd.tensor(data), torch.tensor(data)
        assert ours.size() == tuple(theirs.size()) and ours.dim() == theirs.dim()
        assert (
            ours.numel() == theirs.numel() == autograd.numel(ours)
            and ours.ndimension() == theirs.ndimension()
        )
        assert ours.tolist() == theirs.tolist()
        if data.ndim:
            assert ours.size(-1) == theirs.size(-1) and ours.size(0) == theirs.size(0)
    assert autograd.tensor([[2.5]]).item() == torch.tensor([[2.5]]).item()
    assert type(autograd.tensor([3]).item()) is int
    with pytest.raises(ValueError):
        autograd.tensor([1.0, 2.0]).item()


VIEWS: dict[str, Callable[[Any], Any]] = {
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(0, 1),
    "split": lambda x: x.split(1)[1],
    "chunk": lambda x: x.chunk(2, 1)[0],
    "unbind": lambda x: x.unbind(1)[2],
    "diagonal": lambda x: x.diagonal(),
    "view": lambda x: x.view(-1),
    "t": lambda x: x.t(),
}
COPIES: dict[str, Callable[[Any], Any]] = {
    "flip": lambda x: x.flip(0),
    "roll": lambda x: x.roll(1, 1),
    "repeat": lambda x: x.repeat(1, 1),
    "index_select": lambda x: x.index_select(0, x.new_tensor([0, 1]).long()),
    "masked_select": lambda x: x.masked_select(x > -100),
    "clone": lambda x: x.clone(),
    "tril": lambda x: x.tril(),
}


@pytest.mark.parametrize("name", sorted(VIEWS) + sorted(COPIES))
def test_views_share_memory_and_copies_do_not(name: str) -> None:
    fn = VIEWS.get(name) or COPIES[name]
    results = []
    for lib in (autograd, torch):
        x = lib.tensor(PLAIN[:2, :3].copy())
        part = fn(x)
        part.fill_(100.0) if name != "masked_select" else part.zero_()
        results.append(x.tolist())
    assert results[0] == results[1]


def test_contiguous_and_clone() -> None:
    x = autograd.tensor(PLAIN)
    assert x.contiguous() is x and x.is_contiguous()
    c = x.clone()
    assert c is not x and np.array_equal(c.data, x.data) and not np.shares_memory(c.data, x.data)


# --- scatter: what the op checks cannot compare with PyTorch ---------------------------------


def test_scatter_with_a_larger_source_has_the_gradient_of_the_used_part() -> None:
    # PyTorch computes the value but fails in its backward for a src larger than the index
    x = autograd.tensor(PLAIN[:2, :3].copy(), dtype=autograd.float64, requires_grad=True)
    src = autograd.tensor(np.arange(8.0).reshape(2, 4), dtype=autograd.float64, requires_grad=True)
    index = autograd.tensor([[0, 2], [1, 0]])
    _same(
        x.scatter(1, index, src),
        torch.tensor(x.data).scatter(1, torch.tensor(index.data), torch.tensor(src.data)),
    )
    assert gradcheck(lambda a, s: a.scatter(1, index, s), [x, src])


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_scatter_in_place_one_hot_and_reduce_add() -> None:
    labels = np.array([2, 0, 1])
    _check(lambda t, y: t.zeros(3, 4).scatter_(1, y.unsqueeze(1), 1.0), labels)
    _check(
        lambda t, y: t.zeros(3, 4).scatter(1, y.unsqueeze(1), t.ones(3, 1), reduce="add"), labels
    )
    _check(
        lambda t, y: t.zeros(3, 4).scatter_add_(1, y.unsqueeze(1).repeat(1, 2), t.ones(3, 2)),
        labels,
    )
    _check(lambda t, y: t.zeros(2, 2, dtype=t.int64).scatter(1, t.tensor([[0], [1]]), 2), labels)
