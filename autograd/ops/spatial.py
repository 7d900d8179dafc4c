"""Convolution, pooling, padding and resampling: the ops on images and signals (N, C, *spatial).

This module loads them all (which registers their ops) and exports them: ``nn.functional`` gives
them PyTorch's names from ``autograd``'s public API. Most are at PyTorch's top level as well
(``torch.conv2d``...); ``pad``, ``interpolate``, ``fold``, ``unfold`` (im2col, as
``F.unfold``) and the 2-d pooling variants are here too so that nn needs no engine internals.
"""

from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .resample import interpolate, pad
from .unfold import fold, unfold

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
]
