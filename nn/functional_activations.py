"""Activation functions with PyTorch's names, arguments and results.

Each is composed from the engine's differentiable ops, so its gradient (and gradient of gradient)
comes from the engine's rules; nothing here writes a backward pass. ``inplace=True`` is accepted
wherever PyTorch takes it, and computed out of place (the input is left unchanged; the result is
the same). Where PyTorch's gradient at a
corner differs from the slope of one side, the corner is routed with ``where`` to the side
PyTorch takes. Where a branch that ``where`` drops could overflow or divide by zero (exp of a
large input, say), that branch is computed on a clamped copy of the input, so its dropped
gradient is 0, never 0 * inf = nan.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, Value, where

from .functional_checks import as_float_input, as_input, check_number, dim_of

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _engine_op(name: str, user: str) -> Any:
    """The engine function ``name`` (e.g. erf); an engine without it gets a clear error."""
    fn = getattr(autograd, name, None)
    if fn is None:
        raise NotImplementedError(
            f"{user} needs autograd.{name}, which this version of the engine does not have"
        )
    return fn


def _const(x: Tensor, value: float) -> np.ndarray:
    """A 0-d constant in ``x``'s dtype (keeps float16/float32 results in their dtype)."""
    return np.asarray(value, dtype=x.dtype)


# --- the lecture's and the basic ones -------------------------------------------------------


def relu(x: Any, inplace: bool = False) -> Any:
    """max(x, 0); the gradient at 0 is 0, as in PyTorch. Also takes a Value."""
    return x.relu() if isinstance(x, (Tensor, Value)) else Tensor(x).relu()


def sigmoid(x: Any) -> Any:
    return x.sigmoid() if isinstance(x, (Tensor, Value)) else Tensor(x).sigmoid()


def tanh(x: Any) -> Any:
    return x.tanh() if isinstance(x, (Tensor, Value)) else Tensor(x).tanh()


def hard_sigmoid(x: Any, inplace: bool = False) -> Tensor:
    """The lecture's flat-ramp-flat piece, as PyTorch's Hardsigmoid: 0 for x <= -3, 1 for
    x >= 3 and x/6 + 1/2 in between. It equals (relu(x + 3) - relu(x - 3)) / 6, the lecture's
    "two ReLUs make one hard sigmoid"; written with ``where`` so the gradient is exactly
    PyTorch's: 1/6 strictly inside the ramp and 0 at both corners."""
    x = as_input(x, "hard_sigmoid")
    d = x.data
    zero, one = np.zeros((), d.dtype), np.ones((), d.dtype)  # keep x's dtype (float16 too)
    return where(d <= -3.0, zero, where(d >= 3.0, one, x * (1.0 / 6.0) + 0.5))


hardsigmoid = hard_sigmoid  # PyTorch's spelling


