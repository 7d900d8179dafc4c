"""dtypes as PyTorch names them, the default float dtype, and PyTorch's type promotion.

A dtype is a NumPy dtype (``autograd.float32 == np.dtype("float32")``), so NumPy's and PyTorch's
spellings are both accepted wherever a dtype is. Promotion is not NumPy's: it follows
``torch.result_type``. Categories rank bool < integer < floating; within the highest category
present, a tensor with dimensions beats a 0-d tensor, which beats a Python number. So an int32
tensor plus 2.5 is float32 (the default float dtype), a float32 tensor times a float64 0-d
tensor stays float32, and int64 plus int64 stays int64 however large.
"""

from __future__ import annotations

from typing import Any

import numpy as np

bool_ = np.dtype(np.bool_)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
half, short, long, double = float16, int16, int64, float64

# PyTorch's names for the same dtypes (exported as autograd.float, autograd.long, ...)
ALIASES: dict[str, np.dtype[Any]] = {
    "bool": bool_,
    "uint8": uint8,
    "int8": int8,
    "int16": int16,
    "short": int16,
    "int32": int32,
    "int": int32,
    "int64": int64,
    "long": int64,
    "float16": float16,
    "half": float16,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": float64,
}
SUPPORTED = frozenset(ALIASES.values())
FLOATING = (float16, float32, float64)

_default = [float32]  # a list: set_default_dtype changes it in place


def get_default_dtype() -> np.dtype[Any]:
    """The dtype of Python floats turned into tensors (float32 unless set otherwise)."""
    return _default[0]


def set_default_dtype(dtype: Any) -> None:
    d = as_dtype(dtype, "set_default_dtype()")
    if d not in FLOATING:
        raise TypeError(f"set_default_dtype(): only floating dtypes can be the default, got {d}")
    _default[0] = d


def as_dtype(dtype: Any, who: str) -> np.dtype[Any]:
    """A dtype given by the user (a NumPy dtype, a type such as np.float32 or float, a name)."""
    if isinstance(dtype, str) and dtype in ALIASES:
        return ALIASES[dtype]
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: {dtype!r} is not a dtype") from None
    if d not in SUPPORTED:
        raise TypeError(
            f"{who}: dtype {d} is not supported; use bool, uint8, int8, int16, int32, int64, "
            "float16, float32 or float64"
        )
    return d


def category(dtype: np.dtype[Any]) -> int:
    """0 for bool, 1 for integers, 2 for floating dtypes."""
    kind = dtype.kind
    return 2 if kind == "f" else 1 if kind in "iu" else 0


def promote_types(a: np.dtype[Any] | None, b: np.dtype[Any] | None) -> np.dtype[Any] | None:
    """``torch.promote_types``: the smallest dtype both fit in; a float beats any integer."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def _combine(higher: np.dtype[Any] | None, lower: np.dtype[Any] | None) -> np.dtype[Any] | None:
    """Merge a higher-priority group's dtype with a lower one's: the lower group counts only
    when its category is above the higher group's (PyTorch's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher == bool_ or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def scalar_dtype(x: Any) -> np.dtype[Any] | None:
    """The dtype a Python (or NumPy) number takes in an op with tensors, None if not a number."""
    if isinstance(x, (bool, np.bool_)):
        return bool_
    if isinstance(x, (int, np.integer)):
        return int64
    if isinstance(x, (float, np.floating)):
        return _default[0]
    return None


def result_type(*operands: Any) -> np.dtype[Any]:
    """``torch.result_type`` of tensors (anything with ``.dtype`` and ``.ndim``) and numbers."""
    dims = zeros = numbers = None
    for x in operands:
        dtype = getattr(x, "dtype", None)
        if dtype is not None and not isinstance(x, np.generic):
            if x.ndim:
                dims = promote_types(dims, dtype)
            else:
                zeros = promote_types(zeros, dtype)
        else:
            d = scalar_dtype(x)
            if d is None:
                raise TypeError(f"result_type(): {type(x).__name__} is not a tensor or a number")
            numbers = promote_types(numbers, d)
    result = _combine(dims, _combine(zeros, numbers))
    if result is None:
        raise ValueError("result_type(): no operands")
    return result


def can_cast(source: np.dtype[Any], target: np.dtype[Any]) -> bool:
    """``torch.can_cast``: an in-place result may go into ``target`` unless that would lower its
    category (a float into an integer tensor, an integer into a bool one)."""
    return category(source) <= category(target)
