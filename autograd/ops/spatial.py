"""Convolution, pooling, padding and resampling: the ops on images and signals (N, C, *spatial).

This module loads them all (which registers their ops); ``nn.functional`` exposes them under
PyTorch's names. Those PyTorch also has at its top level (``torch.conv2d``...) are exported.
"""

from . import resample, unfold  # noqa: F401 - pad, interpolate, fold, unfold: nn.functional only
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .pooling import adaptive_avg_pool1d, adaptive_max_pool1d, avg_pool1d, max_pool1d, max_pool2d

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "avg_pool1d",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "max_pool1d",
    "max_pool2d",
]
