"""Making tensors, with PyTorch's names and arguments: ``tensor``, ``from_numpy``, ``zeros``,
``ones``, ``full``, ``empty``, ``*_like``, ``arange``, ``linspace``, ``eye``, ``rand``, ``randn``,
``randint``, ``randperm``, and the typed constructors ``FloatTensor``/``LongTensor``.

Every factory takes ``dtype=`` (default: float32 for floats, int64 for integer ranges),
``requires_grad=`` and ``device=`` (the CPU only).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .ops.common import integers
from .ops.conversion import check_device
from .random import rng
from .tensor import Tensor, make_const, to_array


def _finish(data: np.ndarray, requires_grad: bool, device: Any, who: str) -> Tensor:
    if device is not None:
        check_device(device, who)
    t = make_const(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(who: str, size: tuple[Any, ...], named: Any = None) -> tuple[int, ...]:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(size=(2, 3))``."""
    if named is not None:
        if size:
            raise TypeError(f"{who}: pass the sizes or size=, not both")
        size = (named,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = integers(who, size)
    if any(n < 0 for n in shape):
        raise ValueError(f"{who}: sizes must be non-negative, got {shape}")
    return shape


def _named_size(who: str, options: dict[str, Any]) -> Any:
    """PyTorch's keyword ``size=``; the memory options PyTorch also takes (``layout``,
    ``pin_memory``) are accepted at their CPU values."""
    size = options.pop("size", None)
    layout = options.pop("layout", None)
    if layout is not None and str(layout) not in ("strided", "torch.strided"):
        raise ValueError(
            f"{who}: layout {layout!r} is not supported (dagrad has dense tensors only)"
        )
    options.pop("pin_memory", None)
    if options:
        raise TypeError(f"{who}: unexpected arguments {sorted(options)}")
    return size


def _float_dtype(dtype: Any, who: str) -> np.dtype[Any]:
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, who)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (``torch.tensor``)."""
    if device is not None:
        check_device(device, "tensor()")
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares ``array``'s memory (changes to either show in both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy(): expected a numpy.ndarray, got a {type(array).__name__}")
    if array.dtype not in dtypes.SUPPORTED:
        raise TypeError(f"from_numpy(): dtype {array.dtype} is not supported")
    return make_const(array)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory with a NumPy array or Tensor when no cast is needed."""
    if device is not None:
        check_device(device, "as_tensor()")
    if isinstance(data, Tensor) and (
        dtype is None or data.dtype == dtypes.as_dtype(dtype, "as_tensor()")
    ):
        return data
    if isinstance(data, np.ndarray) and (
        dtype is None or data.dtype == dtypes.as_dtype(dtype, "as_tensor()")
    ):
        return from_numpy(data)
    return make_const(to_array(data, dtype, "as_tensor()"))


def zeros(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **options: Any
) -> Tensor:
    shape = _size("zeros()", size, _named_size("zeros()", options))
    return _finish(
        np.zeros(shape, _float_dtype(dtype, "zeros()")), requires_grad, device, "zeros()"
    )


def ones(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **options: Any
) -> Tensor:
    shape = _size("ones()", size, _named_size("ones()", options))
    return _finish(np.ones(shape, _float_dtype(dtype, "ones()")), requires_grad, device, "ones()")


def empty(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **options: Any
) -> Tensor:
    """Uninitialised in PyTorch; zeros here (never garbage)."""
    shape = _size("empty()", size, _named_size("empty()", options))
    return _finish(
        np.zeros(shape, _float_dtype(dtype, "empty()")), requires_grad, device, "empty()"
    )


def _fill_dtype(value: Any, dtype: Any, who: str) -> np.dtype[Any]:
    if dtype is not None:
        return dtypes.as_dtype(dtype, who)
    found = dtypes.scalar_dtype(value)
    if found is None:
        raise TypeError(f"{who}: fill_value must be a number, got {value!r:.40}")
    return found


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    d = _fill_dtype(fill_value, dtype, "full()")
    return _finish(
        np.full(_size("full()", (size,)), fill_value, dtype=d), requires_grad, device, "full()"
    )


def _like(who: str, x: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype[Any]]:
    shape = x.shape if hasattr(x, "shape") else np.shape(x)
    d = dtypes.as_dtype(dtype, who) if dtype is not None else np.asarray(x).dtype
    return tuple(shape), d


