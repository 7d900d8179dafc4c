"""Convolution, pooling, padding and resampling as functions (``nn.functional``'s conv2d,
max_pool2d, pad, interpolate...), with PyTorch's signatures.

Each is one op of the engine (autograd/ops/conv.py, pooling.py, resample.py, unfold.py), with its
own backward rule and second derivatives; these are thin wrappers that keep ``nn.functional``'s
names in one place.
"""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.ops import conv as _conv
from autograd.ops import pooling as _pool
from autograd.ops import resample as _resample
from autograd.ops import unfold as _unfold

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

conv1d = _conv.conv1d
conv2d = _conv.conv2d
conv_transpose1d = _conv.conv_transpose1d
conv_transpose2d = _conv.conv_transpose2d
max_pool1d = _pool.max_pool1d
max_pool2d = _pool.max_pool2d
avg_pool1d = _pool.avg_pool1d
avg_pool2d = _pool.avg_pool2d
adaptive_avg_pool1d = _pool.adaptive_avg_pool1d
adaptive_avg_pool2d = _pool.adaptive_avg_pool2d
adaptive_max_pool1d = _pool.adaptive_max_pool1d
adaptive_max_pool2d = _pool.adaptive_max_pool2d
pad = _resample.pad
interpolate = _resample.interpolate
unfold = _unfold.unfold
fold = _unfold.fold


def upsample(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: Any = None,
) -> Tensor:
    """interpolate under its former name (PyTorch keeps it, deprecated)."""
    return interpolate(input, size, scale_factor, mode, align_corners)
