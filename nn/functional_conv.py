"""Convolution, pooling, padding and resampling as functions (``nn.functional``'s conv2d,
max_pool2d, pad, interpolate...), with PyTorch's signatures.

Each is one op of the engine (autograd/ops/conv.py, pooling.py, resample.py, unfold.py), with its
own backward rule and second derivatives; these are thin wrappers that keep ``nn.functional``'s
names in one place.
"""

from __future__ import annotations

from typing import Any

from autograd import (
    Tensor,
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    fold,
    interpolate,
    max_pool1d,
    max_pool2d,
    pad,
    unfold,
)

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "fold",
    "interpolate",
    "max_pool1d",
    "max_pool2d",
    "pad",
    "unfold",
    "upsample",
]


def upsample(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: Any = None,
) -> Tensor:
    """interpolate under its former name (PyTorch keeps it, deprecated)."""
    return interpolate(input, size, scale_factor, mode, align_corners)