def zeros_like(
    input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, d = _like("zeros_like()", input, dtype)
    return _finish(np.zeros(shape, d), requires_grad, device, "zeros_like()")


def ones_like(
    input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    shape, d = _like("ones_like()", input, dtype)
    return _finish(np.ones(shape, d), requires_grad, device, "ones_like()")


def empty_like(
    input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(
    input: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    shape, d = _like("full_like()", input, dtype)
    return _finish(np.full(shape, fill_value, dtype=d), requires_grad, device, "full_like()")


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``[start, end)`` in steps of ``step``: int64 when all three are integers, else float32."""
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if dtypes.scalar_dtype(v) is None:
            raise TypeError(f"arange(): {name} must be a number, got {v!r:.40}")
    if step == 0:
        raise ValueError("arange(): step must be nonzero")
    if dtype is None:
        ints = all(
            dtypes.scalar_dtype(v) in (dtypes.int64, dtypes.bool_) for v in (start, end, step)
        )
        dtype = dtypes.int64 if ints else dtypes.get_default_dtype()
    d = dtypes.as_dtype(dtype, "arange()")
    count = max(int(np.ceil((end - start) / step)), 0)
    data = (
        start + step * np.arange(count, dtype=np.float64 if d.kind == "f" else np.int64)
    ).astype(d)
    return _finish(data, requires_grad, device, "arange()")


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    (steps,) = integers("linspace()", (steps,), "steps")
    data = np.linspace(start, end, steps).astype(_float_dtype(dtype, "linspace()"))
    return _finish(data, requires_grad, device, "linspace()")


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    (n,) = integers("eye()", (n,))
    data = np.eye(
        n, n if m is None else integers("eye()", (m,))[0], dtype=_float_dtype(dtype, "eye()")
    )
    return _finish(data, requires_grad, device, "eye()")


def rand(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **options: Any,
) -> Tensor:
    """Uniform on [0, 1), from the shared generator (``manual_seed``) or ``generator``."""
    d = _float_dtype(dtype, "rand()")
    shape = _size("rand()", size, _named_size("rand()", options))
    return _finish(rng(generator).random(shape).astype(d), requires_grad, device, "rand()")


def randn(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **options: Any,
) -> Tensor:
    """Standard normal, from the shared generator (``manual_seed``) or ``generator``."""
    d = _float_dtype(dtype, "randn()")
    data = (
        rng(generator)
        .standard_normal(_size("randn()", size, _named_size("randn()", options)))
        .astype(d)
    )
    return _finish(data, requires_grad, device, "randn()")


def randint(
    low: int,
    high: Any = None,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers in ``[low, high)`` (``randint(high, size)`` starts at 0)."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint(): size is required, e.g. randint(0, 10, (3,))")
    d = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype, "randint()")
    data = rng(generator).integers(low, high, _size("randint()", (size,))).astype(d)
    return _finish(data, requires_grad, device, "randint()")


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    (n,) = integers("randperm()", (n,))
    d = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype, "randperm()")
    return _finish(rng(generator).permutation(n).astype(d), False, device, "randperm()")


def _random_like(who: str, input: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype[Any]]:
    shape, d = _like(who, input, dtype)
    if d.kind != "f":
        raise TypeError(f"{who}: needs a floating dtype (as in PyTorch), got {d}; pass dtype=")
    return shape, d


def rand_like(
    input: Any,
    *,
    dtype: Any = None,
    generator: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    shape, d = _random_like("rand_like()", input, dtype)
    return _finish(rng(generator).random(shape).astype(d), requires_grad, device, "rand_like()")


def randn_like(
    input: Any,
    *,
    dtype: Any = None,
    generator: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    shape, d = _random_like("randn_like()", input, dtype)
    return _finish(
        rng(generator).standard_normal(shape).astype(d), requires_grad, device, "randn_like()"
    )


def randint_like(
    input: Any,
    low: int = 0,
    high: Any = None,
    *,
    dtype: Any = None,
    generator: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers in ``[low, high)`` (``randint_like(x, high)`` starts at 0) in ``input``'s shape
    and dtype."""
    if high is None:
        low, high = 0, low
    shape, d = _like("randint_like()", input, dtype)
    data = rng(generator).integers(low, high, shape).astype(d)
    return _finish(data, requires_grad, device, "randint_like()")


def _typed(name: str, dtype: np.dtype[Any]) -> Any:
    def construct(*args: Any) -> Tensor:
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            return Tensor(args[0], dtype=dtype)  # FloatTensor([1, 2]): data
        return make_const(np.zeros(_size(f"{name}()", args), dtype))  # FloatTensor(2, 3): sizes

    construct.__name__ = construct.__qualname__ = name
    construct.__doc__ = f"``torch.{name}``: a {dtype} tensor from data, or of zeros from sizes."
    return construct


FloatTensor = _typed("FloatTensor", dtypes.float32)
DoubleTensor = _typed("DoubleTensor", dtypes.float64)
LongTensor = _typed("LongTensor", dtypes.int64)
IntTensor = _typed("IntTensor", dtypes.int32)
BoolTensor = _typed("BoolTensor", dtypes.bool_)
ByteTensor = _typed("ByteTensor", dtypes.uint8)
