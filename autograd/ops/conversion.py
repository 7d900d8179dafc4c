"""dtype conversion (``to``/``astype``), ``clone``, and what ``fill_`` and ``copy_`` record."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..op import Op, check, real
from ..tensor import Tensor, as_tensor, make, make_const
from .arithmetic import zeros_like
from .common import raw, unbroadcast


def _to_rule(ctx: np.dtype[Any], g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g.astype(ctx),)


TO = Op(
    "to",
    _to_rule,
    elementwise=True,
    linear=True,
    factors=("1",),
    label=lambda ctx: f"to({ctx})",
    checks=[
        check(
            lambda t, x: x.to(t.float32), real(3, 4), float32=False, fd=False, rtol=1e-6, atol=1e-6
        ),
        check(
            lambda t, x: x.float().double(), real(3), float32=False, fd=False, rtol=1e-6, atol=1e-6
        ),
    ],
)


def astype(input: Any, dtype: Any) -> Tensor:
    x = as_tensor(input, "to")
    d = dtypes.as_dtype(dtype, "to()")
    if d == x.data.dtype:
        return x
    if x.requires_grad and d.kind != "f":
        return make_const(x.data.astype(d))  # an integer result has no gradient
    return make(x.data.astype(d), (x,), TO, x.data.dtype)


def to(input: Any, *args: Any, **kwargs: Any) -> Tensor:
    """PyTorch's ``x.to(dtype)``, ``x.to('cpu')``, ``x.to(device, dtype)``, ``x.to(other)``,
    ``x.to(dtype=..., device=..., copy=...)``. The only device is the CPU."""
    x = as_tensor(input, "to")
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to(): unexpected arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, str) or type(arg).__name__ == "device":
            device = arg
        else:
            dtype = arg
    if device is not None:
        check_device(device, "to()")
    out = x if dtype is None else astype(x, dtype)
    return clone(out) if copy and out is x else out


def check_device(device: Any, who: str) -> None:
    name = str(device)
    if name != "cpu" and not name.startswith("cpu:"):
        raise RuntimeError(
            f"{who}: device {name!r} is not available: dagrad runs on the CPU only "
            "(remove the line that moves tensors to the GPU, or use 'cpu')"
        )


def _clone_rule(ctx: None, g: Any, out: Any, x: Any) -> tuple[Any]:
    return (g,)


CLONE = Op(
    "clone",
    _clone_rule,
    elementwise=True,
    linear=True,
    factors=("1",),
    checks=[check(lambda t, x: x.clone(), real(3, 4))],
)


def clone(input: Any) -> Tensor:
    x = as_tensor(input, "clone")
    return make(x.data.copy(), (x,), CLONE)


def full_like_of(old: Tensor, value: Any) -> Tensor:
    """What ``old.fill_(value)`` records: ``value`` everywhere (old's gradient is 0)."""
    from .selection import masked_fill

    return masked_fill(old, np.ones((), dtype=bool), value)


def _copy_rule(ctx: None, g: Any, out: Any, x: Any, src: Any) -> tuple[Any, Any]:
    return zeros_like(g), unbroadcast(g, np.shape(raw(src)), raw(src).dtype)


COPY = Op(
    "copy_",
    _copy_rule,
    elementwise=True,
    linear=True,
    factors=("0", "1"),
    tested_by="tests/autograd/test_inplace.py (copy_)",
)


def copy_into(old: Tensor, src: Any) -> Tensor:
    """What ``old.copy_(src)`` records: ``src`` broadcast to old's shape, in old's dtype."""
    s = as_tensor(src, "copy_")
    try:
        data = np.broadcast_to(s.data, old.shape).astype(old.dtype)
    except ValueError:
        raise RuntimeError(
            f"copy_(): the source of shape {tuple(s.shape)} does not broadcast to "
            f"{tuple(old.shape)}"
        ) from None
    return make(data, (old, s), COPY)
