"""``nn.utils`` (PyTorch's ``torch.nn.utils``): gradient clipping and flattening parameters into
one vector and back.

The clipping functions change the gradients in place, between ``backward()`` and
``optimizer.step()``; they work on Tensor parameters and on Values (whose grad is a float).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, cat

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "vector_to_parameters",
]


def _params(op: str, parameters: Any) -> list[Node]:
    if isinstance(parameters, Node):
        return [parameters]
    if callable(getattr(parameters, "parameters", None)):
        raise TypeError(
            f"{op}(): expected parameters, got a {type(parameters).__name__}, which is a model; "
            "pass model.parameters()"
        )
    if not isinstance(parameters, Iterable):
        raise TypeError(
            f"{op}(): expected a Tensor or an iterable of Tensors, got {parameters!r:.40}"
        )
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Node):
            raise TypeError(f"{op}(): parameter {i} is a {type(p).__name__}, not a Tensor")
    return params


def _grads(params: list[Node]) -> list[tuple[Node, np.ndarray]]:
    """(parameter, its gradient's array) for each parameter that has a gradient; a Tensor's
    array is the gradient's own memory, so writing into it changes ``.grad``."""
    found: list[tuple[Node, np.ndarray]] = []
    for p in params:
        if isinstance(p, Value):
            found.append((p, np.array(p.grad, dtype=np.float64)))
        elif p.grad is not None:
            found.append((p, p.grad.data))
    return found


def _store(param: Node, grad: np.ndarray) -> None:
    """Make sure ``grad`` (changed in place) is the parameter's gradient."""
    if isinstance(param, Value):
        param.grad = float(grad)
    elif param.grad.data is not grad:  # the gradient was held as a NumPy scalar
        param.grad = grad


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    """Scale all gradients together so that their joint ``norm_type``-norm (as if they were one
    vector) is at most ``max_norm``; returns the norm before clipping, as a 0-d Tensor.

    As PyTorch: the factor is max_norm / (norm + 1e-6), capped at 1; ``norm_type`` may be
    ``inf`` (the largest |grad|); a NaN or infinite norm raises with ``error_if_nonfinite``."""
    params = _params("clip_grad_norm_", parameters)
    limit = float(max_norm)
    order = float(norm_type)
    grads = _grads(params)
    if not grads:
        return Tensor(np.array(0.0, dtype=np.float32))
    dtype = np.result_type(*[g.dtype for _, g in grads])
    if order == math.inf:
        norms = [np.max(np.abs(g)) if g.size else np.zeros((), g.dtype) for _, g in grads]
        total = np.max(np.asarray(norms, dtype=dtype))
    else:
        norms = [_vector_norm(g, order) for _, g in grads]
        total = _vector_norm(np.asarray(norms, dtype=dtype), order)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_(): the total norm of order {norm_type} of the gradients is "
            f"{float(total)}, so they cannot be clipped; set error_if_nonfinite=False to "
            "clip anyway"
        )
    factor = np.minimum(np.asarray(limit, dtype) / (total + np.asarray(1e-6, dtype)), 1.0)
    for param, g in grads:
        g *= factor.astype(g.dtype)
        _store(param, g)
    return Tensor(total)


def _vector_norm(x: np.ndarray, order: float) -> np.ndarray:
    a = np.abs(x)
    if order == 2.0:
        return np.sqrt(np.sum(a * a))
    if order == 1.0:
        return np.sum(a)
    if order == 0.0:
        return np.asarray(np.count_nonzero(a), dtype=x.dtype)
    if order == -math.inf:
        return np.min(a)
    return np.sum(a**order) ** (1.0 / order)


def clip_grad_value_(parameters: Any, clip_value: float, foreach: Any = None) -> None:
    """Clip every gradient element into [-clip_value, clip_value], in place."""
    value = float(clip_value)
    for param, g in _grads(_params("clip_grad_value_", parameters)):
        np.clip(g, -value, value, out=g)
        _store(param, g)


def parameters_to_vector(parameters: Any) -> Tensor:
    """All parameters flattened and joined into one vector (differentiable, as PyTorch's)."""
    params = _params("parameters_to_vector", parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(
                f"parameters_to_vector(): parameter {i} is a {type(p).__name__}, not a Tensor"
            )
    return cat([p.reshape(-1) for p in params if isinstance(p, Tensor)])


def vector_to_parameters(vec: Any, parameters: Any) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters' data (in place; PyTorch
    makes the parameters views of ``vec`` instead)."""
    if not isinstance(vec, Tensor):
        raise TypeError(
            f"vector_to_parameters(): expected a Tensor, but got a {type(vec).__name__}"
        )
    params = _params("vector_to_parameters", parameters)
    needed = sum(int(np.prod(p.shape)) for p in params if isinstance(p, Tensor))
    if vec.ndim != 1 or vec.shape[0] != needed:
        raise ValueError(
            f"vector_to_parameters(): the parameters hold {needed} numbers, but vec has shape "
            f"{vec.shape}"
        )
    start = 0
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(
                f"vector_to_parameters(): {type(p).__name__} parameters are not supported"
            )
        n = int(np.prod(p.shape))
        p.data[...] = vec.data[start : start + n].reshape(p.shape)
        start += n
