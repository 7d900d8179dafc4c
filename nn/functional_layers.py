"""The functions behind the layers: dropout, embedding, layer_norm, batch_norm, one_hot (and
``linear``, the engine's fused op), with PyTorch's arguments.

Random numbers (dropout's masks) come from autograd's one shared generator, so
``autograd.manual_seed(n)`` repeats a run exactly.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, no_grad, where
from autograd import random as _random

from .functional_checks import as_float_input, as_input, check_int, check_number, check_probability


def dropout(x: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """In training, each element is zeroed with probability ``p`` and the rest are scaled by
    1 / (1 - p), so the expected value is unchanged; otherwise the input itself is returned.
    ``inplace=True`` is computed out of place (the result is the same)."""
    try:
        rate = check_probability("dropout", "p", p)
    except ValueError:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}") from None
    x = as_float_input(x, "dropout")
    if not training or rate == 0.0:
        return x
    if rate == 1.0:
        return x * np.zeros((), x.dtype)
    keep = _random.rng().random(x.shape) >= rate
    scale = np.where(keep, 1.0 / (1.0 - rate), 0.0).astype(x.dtype)
    return x * Tensor(scale)


def _indices(op: str, input: Any, rows: int) -> np.ndarray:
    idx = np.asarray(input.data if isinstance(input, Tensor) else input)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"{op}(): indices must be an integer tensor (int64 or int32), got dtype {idx.dtype}"
        )
    outside = (idx < 0) | (idx >= rows)
    if outside.any():
        raise IndexError(
            f"{op}(): index {idx[outside].flat[0]} is out of range for a weight of {rows} rows "
            f"(0 to {rows - 1})"
        )
    return idx.astype(np.intp, copy=False)


def padding_row(op: str, padding_idx: Any, rows: int) -> int | None:
    """``padding_idx`` as a row number (negative counts from the end), or None."""
    if padding_idx is None:
        return None
    i = check_int(op, "padding_idx", padding_idx)
    if not -rows <= i < rows:
        raise ValueError(f"{op}(): padding_idx must be within num_embeddings ({rows}), got {i}")
    return i % rows


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``: shape input.shape + (dim,). The row
    ``padding_idx`` gets no gradient. With ``max_norm``, the rows looked up are first scaled
    down in place to that norm (as PyTorch, which changes ``weight``)."""
    if scale_grad_by_freq:
        raise NotImplementedError("embedding(): scale_grad_by_freq=True is not supported")
    if sparse:
        raise NotImplementedError(
            "embedding(): sparse=True (sparse gradients) is not supported; use sparse=False"
        )
    w = as_input(weight, "embedding")
    if w.ndim != 2:
        raise ValueError(f"embedding(): weight must be 2-D (rows, dim), got shape {w.shape}")
    idx = _indices("embedding", input, w.shape[0])
    pad = padding_row("embedding", padding_idx, w.shape[0])
    if max_norm is not None:
        _renorm_rows(w, np.unique(idx), check_number("embedding", "max_norm", max_norm), norm_type)
    out = w[idx]
    if pad is not None:
        mask = (idx == pad)[..., None]
        if mask.any():  # the padding row's value, but no gradient into it
            out = where(mask, w.detach()[idx], out)
    return out