def leaky_relu(x: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x otherwise (slope negative_slope at 0, as PyTorch)."""
    x = as_input(x, "leaky_relu")
    slope = check_number("leaky_relu", "negative_slope", negative_slope)
    return where(x.data > 0, x, x * slope)


# --- smooth activations ---------------------------------------------------------------------


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch's switch to
    the linear asymptote). log(1 + exp(z)) is logsumexp over (0, z): no overflow, and its
    gradient is sigmoid(z) everywhere."""
    x = as_float_input(x, "softplus")
    b = check_number("softplus", "beta", beta)
    limit = check_number("softplus", "threshold", threshold)
    z = x if b == 1.0 else x * b
    zeros = Tensor(np.zeros_like(x.data))
    smooth = autograd.stack([zeros, z], dim=-1).logsumexp(dim=-1)
    if b != 1.0:
        smooth = smooth / b
    return where(z.data > limit, x, smooth)


def logsigmoid(x: Any) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), finite for every finite x."""
    return -softplus(-as_float_input(x, "logsigmoid"), 1.0, math.inf)


def silu(x: Any, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    x = as_float_input(x, "silu")
    return x * x.sigmoid()


def mish(x: Any, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    x = as_float_input(x, "mish")
    return x * softplus(x, 1.0, math.inf).tanh()


def gelu(x: Any, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF: exactly 0.5 x (1 + erf(x / sqrt 2)), or with
    ``approximate='tanh'`` 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu(): approximate must be 'none' or 'tanh', got {approximate!r}")
    x = as_float_input(x, "gelu")
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2.0 / math.pi)
        return x * 0.5 * (inner.tanh() + 1.0)
    erf = _engine_op("erf", "gelu(approximate='none')")
    return x * 0.5 * (erf(x * (1.0 / math.sqrt(2.0))) + 1.0)


def _expm1(x: Tensor, user: str) -> Tensor:
    """exp(x) - 1 without losing the digits of small x (PyTorch's elu family uses expm1)."""
    method = getattr(x, "expm1", None)
    if method is None:
        _engine_op("expm1", user)  # raises the clear error
    return method()  # type: ignore[no-any-return, misc]


def elu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (exp(x) - 1) otherwise (slope alpha at 0, as PyTorch)."""
    x = as_float_input(x, "elu")
    a = check_number("elu", "alpha", alpha)
    negative = _expm1(x.clamp(max=0.0), "elu()") * a  # clamped: no overflow where dropped
    return where(x.data > 0, x, negative)


def selu(x: Any, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants of Klambauer et al. (2017)."""
    x = as_float_input(x, "selu")
    return elu(x, SELU_ALPHA) * SELU_SCALE


def celu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    x = as_float_input(x, "celu")
    a = check_number("celu", "alpha", alpha)
    if a == 0.0:
        raise ValueError("celu(): alpha must not be 0 (it divides x)")
    negative = _expm1(x.clamp(max=0.0) * (1.0 / a), "celu()") * a
    return where(x.data > 0, x, negative)


def softsign(x: Any) -> Tensor:
    """x / (1 + |x|)."""
    x = as_float_input(x, "softsign")
    return x / (x.abs() + 1.0)


# --- piecewise linear -----------------------------------------------------------------------


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 1 strictly inside and 0 at and beyond
    both ends (PyTorch's; ``clamp``'s gradient is 1 at the ends)."""
    x = as_input(x, "hardtanh")
    low = check_number("hardtanh", "min_val", min_val)
    high = check_number("hardtanh", "max_val", max_val)
    if low > high:
        raise ValueError(
            f"hardtanh(): min_val ({min_val}) cannot be greater than max_val ({max_val})"
        )
    d = x.data
    return where(d <= low, _const(x, low), where(d >= high, _const(x, high), x))


def relu6(x: Any, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6), with hardtanh's gradient (0 at 0 and at 6, as PyTorch)."""
    return hardtanh(x, 0.0, 6.0)


def hardswish(x: Any, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6: 0 for x <= -3, x for x >= 3, x (x + 3) / 6 in between (so the
    gradient is 0 at -3 and 1 at 3, as PyTorch's)."""
    x = as_float_input(x, "hardswish")
    d = x.data
    return where(d <= -3.0, _const(x, 0.0), where(d >= 3.0, x, x * (x + 3.0) * (1.0 / 6.0)))


# --- over a dim -------------------------------------------------------------------------------


def _softmax_dim(op: str, x: Tensor, dim: Any) -> int:
    if dim is None:  # PyTorch's deprecated implicit choice
        warnings.warn(
            f"Implicit dimension choice for {op} has been deprecated. Change the call to "
            "include dim=X as an argument.",
            UserWarning,
            stacklevel=3,
        )
        return 0 if x.ndim in (0, 1, 3) else 1
    return dim_of(op, dim, x.ndim)


def _with_dtype(x: Tensor, dtype: Any) -> Tensor:
    return x if dtype is None else x.to(dtype)


def softmax(x: Any, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``."""
    x = _with_dtype(as_float_input(x, "softmax"), dtype)
    return x.softmax(_softmax_dim("softmax", x, dim))


def log_softmax(x: Any, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed without overflow."""
    x = _with_dtype(as_float_input(x, "log_softmax"), dtype)
    return x.log_softmax(_softmax_dim("log_softmax", x, dim))


def softmin(x: Any, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    x = _with_dtype(as_float_input(x, "softmin"), dtype)
    return (-x).softmax(_softmax_dim("softmin", x, dim))


def normalize(x: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``: rows (by default) scaled to unit length.

    The norm is floored before its root, as max(sum |x|^p, eps^p)^(1/p) (the same number), so
    that a zero row has gradient 1/eps as in PyTorch instead of the 0/0 of the root at 0."""
    if out is not None:
        raise NotImplementedError("normalize(): out= is not supported; use the result")
    x = as_float_input(x, "normalize")
    order = check_number("normalize", "p", p)
    floor = check_number("normalize", "eps", eps)
    if order <= 0:
        raise ValueError(f"normalize(): p must be positive, got {p}")
    axis = dim_of("normalize", dim, x.ndim)
    if order == 2.0:
        total = (x * x).sum(dim=axis, keepdim=True)
    elif order == 1.0:
        total = x.abs().sum(dim=axis, keepdim=True)
    else:
        total = (x.abs() ** order).sum(dim=axis, keepdim=True)
    total = total.clamp(min=floor**order)
    norm = total.sqrt() if order == 2.0 else total if order == 1.0 else total ** (1.0 / order)
    return x / norm