def _renorm_rows(w: Tensor, rows: np.ndarray, max_norm: float, norm_type: float) -> None:
    with no_grad():
        data = w.data
        norms = np.linalg.norm(data[rows], ord=norm_type, axis=1)
        big = norms > max_norm
        scale = (max_norm / (norms[big] + 1e-7)).astype(data.dtype)
        data[rows[big]] *= scale[:, None]


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot codes of the class indices ``tensor``: shape tensor.shape + (C,), C =
    ``num_classes`` or (with -1) one more than the largest index."""
    idx = np.asarray(tensor.data if isinstance(tensor, Tensor) else tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot(): expects an integer tensor, got dtype {idx.dtype}")
    if (idx < 0).any():
        raise ValueError("one_hot(): class values must be non-negative")
    classes = check_int("one_hot", "num_classes", num_classes, -1)
    if classes == -1:
        classes = int(idx.max()) + 1 if idx.size else 0
    elif idx.size and idx.max() >= classes:
        raise ValueError(
            f"one_hot(): class values must be smaller than num_classes ({classes}), "
            f"got {int(idx.max())}"
        )
    out = np.zeros(idx.shape + (classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return Tensor(out)


def normalized_dims(op: str, normalized_shape: Any) -> tuple[int, ...]:
    """``normalized_shape`` (an int or a sequence of ints) as a tuple."""
    if isinstance(normalized_shape, (numbers.Integral, np.integer)) and not isinstance(
        normalized_shape, bool
    ):
        return (int(normalized_shape),)
    if not isinstance(normalized_shape, Sequence) or isinstance(normalized_shape, str):
        raise TypeError(
            f"{op}(): normalized_shape must be an int or a sequence of ints, got "
            f"{normalized_shape!r:.40}"
        )
    return tuple(check_int(op, "normalized_shape", n, 0) for n in normalized_shape)


def layer_norm(
    input: Any,
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / sqrt(var + eps) over the last len(normalized_shape) dims (var without
    Bessel's correction), then * weight + bias."""
    x = as_float_input(input, "layer_norm")
    shape = normalized_dims("layer_norm", normalized_shape)
    k = len(shape)
    if k == 0 or x.shape[x.ndim - k :] != shape or x.ndim < k:
        raise ValueError(
            f"layer_norm(): given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {list(x.shape)}"
        )
    dims = tuple(range(x.ndim - k, x.ndim))
    centred = x - x.mean(dim=dims, keepdim=True)
    var = (centred * centred).mean(dim=dims, keepdim=True)
    out = centred / (var + check_number("layer_norm", "eps", eps)).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def batch_norm(
    input: Any,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) over the batch and every other dim: in training with the
    batch's mean and variance (and, when running statistics are given, blend them in with
    ``momentum``: running = (1 - momentum) running + momentum batch, the variance with Bessel's
    correction); in evaluation with the running statistics."""
    x = as_float_input(input, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm(): input needs a batch and a channel dim, got {x.shape}")
    channels = x.shape[1]
    dims = (0, *range(2, x.ndim))
    view = (1, channels) + (1,) * (x.ndim - 2)
    for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is not None and stat.shape != (channels,):
            raise ValueError(
                f"batch_norm(): {name} should contain {channels} elements, not "
                f"{int(np.prod(stat.shape))}"
            )
    floor = check_number("batch_norm", "eps", eps)
    if training or running_mean is None or running_var is None:
        count = x.numel() // max(channels, 1)
        if training and count <= 1:
            raise ValueError(
                "batch_norm(): expected more than 1 value per channel when training, got input "
                f"of shape {x.shape}"
            )
        centred = x - x.mean(dim=dims, keepdim=True)
        var = (centred * centred).mean(dim=dims, keepdim=True)
        if training:
            m = check_number("batch_norm", "momentum", momentum)
            _blend(running_mean, x.data.mean(axis=dims), m)
            unbiased = var.data.reshape(channels) * (count / (count - 1))
            _blend(running_var, unbiased, m)
        out = centred / (var + floor).sqrt()
    else:
        mean = running_mean.detach().reshape(view)
        std = (running_var.detach().reshape(view) + floor).sqrt()
        out = (x - mean) / std
    if weight is not None:
        out = out * as_input(weight, "batch_norm").reshape(view)
    if bias is not None:
        out = out + as_input(bias, "batch_norm").reshape(view)
    return out


def _blend(stat: Tensor | None, batch: np.ndarray, momentum: float) -> None:
    """running = (1 - momentum) running + momentum batch, in the running tensor's memory."""
    if stat is None:
        return
    data = stat.data
    data *= 1.0 - momentum
    data += (momentum * batch).astype(data.dtype)
